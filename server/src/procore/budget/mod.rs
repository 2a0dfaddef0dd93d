//! The Procore request budget of one connection, shared by every server process through the
//! database (`procore_budgets`, one row per key such as `user:ID`).
//!
//! Procore limits each token owner to an hourly and a 10-second "spike" number of requests
//! (documented examples: 600 per hour, 25 per 10 s), and both windows ROLL: a request
//! counts until one window length after it was sent. A token bucket / GCRA that lets a
//! burst of 25 through and then spaces requests 400 ms apart sends a 26th request 400 ms
//! after the burst, while all 25 are still inside the window: Procore answers 429. So each
//! window keeps a short log of send times instead (the spike log exactly, the hourly log
//! coalesced per minute, which only ever errs on the safe side), and a request's send time
//! is the earliest moment at which it is the limit-th or fewer inside every window.
//!
//! Taking a slot reads the row, computes the slot in Rust ([`BudgetState::take`], pure and
//! unit-tested) and writes it back with a compare-and-swap on `version`; a lost race just
//! recomputes. No transaction or pooled connection is held while the caller sleeps until
//! its slot or talks to Procore.
//!
//! People before background work: background requests only take a slot that is free *now*
//! while a reserve is left (a fifth of the spike limit, a tenth of the hourly one), and never
//! reserve future slots, so a person's request is never queued behind a background burst.
//!
//! Every wait is bounded. A person waits at most the patience the caller gives, and never
//! more than the budget's ceiling ([`Budget::with_person_max_wait`], e.g.
//! [`PERSON_MAX_WAIT`]), whatever the budget, the rechecks or the database do: beyond it
//! the request fails with [`NoSlot`] (the client's "rate limited" error, so the page can
//! say what is stale) and a slot reserved for it is given back. Background work polls for
//! room up to [`BACKGROUND_PATIENCE`]. The unit tests prove both with paused time and
//! adversarial answer orders (`tests.rs`).
//!
//! What Procore says wins: a 429's `Retry-After`, or `X-Rate-Limit-Remaining: 0` while our
//! log still saw room (requests we did not count, e.g. from a sign-in), blocks the budget
//! until Procore's reset time.

use std::time::Duration;

use rand::Rng;
use reqwest::header::HeaderMap;

use crate::db::Db;

mod log;
mod rows;
#[cfg(test)]
mod tests;

pub use log::{lesson, BudgetState, Lesson, SendLog, Slot};
use rows::{Clock, Rows};

/// Who a Procore call is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Priority {
    /// Someone is waiting for the answer: may use the whole budget.
    Person,
    /// Housekeeping or sync: only while a reserve is left for people.
    Background,
}

/// Procore's limits per token owner (`PROCORE_RATE_LIMIT_HOURLY`, `PROCORE_RATE_LIMIT_SPIKE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimits {
    /// Requests per rolling hour (documented example: 600).
    pub hourly: u32,
    /// Requests per rolling 10 seconds (documented example: 25).
    pub spike: u32,
}

impl Default for RateLimits {
    fn default() -> Self {
        Self {
            hourly: 600,
            spike: 25,
        }
    }
}

impl RateLimits {
    /// Spike slots kept for people: a fifth (5 of 25).
    pub fn spike_reserve(&self) -> u32 {
        self.spike / 5
    }

    /// Hourly slots kept for people: a tenth (60 of 600).
    pub fn hourly_reserve(&self) -> u32 {
        self.hourly / 10
    }
}

/// Length of the spike window, plus a margin for clocks and timer resolution. (Network and
/// queueing delays are covered by logging each request at the time its answer came back,
/// which is never earlier than the time Procore counted it.)
pub const SPIKE_WINDOW_MS: i64 = 10_000 + 100;
/// Length of the hourly window, plus a margin.
pub const HOUR_WINDOW_MS: i64 = 3_600_000 + 1_000;
/// Hourly log entries closer together than this are merged into one.
pub const HOUR_GRAIN_MS: i64 = 60_000;
/// How long background work waits for room before giving up.
pub const BACKGROUND_PATIENCE: Duration = Duration::from_secs(300);
/// A ceiling for a person's wait on the budget, whatever patience the call is given
/// ([`Budget::with_person_max_wait`]; the server's budget has it). Bulk fetches made for a
/// person (the project-list loads) would wait longer than this at Procore's documented
/// limits, so they run as [`Priority::Background`].
pub const PERSON_MAX_WAIT: Duration = Duration::from_secs(5);

/// Current time as Unix milliseconds.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// The shared budgets: the database and the limits they enforce.
#[derive(Debug, Clone)]
pub struct Budget {
    rows: Rows,
    clock: Clock,
    limits: RateLimits,
    /// The longest a person waits, whatever patience a call gives (`None`: its patience).
    person_max_wait: Option<Duration>,
}

/// Why no slot was granted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NoSlot {
    /// How long until one could be.
    pub retry_after: Duration,
}

/// How many times a slot taken ahead is checked again (see `Budget::acquire`).
const RECHECKS: usize = 3;

impl Budget {
    /// Budgets in `db` under `limits`.
    pub fn new(db: Db, limits: RateLimits) -> Self {
        Self {
            rows: Rows::Db(db),
            clock: Clock::Wall,
            limits,
            person_max_wait: None,
        }
    }

    /// The same budget where a person never waits longer than `ceiling`.
    pub fn with_person_max_wait(mut self, ceiling: Duration) -> Self {
        self.person_max_wait = Some(ceiling);
        self
    }

    /// Budgets in memory on tokio's clock (starting at Unix ms `origin`), for tests with
    /// paused time.
    #[cfg(test)]
    fn in_memory(limits: RateLimits, origin: i64) -> Self {
        Self {
            rows: Rows::Memory(Default::default()),
            clock: Clock::Tokio {
                origin,
                start: tokio::time::Instant::now(),
            },
            limits,
            person_max_wait: Some(PERSON_MAX_WAIT),
        }
    }

    /// The limits enforced.
    pub fn limits(&self) -> RateLimits {
        self.limits
    }

    /// Waits until `key` may send one request for `priority`, and reserves it (returning
    /// the slot, for [`Self::answered`]; `None` when the budget could not be read). A person
    /// waits at most `patience`, and never more than the ceiling (otherwise nothing stays
    /// reserved and the wait is returned); background work polls for room up to
    /// [`BACKGROUND_PATIENCE`]. If the database fails, the request goes out unpaced
    /// (Procore's own 429s are still handled).
    pub async fn acquire(
        &self,
        key: &str,
        priority: Priority,
        patience: Duration,
    ) -> Result<Option<i64>, NoSlot> {
        let patience = match priority {
            Priority::Person => self.person_max_wait.map_or(patience, |c| patience.min(c)),
            Priority::Background => BACKGROUND_PATIENCE,
        };
        let waiting = self.wait_for_slot(key, priority, patience);
        if priority == Priority::Background {
            return waiting.await;
        }
        // The budget's own arithmetic keeps within `patience`; this also bounds the
        // database round trips. A slot written just before the deadline and never sent
        // only counts until its window passes, which errs on the safe side.
        let grace = Duration::from_millis(250);
        match tokio::time::timeout(patience + grace, waiting).await {
            Ok(outcome) => outcome,
            Err(_) => {
                tracing::warn!(
                    key,
                    "Procore budget too slow to answer; the request is not sent"
                );
                Err(NoSlot {
                    retry_after: Duration::from_secs(1),
                })
            }
        }
    }

    async fn wait_for_slot(
        &self,
        key: &str,
        priority: Priority,
        patience: Duration,
    ) -> Result<Option<i64>, NoSlot> {
        let start = self.clock.now();
        let give_up = start + i64::try_from(patience.as_millis()).unwrap_or(i64::MAX / 2);
        let no_slot = |at: i64, now: i64| NoSlot {
            retry_after: Duration::from_millis(u64::try_from(at - now).unwrap_or(0)),
        };
        loop {
            let now = self.clock.now();
            let horizon = give_up - now;
            let slot = match self.take(key, priority, now, horizon).await {
                Ok(slot) => slot,
                Err(error) => {
                    tracing::warn!(%error, key, "Procore budget unavailable; sending unpaced");
                    return Ok(None);
                }
            };
            match slot {
                Slot::At(mut at) => {
                    // A slot taken ahead was worked out from the log as it was then: the
                    // requests it waited for may have been answered late since, and count
                    // from then. (If the budget cannot be read, the slot stands.)
                    // At most a few times: a slot keeps moving only while other requests
                    // keep being answered late, and then sending is the better answer. A
                    // person's slot moved past their patience is given back instead.
                    let rechecks = if at > now { RECHECKS } else { 0 };
                    self.clock.sleep_until(at).await;
                    for _ in 0..rechecks {
                        match self.recheck(key, at, priority, give_up).await {
                            Ok(ready) if ready > give_up => {
                                return Err(no_slot(ready, self.clock.now()));
                            }
                            Ok(ready) if ready > at => {
                                at = ready;
                                self.clock.sleep_until(at).await;
                            }
                            _ => break,
                        }
                    }
                    return Ok(Some(at));
                }
                Slot::Later(at) if at <= give_up && priority == Priority::Background => {
                    self.clock.sleep_until(at).await;
                }
                Slot::Later(at) => return Err(no_slot(at, now)),
            }
        }
    }

    /// The request sent in `slot` was answered (`answer`: status and headers) or failed
    /// (`None`): it now counts from this moment, and what Procore said is applied (see
    /// [`lesson`]).
    pub async fn answered(&self, key: &str, slot: Option<i64>, answer: Option<(u16, &HeaderMap)>) {
        let done = self.clock.now();
        let lesson = answer.map_or(Lesson::Nothing, |(status, headers)| {
            lesson(status, headers, done)
        });
        if slot.is_none() && lesson == Lesson::Nothing {
            return;
        }
        let limits = self.limits;
        let mut blocked = None;
        let updated = self
            .update(key, |state| {
                if let Some(at) = slot {
                    state.answered(at, done);
                }
                if let Lesson::NoneBefore { until, refused } = lesson {
                    // Procore counts requests we did not (a sign-in's, say): believe it.
                    // When our log already knows there is no room, its exact times beat
                    // the header's whole seconds.
                    let we_saw_room = state
                        .earliest(done, limits, Priority::Person)
                        .is_some_and(|at| at <= done);
                    if refused || we_saw_room {
                        state.block_until(until);
                        blocked = Some((until - done, refused));
                    }
                }
                true
            })
            .await;
        match (updated, blocked) {
            (Ok(_), Some((wait_ms, refused))) => {
                tracing::info!(
                    key,
                    wait_ms,
                    refused,
                    "Procore budget held by Procore's answer"
                )
            }
            (Ok(_), None) => {}
            (Err(error), _) => tracing::warn!(%error, key, "Procore budget not updated"),
        }
    }

    /// The stored state of `key` (for tests and diagnostics).
    pub async fn state(&self, key: &str) -> Result<BudgetState, sqlx::Error> {
        Ok(self
            .rows
            .get(key)
            .await?
            .map(|(_, s)| s)
            .unwrap_or_default())
    }

    async fn take(
        &self,
        key: &str,
        priority: Priority,
        now: i64,
        horizon_ms: i64,
    ) -> Result<Slot, sqlx::Error> {
        let limits = self.limits;
        let mut slot = Slot::Later(i64::MAX);
        self.update(key, |state| {
            slot = state.take(now, limits, priority, horizon_ms);
            matches!(slot, Slot::At(_))
        })
        .await?;
        Ok(slot)
    }

    /// [`BudgetState::recheck`] of the slot `at`, stored: when the request may really go.
    /// A slot that would move past `latest` is given back instead.
    async fn recheck(
        &self,
        key: &str,
        at: i64,
        priority: Priority,
        latest: i64,
    ) -> Result<i64, sqlx::Error> {
        let limits = self.limits;
        let mut ready = at;
        self.update(key, |state| {
            ready = state.recheck(at, limits, priority);
            if ready > latest {
                state.release(ready);
            }
            ready > at
        })
        .await?;
        Ok(ready)
    }

    /// Read, change, compare-and-swap; `change` returns false to write nothing.
    async fn update(
        &self,
        key: &str,
        mut change: impl FnMut(&mut BudgetState) -> bool,
    ) -> Result<bool, sqlx::Error> {
        for attempt in 0..100u32 {
            let row = self.rows.get(key).await?;
            let version = row.as_ref().map(|(v, _)| *v);
            let mut state = row.map(|(_, s)| s).unwrap_or_default();
            if !change(&mut state) {
                return Ok(false);
            }
            let written = self.rows.put(key, version, &state).await?;
            if written {
                return Ok(true);
            }
            // Another task or process got there first: look again, after a moment when
            // it keeps happening.
            if attempt > 2 {
                let pause = rand::thread_rng().gen_range(1..5u64);
                tokio::time::sleep(Duration::from_millis(pause)).await;
            }
        }
        Err(sqlx::Error::Protocol(format!(
            "budget {key} kept changing under us"
        )))
    }
}
