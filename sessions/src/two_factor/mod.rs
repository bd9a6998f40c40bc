//! Two-factor authentication: an authenticator app (TOTP) and single-use
//! recovery codes.
//!
//! Enrolment needs a recent re-authentication and belongs to the session
//! that started it: only that session sees the secret, confirms it with a
//! first code and then sees the ten recovery codes, until it says they are
//! saved (`enrol.rs`). With a second factor, a right password gives a
//! [`PendingLogin`], not a session: [`SessionStore::complete_login`] makes
//! the session after a code, five tries at most (`login.rs`). Codes are
//! limited like passwords and counted per account in a row (`check.rs`); a
//! TOTP code is good once (the last accepted time step is kept), a recovery
//! code is used up in the same statement that checks it. Secrets are sealed
//! with keys derived from the server's [`SecretKey`] (`key.rs`).
mod check;
mod code;
mod enrol;
pub(crate) mod key;
pub(crate) mod login;

pub use check::CodeLock;
pub use key::SecretKey;
pub use login::{CODES_PER_LOGIN, LoginStep, PendingLogin};

use crate::activity::immediate;
use crate::entity::{recovery_code, user};
use crate::mail::SecurityChange;
use crate::model::CurrentSession;
use crate::store::SessionStore;
use crate::{Result, StoreError};
use key::Keyring;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, Set,
    TransactionTrait,
};
use std::fmt;

/// Recovery codes waiting to be saved, and the name of this set of them.
/// `Debug` is redacted.
#[derive(Clone, PartialEq, Eq)]
pub struct RecoveryCodes {
    /// The codes, as the owner types them.
    pub codes: Vec<String>,
    /// Names this set (not derived from the codes alone: a keyed hash of
    /// their sealing), for [`SessionStore::recovery_codes_saved`].
    pub batch: String,
}

impl fmt::Debug for RecoveryCodes {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecoveryCodes")
            .field("codes", &"<redacted>")
            .field("batch", &self.batch)
            .finish()
    }
}

/// What the enrolment page shows while a new secret waits for its first
/// code. `Debug` is redacted.
#[derive(Clone)]
pub struct Enrolment {
    /// The secret in base32, for typing into an app.
    pub secret_base32: String,
    /// The `otpauth://` URL the QR code carries.
    pub otpauth_url: String,
}

impl fmt::Debug for Enrolment {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Enrolment(<redacted>)")
    }
}

/// An account's second factor.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TwoFactorStatus {
    /// On: logins need a code.
    pub enabled: bool,
    /// Unused recovery codes.
    pub recovery_codes_left: u64,
}

/// Whether `typed` has the shape of a code (six digits, or a recovery
/// code): a password typed where a code is asked for is refused without
/// spending an attempt on it.
pub(crate) fn looks_like_a_code(typed: &str) -> bool {
    code::totp_code(typed).is_some() || code::recovery_code(typed).is_some()
}

async fn account<C: ConnectionTrait>(conn: &C, user_id: i64) -> Result<user::Model> {
    user::Entity::find_by_id(user_id)
        .one(conn)
        .await?
        .ok_or(StoreError::UserNotFound)
}

impl SessionStore {
    /// Sets the key that seals second-factor secrets; call once, before
    /// serving. Returns false if one was set already. Without it, a
    /// random key is made (fine for tests, lost on restart).
    pub fn set_secret_key(&self, key: SecretKey) -> bool {
        self.set_secret_keys(key, Vec::new())
    }

    /// The same, with the keys it replaced: what they sealed still opens,
    /// what is sealed from now on uses `current`.
    pub fn set_secret_keys(&self, current: SecretKey, previous: Vec<SecretKey>) -> bool {
        self.inner
            .secret_key
            .set(Keyring { current, previous })
            .is_ok()
    }

    pub(crate) fn keyring(&self) -> &Keyring {
        self.inner.secret_key.get_or_init(|| Keyring {
            current: SecretKey::generate(),
            previous: Vec::new(),
        })
    }

    pub(crate) fn secret_key(&self) -> &SecretKey {
        &self.keyring().current
    }

    /// Whether `user_id`'s account has a second factor, and its recovery
    /// codes left.
    pub async fn two_factor_status(&self, user_id: i64) -> Result<TwoFactorStatus> {
        let a = account(&self.inner.db, user_id).await?;
        let left = recovery_code::Entity::find()
            .filter(recovery_code::Column::UserId.eq(user_id))
            .filter(recovery_code::Column::UsedAt.is_null())
            .count(&self.inner.db)
            .await?;
        Ok(TwoFactorStatus {
            enabled: a.totp_enabled_at.is_some(),
            recovery_codes_left: if a.totp_enabled_at.is_some() { left } else { 0 },
        })
    }

    /// The text a recovery code of `user_id` is hashed from.
    fn recovery_text(user_id: i64, normal: &str) -> String {
        format!("recovery:{user_id}:{normal}")
    }

    /// The hash a new recovery code is stored as.
    fn recovery_hash(&self, user_id: i64, normal: &str) -> String {
        let [current, _] = self
            .secret_key()
            .recovery_hashes(&Self::recovery_text(user_id, normal));
        current
    }

    /// Every hash a recovery code may be stored as (keys rotated, hashes
    /// from before key ids).
    fn recovery_hashes(&self, user_id: i64, normal: &str) -> Vec<String> {
        self.keyring()
            .recovery_hashes(&Self::recovery_text(user_id, normal))
    }

    async fn replace_recovery_codes<C: ConnectionTrait>(
        &self,
        conn: &C,
        user_id: i64,
        codes: &[String],
        now: i64,
    ) -> Result<()> {
        recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::UserId.eq(user_id))
            .exec(conn)
            .await?;
        for c in codes {
            let normal = code::recovery_code(c).expect("made in the accepted form");
            recovery_code::ActiveModel {
                user_id: Set(user_id),
                code_hash: Set(self.recovery_hash(user_id, &normal)),
                created_at: Set(now),
                used_at: Set(None),
                ..Default::default()
            }
            .insert(conn)
            .await?;
        }
        Ok(())
    }

    /// Turns the second factor off: needs the password and a code (or a
    /// recovery code), both limited.
    pub async fn disable_two_factor(
        &self,
        current: &CurrentSession,
        password: &str,
        typed_code: &str,
        ip: std::net::IpAddr,
    ) -> Result<()> {
        self.check_password(current.user_id, password, ip).await?;
        self.check_second_factor(current.user_id, typed_code, ip)
            .await?;
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        user::Entity::update_many()
            .col_expr(user::Column::TotpSecretEnc, Expr::value(None::<String>))
            .col_expr(user::Column::TotpPendingEnc, Expr::value(None::<String>))
            .col_expr(
                user::Column::TotpPendingSession,
                Expr::value(None::<String>),
            )
            .col_expr(user::Column::TotpEnabledAt, Expr::value(None::<i64>))
            .col_expr(user::Column::RecoveryRevealEnc, Expr::value(None::<String>))
            .col_expr(
                user::Column::RecoveryRevealSession,
                Expr::value(None::<String>),
            )
            .filter(user::Column::Id.eq(current.user_id))
            .exec(&txn)
            .await?;
        recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::UserId.eq(current.user_id))
            .exec(&txn)
            .await?;
        let owner = account(&txn, current.user_id).await?;
        let mailed = self
            .tell_owner(&txn, &owner, SecurityChange::TwoFactorOff)
            .await?;
        txn.commit().await?;
        self.mail_queued_now(mailed);
        tracing::warn!(target: "audit", user = %current.username, "two-factor authentication turned off");
        Ok(())
    }

    fn now_secs(&self) -> u64 {
        u64::try_from(self.now_ms() / 1000).unwrap_or(0)
    }
}
