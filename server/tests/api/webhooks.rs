//! Stripe webhooks through the inbox, on SQLite and PostgreSQL: a verified event is stored
//! once and answered at once, then applied once from the inbox (duplicates, bad signatures,
//! a failing event that backs off, a dead process's claim), and two server processes on one
//! database receiving 500 shuffled events with 30 % duplicated deliveries apply each once.

use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::json;
use server::db::Db;

use crate::helpers::app::{spawn_app, TestApp};
use crate::helpers::TestDb;

/// A Stripe-shaped event naming `object` (a Checkout Session or subscription id).
fn event(id: &str, kind: &str, object: &str) -> String {
    json!({
        "id": id, "object": "event", "api_version": "2026-09-30.endive",
        "created": server::db::now(), "livemode": false, "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null}, "type": kind,
        "data": {"object": {"id": object}},
    })
    .to_string()
}

/// `Stripe-Signature` as Stripe computes it: `t=…,v1=hex(HMAC_SHA256(secret, "{t}.{body}"))`.
fn sign(secret: &str, t: i64, body: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={t},v1={hex}")
}

/// Delivers `body` to `app` signed with `secret`; the status and the answer's text.
async fn deliver(app: &TestApp, secret: &str, body: &str) -> (u16, String) {
    let response = app
        .http
        .post(format!("{}/webhooks/stripe", app.base))
        .header("stripe-signature", sign(secret, server::db::now(), body))
        .body(body.to_string())
        .send()
        .await
        .unwrap();
    (response.status().as_u16(), response.text().await.unwrap())
}

/// One inbox row: (id, attempts, apply_count, applied_at, last_error, claimed_by).
type Row = (
    String,
    i64,
    i64,
    Option<i64>,
    Option<String>,
    Option<String>,
);

/// The inbox rows of this test's events (ids `evt-test-…`): the Stripe sandbox's own events
/// (e.g. for what the app sets up at start-up) are left out.
async fn inbox(db: &Db) -> Vec<Row> {
    sqlx::query_as(
        "SELECT id, attempts, apply_count, applied_at, last_error, claimed_by FROM stripe_inbox
         WHERE id LIKE 'evt-test-%' ORDER BY id",
    )
    .fetch_all(db.pool())
    .await
    .unwrap()
}

/// Waits until `done` holds for the inbox, up to `limit`.
async fn until(db: &Db, limit: Duration, done: impl Fn(&[Row]) -> bool) -> Vec<Row> {
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let rows = inbox(db).await;
        if done(&rows) || tokio::time::Instant::now() >= deadline {
            return rows;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

fn applied_once(rows: &[Row]) -> bool {
    rows.iter()
        .all(|(_, attempts, count, at, _, _)| *attempts == 1 && *count == 1 && at.is_some())
}

async fn duplicate_deliveries_are_stored_once_and_applied_once(db: TestDb) {
    let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    let secret = app.services.stripe_webhook_secrets[0].clone();
    // Handled by the dispatcher: a Checkout Session of no order of ours is looked up, ignored.
    let body = event("evt-test-dup", "checkout.session.expired", "cs_test_none");
    let answers = futures::future::join_all((0..3).map(|_| deliver(&app, &secret, &body))).await;
    assert!(
        answers.iter().all(|(status, _)| *status == 200),
        "{answers:?}"
    );
    let stored = answers.iter().filter(|(_, text)| text == "ok").count();
    assert_eq!(
        stored, 1,
        "one delivery stored it, the others were duplicates: {answers:?}"
    );
    let rows = until(&db.db, Duration::from_secs(10), |r| {
        r.len() == 1 && applied_once(r)
    })
    .await;
    assert!(rows.len() == 1 && applied_once(&rows), "{rows:?}");
    // A redelivery after it was applied changes nothing.
    assert_eq!(
        deliver(&app, &secret, &body).await,
        (200, "duplicate".into())
    );
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(inbox(&db.db).await, rows);
    db.cleanup().await;
}

async fn a_bad_signature_is_refused_and_stores_nothing(db: TestDb) {
    let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    let secret = app.services.stripe_webhook_secrets[0].clone();
    let body = event(
        "evt-test-forged",
        "checkout.session.expired",
        "cs_test_none",
    );
    assert_eq!(
        deliver(&app, "whsec_wrong", &body).await.0,
        400,
        "wrong secret"
    );
    let stale = app
        .http
        .post(format!("{}/webhooks/stripe", app.base))
        .header(
            "stripe-signature",
            sign(&secret, server::db::now() - 600, &body),
        )
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status(), 400, "stale timestamp");
    let tampered = body.replace("cs_test_none", "cs_test_else");
    let header = sign(&secret, server::db::now(), &body);
    let response = app
        .http
        .post(format!("{}/webhooks/stripe", app.base))
        .header("stripe-signature", header)
        .body(tampered)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400, "body changed after signing");
    assert!(inbox(&db.db).await.is_empty(), "nothing stored");
    db.cleanup().await;
}

async fn a_dead_process_claim_runs_out_and_another_applies_it(db: TestDb) {
    // A process stored the event, claimed it for 1 s and died before applying it.
    let received = server::webhooks::ReceivedEvent {
        event: server::licensing::events::StripeEventRef {
            id: "evt-test-orphan".into(),
            kind: "checkout.session.expired".into(),
            object_id: Some("cs_test_none".into()),
            subscription: None,
        },
        created: None,
    };
    let now = server::db::now();
    let stored = db.db.store_stripe_events(&[&received], now).await.unwrap();
    assert_eq!(stored, ["evt-test-orphan"]);
    let claimed = db
        .db
        .claim_stripe_events("dead", 10, 1, 12, now)
        .await
        .unwrap();
    assert_eq!(claimed.len(), 1);
    let _live = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    let rows = until(&db.db, Duration::from_secs(10), |r| {
        r.first().is_some_and(|row| row.3.is_some())
    })
    .await;
    let (_, attempts, count, applied_at, _, by) = &rows[0];
    assert!(
        applied_at.is_some(),
        "applied after the claim ran out: {rows:?}"
    );
    assert_eq!((*attempts, *count), (2, 1), "claimed twice, applied once");
    assert_ne!(by.as_deref(), Some("dead"));
    db.cleanup().await;
}

#[tokio::test]
async fn duplicate_delivery_is_stored_and_applied_once_on_sqlite() {
    duplicate_deliveries_are_stored_once_and_applied_once(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn duplicate_delivery_is_stored_and_applied_once_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        duplicate_deliveries_are_stored_once_and_applied_once(db).await;
    }
}

#[tokio::test]
async fn bad_signature_stores_nothing_on_sqlite() {
    a_bad_signature_is_refused_and_stores_nothing(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn bad_signature_stores_nothing_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        a_bad_signature_is_refused_and_stores_nothing(db).await;
    }
}

#[tokio::test]
async fn dead_process_claim_expires_on_sqlite() {
    a_dead_process_claim_runs_out_and_another_applies_it(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn dead_process_claim_expires_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        a_dead_process_claim_runs_out_and_another_applies_it(db).await;
    }
}

#[tokio::test]
async fn a_failing_event_backs_off_and_keeps_its_error() {
    let db = TestDb::sqlite().await;
    let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    let secret = app.services.stripe_webhook_secrets[0].clone();
    // Stripe does not know this subscription: the re-fetch fails.
    let body = event(
        "evt-test-fails",
        "customer.subscription.updated",
        "sub_unknown",
    );
    assert_eq!(
        deliver(&app, &secret, &body).await.0,
        200,
        "answered before applying"
    );
    let rows = until(&db.db, Duration::from_secs(10), |r| {
        r.first().is_some_and(|row| row.4.is_some())
    })
    .await;
    let (_, attempts, count, applied_at, error, _) = &rows[0];
    assert_eq!((*attempts, *count, *applied_at), (1, 0, None), "{rows:?}");
    assert!(!error.as_deref().unwrap_or("").is_empty());
    let (next, received): (i64, i64) = sqlx::query_as(
        "SELECT next_attempt_at, received_at FROM stripe_inbox WHERE id = 'evt-test-fails'",
    )
    .fetch_one(db.db.pool())
    .await
    .unwrap();
    assert!(
        next >= received + 3,
        "backs off at least 3 s before the next attempt"
    );
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(inbox(&db.db).await[0].1, 1, "not retried before its time");
}

mod replicas;
