//! An email waiting to be sent (or sent): the queue the servers drain.
use sea_orm::entity::prelude::*;

/// A row of `mail_outbox`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "mail_outbox")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The account it is about (and to).
    pub user_id: i64,
    /// What it says: `verify` or `new_sign_in`.
    pub kind: String,
    /// The recipient.
    pub to_address: String,
    /// The facts it tells, as JSON; never a secret.
    #[sea_orm(column_type = "Text")]
    pub payload: String,
    /// Equal keys within the alert window send once.
    pub dedupe_key: Option<String>,
    /// Queued at.
    pub created_at: i64,
    /// Not tried before (also a claim's lease).
    pub next_attempt_at: i64,
    /// Tries so far.
    pub attempts: i32,
    /// Delivered to the SMTP server at.
    pub sent_at: Option<i64>,
    /// Given up at.
    pub failed_at: Option<i64>,
    /// The last failure, for operators.
    pub last_error: Option<String>,
}

/// Relations of `mail_outbox`.
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
