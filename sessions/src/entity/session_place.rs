//! A place a session was used from: one IP (and its country), with when.
use sea_orm::entity::prelude::*;

/// A row of `session_places`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "session_places")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The session (row id).
    pub session_id: i64,
    /// The client IP.
    pub ip: String,
    /// Its country, if known.
    pub country_code: Option<String>,
    /// First request from it.
    pub first_seen_at: i64,
    /// Latest request from it (written by the activity flush).
    pub last_seen_at: i64,
}

/// Relations of `session_places`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {
    /// The session.
    #[sea_orm(
        belongs_to = "super::session::Entity",
        from = "Column::SessionId",
        to = "super::session::Column::Id",
        on_delete = "Cascade"
    )]
    Session,
}

impl Related<super::session::Entity> for Entity {
    fn to() -> RelationDef {
        Relation::Session.def()
    }
}

impl ActiveModelBehavior for ActiveModel {}

/// The first place of a new session, seen at `now`.
pub(crate) fn first(
    session_id: i64,
    ip: String,
    country_code: Option<String>,
    now: i64,
) -> ActiveModel {
    use sea_orm::Set;
    ActiveModel {
        session_id: Set(session_id),
        ip: Set(ip),
        country_code: Set(country_code),
        first_seen_at: Set(now),
        last_seen_at: Set(now),
        ..Default::default()
    }
}
