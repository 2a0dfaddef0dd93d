//! Full, then incremental, in each direction and both; our own writes do not come back;
//! a removal here leaves the person in Procore's company directory; the delete cap stops a
//! run before it deletes; who may do what.

use std::time::Duration;

use serde_json::{json, Value};

use super::*;

async fn full_then_incremental(db: TestDb) {
    let l = licensed(&db).await;
    let p = l.project;
    let mut choices = all("both");
    choices[0] = ("locations", "from_procore", "daily");
    let saved = settings(&l, p, &choices).await;
    assert!(
        saved["resources"][0]["next_run_at"].is_i64(),
        "saving schedules: {saved}"
    );
    let jobs = replica(
        &l,
        &db.url,
        SyncConfig {
            delete_cap: 5,
            ..quick()
        },
        Duration::from_secs(10),
    )
    .await;
    let handle = jobs.start();

    // Full runs: our side equals Procore's.
    for resource in ["locations", "companies", "users", "roles"] {
        let run = sync_now(&l, p, resource).await;
        assert_eq!(run["state"], "succeeded", "{resource}: {run}");
        assert!(run["full"].as_bool().unwrap());
    }
    let ours: Vec<String> = entries(&l, p, "users")
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert!(
        ours.len() >= 10,
        "the seeded team came over: {}",
        ours.len()
    );
    assert_eq!(ours, procore_emails(&l, p).await);
    let locations = procore_list(&l, &format!("/rest/v1.0/projects/{p}/locations")).await;
    assert_eq!(entries(&l, p, "locations").await.len(), locations.len());
    let roles = procore_list(&l, &format!("/rest/v1.0/project_roles?project_id={p}")).await;
    assert_eq!(entries(&l, p, "roles").await.len(), roles.len());
    let companies = entries(&l, p, "companies").await;
    assert!(!companies.is_empty());

    // Changes on both sides.
    let company = companies[0].1["name"].as_str().unwrap().to_string();
    let added = add_entry(&l, p, "users", json!({"email_address": "New.Person@Harbor.example", "first_name": "New", "last_name": "Person", "job_title": "Estimator", "company": company})).await;
    assert_eq!(added.status(), 200, "{}", added.text().await.unwrap());
    let bad = add_entry(
        &l,
        p,
        "users",
        json!({"email_address": "not-an-email", "last_name": "X"}),
    )
    .await;
    assert_eq!(bad.status(), 422);
    let leaving = ours[1].clone();
    let (leaving_id,): (String,) = sqlx::query_as(
        "SELECT id FROM directory_entries WHERE project_id = $1 AND natural_key = $2",
    )
    .bind(p)
    .bind(leaving.clone())
    .fetch_one(db.db.pool())
    .await
    .unwrap();
    let removed = l
        .app
        .call(
            "remove_directory_entry",
            &[
                ("project", &p.to_string()),
                ("resource", "users"),
                ("id", &leaving_id),
            ],
        )
        .await;
    assert_eq!(removed.status(), 200);
    let changed_there = procore_list(
        &l,
        &format!("/rest/v1.0/projects/{p}/users?filters[search]={}", ours[2]),
    )
    .await;
    let there_id = changed_there[0]["id"].as_i64().unwrap();
    patch_user(
        &l,
        p,
        there_id,
        json!({"user": {"job_title": "Chief Estimator"}}),
    )
    .await;

    // A scheduled hourly run, incremental (the full one was minutes ago).
    let (incremental, _) = scheduled(&l, &jobs, p, "users").await;
    assert_eq!(incremental["state"], "succeeded", "{incremental}");
    let log = db
        .db
        .run_log(incremental["id"].as_str().unwrap(), 100)
        .await
        .unwrap();
    assert_eq!(incremental["full"], false, "{incremental} {log:?}");
    let emails = procore_emails(&l, p).await;
    assert!(emails.contains(&"new.person@harbor.example".to_string()));
    assert!(!emails.contains(&leaving), "removed from the project");
    let company_dir = procore_list(
        &l,
        &format!(
            "/rest/v1.3/companies/{}/users?filters[search]={leaving}",
            HARBOR.get()
        ),
    )
    .await;
    assert_eq!(company_dir.len(), 1, "still in the company directory");
    let here = entries(&l, p, "users").await;
    let title = here.iter().find(|e| e.0 == ours[2]).unwrap().1["job_title"].clone();
    assert_eq!(title, "Chief Estimator", "Procore's change came here");
    let newcomer = procore_list(
        &l,
        &format!("/rest/v1.0/projects/{p}/users?filters[search]=new.person"),
    )
    .await;
    assert_eq!(
        newcomer[0]["vendor"]["name"],
        company.as_str(),
        "sent with its company"
    );

    // Our own writes are not changes the next time.
    let (echo, _) = scheduled(&l, &jobs, p, "users").await;
    assert_eq!(
        (
            echo["created"].as_i64(),
            echo["updated"].as_i64(),
            echo["deleted"].as_i64()
        ),
        (Some(0), Some(0), Some(0)),
        "{echo}"
    );

    // Procore → Smartapp only: a location added here stays here.
    add_entry(&l, p, "locations", json!({"path": "Annex > Level 9"})).await;
    assert_eq!(sync_now(&l, p, "locations").await["state"], "succeeded");
    let names: Vec<String> = procore_list(&l, &format!("/rest/v1.0/projects/{p}/locations"))
        .await
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    assert!(!names.contains(&"Annex>Level 9".to_string()));
    // Smartapp → Procore: now it goes.
    choices[0] = ("locations", "to_procore", "daily");
    settings(&l, p, &choices).await;
    assert_eq!(sync_now(&l, p, "locations").await["state"], "succeeded");
    let names: Vec<String> = procore_list(&l, &format!("/rest/v1.0/projects/{p}/locations"))
        .await
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    assert!(names.contains(&"Annex>Level 9".to_string()), "{names:?}");

    // The delete cap: removing six people here stops the run before anything is deleted.
    let before = procore_emails(&l, p).await;
    let ids: Vec<(String,)> = sqlx::query_as("SELECT id FROM directory_entries WHERE project_id = $1 AND resource = 'users' AND deleted_at IS NULL ORDER BY natural_key LIMIT 6")
        .bind(p).fetch_all(db.db.pool()).await.unwrap();
    for (id,) in &ids {
        l.app
            .call(
                "remove_directory_entry",
                &[
                    ("project", &p.to_string()),
                    ("resource", "users"),
                    ("id", id),
                ],
            )
            .await;
    }
    let stopped = sync_now(&l, p, "users").await;
    assert_eq!(stopped["state"], "stopped", "{stopped}");
    assert!(stopped["message"].as_str().unwrap().contains("limit of 5"));
    assert_eq!(procore_emails(&l, p).await, before);

    // The log downloads as CSV, for this company only.
    let csv = l
        .app
        .get(&format!(
            "/projects/{p}/sync/runs/{}/log.csv",
            incremental["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.starts_with("time_utc,level,record,message"), "{text}");
    assert!(text.contains("Done:"));
    let elsewhere = l
        .app
        .get(&format!(
            "/projects/{}/sync/runs/{}/log.csv",
            l.other,
            incremental["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(elsewhere.status(), 404);

    handle.stop().await;
    db.cleanup().await;
}

pub async fn patch_user(l: &Licensed, project: i64, id: i64, body: Value) {
    as_admin_in_procore(l, |client, token| {
        let body = body.clone();
        async move {
            client
                .write_json(
                    reqwest::Method::PATCH,
                    &token,
                    HARBOR.get(),
                    &format!("/rest/v1.0/projects/{project}/users/{id}"),
                    Some(&body),
                )
                .await
        }
    })
    .await;
}

/// Makes a resource's hourly run due now, scans, and waits for the run.
pub async fn scheduled(l: &Licensed, jobs: &Jobs, project: i64, resource: &str) -> (Value, String) {
    let now = server::db::now();
    // A due time of its own (runs in one second would share a key).
    let (earliest,): (Option<i64>,) = sqlx::query_as(
        "SELECT MIN(due_at) FROM sync_runs WHERE project_id = $1 AND trigger_kind = 'schedule'",
    )
    .bind(project)
    .fetch_one(l.app.services.db.pool())
    .await
    .unwrap();
    let due = earliest.map_or(now - 1, |e| e.min(now) - 1);
    sqlx::query("UPDATE project_sync_resources SET next_run_at = $1, last_full_at = $2 WHERE project_id = $3 AND resource = $4")
        .bind(due).bind(now - 60).bind(project).bind(resource.to_string())
        .execute(l.app.services.db.pool()).await.unwrap();
    jobs.scan().await.unwrap();
    let (id,): (String,) = sqlx::query_as("SELECT id FROM sync_runs WHERE project_id = $1 AND resource = $2 AND due_at = $3 AND trigger_kind = 'schedule'")
        .bind(project).bind(resource.to_string()).bind(due)
        .fetch_one(l.app.services.db.pool()).await.unwrap();
    (wait_closed(l, project, &id).await, id)
}

async fn who_may_do_what(db: TestDb) {
    let l = licensed(&db).await;
    let p = l.project.to_string();
    // Bad input: 4xx, never 500.
    let bad = post(&l.app, "save_sync_settings", &json!({"project": l.project, "form": {"procore_on": true, "choices": [{"resource": "users", "direction": "both", "frequency": "hourly"}]}})).await;
    assert_eq!(bad.status(), 422);
    let unknown = post(&l.app, "save_sync_settings", &json!({"project": l.project, "form": {"procore_on": true, "choices": [{"resource": "users", "direction": "sideways", "frequency": "hourly"}]}})).await;
    assert!(unknown.status().is_client_error(), "{}", unknown.status());
    // Procore OFF: Sync is refused politely.
    let off = l
        .app
        .call("start_sync", &[("project", &p), ("resource", "users")])
        .await;
    assert_eq!(off.status(), 409);
    // A project that is not licensed (or another company's) is 404.
    let foreign = l.app.call("sync_settings", &[("project", "123")]).await;
    assert_eq!(foreign.status(), 404);
    // Twice in a row: the second is refused while the first is queued (no worker runs).
    settings(&l, l.project, &all("from_procore")).await;
    assert_eq!(
        l.app
            .call("start_sync", &[("project", &p), ("resource", "users")])
            .await
            .status(),
        200
    );
    let again = l
        .app
        .call("start_sync", &[("project", &p), ("resource", "users")])
        .await;
    assert_eq!(again.status(), 409);
    assert!(again
        .text()
        .await
        .unwrap()
        .contains("already queued or running"));
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn full_then_incremental_each_direction_sqlite_and_postgres() {
    on_both(full_then_incremental).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_and_single_flight_sqlite_and_postgres() {
    on_both(who_may_do_what).await;
}
