//! "Sync needs a new admin connection: a company admin signs in with Procore and saves
//! these settings again" must be doable as written: with sync on and no usable connection,
//! the overview says so (`needs_connection`, which enables Save with nothing changed) and
//! an unchanged Save gives background runs the saving admin's connection. SQLite and
//! PostgreSQL.

use serde_json::{json, Value};

use super::{all, licensed, on_both, settings};
use crate::helpers::TestDb;

async fn overview(l: &super::Licensed) -> Value {
    let r = l
        .app
        .call("sync_settings", &[("project", &l.project.to_string())])
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

async fn an_unchanged_save_renews_the_connection(db: TestDb) {
    let l = licensed(&db).await;
    let saved = settings(&l, l.project, &all("from_procore")).await;
    assert_eq!(saved["needs_connection"], json!(false), "{saved}");
    // The connection background runs used is gone (e.g. its admin left the company).
    sqlx::query("UPDATE project_sync_settings SET connection_user_id = NULL WHERE project_id = $1")
        .bind(l.project)
        .execute(db.db.pool())
        .await
        .unwrap();
    let before = overview(&l).await;
    assert_eq!(before["needs_connection"], json!(true), "{before}");
    assert!(
        before["paused_reason"]
            .as_str()
            .is_some_and(|r| r.contains("saves these settings again")),
        "{before}"
    );
    // Save with exactly the settings shown.
    let after = settings(&l, l.project, &all("from_procore")).await;
    assert_eq!(after["needs_connection"], json!(false), "{after}");
    assert_eq!(after["paused_reason"], Value::Null, "{after}");
    assert!(after["connection_name"].as_str().is_some(), "{after}");
    let (user,): (Option<i64>,) = sqlx::query_as(
        "SELECT connection_user_id FROM project_sync_settings WHERE project_id = $1",
    )
    .bind(l.project)
    .fetch_one(db.db.pool())
    .await
    .unwrap();
    assert_eq!(user, Some(l.admin));
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unchanged_save_renews_a_lost_connection_sqlite_and_postgres() {
    on_both(an_unchanged_save_renews_the_connection).await;
}
