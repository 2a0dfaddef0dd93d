//! The pure part of the budget: the send-time logs of the two rolling windows, when the
//! next request may go ([`BudgetState::take`]) and what Procore's answer teaches
//! ([`lesson`]). No I/O, so it is unit-tested in microseconds.

use reqwest::header::HeaderMap;

use super::{Priority, RateLimits, HOUR_GRAIN_MS, HOUR_WINDOW_MS, SPIKE_WINDOW_MS};

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
            self.insert_one(done);
        } else {
            entry.last = entry.last.max(done);
            self.entries.sort_by_key(|e| e.last);
        }
    }

    /// Logs one send at `at` in its own entry, in order.
    fn insert_one(&mut self, at: i64) {
        let position = self.entries.partition_point(|e| e.last <= at);
        self.entries.insert(
            position,
            Entry {
                first: at,
                last: at,
                count: 1,
            },
        );
    }

    /// Moves one send logged at `at` to `to`, alone: the others merged with it stay.
    fn move_one(&mut self, at: i64, to: i64) {
        if to > at && self.remove_one(at) {
            self.insert_one(to);
        }
    }

    /// Takes one send logged at `at` out of the log; false when none was.
    fn remove_one(&mut self, at: i64) -> bool {
        let Some(index) = self
            .entries
            .iter()
            .rposition(|e| e.first <= at && at <= e.last)
        else {
            return false;
        };
        if self.entries[index].count == 1 {
            self.entries.remove(index);
        } else {
            self.entries[index].count -= 1;
        }
        true
    }

    /// The earliest time from `from` at which the window of `window_ms` ending then holds
    /// fewer than `allowed` logged sends (sends logged after that time are not counted; a
    /// merged entry counts at its `last`).
    fn room_from(&self, from: i64, window_ms: i64, allowed: u32) -> i64 {
        let mut at = from;
        loop {
            let mut inside: Vec<(i64, u64)> = self
                .entries
                .iter()
                .filter(|e| e.last > at - window_ms && e.last <= at)
                .map(|e| (e.last, u64::from(e.count)))
                .collect();
            let mut over = inside.iter().map(|(_, n)| n).sum::<u64>() + 1;
            if over <= u64::from(allowed) {
                return at;
            }
            inside.sort_unstable();
            // Wait until enough of the oldest have left the window.
            for (last, count) in inside {
                over = over.saturating_sub(count);
                at = at.max(last + window_ms);
                if over <= u64::from(allowed) {
                    break;
                }
            }
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

/// The spike and hourly requests `priority` may use: all of them for people, all but the
/// reserves for background work.
fn allowed(limits: RateLimits, priority: Priority) -> (u32, u32) {
    match priority {
        Priority::Person => (limits.spike, limits.hourly),
        Priority::Background => (
            limits.spike - limits.spike_reserve(),
            limits.hourly - limits.hourly_reserve(),
        ),
    }
}

impl BudgetState {
    /// The earliest send time for `priority` at `now`, or `None` when the limits leave
    /// that priority no room at all.
    pub fn earliest(&self, now: i64, limits: RateLimits, priority: Priority) -> Option<i64> {
        let (spike, hourly) = allowed(limits, priority);
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

    /// The slot `at`, taken earlier, has come. Requests logged before it may have been
    /// answered since, and now count from their answer (Procore counted them somewhere in
    /// between): returns `at` when the spike window ending at `at` still has room for this
    /// request, else the later time when it will, to which the slot is moved.
    pub fn recheck(&mut self, at: i64, limits: RateLimits, priority: Priority) -> i64 {
        let (spike, _) = allowed(limits, priority);
        let mut others = self.spike.clone();
        if !others.remove_one(at) {
            return at;
        }
        let ready = others.room_from(at, SPIKE_WINDOW_MS, spike);
        // Only this request moves: moving the entry it was merged into would move the
        // others with it, and their own rechecks would then push each other on for ever.
        self.spike.move_one(at, ready);
        self.hour.move_one(at, ready);
        ready
    }

    /// The slot `at` will not be used: it no longer counts.
    pub fn release(&mut self, at: i64) {
        self.spike.remove_one(at);
        self.hour.remove_one(at);
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
    fn a_slot_waits_longer_when_a_request_it_waited_for_was_answered_late() {
        let mut state = BudgetState::default();
        let times = take_all(&mut state, T0, 26, Priority::Person);
        let slot = times[25];
        assert_eq!(slot, T0 + SPIKE_WINDOW_MS);
        // Nothing learnt since the slot was taken: it stands.
        assert_eq!(state.clone().recheck(slot, DOC, Priority::Person), slot);
        // Answered 5 ms after they were sent: 5 ms more to wait.
        let mut quick = state.clone();
        for _ in 0..25 {
            quick.answered(T0, T0 + 5);
        }
        assert_eq!(quick.recheck(slot, DOC, Priority::Person), slot + 5);
        // Answered 3 s after they were sent (a slow network): Procore may have counted all
        // 25 as late as that, so the 26th must wait until 10 s after it.
        for _ in 0..25 {
            state.answered(T0, T0 + 3_000);
        }
        let moved = state.recheck(slot, DOC, Priority::Person);
        assert_eq!(moved, T0 + 3_000 + SPIKE_WINDOW_MS);
        // The slot itself moved: asking again at the new time finds room.
        assert_eq!(state.recheck(moved, DOC, Priority::Person), moved);
        assert_eq!(state.spike.len(), 26);
    }

    #[test]
    fn rechecks_of_slots_merged_together_settle_instead_of_pushing_each_other_on() {
        let mut state = BudgetState::default();
        // 25 sent at T0, then 25 more given slots ahead, merged at T0 + 10 s.
        take_all(&mut state, T0, 25, Priority::Person);
        let ahead = take_all(&mut state, T0, 25, Priority::Person);
        assert!(ahead.iter().all(|&at| at == T0 + SPIKE_WINDOW_MS));
        // The first 25 were answered 2 s late: each later slot is checked when it comes,
        // then again at its new time, as `Budget::acquire` does.
        for _ in 0..25 {
            state.answered(T0, T0 + 2_000);
        }
        let mut sent = Vec::new();
        for &slot in &ahead {
            let mut at = slot;
            let mut checks = 0;
            loop {
                let ready = state.recheck(at, DOC, Priority::Person);
                checks += 1;
                assert!(checks < 5, "slot {slot} still moving after {checks} checks");
                if ready <= at {
                    break;
                }
                at = ready;
            }
            sent.push(at);
        }
        sent.sort_unstable();
        assert!(max_in_window(&sent, SPIKE_WINDOW_MS) <= 25);
        assert_eq!(*sent.last().unwrap(), T0 + 2_000 + SPIKE_WINDOW_MS);
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
