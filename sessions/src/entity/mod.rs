//! SeaORM entities, one per table; they match the `migrations` crate.
//! Timestamps are milliseconds since the Unix epoch (UTC).
pub mod audit_event;
pub mod email_token;
pub mod failed_sign_in;
pub mod mail_outbox;
pub mod password_reset;
pub mod pending_login;
pub mod recovery_code;
pub mod session;
pub mod session_place;
pub mod user;
