//! One map per thread, behind the authentication cache and the activity
//! buffer.
//!
//! Hand-written over `thread_local::ThreadLocal` instead of a shared map or
//! a moka cache because every request touches it: in a shared structure
//! each access also writes memory that all threads share (a lock word,
//! reference counts, a read log), and on a busy server those writes cost
//! more than the lookup. Here a request touches only its own thread's map;
//! the rare whole-store operations (an end, a flush) visit every thread's.
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hash, Hasher};
use std::sync::{Mutex, MutexGuard, PoisonError};
use thread_local::ThreadLocal;

/// Hashes keys that are already SHA-256 digests (their first eight bytes
/// are a hash nobody can steer, so a SipHash pass buys nothing) and our own
/// row ids (one multiplication spreads sequential numbers).
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl Hasher for KeyHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Not used by our keys; any other key still hashes sensibly.
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
    }

    fn write_u64(&mut self, v: u64) {
        self.0 = (self.0 ^ v).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn write_i64(&mut self, v: i64) {
        self.write_u64(v as u64);
    }
}

/// A map keyed by digests or row ids.
pub(crate) type Map<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// A [`Map`] per thread.
pub(crate) struct PerThread<K: Send, V: Send>(ThreadLocal<Mutex<Map<K, V>>>);

impl<K: Send, V: Send> Default for PerThread<K, V> {
    fn default() -> Self {
        Self(ThreadLocal::new())
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    // Nothing panics half-way through an update of these maps, so a
    // poisoned lock still guards a consistent map.
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

impl<K: Eq + Hash + Send, V: Send> PerThread<K, V> {
    /// The calling thread's map, locked (uncontended but for whole-store
    /// operations).
    pub fn own(&self) -> MutexGuard<'_, Map<K, V>> {
        lock(self.0.get_or_default())
    }

    /// Calls `f` with every thread's map in turn, each locked.
    pub fn each(&self, mut f: impl FnMut(&mut Map<K, V>)) {
        for shard in self.0.iter() {
            f(&mut lock(shard));
        }
    }

    /// Removes `key` on every thread.
    pub fn remove_everywhere(&self, key: &K) {
        self.each(|m| {
            m.remove(key);
        });
    }

    /// Empties every thread's map.
    pub fn clear_everywhere(&self) {
        self.each(|m| m.clear());
    }

    /// Entries over all threads.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        let mut n = 0;
        self.each(|m| n += m.len());
        n
    }
}
