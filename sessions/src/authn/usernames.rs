//! Usernames by account id, so that authenticating reads one table.
//!
//! A username never changes and an account is never deleted (the product
//! has neither action), so a name once read stays right for the life of
//! the process. An uncached authentication then reads `sessions` alone:
//! joining `users` cost PostgreSQL a second index scan and two more
//! relation locks per read. Renaming or deleting accounts, if they ever
//! come, must clear the entry here on every server.
use moka::sync::Cache;

/// Bounded: a name not held is one indexed read away.
const CAPACITY: u64 = 100_000;

/// Names as `String`: a hit is cloned into the request's session anyway.
pub(crate) struct Usernames(Cache<i64, String>);

impl Usernames {
    pub fn new() -> Self {
        Self(Cache::new(CAPACITY))
    }

    pub fn get(&self, user_id: i64) -> Option<String> {
        self.0.get(&user_id)
    }

    pub fn remember(&self, user_id: i64, username: &str) {
        self.0.insert(user_id, username.to_owned());
    }
}
