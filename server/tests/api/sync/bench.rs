//! Benchmark (not a test: `#[ignore]`, run by `bench/sync.sh` in release): a full sync of a
//! project with 10,000 users and incremental runs with no changes, against the Procore
//! sandbox at Procore's documented rate limits (600/hour, 25 per 10 s) with 50 ms latency
//! per call. Prints the figures; asserts only that the runs succeeded and are complete.

use std::time::{Duration, Instant};

use serde_json::json;

use super::flows::scheduled;
use super::*;

/// `VmHWM` (peak) and `VmRSS` (now) of this process, in MB.
fn memory() -> (f64, f64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let kb = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (kb("VmHWM:") / 1024.0, kb("VmRSS:") / 1024.0)
}

fn calls(l: &Licensed) -> u64 {
    l.app.procore.as_ref().unwrap().stats().rest_calls
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "benchmark: bench/sync.sh runs it in release"]
async fn bench_sync_of_ten_thousand_users() {
    let db = TestDb::sqlite().await;
    let l = licensed(&db).await;
    let p = l.project;
    let added = sandbox_post(
        &l.app,
        &format!("/__sandbox/procore/projects/{p}/bulk-users?count=10000"),
        &json!({}),
    )
    .await;
    assert_eq!(added["added"], 10_000);
    // Procore's documented limits from here on, and 50 ms per call.
    sandbox_post(
        &l.app,
        "/__sandbox/rate-limits?hourly=600&spike=25",
        &json!({}),
    )
    .await;
    faults(&l.app, json!({"rate": 0, "latency_ms": 50})).await;
    settings(&l, p, &all("from_procore")).await;
    // The 10,000 were just added: let the incremental look-back window pass them, as an
    // hour between runs would.
    tokio::time::sleep(Duration::from_secs(
        server::sync::resources::OVERLAP_SECS as u64 + 1,
    ))
    .await;
    let jobs = replica(&l, &db.url, SyncConfig::default(), Duration::from_secs(30)).await;
    let handle = jobs.start();
    let (_, rss_before) = memory();

    let (c0, t0) = (calls(&l), Instant::now());
    let run = sync_now(&l, p, "users").await;
    let (full_calls, full_secs) = (calls(&l) - c0, t0.elapsed().as_secs_f64());
    assert_eq!(run["state"], "succeeded", "{run}");
    let users = entries(&l, p, "users").await.len() as u64;
    assert!(users >= 10_000, "{users}");
    let min_pages = users.div_ceil(u64::from(server::procore::rest::DIRECTORY_PER_PAGE));
    println!("BENCH sync full users: {users} users, {full_calls} Procore calls, minimum pages {min_pages}, ratio {:.3} (goal ≤ 1.05), wall {full_secs:.2} s (50 ms latency, 600/h + 25/10 s)", full_calls as f64 / min_pages as f64);

    for resource in ["locations", "companies", "roles"] {
        assert_eq!(sync_now(&l, p, resource).await["state"], "succeeded");
    }
    for resource in ["locations", "companies", "users", "roles"] {
        let c = calls(&l);
        let t = Instant::now();
        let (run, _) = scheduled(&l, &jobs, p, resource).await;
        assert_eq!(run["state"], "succeeded", "{run}");
        println!(
            "BENCH sync incremental {resource}, no changes: {} Procore calls (goal ≤ 1), {} changes, wall {:.2} s",
            calls(&l) - c,
            run["created"].as_i64().unwrap() + run["updated"].as_i64().unwrap() + run["deleted"].as_i64().unwrap(),
            t.elapsed().as_secs_f64()
        );
    }
    let (peak, rss_after) = memory();
    println!("BENCH sync memory: peak RSS {peak:.1} MB of the whole test process (app + in-process Procore sandbox holding the 10,000 users + Stripe sandbox); RSS {rss_before:.1} MB before the full run, {rss_after:.1} MB after (goal ≤ 150 MB)");
    handle.stop().await;
    db.cleanup().await;
}
