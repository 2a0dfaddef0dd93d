//! Scheduled deletion, on SQLite and PostgreSQL: refused while a subscription renews; once
//! every project is ended, the admin schedules it for the last period end (the page says
//! "Your data will be deleted on DATE") and may cancel it; a reactivated subscription calls
//! the schedule off; the periodic job deletes nothing before the date and, at the date, the
//! data through the one delete path with its receipt — once, with two server processes.

use std::time::Duration;

use app::privacy::{DeletionStanding, DeletionStatus};
use serde_json::json;
use server::jobs::periodic::PeriodicKind;
use server::jobs::{Jobs, JobsConfig};
use server::privacy::schedule::run_due;

use crate::helpers::app::TestApp;
use crate::helpers::demo::HARBOR;
use crate::helpers::TestDb;
use crate::sync::{licensed, on_both};

const HARBOR_NAME: &str = "Harbor Point Construction";

async fn status(app: &TestApp) -> DeletionStatus {
    let r = app.call("deletion_status", &[]).await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

/// Ends or reactivates (`undo`) a project's subscription through Manage Subscription.
async fn change(app: &TestApp, project: i64, kind: &str) {
    let r = app
        .http
        .post(format!("{}/api/confirm_project_change", app.base))
        .header("origin", &app.base)
        .json(&json!({"project": project, "request": {"kind": kind}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{kind}: {}", r.text().await.unwrap());
    app.settle_webhooks().await;
}

async fn latest_period_end(db: &TestDb) -> i64 {
    let (end,): (i64,) = sqlx::query_as(
        "SELECT MAX(current_period_end) FROM billing_subscriptions WHERE company_id = $1",
    )
    .bind(HARBOR.get())
    .fetch_one(db.db.pool())
    .await
    .unwrap();
    end
}

async fn harbor_rows(db: &TestDb) -> (i64, i64) {
    let (companies,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM companies WHERE id = $1")
        .bind(HARBOR.get())
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    let (projects,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM licensed_projects WHERE company_id = $1")
            .bind(HARBOR.get())
            .fetch_one(db.db.pool())
            .await
            .unwrap();
    (companies, projects)
}

async fn schedule(app: &TestApp, name: &str) -> reqwest::Response {
    app.call("schedule_company_deletion", &[("confirm_name", name)])
        .await
}

async fn scheduled_flow(db: TestDb) {
    let l = licensed(&db).await; // Harbor Point: two projects on one monthly subscription
    let app = &l.app;
    // While the subscription renews: refused, with the reason.
    assert_eq!(
        status(app).await.standing,
        DeletionStanding::Refused { renewing: 1 }
    );
    let refused = schedule(app, HARBOR_NAME).await;
    assert_eq!(refused.status(), 409);
    assert!(refused.text().await.unwrap().contains("still renew"));

    // Every project ended: the subscription ends at its period end.
    change(app, l.project, "end").await;
    change(app, l.other, "end").await;
    let due = latest_period_end(&db).await;
    assert!(due > server::db::now());
    assert_eq!(
        status(app).await.standing,
        DeletionStanding::CanSchedule { due_at: due }
    );
    let at_once = app
        .call("delete_company_data", &[("confirm_name", HARBOR_NAME)])
        .await;
    assert_eq!(
        at_once.status(),
        409,
        "not at once while paid-for time runs"
    );
    assert_eq!(schedule(app, "Harbor").await.status(), 422, "wrong name");
    let done = schedule(app, HARBOR_NAME).await;
    assert_eq!(done.status(), 200, "{}", done.text().await.unwrap());
    let scheduled: DeletionStatus = done.json().await.unwrap();
    assert!(matches!(
        scheduled.standing,
        DeletionStanding::Scheduled { due_at, .. } if due_at == due
    ));
    // The page says it, with the app's date format.
    let words = format!(
        "Your data will be deleted on {}.",
        app::subscriptions::date(due)
    );
    let page = app.get("/account/delete-data").await.text().await.unwrap();
    assert!(page.contains(&words), "{words} on the page");
    assert!(page.contains("Cancel scheduled deletion"));

    // Cancel, then cancel again (nothing to cancel), then schedule again.
    assert_eq!(
        app.call("cancel_scheduled_deletion", &[]).await.status(),
        200
    );
    assert_eq!(
        status(app).await.standing,
        DeletionStanding::CanSchedule { due_at: due }
    );
    assert_eq!(
        app.call("cancel_scheduled_deletion", &[]).await.status(),
        409
    );
    assert_eq!(schedule(app, HARBOR_NAME).await.status(), 200);

    // Not before the date.
    let before = run_due(&db.db, due - 1).await.unwrap();
    assert_eq!(before.deleted, 0);
    assert_eq!(harbor_rows(&db).await.0, 1);

    // A reactivated subscription calls the schedule off (the page says why at once; the
    // run records it and deletes nothing, even past the date).
    change(app, l.project, "undo").await;
    let off = status(app).await;
    assert_eq!(off.standing, DeletionStanding::Refused { renewing: 1 });
    assert!(off.called_off.as_deref().unwrap().contains("renews again"));
    let run = run_due(&db.db, due + 1).await.unwrap();
    assert_eq!((run.deleted, run.called_off), (0, 1));
    assert_eq!(harbor_rows(&db).await.0, 1);
    let (cancelled,): (Option<i64>,) =
        sqlx::query_as("SELECT cancelled_at FROM scheduled_deletions WHERE company_id = $1")
            .bind(HARBOR.get())
            .fetch_one(db.db.pool())
            .await
            .unwrap();
    assert!(cancelled.is_some());

    // Ended again and scheduled again; then the date comes (the period end moved into the
    // past, as time would) and the job of two server processes deletes it once.
    change(app, l.project, "end").await;
    let again = status(app).await;
    assert!(matches!(
        again.standing,
        DeletionStanding::CanSchedule { .. }
    ));
    assert!(
        again.called_off.is_some(),
        "the earlier call-off is still explained"
    );
    assert_eq!(schedule(app, HARBOR_NAME).await.status(), 200);
    let past = server::db::now() - 10;
    sqlx::query("UPDATE billing_subscriptions SET current_period_end = $1 WHERE company_id = $2")
        .bind(past)
        .bind(HARBOR.get())
        .execute(db.db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE scheduled_deletions SET due_at = $1 WHERE company_id = $2")
        .bind(past)
        .bind(HARBOR.get())
        .execute(db.db.pool())
        .await
        .unwrap();
    let config = || JobsConfig {
        scan_every: Duration::from_millis(200),
        poll_every: Duration::from_millis(200),
        heartbeat: Duration::from_secs(1),
        periods: vec![(PeriodicKind::RunScheduledDeletions, 1)],
        run_delay: Duration::ZERO,
    };
    let mut handles = Vec::new();
    for _ in 0..2 {
        let replica_db = server::db::Db::connect(&db.url).await.unwrap();
        let jobs = Jobs::connect(&db.url, replica_db, config()).await.unwrap();
        handles.push(jobs.start());
    }
    let until = std::time::Instant::now() + Duration::from_secs(30);
    while harbor_rows(&db).await.0 == 1 && std::time::Instant::now() < until {
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    tokio::time::sleep(Duration::from_secs(2)).await; // more periods run on both
    for h in handles {
        h.stop().await;
    }
    assert_eq!(harbor_rows(&db).await, (0, 0), "deleted at the date");
    let receipts: Vec<(i64, Option<i64>)> = sqlx::query_as(
        "SELECT requested_by, scheduled_at FROM data_deletions WHERE company_id = $1",
    )
    .bind(HARBOR.get())
    .fetch_all(db.db.pool())
    .await
    .unwrap();
    assert_eq!(receipts.len(), 1, "one receipt: {receipts:?}");
    assert_eq!(
        receipts[0].0, l.admin,
        "requested by the admin who scheduled"
    );
    assert!(receipts[0].1.is_some(), "marked as scheduled");
    let (runs,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM job_runs WHERE task = 'run_scheduled_deletions'")
            .fetch_one(db.db.pool())
            .await
            .unwrap();
    assert!(runs >= 2, "the job ran in several periods ({runs})");
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scheduled_deletion_sqlite_and_postgres() {
    on_both(scheduled_flow).await;
}
