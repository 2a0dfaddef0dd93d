//! Licensing end to end without a browser: wizard list → checkout → the sandbox's hosted
//! payment page → signed webhooks → licensed projects, on SQLite and on PostgreSQL; plus
//! duplicated and reordered webhooks, bad signatures and declined cards.

use crate::helpers::app::{spawn_app, TestApp};
use crate::helpers::demo::{HARBOR, SUMMIT};
use crate::helpers::TestDb;
use app::account::Viewer;
use app::licensing::api::{LicensedTile, WizardPage};
use app::licensing::{BillingInterval, ProjectLicense};
use app::projects::ProjectPage;
use hmac::{Hmac, Mac};
use sandbox::DeliveryMode;
use serde_json::{json, Value};

async fn licensing_app(db: &TestDb) -> TestApp {
    let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    app.sign_in("admin@summitridge.example", "sandbox-admin")
        .await;
    assert_eq!(
        app.call("switch_company", &[("company_id", &HARBOR.to_string())])
            .await
            .status(),
        200
    );
    // A company switch re-checks access with Procore on the next call: settle it here.
    assert_eq!(app.call("licensed_tiles", &[]).await.status(), 200);
    app
}

async fn wizard_page(app: &TestApp, filter: &str) -> WizardPage {
    app.call(
        "wizard_projects",
        &[("search", ""), ("filter", filter), ("page", "1")],
    )
    .await
    .json()
    .await
    .unwrap()
}

async fn not_licensed_ids(app: &TestApp) -> Vec<i64> {
    wizard_page(app, "not-licensed")
        .await
        .projects
        .iter()
        .map(|p| p.id.get())
        .collect()
}

/// Starts checkout for Planner on `a` and Planner + Safety on `b`; returns the hosted page URL.
async fn checkout(app: &TestApp, a: i64, b: i64, interval: &str) -> String {
    let body = json!({
        "selection": {"projects": [
            {"project_id": a, "planner": true, "planner_board": true, "safety": false, "safety_badge": false},
            {"project_id": b, "planner": true, "planner_board": false, "safety": true, "safety_badge": false}
        ]},
        "interval": interval,
    });
    let response = post_checkout(app, &body).await;
    assert_eq!(response.status(), 200, "{}", response.text().await.unwrap());
    response.json::<String>().await.unwrap()
}

async fn post_checkout(app: &TestApp, body: &Value) -> reqwest::Response {
    app.http
        .post(format!("{}/api/start_checkout", app.base))
        .header("origin", &app.base)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn pay(app: &TestApp, page_url: &str, card: &str) -> reqwest::Response {
    let page = app.http.get(page_url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    app.pay_on_checkout(page_url, card).await
}

async fn tiles(app: &TestApp) -> Vec<LicensedTile> {
    app.call("licensed_tiles", &[]).await.json().await.unwrap()
}

async fn full_purchase(db: TestDb, mode: DeliveryMode) {
    let app = licensing_app(&db).await;
    let stripe = app.stripe.clone().unwrap();
    stripe.set_delivery_mode(mode);
    let ids = not_licensed_ids(&app).await;
    assert_eq!(ids.len(), 33, "Harbor Point's active projects");
    let url = checkout(&app, ids[0], ids[1], "yearly").await;
    // A double click: the same selection gives the same Checkout Session.
    assert_eq!(checkout(&app, ids[0], ids[1], "yearly").await, url);

    let paid = pay(&app, &url, "4242 4242 4242 4242").await;
    assert_eq!(paid.status(), 303);
    let success = paid.headers()["location"].to_str().unwrap().to_string();
    assert!(
        success.contains("/projects?checkout_session=cs_"),
        "{success}"
    );
    app.settle_webhooks().await;

    let tiles = tiles(&app).await;
    assert_eq!(tiles.len(), 2, "{tiles:?}");
    let first = tiles.iter().find(|t| t.project_id.get() == ids[0]).unwrap();
    assert_eq!(
        first.license,
        ProjectLicense {
            planner: true,
            planner_board: true,
            safety: false,
            safety_badge: false
        }
    );
    assert_eq!(first.interval, BillingInterval::Yearly);
    assert_eq!(first.status, "active");
    assert!(!first.name.is_empty());

    // The success page reconciles too; it changes nothing now.
    let session_id = success.split("checkout_session=").nth(1).unwrap();
    let confirmed: u32 = app
        .call("confirm_checkout", &[("session_id", session_id)])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(confirmed, 2);
    assert_eq!(not_licensed_ids(&app).await.len(), 33 - 2);
    assert_eq!(wizard_page(&app, "licensed-both").await.total, 1);
    let orders: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders WHERE status = 'paid'")
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    assert_eq!(orders.0, 1);
    // A licensed project cannot be bought again.
    let again = post_checkout(&app, &json!({"selection": {"projects": [{"project_id": ids[0], "planner": true}]}, "interval": "monthly"})).await;
    assert_eq!(again.status(), 422);
    db.cleanup().await;
}

#[tokio::test]
async fn purchase_on_sqlite() {
    full_purchase(TestDb::sqlite().await, DeliveryMode::Normal).await;
}

#[tokio::test]
async fn purchase_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        full_purchase(db, DeliveryMode::Normal).await;
    }
}

#[tokio::test]
async fn duplicated_webhooks_give_the_same_end_state() {
    full_purchase(TestDb::sqlite().await, DeliveryMode::Duplicate).await;
}

#[tokio::test]
async fn reordered_webhooks_give_the_same_end_state() {
    full_purchase(TestDb::sqlite().await, DeliveryMode::Reverse).await;
}

#[tokio::test]
async fn reordered_webhooks_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        full_purchase(db, DeliveryMode::Reverse).await;
    }
}

#[tokio::test]
async fn a_declined_card_licenses_nothing() {
    let db = TestDb::sqlite().await;
    let app = licensing_app(&db).await;
    let ids = not_licensed_ids(&app).await;
    let url = checkout(&app, ids[0], ids[1], "monthly").await;
    let declined = pay(&app, &url, "4000 0000 0000 0002").await;
    assert_eq!(declined.status(), 402);
    assert!(declined
        .text()
        .await
        .unwrap()
        .contains("Your card was declined."));
    app.settle_webhooks().await;
    assert!(tiles(&app).await.is_empty());
    let pending: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders WHERE status = 'pending'")
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    assert_eq!(pending.0, 1);
}

#[tokio::test]
async fn invalid_selections_are_refused_with_a_clear_message() {
    let db = TestDb::sqlite().await;
    let app = licensing_app(&db).await;
    let ids = not_licensed_ids(&app).await;
    for (body, why) in [
        (
            json!({"selection": {"projects": [{"project_id": ids[0]}]}, "interval": "yearly"}),
            "no module",
        ),
        (
            json!({"selection": {"projects": []}, "interval": "yearly"}),
            "empty",
        ),
        (
            json!({"selection": {"projects": [{"project_id": ids[0], "planner_board": true}]}, "interval": "yearly"}),
            "add-on without module",
        ),
        (
            json!({"selection": {"projects": [{"project_id": 999, "planner": true}]}, "interval": "yearly"}),
            "not this company's project",
        ),
    ] {
        let response = post_checkout(&app, &body).await;
        assert_eq!(response.status(), 422, "{why}");
    }
    let malformed = app
        .http
        .post(format!("{}/api/start_checkout", app.base))
        .header("origin", &app.base)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert!(
        malformed.status().is_client_error() || malformed.status() == 500,
        "{}",
        malformed.status()
    );
}

fn signature(secret: &str, timestamp: i64, payload: &str) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{timestamp}.{payload}").as_bytes());
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("t={timestamp},v1={hex}")
}

#[tokio::test]
async fn webhook_signatures_and_payloads_are_checked() {
    let db = TestDb::sqlite().await;
    let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    let secret = app.services.stripe_webhook_secrets[0].clone();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    let post = |body: String, sig: String| {
        let http = app.http.clone();
        let url = format!("{}/webhooks/stripe", app.base);
        async move {
            http.post(url)
                .header("stripe-signature", sig)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    let unknown = json!({
        "id": "evt_test_unknown", "object": "event", "api_version": "2026-09-30.endive", "created": now,
        "data": {"object": {"id": "thing_1", "object": "thing"}}, "livemode": false, "pending_webhooks": 1,
        "request": {"id": null, "idempotency_key": null}, "type": "thing.happened"
    })
    .to_string();
    assert_eq!(
        post(unknown.clone(), signature("whsec_wrong", now, &unknown)).await,
        400,
        "bad signature"
    );
    assert_eq!(
        post(unknown.clone(), signature(&secret, now - 600, &unknown)).await,
        400,
        "stale timestamp"
    );
    assert_eq!(
        post(unknown.clone(), "garbage".into()).await,
        400,
        "malformed header"
    );
    assert_eq!(
        post("{not json".into(), signature(&secret, now, "{not json")).await,
        400,
        "malformed JSON"
    );
    assert_eq!(
        post(unknown.clone(), signature(&secret, now, &unknown)).await,
        200,
        "unknown types are acknowledged"
    );
    // During secret rotation Stripe sends several v1 values: one match is enough.
    let good = signature(&secret, now, &unknown);
    let rotated = good.replacen(",v1=", &format!(",v1={},v1=", "11".repeat(32)), 1);
    assert_eq!(
        post(unknown.clone(), rotated).await,
        200,
        "one good v1 among several"
    );
    let only_bad = format!("t={now},v1={}", "11".repeat(32));
    assert_eq!(post(unknown.clone(), only_bad).await, 400, "no good v1");
    assert_eq!(
        post(unknown.clone(), signature(&secret, now, &unknown)).await,
        200,
        "duplicates are acknowledged"
    );
    let missing = app
        .http
        .post(format!("{}/webhooks/stripe", app.base))
        .body(unknown)
        .send()
        .await
        .unwrap();
    assert_eq!(missing.status(), 400);
    let orders: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM licensed_projects")
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    assert_eq!(orders.0, 0, "nothing changed");
}

#[tokio::test]
async fn non_admins_see_licensed_projects_read_only() {
    let db = TestDb::sqlite().await;
    let admin = licensing_app(&db).await;
    let viewer: Option<Viewer> = admin.call("get_viewer", &[]).await.json().await.unwrap();
    assert!(viewer.unwrap().is_admin);

    let pm = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    pm.sign_in("pm@summitridge.example", "sandbox-pm").await;
    let viewer: Option<Viewer> = pm.call("get_viewer", &[]).await.json().await.unwrap();
    assert!(
        !viewer.unwrap().is_admin,
        "Procore's App Management refuses non-admins"
    );
    let refused = pm
        .call(
            "wizard_projects",
            &[("search", ""), ("filter", "not-licensed"), ("page", "1")],
        )
        .await;
    assert_eq!(refused.status(), 403);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Only Procore company admins"));
    assert_eq!(
        pm.call("select_all_matching", &[("search", "")])
            .await
            .status(),
        403
    );
    let buy = post_checkout(&pm, &json!({"selection": {"projects": [{"project_id": 1, "planner": true}]}, "interval": "yearly"})).await;
    assert_eq!(buy.status(), 403);
    let licensed = pm
        .call(
            "wizard_projects",
            &[("search", ""), ("filter", "licensed"), ("page", "1")],
        )
        .await;
    assert_eq!(licensed.status(), 200, "the licensed list stays readable");
    assert_eq!(pm.call("licensed_tiles", &[]).await.status(), 200);
}

#[tokio::test]
async fn a_failed_renewal_marks_the_licences_past_due_and_a_later_payment_restores_them() {
    let db = TestDb::sqlite().await;
    let app = licensing_app(&db).await;
    let stripe = app.stripe.clone().unwrap();
    let ids = not_licensed_ids(&app).await;
    let url = checkout(&app, ids[0], ids[1], "monthly").await;
    assert_eq!(pay(&app, &url, "4242 4242 4242 4242").await.status(), 303);
    app.settle_webhooks().await;
    let (subscription,): (String,) =
        sqlx::query_as("SELECT stripe_subscription_id FROM orders WHERE status = 'paid'")
            .fetch_one(db.db.pool())
            .await
            .unwrap();

    stripe.fail_next_renewal(&subscription);
    stripe.advance_clock(32 * 86_400).await;
    app.settle_webhooks().await;
    let statuses: Vec<String> = tiles(&app).await.iter().map(|t| t.status.clone()).collect();
    assert_eq!(statuses, ["past_due", "past_due"]);

    stripe.advance_clock(31 * 86_400).await;
    app.settle_webhooks().await;
    let statuses: Vec<String> = tiles(&app).await.iter().map(|t| t.status.clone()).collect();
    assert_eq!(statuses, ["active", "active"]);
}

#[tokio::test]
async fn a_stale_project_list_is_served_when_procore_is_throttling() {
    let db = TestDb::sqlite().await;
    let app = licensing_app(&db).await;
    assert_eq!(not_licensed_ids(&app).await.len(), 33);
    // A list completed long ago (0 would mean "never completed").
    sqlx::query("UPDATE project_catalog_syncs SET synced_at = 1")
        .execute(db.db.pool())
        .await
        .unwrap();
    let procore = app.procore.clone().unwrap();
    procore.set_rate_limits(0, 0);
    let before = procore.stats().rate_limited;
    assert_eq!(
        not_licensed_ids(&app).await.len(),
        33,
        "the cached list is served"
    );
    assert!(
        procore.stats().rate_limited > before,
        "Procore was asked and said no"
    );

    // With no cached list at all, the user gets Procore's limit as a clear error.
    sqlx::query("DELETE FROM project_catalog_syncs")
        .execute(db.db.pool())
        .await
        .unwrap();
    let response = app
        .call(
            "wizard_projects",
            &[("search", ""), ("filter", "not-licensed"), ("page", "1")],
        )
        .await;
    assert_eq!(response.status(), 429);
    assert!(response
        .text()
        .await
        .unwrap()
        .contains("ProcoreRateLimited"));
}

async fn paid_subscription(db: &TestDb) -> String {
    let (subscription,): (String,) = sqlx::query_as(
        "SELECT stripe_subscription_id FROM orders WHERE status = 'paid' ORDER BY created_at LIMIT 1",
    )
    .fetch_one(db.db.pool())
    .await
    .unwrap();
    subscription
}

#[tokio::test]
async fn a_cancelled_subscription_frees_its_projects_to_be_licensed_again() {
    let db = TestDb::sqlite().await;
    let app = licensing_app(&db).await;
    let ids = not_licensed_ids(&app).await;
    let url = checkout(&app, ids[0], ids[1], "monthly").await;
    assert_eq!(pay(&app, &url, "4242 4242 4242 4242").await.status(), 303);
    app.settle_webhooks().await;
    assert_eq!(not_licensed_ids(&app).await.len(), 31);

    let subscription = paid_subscription(&db).await;
    app.services
        .billing
        .cancel_subscription(&subscription)
        .await
        .unwrap();
    app.settle_webhooks().await;
    let statuses: Vec<String> = tiles(&app).await.iter().map(|t| t.status.clone()).collect();
    assert_eq!(statuses, ["canceled", "canceled"]);
    assert_eq!(
        not_licensed_ids(&app).await.len(),
        33,
        "lapsed projects can be bought again"
    );

    // Buying one again replaces its lapsed licence.
    let url = checkout(&app, ids[0], ids[2], "yearly").await;
    assert_eq!(pay(&app, &url, "4242 4242 4242 4242").await.status(), 303);
    app.settle_webhooks().await;
    let tiles = tiles(&app).await;
    let again = tiles.iter().find(|t| t.project_id.get() == ids[0]).unwrap();
    assert_eq!(
        (again.status.as_str(), again.interval),
        ("active", BillingInterval::Yearly)
    );
}

#[tokio::test]
async fn a_second_tab_of_the_same_admin_replaces_the_open_checkout() {
    let db = TestDb::sqlite().await;
    let app = licensing_app(&db).await;
    let ids = not_licensed_ids(&app).await;
    // Two tabs: {0, 1}, then {1, 2}. Only one payable session may exist for project 1.
    let first = checkout(&app, ids[0], ids[1], "monthly").await;
    let second = checkout(&app, ids[1], ids[2], "monthly").await;
    assert_ne!(first, second);
    let stale = pay(&app, &first, "4242 4242 4242 4242").await;
    assert_ne!(
        stale.status(),
        303,
        "the first session was expired and takes no payment"
    );
    assert_eq!(
        pay(&app, &second, "4242 4242 4242 4242").await.status(),
        303
    );
    app.settle_webhooks().await;
    let licensed: Vec<i64> = tiles(&app)
        .await
        .iter()
        .map(|t| t.project_id.get())
        .collect();
    assert_eq!(licensed.len(), 2, "only the second checkout was paid");
    assert!(licensed.contains(&ids[1]) && licensed.contains(&ids[2]));
    let holds: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM project_reservations")
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    assert_eq!(holds.0, 0, "payment released the holds");
}

#[tokio::test]
async fn a_second_admin_is_told_who_is_licensing_the_project_until_when() {
    let db = TestDb::sqlite().await;
    let app = licensing_app(&db).await;
    let ids = not_licensed_ids(&app).await;
    let url = checkout(&app, ids[0], ids[1], "yearly").await;

    let other = app.second_browser();
    other
        .sign_in("solo@harborpoint.example", "sandbox-solo")
        .await;
    let body = json!({
        "selection": {"projects": [
            {"project_id": ids[1], "planner": true, "planner_board": false, "safety": false, "safety_badge": false},
            {"project_id": ids[2], "planner": true, "planner_board": false, "safety": false, "safety_badge": false}
        ]},
        "interval": "yearly",
    });
    let refused = post_checkout(&other, &body).await;
    assert_eq!(refused.status(), 409);
    let message = refused.text().await.unwrap();
    assert!(
        message.contains("is being licensed by Avery Admin until") && message.contains("UTC"),
        "{message}"
    );
    // The first admin's session is still the payable one.
    assert_eq!(pay(&app, &url, "4242 4242 4242 4242").await.status(), 303);
}

#[tokio::test]
async fn six_parallel_submits_of_one_selection_open_one_session() {
    let db = TestDb::sqlite().await;
    let app = licensing_app(&db).await;
    let ids = not_licensed_ids(&app).await;
    let urls: Vec<String> =
        futures::future::join_all((0..6).map(|_| checkout(&app, ids[3], ids[4], "monthly"))).await;
    assert!(urls.iter().all(|u| *u == urls[0]), "{urls:?}");
    let orders: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM orders")
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    assert_eq!(orders.0, 1);
    let expires: (i64,) = sqlx::query_as("SELECT MIN(expires_at) FROM project_reservations")
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    let now = time::OffsetDateTime::now_utc().unix_timestamp();
    assert!(
        expires.0 >= now + 30 * 60,
        "held at least as long as the session (30 minutes, Stripe's minimum)"
    );
}

#[tokio::test]
async fn concurrent_wizard_requests_refresh_the_project_list_once() {
    let db = TestDb::sqlite().await;
    let app = licensing_app(&db).await;
    let procore = app.procore.clone().unwrap();
    // Only the project-list calls: sign-in checks and other work may call Procore too.
    let list_calls = || procore.stats().calls_to("/rest/v1.1/projects");
    let before = list_calls();
    let calls = (0..10).map(|_| not_licensed_ids(&app));
    let pages: Vec<Vec<i64>> = futures::future::join_all(calls).await;
    assert!(pages.iter().all(|ids| ids.len() == 33));
    assert_eq!(
        list_calls() - before,
        1,
        "one Procore page for 33 projects, fetched once"
    );
}

#[tokio::test]
async fn non_admins_see_licensed_projects_only_where_procore_shows_them() {
    let db = TestDb::sqlite().await;
    let admin = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    admin
        .sign_in("admin@summitridge.example", "sandbox-admin")
        .await;
    admin
        .call("switch_company", &[("company_id", &SUMMIT.to_string())])
        .await;
    let pm = admin.second_browser();
    pm.sign_in("pm@summitridge.example", "sandbox-pm").await;
    let page: ProjectPage = pm
        .call("list_projects", &[("search", ""), ("page", "1")])
        .await
        .json()
        .await
        .unwrap();
    let pm_sees: Vec<i64> = page.projects.iter().map(|p| p.id.get()).collect();
    assert_eq!(pm_sees.len(), 12, "the project manager's own projects");
    // Summit's 2,375 projects arrive page by page: wait for all of them.
    while wizard_page(&admin, "not-licensed").await.loading.is_some() {
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    let hidden = not_licensed_ids(&admin)
        .await
        .into_iter()
        .find(|id| !pm_sees.contains(id))
        .unwrap();
    let url = checkout(&admin, pm_sees[0], hidden, "yearly").await;
    assert_eq!(pay(&admin, &url, "4242 4242 4242 4242").await.status(), 303);
    admin.settle_webhooks().await;
    assert_eq!(tiles(&admin).await.len(), 2);

    let seen: Vec<i64> = tiles(&pm)
        .await
        .iter()
        .map(|t| t.project_id.get())
        .collect();
    assert_eq!(seen, vec![pm_sees[0]], "the hidden project stays hidden");
    assert_eq!(wizard_page(&pm, "licensed").await.total, 1);
}

#[tokio::test]
async fn a_big_company_shows_its_first_page_while_the_rest_arrives() {
    use crate::helpers::demo::{BENCH, SCALE_10K};
    let db = TestDb::sqlite().await;
    let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    app.sign_in(BENCH.0, BENCH.1).await;
    app.call("switch_company", &[("company_id", &SCALE_10K.to_string())])
        .await;
    app.call("licensed_tiles", &[]).await;

    let started = std::time::Instant::now();
    let first = wizard_page(&app, "not-licensed").await;
    let first_wait = started.elapsed();
    let progress = first.loading.expect("still loading after the first page");
    assert_eq!(progress.expected, Some(10_000));
    assert!(
        progress.arrived >= 300 && progress.arrived < 10_000,
        "{progress:?}"
    );
    assert_eq!(
        first.projects.len(),
        50,
        "the first page of the list is there"
    );
    let names: Vec<&str> = first.projects.iter().map(|p| p.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_by_key(|n| n.to_lowercase());
    assert_eq!(names, sorted, "in name order, as Procore sent them");
    // Select all matching covers what has arrived so far.
    let arrived_ids: Vec<i64> = app
        .call("select_all_matching", &[("search", "")])
        .await
        .json()
        .await
        .unwrap();
    assert!(arrived_ids.len() < 10_000);

    let mut last = progress.arrived;
    let done = loop {
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        let page = wizard_page(&app, "not-licensed").await;
        match page.loading {
            Some(p) => {
                assert!(p.arrived >= last, "progress only grows");
                last = p.arrived;
            }
            None => break page,
        }
        assert!(started.elapsed().as_secs() < 120, "the load finishes");
    };
    assert_eq!(done.total, 10_000);
    assert!(
        first_wait < started.elapsed() / 4,
        "the first page came long before the whole list ({first_wait:?} vs {:?})",
        started.elapsed()
    );
    eprintln!(
        "first page after {first_wait:?}; all 10,000 after {:?}",
        started.elapsed()
    );
}

#[tokio::test]
async fn project_central_views_reuse_the_kept_project_lists() {
    let db = TestDb::sqlite().await;
    let admin = licensing_app(&db).await;
    let procore = admin.procore.clone().unwrap();
    assert_eq!(
        not_licensed_ids(&admin).await.len(),
        33,
        "the company list is complete"
    );
    let list = |app: &TestApp| {
        let app = app.clone_handle();
        async move {
            let page: ProjectPage = app
                .call("list_projects", &[("search", ""), ("page", "1")])
                .await
                .json()
                .await
                .unwrap();
            page
        }
    };
    let before = procore.stats().rest_calls;
    let page = list(&admin).await;
    assert_eq!((page.total, page.projects.len()), (33, 25));
    assert!(
        page.projects.iter().any(|p| p.location.is_some()),
        "with locations"
    );
    list(&admin).await;
    assert_eq!(
        procore.stats().rest_calls,
        before,
        "admins: from the company cache"
    );

    let pm = admin.second_browser();
    pm.sign_in("pm@summitridge.example", "sandbox-pm").await;
    assert_eq!(list(&pm).await.total, 12);
    let after_first = procore.stats().rest_calls;
    assert_eq!(list(&pm).await.total, 12);
    assert_eq!(
        procore.stats().rest_calls,
        after_first,
        "others: their own kept list"
    );
}

#[tokio::test]
async fn refusals_name_projects_not_ids() {
    let db = TestDb::sqlite().await;
    let app = licensing_app(&db).await;
    let page = wizard_page(&app, "not-licensed").await;
    let (a, b) = (&page.projects[0], &page.projects[1]);
    let (a_id, b_id) = (a.id.get(), b.id.get());
    // No module for a project: its name in the words, not its Procore id.
    let refused = post_checkout(
        &app,
        &json!({"selection": {"projects": [{"project_id": a_id}]}, "interval": "yearly"}),
    )
    .await;
    assert_eq!(refused.status(), 422);
    let words = refused.text().await.unwrap();
    assert!(words.contains(&a.name), "{words}");
    assert!(!words.contains(&a_id.to_string()), "{words}");
    // Already licensed: "Aspen Grove … is already licensed", not "563000000232 …".
    let url = checkout(&app, a_id, b_id, "yearly").await;
    assert_eq!(pay(&app, &url, "4242424242424242").await.status(), 303);
    app.settle_webhooks().await;
    let again = post_checkout(
        &app,
        &json!({"selection": {"projects": [{"project_id": a_id, "planner": true}]}, "interval": "monthly"}),
    )
    .await;
    assert_eq!(again.status(), 422);
    let words = again.text().await.unwrap();
    assert!(
        words.contains(&format!("“{}” is already licensed", a.name)),
        "{words}"
    );
    assert!(!words.contains(&a_id.to_string()), "{words}");
    db.cleanup().await;
}
