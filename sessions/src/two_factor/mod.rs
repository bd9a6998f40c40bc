//! Two-factor authentication: an authenticator app (TOTP) and single-use
//! recovery codes.
//!
//! Enrolment needs a recent password check; the secret waits (encrypted)
//! until a first code confirms it, then ten recovery codes are shown until
//! the owner says they are saved.
//! With a second factor, a right password gives a [`PendingLogin`], not a
//! session: [`SessionStore::complete_login`] makes the session after a
//! code. Codes are throttled like passwords, a TOTP code is good once (the
//! last accepted time step is kept), a recovery code is used up in the same
//! statement that checks it. Secrets are sealed with the server's
//! [`SecretKey`].
mod code;
pub(crate) mod key;
mod login;

pub use key::SecretKey;
pub use login::{LoginStep, PendingLogin};

use crate::accounts::limited;
use crate::activity::immediate;
use crate::entity::{recovery_code, user};
use crate::model::{AuthMethod, CurrentSession};
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, EntityTrait, PaginatorTrait,
    QueryFilter, Set, TransactionTrait,
};
use std::fmt;
use std::net::IpAddr;

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
        self.inner.secret_key.set(key).is_ok()
    }

    pub(crate) fn secret_key(&self) -> &SecretKey {
        self.inner.secret_key.get_or_init(SecretKey::generate)
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

    /// Starts enrolment: a new secret, kept sealed until a code confirms
    /// it. Needs a recent password check.
    pub async fn begin_two_factor(&self, current: &CurrentSession) -> Result<()> {
        self.require_recent_auth(current).await?;
        let a = account(&self.inner.db, current.user_id).await?;
        if a.totp_enabled_at.is_some() {
            return Err(StoreError::TwoFactorOn);
        }
        let sealed = self.secret_key().seal(a.id, &code::new_secret());
        user::Entity::update_many()
            .col_expr(user::Column::TotpPendingEnc, Expr::value(sealed))
            .filter(user::Column::Id.eq(a.id))
            .exec(&self.inner.db)
            .await?;
        Ok(())
    }

    /// The secret waiting for its first code, for the enrolment page.
    pub async fn two_factor_enrolment(
        &self,
        current: &CurrentSession,
    ) -> Result<Option<Enrolment>> {
        let a = account(&self.inner.db, current.user_id).await?;
        let Some(sealed) = a.totp_pending_enc.filter(|_| a.totp_enabled_at.is_none()) else {
            return Ok(None);
        };
        let secret = self
            .secret_key()
            .open(a.id, &sealed)
            .ok_or(StoreError::SecretUnreadable)?;
        let totp = code::totp(secret, &a.username).ok_or(StoreError::SecretUnreadable)?;
        Ok(Some(Enrolment {
            secret_base32: totp.secret().to_base32(),
            otpauth_url: totp.to_url().map_err(|_| StoreError::SecretUnreadable)?,
        }))
    }

    /// Turns the second factor on with a first code from the app; makes
    /// ten recovery codes, shown by [`reveal_recovery_codes`](Self::reveal_recovery_codes) until saved.
    pub async fn confirm_two_factor(&self, current: &CurrentSession, typed: &str) -> Result<()> {
        self.require_recent_auth(current).await?;
        let a = account(&self.inner.db, current.user_id).await?;
        let Some(sealed) = a.totp_pending_enc.clone() else {
            return Err(StoreError::WrongCode);
        };
        let key = self.secret_key();
        let secret = key
            .open(a.id, &sealed)
            .ok_or(StoreError::SecretUnreadable)?;
        let totp = code::totp(secret, &a.username).ok_or(StoreError::SecretUnreadable)?;
        let step = code::totp_code(typed)
            .and_then(|c| totp.check(&c, self.now_secs()))
            .ok_or(StoreError::WrongCode)?;
        let codes = code::new_recovery_codes();
        let now = self.now_ms();
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        // Only the secret that was shown (a second enrolment may have replaced it).
        let on = user::Entity::update_many()
            .col_expr(user::Column::TotpSecretEnc, Expr::value(sealed.clone()))
            .col_expr(user::Column::TotpPendingEnc, Expr::value(None::<String>))
            .col_expr(user::Column::TotpEnabledAt, Expr::value(now))
            .col_expr(user::Column::TotpLastStep, Expr::value(step as i64))
            .col_expr(
                user::Column::RecoveryRevealEnc,
                Expr::value(key.seal(a.id, codes.join("\n").as_bytes())),
            )
            .filter(user::Column::Id.eq(a.id))
            .filter(user::Column::TotpPendingEnc.eq(sealed))
            .exec(&txn)
            .await?;
        if on.rows_affected == 0 {
            return Err(StoreError::WrongCode);
        }
        self.replace_recovery_codes(&txn, a.id, &codes, now).await?;
        txn.commit().await?;
        tracing::info!(target: "audit", user = %a.username, "two-factor authentication turned on");
        Ok(())
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

    fn recovery_hash(&self, user_id: i64, normal: &str) -> String {
        self.secret_key()
            .keyed_hash(&format!("recovery:{user_id}:{normal}"))
    }

    /// The recovery codes just made, until the owner says they are saved
    /// ([`recovery_codes_saved`](Self::recovery_codes_saved)); `None` after.
    /// Reading them changes nothing: a retried or repeated page load must
    /// not lose codes that were never seen.
    pub async fn reveal_recovery_codes(
        &self,
        current: &CurrentSession,
    ) -> Result<Option<RecoveryCodes>> {
        let a = account(&self.inner.db, current.user_id).await?;
        let Some(sealed) = a.recovery_reveal_enc else {
            return Ok(None);
        };
        let plain = self
            .secret_key()
            .open(a.id, &sealed)
            .ok_or(StoreError::SecretUnreadable)?;
        let text = String::from_utf8(plain).map_err(|_| StoreError::SecretUnreadable)?;
        Ok(Some(RecoveryCodes {
            codes: text.lines().map(str::to_owned).collect(),
            batch: self.batch_of(&sealed),
        }))
    }

    /// Names one sealing of codes without revealing them (each sealing has
    /// its own nonce, so a new set always gets a new name).
    fn batch_of(&self, sealed: &str) -> String {
        self.secret_key().keyed_hash(&format!("reveal:{sealed}"))
    }

    /// The owner saved the codes of `batch` (what [`RecoveryCodes::batch`]
    /// said when they were shown): they are never shown again. Returns
    /// `false`, and clears nothing, when other codes wait instead (a page
    /// left open from before a new enrolment must not hide the new codes).
    pub async fn recovery_codes_saved(
        &self,
        current: &CurrentSession,
        batch: &str,
    ) -> Result<bool> {
        let a = account(&self.inner.db, current.user_id).await?;
        let Some(sealed) = a.recovery_reveal_enc else {
            return Ok(true);
        };
        if self.batch_of(&sealed) != batch {
            return Ok(false);
        }
        // Compare-and-swap: codes sealed since the read above stay, and
        // then whatever waits now decides the answer.
        let cleared = user::Entity::update_many()
            .col_expr(user::Column::RecoveryRevealEnc, Expr::value(None::<String>))
            .filter(user::Column::Id.eq(current.user_id))
            .filter(user::Column::RecoveryRevealEnc.eq(sealed))
            .exec(&self.inner.db)
            .await?
            .rows_affected;
        if cleared == 1 {
            return Ok(true);
        }
        let now = account(&self.inner.db, current.user_id).await?;
        Ok(now.recovery_reveal_enc.is_none())
    }

    /// Turns the second factor off: needs the password and a code (or a
    /// recovery code), both throttled.
    pub async fn disable_two_factor(
        &self,
        current: &CurrentSession,
        password: &str,
        typed_code: &str,
        ip: IpAddr,
    ) -> Result<()> {
        self.check_password(current.user_id, password, ip).await?;
        self.check_second_factor(current.user_id, typed_code, ip)
            .await?;
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        user::Entity::update_many()
            .col_expr(user::Column::TotpSecretEnc, Expr::value(None::<String>))
            .col_expr(user::Column::TotpPendingEnc, Expr::value(None::<String>))
            .col_expr(user::Column::TotpEnabledAt, Expr::value(None::<i64>))
            .col_expr(user::Column::RecoveryRevealEnc, Expr::value(None::<String>))
            .filter(user::Column::Id.eq(current.user_id))
            .exec(&txn)
            .await?;
        recovery_code::Entity::delete_many()
            .filter(recovery_code::Column::UserId.eq(current.user_id))
            .exec(&txn)
            .await?;
        txn.commit().await?;
        tracing::warn!(target: "audit", user = %current.username, "two-factor authentication turned off");
        Ok(())
    }

    fn now_secs(&self) -> u64 {
        u64::try_from(self.now_ms() / 1000).unwrap_or(0)
    }

    /// Checks a second factor of `user_id`'s account within the
    /// password-attempt limits: a TOTP code (good once) or a recovery code
    /// (used up). Returns which it was.
    pub(crate) async fn check_second_factor(
        &self,
        user_id: i64,
        typed: &str,
        ip: IpAddr,
    ) -> Result<AuthMethod> {
        let now = self.now_ms();
        let throttle = &self.inner.throttle;
        throttle.reserve_network(ip, now).map_err(limited)?;
        if let Err(wait) = throttle.reserve_account(user_id, ip, now) {
            throttle.cancel(None, ip);
            tracing::warn!(target: "audit", user_id, %ip, "second-factor attempts locked out");
            return Err(limited(wait));
        }
        let checked = self.second_factor(user_id, typed).await;
        match &checked {
            Ok(_) => throttle.succeeded(user_id, ip),
            Err(StoreError::WrongCode) => {
                tracing::info!(target: "audit", user_id, %ip, "second factor refused");
            }
            // Never reached a verdict: give the attempt back.
            Err(_) => throttle.cancel(Some(user_id), ip),
        }
        checked
    }

    async fn second_factor(&self, user_id: i64, typed: &str) -> Result<AuthMethod> {
        let a = account(&self.inner.db, user_id).await?;
        let Some(sealed) = a.totp_secret_enc.filter(|_| a.totp_enabled_at.is_some()) else {
            return Err(StoreError::WrongCode);
        };
        if let Some(digits) = code::totp_code(typed) {
            let secret = self
                .secret_key()
                .open(a.id, &sealed)
                .ok_or(StoreError::SecretUnreadable)?;
            let totp = code::totp(secret, &a.username).ok_or(StoreError::SecretUnreadable)?;
            let step = totp
                .check(&digits, self.now_secs())
                .ok_or(StoreError::WrongCode)? as i64;
            // Later steps only: the check and the write are one statement.
            let fresh = Condition::any()
                .add(user::Column::TotpLastStep.is_null())
                .add(user::Column::TotpLastStep.lt(step));
            let taken = user::Entity::update_many()
                .col_expr(user::Column::TotpLastStep, Expr::value(step))
                .filter(user::Column::Id.eq(a.id))
                .filter(fresh)
                .exec(&self.inner.db)
                .await?;
            return if taken.rows_affected == 1 {
                Ok(AuthMethod::PasswordAndAuthenticator)
            } else {
                Err(StoreError::WrongCode)
            };
        }
        let normal = code::recovery_code(typed).ok_or(StoreError::WrongCode)?;
        let used = recovery_code::Entity::update_many()
            .col_expr(recovery_code::Column::UsedAt, Expr::value(self.now_ms()))
            .filter(recovery_code::Column::UserId.eq(a.id))
            .filter(recovery_code::Column::CodeHash.eq(self.recovery_hash(a.id, &normal)))
            .filter(recovery_code::Column::UsedAt.is_null())
            .exec(&self.inner.db)
            .await?;
        if used.rows_affected == 1 {
            tracing::warn!(target: "audit", user = %a.username, "recovery code used");
            Ok(AuthMethod::PasswordAndRecoveryCode)
        } else {
            Err(StoreError::WrongCode)
        }
    }
}
