//! Pending activity by session row id, one map per thread: recording (every
//! request) touches only the calling thread's map, and the flush merges them.
use crate::per_thread::{Map, PerThread};
use std::net::IpAddr;

/// What one session did since the last flush.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pending {
    pub user_id: i64,
    pub public_id: String,
    pub pages: i64,
    pub last_seen_ms: i64,
    pub ip: IpAddr,
}

/// A batch of pending activity by row id.
pub(crate) type Batch = Map<i64, Pending>;

#[derive(Default)]
pub(crate) struct ActivityBuffer(PerThread<i64, Pending>);

/// Adds `old` (earlier or concurrent activity of the same session) to `into`.
fn merge(into: &mut Batch, row_id: i64, old: Pending) {
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
    pub fn record(
        &self,
        row_id: i64,
        user_id: i64,
        public_id: &str,
        at_ms: i64,
        ip: IpAddr,
        page: bool,
    ) {
        let mut map = self.0.own();
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
    pub fn take(&self) -> Batch {
        let mut all = Batch::default();
        self.0.each(|shard| {
            for (row_id, p) in std::mem::take(shard) {
                merge(&mut all, row_id, p);
            }
        });
        all
    }

    /// Takes what is pending for one session, merged over the threads.
    pub fn take_one(&self, row_id: i64) -> Option<Pending> {
        let mut merged = Batch::default();
        self.0.each(|shard| {
            if let Some(p) = shard.remove(&row_id) {
                merge(&mut merged, row_id, p);
            }
        });
        merged.remove(&row_id)
    }

    /// Puts back a batch whose write failed, merged with what came since.
    pub fn restore(&self, batch: Batch) {
        let mut map = self.0.own();
        for (row_id, old) in batch {
            merge(&mut map, row_id, old);
        }
    }

    /// Drops what is pending for an ended session.
    pub fn discard(&self, row_id: i64) {
        self.0.remove_everywhere(&row_id);
    }

    /// The pending last-seen time alone (no copy of the rest).
    pub fn last_seen(&self, row_id: i64) -> Option<i64> {
        let mut latest = None;
        self.0.each(|shard| {
            if let Some(p) = shard.get(&row_id) {
                latest = latest.max(Some(p.last_seen_ms));
            }
        });
        latest
    }

    /// Everything pending for one session, merged over the threads.
    pub fn peek(&self, row_id: i64) -> Option<Pending> {
        let mut merged = Batch::default();
        self.0.each(|shard| {
            if let Some(p) = shard.get(&row_id) {
                merge(&mut merged, row_id, p.clone());
            }
        });
        merged.remove(&row_id)
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
        assert_eq!(buf.0.len(), 0);
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
        assert_eq!(buf.0.len(), 0);
        assert_eq!(batch[&1].pages, 4);
        buf.restore(batch);
        std::thread::scope(|s| {
            s.spawn(|| buf.record(1, 9, "p", 400, ip("6.6.6.6"), false));
        });
        let one = buf.take_one(1).unwrap();
        assert_eq!((one.pages, one.last_seen_ms), (4, 400));
        assert!(buf.peek(1).is_none());
        buf.record(2, 9, "q", 500, ip("7.7.7.7"), true);
        buf.discard(2);
        assert_eq!(buf.0.len(), 0);
    }
}
