//! Changes a dashboard should see, on an in-process broadcast channel.
//!
//! Kept behind this one small type so that a cross-server transport
//! (PostgreSQL `LISTEN/NOTIFY`) can feed the same channel.
use crate::model::{EndReason, SessionView};
use chrono::{DateTime, Utc};
use tokio::sync::broadcast;

/// One change to a user's sessions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SessionEvent {
    /// A new login.
    Started {
        /// Owner.
        user_id: i64,
        /// The new session.
        session: Box<SessionView>,
    },
    /// A session ended.
    Ended {
        /// Owner.
        user_id: i64,
        /// Public id.
        session_id: String,
        /// Why.
        reason: EndReason,
    },
    /// Activity was recorded (coalesced: at most once per flush interval).
    Activity {
        /// Owner.
        user_id: i64,
        /// Public id.
        session_id: String,
        /// New last activity.
        last_seen_at: DateTime<Utc>,
        /// New page count.
        pages_visited: i64,
    },
    /// The subscriber fell behind and missed events: reload everything.
    Resync {
        /// Owner.
        user_id: i64,
    },
}

impl SessionEvent {
    /// The user whose sessions changed.
    pub fn user_id(&self) -> i64 {
        match self {
            Self::Started { user_id, .. }
            | Self::Ended { user_id, .. }
            | Self::Activity { user_id, .. }
            | Self::Resync { user_id } => *user_id,
        }
    }
}

/// The channel every store change is published on.
#[derive(Debug, Clone)]
pub(crate) struct EventHub {
    tx: broadcast::Sender<SessionEvent>,
}

impl Default for EventHub {
    fn default() -> Self {
        Self::new(1024)
    }
}

impl EventHub {
    /// A hub keeping at most `capacity` undelivered events per subscriber.
    pub fn new(capacity: usize) -> Self {
        Self {
            tx: broadcast::channel(capacity).0,
        }
    }

    /// Publishes `event` to every subscriber of its user (no-op without any).
    pub fn publish(&self, event: SessionEvent) {
        let _ = self.tx.send(event);
    }

    /// The events of one user, from now on.
    pub fn subscribe(&self, user_id: i64) -> UserEvents {
        UserEvents {
            user_id,
            rx: self.tx.subscribe(),
        }
    }
}

/// A subscription to one user's events.
#[derive(Debug)]
pub struct UserEvents {
    user_id: i64,
    rx: broadcast::Receiver<SessionEvent>,
}

impl UserEvents {
    /// The next event of this user; [`SessionEvent::Resync`] after missed
    /// events; `None` once the hub is gone.
    pub async fn recv(&mut self) -> Option<SessionEvent> {
        loop {
            match self.rx.recv().await {
                Ok(e) if e.user_id() == self.user_id => return Some(e),
                Ok(_) => continue,
                Err(broadcast::error::RecvError::Lagged(_)) => {
                    return Some(SessionEvent::Resync {
                        user_id: self.user_id,
                    });
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn subscribers_only_see_their_user() {
        let hub = EventHub::new(16);
        let mut alice = hub.subscribe(1);
        hub.publish(SessionEvent::Resync { user_id: 2 });
        hub.publish(SessionEvent::Ended {
            user_id: 1,
            session_id: "x".into(),
            reason: EndReason::Terminated,
        });
        match alice.recv().await {
            Some(SessionEvent::Ended { session_id, .. }) => assert_eq!(session_id, "x"),
            other => panic!("unexpected {other:?}"),
        }
    }

    #[tokio::test]
    async fn lagging_subscriber_gets_resync() {
        let hub = EventHub::new(2);
        let mut sub = hub.subscribe(7);
        for _ in 0..5 {
            hub.publish(SessionEvent::Resync { user_id: 3 });
        }
        assert_eq!(sub.recv().await, Some(SessionEvent::Resync { user_id: 7 }));
    }
}
