//! Pending activity by session row id, one map per thread: recording (every
//! request) touches only the calling thread's map, and the flush merges them.
use crate::per_thread::{Map, PerThread};
use std::net::IpAddr;

/// Places kept per session between flushes (and in the trail).
pub(crate) const MAX_PLACES: usize = 20;

/// One address a session was used from since the last flush.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Seen {
    pub ip: IpAddr,
    pub first_ms: i64,
    pub last_ms: i64,
}

/// One protected app a session used since the last flush.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AppSeen {
    pub name: std::sync::Arc<str>,
    pub first_ms: i64,
    pub last_ms: i64,
    pub pages: i64,
}

fn add_app(apps: &mut Vec<AppSeen>, seen: AppSeen) {
    match apps.iter_mut().find(|a| a.name == seen.name) {
        Some(a) => {
            a.first_ms = a.first_ms.min(seen.first_ms);
            a.last_ms = a.last_ms.max(seen.last_ms);
            a.pages += seen.pages;
        }
        None => apps.push(seen),
    }
}

/// What one session did since the last flush.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Pending {
    pub user_id: i64,
    pub public_id: String,
    pub pages: i64,
    pub last_seen_ms: i64,
    /// The address of the latest request.
    pub ip: IpAddr,
    /// Every address, the most recently used [`MAX_PLACES`].
    pub places: Vec<Seen>,
    /// The protected apps it used (forward authentication).
    pub apps: Vec<AppSeen>,
}

/// Adds a sighting of `seen.ip` to `places`, dropping the least recently
/// used address beyond [`MAX_PLACES`]. Usually one address: a short scan.
fn add_place(places: &mut Vec<Seen>, seen: Seen) {
    if let Some(p) = places.iter_mut().find(|p| p.ip == seen.ip) {
        p.first_ms = p.first_ms.min(seen.first_ms);
        p.last_ms = p.last_ms.max(seen.last_ms);
        return;
    }
    places.push(seen);
    if places.len() > MAX_PLACES
        && let Some((oldest, _)) = places.iter().enumerate().min_by_key(|(_, p)| p.last_ms)
    {
        places.swap_remove(oldest);
    }
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
            for seen in old.places {
                add_place(&mut newer.places, seen);
            }
            for seen in old.apps {
                add_app(&mut newer.apps, seen);
            }
        }
        None => {
            into.insert(row_id, old);
        }
    }
}

impl ActivityBuffer {
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &self,
        row_id: i64,
        user_id: i64,
        public_id: &str,
        at_ms: i64,
        ip: IpAddr,
        page: bool,
        app: Option<&std::sync::Arc<str>>,
    ) {
        let mut map = self.0.own();
        let entry = map.entry(row_id).or_insert_with(|| Pending {
            user_id,
            public_id: public_id.to_owned(),
            pages: 0,
            last_seen_ms: at_ms,
            ip,
            places: Vec::new(),
            apps: Vec::new(),
        });
        if let Some(name) = app {
            let seen = AppSeen {
                name: name.clone(),
                first_ms: at_ms,
                last_ms: at_ms,
                pages: i64::from(page),
            };
            add_app(&mut entry.apps, seen);
        }
        entry.pages += i64::from(page);
        if at_ms >= entry.last_seen_ms {
            entry.last_seen_ms = at_ms;
            entry.ip = ip;
        }
        let seen = Seen {
            ip,
            first_ms: at_ms,
            last_ms: at_ms,
        };
        add_place(&mut entry.places, seen);
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
        buf.record(1, 9, "p", 100, ip("1.1.1.1"), true, None);
        buf.record(1, 9, "p", 200, ip("2.2.2.2"), true, None);
        buf.record(1, 9, "p", 150, ip("3.3.3.3"), false, None);
        let batch = buf.take();
        assert_eq!(buf.0.len(), 0);
        let p = &batch[&1];
        assert_eq!((p.pages, p.last_seen_ms, p.ip), (2, 200, ip("2.2.2.2")));
        buf.record(1, 9, "p", 300, ip("4.4.4.4"), true, None);
        buf.restore(batch);
        let p = buf.peek(1).unwrap();
        assert_eq!((p.pages, p.last_seen_ms, p.ip), (3, 300, ip("4.4.4.4")));
        // Another thread's activity for the same session merges in.
        std::thread::scope(|s| {
            s.spawn(|| buf.record(1, 9, "p", 250, ip("5.5.5.5"), true, None));
        });
        let p = buf.peek(1).unwrap();
        assert_eq!((p.pages, p.last_seen_ms, p.ip), (4, 300, ip("4.4.4.4")));
        assert_eq!(buf.last_seen(1), Some(300));
        let batch = buf.take();
        assert_eq!(buf.0.len(), 0);
        assert_eq!(batch[&1].pages, 4);
        buf.restore(batch);
        std::thread::scope(|s| {
            s.spawn(|| buf.record(1, 9, "p", 400, ip("6.6.6.6"), false, None));
        });
        let one = buf.take_one(1).unwrap();
        assert_eq!((one.pages, one.last_seen_ms), (4, 400));
        assert!(buf.peek(1).is_none());
        buf.record(2, 9, "q", 500, ip("7.7.7.7"), true, None);
        buf.discard(2);
        assert_eq!(buf.0.len(), 0);
    }

    #[test]
    fn places_keep_first_and_last_sighting_and_stay_bounded() {
        let buf = ActivityBuffer::default();
        buf.record(1, 9, "p", 100, ip("1.1.1.1"), true, None);
        buf.record(1, 9, "p", 200, ip("2.2.2.2"), true, None);
        buf.record(1, 9, "p", 300, ip("1.1.1.1"), true, None);
        std::thread::scope(|s| {
            s.spawn(|| buf.record(1, 9, "p", 50, ip("1.1.1.1"), false, None));
        });
        let p = buf.peek(1).unwrap();
        let one = p.places.iter().find(|s| s.ip == ip("1.1.1.1")).unwrap();
        assert_eq!((one.first_ms, one.last_ms), (50, 300));
        assert_eq!(p.places.len(), 2);
        for i in 0..30u8 {
            buf.record(
                1,
                9,
                "p",
                1_000 + i64::from(i),
                ip(&format!("10.0.0.{i}")),
                false,
                None,
            );
        }
        let p = buf.take().remove(&1).unwrap();
        assert_eq!(p.places.len(), MAX_PLACES);
        // The most recent ones are kept.
        assert!(p.places.iter().any(|s| s.ip == ip("10.0.0.29")));
        assert!(!p.places.iter().any(|s| s.ip == ip("1.1.1.1")));
    }

    #[test]
    fn apps_count_their_pages_and_merge_over_threads() {
        let buf = ActivityBuffer::default();
        let (wiki, photos): (std::sync::Arc<str>, std::sync::Arc<str>) =
            ("Wiki".into(), "Photos".into());
        buf.record(1, 9, "p", 100, ip("1.1.1.1"), true, Some(&wiki));
        buf.record(1, 9, "p", 200, ip("1.1.1.1"), false, Some(&wiki));
        std::thread::scope(|s| {
            s.spawn(|| buf.record(1, 9, "p", 150, ip("1.1.1.1"), true, Some(&photos)));
            s.spawn(|| buf.record(1, 9, "p", 50, ip("1.1.1.1"), true, Some(&wiki)));
        });
        let mut p = buf.take().remove(&1).unwrap();
        p.apps.sort_by(|a, b| a.name.cmp(&b.name));
        let got: Vec<_> = p
            .apps
            .iter()
            .map(|a| (&*a.name, a.first_ms, a.last_ms, a.pages))
            .collect();
        assert_eq!(got, [("Photos", 150, 150, 1), ("Wiki", 50, 200, 2)]);
        assert_eq!(p.pages, 3);
    }
}
