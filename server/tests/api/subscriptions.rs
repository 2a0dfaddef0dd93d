//! Subscriptions after checkout, through the Stripe sandbox, on SQLite and PostgreSQL:
//! a second purchase goes into the existing subscription; a declined Confirm changes
//! nothing; add a module; remove an add-on (kept until the period end, then gone) and undo;
//! monthly → yearly at the period end; end and undo; failed payment → retries → inactive →
//! paid → active; reconciliation repairs a broken row; who may do what.

use crate::helpers::app::{spawn_app, TestApp};
use crate::helpers::demo::HARBOR;
use crate::helpers::TestDb;
use app::licensing::ProjectLicense;
use app::subscriptions::api::{ChangeOutcome, ChangePreview, ProjectSubscription, RecheckReport};
use app::subscriptions::{PreviewAmounts, Standing};
use serde_json::{json, Value};

const DAY: i64 = 24 * 3600;

pub(crate) async fn harbor_admin(db: &TestDb) -> TestApp {
    // Planner Board priced, so that its quantity is on Stripe.
    let app = spawn_app(&[
        ("DATABASE_URL", &db.url),
        ("CATALOG_PLANNER_BOARD_MONTHLY_CENTS", "4900"),
    ])
    .await;
    app.sign_in("admin@summitridge.example", "sandbox-admin")
        .await;
    let switched = app
        .call("switch_company", &[("company_id", &HARBOR.to_string())])
        .await;
    assert_eq!(switched.status(), 200);
    assert_eq!(app.call("licensed_tiles", &[]).await.status(), 200);
    app
}

pub(crate) async fn harbor_ids(app: &TestApp) -> Vec<i64> {
    let page: Value = app
        .call(
            "wizard_projects",
            &[("search", ""), ("filter", "not-licensed"), ("page", "1")],
        )
        .await
        .json()
        .await
        .unwrap();
    page["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect()
}

async fn post(app: &TestApp, name: &str, body: &Value) -> reqwest::Response {
    app.http
        .post(format!("{}/api/{name}", app.base))
        .header("origin", &app.base)
        .json(body)
        .send()
        .await
        .unwrap()
}

pub(crate) fn choice(id: i64, planner: bool, board: bool, safety: bool) -> Value {
    json!({"project_id": id, "planner": planner, "planner_board": board, "safety": safety, "safety_badge": false})
}

/// First purchase through Checkout: Planner + Board on `a`, Planner + Safety on `b`.
pub(crate) async fn first_purchase(app: &TestApp, a: i64, b: i64) {
    let body = json!({"selection": {"projects": [choice(a, true, true, false), choice(b, true, false, true)]}, "interval": "monthly"});
    let started = post(app, "start_checkout", &body).await;
    assert_eq!(started.status(), 200);
    let url: String = started.json().await.unwrap();
    let paid = app.pay_on_checkout(&url, "4242 4242 4242 4242").await;
    assert_eq!(paid.status(), 303);
    app.settle_webhooks().await;
}

async fn project(app: &TestApp, id: i64) -> ProjectSubscription {
    let r = app
        .call("project_subscription", &[("project", &id.to_string())])
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

fn modules(planner: bool, board: bool, safety: bool) -> Value {
    json!({"kind": "modules", "license": {"planner": planner, "planner_board": board, "safety": safety, "safety_badge": false}})
}

async fn change(app: &TestApp, id: i64, request: Value) -> reqwest::Response {
    post(
        app,
        "confirm_project_change",
        &json!({"project": id, "request": request}),
    )
    .await
}

async fn customer(db: &TestDb) -> String {
    let (c,): (String,) =
        sqlx::query_as("SELECT stripe_customer_id FROM billing_customers LIMIT 1")
            .fetch_one(db.db.pool())
            .await
            .unwrap();
    c
}

async fn subscriptions_of(
    app: &TestApp,
    customer: &str,
) -> Vec<server::stripe::subscriptions::SubState> {
    app.services
        .billing
        .customer_subscriptions(customer)
        .await
        .unwrap()
}

async fn set_card(app: &TestApp, customer: &str, number: &str) {
    let stripe = app.stripe.as_ref().unwrap();
    let r = reqwest::Client::new()
        .post(format!(
            "{}/__sandbox/stripe/card?customer={customer}&number={number}",
            stripe.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "{}", r.text().await.unwrap());
}

async fn advance(app: &TestApp, seconds: i64) {
    app.stripe.as_ref().unwrap().advance_clock(seconds).await;
    app.settle_webhooks().await;
}

async fn additions_removals_and_the_period_end(db: TestDb) {
    let app = harbor_admin(&db).await;
    let ids = harbor_ids(&app).await;
    first_purchase(&app, ids[0], ids[1]).await;
    let cus = customer(&db).await;

    // A second purchase of the same interval: a preview, then Confirm, into the same subscription.
    let body = json!({"selection": {"projects": [choice(ids[2], false, false, true)]}, "interval": "monthly"});
    let preview: Option<PreviewAmounts> = post(&app, "purchase_preview", &body)
        .await
        .json()
        .await
        .unwrap();
    let preview = preview.expect("the company has a monthly subscription");
    assert!(preview.due_now_cents > 0, "{preview:?}");
    assert!(preview.next_renewal_cents > preview.due_now_cents);
    let checkout_again = post(&app, "start_checkout", &body).await;
    assert_eq!(checkout_again.status(), 409, "no second Checkout");
    let done: ChangeOutcome = post(&app, "confirm_purchase", &body)
        .await
        .json()
        .await
        .unwrap();
    let subs = subscriptions_of(&app, &cus).await;
    // The confirmation names what Stripe's invoice charged, and "1 project".
    let charged = app
        .services
        .billing
        .invoice_state(subs[0].latest_invoice.as_deref().unwrap())
        .await
        .unwrap()
        .amount_paid;
    assert!(charged > 0);
    assert_eq!(
        done,
        ChangeOutcome::Applied {
            words: vec![format!(
                "1 project licensed · {} charged.",
                app::licensing::format_usd(charged)
            )]
        }
    );
    assert_eq!(subs.len(), 1, "one subscription per company and interval");
    assert_eq!(subs[0].quantity(app::licensing::CatalogItem::Safety), 2);
    assert!(project(&app, ids[2]).await.project.terms.current.safety);

    // A declined card: Confirm changes nothing, in Stripe or here.
    set_card(&app, &cus, "4000000000000341").await;
    let add_safety = modules(true, true, true);
    let declined = change(&app, ids[0], add_safety.clone()).await;
    assert_eq!(declined.status(), 402);
    assert!(declined.text().await.unwrap().contains("declined"));
    assert!(!project(&app, ids[0]).await.project.terms.current.safety);
    assert_eq!(
        subscriptions_of(&app, &cus).await[0].quantity(app::licensing::CatalogItem::Safety),
        2
    );
    set_card(&app, &cus, "4242424242424242").await;

    // Add a module: previewed, charged now, licensed at once.
    let preview: ChangePreview = post(
        &app,
        "preview_project_change",
        &json!({"project": ids[0], "request": add_safety}),
    )
    .await
    .json()
    .await
    .unwrap();
    assert!(preview.amounts.due_now_cents > 0);
    assert!(
        preview.words[0].starts_with("Safety is added now."),
        "{:?}",
        preview.words
    );
    assert_eq!(change(&app, ids[0], add_safety).await.status(), 200);
    let p = project(&app, ids[0]).await;
    assert!(p.project.terms.current.safety);
    assert_eq!(p.history[0].action, "addition");

    // Remove an add-on: lowered now without proration, kept until the period ends; undo.
    let drop_board = modules(true, false, true);
    assert_eq!(change(&app, ids[0], drop_board.clone()).await.status(), 200);
    let p = project(&app, ids[0]).await;
    assert!(
        p.project.terms.current.planner_board,
        "kept until the period end"
    );
    assert!(!p.project.terms.renewing.planner_board);
    let board = |subs: &[server::stripe::subscriptions::SubState]| {
        subs[0].quantity(app::licensing::CatalogItem::PlannerBoard)
    };
    assert_eq!(board(&subscriptions_of(&app, &cus).await), 0);
    assert_eq!(
        change(&app, ids[0], json!({"kind": "undo"})).await.status(),
        200
    );
    assert_eq!(
        board(&subscriptions_of(&app, &cus).await),
        1,
        "undo raises it again"
    );
    assert_eq!(change(&app, ids[0], drop_board).await.status(), 200);

    // End a project, then undo.
    assert_eq!(
        change(&app, ids[1], json!({"kind": "end"})).await.status(),
        200
    );
    assert!(matches!(
        project(&app, ids[1]).await.project.standing,
        Standing::Ends { .. }
    ));
    assert_eq!(
        change(&app, ids[1], json!({"kind": "undo"})).await.status(),
        200
    );
    assert_eq!(
        project(&app, ids[1]).await.project.standing,
        Standing::Active
    );

    // Monthly → yearly for ids[2], at the period end; the preview names the yearly amount.
    let yearly = json!({"kind": "switch_interval", "to": "yearly"});
    let preview: ChangePreview = post(
        &app,
        "preview_project_change",
        &json!({"project": ids[2], "request": yearly}),
    )
    .await
    .json()
    .await
    .unwrap();
    let safety_yearly = app
        .services
        .billing
        .catalog()
        .unit_amount_cents(
            app::licensing::CatalogItem::Safety,
            app::licensing::BillingInterval::Yearly,
        )
        .unwrap();
    assert_eq!(preview.amounts.switch_cents, Some(safety_yearly));
    assert!(
        preview.words[0].contains(&format!(
            "{} per year",
            app::licensing::format_usd(safety_yearly)
        )),
        "{:?}",
        preview.words
    );
    assert_eq!(change(&app, ids[2], yearly).await.status(), 200);
    assert_eq!(
        project(&app, ids[2]).await.project.terms.switching_to,
        Some(app::licensing::BillingInterval::Yearly)
    );

    // The period ends: the board goes, the switch happens.
    advance(&app, 32 * DAY).await;
    let p = project(&app, ids[0]).await;
    assert!(
        !p.project.terms.current.planner_board,
        "{:?}",
        p.project.terms
    );
    assert_eq!(p.project.standing, Standing::Active);
    let moved = project(&app, ids[2]).await;
    assert_eq!(
        moved.project.terms.interval,
        app::licensing::BillingInterval::Yearly
    );
    assert_eq!(moved.project.terms.switching_to, None);
    assert_eq!(moved.project.standing, Standing::Active);
    let subs = subscriptions_of(&app, &cus).await;
    assert_eq!(
        subs.iter().filter(|s| s.status == "active").count(),
        2,
        "monthly and yearly"
    );
    db.cleanup().await;
}

#[tokio::test]
async fn additions_removals_and_the_period_end_on_sqlite() {
    additions_removals_and_the_period_end(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn additions_removals_and_the_period_end_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        additions_removals_and_the_period_end(db).await;
    }
}

async fn failed_payment_then_paid(db: TestDb) {
    let app = harbor_admin(&db).await;
    let ids = harbor_ids(&app).await;
    first_purchase(&app, ids[0], ids[1]).await;
    let cus = customer(&db).await;
    set_card(&app, &cus, "4000000000000341").await;
    advance(&app, 32 * DAY).await;
    let p = project(&app, ids[0]).await;
    assert_eq!(
        p.project.standing,
        Standing::Active,
        "past_due: Stripe retries, the project works"
    );
    // Through Stripe's retries to unpaid.
    for _ in 0..4 {
        advance(&app, 3 * DAY).await;
    }
    assert_eq!(
        project(&app, ids[0]).await.project.standing,
        Standing::PaymentPending
    );
    // A working card, and the open invoice paid: Active again.
    set_card(&app, &cus, "4242424242424242").await;
    let sub = subscriptions_of(&app, &cus).await.remove(0);
    let invoice = sub.latest_invoice.unwrap();
    let paid = app.services.billing.pay_invoice(&invoice).await.unwrap();
    assert_eq!(paid.status, "paid");
    app.settle_webhooks().await;
    assert_eq!(
        project(&app, ids[0]).await.project.standing,
        Standing::Active
    );
    db.cleanup().await;
}

#[tokio::test]
async fn failed_payment_retries_inactive_then_active_on_sqlite() {
    failed_payment_then_paid(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn failed_payment_retries_inactive_then_active_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        failed_payment_then_paid(db).await;
    }
}

async fn reconciliation_repairs(db: TestDb) {
    let app = harbor_admin(&db).await;
    let ids = harbor_ids(&app).await;
    first_purchase(&app, ids[0], ids[1]).await;
    // Broken on purpose: a module lost and a status wrong.
    sqlx::query("UPDATE licensed_projects SET safety = 0, renew_safety = 0, status = 'canceled' WHERE procore_project_id = $1")
        .bind(ids[1])
        .execute(db.db.pool())
        .await
        .unwrap();
    let report: RecheckReport = app
        .call("recheck_with_stripe", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(report.repairs.len() >= 2, "{report:?}");
    let p = project(&app, ids[1]).await;
    assert_eq!(
        p.project.terms.current,
        ProjectLicense {
            planner: true,
            planner_board: false,
            safety: true,
            safety_badge: false
        }
    );
    assert_eq!(p.project.standing, Standing::Active);
    assert!(p.history.iter().any(|h| h.action == "repair"));
    let again: RecheckReport = app
        .call("recheck_with_stripe", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(
        again.repairs.is_empty(),
        "nothing left to repair: {again:?}"
    );
    db.cleanup().await;
}

#[tokio::test]
async fn reconciliation_repairs_a_broken_row_on_sqlite() {
    reconciliation_repairs(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn reconciliation_repairs_a_broken_row_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        reconciliation_repairs(db).await;
    }
}

#[tokio::test]
async fn non_admins_read_only_and_other_companies_see_nothing() {
    let db = TestDb::sqlite().await;
    let app = harbor_admin(&db).await;
    let ids = harbor_ids(&app).await;
    first_purchase(&app, ids[0], ids[1]).await;
    // The same person in another company (Summit Ridge): Harbor's projects are 404.
    let other = app.second_browser();
    other
        .sign_in("admin@summitridge.example", "sandbox-admin")
        .await;
    let id = ids[0].to_string();
    assert_eq!(
        other
            .call("project_subscription", &[("project", &id)])
            .await
            .status(),
        404
    );
    assert_eq!(
        change(&other, ids[0], json!({"kind": "end"}))
            .await
            .status(),
        404
    );
    let preview = post(
        &other,
        "preview_project_change",
        &json!({"project": ids[0], "request": {"kind": "end"}}),
    )
    .await;
    assert_eq!(preview.status(), 404);
    let list: Value = other
        .call("subscribed_projects", &[("search", ""), ("page", "1")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 0);
    // Harbor's own admin, unchanged by all that.
    assert_eq!(
        project(&app, ids[0]).await.project.standing,
        Standing::Active
    );
    // A non-admin of Harbor: the demo has none, so Summit's member pm@ stands in, in Summit.
    let pm = app.second_browser();
    pm.sign_in("pm@summitridge.example", "sandbox-pm").await;
    assert_eq!(
        change(&pm, ids[0], json!({"kind": "end"})).await.status(),
        403
    );
    let preview = post(
        &pm,
        "preview_project_change",
        &json!({"project": ids[0], "request": {"kind": "end"}}),
    )
    .await;
    assert_eq!(preview.status(), 403);
    assert_eq!(pm.call("recheck_with_stripe", &[]).await.status(), 403);
    let body = json!({"selection": {"projects": [choice(ids[2], true, false, false)]}, "interval": "monthly"});
    assert_eq!(post(&pm, "confirm_purchase", &body).await.status(), 403);
    assert_eq!(post(&pm, "purchase_preview", &body).await.status(), 403);
    db.cleanup().await;
}

/// Harbor's admin signed in, with the default catalog (Planner Board and Safety Badge
/// included at no charge: they have no Stripe price and no line).
async fn harbor_admin_default_catalog(db: &TestDb) -> TestApp {
    let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    app.sign_in("admin@summitridge.example", "sandbox-admin")
        .await;
    let switched = app
        .call("switch_company", &[("company_id", &HARBOR.to_string())])
        .await;
    assert_eq!(switched.status(), 200);
    assert_eq!(app.call("licensed_tiles", &[]).await.status(), 200);
    app
}

/// A first purchase through Checkout of `projects` in `interval`, paid with 4242.
pub(crate) async fn checkout(app: &TestApp, projects: Vec<Value>, interval: &str) {
    let body = json!({"selection": {"projects": projects}, "interval": interval});
    let started = post(app, "start_checkout", &body).await;
    assert_eq!(started.status(), 200, "{}", started.text().await.unwrap());
    let url: String = started.json().await.unwrap();
    let paid = app.pay_on_checkout(&url, "4242 4242 4242 4242").await;
    assert_eq!(paid.status(), 303);
    app.settle_webhooks().await;
}

async fn applied_words(r: reqwest::Response) -> Vec<String> {
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    match r.json::<ChangeOutcome>().await.unwrap() {
        ChangeOutcome::Applied { words } => words,
        other => panic!("not applied: {other:?}"),
    }
}

async fn words_after_a_change_are_stripes_numbers(db: TestDb) {
    use app::licensing::format_usd;
    let app = harbor_admin(&db).await;
    let ids = harbor_ids(&app).await;
    checkout(&app, vec![choice(ids[0], true, true, false)], "yearly").await;
    let cus = customer(&db).await;

    // Add Safety: charged now on a new invoice; the words and the history say its amount.
    let add_safety = modules(true, true, true);
    let words = applied_words(change(&app, ids[0], add_safety).await).await;
    let sub = subscriptions_of(&app, &cus).await.remove(0);
    let invoice = app
        .services
        .billing
        .invoice_state(sub.latest_invoice.as_deref().unwrap())
        .await
        .unwrap();
    assert_eq!(invoice.status, "paid");
    assert!(invoice.amount_paid > 0, "{invoice:?}");
    let charged = format_usd(invoice.amount_paid);
    assert!(
        words[0].starts_with(&format!("Safety is added now. {charged} is charged")),
        "{words:?}"
    );
    let renewal = app.services.billing.next_renewal(&sub).await.unwrap();
    assert!(renewal > 0);
    assert!(
        words[1].contains(&format!("renews at {} per year", format_usd(renewal))),
        "{words:?}"
    );
    assert!(!words.join(" ").contains("$0.00"), "{words:?}");
    let p = project(&app, ids[0]).await;
    assert_eq!(p.history[0].action, "addition");
    assert!(
        p.history[0]
            .detail
            .contains(&format!("{charged} is charged")),
        "{:?}",
        p.history[0]
    );
    assert!(p.history[0]
        .stripe_ids
        .contains(sub.latest_invoice.as_ref().unwrap()));

    // Remove it again: nothing charged now; the renewal is Stripe's, lower than before.
    let words = applied_words(change(&app, ids[0], modules(true, true, false)).await).await;
    let sub = subscriptions_of(&app, &cus).await.remove(0);
    let lower = app.services.billing.next_renewal(&sub).await.unwrap();
    assert!(0 < lower && lower < renewal, "{lower} < {renewal}");
    assert!(
        words[1].contains(&format!("renews at {} per year", format_usd(lower))),
        "{words:?}"
    );
    assert!(!words.join(" ").contains("$0.00"), "{words:?}");

    // End it (the only project): nothing renews, and the words say so.
    let words = applied_words(change(&app, ids[0], json!({"kind": "end"})).await).await;
    assert!(
        words
            .join(" ")
            .contains("subscription ends: nothing renews"),
        "{words:?}"
    );
    db.cleanup().await;
}

#[tokio::test]
async fn words_after_a_change_are_stripes_numbers_on_sqlite() {
    words_after_a_change_are_stripes_numbers(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn words_after_a_change_are_stripes_numbers_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        words_after_a_change_are_stripes_numbers(db).await;
    }
}

async fn free_add_ons_come_and_go(db: TestDb) {
    let app = harbor_admin_default_catalog(&db).await;
    let ids = harbor_ids(&app).await;
    first_purchase(&app, ids[0], ids[1]).await;
    let cus = customer(&db).await;
    let before = subscriptions_of(&app, &cus).await.remove(0);

    // Untick Planner Board ($0): the preview and the change work, with nothing to pay.
    let drop_board = modules(true, false, false);
    let preview = post(
        &app,
        "preview_project_change",
        &json!({"project": ids[0], "request": drop_board}),
    )
    .await;
    assert_eq!(preview.status(), 200, "{}", preview.text().await.unwrap());
    let preview: ChangePreview = preview.json().await.unwrap();
    assert_eq!(preview.amounts.due_now_cents, 0);
    assert!(preview.amounts.next_renewal_cents > 0);
    let words = applied_words(change(&app, ids[0], drop_board).await).await;
    assert!(
        words[0].starts_with("Planner Board stays until"),
        "{words:?}"
    );
    let p = project(&app, ids[0]).await;
    assert!(!p.project.terms.renewing.planner_board);
    assert!(
        p.project.terms.current.planner_board,
        "kept until the period end"
    );

    // Tick it again: taken back, nothing charged.
    let add_board = modules(true, true, false);
    let preview = post(
        &app,
        "preview_project_change",
        &json!({"project": ids[0], "request": add_board}),
    )
    .await;
    assert_eq!(preview.status(), 200, "{}", preview.text().await.unwrap());
    applied_words(change(&app, ids[0], add_board).await).await;
    assert!(
        project(&app, ids[0])
            .await
            .project
            .terms
            .renewing
            .planner_board
    );

    // Add Safety Badge ($0) to the Safety project: added now, with nothing to pay.
    let badge = json!({"kind": "modules", "license": {"planner": true, "planner_board": false, "safety": true, "safety_badge": true}});
    let words = applied_words(change(&app, ids[1], badge).await).await;
    assert!(
        words[0].starts_with("Safety Badge is added now, with nothing to pay today."),
        "{words:?}"
    );
    assert!(
        project(&app, ids[1])
            .await
            .project
            .terms
            .current
            .safety_badge
    );
    // Remove it again.
    applied_words(change(&app, ids[1], modules(true, false, true)).await).await;

    // Stripe was not asked to change anything: no new invoice, the same quantities.
    let after = subscriptions_of(&app, &cus).await.remove(0);
    assert_eq!(after.latest_invoice, before.latest_invoice);
    assert_eq!(after.items, before.items);
    db.cleanup().await;
}

#[tokio::test]
async fn free_add_ons_can_be_removed_and_added_again_on_sqlite() {
    free_add_ons_come_and_go(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn free_add_ons_can_be_removed_and_added_again_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        free_add_ons_come_and_go(db).await;
    }
}
