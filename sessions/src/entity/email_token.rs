//! A single-use link that verifies an email address; only its SHA-256 is kept.
use crate::secret::TokenDigest;
use sea_orm::entity::prelude::*;

/// A row of `email_tokens`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "email_tokens")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The account.
    pub user_id: i64,
    /// SHA-256 of the token in the link.
    #[sea_orm(unique)]
    pub token_hash: TokenDigest,
    /// The address it verifies.
    pub email: String,
    /// Issued at.
    pub created_at: i64,
    /// Useless after.
    pub expires_at: i64,
    /// Used at (once).
    pub used_at: Option<i64>,
}

/// Relations of `email_tokens`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The account.
    #[sea_orm(
        belongs_to = "super::user::Entity",
        from = "Column::UserId",
        to = "super::user::Column::Id",
        on_delete = "Cascade"
    )]
    User,
}

impl ActiveModelBehavior for ActiveModel {}
