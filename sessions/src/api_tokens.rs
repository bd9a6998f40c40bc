//! Personal API tokens: sessions too. A token is a row of `sessions` with a
//! scope and its own expiry, so it is listed, shown on the board, kept in
//! history and ended exactly like a browser's session (on every server).
//! It is created by a person who proved themselves within the
//! re-authentication window, shown once, and stored only as its digest.
use crate::entity::{session, user};
use crate::events::SessionEvent;
use crate::model::{AuthMethod, CurrentSession, DeviceType, SessionView, TokenScope};
use crate::secret::SessionToken;
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QuerySelect, Set, TransactionTrait};
use std::net::IpAddr;
use std::time::Duration;

/// The longest lifetime a token may be given.
pub const MAX_TOKEN_LIFETIME: Duration = Duration::from_secs(365 * 24 * 60 * 60);
/// The shortest.
pub const MIN_TOKEN_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

impl SessionStore {
    /// Creates an API token named `name` for `current`'s account, with
    /// `scope`, expiring after `lifetime` (1 to 365 days); `ip` is where it
    /// was asked for. Returns the token (its only appearance: the store
    /// keeps its digest) and its card.
    ///
    /// Needs a person's recent proof ([`StoreError::ReauthRequired`]); a
    /// token cannot create tokens ([`StoreError::WrongScope`]); the name is
    /// required and follows the session-name rules
    /// ([`StoreError::InvalidName`]).
    pub async fn create_api_token(
        &self,
        current: &CurrentSession,
        name: &str,
        scope: TokenScope,
        lifetime: Duration,
        ip: IpAddr,
    ) -> Result<(SessionToken, SessionView)> {
        if !(MIN_TOKEN_LIFETIME..=MAX_TOKEN_LIFETIME).contains(&lifetime) {
            return Err(StoreError::InvalidLifetime);
        }
        let name = crate::review::normalize_name(name)?.ok_or(StoreError::InvalidName)?;
        self.require_recent_auth(current).await?;
        let token = SessionToken::generate();
        let ip = crate::client_ip::canonical(ip);
        let country = self.country_of(ip);
        let now = self.now_ms();
        let lifetime_ms = i64::try_from(lifetime.as_millis()).unwrap_or(i64::MAX);
        // Its creator must still be active when it is written: a "sign out
        // everywhere" racing this either ends the token too or comes first
        // and refuses it (the account row orders the two on PostgreSQL;
        // SQLite has one writer at a time).
        let txn = self
            .inner
            .db
            .begin_with_options(crate::activity::immediate())
            .await?;
        user::Entity::find_by_id(current.user_id)
            .lock_exclusive()
            .one(&txn)
            .await?
            .ok_or(StoreError::UserNotFound)?;
        let creator = session::Entity::find_by_id(current.row_id)
            .filter(session::Column::EndedAt.is_null())
            .one(&txn)
            .await?;
        if creator.is_none() {
            return Err(StoreError::SessionNotFound);
        }
        let api = crate::agent::ClientInfo {
            device_type: DeviceType::Other,
            platform: "Sessionboard API".to_owned(),
            browser_name: "API token".to_owned(),
            browser_version: String::new(),
        };
        let mut row = session::new_row(token.digest(), current.user_id, now, "", &api, ip, country);
        row.name = Set(Some(name));
        row.auth_method = Set(AuthMethod::ApiToken);
        row.token_scope = Set(Some(scope));
        row.expires_at = Set(Some(now.saturating_add(lifetime_ms)));
        let row = session::insert_new(&txn, row).await?;
        txn.commit().await?;
        let view = SessionView::from(row);
        tracing::info!(target: "audit", user = %current.username, session = %view.id, by = %current.public_id, ?scope, %ip, "api token created");
        self.publish(SessionEvent::Started {
            user_id: current.user_id,
            session_id: view.id.clone(),
        });
        Ok((token, view))
    }
}
