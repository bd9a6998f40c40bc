//! An account.
use crate::secret::PasswordHash;
use sea_orm::entity::prelude::*;

/// A row of `users`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "users")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The username as typed at registration.
    pub username: String,
    /// Lower-cased username, unique.
    #[sea_orm(unique)]
    pub username_key: String,
    /// Argon2id hash (redacted in `Debug`).
    pub password_hash: PasswordHash,
    /// Registration time.
    pub created_at: i64,
    /// Last password change (registration time at first).
    pub password_changed_at: i64,
    /// Where alerts go, once verified.
    pub email: Option<String>,
    /// When `email` was verified; null while it waits.
    pub email_verified_at: Option<i64>,
}

/// Relations of `users`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The account's sessions.
    #[sea_orm(has_many = "super::session::Entity")]
    Session,
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Session.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}
