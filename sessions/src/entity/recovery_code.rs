//! A single-use recovery code, kept as a keyed hash (HMAC-SHA-256 with the
//! server's key): a copy of the database alone cannot test guesses.
use sea_orm::entity::prelude::*;

/// A row of `recovery_codes`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "recovery_codes")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The account.
    pub user_id: i64,
    /// Keyed hash of the code, hex.
    pub code_hash: String,
    /// Made at.
    pub created_at: i64,
    /// Used at (once).
    pub used_at: Option<i64>,
}

/// Relations of `recovery_codes`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
