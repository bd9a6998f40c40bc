//! A login whose password was right, waiting for the second factor: not a
//! session. Short-lived, single-use, bound to the browser by a cookie whose
//! token only hashes to it.
use crate::secret::TokenDigest;
use sea_orm::entity::prelude::*;

/// A row of `pending_logins`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pending_logins")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// SHA-256 of the browser's token.
    #[sea_orm(unique)]
    pub token_hash: TokenDigest,
    /// The account.
    pub user_id: i64,
    /// Password checked at.
    pub created_at: i64,
    /// Useless after (five minutes).
    pub expires_at: i64,
    /// Completed at (once).
    pub used_at: Option<i64>,
    /// The account's password change time when checked: a change since
    /// voids it.
    pub password_changed_at: i64,
    /// Codes tried on it (at most five, then it is over).
    pub failures: i32,
    /// Every factor given, how: the login waits only for room (the
    /// account is at `MAX_SESSIONS_PER_ACCOUNT` and its person chooses a
    /// session to end).
    pub verified_method: Option<crate::model::AuthMethod>,
}

/// Relations of `pending_logins`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
