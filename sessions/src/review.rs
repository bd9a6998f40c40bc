//! "Was this you?": the marks a login gets from the account's own history,
//! the owner's answer about a marked session, and names for sessions.
//!
//! Only trusted sessions vouch: a device or a country becomes known through
//! a session that was never marked, or one the owner confirmed. A session
//! still waiting for an answer (or denied) teaches nothing, so an intruder's
//! second login is as new as the first, and may not answer for either.
use crate::entity::session;
use crate::events::SessionEvent;
use crate::model::{Answer, CurrentSession, DeviceType, EndReason, SessionView};
use crate::review_rule::marked;
use crate::store::SessionStore;
use crate::{Result, StoreError};
#[cfg(test)]
use crate::{model::AuthMethod, review_rule::is_marked};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect,
    TransactionTrait,
};

/// The longest session name, in characters.
pub const MAX_NAME_CHARS: usize = 60;

/// What a login is marked with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Marks {
    pub new_device: bool,
    pub new_location: bool,
}

/// Sessions that vouch for their device and country: confirmed by the
/// owner, or never marked.
fn trusted() -> Condition {
    Condition::any()
        .add(session::Column::Answer.eq(Answer::Confirmed))
        .add(
            Condition::all()
                .add(session::Column::Answer.is_null())
                .add(marked().not()),
        )
}

/// Sessions marked and not answered yet.
pub(crate) fn awaiting_answer() -> Condition {
    Condition::all()
        .add(session::Column::Answer.is_null())
        .add(marked())
}

async fn exists<C: ConnectionTrait>(conn: &C, cond: Condition) -> Result<bool> {
    Ok(session::Entity::find()
        .select_only()
        .column(session::Column::Id)
        .filter(cond)
        .limit(1)
        .into_tuple::<i64>()
        .one(conn)
        .await?
        .is_some())
}

/// The marks of a login of `user_id` from this device and country, from
/// the account's history (read inside the login's transaction). The
/// account's first session is never marked; an unknown country is never
/// new.
pub(crate) async fn marks<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    device: (DeviceType, &str, &str),
    country: Option<&str>,
) -> Result<Marks> {
    let mine = || Condition::all().add(session::Column::UserId.eq(user_id));
    if !exists(conn, mine()).await? {
        return Ok(Marks::default());
    }
    let (device_type, platform, browser) = device;
    let same_device = mine()
        .add(trusted())
        .add(session::Column::DeviceType.eq(device_type))
        .add(session::Column::Platform.eq(platform))
        .add(session::Column::BrowserName.eq(browser));
    let new_device = !exists(conn, same_device).await?;
    let new_location = match country {
        Some(c) => {
            let seen = Condition::any()
                .add(session::Column::LoginCountryCode.eq(c))
                .add(session::Column::LastCountryCode.eq(c));
            !exists(conn, mine().add(trusted()).add(seen)).await?
        }
        None => false,
    };
    Ok(Marks {
        new_device,
        new_location,
    })
}

/// A name as stored: trimmed, inner whitespace runs folded to one space,
/// at most [`MAX_NAME_CHARS`] characters; empty means "no name". Control
/// and format characters (bidirectional overrides, zero-width characters)
/// are refused: they make a name read differently from what it is.
pub fn normalize_name(name: &str) -> Result<Option<String>> {
    let folded = name.split_whitespace().collect::<Vec<_>>().join(" ");
    let hidden = |c: char| c.is_control() || is_format_char(c);
    if folded.chars().any(hidden) || folded.chars().count() > MAX_NAME_CHARS {
        return Err(StoreError::InvalidName);
    }
    Ok((!folded.is_empty()).then_some(folded))
}

/// Unicode's format characters (general category Cf) that can hide or
/// reorder text: bidirectional controls, zero-width characters, the
/// byte-order mark, soft hyphen, invisible operators, tag characters.
fn is_format_char(c: char) -> bool {
    matches!(c,
        '\u{00AD}' | '\u{061C}' | '\u{180E}'
        | '\u{200B}'..='\u{200F}'
        | '\u{202A}'..='\u{202E}'
        | '\u{2060}'..='\u{2064}'
        | '\u{2066}'..='\u{206F}'
        | '\u{FEFF}'
        | '\u{FFF9}'..='\u{FFFB}'
        | '\u{E0000}'..='\u{E007F}')
}

impl SessionStore {
    /// Active sessions of `current`'s account that wait for "Was this
    /// you?", newest first, `current` itself left out. Empty for a
    /// session that may not answer (one that waits itself).
    pub async fn pending_sign_ins(&self, current: &CurrentSession) -> Result<Vec<SessionView>> {
        let rows = session::Entity::find()
            .filter(session::Column::UserId.eq(current.user_id))
            .filter(session::Column::EndedAt.is_null())
            .filter(awaiting_answer())
            .all(&self.inner.db)
            .await?;
        if rows.iter().any(|r| r.id == current.row_id) {
            return Ok(Vec::new());
        }
        let mut views = self.active_views(rows.into_iter().map(session::Model::into_view));
        views.sort_by(|a, b| {
            b.created_at
                .cmp(&a.created_at)
                .then_with(|| a.id.cmp(&b.id))
        });
        Ok(views)
    }

    /// Whether `current` may answer for (and name) other sessions: it is
    /// trusted itself (see the module's notes), and no read-only token.
    pub(crate) async fn require_trusted(&self, current: &CurrentSession) -> Result<()> {
        if current.scope == Some(crate::model::TokenScope::Read) {
            return Err(StoreError::WrongScope);
        }
        let me = Condition::all()
            .add(session::Column::Id.eq(current.row_id))
            .add(trusted());
        if exists(&self.inner.db, me).await? {
            Ok(())
        } else {
            Err(StoreError::NotTrusted)
        }
    }

    /// Records "Yes, it was me" for a marked session of `current`'s
    /// account. The first answer wins: a second one (either way) is
    /// [`StoreError::AlreadyAnswered`].
    pub async fn confirm_sign_in(&self, current: &CurrentSession, public_id: &str) -> Result<()> {
        if public_id == current.public_id {
            return Err(StoreError::NotTrusted);
        }
        self.require_trusted(current).await?;
        let rows = self
            .answer(&self.inner.db, current, public_id, Answer::Confirmed)
            .await?;
        tracing::info!(target: "audit", user = current.user_id, session = %public_id, "sign-in confirmed");
        self.publish(SessionEvent::Updated {
            user_id: current.user_id,
            session_id: rows.public_id,
        });
        Ok(())
    }

    /// "No — sign it out": records the denial and terminates the session,
    /// in one transaction, under the same rule as terminating (a recent
    /// password check). Returns the ended session.
    pub async fn deny_sign_in(
        &self,
        current: &CurrentSession,
        public_id: &str,
    ) -> Result<SessionView> {
        if public_id == current.public_id {
            return Err(StoreError::NotTrusted);
        }
        self.require_trusted(current).await?;
        self.require_proof_to_end(current).await?;
        let txn = self
            .inner
            .db
            .begin_with_options(crate::activity::immediate())
            .await?;
        let denied = self
            .answer(&txn, current, public_id, Answer::Denied)
            .await?;
        let at = self.now_ms();
        let mine = Condition::all().add(session::Column::Id.eq(denied.id));
        let ended = crate::ending::end_where(&txn, mine, EndReason::Terminated, at).await?;
        self.notify_ended_in(&txn, &ended, EndReason::Terminated)
            .await?;
        txn.commit().await?;
        tracing::warn!(target: "audit", user = current.user_id, session = %public_id, "sign-in denied");
        self.announce_ended(&ended, EndReason::Terminated);
        self.publish(SessionEvent::Updated {
            user_id: current.user_id,
            session_id: denied.public_id.clone(),
        });
        Ok(ended.first().unwrap_or(&denied).into())
    }

    /// Sets the answer where none is yet: the check and the write are one
    /// statement, so two answers racing cannot both win.
    async fn answer<C: ConnectionTrait>(
        &self,
        conn: &C,
        current: &CurrentSession,
        public_id: &str,
        answer: Answer,
    ) -> Result<session::Model> {
        let target = Condition::all()
            .add(session::Column::UserId.eq(current.user_id))
            .add(session::Column::PublicId.eq(public_id));
        let mut rows = session::Entity::update_many()
            .col_expr(session::Column::Answer, Expr::value(answer))
            .filter(target.clone())
            .filter(awaiting_answer())
            .exec_with_returning(conn)
            .await?;
        if let Some(row) = rows.pop() {
            return Ok(row);
        }
        let found = session::Entity::find().filter(target).one(conn).await?;
        Err(match found {
            Some(s) if s.answer.is_some() => StoreError::AlreadyAnswered,
            _ => StoreError::SessionNotFound,
        })
    }

    /// Names a session of `current`'s account (its own included); an
    /// empty name goes back to the default ("Chrome on Windows").
    ///
    /// A session waiting for "Was this you?" may not name any session (an
    /// intruder could make its own card look familiar), and names are
    /// limited per account and hour.
    pub async fn rename_session(
        &self,
        current: &CurrentSession,
        public_id: &str,
        name: &str,
    ) -> Result<Option<String>> {
        let name = normalize_name(name)?;
        self.require_trusted(current).await?;
        let counter = crate::login_throttle::Counter::Rename(current.user_id);
        self.reserve(counter, self.now_ms()).await?;
        let rows = session::Entity::update_many()
            .col_expr(session::Column::Name, Expr::value(name.clone()))
            .filter(session::Column::UserId.eq(current.user_id))
            .filter(session::Column::PublicId.eq(public_id))
            .exec_with_returning(&self.inner.db)
            .await?;
        if rows.is_empty() {
            return Err(StoreError::SessionNotFound);
        }
        self.publish(SessionEvent::Updated {
            user_id: current.user_id,
            session_id: public_id.to_owned(),
        });
        Ok(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_trimmed_folded_and_bounded() {
        assert_eq!(
            normalize_name("  Work \t laptop ").unwrap().as_deref(),
            Some("Work laptop")
        );
        assert_eq!(normalize_name("   ").unwrap(), None);
        assert!(normalize_name(&"é".repeat(60)).unwrap().is_some());
        assert!(matches!(
            normalize_name(&"é".repeat(61)),
            Err(StoreError::InvalidName)
        ));
        assert!(matches!(
            normalize_name("a\u{7}b"),
            Err(StoreError::InvalidName)
        ));
        for hidden in [
            "\u{202E}kcatta",
            "Work\u{200B}laptop",
            "a\u{2066}b",
            "\u{FEFF}x",
        ] {
            assert!(
                matches!(normalize_name(hidden), Err(StoreError::InvalidName)),
                "{hidden:?}"
            );
        }
        assert!(normalize_name("Büro-Laptop · 2").unwrap().is_some());
    }

    #[test]
    fn needs_review_includes_recovery_code_sign_ins() {
        assert!(!is_marked(false, false, false, AuthMethod::Password));
        assert!(!is_marked(
            false,
            false,
            false,
            AuthMethod::PasswordAndAuthenticator
        ));
        assert!(is_marked(
            false,
            false,
            false,
            AuthMethod::PasswordAndRecoveryCode
        ));
        assert!(is_marked(true, false, false, AuthMethod::Password));
        assert!(is_marked(false, false, true, AuthMethod::Password));
    }
}
