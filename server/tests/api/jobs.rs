//! Background jobs: periodic work runs once per period across server processes, and a task
//! whose process died is picked up by another one and finishes. Each "process" is a
//! separate `Jobs` with its own pools on one database, as two replicas would have.

use std::collections::HashMap;
use std::time::Duration;

use server::db::Db;
use server::jobs::periodic::PeriodicKind;
use server::jobs::{Jobs, JobsConfig};

use crate::helpers::TestDb;

fn fast(periods: Vec<(PeriodicKind, i64)>, run_delay: Duration) -> JobsConfig {
    JobsConfig {
        scan_every: Duration::from_millis(200),
        poll_every: Duration::from_millis(200),
        heartbeat: Duration::from_secs(1),
        periods,
        run_delay,
    }
}

async fn replica(url: &str, config: JobsConfig) -> (Jobs, Db) {
    let db = Db::connect(url).await.expect("database");
    let jobs = Jobs::connect(url, db.clone(), config)
        .await
        .expect("job storage");
    (jobs, db)
}

/// Waits until `done` holds, up to `limit`.
async fn eventually<F, Fut>(limit: Duration, mut done: F) -> bool
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    let until = tokio::time::Instant::now() + limit;
    while tokio::time::Instant::now() < until {
        if done().await {
            return true;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    false
}

async fn periodic_work_runs_once_per_period_with_two_replicas(url: &str) {
    let every_second = vec![
        (PeriodicKind::PruneStripeEvents, 1),
        (PeriodicKind::DeleteExpiredSessions, 1),
    ];
    let (a, db) = replica(url, fast(every_second.clone(), Duration::ZERO)).await;
    let (b, _) = replica(url, fast(every_second, Duration::ZERO)).await;
    let (ha, hb) = (a.start(), b.start());
    tokio::time::sleep(Duration::from_secs(4)).await;
    ha.stop().await;
    hb.stop().await;
    // A period enqueued just before the stop may not have run; none may have run twice.
    let runs = db.job_runs().await.unwrap();
    let mut per_period: HashMap<(String, i64), usize> = HashMap::new();
    for run in &runs {
        *per_period
            .entry((run.task.clone(), run.period_start))
            .or_default() += 1;
    }
    let periods = per_period.len();
    assert!(
        periods >= 4,
        "two tasks over ~4 one-second periods ran: {runs:?}"
    );
    assert!(
        per_period.values().all(|n| *n == 1),
        "no period ran twice: {per_period:?}"
    );
    let claimed: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM job_periods")
        .fetch_one(db.pool())
        .await
        .unwrap();
    assert!(
        claimed.0 as usize >= periods,
        "every run had its period claimed once"
    );
}

async fn a_task_whose_process_died_is_finished_by_another(url: &str, locked_by_sql: &str) {
    let hourly = vec![(PeriodicKind::PruneStripeEvents, 3600)];
    // Replica A claims the task, then "dies" while holding it (its run waits 60 s).
    let (a, db) = replica(url, fast(hourly, Duration::from_secs(60))).await;
    let dying = a.start();
    let a_name = a.worker_name().to_string();
    let taken = eventually(Duration::from_secs(20), || {
        let db = db.clone();
        let sql = locked_by_sql.to_string();
        let a_name = a_name.clone();
        async move {
            let rows: Vec<(Option<String>,)> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
                .fetch_all(db.pool())
                .await
                .unwrap_or_default();
            rows.iter()
                .any(|(by,)| by.as_deref() == Some(a_name.as_str()))
        }
    })
    .await;
    assert!(taken, "replica A took the task");
    dying.abort();

    // Replica B enqueues nothing itself (this period is claimed) but finishes A's task.
    let (b, _) = replica(url, fast(vec![], Duration::ZERO)).await;
    let running = b.start();
    let b_name = b.worker_name().to_string();
    let finished = eventually(Duration::from_secs(30), || {
        let db = db.clone();
        let b_name = b_name.clone();
        async move {
            let runs = db.job_runs().await.unwrap_or_default();
            runs.iter().any(|r| r.worker == b_name)
        }
    })
    .await;
    running.stop().await;
    let runs = db.job_runs().await.unwrap();
    assert!(finished, "replica B finished the task: {runs:?}");
    assert_eq!(runs.len(), 1, "it ran once: {runs:?}");
}

#[tokio::test]
async fn periodic_work_runs_once_per_period_on_sqlite() {
    let t = TestDb::sqlite().await;
    periodic_work_runs_once_per_period_with_two_replicas(&t.url).await;
}

#[tokio::test]
async fn periodic_work_runs_once_per_period_on_postgres() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    periodic_work_runs_once_per_period_with_two_replicas(&t.url).await;
    t.cleanup().await;
}

#[tokio::test]
async fn dead_workers_task_is_picked_up_on_sqlite() {
    let t = TestDb::sqlite().await;
    a_task_whose_process_died_is_finished_by_another(&t.url, "SELECT lock_by FROM Jobs").await;
}

#[tokio::test]
async fn dead_workers_task_is_picked_up_on_postgres() {
    let Some(t) = TestDb::postgres().await else {
        return;
    };
    a_task_whose_process_died_is_finished_by_another(&t.url, "SELECT lock_by FROM apalis.jobs")
        .await;
    t.cleanup().await;
}
