//! Issue 9: Procore settings and the two-way sync of a project's Locations, Companies,
//! Users and Roles, against the Procore sandbox, on SQLite and PostgreSQL. The harness
//! licenses two Harbor Point projects, turns sync on through the server functions and runs
//! syncs on "replicas": job systems with the sync worker on the same database.

mod bench;
mod choices;
mod connection;
mod faults;
pub mod flows;
mod held;
mod logs;
mod replicas;

use std::sync::Arc;
use std::time::Duration;

use app::ids::UserId;
use serde_json::{json, Value};
use server::db::Db;
use server::jobs::{Jobs, JobsConfig};
use server::procore::ProcoreAccess;
use server::sync::{SyncConfig, SyncEngine};

use crate::helpers::app::TestApp;
use crate::helpers::demo::HARBOR;
use crate::helpers::TestDb;
use crate::subscriptions::{first_purchase, harbor_admin, harbor_ids};

/// A signed-in Harbor admin with two licensed projects.
pub struct Licensed {
    pub app: TestApp,
    pub project: i64,
    pub other: i64,
    pub admin: i64,
}

pub async fn licensed(db: &TestDb) -> Licensed {
    let app = harbor_admin(db).await;
    let ids = harbor_ids(&app).await;
    let (project, other) = (ids[0], ids[1]);
    first_purchase(&app, project, other).await;
    let (admin,): (i64,) =
        sqlx::query_as("SELECT id FROM users WHERE login = 'admin@summitridge.example'")
            .fetch_one(db.db.pool())
            .await
            .unwrap();
    // Generous limits on both sides: the pacing itself is measured by the benchmark.
    sandbox_post(
        &app,
        "/__sandbox/rate-limits?hourly=1000000&spike=100000",
        &json!({}),
    )
    .await;
    Licensed {
        app,
        project,
        other,
        admin,
    }
}

/// POSTs to a sandbox switch on the Procore API origin.
pub async fn sandbox_post(app: &TestApp, path: &str, body: &Value) -> Value {
    let base = app.procore.as_ref().unwrap().api_base_url();
    let r = reqwest::Client::new()
        .post(format!("{}{path}", base.trim_end_matches('/')))
        .json(body)
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{path}: {}", r.status());
    r.json().await.unwrap_or(Value::Null)
}

/// The sandbox's faults (rate 0 turns them off).
pub async fn faults(app: &TestApp, body: Value) {
    sandbox_post(app, "/__sandbox/faults", &body).await;
}

pub async fn post(app: &TestApp, name: &str, body: &Value) -> reqwest::Response {
    app.http
        .post(format!("{}/api/{name}", app.base))
        .header("origin", &app.base)
        .json(body)
        .send()
        .await
        .unwrap()
}

/// Saves settings: Procore ON, each resource `(name, direction, frequency)`.
pub async fn settings(l: &Licensed, project: i64, choices: &[(&str, &str, &str)]) -> Value {
    let choices: Vec<Value> = choices
        .iter()
        .map(|(r, d, f)| json!({"resource": r, "direction": d, "frequency": f}))
        .collect();
    let r = post(
        &l.app,
        "save_sync_settings",
        &json!({"project": project, "form": {"procore_on": true, "choices": choices}}),
    )
    .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

pub fn all(direction: &str) -> Vec<(&'static str, &str, &'static str)> {
    ["locations", "companies", "users", "roles"]
        .into_iter()
        .map(|r| (r, direction, "hourly"))
        .collect()
}

/// A job system with the sync worker on `url`, calling Procore as the app does.
pub async fn replica(l: &Licensed, url: &str, config: SyncConfig, timeout: Duration) -> Jobs {
    let jobs_config = JobsConfig {
        scan_every: Duration::from_millis(300),
        poll_every: Duration::from_millis(100),
        heartbeat: Duration::from_secs(1),
        periods: vec![],
        run_delay: Duration::ZERO,
    };
    replica_with(l, url, config, timeout, jobs_config).await
}

/// [`replica`] with the job system paced by `jobs_config`.
pub async fn replica_with(
    l: &Licensed,
    url: &str,
    config: SyncConfig,
    timeout: Duration,
    jobs_config: JobsConfig,
) -> Jobs {
    let db = Db::connect(url).await.unwrap();
    let services = &l.app.services;
    let client = services.procore.clone().with_timeout(timeout);
    let access = Arc::new(ProcoreAccess::new(client, services.tokens.clone()));
    let engine = Arc::new(SyncEngine::new(db.clone(), access, config));
    Jobs::connect(url, db, jobs_config)
        .await
        .unwrap()
        .with_sync(engine)
}

pub fn quick() -> SyncConfig {
    SyncConfig {
        delete_cap: 100,
        lease_secs: 3,
        attempts: 4,
        retry_base: Duration::from_millis(50),
    }
}

/// Presses Sync and waits for the run to close; returns the run as the page sees it.
pub async fn sync_now(l: &Licensed, project: i64, resource: &str) -> Value {
    let r = l
        .app
        .call(
            "start_sync",
            &[("project", &project.to_string()), ("resource", resource)],
        )
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let run: Value = r.json().await.unwrap();
    wait_closed(l, project, run["id"].as_str().unwrap()).await
}

/// Waits (up to 90 s) until run `id` is closed.
pub async fn wait_closed(l: &Licensed, project: i64, id: &str) -> Value {
    let until = std::time::Instant::now() + Duration::from_secs(90);
    loop {
        let runs: Value = l
            .app
            .call("sync_runs", &[("project", &project.to_string())])
            .await
            .json()
            .await
            .unwrap();
        let run = runs
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["id"] == id)
            .cloned()
            .expect("the run is listed");
        if run["finished_at"].is_i64() {
            return run;
        }
        assert!(std::time::Instant::now() < until, "run still open: {run}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Every item of a Procore list, as the admin.
pub async fn procore_list(l: &Licensed, path: &str) -> Vec<Value> {
    let path = path.to_string();
    as_admin_in_procore(l, |client, token| {
        let path = path.clone();
        async move { client.list_all(&token, HARBOR.get(), &path).await }
    })
    .await
}

/// Calls Procore with the admin's connection, as the tests' "someone working in Procore". A
/// call our own budget refuses to a person (its ceiling, while a sync holds the budget) is
/// tried again; any other error fails the test.
pub async fn as_admin_in_procore<T, F, Fut>(l: &Licensed, call: F) -> T
where
    F: Fn(server::procore::ProcoreClient, String) -> Fut,
    Fut: std::future::Future<Output = Result<T, server::procore::ProcoreError>>,
{
    let access = ProcoreAccess::new(
        l.app.services.procore.clone(),
        l.app.services.tokens.clone(),
    );
    for _ in 0..40 {
        match access.as_user(UserId(l.admin), &call).await {
            Ok(found) => return found,
            Err(server::error::ServerError::Procore(
                server::procore::ProcoreError::RateLimited { .. },
            )) => tokio::time::sleep(Duration::from_millis(500)).await,
            Err(error) => panic!("Procore refused the test's call: {error}"),
        }
    }
    panic!("Procore stayed rate limited for the test's call")
}

/// Our live entries of a resource: (key, fields, linked).
pub async fn entries(l: &Licensed, project: i64, resource: &str) -> Vec<(String, Value, bool)> {
    let rows: Vec<(String, String, Option<i64>)> = sqlx::query_as(
        "SELECT natural_key, fields, procore_id FROM directory_entries WHERE project_id = $1 AND resource = $2 AND deleted_at IS NULL ORDER BY natural_key",
    )
    .bind(project)
    .bind(resource.to_string())
    .fetch_all(l.app.services.db.pool())
    .await
    .unwrap();
    rows.into_iter()
        .map(|(k, f, id)| (k, serde_json::from_str(&f).unwrap(), id.is_some()))
        .collect()
}

/// Procore's project users' emails (lower case, sorted).
pub async fn procore_emails(l: &Licensed, project: i64) -> Vec<String> {
    let mut emails: Vec<String> = procore_list(l, &format!("/rest/v1.0/projects/{project}/users"))
        .await
        .iter()
        .map(|u| u["email_address"].as_str().unwrap().to_lowercase())
        .collect();
    emails.sort();
    emails
}

/// A run's log lines as the page reads them: (level, record, message).
pub async fn log_lines(l: &Licensed, project: i64, run: &str) -> Vec<(String, String, String)> {
    let r = l
        .app
        .call(
            "sync_log",
            &[("project", &project.to_string()), ("run", run)],
        )
        .await;
    assert_eq!(r.status(), 200);
    let lines: Vec<Value> = r.json().await.unwrap();
    lines
        .iter()
        .map(|l| {
            (
                l["level"].as_str().unwrap_or("").to_string(),
                l["record"].as_str().unwrap_or("").to_string(),
                l["message"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

/// Our entry's id by natural key.
pub async fn entry_id(l: &Licensed, project: i64, resource: &str, key: &str) -> String {
    let (id,): (String,) = sqlx::query_as(
        "SELECT id FROM directory_entries WHERE project_id = $1 AND resource = $2 AND natural_key = $3",
    )
    .bind(project)
    .bind(resource.to_string())
    .bind(key.to_string())
    .fetch_one(l.app.services.db.pool())
    .await
    .unwrap();
    id
}

pub async fn add_entry(
    l: &Licensed,
    project: i64,
    resource: &str,
    fields: Value,
) -> reqwest::Response {
    post(
        &l.app,
        "save_directory_entry",
        &json!({"project": project, "resource": resource, "id": null, "fields": fields}),
    )
    .await
}

pub use crate::helpers::on_both;
