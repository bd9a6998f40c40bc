//! Failed sign-ins of an account, counted per client network, day and the
//! step that failed. Nothing typed is kept: no password, no username.
use crate::model::DeviceType;
use sea_orm::entity::prelude::*;

/// A row of `failed_sign_ins`.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "failed_sign_ins")]
pub struct Model {
    /// Internal id.
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The account signed in to.
    pub user_id: i64,
    /// Days since the Unix epoch (UTC).
    pub day: i64,
    /// The client network: an IPv4 address or an IPv6 /64.
    pub network: String,
    /// `password` or `code`.
    pub step: String,
    /// Failures that day from that network at that step.
    pub count: i32,
    /// The first of them.
    pub first_at: i64,
    /// The latest of them.
    pub last_at: i64,
    /// The client IP of the latest.
    pub last_ip: String,
    /// Its country, if known.
    pub country_code: Option<String>,
    /// The device of the latest.
    pub device_type: DeviceType,
    /// Its platform.
    pub platform: String,
    /// Its browser.
    pub browser_name: String,
}

/// Relations of `failed_sign_ins`.
#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
