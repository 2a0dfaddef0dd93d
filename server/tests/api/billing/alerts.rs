//! The failed-payment banner: a renewal charged to a card that declines shows it (dated
//! when the charge failed), a failed retry moves its date, paying the invoice in the
//! portal clears it; events delivered reversed give the same banner, and a payment whose
//! webhook has not arrived yet clears it too (the banner re-checks the invoice with Stripe).

use app::billing::api::{InvoiceStatus, PaymentAlert};
use app::billing::utc_date;
use sandbox::DeliveryMode;

use super::{buy, harbor_admin, overview, portal_form, two_projects};
use crate::helpers::app::TestApp;
use crate::helpers::TestDb;

const DAY: i64 = 86_400;
/// Attaches, then every later charge is declined.
const DECLINES_LATER: &str = "4000000000000341";

async fn alert(app: &TestApp) -> Option<PaymentAlert> {
    let response = app.call("payment_alert", &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

async fn stored_alerts(db: &TestDb) -> i64 {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM billing_alerts")
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    n
}

/// A monthly purchase whose first renewal fails; returns the failed invoice's id and when
/// it was issued.
async fn failed_renewal(app: &TestApp, db: &TestDb) -> (String, i64) {
    let stripe = app.stripe.clone().unwrap();
    let [(a, _), (b, _)] = two_projects(app).await;
    buy(app, a, b, "monthly").await;
    assert_eq!(alert(app).await, None, "paid at checkout: no banner");
    let (customer,): (String,) = sqlx::query_as("SELECT stripe_customer_id FROM billing_customers")
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    stripe.set_default_card(&customer, DECLINES_LATER).unwrap();
    stripe.advance_clock(32 * DAY).await;
    app.settle_webhooks().await;
    let failed = overview(app)
        .await
        .invoices
        .into_iter()
        .find(|i| i.payment_failed)
        .expect("the renewal invoice, open after its failed charge");
    assert_eq!(failed.status, Some(InvoiceStatus::Open));
    assert_eq!(failed.status_label(), "Payment failed");
    (failed.id, failed.created)
}

/// Pays `invoice` with a good card through the portal's "Pay now", as a person would.
async fn pay_in_portal(app: &TestApp, db: &TestDb, invoice: &str) {
    let stripe = app.stripe.clone().unwrap();
    let (customer,): (String,) = sqlx::query_as("SELECT stripe_customer_id FROM billing_customers")
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    stripe
        .set_default_card(&customer, "4242424242424242")
        .unwrap();
    let opened = portal_form(app).await;
    assert_eq!(opened.status(), 303);
    let portal = url::Url::parse(opened.headers()["location"].to_str().unwrap()).unwrap();
    let page = app.http.get(portal.clone()).send().await.unwrap();
    assert!(page.text().await.unwrap().contains("Pay now"));
    let paid = app
        .http
        .post(portal.join(&format!("/invoice/{invoice}/pay")).unwrap())
        .form(&[("return", portal.path())])
        .send()
        .await
        .unwrap();
    assert!(paid.status().is_redirection(), "{}", paid.status());
}

async fn banner_follows_the_failed_invoice(db: TestDb, mode: DeliveryMode) {
    let app = harbor_admin(&db).await;
    app.stripe.as_ref().unwrap().set_delivery_mode(mode);
    let (invoice, issued) = failed_renewal(&app, &db).await;
    let shown = alert(&app).await.expect("the banner");
    assert_eq!(shown.invoice_id, invoice);
    assert_eq!(
        shown.amount_due_cents,
        2 * 29_500 + 59_500,
        "the month's renewal"
    );
    let stripe_now = app.stripe.as_ref().unwrap().now();
    assert!(
        (issued..=stripe_now).contains(&shown.failed_at),
        "dated when Stripe charged the renewal (Stripe's clock), not when we heard: {}",
        utc_date(shown.failed_at)
    );

    // Stripe retries 3 days later with the same card: the banner keeps the first failed
    // attempt's date (issue 20, item 6) and names the next retry, which moves on.
    app.stripe
        .as_ref()
        .unwrap()
        .advance_clock(3 * DAY + 60)
        .await;
    app.settle_webhooks().await;
    let retried = alert(&app).await.expect("still failing");
    assert_eq!(retried.failed_at, shown.failed_at, "{retried:?}");
    let (first_retry, next_retry) = (
        shown.next_attempt_at.unwrap(),
        retried.next_attempt_at.unwrap(),
    );
    assert!(
        first_retry > shown.failed_at,
        "the next retry is after the failure"
    );
    assert!(
        next_retry > first_retry,
        "the next retry moved on: {retried:?}"
    );

    pay_in_portal(&app, &db, &invoice).await;
    app.settle_webhooks().await;
    assert_eq!(alert(&app).await, None);
    assert_eq!(stored_alerts(&db).await, 0, "cleared by invoice.paid");
    let paid = overview(&app).await;
    let row = paid.invoices.iter().find(|i| i.id == invoice).unwrap();
    assert_eq!(row.status, Some(InvoiceStatus::Paid));
    db.cleanup().await;
}

#[tokio::test]
async fn the_banner_follows_a_failed_renewal_on_sqlite() {
    banner_follows_the_failed_invoice(TestDb::sqlite().await, DeliveryMode::Normal).await;
}

#[tokio::test]
async fn the_banner_follows_a_failed_renewal_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        banner_follows_the_failed_invoice(db, DeliveryMode::Normal).await;
    }
}

#[tokio::test]
async fn reversed_and_duplicated_events_give_the_same_banner() {
    banner_follows_the_failed_invoice(TestDb::sqlite().await, DeliveryMode::Reverse).await;
    banner_follows_the_failed_invoice(TestDb::sqlite().await, DeliveryMode::Duplicate).await;
}

#[tokio::test]
async fn a_payment_clears_the_banner_before_its_webhook_arrives() {
    let db = TestDb::sqlite().await;
    let app = harbor_admin(&db).await;
    let (invoice, _) = failed_renewal(&app, &db).await;
    assert!(alert(&app).await.is_some());
    let stripe = app.stripe.clone().unwrap();
    stripe.set_webhook_url(None);
    pay_in_portal(&app, &db, &invoice).await;
    assert_eq!(alert(&app).await, None, "confirmed with Stripe when read");
    assert_eq!(stored_alerts(&db).await, 0);
}
