//! The per-user fan-out, with a bound on how many live streams a session
//! and an account may hold. Each account with a subscriber has its own
//! broadcast channel, so a stream only ever wakes for its own account's
//! changes.
use super::SessionEvent;
use crate::config::StreamLimits;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::broadcast;

/// Undelivered events kept per subscriber before it has to resync.
const CAPACITY: usize = 256;

struct Account {
    tx: broadcast::Sender<SessionEvent>,
    streams: usize,
    by_session: HashMap<String, usize>,
    /// Changes since, from one counter for every account: a number is
    /// never reused, even by an account whose streams closed and reopened.
    generation: u64,
}

static GENERATIONS: AtomicU64 = AtomicU64::new(0);

fn next_generation() -> u64 {
    GENERATIONS.fetch_add(1, Ordering::Relaxed) + 1
}

struct Accounts(
    Mutex<HashMap<i64, Account>>,
    broadcast::Sender<SessionEvent>,
);

impl Default for Accounts {
    fn default() -> Self {
        Self(Mutex::default(), broadcast::channel(CAPACITY).0)
    }
}

impl Accounts {
    fn lock(&self) -> MutexGuard<'_, HashMap<i64, Account>> {
        // Every update below completes before it can panic.
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The per-user fan-out of store changes.
#[derive(Clone, Default)]
pub(crate) struct EventHub(Arc<Accounts>);

impl EventHub {
    /// Delivers `event` to the streams of its user (none: dropped).
    pub fn deliver(&self, event: SessionEvent) {
        // Administrators' pages hear every account's sessions start and
        // end (activity alone is not a change to their lists).
        if self.0.1.receiver_count() > 0 && !matches!(event, SessionEvent::Activity { .. }) {
            let _ = self.0.1.send(event.clone());
        }
        if let Some(account) = self.0.lock().get_mut(&event.user_id()) {
            account.generation = next_generation();
            let _ = account.tx.send(event);
        }
    }

    /// Tells every stream to reload: events may have been missed.
    pub fn resync_all(&self) {
        let _ = self.0.1.send(SessionEvent::Resync { user_id: 0 });
        for (user_id, account) in self.0.lock().iter_mut() {
            account.generation = next_generation();
            let _ = account.tx.send(SessionEvent::Resync { user_id: *user_id });
        }
    }

    /// A change to `user_id`'s data that its streams need not hear of (a
    /// session's own proof): reads shared until now are not reused.
    pub fn touch(&self, user_id: i64) {
        if let Some(account) = self.0.lock().get_mut(&user_id) {
            account.generation = next_generation();
        }
    }

    /// Which change `user_id`'s streams last heard of; `None` without
    /// streams. Data read after a change may be shared until the next.
    pub fn generation(&self, user_id: i64) -> Option<u64> {
        self.0.lock().get(&user_id).map(|a| a.generation)
    }

    /// Every account's session changes (administrators' live pages).
    pub fn subscribe_all(&self) -> broadcast::Receiver<SessionEvent> {
        self.0.1.subscribe()
    }

    /// A stream of `user_id`'s events for `session_id`, within `limits`.
    pub fn subscribe(
        &self,
        user_id: i64,
        session_id: &str,
        limits: StreamLimits,
    ) -> Option<UserEvents> {
        let mut accounts = self.0.lock();
        let account = accounts.entry(user_id).or_insert_with(|| Account {
            tx: broadcast::channel(CAPACITY).0,
            streams: 0,
            by_session: HashMap::new(),
            generation: next_generation(),
        });
        let of_session = account.by_session.get(session_id).copied().unwrap_or(0);
        if account.streams >= limits.per_user || of_session >= limits.per_session {
            return None;
        }
        account.streams += 1;
        account
            .by_session
            .insert(session_id.to_owned(), of_session + 1);
        Some(UserEvents {
            user_id,
            rx: account.tx.subscribe(),
            _slot: Slot {
                hub: self.clone(),
                user_id,
                session_id: session_id.to_owned(),
            },
        })
    }
}

/// Holds a stream's place in the counts until dropped.
struct Slot {
    hub: EventHub,
    user_id: i64,
    session_id: String,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut accounts = self.hub.0.lock();
        let Some(account) = accounts.get_mut(&self.user_id) else {
            return;
        };
        account.streams -= 1;
        if let Some(n) = account.by_session.get_mut(&self.session_id) {
            *n -= 1;
            if *n == 0 {
                account.by_session.remove(&self.session_id);
            }
        }
        if account.streams == 0 {
            accounts.remove(&self.user_id);
        }
    }
}

/// A subscription to one user's events.
pub struct UserEvents {
    user_id: i64,
    rx: broadcast::Receiver<SessionEvent>,
    _slot: Slot,
}

impl std::fmt::Debug for UserEvents {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("UserEvents")
            .field("user_id", &self.user_id)
            .finish()
    }
}

impl UserEvents {
    /// The next event of this user; [`SessionEvent::Resync`] after missed
    /// events; `None` once the hub is gone.
    pub async fn recv(&mut self) -> Option<SessionEvent> {
        match self.rx.recv().await {
            Ok(e) => Some(e),
            Err(broadcast::error::RecvError::Lagged(_)) => Some(SessionEvent::Resync {
                user_id: self.user_id,
            }),
            Err(broadcast::error::RecvError::Closed) => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::EndReason;

    const LIMITS: StreamLimits = StreamLimits {
        per_session: 2,
        per_user: 3,
    };

    #[tokio::test]
    async fn subscribers_only_see_their_user() {
        let hub = EventHub::default();
        let mut alice = hub.subscribe(1, "a", LIMITS).unwrap();
        hub.deliver(SessionEvent::Resync { user_id: 2 });
        hub.deliver(SessionEvent::Ended {
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
        let hub = EventHub::default();
        let mut sub = hub.subscribe(7, "s", LIMITS).unwrap();
        for _ in 0..CAPACITY + 5 {
            hub.deliver(SessionEvent::Resync { user_id: 7 });
        }
        assert_eq!(sub.recv().await, Some(SessionEvent::Resync { user_id: 7 }));
    }

    #[test]
    fn streams_are_capped_per_session_and_per_user_and_given_back() {
        let hub = EventHub::default();
        let a1 = hub.subscribe(1, "a", LIMITS).unwrap();
        let _a2 = hub.subscribe(1, "a", LIMITS).unwrap();
        assert!(hub.subscribe(1, "a", LIMITS).is_none(), "per session");
        let _b1 = hub.subscribe(1, "b", LIMITS).unwrap();
        assert!(hub.subscribe(1, "c", LIMITS).is_none(), "per user");
        assert!(hub.subscribe(2, "z", LIMITS).is_some(), "other users");
        drop(a1);
        assert!(hub.subscribe(1, "a", LIMITS).is_some());
    }
}
