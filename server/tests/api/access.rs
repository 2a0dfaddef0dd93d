//! Issue 20 item 22: one access guard for every per-project server function and route. A
//! non-admin member of Summit Ridge (pm@, who sees 12 projects in Procore) reads the
//! projects Procore shows them and gets "not found" for a licensed project Procore hides
//! from them, on SQLite and PostgreSQL. The walk covers every registered server function:
//! one that takes a project and is not walked here fails the test.

use std::collections::BTreeSet;

use app::projects::ProjectPage;
use serde_json::{json, Value};

use crate::helpers::app::{spawn_app, TestApp};
use crate::helpers::demo::{ADMIN, HARBOR, PM, SUMMIT};
use crate::helpers::TestDb;
use crate::subscriptions::first_purchase;
use crate::sync::{on_both, post};

/// Server functions that name no project (company-level or session calls).
const NOT_PER_PROJECT: [&str; 24] = [
    "list_projects",
    "app_connections",
    "recheck_app_connections",
    "get_viewer",
    "switch_company",
    "billing_overview",
    "payment_alert",
    "open_billing_portal",
    "wizard_projects",
    "select_all_matching",
    "license_catalog",
    "start_checkout",
    "load_order_draft",
    "licensed_tiles",
    "confirm_checkout",
    "get_started_offer",
    "delete_company_data",
    "subscribed_projects",
    "recheck_with_stripe",
    "site_contacts",
    "deletion_status",
    "schedule_company_deletion",
    "cancel_scheduled_deletion",
    "embedded_company",
];

/// The pages of one project (settings, and a directory page: the users' names and e-mails).
pub(crate) const PROJECT_PAGES: [&str; 4] = [
    "/projects/{id}",
    "/projects/{id}/settings",
    "/projects/{id}/users",
    "/projects/{id}/badges",
];

/// A 404 whose page says "not found" and shows none of the normal page's frame.
pub(crate) fn plain_not_found(status: u16, body: &str) -> Result<(), String> {
    if status != 404 {
        return Err(format!("status {status}, wanted 404"));
    }
    if !body.to_lowercase().contains("not found") {
        return Err(format!("does not say not found: {body}"));
    }
    for frame in [
        "topbar",
        "Try again",
        "no subscription",
        "class=\"directory\"",
        "Sign out",
    ] {
        if body.contains(frame) {
            return Err(format!("shows {frame:?} of the normal page: {body}"));
        }
    }
    Ok(())
}

/// How a call is sent: URL-encoded form or JSON.
enum Body {
    Form(Vec<(&'static str, String)>),
    Json(Value),
}

/// One per-project server function as the walk calls it, and what a non-admin gets for a
/// project Procore shows them (reads succeed, changes are for admins).
struct Call {
    name: &'static str,
    body: Body,
    visible: u16,
}

/// Every per-project server function, for `project` (with a run `run` of it).
fn calls(project: i64, run: &str) -> Vec<Call> {
    let p = project.to_string();
    let form = |pairs: &[(&'static str, &str)]| {
        let mut all = vec![("project", p.clone())];
        all.extend(pairs.iter().map(|(k, v)| (*k, v.to_string())));
        Body::Form(all)
    };
    let item = json!({"title": "Pour slab", "owner": "Ana Diaz", "starts_on": "2026-12-02", "due_on": "2026-12-04", "status": "in_progress"});
    let end = json!({"kind": "end"});
    vec![
        Call {
            name: "sync_settings",
            body: form(&[]),
            visible: 200,
        },
        Call {
            name: "directory_entries",
            body: form(&[("resource", "users"), ("search", ""), ("page", "1")]),
            visible: 200,
        },
        Call {
            name: "sync_progress",
            body: form(&[("resource", "users")]),
            visible: 200,
        },
        Call {
            name: "sync_runs",
            body: form(&[]),
            visible: 200,
        },
        Call {
            name: "sync_log",
            body: form(&[("run", run)]),
            visible: 200,
        },
        Call {
            name: "plan_board",
            body: form(&[]),
            visible: 200,
        },
        Call {
            name: "safety_badges",
            body: form(&[]),
            visible: 200,
        },
        Call {
            name: "project_subscription",
            body: form(&[]),
            visible: 200,
        },
        Call {
            name: "embedded_status",
            body: form(&[("company", &SUMMIT.to_string())]),
            visible: 200,
        },
        Call {
            name: "save_sync_settings",
            body: Body::Json(
                json!({"project": project, "form": {"procore_on": false, "choices": choices()}}),
            ),
            visible: 403,
        },
        Call {
            name: "save_directory_entry",
            body: Body::Json(
                json!({"project": project, "resource": "locations", "id": null, "fields": {"path": "Annex > Level 9"}}),
            ),
            visible: 403,
        },
        Call {
            name: "remove_directory_entry",
            body: form(&[("resource", "locations"), ("id", "x")]),
            visible: 403,
        },
        Call {
            name: "start_sync",
            body: form(&[("resource", "users")]),
            visible: 403,
        },
        Call {
            name: "save_plan_item",
            body: Body::Json(json!({"project": project, "id": null, "item": item})),
            visible: 403,
        },
        Call {
            name: "confirm_held_deletions",
            body: form(&[("resource", "users"), ("run", run)]),
            visible: 403,
        },
        Call {
            name: "keep_held_deletions",
            body: form(&[("resource", "users"), ("run", run)]),
            visible: 403,
        },
        Call {
            name: "remove_plan_item",
            body: form(&[("id", "x")]),
            visible: 403,
        },
        Call {
            name: "publish_plan_board",
            body: form(&[("publish", "true")]),
            visible: 403,
        },
        Call {
            name: "preview_project_change",
            body: Body::Json(json!({"project": project, "request": end})),
            visible: 403,
        },
        Call {
            name: "confirm_project_change",
            body: Body::Json(json!({"project": project, "request": end})),
            visible: 403,
        },
        Call {
            name: "purchase_preview",
            body: Body::Json(
                json!({"selection": {"projects": [{"project_id": project, "planner": true}]}, "interval": "monthly"}),
            ),
            visible: 403,
        },
        Call {
            name: "confirm_purchase",
            body: Body::Json(
                json!({"selection": {"projects": [{"project_id": project, "planner": true}]}, "interval": "monthly"}),
            ),
            visible: 403,
        },
    ]
}

/// The names of the registered server functions.
fn registered() -> BTreeSet<String> {
    leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect()
}

async fn send(app: &TestApp, call: &Call) -> reqwest::Response {
    match &call.body {
        Body::Form(pairs) => {
            let pairs: Vec<(&str, &str)> = pairs.iter().map(|(k, v)| (*k, v.as_str())).collect();
            app.call(call.name, &pairs).await
        }
        Body::Json(body) => post(app, call.name, body).await,
    }
}

/// Every resource from Procore, hourly (a valid settings form).
fn choices() -> Value {
    ["locations", "companies", "users", "roles"]
        .iter()
        .map(|r| json!({"resource": r, "direction": "from_procore", "frequency": "hourly"}))
        .collect()
}

/// Queues a manual Users sync of `project` as the admin; returns the run's id.
async fn queued_run(admin: &TestApp, project: i64) -> String {
    let choices = choices();
    let saved = post(
        admin,
        "save_sync_settings",
        &json!({"project": project, "form": {"procore_on": true, "choices": choices}}),
    )
    .await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
    let run = admin
        .call(
            "start_sync",
            &[("project", &project.to_string()), ("resource", "users")],
        )
        .await;
    assert_eq!(run.status(), 200, "{}", run.text().await.unwrap());
    let run: Value = run.json().await.unwrap();
    run["id"].as_str().unwrap().to_string()
}

/// Two licensed Summit projects, one the PM sees and one Procore hides from them, each with
/// a run; returns (admin, pm, visible, hidden, visible run, hidden run).
pub(crate) async fn summit_with_hidden_project(
    db: &TestDb,
) -> (TestApp, TestApp, i64, i64, String, String) {
    let admin = spawn_app(&[
        ("DATABASE_URL", &db.url),
        ("CATALOG_PLANNER_BOARD_MONTHLY_CENTS", "4900"),
    ])
    .await;
    admin.sign_in(ADMIN.0, ADMIN.1).await;
    let switched = admin
        .call("switch_company", &[("company_id", &SUMMIT.to_string())])
        .await;
    assert_eq!(switched.status(), 200);
    let pm = admin.second_browser();
    pm.sign_in(PM.0, PM.1).await;
    let mine: ProjectPage = pm
        .call("list_projects", &[("search", ""), ("page", "1")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(mine.total, 12);
    let visible = mine.projects[0].id.get();
    // Checkout checks against the company's project cache, which the wizard fills: the PM's
    // project found by name, the hidden one from the first page.
    let ids_of = |page: Value| -> Vec<i64> {
        page["projects"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect()
    };
    let wizard = |search: String| {
        let admin = admin.clone_handle();
        async move {
            let page = admin
                .call(
                    "wizard_projects",
                    &[
                        ("search", &search),
                        ("filter", "not-licensed"),
                        ("page", "1"),
                    ],
                )
                .await;
            assert_eq!(page.status(), 200);
            page.json::<Value>().await.unwrap()
        }
    };
    // The cache of Summit's 2,500 projects fills in the background.
    let until = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while !wizard(String::new()).await["loading"].is_null() {
        assert!(std::time::Instant::now() < until, "the project cache fills");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let mut listed = ids_of(wizard(mine.projects[0].name.clone()).await);
    listed.extend(ids_of(wizard(String::new()).await));
    assert!(
        listed.contains(&visible),
        "the wizard lists the PM's project"
    );
    let hidden = listed
        .into_iter()
        .find(|id| mine.projects.iter().all(|m| m.id.get() != *id))
        .expect("a Summit project the PM does not see");
    first_purchase(&admin, visible, hidden).await;
    let visible_run = queued_run(&admin, visible).await;
    let hidden_run = queued_run(&admin, hidden).await;
    (admin, pm, visible, hidden, visible_run, hidden_run)
}

async fn walk(db: TestDb) {
    let (admin, pm, visible, hidden, visible_run, hidden_run) =
        summit_with_hidden_project(&db).await;
    let mut failures = Vec::new();
    for (project, run, shown) in [(visible, &visible_run, true), (hidden, &hidden_run, false)] {
        for call in calls(project, run) {
            if !registered().contains(call.name) {
                // Walked ahead of a server function still being written elsewhere.
                continue;
            }
            let got = send(&pm, &call).await.status().as_u16();
            let wanted = if shown { call.visible } else { 404 };
            // The purchase functions refuse a non-admin before they look at projects.
            let wanted = match call.name {
                "purchase_preview"
                | "confirm_purchase"
                | "preview_project_change"
                | "confirm_project_change" => 403,
                _ => wanted,
            };
            if got != wanted {
                failures.push(format!(
                    "{} on {project}: {got}, wanted {wanted}",
                    call.name
                ));
            }
        }
        for page in PROJECT_PAGES {
            let path = page.replace("{id}", &project.to_string());
            let response = pm.get(&path).await;
            let got = response.status().as_u16();
            let body = response.text().await.unwrap();
            if shown && got != 200 {
                failures.push(format!("{path}: {got}, wanted 200"));
            }
            if !shown {
                if let Err(problem) = plain_not_found(got, &body) {
                    failures.push(format!("{path}: {problem}"));
                }
            }
        }
        let csv = pm
            .get(&format!("/projects/{project}/sync/runs/{run}/log.csv"))
            .await
            .status()
            .as_u16();
        let wanted = if shown { 200 } else { 404 };
        if csv != wanted {
            failures.push(format!("log.csv of {project}: {csv}, wanted {wanted}"));
        }
        // The badges PDF: the PM's project has no Safety Badge add-on (403), the hidden one
        // is not found.
        let pdf = pm
            .get(&format!("/projects/{project}/badges/download.pdf"))
            .await
            .status()
            .as_u16();
        let wanted = if shown { 403 } else { 404 };
        if pdf != wanted {
            failures.push(format!("badges PDF of {project}: {pdf}, wanted {wanted}"));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // The admin still reads the project the PM may not see.
    let settings = admin
        .call("sync_settings", &[("project", &hidden.to_string())])
        .await;
    assert_eq!(settings.status(), 200);
    let csv = admin
        .get(&format!(
            "/projects/{hidden}/sync/runs/{hidden_run}/log.csv"
        ))
        .await;
    assert_eq!(csv.status(), 200);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_member_reads_only_the_projects_procore_shows_them_sqlite_and_postgres() {
    on_both(walk).await;
}

#[test]
fn the_walk_names_every_server_function() {
    let walked: BTreeSet<&str> = calls(1, "r").iter().map(|c| c.name).collect();
    let registered = registered();
    let unknown: Vec<&String> = registered
        .iter()
        .filter(|name| !walked.contains(name.as_str()) && !NOT_PER_PROJECT.contains(&name.as_str()))
        .collect();
    assert!(
        unknown.is_empty(),
        "server functions neither walked as per-project nor listed as company-level: {unknown:?}"
    );
    let stale: Vec<&&str> = NOT_PER_PROJECT
        .iter()
        .filter(|name| !registered.contains(**name))
        .collect();
    assert!(
        stale.is_empty(),
        "not server functions (any more): {stale:?}"
    );
}

/// Item 11: a project page of another company's project, or of an id that does not exist,
/// is a plain 404 (signed in as a member of Summit Ridge only).
#[tokio::test]
async fn project_pages_of_other_companies_and_unknown_ids_are_plain_404s() {
    let pm = spawn_app(&[]).await;
    pm.sign_in(PM.0, PM.1).await;
    let admin = pm.second_browser();
    admin.sign_in(ADMIN.0, ADMIN.1).await;
    let switched = admin
        .call("switch_company", &[("company_id", &HARBOR.to_string())])
        .await;
    assert_eq!(switched.status(), 200);
    let harbor: ProjectPage = admin
        .call("list_projects", &[("search", ""), ("page", "1")])
        .await
        .json()
        .await
        .unwrap();
    let harbor = harbor.projects[0].id.get().to_string();
    let mut failures = Vec::new();
    for id in [
        harbor.as_str(),
        "999999999",
        "1.5",
        "abc",
        "%2012",
        "99999999999999999999",
    ] {
        for page in PROJECT_PAGES.iter().chain(["/projects/{id}/team"].iter()) {
            let path = page.replace("{id}", id);
            let response = pm.get(&path).await;
            let status = response.status().as_u16();
            if let Err(problem) = plain_not_found(status, &response.text().await.unwrap()) {
                failures.push(format!("{path}: {problem}"));
            }
        }
    }
    // The admin, in Harbor Point, opening a Summit Ridge address of theirs is refused the same.
    let summit: ProjectPage = pm
        .call("list_projects", &[("search", ""), ("page", "1")])
        .await
        .json()
        .await
        .unwrap();
    let path = format!("/projects/{}/settings", summit.projects[0].id);
    let response = admin.get(&path).await;
    let status = response.status().as_u16();
    if let Err(problem) = plain_not_found(status, &response.text().await.unwrap()) {
        failures.push(format!("admin {path}: {problem}"));
    }
    assert!(failures.is_empty(), "{failures:#?}");
    // Signed out, the page offers sign-in as before.
    let out = pm
        .second_browser()
        .get(&format!("/projects/{harbor}"))
        .await;
    assert_ne!(out.status(), 404);
    assert!(out.text().await.unwrap().contains("Sign in"));
}
