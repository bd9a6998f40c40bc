//! An account's email address: set (then verified by a single-use link),
//! removed, read.
use super::normalize_email;
use super::outbox::{MailKind, QueuedMail, enqueue};
use crate::activity::immediate;
use crate::config::ms;
use crate::entity::{email_token, mail_outbox, user};
use crate::model::CurrentSession;
use crate::secret::{SessionToken, TokenDigest};
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, TransactionTrait,
};

/// An account's address and whether it is verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountEmail {
    /// The address.
    pub address: String,
    /// Alerts go to it only once verified.
    pub verified: bool,
}

const HOUR_MS: i64 = 60 * 60_000;

impl SessionStore {
    fn require_mail(&self) -> Result<()> {
        if self.inner.config.mail.enabled {
            Ok(())
        } else {
            Err(StoreError::MailDisabled)
        }
    }

    /// The address of `user_id`'s account, if any.
    pub async fn account_email(&self, user_id: i64) -> Result<Option<AccountEmail>> {
        let account = user::Entity::find_by_id(user_id)
            .one(&self.inner.db)
            .await?
            .ok_or(StoreError::UserNotFound)?;
        Ok(account.email.map(|address| AccountEmail {
            address,
            verified: account.email_verified_at.is_some(),
        }))
    }

    /// Sets the account's address (unverified) and queues the email with
    /// its verification link. Returns the address as stored. At most
    /// [`verify_per_hour`](super::MailConfig::verify_per_hour) such emails
    /// an hour.
    pub async fn set_email(&self, current: &CurrentSession, typed: &str) -> Result<String> {
        self.require_mail()?;
        let address = normalize_email(typed)?;
        let now = self.now_ms();
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        let account = user::Entity::find_by_id(current.user_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::UserNotFound)?;
        if account.email.as_deref() == Some(address.as_str()) && account.email_verified_at.is_some()
        {
            return Ok(address);
        }
        let sent = mail_outbox::Entity::find()
            .filter(mail_outbox::Column::UserId.eq(current.user_id))
            .filter(mail_outbox::Column::Kind.eq("verify"))
            .filter(mail_outbox::Column::CreatedAt.gt(now - HOUR_MS))
            .count(&txn)
            .await?;
        if sent >= u64::from(self.inner.config.mail.verify_per_hour) {
            return Err(StoreError::RateLimited {
                retry_after_secs: 3600,
            });
        }
        user::Entity::update_many()
            .col_expr(user::Column::Email, Expr::value(address.clone()))
            .col_expr(user::Column::EmailVerifiedAt, Expr::value(None::<i64>))
            .filter(user::Column::Id.eq(current.user_id))
            .exec(&txn)
            .await?;
        let kind = MailKind::Verify {
            username: account.username.clone(),
        };
        enqueue(&txn, current.user_id, &address, &kind, None, now).await?;
        txn.commit().await?;
        self.inner.mail_waiting.notify_one();
        tracing::info!(target: "audit", user = %account.username, "email address set, verification sent");
        Ok(address)
    }

    /// Removes the account's address: no more alerts.
    pub async fn remove_email(&self, current: &CurrentSession) -> Result<()> {
        user::Entity::update_many()
            .col_expr(user::Column::Email, Expr::value(None::<String>))
            .col_expr(user::Column::EmailVerifiedAt, Expr::value(None::<i64>))
            .filter(user::Column::Id.eq(current.user_id))
            .exec(&self.inner.db)
            .await?;
        tracing::info!(target: "audit", user = %current.username, "email address removed");
        Ok(())
    }

    /// The token for a verification email about to be sent: `None` when
    /// the email is stale (the address changed, was removed or is
    /// verified). Only its hash is stored.
    pub async fn issue_email_token(&self, mail: &QueuedMail) -> Result<Option<SessionToken>> {
        let account = user::Entity::find_by_id(mail.user_id)
            .one(&self.inner.db)
            .await?;
        let pending = account.is_some_and(|a| {
            a.email.as_deref() == Some(mail.to.as_str()) && a.email_verified_at.is_none()
        });
        if !pending {
            return Ok(None);
        }
        let token = SessionToken::generate();
        let now = self.now_ms();
        email_token::ActiveModel {
            user_id: Set(mail.user_id),
            token_hash: Set(token.digest()),
            email: Set(mail.to.clone()),
            created_at: Set(now),
            expires_at: Set(now + ms(self.inner.config.mail.verify_ttl)),
            used_at: Set(None),
            ..Default::default()
        }
        .insert(&self.inner.db)
        .await?;
        Ok(Some(token))
    }

    /// Verifies an address with the token from its link: once, before it
    /// expires, and only while it is still the account's address. Returns
    /// the address. Unknown, used, expired and stale tokens all give
    /// [`StoreError::InvalidToken`].
    pub async fn verify_email(&self, token: &str) -> Result<String> {
        let digest = TokenDigest::of_cookie(token).ok_or(StoreError::InvalidToken)?;
        let now = self.now_ms();
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        // Check and use in one statement: two clicks cannot both pass.
        let used = email_token::Entity::update_many()
            .col_expr(email_token::Column::UsedAt, Expr::value(now))
            .filter(email_token::Column::TokenHash.eq(digest))
            .filter(email_token::Column::UsedAt.is_null())
            .filter(email_token::Column::ExpiresAt.gt(now))
            .exec_with_returning(&txn)
            .await?;
        let Some(t) = used.into_iter().next() else {
            return Err(StoreError::InvalidToken);
        };
        let verified = user::Entity::update_many()
            .col_expr(user::Column::EmailVerifiedAt, Expr::value(now))
            .filter(user::Column::Id.eq(t.user_id))
            .filter(user::Column::Email.eq(t.email.as_str()))
            .exec(&txn)
            .await?;
        if verified.rows_affected == 0 {
            return Err(StoreError::InvalidToken);
        }
        txn.commit().await?;
        tracing::info!(target: "audit", user_id = t.user_id, "email address verified");
        Ok(t.email)
    }
}
