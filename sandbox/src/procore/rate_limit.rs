//! Procore's two rate-limit windows: an hourly budget and a 10-second spike budget.
//!
//! Both windows ROLL (a sliding log per token owner): a request counts against every
//! window that still contains it, so a burst straddling a fixed boundary cannot double
//! the budget, and a slot frees exactly one window length after the request that used it.
//! The headers describe whichever window is closer to exhaustion, as the rate-limiting
//! page of the Procore docs says (procore-api.md §2.5).

use std::collections::{HashMap, VecDeque};

/// Window lengths in milliseconds.
const HOUR_MS: u64 = 3_600_000;
const SPIKE_MS: u64 = 10_000;

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
    /// Unix seconds (rounded up) at which the reported window next frees a slot.
    pub reset: u64,
}

/// Outcome of counting one request.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Decision {
    Allowed(RateInfo),
    /// Rejected; `retry_after` seconds until a request would be accepted again.
    Limited {
        info: RateInfo,
        retry_after: u64,
        spike: bool,
    },
}

/// Buckets of every owner (user id, or service client + company): the times (Unix ms) of
/// the owner's accepted requests of the last hour, oldest first.
pub(crate) struct RateLimiter {
    hourly: u32,
    spike: u32,
    logs: HashMap<String, VecDeque<u64>>,
}

/// Unix ms → Unix seconds, rounded up (a reset must never be in the past).
fn secs_ceil(ms: u64) -> u64 {
    ms.div_ceil(1000)
}

impl RateLimiter {
    /// A limiter with the given budgets.
    pub fn new(hourly: u32, spike: u32) -> Self {
        Self {
            hourly,
            spike,
            logs: HashMap::new(),
        }
    }

    /// Changes the budgets and forgets every bucket.
    pub fn set_limits(&mut self, hourly: u32, spike: u32) {
        self.hourly = hourly;
        self.spike = spike;
        self.logs.clear();
    }

    /// Current (hourly, spike) budgets.
    pub fn limits(&self) -> (u32, u32) {
        (self.hourly, self.spike)
    }

    /// Headers for a request that is not counted (no valid token, so no owner).
    pub fn uncounted(&self, now_ms: u64) -> RateInfo {
        RateInfo {
            limit: self.hourly,
            remaining: self.hourly,
            reset: secs_ceil(now_ms + HOUR_MS),
        }
    }

    /// Counts one request of `key` at Unix time `now_ms` (milliseconds).
    pub fn check(&mut self, key: &str, now_ms: u64) -> Decision {
        let (hourly_limit, spike_limit) = (self.hourly, self.spike);
        let log = self.logs.entry(key.to_owned()).or_default();
        // Forget what left the hourly window; the log is sorted, so pop from the front.
        while log.front().is_some_and(|&t| t + HOUR_MS <= now_ms) {
            log.pop_front();
        }
        let in_spike = log.partition_point(|&t| t + SPIKE_MS <= now_ms);
        let hourly_used = log.len() as u64;
        let spike_used = (log.len() - in_spike) as u64;
        // A window frees its next slot when its oldest request leaves it.
        let hourly_free_at = log.front().map_or(now_ms, |&t| t + HOUR_MS);
        let spike_free_at = log.get(in_spike).map_or(now_ms, |&t| t + SPIKE_MS);
        let hourly_out = hourly_used >= u64::from(hourly_limit);
        let spike_out = spike_used >= u64::from(spike_limit);
        if hourly_out || spike_out {
            // Accepted again once every exhausted window has freed a slot.
            let free_at = match (hourly_out, spike_out) {
                (true, true) => hourly_free_at.max(spike_free_at),
                (true, false) => hourly_free_at,
                _ => spike_free_at,
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
                    reset: secs_ceil(free_at),
                },
                retry_after: secs_ceil(free_at.saturating_sub(now_ms)).max(1),
                spike,
            };
        }
        log.push_back(now_ms);
        let hourly_free_at = log.front().map_or(now_ms, |&t| t + HOUR_MS);
        let spike_free_at = log.get(in_spike).map_or(now_ms, |&t| t + SPIKE_MS);
        let hourly = RateInfo {
            limit: hourly_limit,
            remaining: hourly_limit - (hourly_used as u32 + 1),
            reset: secs_ceil(hourly_free_at),
        };
        let spike = RateInfo {
            limit: spike_limit,
            remaining: spike_limit - (spike_used as u32 + 1),
            reset: secs_ceil(spike_free_at),
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

    const S: u64 = 1000;

    fn allowed(d: Decision) -> RateInfo {
        match d {
            Decision::Allowed(info) => info,
            other => panic!("expected 200, got {other:?}"),
        }
    }

    #[test]
    fn hourly_limit_blocks_until_oldest_request_leaves_the_hour() {
        let mut rl = RateLimiter::new(2, 100);
        assert_eq!(allowed(rl.check("u", 1000 * S)).remaining, 1);
        assert_eq!(allowed(rl.check("u", 1001 * S)).remaining, 0);
        match rl.check("u", 1002 * S) {
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
        // One slot frees when the first request is an hour old; the second still counts.
        assert_eq!(allowed(rl.check("u", 4600 * S)).remaining, 0);
        assert!(matches!(
            rl.check("u", 4600 * S + 500),
            Decision::Limited { .. }
        ));
        assert!(matches!(rl.check("u", 4601 * S), Decision::Allowed(_)));
        assert!(matches!(rl.check("other", 1002 * S), Decision::Allowed(_)));
    }

    #[test]
    fn spike_window_reported_when_closer() {
        let mut rl = RateLimiter::new(600, 3);
        let info = allowed(rl.check("u", 50 * S));
        assert_eq!((info.limit, info.remaining, info.reset), (3, 2, 60));
        rl.check("u", 50 * S);
        rl.check("u", 51 * S);
        assert!(matches!(
            rl.check("u", 52 * S),
            Decision::Limited {
                spike: true,
                retry_after: 8,
                ..
            }
        ));
        // Two requests left the window together at 60 s; the one of 51 s still counts.
        assert_eq!(allowed(rl.check("u", 60 * S)).remaining, 1);
    }

    #[test]
    fn windows_roll_instead_of_resetting_at_a_boundary() {
        // A fixed 10-second window starting at 0 would accept 3 more at 10 s: a burst of
        // 6 within one second. A rolling window refuses until the burst of 9.9 s is 10 s old.
        let mut rl = RateLimiter::new(600, 3);
        rl.check("u", 0);
        for _ in 0..2 {
            allowed(rl.check("u", 9_900));
        }
        let mut at_boundary = 0;
        for _ in 0..3 {
            if let Decision::Allowed(_) = rl.check("u", 10_000) {
                at_boundary += 1;
            }
        }
        assert_eq!(at_boundary, 1, "only the slot of t=0 has freed");
        match rl.check("u", 10_500) {
            Decision::Limited {
                retry_after, info, ..
            } => {
                assert_eq!(retry_after, 10, "the 9.9 s requests free at 19.9 s");
                assert_eq!(info.reset, 20);
            }
            other => panic!("expected 429, got {other:?}"),
        }
        assert!(matches!(rl.check("u", 19_899), Decision::Limited { .. }));
        assert_eq!(allowed(rl.check("u", 19_900)).limit, 3);
    }

    #[test]
    fn hourly_window_rolls_too() {
        let mut rl = RateLimiter::new(4, 100);
        for t in [0, 1_800 * S, 3_599 * S, 3_599 * S] {
            allowed(rl.check("u", t));
        }
        // At 3600 s only the request of 0 s has left: one slot, not a fresh hour of 4.
        allowed(rl.check("u", 3_600 * S));
        assert!(matches!(
            rl.check("u", 3_600 * S),
            Decision::Limited { spike: false, .. }
        ));
        assert!(matches!(rl.check("u", 5_400 * S), Decision::Allowed(_)));
    }
}
