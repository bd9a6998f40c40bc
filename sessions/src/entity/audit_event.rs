//! One event of the audit log, kept in the database.
use sea_orm::entity::prelude::*;

/// A row of `audit_events`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "audit_events")]
pub struct Model {
    /// Internal id (also the export's order within one millisecond).
    #[sea_orm(primary_key)]
    pub id: i64,
    /// When it happened (epoch milliseconds).
    pub at: i64,
    /// What happened: the log line's message, e.g. `session started`.
    pub kind: String,
    /// The account it is about, when the log line named it by id.
    pub user_id: Option<i64>,
    /// The account it is about, when the log line named it by name.
    pub username: Option<String>,
    /// The administrator who did it, for administrators' actions.
    pub actor: Option<String>,
    /// The client address.
    pub ip: Option<String>,
    /// The public id of the session concerned.
    pub session: Option<String>,
    /// The log line's other fields, as a JSON object.
    pub detail: String,
}

/// `audit_events` has no relations.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
