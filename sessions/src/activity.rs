//! Activity accumulated in memory and written at most once per interval.
use crate::auth_cache::DigestHashing;
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Mutex, MutexGuard, PoisonError};
use thread_local::ThreadLocal;

/// What one session did since the last flush.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pending {
    pub user_id: i64,
    pub public_id: String,
    pub pages: i64,
    pub last_seen_ms: i64,
    pub ip: IpAddr,
}

pub(crate) type Map = HashMap<i64, Pending, DigestHashing>;

/// Pending activity by session row id, one map per thread: recording (every
/// request) touches only the calling thread's map, and the flush merges
/// them. A shared map would make every request write the same lock and
/// entry from every thread.
#[derive(Default)]
pub(crate) struct ActivityBuffer(ThreadLocal<Mutex<Map>>);

fn lock(m: &Mutex<Map>) -> MutexGuard<'_, Map> {
    // A panic while holding the lock cannot leave the map half-updated.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Adds `old` (earlier or concurrent activity of the same session) to `into`.
fn merge(into: &mut Map, row_id: i64, old: Pending) {
    match into.get_mut(&row_id) {
        Some(newer) => {
            newer.pages += old.pages;
            if old.last_seen_ms > newer.last_seen_ms {
                newer.last_seen_ms = old.last_seen_ms;
                newer.ip = old.ip;
            }
        }
        None => {
            into.insert(row_id, old);
        }
    }
}

impl ActivityBuffer {
    fn own(&self) -> MutexGuard<'_, Map> {
        lock(self.0.get_or_default())
    }

    pub fn record(
        &self,
        row_id: i64,
        user_id: i64,
        public_id: &str,
        at_ms: i64,
        ip: IpAddr,
        page: bool,
    ) {
        let mut map = self.own();
        let entry = map.entry(row_id).or_insert_with(|| Pending {
            user_id,
            public_id: public_id.to_owned(),
            pages: 0,
            last_seen_ms: at_ms,
            ip,
        });
        entry.pages += i64::from(page);
        if at_ms >= entry.last_seen_ms {
            entry.last_seen_ms = at_ms;
            entry.ip = ip;
        }
    }

    /// Everything pending, leaving the buffer empty.
    pub fn take(&self) -> Map {
        let mut all = Map::default();
        for shard in self.0.iter() {
            for (row_id, p) in std::mem::take(&mut *lock(shard)) {
                merge(&mut all, row_id, p);
            }
        }
        all
    }

    /// Puts back a batch whose write failed, merged with what came since.
    pub fn restore(&self, batch: Map) {
        let mut map = self.own();
        for (row_id, old) in batch {
            merge(&mut map, row_id, old);
        }
    }

    /// Drops what is pending for an ended session.
    pub fn discard(&self, row_id: i64) {
        for shard in self.0.iter() {
            lock(shard).remove(&row_id);
        }
    }

    /// The pending last-seen time alone (no copy of the rest).
    pub fn last_seen(&self, row_id: i64) -> Option<i64> {
        self.0
            .iter()
            .filter_map(|shard| lock(shard).get(&row_id).map(|p| p.last_seen_ms))
            .max()
    }

    /// Everything pending for one session, merged over the threads.
    pub fn peek(&self, row_id: i64) -> Option<Pending> {
        let mut merged = Map::default();
        for shard in self.0.iter() {
            if let Some(p) = lock(shard).get(&row_id) {
                merge(&mut merged, row_id, p.clone());
            }
        }
        merged.remove(&row_id)
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.0.iter().map(|shard| lock(shard).len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn coalesces_and_restores_without_loss() {
        let buf = ActivityBuffer::default();
        buf.record(1, 9, "p", 100, ip("1.1.1.1"), true);
        buf.record(1, 9, "p", 200, ip("2.2.2.2"), true);
        buf.record(1, 9, "p", 150, ip("3.3.3.3"), false);
        let batch = buf.take();
        assert_eq!(buf.len(), 0);
        let p = &batch[&1];
        assert_eq!((p.pages, p.last_seen_ms, p.ip), (2, 200, ip("2.2.2.2")));
        buf.record(1, 9, "p", 300, ip("4.4.4.4"), true);
        buf.restore(batch);
        let p = buf.peek(1).unwrap();
        assert_eq!((p.pages, p.last_seen_ms, p.ip), (3, 300, ip("4.4.4.4")));
        // Another thread's activity for the same session merges in.
        std::thread::scope(|s| {
            s.spawn(|| buf.record(1, 9, "p", 250, ip("5.5.5.5"), true));
        });
        let p = buf.peek(1).unwrap();
        assert_eq!((p.pages, p.last_seen_ms, p.ip), (4, 300, ip("4.4.4.4")));
        assert_eq!(buf.last_seen(1), Some(300));
        let batch = buf.take();
        assert_eq!(buf.len(), 0);
        assert_eq!(batch[&1].pages, 4);
        buf.restore(batch);
        std::thread::scope(|s| {
            s.spawn(|| buf.record(1, 9, "p", 400, ip("6.6.6.6"), false));
        });
        buf.discard(1);
        assert!(buf.peek(1).is_none());
        assert_eq!(buf.len(), 0);
    }
}
