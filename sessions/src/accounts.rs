//! Accounts: registration and password changes.
use crate::activity::immediate;
use crate::ending::{end_where, others_of};
use crate::entity::user;
use crate::model::{CurrentSession, EndReason, User};
use crate::secret::PasswordHash;
use crate::store::SessionStore;
use crate::{Result, StoreError};
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, Set, SqlErr,
    TransactionTrait,
};

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

fn validate_password(password: &str) -> Result<()> {
    let n = password.chars().count();
    (8..=128)
        .contains(&n)
        .then_some(())
        .ok_or(StoreError::InvalidPassword)
}

/// Runs Argon2 work on a blocking thread, off the async workers.
pub(crate) async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T> {
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|_| StoreError::PasswordHashing)
}

impl SessionStore {
    /// Creates an account. Usernames are unique regardless of case.
    pub async fn register(&self, username: &str, password: &str) -> Result<User> {
        let username = username.trim();
        validate_username(username)?;
        validate_password(password)?;
        let key = username_key(username);
        let taken = user::Entity::find()
            .filter(user::Column::UsernameKey.eq(key.clone()))
            .count(&self.inner.db)
            .await?
            > 0;
        if taken {
            return Err(StoreError::UsernameTaken);
        }
        let password = password.to_owned();
        let hash = blocking(move || PasswordHash::create(&password)).await??;
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
    /// one; with `sign_out_others`, ends every other session of the account
    /// with reason `password_changed`. Returns how many sessions ended.
    pub async fn change_password(
        &self,
        current: &CurrentSession,
        current_password: &str,
        new_password: &str,
        sign_out_others: bool,
    ) -> Result<u64> {
        validate_password(new_password)?;
        let account = user::Entity::find_by_id(current.user_id)
            .one(&self.inner.db)
            .await?
            .ok_or(StoreError::UserNotFound)?;
        let old_hash = account.password_hash;
        let (pw, new_pw, checked) = (
            current_password.to_owned(),
            new_password.to_owned(),
            old_hash.clone(),
        );
        let new_hash = blocking(move || {
            if checked.verify(&pw) {
                PasswordHash::create(&new_pw).map(Some)
            } else {
                Ok(None)
            }
        })
        .await??
        .ok_or(StoreError::WrongPassword)?;

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
        let reason = EndReason::PasswordChanged;
        let ended = if sign_out_others {
            end_where(&txn, others_of(current), reason, now).await?
        } else {
            Vec::new()
        };
        txn.commit().await?;
        self.announce_ended(&ended, reason);
        Ok(ended.len() as u64)
    }
}
