//! A single-use link that sets a new password, sent to the verified
//! address; only its SHA-256 is kept.
use crate::secret::TokenDigest;
use sea_orm::entity::prelude::*;

/// A row of `password_resets`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "password_resets")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// SHA-256 of the token in the link.
    #[sea_orm(unique)]
    pub token_hash: TokenDigest,
    /// The account.
    pub user_id: i64,
    /// Issued at.
    pub created_at: i64,
    /// Useless after (30 minutes).
    pub expires_at: i64,
    /// Used at (once).
    pub used_at: Option<i64>,
    /// The account's password change time when issued: a change since
    /// voids it.
    pub password_changed_at: i64,
}

/// Relations of `password_resets`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
