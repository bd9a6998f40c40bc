//! Sessionboard's schema, as `sea-orm-migration` migrations with `up` and `down`.

pub use sea_orm_migration::prelude::*;

mod columns;
mod m20261127_000001_users_and_sessions;
mod m20261128_000001_last_country_code;
mod m20261128_000002_session_authenticated_at;
mod m20261128_000003_was_this_you;
mod m20261128_000004_email_alerts;
mod m20261128_000005_two_factor;
mod m20261207_000001_hardening;
mod m20261208_000001_forward_auth;
mod m20261209_000001_admin;
mod m20261210_000001_api_tokens;

/// Every migration of the project, in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261127_000001_users_and_sessions::Migration),
            Box::new(m20261128_000001_last_country_code::Migration),
            Box::new(m20261128_000002_session_authenticated_at::Migration),
            Box::new(m20261128_000003_was_this_you::Migration),
            Box::new(m20261128_000004_email_alerts::Migration),
            Box::new(m20261128_000005_two_factor::Migration),
            Box::new(m20261207_000001_hardening::Migration),
            Box::new(m20261208_000001_forward_auth::Migration),
            Box::new(m20261209_000001_admin::Migration),
            Box::new(m20261210_000001_api_tokens::Migration),
        ]
    }
}
