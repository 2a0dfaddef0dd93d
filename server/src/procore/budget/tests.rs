//! `Budget::acquire` with paused time: a person never waits longer than
//! [`PERSON_MAX_WAIT`], background work never longer than [`BACKGROUND_PATIENCE`], and
//! nothing hangs, whatever order (and delay) the answers come back in. The rows are in
//! memory and the clock is tokio's, so each run is deterministic.

use std::time::Duration;

use reqwest::header::{HeaderMap, HeaderValue};
use tokio::time::Instant;

use super::*;

const T0: i64 = 1_800_000_000_000;
const KEY: &str = "user:1";
/// What the client passes as patience (`RetryPolicy::max_wait`).
const CLIENT_PATIENCE: Duration = Duration::from_secs(20);
/// Timer rounding and the in-memory rows' yields.
const SLACK: Duration = Duration::from_millis(300);

fn budget() -> Budget {
    Budget::in_memory(RateLimits::default(), T0)
}

async fn answer_ok(budget: &Budget, slot: Option<i64>) {
    budget
        .answered(KEY, slot, Some((200, &HeaderMap::new())))
        .await;
}

#[tokio::test(start_paused = true)]
async fn a_person_is_refused_at_once_rather_than_queued_past_the_ceiling() {
    let budget = budget();
    let started = Instant::now();
    for _ in 0..25 {
        let slot = budget.acquire(KEY, Priority::Person, CLIENT_PATIENCE).await;
        assert_eq!(slot, Ok(Some(T0)));
    }
    // The 26th could only go when the first has left the 10-second window.
    let refused = budget
        .acquire(KEY, Priority::Person, CLIENT_PATIENCE)
        .await
        .expect_err("more than the ceiling away");
    assert_eq!(refused.retry_after, Duration::from_millis(10_100));
    assert_eq!(started.elapsed(), Duration::ZERO, "refused without waiting");
    assert_eq!(budget.state(KEY).await.unwrap().spike.len(), 25);

    // Six seconds on, the slot is 4.1 s away: within the ceiling, so it waits for it.
    tokio::time::advance(Duration::from_secs(6)).await;
    let asked = Instant::now();
    let slot = budget.acquire(KEY, Priority::Person, CLIENT_PATIENCE).await;
    assert_eq!(slot, Ok(Some(T0 + 10_100)));
    assert_eq!(asked.elapsed(), Duration::from_millis(4_100));
}

#[tokio::test(start_paused = true)]
async fn a_slot_pushed_past_the_ceiling_by_late_answers_is_given_back() {
    let budget = budget();
    let mut burst = Vec::new();
    for _ in 0..25 {
        burst.push(budget.acquire(KEY, Priority::Person, CLIENT_PATIENCE).await);
    }
    tokio::time::advance(Duration::from_secs(6)).await;
    let person = tokio::spawn({
        let budget = budget.clone();
        async move {
            let asked = Instant::now();
            let outcome = budget.acquire(KEY, Priority::Person, CLIENT_PATIENCE).await;
            (outcome, asked.elapsed())
        }
    });
    // The burst is answered 7 s after it was sent (a slow Procore): it counts from then,
    // so the waiting slot could only go at T0 + 17.1 s, 11.1 s after it was asked for.
    tokio::time::sleep(Duration::from_secs(1)).await;
    for slot in burst {
        answer_ok(&budget, slot.unwrap()).await;
    }
    let (outcome, waited) = person.await.unwrap();
    let refused = outcome.expect_err("past the ceiling");
    assert!(waited <= PERSON_MAX_WAIT, "{waited:?}");
    assert_eq!(refused.retry_after, Duration::from_millis(7_000));
    let state = budget.state(KEY).await.unwrap();
    assert_eq!(state.spike.len(), 25, "the slot was given back");
    // Background work keeps its patience: it waits for the window, then goes.
    let asked = Instant::now();
    let slot = budget
        .acquire(KEY, Priority::Background, Duration::ZERO)
        .await;
    assert_eq!(slot, Ok(Some(T0 + 17_100)));
    assert_eq!(asked.elapsed(), Duration::from_millis(7_000));
}

/// A small deterministic generator (xorshift), so each seed replays the same run.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

/// How the answers come back.
#[derive(Clone, Copy, Debug)]
enum Order {
    /// Each after a random delay of up to 4 s.
    Random,
    /// The first sent is answered last (up to 6 s late).
    Reversed,
    /// Quickly, but one in seven 9 s late.
    Stragglers,
    /// Random, with some refused by Procore (429, `Retry-After: 2`) and some lost.
    Throttled,
}

struct Request {
    priority: Priority,
    /// When it is made, from the start (ms); several share one moment, so their slots
    /// merge in the hourly log and their rechecks meet.
    at_ms: u64,
    latency_ms: u64,
    status: Option<u16>,
}

fn plan(seed: u64, order: Order) -> Vec<Request> {
    let mut dice = Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let n = 90;
    (0..n)
        .map(|i| {
            let priority = if dice.below(3) == 0 {
                Priority::Background
            } else {
                Priority::Person
            };
            let at_ms = dice.below(8) * 2_500 + dice.below(3) * 7;
            let (latency_ms, status) = match order {
                Order::Random => (dice.below(4_000), Some(200)),
                Order::Reversed => ((n - i) * 6_000 / n, Some(200)),
                Order::Stragglers if dice.below(7) == 0 => (9_000, Some(200)),
                Order::Stragglers => (dice.below(50), Some(200)),
                Order::Throttled => match dice.below(10) {
                    0 => (dice.below(500), Some(429)),
                    1 => (dice.below(3_000), None),
                    _ => (dice.below(4_000), Some(200)),
                },
            };
            Request {
                priority,
                at_ms,
                latency_ms,
                status,
            }
        })
        .collect()
}

/// Runs one plan; returns (priority, wait, granted) per request.
async fn run(requests: Vec<Request>) -> Vec<(Priority, Duration, bool)> {
    let budget = budget();
    let tasks = requests.into_iter().map(|r| {
        let budget = budget.clone();
        tokio::spawn(async move {
            tokio::time::sleep(Duration::from_millis(r.at_ms)).await;
            let asked = Instant::now();
            let outcome = budget.acquire(KEY, r.priority, CLIENT_PATIENCE).await;
            let waited = asked.elapsed();
            if let Ok(slot) = outcome {
                tokio::time::sleep(Duration::from_millis(r.latency_ms)).await;
                let mut headers = HeaderMap::new();
                headers.insert("retry-after", HeaderValue::from_static("2"));
                let answer = r.status.map(|status| (status, &headers));
                budget.answered(KEY, slot, answer).await;
            }
            (r.priority, waited, outcome.is_ok())
        })
    });
    let all = futures::future::join_all(tasks);
    let done = tokio::time::timeout(Duration::from_secs(3_600), all)
        .await
        .expect("every request settles: nothing hangs");
    done.into_iter().map(|r| r.unwrap()).collect()
}

#[tokio::test(start_paused = true)]
async fn waits_stay_bounded_whatever_order_the_answers_come_back_in() {
    let (mut refused_people, mut waited_people, mut waited_background) = (0, 0, 0);
    for order in [
        Order::Random,
        Order::Reversed,
        Order::Stragglers,
        Order::Throttled,
    ] {
        for seed in 0..12 {
            for (priority, waited, granted) in run(plan(seed, order)).await {
                let bound = match priority {
                    Priority::Person => PERSON_MAX_WAIT,
                    Priority::Background => BACKGROUND_PATIENCE,
                };
                assert!(
                    waited <= bound + SLACK,
                    "{order:?} seed {seed}: a {priority:?} request waited {waited:?}"
                );
                match priority {
                    Priority::Person if !granted => refused_people += 1,
                    Priority::Person if waited > Duration::ZERO => waited_people += 1,
                    Priority::Background if waited > Duration::ZERO => waited_background += 1,
                    _ => {}
                }
                assert!(
                    granted || priority == Priority::Person,
                    "{order:?} seed {seed}: background work gave up"
                );
            }
        }
    }
    // The runs did press on the limits: people were refused and waited, background waited.
    assert!(refused_people > 0 && waited_people > 0 && waited_background > 0);
}
