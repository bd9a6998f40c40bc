//! Store integration tests: every case runs on SQLite and on PostgreSQL
//! (`<concept>::sqlite::…` and `<concept>::postgres::…`).
#[macro_use]
mod common;

mod accounts;
mod activity;
mod admin;
mod api_tokens;
mod apps;
mod cross_server;
mod ending;
mod hardening;
mod history;
mod mail;
mod review;
mod room;
mod schema;
mod secrets;
mod security;
mod timeouts;
mod two_factor;
