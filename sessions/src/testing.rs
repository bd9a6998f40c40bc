//! Helpers for tests of the store and of apps that embed it (hidden from
//! the docs): capturing audit events per test thread, and the code an
//! authenticator app shows.
//!
//! A subscriber set per test thread (`tracing::subscriber::set_default`)
//! is not enough to capture audit events: `tracing` caches per call site
//! whether anyone listens, and a test thread without a subscriber can make
//! a site look unheard for another. [`capture`] installs, once, a global
//! subscriber that hands each event to the queue of the thread it happens
//! on.
use crate::audit::{AuditLayer, AuditQueue};
use std::cell::RefCell;
use tracing_subscriber::layer::{Context, Layer, SubscriberExt};

thread_local! {
    static CURRENT: RefCell<Option<AuditLayer>> = const { RefCell::new(None) };
}

struct PerThread;

impl<S: tracing::Subscriber> Layer<S> for PerThread {
    fn on_event(&self, event: &tracing::Event<'_>, ctx: Context<'_, S>) {
        CURRENT.with(|c| {
            if let Some(layer) = &*c.borrow() {
                layer.on_event(event, ctx);
            }
        });
    }
}

/// Until the guard drops, this thread's audit events go to `queue`.
pub fn capture(queue: &AuditQueue) -> Guard {
    static GLOBAL: std::sync::Once = std::sync::Once::new();
    GLOBAL.call_once(|| {
        let _ =
            tracing::subscriber::set_global_default(tracing_subscriber::registry().with(PerThread));
    });
    CURRENT.with(|c| *c.borrow_mut() = Some(queue.layer()));
    Guard(())
}

/// Stops this thread's capture when dropped.
pub struct Guard(());

impl Drop for Guard {
    fn drop(&mut self) {
        CURRENT.with(|c| *c.borrow_mut() = None);
    }
}

/// The code an authenticator app shows for `secret_base32` at `at`.
pub fn totp_code_at(secret_base32: &str, at: chrono::DateTime<chrono::Utc>) -> String {
    let secret = totp_rs::Secret::try_from_base32(secret_base32).expect("a base32 secret");
    let totp = totp_rs::Builder::new()
        .with_secret(secret.as_bytes().to_vec())
        .with_account_name("x")
        .build()
        .expect("a valid TOTP");
    totp.generate(at.timestamp() as u64).to_string()
}
