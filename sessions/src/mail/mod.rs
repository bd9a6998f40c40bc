//! Email: an account's verified address, and the queue of mail to send.
//!
//! The store decides what is sent and to whom (a verification link, an
//! alert about a new sign-in) and keeps it in `mail_outbox`; whoever
//! embeds the store sends it ([`SessionStore::claim_mail`] then
//! [`SessionStore::mail_sent`] or [`SessionStore::mail_failed`]). Sending
//! never blocks a login, a failure is retried with backoff, and several
//! servers drain one queue without sending twice. No secret is queued: the
//! verification token is made when its email is sent, and only its hash
//! is kept.
mod address;
mod notices;
mod outbox;
mod verify;

pub use address::normalize_email;
pub use outbox::{MailKind, QueuedMail, SecurityChange, SecurityNotice, SignInFacts};
pub use verify::AccountEmail;

pub(crate) use notices::verified_address;
pub(crate) use outbox::{enqueue, new_sign_in_alert, once_per_window};

#[cfg(doc)]
use crate::SessionStore;
use std::time::Duration;

/// Email settings of the store.
#[derive(Debug, Clone, Copy)]
pub struct MailConfig {
    /// Whether this deployment sends email (an SMTP server is configured).
    /// Without it no address can be added and nothing is queued.
    pub enabled: bool,
    /// At most one alert per account and device within this (default 1 hour).
    pub alert_window: Duration,
    /// How long a verification link works (default 24 hours).
    pub verify_ttl: Duration,
    /// Tries before giving up on one email (default 8).
    pub max_attempts: u32,
    /// Verification emails per account per hour (default 3): an address
    /// typed by someone else is not flooded.
    pub verify_per_hour: u32,
}

impl Default for MailConfig {
    fn default() -> Self {
        Self {
            enabled: false,
            alert_window: Duration::from_secs(60 * 60),
            verify_ttl: Duration::from_secs(24 * 60 * 60),
            max_attempts: 8,
            verify_per_hour: 3,
        }
    }
}
