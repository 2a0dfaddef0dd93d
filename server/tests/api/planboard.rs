//! Plan Board: items of a licensed Planner project are added, checked and removed by admins;
//! publishing shows them to the embedded view; bad input is a 4xx and changes nothing.

use serde_json::{json, Value};

use crate::helpers::TestDb;
use crate::sync::{licensed, on_both, post};

async fn board_flow(db: TestDb) {
    let l = licensed(&db).await;
    let p = l.project;
    let item = |title: &str, start: &str, due: &str| json!({"project": p, "id": null, "item": {"title": title, "owner": "Ana Diaz", "starts_on": start, "due_on": due, "status": "in_progress"}});
    let added = post(
        &l.app,
        "save_plan_item",
        &item("Pour level 2 slab", "2026-12-02", "2026-12-04"),
    )
    .await;
    assert_eq!(added.status(), 200, "{}", added.text().await.unwrap());
    let bad = post(
        &l.app,
        "save_plan_item",
        &item("Backwards", "2026-12-05", "2026-12-01"),
    )
    .await;
    assert_eq!(bad.status(), 422);
    let board: Value = l
        .app
        .call("plan_board", &[("project", &p.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(board["items"].as_array().unwrap().len(), 1, "{board}");
    assert_eq!(board["published"], false);
    assert_eq!(board["eligible"], true);

    let published: Value = l
        .app
        .call(
            "publish_plan_board",
            &[("project", &p.to_string()), ("publish", "true")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(published["published"], true);
    let caller = app::ports::Caller {
        user: app::ids::UserId(l.admin),
        company: crate::helpers::demo::HARBOR,
        is_admin: true,
    };
    let shown = l
        .app
        .services
        .planboard
        .published(&caller, app::ids::ProjectId(p))
        .await
        .unwrap();
    assert_eq!(shown.unwrap()[0].title, "Pour level 2 slab");
    l.app
        .call(
            "publish_plan_board",
            &[("project", &p.to_string()), ("publish", "false")],
        )
        .await;
    assert!(l
        .app
        .services
        .planboard
        .published(&caller, app::ids::ProjectId(p))
        .await
        .unwrap()
        .is_none());

    let id = board["items"][0]["id"].as_str().unwrap().to_string();
    let removed = l
        .app
        .call(
            "remove_plan_item",
            &[("project", &p.to_string()), ("id", &id)],
        )
        .await;
    assert_eq!(removed.status(), 200);
    let again = l
        .app
        .call(
            "remove_plan_item",
            &[("project", &p.to_string()), ("id", &id)],
        )
        .await;
    assert_eq!(again.status(), 404);
    // Another company's (or an unlicensed) project.
    assert_eq!(
        l.app
            .call("plan_board", &[("project", "42")])
            .await
            .status(),
        404
    );
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_board_items_and_publishing_sqlite_and_postgres() {
    on_both(board_flow).await;
}

async fn count(db: &TestDb, sql: &str, project: i64) -> i64 {
    sqlx::query_as::<_, (i64,)>(sqlx::AssertSqlSafe(sql.to_string()))
        .bind(project)
        .fetch_one(db.db.pool())
        .await
        .unwrap()
        .0
}

/// Issue 21: the Planner Board add-on is what enables the Plan Board. `other` has Planner
/// and Safety without the add-on: every change is a 403 naming the add-on and nothing is
/// stored; once the add-on is added (Manage Subscription) the same calls succeed.
async fn board_needs_the_add_on(db: TestDb) {
    let l = crate::sync::licensed(&db).await;
    let p = l.other;
    let item = json!({"project": p, "id": null, "item": {"title": "Erect crane", "owner": "Ana Diaz", "starts_on": "2026-12-02", "due_on": "2026-12-04", "status": "not_started"}});
    let board: Value = l
        .app
        .call("plan_board", &[("project", &p.to_string())])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(board["eligible"], false, "{board}");
    assert_eq!(board["planner"], true, "{board}");
    assert_eq!(board["can_edit"], false, "{board}");
    assert_eq!(board["admin"], true, "{board}");

    let saved = post(&l.app, "save_plan_item", &item).await;
    assert_eq!(saved.status(), 403);
    let words = saved.text().await.unwrap();
    assert!(words.contains("Planner Board add-on"), "{words}");
    let published = l
        .app
        .call(
            "publish_plan_board",
            &[("project", &p.to_string()), ("publish", "true")],
        )
        .await;
    assert_eq!(published.status(), 403);
    let removed = l
        .app
        .call(
            "remove_plan_item",
            &[("project", &p.to_string()), ("id", "anything")],
        )
        .await;
    assert_eq!(removed.status(), 403);
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM plan_items WHERE project_id = $1",
            p
        )
        .await,
        0
    );
    assert_eq!(
        count(
            &db,
            "SELECT COUNT(*) FROM plan_boards WHERE project_id = $1",
            p
        )
        .await,
        0,
        "nothing published"
    );

    // With the add-on, the same calls go through.
    let add = json!({"project": p, "request": {"kind": "modules", "license": {"planner": true, "planner_board": true, "safety": true, "safety_badge": false}}});
    let changed = post(&l.app, "confirm_project_change", &add).await;
    assert_eq!(changed.status(), 200, "{}", changed.text().await.unwrap());
    let saved = post(&l.app, "save_plan_item", &item).await;
    assert_eq!(saved.status(), 200, "{}", saved.text().await.unwrap());
    let board: Value = saved.json().await.unwrap();
    assert_eq!(board["eligible"], true);
    assert_eq!(board["can_edit"], true);
    assert_eq!(board["items"][0]["title"], "Erect crane");
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn plan_board_needs_the_planner_board_add_on_sqlite_and_postgres() {
    on_both(board_needs_the_add_on).await;
}
