//! Issue 20: the run log names each record it created, updated, deleted or refused and shows
//! old → new values (a lost conflict too); the CSV's Record column is filled on every line;
//! a resource's run list keeps its own runs however often the others ran; a manual Sync
//! starts at once, not at the worker's next poll.

use std::time::{Duration, Instant};

use serde_json::{json, Value};

use super::flows::patch_user;
use super::*;

async fn the_log_names_records_and_shows_what_changed(db: TestDb) {
    let l = licensed(&db).await;
    let p = l.project;
    settings(&l, p, &all("both")).await;
    let jobs = replica(&l, &db.url, quick(), Duration::from_secs(10)).await;
    let handle = jobs.start();

    let first = sync_now(&l, p, "users").await;
    assert_eq!(first["state"], "succeeded", "{first}");
    let people = entries(&l, p, "users").await;
    let (email, fields, _) = people
        .iter()
        .find(|(_, f, _)| !f["first_name"].as_str().unwrap_or("").is_empty())
        .cloned()
        .expect("a person with a first name");
    let first_name = fields["first_name"].as_str().unwrap().to_string();
    let created = log_lines(&l, p, first["id"].as_str().unwrap()).await;
    let came = created
        .iter()
        .find(|(_, _, m)| m.starts_with("Created here from Procore") && m.contains(&email))
        .unwrap_or_else(|| panic!("a line for {email}: {created:?}"));
    assert!(
        came.1.starts_with(&first_name) && !came.1.contains('@'),
        "named by name, not key: {came:?}"
    );

    // A both-ways conflict: the last name changed here, then differently in Procore (a
    // second apart each: times are kept in seconds).
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let mut ours = fields.clone();
    ours["last_name"] = json!("Changed-Here");
    let id = entry_id(&l, p, "users", &email).await;
    let saved = post(
        &l.app,
        "save_directory_entry",
        &json!({"project": p, "resource": "users", "id": id, "fields": ours}),
    )
    .await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let there = procore_list(
        &l,
        &format!("/rest/v1.0/projects/{p}/users?filters[search]={email}"),
    )
    .await;
    let there_id = there[0]["id"].as_i64().unwrap();
    patch_user(
        &l,
        p,
        there_id,
        json!({"user": {"last_name": "Changed-There"}}),
    )
    .await;
    let run = sync_now(&l, p, "users").await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let lines = log_lines(&l, p, run["id"].as_str().unwrap()).await;
    let conflict = lines
        .iter()
        .find(|(level, _, m)| level == "warn" && m.starts_with("Conflict"))
        .unwrap_or_else(|| panic!("a conflict line: {lines:?}"));
    assert_eq!(
        conflict.1,
        format!("{first_name} Changed-Here"),
        "{conflict:?}"
    );
    assert!(
        conflict.2.contains("Smartapp's change lost")
            && conflict
                .2
                .contains("Last name: \"Changed-Here\" → \"Changed-There\""),
        "the lost value is shown: {conflict:?}"
    );
    let update = lines
        .iter()
        .find(|(_, _, m)| m.starts_with("Updated here from Procore"))
        .unwrap_or_else(|| panic!("an update line: {lines:?}"));
    assert_eq!(update.1, format!("{first_name} Changed-There"));
    assert!(
        update
            .2
            .contains("Last name: \"Changed-Here\" → \"Changed-There\""),
        "{update:?}"
    );

    // A location is named by its path.
    let locations_run = {
        add_entry(&l, p, "locations", json!({"path": "Annex > Level 2"})).await;
        sync_now(&l, p, "locations").await
    };
    let location_lines = log_lines(&l, p, locations_run["id"].as_str().unwrap()).await;
    assert!(
        location_lines
            .iter()
            .any(|(_, r, m)| r == "Annex › Level 2" && m.starts_with("Created in Procore")),
        "{location_lines:?}"
    );

    // The CSV: the Record column is filled on every line (the run's own lines say "Users (whole run)").
    let csv = l
        .app
        .get(&format!(
            "/projects/{p}/sync/runs/{}/log.csv",
            run["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert!(rows.len() >= 3, "{text}");
    for row in &rows {
        assert!(!row[2].trim().is_empty(), "an empty Record cell: {row:?}");
    }
    assert!(rows
        .iter()
        .any(|r| &r[2] == "Users (whole run)" && r[3].starts_with("Done:")));
    handle.stop().await;
    db.cleanup().await;
}

/// Inserts a finished run of `resource` queued at `at`.
async fn finished_run(l: &Licensed, project: i64, resource: &str, at: i64) {
    let id = uuid::Uuid::now_v7().to_string();
    sqlx::query("INSERT INTO sync_runs (id, company_id, project_id, resource, run_key, due_at, trigger_kind, full_run, direction, state, queued_at, started_at, finished_at)
         VALUES ($1, $2, $3, $4, $5, $6, 'schedule', 1, 'from_procore', 'succeeded', $6, $6, $6)")
        .bind(id.clone())
        .bind(crate::helpers::demo::HARBOR.get())
        .bind(project)
        .bind(resource.to_string())
        .bind(format!("{project}:{resource}:{at}"))
        .bind(at)
        .execute(l.app.services.db.pool())
        .await
        .unwrap();
}

async fn a_resource_lists_its_own_runs(db: TestDb) {
    let l = licensed(&db).await;
    let p = l.project;
    settings(&l, p, &all("from_procore")).await;
    for i in 0..3 {
        finished_run(&l, p, "users", 1_000 + i).await;
    }
    // Hourly locations runs since: more than one page of the project's newest runs.
    for i in 0..25 {
        finished_run(&l, p, "locations", 2_000 + i).await;
    }
    let users: Vec<Value> = l
        .app
        .call(
            "sync_runs",
            &[("project", &p.to_string()), ("resource", "users")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(users.len(), 3, "{users:?}");
    assert!(users.iter().all(|r| r["resource"] == "users"));
    db.cleanup().await;
}

async fn roles_name_their_people(db: TestDb) {
    let l = licensed(&db).await;
    let p = l.project;
    for (email, first, last) in [
        ("ana.diaz@harbor.example", "Ana", "Diaz"),
        ("nobody.here@harbor.example", "No", "Body"),
    ] {
        let person = add_entry(
            &l,
            p,
            "users",
            json!({"email_address": email, "first_name": first, "last_name": last}),
        )
        .await;
        assert_eq!(person.status(), 200);
        let role = add_entry(
            &l,
            p,
            "roles",
            json!({"role": "Project Manager", "email_address": email}),
        )
        .await;
        assert_eq!(role.status(), 200, "{}", role.text().await.unwrap());
    }
    // A holder who left the project's people keeps the role, shown by email.
    let gone = entry_id(&l, p, "users", "nobody.here@harbor.example").await;
    let removed = l
        .app
        .call(
            "remove_directory_entry",
            &[
                ("project", &p.to_string()),
                ("resource", "users"),
                ("id", &gone),
            ],
        )
        .await;
    assert_eq!(removed.status(), 200, "{}", removed.text().await.unwrap());
    let page: Value = l
        .app
        .call(
            "directory_entries",
            &[
                ("project", &p.to_string()),
                ("resource", "roles"),
                ("search", ""),
                ("page", "1"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    let people: Vec<&str> = page["entries"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["fields"]["person"].as_str().unwrap())
        .collect();
    assert!(people.contains(&"Ana Diaz"), "{page}");
    assert!(
        people.contains(&"nobody.here@harbor.example"),
        "no name known: the email"
    );
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn roles_name_their_people_sqlite_and_postgres() {
    on_both(roles_name_their_people).await;
}

async fn a_manual_sync_starts_at_once(db: TestDb) {
    let l = licensed(&db).await;
    let p = l.project;
    settings(&l, p, &all("from_procore")).await;
    // A worker paced as in production (polls every 5 s), woken by this process.
    let paced = server::jobs::JobsConfig {
        periods: vec![],
        ..Default::default()
    };
    let jobs = replica_with(&l, &db.url, quick(), Duration::from_secs(10), paced)
        .await
        .with_sync_wake(l.app.services.sync_wake.clone());
    let handle = jobs.start();
    tokio::time::sleep(Duration::from_millis(700)).await;
    let pressed = Instant::now();
    let r = l
        .app
        .call(
            "start_sync",
            &[("project", &p.to_string()), ("resource", "locations")],
        )
        .await;
    assert_eq!(r.status(), 200);
    let id = r.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    loop {
        let (started,): (Option<i64>,) =
            sqlx::query_as("SELECT started_at FROM sync_runs WHERE id = $1")
                .bind(id.clone())
                .fetch_one(l.app.services.db.pool())
                .await
                .unwrap();
        if started.is_some() {
            break;
        }
        assert!(
            pressed.elapsed() < Duration::from_millis(2500),
            "still waiting for a worker after {:?}",
            pressed.elapsed()
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    wait_closed(&l, p, &id).await;
    handle.stop().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_log_names_records_and_old_and_new_values_sqlite_and_postgres() {
    on_both(the_log_names_records_and_shows_what_changed).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resource_lists_its_own_runs_sqlite_and_postgres() {
    on_both(a_resource_lists_its_own_runs).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_manual_sync_starts_at_once_sqlite_and_postgres() {
    on_both(a_manual_sync_starts_at_once).await;
}
