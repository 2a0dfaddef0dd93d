//! A company admin asks for the deletion of the company's data: refused while a subscription
//! is live or when the typed name is wrong; otherwise everything goes and a receipt is kept.

mod scheduled;
mod tables;

use serde_json::Value;

use crate::helpers::demo::SUMMIT;
use crate::helpers::TestDb;
use crate::sync::{licensed, on_both};

async fn delete_flow(db: TestDb) {
    let l = licensed(&db).await; // Harbor Point, with a live subscription
    let live = l
        .app
        .call(
            "delete_company_data",
            &[("confirm_name", "Harbor Point Construction")],
        )
        .await;
    assert_eq!(live.status(), 409, "{}", live.text().await.unwrap());
    // Summit Ridge has nothing live.
    let switched = l
        .app
        .call("switch_company", &[("company_id", &SUMMIT.to_string())])
        .await;
    assert_eq!(switched.status(), 200);
    let wrong = l
        .app
        .call("delete_company_data", &[("confirm_name", "Summit")])
        .await;
    assert_eq!(wrong.status(), 422);
    let (before,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM company_users WHERE company_id = $1")
            .bind(SUMMIT.get())
            .fetch_one(db.db.pool())
            .await
            .unwrap();
    assert!(before > 0);
    let done = l
        .app
        .call(
            "delete_company_data",
            &[("confirm_name", "Summit Ridge Builders")],
        )
        .await;
    assert_eq!(done.status(), 200, "{}", done.text().await.unwrap());
    let receipt: Value = done.json().await.unwrap();
    assert_eq!(receipt["company_name"], "Summit Ridge Builders");
    let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM companies WHERE id = $1")
        .bind(SUMMIT.get())
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    assert_eq!(left, 0);
    let (kept,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM data_deletions WHERE company_id = $1")
            .bind(SUMMIT.get())
            .fetch_one(db.db.pool())
            .await
            .unwrap();
    assert_eq!(kept, 1, "the confirmation is kept");
    // Harbor's data is untouched, and the app answers without a 500.
    let (harbor,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM licensed_projects")
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    assert!(harbor >= 2);
    let after = l.app.call("licensed_tiles", &[]).await;
    assert!(after.status().as_u16() < 500, "{}", after.status());
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn company_data_deletion_sqlite_and_postgres() {
    on_both(delete_flow).await;
}
