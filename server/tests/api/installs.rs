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
