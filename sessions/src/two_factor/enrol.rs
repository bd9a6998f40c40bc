//! Turning the second factor on, and recovery codes: each step needs a
//! recent re-authentication and belongs to the session that took the first
//! one. Another session of the account (an intruder's, say) never sees the
//! secret or the codes, and cannot hide them by saying they were saved.
use super::{Enrolment, RecoveryCodes, account, code};
use crate::activity::immediate;
use crate::ending::{end_where, others_of};
use crate::entity::user;
use crate::mail::SecurityChange;
use crate::model::{CurrentSession, EndReason};
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::sea_query::Expr;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};

impl SessionStore {
    /// Starts enrolment: a new secret, kept sealed until a code confirms
    /// it, shown to this session only. Needs a recent re-authentication.
    pub async fn begin_two_factor(&self, current: &CurrentSession) -> Result<()> {
        self.require_recent_auth(current).await?;
        let a = account(&self.inner.db, current.user_id).await?;
        if a.totp_enabled_at.is_some() {
            return Err(StoreError::TwoFactorOn);
        }
        let sealed = self.secret_key().seal(a.id, &code::new_secret());
        user::Entity::update_many()
            .col_expr(user::Column::TotpPendingEnc, Expr::value(sealed))
            .col_expr(
                user::Column::TotpPendingSession,
                Expr::value(current.public_id.clone()),
            )
            .filter(user::Column::Id.eq(a.id))
            .exec(&self.inner.db)
            .await?;
        Ok(())
    }

    /// The secret waiting for its first code, for the enrolment page of the
    /// session that started it (`None` for any other, and once it is on);
    /// [`StoreError::ReauthRequired`] when that session's proof is old.
    pub async fn two_factor_enrolment(
        &self,
        current: &CurrentSession,
    ) -> Result<Option<Enrolment>> {
        let a = account(&self.inner.db, current.user_id).await?;
        let mine = a.totp_pending_session.as_deref() == Some(current.public_id.as_str());
        let Some(sealed) = a
            .totp_pending_enc
            .filter(|_| mine && a.totp_enabled_at.is_none())
        else {
            return Ok(None);
        };
        self.require_recent_auth(current).await?;
        let secret = self
            .keyring()
            .open(a.id, &sealed)
            .ok_or(StoreError::SecretUnreadable)?;
        let totp = code::totp(secret, &a.username).ok_or(StoreError::SecretUnreadable)?;
        Ok(Some(Enrolment {
            secret_base32: totp.secret().to_base32(),
            otpauth_url: totp.to_url().map_err(|_| StoreError::SecretUnreadable)?,
        }))
    }

    /// Turns the second factor on with a first code from the app (the
    /// session that started the enrolment only); makes ten recovery codes,
    /// shown to this session by [`reveal_recovery_codes`](Self::reveal_recovery_codes)
    /// until saved. With `sign_out_others`, every other session of the
    /// account ends (they signed in without the factor). Returns how many
    /// ended.
    pub async fn confirm_two_factor(
        &self,
        current: &CurrentSession,
        typed: &str,
        sign_out_others: bool,
    ) -> Result<u64> {
        self.require_recent_auth(current).await?;
        let a = account(&self.inner.db, current.user_id).await?;
        let mine = a.totp_pending_session.as_deref() == Some(current.public_id.as_str());
        let Some(sealed) = a.totp_pending_enc.clone().filter(|_| mine) else {
            return Err(StoreError::WrongCode);
        };
        let secret = self
            .keyring()
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
            .col_expr(
                user::Column::TotpPendingSession,
                Expr::value(None::<String>),
            )
            .col_expr(user::Column::TotpEnabledAt, Expr::value(now))
            .col_expr(user::Column::TotpLastStep, Expr::value(step as i64))
            .col_expr(user::Column::SecondFactorFailures, Expr::value(0))
            .filter(user::Column::Id.eq(a.id))
            .filter(user::Column::TotpPendingEnc.eq(sealed))
            .exec(&txn)
            .await?;
        if on.rows_affected == 0 {
            return Err(StoreError::WrongCode);
        }
        self.reveal_new_codes(&txn, current, &codes, now).await?;
        let ended = if sign_out_others {
            end_where(
                &txn,
                others_of(current),
                EndReason::SignedOutEverywhere,
                now,
            )
            .await?
        } else {
            Vec::new()
        };
        self.notify_ended_in(&txn, &ended, EndReason::SignedOutEverywhere)
            .await?;
        let mailed = self
            .tell_owner(&txn, &a, SecurityChange::TwoFactorOn)
            .await?;
        txn.commit().await?;
        self.mail_queued_now(mailed);
        self.announce_ended(&ended, EndReason::SignedOutEverywhere);
        tracing::info!(target: "audit", user = %a.username, signed_out = ended.len(), "two-factor authentication turned on");
        Ok(ended.len() as u64)
    }

    /// Replaces the recovery codes and keeps the new ones for `current`
    /// to see, in the caller's transaction.
    async fn reveal_new_codes<C: sea_orm::ConnectionTrait>(
        &self,
        conn: &C,
        current: &CurrentSession,
        codes: &[String],
        now: i64,
    ) -> Result<()> {
        let sealed = self
            .secret_key()
            .seal(current.user_id, codes.join("\n").as_bytes());
        user::Entity::update_many()
            .col_expr(user::Column::RecoveryRevealEnc, Expr::value(sealed))
            .col_expr(
                user::Column::RecoveryRevealSession,
                Expr::value(current.public_id.clone()),
            )
            .filter(user::Column::Id.eq(current.user_id))
            .exec(conn)
            .await?;
        self.replace_recovery_codes(conn, current.user_id, codes, now)
            .await
    }

    /// Ten new recovery codes in place of the old ones (all of which stop
    /// working), shown to this session until saved. Needs a recent
    /// re-authentication; the owner is told by email.
    pub async fn regenerate_recovery_codes(&self, current: &CurrentSession) -> Result<()> {
        self.require_recent_auth(current).await?;
        let a = account(&self.inner.db, current.user_id).await?;
        if a.totp_enabled_at.is_none() {
            return Err(StoreError::TwoFactorOff);
        }
        let now = self.now_ms();
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        self.reveal_new_codes(&txn, current, &code::new_recovery_codes(), now)
            .await?;
        let mailed = self
            .tell_owner(&txn, &a, SecurityChange::RecoveryCodesRegenerated)
            .await?;
        txn.commit().await?;
        self.mail_queued_now(mailed);
        tracing::warn!(target: "audit", user = %a.username, "recovery codes regenerated");
        Ok(())
    }

    /// The recovery codes just made, for the session that made them, until
    /// it says they are saved ([`recovery_codes_saved`](Self::recovery_codes_saved));
    /// `None` for any other session and after. Needs a recent
    /// re-authentication ([`StoreError::ReauthRequired`]). Reading them
    /// changes nothing: a retried page load must not lose unseen codes.
    pub async fn reveal_recovery_codes(
        &self,
        current: &CurrentSession,
    ) -> Result<Option<RecoveryCodes>> {
        let a = account(&self.inner.db, current.user_id).await?;
        let mine = a.recovery_reveal_session.as_deref() == Some(current.public_id.as_str());
        let Some(sealed) = a.recovery_reveal_enc.filter(|_| mine) else {
            return Ok(None);
        };
        self.require_recent_auth(current).await?;
        let plain = self
            .keyring()
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

    /// The session that was shown the codes of `batch` (what
    /// [`RecoveryCodes::batch`] said) saved them: they are never shown
    /// again. Returns `false`, and clears nothing, when other codes wait
    /// instead (a page left open from before a new set must not hide the
    /// new codes), or when another session asks.
    pub async fn recovery_codes_saved(
        &self,
        current: &CurrentSession,
        batch: &str,
    ) -> Result<bool> {
        let a = account(&self.inner.db, current.user_id).await?;
        let Some(sealed) = a.recovery_reveal_enc else {
            return Ok(true);
        };
        let mine = a.recovery_reveal_session.as_deref() == Some(current.public_id.as_str());
        if !mine || self.batch_of(&sealed) != batch {
            return Ok(false);
        }
        // Compare-and-swap: codes sealed since the read above stay, and
        // then whatever waits now decides the answer.
        let cleared = user::Entity::update_many()
            .col_expr(user::Column::RecoveryRevealEnc, Expr::value(None::<String>))
            .col_expr(
                user::Column::RecoveryRevealSession,
                Expr::value(None::<String>),
            )
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
}
