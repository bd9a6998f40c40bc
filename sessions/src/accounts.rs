//! Accounts: registration and password changes.
use crate::activity::immediate;
use crate::ending::{end_where, others_of};
use crate::entity::{session, user};
use crate::events::SessionEvent;
use crate::login_throttle::Counter;
use crate::mail::SecurityChange;
use crate::model::{CurrentSession, EndReason, User};
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, Set,
    SqlErr, TransactionTrait,
};
use std::net::IpAddr;

/// Longest username and password looked at, in bytes: anything longer is
/// refused before any hashing or throttle bookkeeping.
pub(crate) const MAX_USERNAME_BYTES: usize = 64;
pub(crate) const MAX_PASSWORD_BYTES: usize = 1024;

/// The case-insensitive key a username is unique by.
pub(crate) fn username_key(username: &str) -> String {
    username.trim().to_lowercase()
}

fn validate_username(username: &str) -> Result<()> {
    let shape_ok = (3..=32).contains(&username.chars().count())
        && username
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'));
    shape_ok.then_some(()).ok_or(StoreError::InvalidUsername)
}

pub(crate) fn validate_password(password: &str) -> Result<()> {
    let n = password.chars().count();
    let fits = (8..=128).contains(&n) && password.len() <= MAX_PASSWORD_BYTES;
    fits.then_some(()).ok_or(StoreError::InvalidPassword)
}

impl SessionStore {
    /// Creates an account, within the per-network registration limit.
    /// Usernames are unique regardless of case.
    pub async fn register(&self, username: &str, password: &str, ip: IpAddr) -> Result<User> {
        let username = username.trim();
        validate_username(username)?;
        validate_password(password)?;
        let counter = Counter::Registration(ip.into());
        self.reserve(counter, self.now_ms()).await?;
        let created = self.create_account(username, password).await;
        if matches!(
            created,
            Err(StoreError::Busy { .. } | StoreError::Database(_))
        ) {
            self.refund(counter).await;
        }
        let user = created?;
        tracing::info!(target: "audit", user = %user.username, %ip, "account registered");
        Ok(user)
    }

    async fn create_account(&self, username: &str, password: &str) -> Result<User> {
        let key = username_key(username);
        let taken = user::Entity::find()
            .filter(user::Column::UsernameKey.eq(key.clone()))
            .count(&self.inner.db)
            .await?
            > 0;
        if taken {
            return Err(StoreError::UsernameTaken);
        }
        let hash = self.inner.passwords.hash(password).await?;
        let now = self.now_ms();
        let row = user::ActiveModel {
            username: Set(username.to_owned()),
            username_key: Set(key),
            password_hash: Set(hash),
            created_at: Set(now),
            password_changed_at: Set(now),
            ..Default::default()
        }
        .insert(&self.inner.db)
        .await
        .map_err(|e| match e.sql_err() {
            // Lost a race with a concurrent registration of the same name.
            Some(SqlErr::UniqueConstraintViolation(_)) => StoreError::UsernameTaken,
            _ => StoreError::Database(e),
        })?;
        Ok(User {
            id: row.id,
            username: row.username,
        })
    }

    /// Changes the password of the session's user after checking the current
    /// one (within the attempt limits, from `ip`) and, when the account has
    /// a second factor, a code as well ([`StoreError::CodeRequired`] without
    /// one): a phished password alone changes nothing. With
    /// `sign_out_others`, ends every other session of the account with
    /// reason `password_changed`. Returns how many sessions ended. The
    /// session itself counts as freshly re-authenticated; the owner is
    /// told by email.
    pub async fn change_password(
        &self,
        current: &CurrentSession,
        current_password: &str,
        code: Option<&str>,
        new_password: &str,
        sign_out_others: bool,
        ip: IpAddr,
    ) -> Result<u64> {
        validate_password(new_password)?;
        let code = code.map(str::trim).filter(|c| !c.is_empty());
        let second = self.two_factor_status(current.user_id).await?.enabled;
        if second && code.is_none() {
            return Err(StoreError::CodeRequired);
        }
        let old_hash = self
            .check_password(current.user_id, current_password, ip)
            .await?;
        if let (true, Some(code)) = (second, code) {
            self.check_second_factor(current.user_id, code, ip).await?;
        }
        let new_hash = self.inner.passwords.hash(new_password).await?;
        let now = self.now_ms();
        let txn = self.inner.db.begin_with_options(immediate()).await?;
        // Compare-and-swap on the old hash: of two concurrent changes that
        // both checked the same old password, only one wins.
        let changed = user::Entity::update_many()
            .col_expr(
                user::Column::PasswordHash,
                Expr::value(new_hash.as_db_value()),
            )
            .col_expr(user::Column::PasswordChangedAt, Expr::value(now))
            .filter(user::Column::Id.eq(current.user_id))
            .filter(user::Column::PasswordHash.eq(old_hash.as_db_value()))
            .exec(&txn)
            .await?;
        if changed.rows_affected != 1 {
            return Err(StoreError::WrongPassword);
        }
        session::Entity::update_many()
            .col_expr(session::Column::AuthenticatedAt, Expr::value(now))
            .filter(session::Column::Id.eq(current.row_id))
            .exec(&txn)
            .await?;
        let reason = EndReason::PasswordChanged;
        let ended = if sign_out_others {
            end_where(&txn, others_of(current), reason, now).await?
        } else {
            Vec::new()
        };
        self.notify_ended_in(&txn, &ended, reason).await?;
        let owner = account_row(&txn, current.user_id).await?;
        let mailed = self
            .tell_owner(&txn, &owner, SecurityChange::PasswordChanged)
            .await?;
        txn.commit().await?;
        // The proof was renewed: shared reads of the sessions page are old.
        self.inner.events.touch(current.user_id);
        self.mail_queued_now(mailed);
        tracing::info!(
            target: "audit",
            user = %current.username,
            session = %current.public_id,
            signed_out = ended.len(),
            "password changed"
        );
        self.announce_ended(&ended, reason);
        self.publish(SessionEvent::PasswordChanged {
            user_id: current.user_id,
        });
        Ok(ended.len() as u64)
    }
}

/// The account `user_id`, read on `conn`.
pub(crate) async fn account_row<C: sea_orm::ConnectionTrait>(
    conn: &C,
    user_id: i64,
) -> Result<user::Model> {
    user::Entity::find_by_id(user_id)
        .one(conn)
        .await?
        .ok_or(StoreError::UserNotFound)
}

impl SessionStore {
    /// The usernames of these accounts (an unknown id is left out).
    pub(crate) async fn usernames_by_id(
        &self,
        ids: Vec<i64>,
    ) -> Result<std::collections::HashMap<i64, String>> {
        if ids.is_empty() {
            return Ok(Default::default());
        }
        let found: Vec<(i64, String)> = user::Entity::find()
            .select_only()
            .columns([user::Column::Id, user::Column::Username])
            .filter(user::Column::Id.is_in(ids))
            .into_tuple()
            .all(&self.inner.db)
            .await?;
        Ok(found.into_iter().collect())
    }
}
