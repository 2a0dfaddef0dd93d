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

/// Requests sent between `first` and `last` (Unix ms); they all leave a window of length
/// `W` at `last + W`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    first: i64,
    last: i64,
    count: u32,
}

/// The send times of one window, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SendLog {
    entries: Vec<Entry>,
}

impl SendLog {
    /// Parses the stored form (`first[:last:count],…`); anything unreadable is dropped.
    pub fn parse(text: &str) -> Self {
        let entries = text
            .split(',')
            .filter(|part| !part.is_empty())
            .filter_map(|part| {
                let mut fields = part.split(':').map(|f| f.parse::<i64>().ok());
                match (fields.next(), fields.next(), fields.next()) {
                    (Some(Some(at)), None, None) => Some(Entry {
                        first: at,
                        last: at,
                        count: 1,
                    }),
                    (Some(Some(first)), Some(Some(last)), Some(Some(count)))
                        if count > 0 && last >= first =>
                    {
                        Some(Entry {
                            first,
                            last,
                            count: u32::try_from(count).ok()?,
                        })
                    }
                    _ => None,
                }
            })
            .collect();
        Self { entries }
    }

    /// The stored form.
    pub fn render(&self) -> String {
        self.entries
            .iter()
            .map(|e| {
                if e.count == 1 && e.first == e.last {
                    e.first.to_string()
                } else {
                    format!("{}:{}:{}", e.first, e.last, e.count)
                }
            })
            .collect::<Vec<_>>()
            .join(",")
    }

    /// Requests logged.
    pub fn len(&self) -> u64 {
        self.entries.iter().map(|e| u64::from(e.count)).sum()
    }

    /// True when nothing is logged.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The latest send time logged.
    fn tail(&self) -> Option<i64> {
        self.entries.iter().map(|e| e.last).max()
    }

    /// Forgets what has left a window of `window_ms` at `now`.
    fn prune(&mut self, now: i64, window_ms: i64) {
        self.entries.retain(|e| e.last + window_ms > now);
    }

    /// The earliest time, not before `from` nor before the latest logged send, at which one
    /// more request keeps every window of `window_ms` at `allowed` requests or fewer; `None`
    /// when `allowed` is 0. (Every logged request that has not left the window by then is
    /// counted, wherever it lies, so the answer is safe even for an unordered log.)
    pub fn earliest(&self, from: i64, window_ms: i64, allowed: u32) -> Option<i64> {
        if allowed == 0 {
            return None;
        }
        let mut at = from.max(self.tail().unwrap_or(i64::MIN));
        let mut used = self.len();
        for entry in &self.entries {
            if used < u64::from(allowed) {
                break;
            }
            used -= u64::from(entry.count);
            at = at.max(entry.last + window_ms);
        }
        Some(at)
    }

    /// A request logged at `at` was answered at `done`: from now on it counts from `done`
    /// (Procore counted it somewhere in between).
    fn answered(&mut self, at: i64, done: i64) {
        if done <= at {
            return;
        }
        let Some(index) = self
            .entries
            .iter()
            .rposition(|e| e.first <= at && at <= e.last)
        else {
            return;
        };
        let entry = &mut self.entries[index];
        if entry.count == 1 {
            self.entries.remove(index);
            let position = self.entries.partition_point(|e| e.last <= done);
            self.entries.insert(
                position,
                Entry {
                    first: done,
                    last: done,
                    count: 1,
                },
            );
        } else {
            entry.last = entry.last.max(done);
            self.entries.sort_by_key(|e| e.last);
        }
    }

    /// Logs a send at `at` (not before the latest logged one), merging it into the latest
    /// entry when that began less than `grain_ms` earlier.
    fn record(&mut self, at: i64, grain_ms: i64) {
        match self.entries.last_mut() {
            Some(last) if grain_ms > 0 && at - last.first < grain_ms => {
                last.last = last.last.max(at);
                last.count += 1;
            }
            _ => self.entries.push(Entry {
                first: at,
                last: at,
                count: 1,
            }),
        }
    }
}

/// One budget row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BudgetState {
    /// Send times inside the spike window.
    pub spike: SendLog,
    /// Send times inside the hourly window.
    pub hour: SendLog,
    /// Procore said: nothing before this (Unix ms).
    pub blocked_until: i64,
}

/// The outcome of asking for a slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Slot {
    /// Reserved: send at this time (Unix ms; now or later).
    At(i64),
    /// Not reserved: ask again at this time (`i64::MAX` = never under these limits).
    Later(i64),
}

impl BudgetState {
    /// The earliest send time for `priority` at `now`, or `None` when the limits leave
    /// that priority no room at all.
    pub fn earliest(&self, now: i64, limits: RateLimits, priority: Priority) -> Option<i64> {
        let (spike, hourly) = match priority {
            Priority::Person => (limits.spike, limits.hourly),
            Priority::Background => (
                limits.spike - limits.spike_reserve(),
                limits.hourly - limits.hourly_reserve(),
            ),
        };
        let from = now.max(self.blocked_until);
        let at = self.spike.earliest(from, SPIKE_WINDOW_MS, spike)?;
        self.hour.earliest(at, HOUR_WINDOW_MS, hourly)
    }

    /// Takes a slot at `now` for `priority` if it is within `horizon_ms` (background work
    /// only takes one that is free now), logging it; otherwise says when to ask again.
    pub fn take(
        &mut self,
        now: i64,
        limits: RateLimits,
        priority: Priority,
        horizon_ms: i64,
    ) -> Slot {
        self.spike.prune(now, SPIKE_WINDOW_MS);
        self.hour.prune(now, HOUR_WINDOW_MS);
        let Some(at) = self.earliest(now, limits, priority) else {
            return Slot::Later(i64::MAX);
        };
        let horizon = match priority {
            Priority::Person => horizon_ms,
            Priority::Background => 0,
        };
        if at - now > horizon {
            return Slot::Later(at);
        }
        self.spike.record(at, 0);
        self.hour.record(at, HOUR_GRAIN_MS);
        Slot::At(at)
    }

    /// The request given slot `at` was answered at `done`.
    pub fn answered(&mut self, at: i64, done: i64) {
        self.spike.answered(at, done);
        self.hour.answered(at, done);
    }

    /// Procore throttled us or said it has no room left: nothing before `until`.
    pub fn block_until(&mut self, until: i64) {
        self.blocked_until = self.blocked_until.max(until);
    }
}

/// What a Procore response taught us about the budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lesson {
    /// Nothing to change.
    Nothing,
    /// Procore refused (429), or the window the headers describe is exhausted: no request
    /// before this time (Unix ms), unless our own log already knows as much.
    NoneBefore {
        /// Unix ms.
        until: i64,
        /// A 429: always apply (otherwise only when our log still saw room).
        refused: bool,
    },
}

/// Reads `X-Rate-Limit-Remaining` / `X-Rate-Limit-Reset` of a success, or the wait of a 429.
pub fn lesson(status: u16, headers: &HeaderMap, now: i64) -> Lesson {
    let number =
        |name: &str| -> Option<i64> { headers.get(name)?.to_str().ok()?.trim().parse().ok() };
    if status == 429 {
        let until = match (number("retry-after"), number("x-rate-limit-reset")) {
            (Some(secs), _) => now + secs.max(0) * 1000,
            (None, Some(reset)) => (reset * 1000).max(now + 1000),
            (None, None) => now + 1000,
        };
        return Lesson::NoneBefore {
            until,
            refused: true,
        };
    }
    match (
        number("x-rate-limit-remaining"),
        number("x-rate-limit-reset"),
    ) {
        (Some(remaining), Some(reset)) if remaining <= 0 && reset * 1000 > now => {
            Lesson::NoneBefore {
                until: reset * 1000,
                refused: false,
            }
        }
        _ => Lesson::Nothing,
    }
}

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
                Slot::At(at) => {
                    sleep_until(at).await;
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

#[cfg(test)]
mod tests {
    use super::*;
    use reqwest::header::HeaderValue;

    const T0: i64 = 1_800_000_000_000;
    const DOC: RateLimits = RateLimits {
        hourly: 600,
        spike: 25,
    };

    fn take_all(state: &mut BudgetState, now: i64, n: usize, priority: Priority) -> Vec<i64> {
        (0..n)
            .map(|_| match state.take(now, DOC, priority, i64::MAX / 4) {
                Slot::At(at) => at,
                Slot::Later(at) => panic!("no slot (later {at})"),
            })
            .collect()
    }

    /// At most `limit` of `times` in any half-open window `[t, t + window)`.
    fn max_in_window(times: &[i64], window: i64) -> usize {
        times
            .iter()
            .map(|&start| {
                times
                    .iter()
                    .filter(|&&t| t >= start && t < start + window)
                    .count()
            })
            .max()
            .unwrap_or(0)
    }

    #[test]
    fn a_burst_of_the_spike_limit_goes_at_once_and_the_next_waits_a_whole_window() {
        let mut state = BudgetState::default();
        let times = take_all(&mut state, T0, 34, Priority::Person);
        assert!(times[..25].iter().all(|&t| t == T0), "{times:?}");
        // Rolling window: the 26th may only go when the 1st has left it.
        assert!(
            times[25..].iter().all(|&t| t == T0 + SPIKE_WINDOW_MS),
            "{times:?}"
        );
        assert_eq!(max_in_window(&times, 10_000), 25);
    }

    #[test]
    fn a_steady_stream_never_exceeds_the_spike_limit_in_any_rolling_window() {
        let mut state = BudgetState::default();
        let mut times = Vec::new();
        // Requests arriving every 100 ms for a minute, each sent at its slot.
        for i in 0..600 {
            let now = T0 + i * 100;
            times.extend(take_all(&mut state, now, 1, Priority::Person));
        }
        assert!(times.windows(2).all(|w| w[0] <= w[1]), "slots in order");
        assert!(max_in_window(&times, 10_000) <= 25);
        // Sustained: 25 per window (plus margin), no faster.
        let last = *times.last().unwrap();
        assert!(last >= T0 + 23 * 10_000, "{}", last - T0);
    }

    #[test]
    fn the_hourly_limit_holds_and_its_log_stays_small() {
        let limits = RateLimits {
            hourly: 600,
            spike: 1_000,
        };
        let mut state = BudgetState::default();
        let mut times = Vec::new();
        for i in 0..1_000 {
            let now = T0 + i * 1_000;
            match state.take(now, limits, Priority::Person, i64::MAX / 4) {
                Slot::At(at) => times.push(at),
                Slot::Later(at) => panic!("{at}"),
            }
        }
        assert_eq!(times[599], T0 + 599_000);
        // The 601st waits until the first minute's requests have left the hour.
        assert!(times[600] >= T0 + 3_600_000, "{}", times[600] - T0);
        assert!(max_in_window(&times, 3_600_000) <= 600);
        assert!(
            state.hour.entries.len() <= 70,
            "{}",
            state.hour.entries.len()
        );
    }

    #[test]
    fn background_keeps_a_reserve_for_people_and_never_books_ahead() {
        let mut state = BudgetState::default();
        take_all(&mut state, T0, 20, Priority::Person);
        // 5 left of 25: background must wait until the burst leaves the window.
        assert_eq!(
            state.take(T0, DOC, Priority::Background, i64::MAX / 4),
            Slot::Later(T0 + SPIKE_WINDOW_MS)
        );
        assert_eq!(state.spike.len(), 20, "nothing reserved");
        // A person still goes at once, five times.
        assert_eq!(take_all(&mut state, T0, 5, Priority::Person), vec![T0; 5]);
        // Background alone may use 20 of 25, leaving 5 for people.
        let mut state = BudgetState::default();
        assert_eq!(
            take_all(&mut state, T0, 20, Priority::Background),
            vec![T0; 20]
        );
        assert!(matches!(
            state.take(T0, DOC, Priority::Background, i64::MAX / 4),
            Slot::Later(_)
        ));
        assert_eq!(take_all(&mut state, T0, 5, Priority::Person), vec![T0; 5]);
        // People queued into the future: background does not slip in before them.
        let mut state = BudgetState::default();
        take_all(&mut state, T0, 26, Priority::Person);
        assert_eq!(
            state.take(T0 + 5_000, DOC, Priority::Background, 0),
            Slot::Later(T0 + SPIKE_WINDOW_MS)
        );
        assert_eq!(state.spike.len(), 26, "nothing reserved");
    }

    #[test]
    fn a_person_is_not_booked_beyond_their_patience() {
        let mut state = BudgetState::default();
        take_all(&mut state, T0, 25, Priority::Person);
        assert_eq!(
            state.take(T0, DOC, Priority::Person, 5_000),
            Slot::Later(T0 + SPIKE_WINDOW_MS)
        );
        assert_eq!(state.spike.len(), 25);
        assert_eq!(
            state.take(T0, DOC, Priority::Person, 20_000),
            Slot::At(T0 + SPIKE_WINDOW_MS)
        );
    }

    #[test]
    fn a_request_counts_from_its_answer() {
        let mut state = BudgetState::default();
        let times = take_all(&mut state, T0, 25, Priority::Person);
        // The last of the burst was answered 3 s later (queued at Procore, slow network):
        // Procore may have counted it as late as that, so its slot frees 3 s later too.
        state.answered(times[24], T0 + 3_000);
        let next = take_all(&mut state, T0, 25, Priority::Person);
        assert!(
            next[..24].iter().all(|&t| t == T0 + SPIKE_WINDOW_MS),
            "{next:?}"
        );
        assert_eq!(next[24], T0 + 3_000 + SPIKE_WINDOW_MS);
        assert_eq!(state.spike.len(), 50);
        // Coalesced hourly entries stretch to the answer.
        let mut log = SendLog::default();
        log.record(T0, HOUR_GRAIN_MS);
        log.record(T0 + 10, HOUR_GRAIN_MS);
        log.answered(T0, T0 + 500);
        assert_eq!(log.render(), format!("{T0}:{}:2", T0 + 500));
    }

    #[test]
    fn procore_blocks_win() {
        let mut state = BudgetState::default();
        state.block_until(T0 + 3_000);
        state.block_until(T0 + 1_000);
        assert_eq!(
            take_all(&mut state, T0, 1, Priority::Person),
            vec![T0 + 3_000]
        );
    }

    #[test]
    fn zero_limits_never_grant() {
        let limits = RateLimits {
            hourly: 0,
            spike: 0,
        };
        let mut state = BudgetState::default();
        assert_eq!(
            state.take(T0, limits, Priority::Person, i64::MAX / 4),
            Slot::Later(i64::MAX)
        );
    }

    #[test]
    fn logs_round_trip_and_skip_garbage() {
        let mut log = SendLog::default();
        log.record(T0, 0);
        log.record(T0 + 5, HOUR_GRAIN_MS);
        log.record(T0 + HOUR_GRAIN_MS + 1, HOUR_GRAIN_MS);
        let text = log.render();
        assert_eq!(
            text,
            format!("{T0}:{}:2,{}", T0 + 5, T0 + HOUR_GRAIN_MS + 1)
        );
        assert_eq!(SendLog::parse(&text), log);
        assert_eq!(SendLog::parse("x,1:0:1,5:6:0,7").render(), "7");
        assert!(SendLog::parse("").is_empty());
    }

    #[test]
    fn lessons_from_headers() {
        let now = T0;
        let mut headers = HeaderMap::new();
        headers.insert("x-rate-limit-remaining", HeaderValue::from_static("3"));
        headers.insert(
            "x-rate-limit-reset",
            HeaderValue::from_str(&((T0 + 4_000) / 1000).to_string()).unwrap(),
        );
        assert_eq!(lesson(200, &headers, now), Lesson::Nothing);
        headers.insert("x-rate-limit-remaining", HeaderValue::from_static("0"));
        assert_eq!(
            lesson(200, &headers, now),
            Lesson::NoneBefore {
                until: T0 + 4_000,
                refused: false
            }
        );
        headers.insert("retry-after", HeaderValue::from_static("7"));
        assert_eq!(
            lesson(429, &headers, now),
            Lesson::NoneBefore {
                until: T0 + 7_000,
                refused: true
            }
        );
        assert_eq!(lesson(200, &HeaderMap::new(), now), Lesson::Nothing);
    }
}
