//! A login: active while `ended_at` is null.
use crate::clock::from_ms;
use crate::geo::Location;
use crate::model::{Answer, AuthMethod, DeviceType, EndReason, SessionView, TokenScope};
use crate::secret::TokenDigest;
use sea_orm::QueryResult;
use sea_orm::entity::prelude::*;
use std::net::IpAddr;

/// A row of `sessions`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "sessions")]
pub struct Model {
    /// Internal id, never shown.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// Random public id used in pages and requests.
    #[sea_orm(unique)]
    pub public_id: String,
    /// SHA-256 of the token, stored as hex (redacted in `Debug`).
    #[sea_orm(unique)]
    pub token_hash: TokenDigest,
    /// Owner.
    pub user_id: i64,
    /// Login time.
    pub created_at: i64,
    /// Last authenticated request (flushed from memory every few seconds).
    pub last_seen_at: i64,
    /// Raw user agent, at most 512 bytes.
    pub user_agent: String,
    /// Desktop, Mobile, Tablet, Bot or Other.
    pub device_type: DeviceType,
    /// Operating system family.
    pub platform: String,
    /// Browser family.
    pub browser_name: String,
    /// Browser major version.
    pub browser_version: String,
    /// Client IP at login.
    pub login_ip: String,
    /// Country of `login_ip`.
    pub login_country_code: Option<String>,
    /// Client IP of the latest request.
    pub last_ip: String,
    /// Country of `last_ip`.
    pub last_country_code: Option<String>,
    /// Page opens in this session.
    pub pages_visited: i64,
    /// When the session ended; null while active.
    pub ended_at: Option<i64>,
    /// Why it ended.
    pub end_reason: Option<EndReason>,
    /// When the session last proved the password (login or
    /// re-authentication); null counts as never.
    pub authenticated_at: Option<i64>,
    /// At login, a device the account had never used.
    pub new_device: bool,
    /// At login, a country the account had never signed in from.
    pub new_location: bool,
    /// Used later from another country than at login.
    pub location_changed: bool,
    /// The owner's answer to "Was this you?".
    pub answer: Option<Answer>,
    /// A name the owner gave it.
    pub name: Option<String>,
    /// Distinct places (IPs) it was used from, at most 20 kept.
    pub place_count: i32,
    /// How it was authenticated.
    pub auth_method: AuthMethod,
    /// The protected app the sign-in started from (forward authentication).
    pub started_app: Option<String>,
    /// For an API token, what its bearer may do (null: a browser's session).
    pub token_scope: Option<TokenScope>,
    /// For an API token, when it expires, in place of the idle and
    /// absolute timeouts.
    pub expires_at: Option<i64>,
}

/// Relations of `sessions`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The owner.
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
    /// Where it was used from.
    #[sea_orm(has_many = "super::session_place::Entity")]
    Places,
}

impl Related<super::session_place::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Places.def()
    }
}

impl Related<super::user::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::User.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

fn location(ip: &str, code: Option<&str>) -> Location {
    Location::from_parts(ip.parse::<IpAddr>().ok(), code)
}

impl From<Model> for SessionView {
    /// By value: the page moves its rows' strings rather than copying them.
    fn from(m: Model) -> Self {
        let location = self::location(&m.last_ip, m.last_country_code.as_deref());
        Self {
            id: m.public_id,
            device_type: m.device_type,
            platform: m.platform,
            browser_name: m.browser_name,
            browser_version: m.browser_version,
            ip: m.last_ip,
            location,
            created_at: from_ms(m.created_at),
            last_seen_at: from_ms(m.last_seen_at),
            pages_visited: m.pages_visited,
            ended_at: m.ended_at.map(from_ms),
            end_reason: m.end_reason,
            authenticated_at: m.authenticated_at.map(from_ms),
            new_device: m.new_device,
            new_location: m.new_location,
            location_changed: m.location_changed,
            answer: m.answer,
            name: m.name,
            place_count: m.place_count.max(1) as u32,
            auth_method: m.auth_method,
            started_app: m.started_app,
            apps: Vec::new(),
            expires_at: m.expires_at.map(from_ms),
        }
    }
}

/// The columns a [`SessionView`] shows, row id first, in the order
/// [`view_from_row`] reads them: a hand-written statement selects these
/// rather than the whole row (no token hash, no raw user agent).
pub(crate) const VIEW_COLUMNS: [&str; 23] = [
    "id",
    "public_id",
    "device_type",
    "platform",
    "browser_name",
    "browser_version",
    "last_ip",
    "last_country_code",
    "created_at",
    "last_seen_at",
    "pages_visited",
    "ended_at",
    "end_reason",
    "authenticated_at",
    "new_device",
    "new_location",
    "location_changed",
    "answer",
    "name",
    "place_count",
    "auth_method",
    "started_app",
    "expires_at",
];

/// The row id and view of a row selected with [`VIEW_COLUMNS`] first.
///
/// By position: reading by name looks each column up by its name, and
/// mapping a whole [`Model`] copies the columns the page never shows
/// (their cost is in PERFORMANCE.md).
pub(crate) fn view_from_row(row: &QueryResult) -> Result<(i64, SessionView), DbErr> {
    let ip: String = row.try_get_by_index(6)?;
    let code: Option<String> = row.try_get_by_index(7)?;
    let location = self::location(&ip, code.as_deref());
    let view = SessionView {
        id: row.try_get_by_index(1)?,
        device_type: row.try_get_by_index(2)?,
        platform: row.try_get_by_index(3)?,
        browser_name: row.try_get_by_index(4)?,
        browser_version: row.try_get_by_index(5)?,
        ip,
        location,
        created_at: from_ms(row.try_get_by_index(8)?),
        last_seen_at: from_ms(row.try_get_by_index(9)?),
        pages_visited: row.try_get_by_index(10)?,
        ended_at: row.try_get_by_index::<Option<i64>>(11)?.map(from_ms),
        end_reason: row.try_get_by_index(12)?,
        authenticated_at: row.try_get_by_index::<Option<i64>>(13)?.map(from_ms),
        new_device: row.try_get_by_index(14)?,
        new_location: row.try_get_by_index(15)?,
        location_changed: row.try_get_by_index(16)?,
        answer: row.try_get_by_index(17)?,
        name: row.try_get_by_index(18)?,
        place_count: row.try_get_by_index::<i32>(19)?.max(1) as u32,
        auth_method: row.try_get_by_index(20)?,
        started_app: row.try_get_by_index(21)?,
        apps: Vec::new(),
        expires_at: row.try_get_by_index::<Option<i64>>(22)?.map(from_ms),
    };
    Ok((row.try_get_by_index(0)?, view))
}

impl Model {
    /// The row id and the view of this row.
    pub(crate) fn into_view(self) -> (i64, SessionView) {
        (self.id, SessionView::from(self))
    }
}

impl From<&Model> for SessionView {
    fn from(m: &Model) -> Self {
        Self::from(m.clone())
    }
}

/// A new session's row, first seen at `now` from `ip` (in `country`) on
/// `client`: active, unnamed, unanswered, in one place, no marks. Callers
/// set what differs (the review marks, the method, the app, a token's
/// name, scope and expiry).
pub(crate) fn new_row(
    token: TokenDigest,
    user_id: i64,
    now: i64,
    user_agent: &str,
    client: &crate::agent::ClientInfo,
    ip: IpAddr,
    country: Option<String>,
) -> ActiveModel {
    use sea_orm::Set;
    ActiveModel {
        public_id: Set(crate::secret::new_public_id()),
        token_hash: Set(token),
        user_id: Set(user_id),
        created_at: Set(now),
        last_seen_at: Set(now),
        user_agent: Set(user_agent.to_owned()),
        device_type: Set(client.device_type),
        platform: Set(client.platform.clone()),
        browser_name: Set(client.browser_name.clone()),
        browser_version: Set(client.browser_version.clone()),
        login_ip: Set(ip.to_string()),
        login_country_code: Set(country.clone()),
        last_ip: Set(ip.to_string()),
        last_country_code: Set(country),
        pages_visited: Set(0),
        new_device: Set(false),
        new_location: Set(false),
        location_changed: Set(false),
        answer: Set(None),
        name: Set(None),
        place_count: Set(1),
        started_app: Set(None),
        ended_at: Set(None),
        end_reason: Set(None),
        authenticated_at: Set(None),
        token_scope: Set(None),
        expires_at: Set(None),
        ..Default::default()
    }
}

/// Inserts a [`new_row`] and its first place.
pub(crate) async fn insert_new(
    txn: &impl ConnectionTrait,
    row: ActiveModel,
) -> Result<Model, DbErr> {
    let row = row.insert(txn).await?;
    let place = super::session_place::first(
        row.id,
        row.login_ip.clone(),
        row.login_country_code.clone(),
        row.created_at,
    );
    place.insert(txn).await?;
    Ok(row)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_view_columns_are_distinct_columns_of_sessions() {
        // Their count is the array's type (`view_from_row` reads 0 to 22).
        let distinct: std::collections::HashSet<_> = VIEW_COLUMNS.iter().collect();
        assert_eq!(distinct.len(), VIEW_COLUMNS.len());
        for name in VIEW_COLUMNS {
            assert!(name.parse::<Column>().is_ok(), "{name} is not a column");
        }
    }
}
