//! The router driven with `oneshot`, no socket: the request policy
//! (origin check, session tracking, guards, headers) and the routes.
mod harness;

mod admin;
mod api;
mod forward_auth;
mod guards;
mod metrics;
mod origin;
mod security;
mod tracking;
