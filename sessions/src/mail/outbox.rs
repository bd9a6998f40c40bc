//! The outgoing mail queue: queued in the same transaction as what causes
//! it, claimed with a lease so that two servers never send one twice,
//! retried with backoff.
use super::MailConfig;
use crate::entity::mail_outbox;
use crate::model::DeviceType;
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
};
use serde::{Deserialize, Serialize};

/// A claim holds a batch for its sending time plus this margin; a server
/// that dies mid-send leaves it to another after.
const LEASE_MARGIN_MS: i64 = 30_000;
/// First retry after 30 s, doubling, at most an hour apart.
const FIRST_RETRY_MS: i64 = 30_000;
const MAX_RETRY_MS: i64 = 60 * 60_000;

const VERIFY: &str = "verify";
const NEW_SIGN_IN: &str = "new_sign_in";
const SECURITY: &str = "security";
const FAILED_CODE: &str = "failed_code";
const RESET: &str = "password_reset";

/// What a new-sign-in alert tells: the sign-in's facts, nothing secret.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInFacts {
    /// The account.
    pub username: String,
    /// Device type, platform and browser (with version).
    pub device_type: DeviceType,
    /// E.g. "iOS".
    pub platform: String,
    /// E.g. "Mobile Safari 17.4".
    pub browser: String,
    /// The client IP.
    pub ip: String,
    /// Its country, if known.
    pub country_code: Option<String>,
    /// When (epoch milliseconds).
    pub at_ms: i64,
    /// A device the account had never used.
    pub new_device: bool,
    /// A country the account had never signed in from.
    pub new_location: bool,
    /// It signed in with a recovery code.
    #[serde(default)]
    pub recovery_code: bool,
    /// The protected app the sign-in started from (forward authentication).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub app: Option<String>,
}

/// What an email says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MailKind {
    /// A link that verifies the address (the token is made when sent:
    /// [`SessionStore::issue_email_token`]).
    Verify {
        /// The account.
        username: String,
    },
    /// A sign-in marked new, or made with a recovery code.
    NewSignIn(SignInFacts),
    /// A change to the account's security settings.
    Security(SecurityNotice),
    /// The right password, then a wrong second-factor code.
    FailedCode(SignInFacts),
    /// A link that sets a new password (the token is made when sent:
    /// [`SessionStore::issue_reset_token`]).
    PasswordReset {
        /// The account.
        username: String,
    },
}

/// What changed in an account's security settings.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SecurityChange {
    /// The password was changed from a signed-in session.
    PasswordChanged,
    /// The password was set anew through a reset link.
    PasswordReset,
    /// Two-factor authentication was turned on.
    TwoFactorOn,
    /// Two-factor authentication was turned off.
    TwoFactorOff,
    /// New recovery codes replaced the old ones.
    RecoveryCodesRegenerated,
    /// Someone asked for alerts to go to another address (sent to the
    /// current one, which keeps receiving them until the new one is
    /// verified).
    EmailChangeRequested {
        /// The address asked for.
        new_address: String,
    },
    /// The address was changed (sent to the old one).
    EmailChanged,
    /// Too many wrong codes in a row: codes are no longer checked.
    SecondFactorLocked,
    /// An administrator ended sessions of the account.
    EndedByAdministrator {
        /// How many.
        sessions: u64,
    },
    /// An administrator locked the account (every session ended).
    AccountLocked,
    /// An administrator unlocked the account.
    AccountUnlocked,
}

/// A security notice: which account, what changed, when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SecurityNotice {
    /// The account.
    pub username: String,
    /// What changed.
    pub change: SecurityChange,
    /// When (epoch milliseconds).
    pub at_ms: i64,
}

/// An email claimed for sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMail {
    /// Queue id.
    pub id: i64,
    /// The account.
    pub user_id: i64,
    /// The recipient.
    pub to: String,
    /// What it says.
    pub kind: MailKind,
    /// Tries so far, this one included.
    pub attempt: u32,
}

#[derive(Serialize, Deserialize)]
struct VerifyPayload {
    username: String,
}

/// Queues one email (in the caller's transaction).
pub(crate) async fn enqueue<C: ConnectionTrait>(
    conn: &C,
    user_id: i64,
    to: &str,
    kind: &MailKind,
    dedupe_key: Option<String>,
    now: i64,
) -> Result<()> {
    let (name, payload) = match kind {
        MailKind::Verify { username } => (
            VERIFY,
            serde_json::to_string(&VerifyPayload {
                username: username.clone(),
            }),
        ),
        MailKind::NewSignIn(facts) => (NEW_SIGN_IN, serde_json::to_string(facts)),
        MailKind::Security(notice) => (SECURITY, serde_json::to_string(notice)),
        MailKind::FailedCode(facts) => (FAILED_CODE, serde_json::to_string(facts)),
        MailKind::PasswordReset { username } => (
            RESET,
            serde_json::to_string(&VerifyPayload {
                username: username.clone(),
            }),
        ),
    };
    let payload = payload.map_err(|e| StoreError::Mail(e.to_string()))?;
    mail_outbox::ActiveModel {
        user_id: Set(user_id),
        kind: Set(name.to_owned()),
        to_address: Set(to.to_owned()),
        payload: Set(payload),
        dedupe_key: Set(dedupe_key),
        created_at: Set(now),
        next_attempt_at: Set(now),
        attempts: Set(0),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(())
}

/// Queues the alert about a sign-in marked new, unless one about the same
/// device went to this account within the alert window.
pub(crate) async fn new_sign_in_alert<C: ConnectionTrait>(
    conn: &C,
    config: &MailConfig,
    user_id: i64,
    to: &str,
    facts: SignInFacts,
) -> Result<bool> {
    let key = format!(
        "new_sign_in:{}{:?}|{}|{}",
        if facts.recovery_code { "recovery:" } else { "" },
        facts.device_type,
        facts.platform,
        facts.browser
    );
    let at = facts.at_ms;
    once_per_window(
        conn,
        config,
        user_id,
        to,
        &MailKind::NewSignIn(facts),
        key,
        at,
    )
    .await
}

/// Queues `kind` unless an email with the same `key` went to this account
/// within the alert window. Whether it was queued.
pub(crate) async fn once_per_window<C: ConnectionTrait>(
    conn: &C,
    config: &MailConfig,
    user_id: i64,
    to: &str,
    kind: &MailKind,
    key: String,
    at: i64,
) -> Result<bool> {
    let since = at - crate::config::ms(config.alert_window);
    let recent = mail_outbox::Entity::find()
        .select_only()
        .column(mail_outbox::Column::Id)
        .filter(mail_outbox::Column::UserId.eq(user_id))
        .filter(mail_outbox::Column::DedupeKey.eq(key.as_str()))
        .filter(mail_outbox::Column::CreatedAt.gt(since))
        .limit(1)
        .into_tuple::<i64>()
        .one(conn)
        .await?;
    if recent.is_some() {
        return Ok(false);
    }
    enqueue(conn, user_id, to, kind, Some(key), at).await?;
    Ok(true)
}

fn decode(row: mail_outbox::Model) -> Option<QueuedMail> {
    let kind = match row.kind.as_str() {
        VERIFY => {
            let p: VerifyPayload = serde_json::from_str(&row.payload).ok()?;
            MailKind::Verify {
                username: p.username,
            }
        }
        NEW_SIGN_IN => MailKind::NewSignIn(serde_json::from_str(&row.payload).ok()?),
        SECURITY => MailKind::Security(serde_json::from_str(&row.payload).ok()?),
        FAILED_CODE => MailKind::FailedCode(serde_json::from_str(&row.payload).ok()?),
        RESET => {
            let p: VerifyPayload = serde_json::from_str(&row.payload).ok()?;
            MailKind::PasswordReset {
                username: p.username,
            }
        }
        _ => return None,
    };
    Some(QueuedMail {
        id: row.id,
        user_id: row.user_id,
        to: row.to_address,
        kind,
        attempt: u32::try_from(row.attempts).unwrap_or(0),
    })
}

fn backoff_ms(attempts: u32) -> i64 {
    let doubled = FIRST_RETRY_MS.saturating_mul(1i64 << Ord::min(attempts.saturating_sub(1), 20));
    Ord::min(doubled, MAX_RETRY_MS)
}

impl SessionStore {
    /// Claims up to `limit` emails that are due, for as long as sending
    /// them may take at `per_mail` each (and a margin): another server (or
    /// a retry) sees them again only if this one neither reports them sent
    /// nor failed by then.
    pub async fn claim_mail(
        &self,
        limit: u64,
        per_mail: std::time::Duration,
    ) -> Result<Vec<QueuedMail>> {
        let now = self.now_ms();
        let batch = Ord::max(i64::try_from(limit).unwrap_or(i64::MAX), 1);
        let lease = crate::config::ms(per_mail).saturating_mul(batch) + LEASE_MARGIN_MS;
        let due = || {
            mail_outbox::Column::SentAt
                .is_null()
                .and(mail_outbox::Column::FailedAt.is_null())
                .and(mail_outbox::Column::NextAttemptAt.lte(now))
        };
        let ids = Query::select()
            .column(mail_outbox::Column::Id)
            .from(mail_outbox::Entity)
            .and_where(due())
            .order_by(mail_outbox::Column::Id, sea_orm::Order::Asc)
            .limit(limit)
            .to_owned();
        // The condition again on the row itself: a claim that lost the race
        // (PostgreSQL re-reads the row it waited for) takes nothing.
        let rows = mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(now + lease))
            .col_expr(
                mail_outbox::Column::Attempts,
                Expr::col(mail_outbox::Column::Attempts).add(1),
            )
            .filter(mail_outbox::Column::Id.in_subquery(ids))
            .filter(due())
            .exec_with_returning(&self.inner.db)
            .await?;
        let mut mails = Vec::with_capacity(rows.len());
        for row in rows {
            let id = row.id;
            match decode(row) {
                Some(m) => mails.push(m),
                None => {
                    self.mail_failed_for_good(id, "unreadable queue entry")
                        .await?
                }
            }
        }
        mails.sort_by_key(|m| m.id);
        Ok(mails)
    }

    /// Reports a claimed email delivered to the SMTP server.
    pub async fn mail_sent(&self, id: i64) -> Result<()> {
        mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::SentAt, Expr::value(self.now_ms()))
            .filter(mail_outbox::Column::Id.eq(id))
            .exec(&self.inner.db)
            .await?;
        Ok(())
    }

    /// Reports a claimed email not delivered: retried later (30 s, then
    /// doubling up to an hour), or given up after the configured tries.
    pub async fn mail_failed(&self, mail: &QueuedMail, error: &str) -> Result<()> {
        if mail.attempt >= self.inner.config.mail.max_attempts {
            tracing::error!(mail = mail.id, attempts = mail.attempt, %error, "giving up on an email");
            return self.mail_failed_for_good(mail.id, error).await;
        }
        let next = self.now_ms() + backoff_ms(mail.attempt);
        mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::NextAttemptAt, Expr::value(next))
            .col_expr(mail_outbox::Column::LastError, Expr::value(truncate(error)))
            .filter(mail_outbox::Column::Id.eq(mail.id))
            .exec(&self.inner.db)
            .await?;
        Ok(())
    }

    async fn mail_failed_for_good(&self, id: i64, error: &str) -> Result<()> {
        mail_outbox::Entity::update_many()
            .col_expr(mail_outbox::Column::FailedAt, Expr::value(self.now_ms()))
            .col_expr(mail_outbox::Column::LastError, Expr::value(truncate(error)))
            .filter(mail_outbox::Column::Id.eq(id))
            .exec(&self.inner.db)
            .await?;
        Ok(())
    }
}

fn truncate(error: &str) -> String {
    error.chars().take(500).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(1), 30_000);
        assert_eq!(backoff_ms(2), 60_000);
        assert_eq!(backoff_ms(3), 120_000);
        assert_eq!(backoff_ms(40), MAX_RETRY_MS);
    }
}
