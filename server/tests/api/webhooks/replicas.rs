//! Two server processes on one database, sharing one Stripe: 500 `customer.subscription.
//! updated` events for real sandbox subscriptions, shuffled, 30 % delivered twice, spread
//! across both. Each must be stored once and applied once (attempts and applications
//! counted in the inbox), by both workers between them, with the subscriptions' current
//! Stripe state as the effect.

use std::time::Duration;

use base64::Engine;
use futures::StreamExt;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use server::db::Db;

use super::{applied_once, deliver, event, inbox, until};
use crate::helpers::app::{spawn_app, TestApp};
use crate::helpers::TestDb;

const COMPANY: i64 = 7001;
const EVENTS: usize = 500;
const WEBHOOK_SECRET: &str = "whsec_replicas";

/// Both processes: "real" Procore and Stripe settings pointing at one shared Stripe
/// sandbox (Procore is never called here).
async fn replica(db_url: &str, stripe: &sandbox::StripeSandbox) -> TestApp {
    let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
    let stripe_base = stripe.base_url();
    spawn_app(&[
        ("DATABASE_URL", db_url),
        ("PROCORE_CLIENT_ID", "replica-test"),
        ("PROCORE_CLIENT_SECRET", "replica-test-secret"),
        ("PROCORE_LOGIN_BASE", "http://127.0.0.1:9"),
        ("PROCORE_API_BASE", "http://127.0.0.1:9"),
        ("TOKEN_ENCRYPTION_KEY", &key),
        ("STRIPE_SECRET_KEY", "sk_test_replicas"),
        ("STRIPE_WEBHOOK_SECRET", WEBHOOK_SECRET),
        ("STRIPE_API_BASE", &stripe_base),
    ])
    .await
}

/// A paid subscription in the sandbox (Checkout Session paid with 4242), with two licensed
/// projects of ours on it, active.
async fn licensed_subscription(app: &TestApp, n: i64) -> String {
    let billing = &app.services.billing;
    let prices = billing.ensure_prices().await.unwrap();
    let customer = billing
        .create_customer(COMPANY, "Replica Co", None)
        .await
        .unwrap();
    let lines = [(prices["planner_monthly"].clone(), 2)];
    let expires = server::db::now() + 3600;
    let (ok, cancel) = ("http://127.0.0.1:9/ok", "http://127.0.0.1:9/cancel");
    let session = billing
        .create_checkout(
            &format!("order-{n}"),
            COMPANY,
            &customer,
            &lines,
            ok,
            cancel,
            expires,
        )
        .await
        .unwrap();
    let page = session.url.expect("hosted page");
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(90))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let paid = crate::helpers::app::pay_on_checkout(
        &http,
        &page,
        "4242 4242 4242 4242",
        "ap@replica.example",
    )
    .await;
    assert_eq!(paid.status(), 303);
    let subscription = billing
        .checkout_session(&session.id)
        .await
        .unwrap()
        .subscription
        .expect("a subscription");
    for project in [100 + 2 * n, 101 + 2 * n] {
        sqlx::query(
            "INSERT INTO licensed_projects (company_id, procore_project_id, name, planner, planner_board, safety, safety_badge,
                 billing_interval, status, order_id, stripe_subscription_id, created_at, updated_at)
             VALUES ($1, $2, $3, 1, 0, 0, 0, 'monthly', 'active', $4, $5, 0, 0)",
        )
        .bind(COMPANY)
        .bind(project)
        .bind(format!("Project {project}"))
        .bind(format!("order-{n}"))
        .bind(subscription.clone())
        .execute(app.services.db.pool())
        .await
        .unwrap();
    }
    subscription
}

async fn statuses(db: &Db, subscription: &str) -> Vec<String> {
    let rows: Vec<(String,)> =
        sqlx::query_as("SELECT status FROM licensed_projects WHERE stripe_subscription_id = $1")
            .bind(subscription.to_string())
            .fetch_all(db.pool())
            .await
            .unwrap();
    rows.into_iter().map(|r| r.0).collect()
}

async fn two_processes_apply_each_event_once(db: TestDb) {
    // Events stay in the sandbox's own list: the test delivers them itself.
    let options = sandbox::StripeOptions {
        api_key: "sk_test_replicas".into(),
        webhook_secret: WEBHOOK_SECRET.into(),
        webhook_url: None,
    };
    let stripe = sandbox::start_stripe(options, None).await.unwrap();
    let a = replica(&db.url, &stripe).await;
    let b = replica(&db.url, &stripe).await;
    sqlx::query("INSERT INTO companies (id, name, updated_at) VALUES ($1, 'Replica Co', 0)")
        .bind(COMPANY)
        .execute(db.db.pool())
        .await
        .unwrap();
    let mut subscriptions = Vec::new();
    for n in 0..4 {
        subscriptions.push(licensed_subscription(&a, n).await);
    }
    // Two end at Stripe while no webhook reaches us: only the events below can tell us.
    for cancelled in &subscriptions[..2] {
        a.services
            .billing
            .cancel_subscription(cancelled)
            .await
            .unwrap();
    }

    let ids: Vec<String> = (0..EVENTS)
        .map(|i| format!("evt-test-replica-{i:03}"))
        .collect();
    let mut rng = rand::rngs::StdRng::seed_from_u64(8);
    let mut deliveries: Vec<usize> = (0..EVENTS).collect();
    deliveries.extend((0..EVENTS * 3 / 10).map(|_| rng.gen_range(0..EVENTS)));
    deliveries.shuffle(&mut rng);
    let plan: Vec<(usize, bool)> = deliveries.into_iter().map(|i| (i, rng.gen())).collect();
    let answers: Vec<(u16, String)> = futures::stream::iter(plan)
        .map(|(i, to_a)| {
            let body = event(
                &ids[i],
                "customer.subscription.updated",
                &subscriptions[i % 4],
            );
            let app = if to_a {
                a.clone_handle()
            } else {
                b.clone_handle()
            };
            async move { deliver(&app, WEBHOOK_SECRET, &body).await }
        })
        .buffer_unordered(16)
        .collect()
        .await;
    assert!(
        answers.iter().all(|(status, _)| *status == 200),
        "every delivery answered 200"
    );
    let stored = answers.iter().filter(|(_, text)| text == "ok").count();
    assert_eq!(stored, EVENTS, "each event stored by exactly one delivery");

    let rows = until(&db.db, Duration::from_secs(60), |r| {
        r.iter().all(|row| row.3.is_some())
    })
    .await;
    assert_eq!(rows.len(), EVENTS);
    let twice: Vec<_> = rows
        .iter()
        .filter(|r| !applied_once(std::slice::from_ref(r)))
        .collect();
    assert!(
        twice.is_empty(),
        "claimed or applied other than once: {twice:?}"
    );
    let mut workers: Vec<&str> = rows.iter().filter_map(|r| r.5.as_deref()).collect();
    workers.sort_unstable();
    workers.dedup();
    assert_eq!(
        workers.len(),
        2,
        "both processes applied events: {workers:?}"
    );
    for (n, subscription) in subscriptions.iter().enumerate() {
        let expected = if n < 2 { "canceled" } else { "active" };
        assert_eq!(statuses(&db.db, subscription).await, [expected, expected]);
    }
    // Nothing more happens later (no stray retries).
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(inbox(&db.db).await, rows);
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_apply_500_shuffled_duplicated_events_once_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        two_processes_apply_each_event_once(db).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_processes_apply_500_shuffled_duplicated_events_once_on_sqlite() {
    two_processes_apply_each_event_once(TestDb::sqlite().await).await;
}
