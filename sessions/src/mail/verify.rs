//! An account's email address: set (then verified by a single-use link),
//! removed, read.
//!
//! Changing it is a security setting: it needs a recent re-authentication
//! from a session that is not itself waiting for "Was this you?", the
//! current verified address is told of the request and keeps receiving
//! alerts until the new one is verified, and then told of the change. A
//! cookie thief can neither silence the alerts nor send them elsewhere.
use super::normalize_email;
use super::outbox::{MailKind, QueuedMail, SecurityChange, enqueue};
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

/// An account's addresses: the one alerts go to, and one waiting for its
/// verification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AccountEmail {
    /// The verified address alerts go to, if any.
    pub verified: Option<String>,
    /// An address waiting for its verification link, if any.
    pub pending: Option<String>,
}

impl AccountEmail {
    /// Neither address.
    pub fn is_empty(&self) -> bool {
        self.verified.is_none() && self.pending.is_none()
    }
}

/// The address waiting for verification: the pending one, or an
/// unverified address from before pending addresses existed.
fn waiting(a: &user::Model) -> Option<&str> {
    a.pending_email
        .as_deref()
        .or(a.email.as_deref().filter(|_| a.email_verified_at.is_none()))
}

const HOUR_MS: i64 = 60 * 60_000;

impl SessionStore {
    pub(crate) fn require_mail(&self) -> Result<()> {
        if self.inner.config.mail.enabled {
            Ok(())
        } else {
            Err(StoreError::MailDisabled)
        }
    }

    /// The addresses of `user_id`'s account.
    pub async fn account_email(&self, user_id: i64) -> Result<AccountEmail> {
        let account = user::Entity::find_by_id(user_id)
            .one(&self.inner.db)
            .await?
            .ok_or(StoreError::UserNotFound)?;
        Ok(AccountEmail {
            verified: super::verified_address(&account).map(str::to_owned),
            pending: waiting(&account).map(str::to_owned),
        })
    }

    /// Asks for alerts to go to `typed`: it waits (alerts still go to the
    /// verified address, which is told of the request) until the link
    /// emailed to it is opened. Needs a recent re-authentication from a
    /// session not waiting for review. Returns the address as stored. At
    /// most [`verify_per_hour`](super::MailConfig::verify_per_hour) such
    /// emails an hour.
    pub async fn set_email(&self, current: &CurrentSession, typed: &str) -> Result<String> {
        self.require_mail()?;
        let address = normalize_email(typed)?;
        self.require_trusted(current).await?;
        self.require_recent_auth(current).await?;
        let now = self.now_ms();
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        let account = user::Entity::find_by_id(current.user_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::UserNotFound)?;
        if super::verified_address(&account) == Some(address.as_str()) {
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
        let mut update = user::Entity::update_many()
            .col_expr(user::Column::PendingEmail, Expr::value(address.clone()))
            .filter(user::Column::Id.eq(current.user_id));
        if super::verified_address(&account).is_none() {
            // An unverified address from before is replaced outright.
            update = update
                .col_expr(user::Column::Email, Expr::value(None::<String>))
                .col_expr(user::Column::EmailVerifiedAt, Expr::value(None::<i64>));
        }
        update.exec(&txn).await?;
        let kind = MailKind::Verify {
            username: account.username.clone(),
        };
        enqueue(&txn, current.user_id, &address, &kind, None, now).await?;
        let change = SecurityChange::EmailChangeRequested {
            new_address: address.clone(),
        };
        self.tell_owner(&txn, &account, change).await?;
        txn.commit().await?;
        self.inner.emails.invalidate(&current.user_id);
        self.mail_queued_now(true);
        tracing::info!(target: "audit", user = %account.username, "email address change requested, verification sent");
        Ok(address)
    }

    /// Removes the account's addresses: no more alerts (the verified
    /// address is told). Same conditions as [`set_email`](Self::set_email).
    pub async fn remove_email(&self, current: &CurrentSession) -> Result<()> {
        self.require_trusted(current).await?;
        self.require_recent_auth(current).await?;
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        let account = user::Entity::find_by_id(current.user_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::UserNotFound)?;
        user::Entity::update_many()
            .col_expr(user::Column::Email, Expr::value(None::<String>))
            .col_expr(user::Column::EmailVerifiedAt, Expr::value(None::<i64>))
            .col_expr(user::Column::PendingEmail, Expr::value(None::<String>))
            .filter(user::Column::Id.eq(current.user_id))
            .exec(&txn)
            .await?;
        let mailed = self
            .tell_owner(&txn, &account, SecurityChange::EmailChanged)
            .await?;
        txn.commit().await?;
        self.inner.emails.invalidate(&current.user_id);
        self.mail_queued_now(mailed);
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
        let pending = account.is_some_and(|a| waiting(&a) == Some(mail.to.as_str()));
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
        let before = user::Entity::find_by_id(t.user_id)
            .one(&txn)
            .await?
            .ok_or(StoreError::InvalidToken)?;
        if waiting(&before) != Some(t.email.as_str()) {
            return Err(StoreError::InvalidToken);
        }
        user::Entity::update_many()
            .col_expr(user::Column::Email, Expr::value(t.email.clone()))
            .col_expr(user::Column::EmailVerifiedAt, Expr::value(now))
            .col_expr(user::Column::PendingEmail, Expr::value(None::<String>))
            .filter(user::Column::Id.eq(t.user_id))
            .exec(&txn)
            .await?;
        // The address it replaces hears of it.
        let mailed = self
            .tell_owner(&txn, &before, SecurityChange::EmailChanged)
            .await?;
        txn.commit().await?;
        self.inner.emails.invalidate(&t.user_id);
        self.mail_queued_now(mailed);
        tracing::info!(target: "audit", user_id = t.user_id, "email address verified");
        Ok(t.email)
    }
}
