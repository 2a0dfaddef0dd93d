//! Procore's two rate-limit windows: an hourly budget and a 10-second spike budget.
//!
//! Fixed windows per token owner; the headers describe whichever window is closer to
//! exhaustion, as the rate-limiting page of the Procore docs says.

use std::collections::HashMap;

const HOUR: u64 = 3600;
const SPIKE: u64 = 10;

/// Text of Procore's historical plain-text 429 body for the hourly limit.
pub(crate) const HOURLY_BODY: &str =
    "You have surpassed the max number of requests for an hour. Please wait until your limit resets.";
/// Same wording adapted to the 10-second spike limit.
pub(crate) const SPIKE_BODY: &str = "You have surpassed the max number of requests allowed in a 10 second spike window. Please wait until your limit resets.";

/// Values for the `X-Rate-Limit-*` headers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct RateInfo {
    pub limit: u32,
    pub remaining: u32,
    /// Unix seconds at which the reported window starts afresh.
    pub reset: u64,
}

/// Outcome of counting one request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    Allowed(RateInfo),
    /// Rejected; `retry_after` seconds until every exhausted window has reset.
    Limited {
        info: RateInfo,
        retry_after: u64,
        spike: bool,
    },
}

#[derive(Clone, Copy, Default)]
struct Window {
    start: u64,
    count: u32,
}

impl Window {
    fn roll(&mut self, now: u64, len: u64) {
        if self.count == 0 || now >= self.start + len {
            self.start = now;
            self.count = 0;
        }
    }
}

#[derive(Clone, Copy, Default)]
struct Buckets {
    hourly: Window,
    spike: Window,
}

/// Buckets of every owner (user id, or service client + company).
pub(crate) struct RateLimiter {
    hourly: u32,
    spike: u32,
    buckets: HashMap<String, Buckets>,
}

impl RateLimiter {
    /// A limiter with the given budgets.
    pub fn new(hourly: u32, spike: u32) -> Self {
        Self {
            hourly,
            spike,
            buckets: HashMap::new(),
        }
    }

    /// Changes the budgets and forgets every bucket.
    pub fn set_limits(&mut self, hourly: u32, spike: u32) {
        self.hourly = hourly;
        self.spike = spike;
        self.buckets.clear();
    }

    /// Current (hourly, spike) budgets.
    pub fn limits(&self) -> (u32, u32) {
        (self.hourly, self.spike)
    }

    /// Headers for a request that is not counted (no valid token, so no owner).
    pub fn uncounted(&self, now: u64) -> RateInfo {
        RateInfo {
            limit: self.hourly,
            remaining: self.hourly,
            reset: now + HOUR,
        }
    }

    /// Counts one request of `key` at Unix time `now`.
    pub fn check(&mut self, key: &str, now: u64) -> Decision {
        let (hourly_limit, spike_limit) = (self.hourly, self.spike);
        let b = self.buckets.entry(key.to_owned()).or_default();
        b.hourly.roll(now, HOUR);
        b.spike.roll(now, SPIKE);
        let hourly_reset = b.hourly.start + HOUR;
        let spike_reset = b.spike.start + SPIKE;
        let hourly_out = b.hourly.count >= hourly_limit;
        let spike_out = b.spike.count >= spike_limit;
        if hourly_out || spike_out {
            let reset = match (hourly_out, spike_out) {
                (true, true) => hourly_reset.max(spike_reset),
                (true, false) => hourly_reset,
                _ => spike_reset,
            };
            let (limit, spike) = if hourly_out {
                (hourly_limit, false)
            } else {
                (spike_limit, true)
            };
            return Decision::Limited {
                info: RateInfo {
                    limit,
                    remaining: 0,
                    reset,
                },
                retry_after: reset.saturating_sub(now).max(1),
                spike,
            };
        }
        b.hourly.count += 1;
        b.spike.count += 1;
        let hourly = RateInfo {
            limit: hourly_limit,
            remaining: hourly_limit - b.hourly.count,
            reset: hourly_reset,
        };
        let spike = RateInfo {
            limit: spike_limit,
            remaining: spike_limit - b.spike.count,
            reset: spike_reset,
        };
        // Compare remaining fractions (r_h/l_h vs r_s/l_s) without floats.
        let spike_closer = u64::from(spike.remaining) * u64::from(hourly.limit)
            < u64::from(hourly.remaining) * u64::from(spike.limit);
        Decision::Allowed(if spike_closer { spike } else { hourly })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hourly_limit_blocks_until_reset() {
        let mut rl = RateLimiter::new(2, 100);
        assert!(matches!(rl.check("u", 1000), Decision::Allowed(i) if i.remaining == 1));
        assert!(matches!(rl.check("u", 1001), Decision::Allowed(i) if i.remaining == 0));
        match rl.check("u", 1002) {
            Decision::Limited {
                info,
                retry_after,
                spike,
            } => {
                assert_eq!(
                    info,
                    RateInfo {
                        limit: 2,
                        remaining: 0,
                        reset: 4600
                    }
                );
                assert_eq!(retry_after, 3598);
                assert!(!spike);
            }
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(matches!(rl.check("u", 4600), Decision::Allowed(_)));
        assert!(matches!(rl.check("other", 1002), Decision::Allowed(_)));
    }

    #[test]
    fn spike_window_reported_when_closer() {
        let mut rl = RateLimiter::new(600, 3);
        let Decision::Allowed(info) = rl.check("u", 50) else {
            panic!()
        };
        assert_eq!((info.limit, info.remaining, info.reset), (3, 2, 60));
        rl.check("u", 50);
        rl.check("u", 51);
        assert!(matches!(
            rl.check("u", 52),
            Decision::Limited {
                spike: true,
                retry_after: 8,
                ..
            }
        ));
        assert!(matches!(rl.check("u", 60), Decision::Allowed(_)));
    }
}
