//! What a store keeps to take part in a group of servers on one
//! PostgreSQL database.
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;
use tokio::sync::{OnceCell, mpsc};

/// How often a server sends itself a heartbeat through the database.
pub(crate) const HEARTBEAT: Duration = Duration::from_secs(2);
/// A listener that has not heard its own heartbeat for this long is
/// treated as lost (three heartbeats missed).
pub(crate) const DEAF_AFTER: Duration = Duration::from_secs(6);

pub(crate) struct Link {
    /// Random per process: a server skips its own echo.
    pub server_id: String,
    /// Payloads waiting to be sent with `NOTIFY` (PostgreSQL only).
    pub outbox: Option<mpsc::UnboundedSender<String>>,
    /// The other end, taken by the publishing task.
    pub outbox_rx: Mutex<Option<mpsc::UnboundedReceiver<String>>>,
    /// Whether this server hears the others right now.
    listening: AtomicBool,
    /// The `NOTIFY` channel, named after the database schema in use.
    pub channel: OnceCell<String>,
}

impl Link {
    /// Alone (SQLite), or one of several (PostgreSQL).
    pub fn new(shared_database: bool) -> Self {
        let (tx, rx) = if shared_database {
            let (tx, rx) = mpsc::unbounded_channel();
            (Some(tx), Some(rx))
        } else {
            (None, None)
        };
        Self {
            server_id: crate::secret::new_public_id(),
            outbox: tx,
            outbox_rx: Mutex::new(rx),
            listening: AtomicBool::new(false),
            channel: OnceCell::new(),
        }
    }

    pub fn is_listening(&self) -> bool {
        self.listening.load(Ordering::Acquire)
    }

    pub fn set_listening(&self, up: bool) {
        self.listening.store(up, Ordering::Release);
    }
}
