//! The audit log in the database: every `audit` log line the store (and
//! the server) writes is also kept as a row, for administrators to filter
//! and export. A [`tracing`] layer captures the lines where they are
//! written, so no call site can log an event and forget the table; the
//! store writes what it captured in batches with its activity flush.
use crate::clock::{Clock, SystemClock, to_ms};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use tracing::field::{Field, Visit};
use tracing_subscriber::layer::{Context, Layer};

mod table;

pub use table::{AuditFilter, AuditPage};

/// The log target of audit events.
pub const AUDIT_TARGET: &str = "audit";

/// Events held in memory at most (a database outage longer than this
/// many events loses the oldest ones, counted and logged).
const QUEUE_CAP: usize = 100_000;

/// One captured audit event, waiting for the table.
#[derive(Debug, Clone, Default)]
pub(crate) struct Captured {
    pub at_ms: i64,
    pub kind: String,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub actor: Option<String>,
    pub ip: Option<String>,
    pub session: Option<String>,
    pub detail: serde_json::Map<String, serde_json::Value>,
}

impl Captured {
    fn put(&mut self, name: &str, value: serde_json::Value) {
        use serde_json::Value;
        let text = |v: &Value| match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match (name, &value) {
            ("message", _) => self.kind = text(&value),
            ("user" | "user_id", Value::Number(n)) => self.user_id = n.as_i64(),
            ("user", _) => self.username = Some(text(&value)),
            ("actor", _) => self.actor = Some(text(&value)),
            ("ip", _) => self.ip = Some(text(&value)),
            ("session", _) => self.session = Some(text(&value)),
            _ => {
                self.detail.insert(name.to_owned(), value);
            }
        }
    }
}

impl Visit for Captured {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.put(field.name(), format!("{value:?}").into());
    }
    fn record_str(&mut self, field: &Field, value: &str) {
        self.put(field.name(), value.into());
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.put(field.name(), value.into());
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.put(field.name(), value.into());
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.put(field.name(), value.into());
    }
}

/// Audit events captured and not yet written, shared by the layer that
/// captures them and the store that writes them. Cheap to clone.
#[derive(Clone, Default)]
pub struct AuditQueue {
    inner: Arc<QueueInner>,
}

#[derive(Default)]
struct QueueInner {
    events: Mutex<std::collections::VecDeque<Captured>>,
    dropped: AtomicU64,
    /// The store's clock, once a store keeps this queue.
    clock: OnceLock<Arc<dyn Clock>>,
}

impl std::fmt::Debug for AuditQueue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AuditQueue")
            .field("waiting", &self.inner.events.lock().map(|e| e.len()).ok())
            .finish()
    }
}

impl AuditQueue {
    /// A new, empty queue.
    pub fn new() -> Self {
        Self::default()
    }

    /// The layer that captures `audit` events into this queue; add it to
    /// the process's subscriber (with its own filter: the log's level
    /// must not decide what the table keeps).
    pub fn layer(&self) -> AuditLayer {
        AuditLayer {
            queue: self.clone(),
        }
    }

    pub(crate) fn set_clock(&self, clock: Arc<dyn Clock>) {
        let _ = self.inner.clock.set(clock);
    }

    fn push(&self, mut event: Captured) {
        let now = match self.inner.clock.get() {
            Some(c) => c.now(),
            None => SystemClock.now(),
        };
        event.at_ms = to_ms(now);
        let Ok(mut events) = self.inner.events.lock() else {
            return;
        };
        if events.len() >= QUEUE_CAP {
            events.pop_front();
            self.inner.dropped.fetch_add(1, Ordering::Relaxed);
        }
        events.push_back(event);
    }

    /// Takes up to `n` of the oldest events.
    pub(crate) fn take(&self, n: usize) -> Vec<Captured> {
        let Ok(mut events) = self.inner.events.lock() else {
            return Vec::new();
        };
        let n = n.min(events.len());
        events.drain(..n).collect()
    }

    /// Puts back events a failed write took, ahead of the newer ones.
    pub(crate) fn put_back(&self, taken: Vec<Captured>) {
        if let Ok(mut events) = self.inner.events.lock() {
            for event in taken.into_iter().rev() {
                events.push_front(event);
            }
        }
    }

    /// Events lost to a full queue since the last call.
    pub(crate) fn take_dropped(&self) -> u64 {
        self.inner.dropped.swap(0, Ordering::Relaxed)
    }
}

/// Captures the `audit` target's events into an [`AuditQueue`].
#[derive(Debug, Clone)]
pub struct AuditLayer {
    queue: AuditQueue,
}

impl<S: tracing::Subscriber> Layer<S> for AuditLayer {
    fn on_event(&self, event: &tracing::Event<'_>, _ctx: Context<'_, S>) {
        if event.metadata().target() != AUDIT_TARGET {
            return;
        }
        let mut captured = Captured::default();
        event.record(&mut captured);
        self.queue.push(captured);
    }
}

/// An audit event as administrators read and export it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditEntry {
    /// Its position (the export's and the pages' order).
    pub id: i64,
    /// When it happened.
    pub at: DateTime<Utc>,
    /// What happened, e.g. `session started`, `login failed`.
    pub kind: String,
    /// The account concerned, if any.
    pub user: Option<String>,
    /// The administrator who did it, for administrators' actions.
    pub actor: Option<String>,
    /// The client address, if known.
    pub ip: Option<String>,
    /// The public id of the session concerned, if any.
    pub session: Option<String>,
    /// Everything else the log line said.
    pub detail: serde_json::Value,
}

#[cfg(test)]
mod tests {
    use super::*;
    use tracing_subscriber::layer::SubscriberExt;

    #[test]
    fn the_layer_keeps_audit_lines_and_sorts_their_fields() {
        let queue = AuditQueue::new();
        let subscriber = tracing_subscriber::registry().with(queue.layer());
        tracing::subscriber::with_default(subscriber, || {
            let ip: std::net::IpAddr = "10.0.0.1".parse().unwrap();
            tracing::info!(target: "audit", user = %"alice", %ip, session = "s1", new_device = true, "session started");
            tracing::info!(target: "audit", user = 7_i64, "sign-in confirmed");
            tracing::info!(target: "other", user = %"bob", "not audit");
        });
        let got = queue.take(10);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].kind, "session started");
        assert_eq!(got[0].username.as_deref(), Some("alice"));
        assert_eq!(got[0].ip.as_deref(), Some("10.0.0.1"));
        assert_eq!(got[0].session.as_deref(), Some("s1"));
        assert_eq!(got[0].detail["new_device"], serde_json::Value::Bool(true));
        assert_eq!(got[1].user_id, Some(7));
        assert!(got[1].username.is_none());
        assert!(queue.take(10).is_empty());
    }

    #[test]
    fn a_failed_write_puts_events_back_in_order() {
        let queue = AuditQueue::new();
        for kind in ["a", "b", "c"] {
            queue.push(Captured {
                kind: kind.into(),
                ..Default::default()
            });
        }
        let taken = queue.take(2);
        queue.put_back(taken);
        let kinds: Vec<_> = queue.take(5).into_iter().map(|c| c.kind).collect();
        assert_eq!(kinds, ["a", "b", "c"]);
    }
}
