//! Account recovery through the verified address: a forgotten password is
//! replaced by following a single-use link, valid 30 minutes, that only the
//! owner's mailbox receives. The request says the same whether or not the
//! account exists and is limited per network and per account; the token is
//! made when the email is sent and kept only as its SHA-256; a password
//! change since it was issued voids it. Setting the new password ends every
//! session of the account (reason "password reset") and, with a second
//! factor on, still needs a code or a recovery code: a mailbox alone does
//! not take a two-factor account over.
use crate::accounts::{account_row, username_key, validate_password};
use crate::activity::immediate;
use crate::entity::{password_reset, session, user};
use crate::login_throttle::Counter;
use crate::mail::{MailKind, QueuedMail, SecurityChange, enqueue, verified_address};
use crate::model::EndReason;
use crate::secret::{SessionToken, TokenDigest};
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, EntityTrait, QueryFilter, Set, TransactionTrait,
};
use std::net::IpAddr;

/// How long a reset link works.
pub const RESET_TTL_MS: i64 = 30 * 60_000;

/// What the page behind a valid reset link needs to know.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetLink {
    /// The account.
    pub username: String,
    /// Setting the password also needs a code.
    pub needs_code: bool,
}

impl SessionStore {
    /// Sends a reset link to the verified address of the account named
    /// `username` (a username or that address), if there is one. Returns
    /// `Ok` either way: the answer does not tell whether the account
    /// exists. Limited per network and per account.
    pub async fn request_password_reset(&self, username: &str, ip: IpAddr) -> Result<()> {
        self.require_mail()?;
        let now = self.now_ms();
        self.reserve(Counter::ResetNetwork(ip.into()), now).await?;
        let typed = username.trim();
        if typed.is_empty() || typed.len() > 254 {
            return Ok(());
        }
        let by_name = user::Column::UsernameKey.eq(username_key(typed));
        let by_address = Condition::all()
            .add(user::Column::Email.eq(typed))
            .add(user::Column::EmailVerifiedAt.is_not_null());
        let found = user::Entity::find()
            .filter(Condition::any().add(by_name).add(by_address))
            .one(&self.inner.db)
            .await?;
        let Some(owner) = found else {
            return Ok(());
        };
        let Some(to) = verified_address(&owner) else {
            return Ok(());
        };
        // Quietly: a stranger learns nothing from a limit on an account.
        if self
            .reserve(Counter::ResetAccount(owner.id), now)
            .await
            .is_err()
        {
            return Ok(());
        }
        let kind = MailKind::PasswordReset {
            username: owner.username.clone(),
        };
        enqueue(&self.inner.db, owner.id, to, &kind, None, now).await?;
        self.mail_queued_now(true);
        tracing::info!(target: "audit", user = %owner.username, %ip, "password reset link requested");
        Ok(())
    }

    /// The token for a reset email about to be sent: `None` when it is
    /// stale (the address changed or is no longer verified). Only its
    /// hash is stored.
    pub async fn issue_reset_token(&self, mail: &QueuedMail) -> Result<Option<SessionToken>> {
        let owner = account_row(&self.inner.db, mail.user_id).await?;
        if verified_address(&owner) != Some(mail.to.as_str()) {
            return Ok(None);
        }
        let token = SessionToken::generate();
        let now = self.now_ms();
        password_reset::ActiveModel {
            token_hash: Set(token.digest()),
            user_id: Set(owner.id),
            created_at: Set(now),
            expires_at: Set(now + RESET_TTL_MS),
            used_at: Set(None),
            password_changed_at: Set(owner.password_changed_at),
            ..Default::default()
        }
        .insert(&self.inner.db)
        .await?;
        Ok(Some(token))
    }

    /// The link's row while it can still be used.
    async fn open_reset(&self, token: &str) -> Result<(password_reset::Model, user::Model)> {
        let digest = TokenDigest::of_cookie(token).ok_or(StoreError::InvalidToken)?;
        let row = password_reset::Entity::find()
            .filter(password_reset::Column::TokenHash.eq(digest))
            .filter(password_reset::Column::UsedAt.is_null())
            .filter(password_reset::Column::ExpiresAt.gt(self.now_ms()))
            .one(&self.inner.db)
            .await?
            .ok_or(StoreError::InvalidToken)?;
        let owner = account_row(&self.inner.db, row.user_id).await?;
        if owner.password_changed_at != row.password_changed_at {
            return Err(StoreError::InvalidToken);
        }
        Ok((row, owner))
    }

    /// What the page of a reset link shows; [`StoreError::InvalidToken`]
    /// for an unknown, used, expired or stale link.
    pub async fn reset_link(&self, token: &str) -> Result<ResetLink> {
        let (_, owner) = self.open_reset(token).await?;
        Ok(ResetLink {
            username: owner.username,
            needs_code: owner.totp_enabled_at.is_some(),
        })
    }

    /// Sets a new password with a reset link (once), after a code when the
    /// account has a second factor; ends every session of the account.
    /// Returns how many ended.
    pub async fn reset_password(
        &self,
        token: &str,
        new_password: &str,
        code: Option<&str>,
        ip: IpAddr,
    ) -> Result<u64> {
        validate_password(new_password)?;
        let (row, owner) = self.open_reset(token).await?;
        if owner.totp_enabled_at.is_some() {
            let code = code.map(str::trim).filter(|c| !c.is_empty());
            let code = code.ok_or(StoreError::CodeRequired)?;
            self.check_second_factor(owner.id, code, ip).await?;
        }
        let hash = self.inner.passwords.hash(new_password).await?;
        let now = self.now_ms();
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        // Used once, and only while the password is the one it was issued for.
        let used = password_reset::Entity::update_many()
            .col_expr(password_reset::Column::UsedAt, Expr::value(now))
            .filter(password_reset::Column::Id.eq(row.id))
            .filter(password_reset::Column::UsedAt.is_null())
            .exec(&txn)
            .await?;
        let changed = user::Entity::update_many()
            .col_expr(user::Column::PasswordHash, Expr::value(hash.as_db_value()))
            .col_expr(user::Column::PasswordChangedAt, Expr::value(now))
            .filter(user::Column::Id.eq(owner.id))
            .filter(user::Column::PasswordChangedAt.eq(row.password_changed_at))
            .exec(&txn)
            .await?;
        if used.rows_affected != 1 || changed.rows_affected != 1 {
            return Err(StoreError::InvalidToken);
        }
        let reason = EndReason::PasswordReset;
        let all = Condition::all().add(session::Column::UserId.eq(owner.id));
        let ended = crate::ending::end_where(&txn, all, reason, now).await?;
        self.notify_ended_in(&txn, &ended, reason).await?;
        let mailed = self
            .tell_owner(&txn, &owner, SecurityChange::PasswordReset)
            .await?;
        txn.commit().await?;
        self.mail_queued_now(mailed);
        self.announce_ended(&ended, reason);
        self.publish(crate::events::SessionEvent::PasswordChanged { user_id: owner.id });
        tracing::warn!(target: "audit", user = %owner.username, %ip, signed_out = ended.len(), "password reset by link");
        Ok(ended.len() as u64)
    }
}
