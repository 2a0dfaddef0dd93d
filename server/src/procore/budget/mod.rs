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
//! What Procore says wins: a 429's `Retry-After`, or `X-Rate-Limit-Remaining: 0` while our
//! log still saw room (requests we did not count, e.g. from a sign-in), blocks the budget
//! until Procore's reset time.

use std::time::Duration;

use rand::Rng;
use reqwest::header::HeaderMap;

use crate::db::Db;

mod log;

pub use log::{lesson, BudgetState, Lesson, SendLog, Slot};

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

/// Current time as Unix milliseconds.
pub fn now_ms() -> i64 {
    (time::OffsetDateTime::now_utc().unix_timestamp_nanos() / 1_000_000) as i64
}

/// The shared budgets: the database and the limits they enforce.
#[derive(Debug, Clone)]
pub struct Budget {
    db: Db,
    limits: RateLimits,
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
        Self { db, limits }
    }

    /// The limits enforced.
    pub fn limits(&self) -> RateLimits {
        self.limits
    }

    /// Waits until `key` may send one request for `priority`, and reserves it (returning
    /// the slot, for [`Self::answered`]; `None` when the budget could not be read). A person
    /// waits at most `patience` (otherwise nothing is reserved and the wait is returned);
    /// background work polls for room up to [`BACKGROUND_PATIENCE`]. If the database fails,
    /// the request goes out unpaced (Procore's own 429s are still handled).
    pub async fn acquire(
        &self,
        key: &str,
        priority: Priority,
        patience: Duration,
    ) -> Result<Option<i64>, NoSlot> {
        let patience = match priority {
            Priority::Person => patience,
            Priority::Background => BACKGROUND_PATIENCE,
        };
        let give_up = now_ms() + i64::try_from(patience.as_millis()).unwrap_or(i64::MAX / 2);
        loop {
            let now = now_ms();
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
                    // keep being answered late, and then sending is the better answer.
                    let rechecks = if at > now { RECHECKS } else { 0 };
                    sleep_until(at).await;
                    for _ in 0..rechecks {
                        match self.recheck(key, at, priority).await {
                            Ok(ready) if ready > at => {
                                at = ready;
                                sleep_until(at).await;
                            }
                            _ => break,
                        }
                    }
                    return Ok(Some(at));
                }
                Slot::Later(at) if at <= give_up && priority == Priority::Background => {
                    sleep_until(at).await;
                }
                Slot::Later(at) => {
                    let wait = at.saturating_sub(now).max(0);
                    return Err(NoSlot {
                        retry_after: Duration::from_millis(u64::try_from(wait).unwrap_or(u64::MAX)),
                    });
                }
            }
        }
    }

    /// The request sent in `slot` was answered (`answer`: status and headers) or failed
    /// (`None`): it now counts from this moment, and what Procore said is applied (see
    /// [`lesson`]).
    pub async fn answered(&self, key: &str, slot: Option<i64>, answer: Option<(u16, &HeaderMap)>) {
        let done = now_ms();
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
            .db
            .budget_row(key)
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
    async fn recheck(&self, key: &str, at: i64, priority: Priority) -> Result<i64, sqlx::Error> {
        let limits = self.limits;
        let mut ready = at;
        self.update(key, |state| {
            ready = state.recheck(at, limits, priority);
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
            let row = self.db.budget_row(key).await?;
            let (version, mut state) = row.clone().unwrap_or_default();
            if !change(&mut state) {
                return Ok(false);
            }
            let written = match row {
                None => self.db.insert_budget_row(key, &state).await?,
                Some(_) => self.db.swap_budget_row(key, version, &state).await?,
            };
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

async fn sleep_until(at: i64) {
    let wait = at - now_ms();
    if wait > 0 {
        tokio::time::sleep(Duration::from_millis(wait as u64)).await;
    }
}

impl Db {
    /// The budget row of `key`: its version and state.
    async fn budget_row(&self, key: &str) -> Result<Option<(i64, BudgetState)>, sqlx::Error> {
        let row: Option<(i64, String, String, i64)> = sqlx::query_as(
            "SELECT version, spike_log, hour_log, blocked_until FROM procore_budgets WHERE key = $1",
        )
        .bind(key.to_string())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(version, spike, hour, blocked_until)| {
            (
                version,
                BudgetState {
                    spike: SendLog::parse(&spike),
                    hour: SendLog::parse(&hour),
                    blocked_until,
                },
            )
        }))
    }

    /// Creates the row of `key`; false when another caller created it first.
    async fn insert_budget_row(&self, key: &str, state: &BudgetState) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "INSERT INTO procore_budgets (key, version, spike_log, hour_log, blocked_until)
             VALUES ($1, 1, $2, $3, $4) ON CONFLICT (key) DO NOTHING",
        )
        .bind(key.to_string())
        .bind(state.spike.render())
        .bind(state.hour.render())
        .bind(state.blocked_until)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Replaces the row of `key` if it is still at `version`.
    async fn swap_budget_row(
        &self,
        key: &str,
        version: i64,
        state: &BudgetState,
    ) -> Result<bool, sqlx::Error> {
        let done = sqlx::query(
            "UPDATE procore_budgets SET version = version + 1, spike_log = $1, hour_log = $2,
               blocked_until = $3
             WHERE key = $4 AND version = $5",
        )
        .bind(state.spike.render())
        .bind(state.hour.render())
        .bind(state.blocked_until)
        .bind(key.to_string())
        .bind(version)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected() == 1)
    }
}
