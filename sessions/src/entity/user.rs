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
    /// The TOTP secret, encrypted with the server's key (null: no second factor).
    pub totp_secret_enc: Option<String>,
    /// A secret being enrolled, encrypted, until a code confirms it.
    pub totp_pending_enc: Option<String>,
    /// When the second factor was turned on.
    pub totp_enabled_at: Option<i64>,
    /// The last TOTP time step accepted: a code is good once.
    pub totp_last_step: Option<i64>,
    /// New recovery codes, encrypted, until the enrolment page shows them once.
    pub recovery_reveal_enc: Option<String>,
    /// Wrong second-factor codes in a row (a right one resets it).
    pub second_factor_failures: i32,
    /// When the last of them was typed: the cooldown runs from it.
    pub second_factor_failed_at: Option<i64>,
    /// The session that began the enrolment waiting in `totp_pending_enc`:
    /// only it may see the secret.
    pub totp_pending_session: Option<String>,
    /// The session that may see the codes in `recovery_reveal_enc`.
    pub recovery_reveal_session: Option<String>,
    /// A new address waiting for its verification; alerts still go to
    /// `email` until then.
    pub pending_email: Option<String>,
    /// The latest failed sign-in recorded for the account (the sessions
    /// page reads the list only when it is recent).
    pub failed_sign_in_at: Option<i64>,
    /// An administrator (granted with `sessionboard admin grant`).
    pub is_admin: bool,
    /// When an administrator locked the account: no new sign-ins.
    pub locked_at: Option<i64>,
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
