//! Several processes: a run whose process dies part-way is resumed by another from its last
//! committed record and ends right; two processes on one database never queue or run the
//! same sync twice.

use std::time::Duration;

use serde_json::json;

use super::flows::scheduled;
use super::*;

async fn killed_run_resumes(db: TestDb) {
    let l = licensed(&db).await;
    let p = l.project;
    settings(&l, p, &all("to_procore")).await;
    for i in 0..40 {
        add_entry(&l, p, "users", json!({"email_address": format!("crew.{i:02}@harbor.example"), "last_name": format!("Crew {i}")})).await;
    }
    faults(&l.app, json!({"rate": 0, "latency_ms": 60})).await;
    let a = replica(&l, &db.url, quick(), Duration::from_secs(10)).await;
    let ha = a.start();
    let r = l
        .app
        .call(
            "start_sync",
            &[("project", &p.to_string()), ("resource", "users")],
        )
        .await;
    let id = r.json::<serde_json::Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    // Let A commit some records, then kill it.
    let until = std::time::Instant::now() + Duration::from_secs(60);
    loop {
        let run = db.db.run(&id).await.unwrap().unwrap();
        if run.counts.done >= 8 {
            break;
        }
        assert!(std::time::Instant::now() < until, "A never got going");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    ha.abort();
    let at_kill = db.db.run(&id).await.unwrap().unwrap();
    assert!(
        at_kill.counts.done < at_kill.counts.total,
        "killed part-way: {}/{}",
        at_kill.counts.done,
        at_kill.counts.total
    );
    let b = replica(&l, &db.url, quick(), Duration::from_secs(10)).await;
    let hb = b.start();
    let run = wait_closed(&l, p, &id).await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let log = db.db.run_log(&id, 1000).await.unwrap();
    assert!(
        log.iter()
            .any(|line| line.message.starts_with("Resumed by")),
        "{log:?}"
    );
    let emails = procore_emails(&l, p).await;
    for i in 0..40 {
        let email = format!("crew.{i:02}@harbor.example");
        assert_eq!(
            emails.iter().filter(|e| **e == email).count(),
            1,
            "{email} once"
        );
        let dir = procore_list(
            &l,
            &format!(
                "/rest/v1.3/companies/{}/users?filters[search]={email}",
                HARBOR.get()
            ),
        )
        .await;
        assert_eq!(dir.len(), 1, "{email} once in the company directory");
    }
    hb.stop().await;
    db.cleanup().await;
}

async fn two_processes_one_run(db: TestDb) {
    let l = licensed(&db).await;
    let p = l.project;
    settings(&l, p, &all("from_procore")).await;
    let a = replica(&l, &db.url, quick(), Duration::from_secs(10)).await;
    let b = replica(&l, &db.url, quick(), Duration::from_secs(10)).await;
    let (ha, hb) = (a.start(), b.start());
    // Both scan every 300 ms; make runs due again and again.
    for round in 0..3 {
        let (run, id) = scheduled(&l, &a, p, "users").await;
        assert_eq!(run["state"], "succeeded", "round {round}: {run}");
        let started = db
            .db
            .run_log(&id, 1000)
            .await
            .unwrap()
            .iter()
            .filter(|l| l.message.contains("sync started"))
            .count();
        assert_eq!(started, 1, "run {id} ran once");
        tokio::time::sleep(Duration::from_millis(700)).await;
    }
    let dupes: Vec<(String, i64)> = sqlx::query_as(
        "SELECT run_key, COUNT(*) FROM sync_runs GROUP BY run_key HAVING COUNT(*) > 1",
    )
    .fetch_all(db.db.pool())
    .await
    .unwrap();
    assert!(dupes.is_empty(), "{dupes:?}");
    let per_due: Vec<(i64, i64)> = sqlx::query_as("SELECT due_at, COUNT(*) FROM sync_runs WHERE resource = 'users' GROUP BY due_at HAVING COUNT(*) > 1")
        .fetch_all(db.db.pool()).await.unwrap();
    assert!(per_due.is_empty(), "one run per due time: {per_due:?}");
    ha.stop().await;
    hb.stop().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_killed_run_resumes_on_another_process_sqlite_and_postgres() {
    on_both(killed_run_resumes).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_processes_never_run_one_sync_twice_sqlite_and_postgres() {
    on_both(two_processes_one_run).await;
}
