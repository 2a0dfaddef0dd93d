//! Load generator for `POST /webhooks/stripe` (run by `bench/webhooks.sh`; not a test).
//!
//! Fires `--events` distinct signed events plus `--duplicates` of them again (a fraction),
//! shuffled, `--concurrency` at a time or at a fixed `--rate` per second, at a running
//! server; prints deliveries per second and the latency of verify + store + answer (p50,
//! p99, max), then waits until every event has `applied_at` in the inbox and prints how
//! long that took from the first delivery.
//! The events are of kinds the dispatcher accepts without calling Stripe, so the figures are
//! those of the inbox itself.
//!
//! `cargo run --release -p server --example webhook_load -- --url http://127.0.0.1:3000
//!  --secret whsec_… --database-url sqlite://… [--events 10000] [--duplicates 0.3]
//!  [--concurrency 32 | --rate 1000] [--label sqlite]`

use std::collections::HashMap;
use std::time::{Duration, Instant};

use futures::StreamExt;
use hmac::{Hmac, Mac};
use rand::seq::SliceRandom;
use rand::Rng;

/// Kinds the dispatcher logs and accepts without a Stripe call.
const KINDS: [&str; 3] = [
    "customer.updated",
    "payment_intent.succeeded",
    "charge.succeeded",
];

fn sign(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).expect("any key");
    mac.update(format!("{t}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

fn body(id: &str, kind: &str, now: i64) -> String {
    serde_json::json!({
        "id": id, "object": "event", "api_version": "2026-09-30.endive", "created": now,
        "livemode": false, "pending_webhooks": 1, "type": kind,
        "request": {"id": null, "idempotency_key": null},
        "data": {"object": {"id": format!("obj_{id}"), "object": "customer"}},
    })
    .to_string()
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let rank = ((sorted.len() as f64) * p).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let opts: HashMap<&str, &str> = args
        .chunks(2)
        .filter_map(|pair| Some((pair[0].trim_start_matches("--"), pair.get(1)?.as_str())))
        .collect();
    let need = |name: &str| {
        opts.get(name)
            .map(|v| v.to_string())
            .ok_or_else(|| anyhow::anyhow!("--{name} is required"))
    };
    let url = format!("{}/webhooks/stripe", need("url")?.trim_end_matches('/'));
    let secret = need("secret")?;
    let db = server::db::Db::connect(&need("database-url")?).await?;
    let events: usize = opts.get("events").unwrap_or(&"10000").parse()?;
    let duplicates: f64 = opts.get("duplicates").unwrap_or(&"0.3").parse()?;
    let concurrency: usize = opts.get("concurrency").unwrap_or(&"32").parse()?;
    // Deliveries per second on a fixed schedule (open loop; latency counts from the scheduled
    // time, so a slow server cannot hide its queue); 0 = as fast as `concurrency` allows.
    let rate: f64 = opts.get("rate").unwrap_or(&"0").parse()?;
    let in_flight = if rate > 0.0 { 1024 } else { concurrency };
    let label = opts.get("label").unwrap_or(&"server").to_string();

    let run = uuid::Uuid::new_v4().simple().to_string();
    let prefix = format!("evt_bench_{}_", &run[..8]);
    let now = server::db::now();
    let mut rng = rand::thread_rng();
    let mut plan: Vec<usize> = (0..events).collect();
    plan.extend((0..(events as f64 * duplicates) as usize).map(|_| rng.gen_range(0..events)));
    plan.shuffle(&mut rng);
    let bodies: Vec<String> = (0..events)
        .map(|i| body(&format!("{prefix}{i:06}"), KINDS[i % KINDS.len()], now))
        .collect();
    let http = reqwest::Client::builder()
        .pool_max_idle_per_host(in_flight)
        .build()?;

    let started = Instant::now();
    let results: Vec<(u16, Duration)> = futures::stream::iter(plan.into_iter().enumerate())
        .map(|(n, i)| {
            let (http, url, body) = (http.clone(), url.clone(), bodies[i].clone());
            let signature = sign(&secret, server::db::now(), &body);
            let due = (rate > 0.0).then(|| started + Duration::from_secs_f64(n as f64 / rate));
            async move {
                if let Some(due) = due {
                    tokio::time::sleep_until(due.into()).await;
                }
                let sent = due.unwrap_or_else(Instant::now);
                let status = match http
                    .post(&url)
                    .header("stripe-signature", signature)
                    .body(body)
                    .send()
                    .await
                {
                    Ok(response) => {
                        let status = response.status().as_u16();
                        let _ = response.bytes().await;
                        status
                    }
                    Err(_) => 0,
                };
                (status, sent.elapsed())
            }
        })
        .buffer_unordered(in_flight)
        .collect()
        .await;
    let sent_in = started.elapsed();
    let failed = results.iter().filter(|(status, _)| *status != 200).count();
    let mut latencies: Vec<Duration> = results.iter().map(|(_, d)| *d).collect();
    latencies.sort_unstable();

    let pattern = format!("{prefix}%");
    let applied_in = loop {
        let (applied,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM stripe_inbox WHERE id LIKE $1 AND applied_at IS NOT NULL",
        )
        .bind(pattern.clone())
        .fetch_one(db.pool())
        .await?;
        if applied as usize >= events {
            break started.elapsed();
        }
        anyhow::ensure!(
            started.elapsed() < Duration::from_secs(600),
            "only {applied} of {events} applied after 10 minutes"
        );
        tokio::time::sleep(Duration::from_millis(10)).await;
    };
    let (stored, once): (i64, i64) = sqlx::query_as(
        "SELECT COUNT(*), COUNT(CASE WHEN apply_count = 1 AND attempts = 1 THEN 1 END)
         FROM stripe_inbox WHERE id LIKE $1",
    )
    .bind(pattern)
    .fetch_one(db.pool())
    .await?;

    let deliveries = results.len();
    let mode = match rate > 0.0 {
        true => format!("open loop at {rate:.0} deliveries/s"),
        false => format!("closed loop, {concurrency} in flight"),
    };
    println!(
        "[{label}] {deliveries} deliveries ({events} events, {} duplicates), {mode}",
        deliveries - events
    );
    println!(
        "[{label}] verify+store+answer: {:.0} deliveries/s; latency p50 {:.1} ms, p99 {:.1} ms, max {:.1} ms; non-200: {failed}",
        deliveries as f64 / sent_in.as_secs_f64(),
        percentile(&latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&latencies, 0.99).as_secs_f64() * 1e3,
        latencies.last().copied().unwrap_or_default().as_secs_f64() * 1e3,
    );
    println!(
        "[{label}] all {events} applied {:.2} s after the first delivery (sending took {:.2} s); rows {stored}, applied once on the first attempt: {once}",
        applied_in.as_secs_f64(),
        sent_in.as_secs_f64(),
    );
    anyhow::ensure!(failed == 0, "{failed} deliveries were not answered 200");
    anyhow::ensure!(
        stored as usize == events && once == stored,
        "inbox rows not as expected"
    );
    Ok(())
}
