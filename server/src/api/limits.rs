//! Per-token rate limits of bearer calls: a script that loops cannot
//! crowd out people. In memory, per server (governor's keyed limiter).
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;

/// Calls per second a token may make on average.
pub const PER_SECOND: u32 = 10;
/// Calls a token may make at once after a quiet while.
pub const BURST: u32 = 30;

/// The limits of every token, by public id.
pub struct TokenLimits(DefaultKeyedRateLimiter<String>);

impl Default for TokenLimits {
    fn default() -> Self {
        let n = |v| NonZeroU32::new(v).unwrap_or(NonZeroU32::MIN);
        Self(DefaultKeyedRateLimiter::keyed(
            Quota::per_second(n(PER_SECOND)).allow_burst(n(BURST)),
        ))
    }
}

impl TokenLimits {
    /// Counts a call of token `id`: `Err` with the seconds to wait when it
    /// is over its limit.
    pub fn check(&self, id: &str) -> Result<(), u64> {
        self.0.check_key(&id.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}
