//! Per-token rate limits of bearer calls: a script that loops cannot
//! crowd out people. In memory, per server (governor's keyed limiter).
use governor::clock::{Clock, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::num::NonZeroU32;

/// The limits of every token, by public id.
pub(crate) struct TokenLimits(DefaultKeyedRateLimiter<String>);

impl TokenLimits {
    /// Calls per second a token may make on average, by default.
    pub(crate) const PER_SECOND: u32 = 10;
    /// Calls a token may make at once after a quiet while, by default.
    pub(crate) const BURST: u32 = 30;

    /// `None` when either figure is zero.
    pub(crate) fn new(per_second: u32, burst: u32) -> Option<Self> {
        let quota =
            Quota::per_second(NonZeroU32::new(per_second)?).allow_burst(NonZeroU32::new(burst)?);
        Some(Self(DefaultKeyedRateLimiter::keyed(quota)))
    }

    /// Counts a call of token `id`: `Err` with the whole seconds to wait
    /// when it is over its limit.
    pub(crate) fn check(&self, id: &str) -> Result<(), u64> {
        self.0.check_key(&id.to_owned()).map_err(|not_until| {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            wait.as_secs() + u64::from(wait.subsec_nanos() > 0)
        })
    }
}
