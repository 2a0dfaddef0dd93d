//! Issue 21, two apps, one wizard: a project can be licensed for Safety only while the
//! company has Smartapp Safety installed in Procore (and Planner needs Smartapp Planner).
//! A quote or checkout including a module whose app is missing is a 422 naming the app,
//! with no order made; reinstalling the app lets the same purchase through. On SQLite and
//! PostgreSQL.

use serde_json::{json, Value};

use crate::helpers::demo::HARBOR;
use crate::helpers::TestDb;
use crate::subscriptions::{harbor_admin, harbor_ids};
use crate::sync::{on_both, post, sandbox_post};

fn selection(project: i64, planner: bool, safety: bool) -> Value {
    json!({"selection": {"projects": [{"project_id": project, "planner": planner, "planner_board": false, "safety": safety, "safety_badge": safety}]}, "interval": "monthly"})
}

async fn orders(db: &TestDb) -> i64 {
    sqlx::query_as::<_, (i64,)>("SELECT COUNT(*) FROM orders WHERE company_id = $1")
        .bind(HARBOR.get())
        .fetch_one(db.db.pool())
        .await
        .unwrap()
        .0
}

async fn safety_needs_its_app(db: TestDb) {
    let app = harbor_admin(&db).await;
    let ids = harbor_ids(&app).await;
    let switch = |action: &str| {
        format!(
            "/__sandbox/apps/safety/{action}?company_id={}",
            HARBOR.get()
        )
    };
    sandbox_post(&app, &switch("uninstall"), &json!({})).await;
    // Our records learn it when a purchase asks (they said "installed" since sign-in).
    let checked = app.call("recheck_app_connections", &[]).await;
    assert_eq!(checked.status(), 200);

    let refused = post(&app, "start_checkout", &selection(ids[0], true, true)).await;
    assert_eq!(refused.status(), 422);
    let words = refused.text().await.unwrap();
    assert!(words.contains("Smartapp Safety"), "{words}");
    assert!(!words.contains("Smartapp Planner app"), "{words}");
    assert_eq!(orders(&db).await, 0, "nothing ordered");
    let preview = post(&app, "purchase_preview", &selection(ids[0], false, true)).await;
    assert_eq!(preview.status(), 422, "the card-on-file quote refuses too");

    // Planner alone needs only Smartapp Planner, which is installed.
    let planner = post(&app, "start_checkout", &selection(ids[0], true, false)).await;
    assert_eq!(planner.status(), 200, "{}", planner.text().await.unwrap());
    assert_eq!(orders(&db).await, 1);

    // Reinstalled in Procore: the purchase asks Procore again and goes through.
    sandbox_post(&app, &switch("install"), &json!({})).await;
    let again = post(&app, "start_checkout", &selection(ids[1], false, true)).await;
    assert_eq!(again.status(), 200, "{}", again.text().await.unwrap());
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn safety_needs_smartapp_safety_installed_sqlite_and_postgres() {
    on_both(safety_needs_its_app).await;
}

async fn subscription(app: &crate::helpers::app::TestApp, project: i64) -> Value {
    let r = app
        .call("project_subscription", &[("project", &project.to_string())])
        .await;
    assert_eq!(r.status(), 200);
    r.json().await.unwrap()
}

/// Manage Subscription follows the same rule: adding Safety to a licensed Planner project
/// while Smartapp Safety is not installed is a 422 (preview and confirm), the project keeps
/// what it had; removing or keeping Planner is not affected.
async fn adding_safety_later_needs_its_app(db: TestDb) {
    let app = harbor_admin(&db).await;
    let ids = harbor_ids(&app).await;
    crate::subscriptions::checkout(
        &app,
        vec![crate::subscriptions::choice(ids[0], true, false, false)],
        "monthly",
    )
    .await;
    let switch = format!(
        "/__sandbox/apps/safety/uninstall?company_id={}",
        HARBOR.get()
    );
    sandbox_post(&app, &switch, &json!({})).await;
    assert_eq!(app.call("recheck_app_connections", &[]).await.status(), 200);
    let before = subscription(&app, ids[0]).await;
    let add_safety = json!({"project": ids[0], "request": {"kind": "modules", "license": {"planner": true, "planner_board": false, "safety": true, "safety_badge": false}}});
    for endpoint in ["preview_project_change", "confirm_project_change"] {
        let refused = post(&app, endpoint, &add_safety).await;
        assert_eq!(refused.status(), 422, "{endpoint}");
        let words = refused.text().await.unwrap();
        assert!(words.contains("Smartapp Safety"), "{endpoint}: {words}");
    }
    assert_eq!(
        subscription(&app, ids[0]).await,
        before,
        "the project keeps what it had"
    );
    // Ending the subscription needs no app.
    let end = post(
        &app,
        "preview_project_change",
        &json!({"project": ids[0], "request": {"kind": "end"}}),
    )
    .await;
    assert_eq!(end.status(), 200, "{}", end.text().await.unwrap());
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn manage_subscription_adds_safety_only_with_its_app_sqlite_and_postgres() {
    on_both(adding_safety_later_needs_its_app).await;
}
