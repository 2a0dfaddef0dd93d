//! Install state per company and app: uninstalling Smartapp Planner in Procore shows a
//! Reconnect state, stops its syncs and keeps everything; Safety is unaffected; reinstalling
//! restores service. On SQLite and PostgreSQL.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::demo::HARBOR;
use crate::helpers::TestDb;
use crate::sync::{all, licensed, on_both, quick, replica, sandbox_post, settings, sync_now};

async fn connections(l: &crate::sync::Licensed, name: &str) -> Vec<Value> {
    let r = l.app.call(name, &[]).await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

fn connected(list: &[Value], app: &str) -> Option<bool> {
    list.iter()
        .find(|a| a["app"] == app)
        .map(|a| a["connected"].as_bool().unwrap())
}

async fn uninstall_then_reinstall(db: TestDb) {
    let l = licensed(&db).await;
    let p = l.project;
    settings(&l, p, &all("from_procore")).await;
    let jobs = replica(&l, &db.url, quick(), Duration::from_secs(10)).await;
    let handle = jobs.start();
    assert_eq!(sync_now(&l, p, "users").await["state"], "succeeded");
    let before: i64 =
        sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM directory_entries WHERE project_id = $1")
            .bind(p)
            .fetch_one(db.db.pool())
            .await
            .unwrap()
            .0;

    let now = connections(&l, "recheck_app_connections").await;
    assert_eq!(connected(&now, "Planner"), Some(true), "{now:?}");
    assert_eq!(connected(&now, "Safety"), Some(true));

    sandbox_post(
        &l.app,
        &format!(
            "/__sandbox/apps/planner/uninstall?company_id={}",
            HARBOR.get()
        ),
        &json!({}),
    )
    .await;
    let after = connections(&l, "recheck_app_connections").await;
    assert_eq!(connected(&after, "Planner"), Some(false), "{after:?}");
    assert_eq!(
        connected(&after, "Safety"),
        Some(true),
        "uninstalling Planner leaves Safety"
    );
    // The project (Planner + Board) stops syncing and says why; nothing is deleted.
    let refused = l
        .app
        .call(
            "start_sync",
            &[("project", &p.to_string()), ("resource", "users")],
        )
        .await;
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("not connected"));
    let page: Value = l
        .app
        .call("sync_settings", &[("project", &p.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        page["paused_reason"]
            .as_str()
            .unwrap()
            .contains("Smartapp Planner is not connected"),
        "{page}"
    );
    let kept: i64 =
        sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM directory_entries WHERE project_id = $1")
            .bind(p)
            .fetch_one(db.db.pool())
            .await
            .unwrap()
            .0;
    assert_eq!(kept, before);
    let reconnect = l.app.get("/reconnect/planner").await.text().await.unwrap();
    assert!(
        reconnect.contains("Reconnect Smartapp Planner") && reconnect.contains("Billing goes on")
    );

    sandbox_post(
        &l.app,
        &format!(
            "/__sandbox/apps/planner/install?company_id={}",
            HARBOR.get()
        ),
        &json!({}),
    )
    .await;
    let back = connections(&l, "recheck_app_connections").await;
    assert_eq!(connected(&back, "Planner"), Some(true));
    assert_eq!(
        sync_now(&l, p, "users").await["state"],
        "succeeded",
        "service restored"
    );
    handle.stop().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uninstall_reconnect_reinstall_sqlite_and_postgres() {
    on_both(uninstall_then_reinstall).await;
}

/// Issue 20 (20, 21): an uninstall is learnt by the periodic install check, without any call
/// failing first (companies with a live subscription are due every 5 minutes, the others
/// hourly); after a reinstall, the first successful Procore call with that app's connection
/// clears the state, with no Check again.
async fn uninstall_noticed_by_the_check_and_cleared_by_a_successful_call(db: TestDb) {
    let l = licensed(&db).await;
    let p = l.project;
    let before = connections(&l, "app_connections").await;
    assert_eq!(connected(&before, "Planner"), Some(true), "{before:?}");
    sandbox_post(
        &l.app,
        &format!(
            "/__sandbox/apps/planner/uninstall?company_id={}",
            HARBOR.get()
        ),
        &json!({}),
    )
    .await;
    // Not due yet: checked at sign-in a moment ago.
    assert_eq!(l.app.services.installs.check_all().await.unwrap(), 0);
    assert_eq!(
        connected(&connections(&l, "app_connections").await, "Planner"),
        Some(true)
    );
    // Six minutes later (the last check moved back): the live company is due, the other
    // company of the same admin (nothing licensed) is not.
    sqlx::query("UPDATE app_installs SET checked_at = checked_at - 360")
        .execute(db.db.pool())
        .await
        .unwrap();
    assert_eq!(l.app.services.installs.check_all().await.unwrap(), 1);
    let after = connections(&l, "app_connections").await;
    assert_eq!(connected(&after, "Planner"), Some(false), "{after:?}");
    let page = l.app.get("/projects").await.text().await.unwrap();
    assert!(
        page.contains("Smartapp Planner is not connected to this company in Procore")
            && page.contains("Check again"),
        "Project Central says so, with Check again"
    );

    sandbox_post(
        &l.app,
        &format!(
            "/__sandbox/apps/planner/install?company_id={}",
            HARBOR.get()
        ),
        &json!({}),
    )
    .await;
    // The embedded view's Procore call succeeds with the Planner connection: connected.
    let view = l
        .app
        .get(&format!("/embedded/{}/{p}?app=planner", HARBOR.get()))
        .await;
    assert_eq!(view.status(), 200);
    let html = view.text().await.unwrap();
    assert!(html.contains("id=\"embedded-project\""), "{html}");
    let back = connections(&l, "app_connections").await;
    assert_eq!(
        connected(&back, "Planner"),
        Some(true),
        "cleared without Check again: {back:?}"
    );
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn uninstall_noticed_by_the_check_cleared_by_a_call_sqlite_and_postgres() {
    on_both(uninstall_noticed_by_the_check_and_cleared_by_a_successful_call).await;
}
