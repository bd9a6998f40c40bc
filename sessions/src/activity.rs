//! Activity accumulated in memory and written at most once per interval.
use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;

/// What one session did since the last flush.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pending {
    pub user_id: i64,
    pub public_id: String,
    pub pages: i64,
    pub last_seen_ms: i64,
    pub ip: IpAddr,
}

/// Pending activity by session row id.
#[derive(Debug, Default)]
pub(crate) struct ActivityBuffer(Mutex<HashMap<i64, Pending>>);

impl ActivityBuffer {
    fn map(&self) -> std::sync::MutexGuard<'_, HashMap<i64, Pending>> {
        // A panic while holding the lock cannot leave the map half-updated.
        self.0.lock().unwrap_or_else(|p| p.into_inner())
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
        let mut map = self.map();
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
    pub fn take(&self) -> HashMap<i64, Pending> {
        std::mem::take(&mut *self.map())
    }

    /// Puts back a batch whose write failed, merged with what came since.
    pub fn restore(&self, batch: HashMap<i64, Pending>) {
        let mut map = self.map();
        for (row_id, old) in batch {
            match map.get_mut(&row_id) {
                Some(newer) => {
                    newer.pages += old.pages;
                    if old.last_seen_ms > newer.last_seen_ms {
                        newer.last_seen_ms = old.last_seen_ms;
                        newer.ip = old.ip;
                    }
                }
                None => {
                    map.insert(row_id, old);
                }
            }
        }
    }

    /// Drops what is pending for an ended session.
    pub fn discard(&self, row_id: i64) {
        self.map().remove(&row_id);
    }

    /// The pending last-seen time alone (no copy of the rest): the hot path.
    pub fn last_seen(&self, row_id: i64) -> Option<i64> {
        self.map().get(&row_id).map(|p| p.last_seen_ms)
    }

    pub fn peek(&self, row_id: i64) -> Option<Pending> {
        self.map().get(&row_id).cloned()
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.map().len()
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
        buf.discard(1);
        assert!(buf.peek(1).is_none());
    }
}
