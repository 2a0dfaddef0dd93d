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
