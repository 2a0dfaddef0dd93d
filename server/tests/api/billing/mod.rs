//! The Billing page's data and the Customer Portal over HTTP, on SQLite and PostgreSQL:
//! invoices after a checkout name their projects and amounts; Manage payment details opens
//! the sandbox's portal; only admins see billing, and only their own company's; the portal
//! configuration is created once across start-ups ([`portal_configuration`]). The
//! failed-payment banner: [`alerts`].

mod alerts;
mod portal_configuration;

use app::billing::api::{BillingOverview, InvoiceStatus};
use app::licensing::api::WizardPage;
use serde_json::{json, Value};

use crate::helpers::app::{spawn_app, TestApp};
use crate::helpers::demo::{ADMIN, HARBOR, PM, SUMMIT};
use crate::helpers::TestDb;

/// The admin, working in Harbor Point.
async fn harbor_admin(db: &TestDb) -> TestApp {
    let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    app.sign_in(ADMIN.0, ADMIN.1).await;
    switch(&app, HARBOR.get()).await;
    app
}

async fn switch(app: &TestApp, company: i64) {
    let switched = app
        .call("switch_company", &[("company_id", &company.to_string())])
        .await;
    assert_eq!(switched.status(), 200);
    // The switch re-checks access with Procore on the next call: settle it here.
    assert_eq!(app.call("licensed_tiles", &[]).await.status(), 200);
}

/// The first two not-licensed projects: (id, name).
async fn two_projects(app: &TestApp) -> [(i64, String); 2] {
    let page: WizardPage = app
        .call(
            "wizard_projects",
            &[("search", ""), ("filter", "not-licensed"), ("page", "1")],
        )
        .await
        .json()
        .await
        .unwrap();
    let p = |i: usize| (page.projects[i].id.get(), page.projects[i].name.clone());
    [p(0), p(1)]
}

/// Buys Planner + Planner Board for `a` and Planner + Safety for `b` with `card`, as the
/// browser does on the sandbox's Checkout page; waits until the webhooks are applied.
pub(super) async fn buy(app: &TestApp, a: i64, b: i64, interval: &str) {
    let body = json!({
        "selection": {"projects": [
            {"project_id": a, "planner": true, "planner_board": true, "safety": false, "safety_badge": false},
            {"project_id": b, "planner": true, "planner_board": false, "safety": true, "safety_badge": false}
        ]},
        "interval": interval,
    });
    let started = app
        .http
        .post(format!("{}/api/start_checkout", app.base))
        .header("origin", &app.base)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 200, "{}", started.text().await.unwrap());
    let page_url: String = started.json().await.unwrap();
    assert_eq!(app.http.get(&page_url).send().await.unwrap().status(), 200);
    let paid = app.pay_on_checkout(&page_url, "4242 4242 4242 4242").await;
    assert_eq!(paid.status(), 303);
    app.settle_webhooks().await;
}

pub(super) async fn overview(app: &TestApp) -> BillingOverview {
    let response = app.call("billing_overview", &[]).await;
    assert_eq!(response.status(), 200);
    response.json().await.unwrap()
}

/// Manage payment details as the plain form posts it; returns the response.
pub(super) async fn portal_form(app: &TestApp) -> reqwest::Response {
    app.http
        .post(format!("{}/billing/portal", app.base))
        .header("origin", &app.base)
        .send()
        .await
        .unwrap()
}

async fn invoices_name_their_projects(db: TestDb) {
    let app = harbor_admin(&db).await;
    let empty = overview(&app).await;
    assert_eq!(
        empty.account, None,
        "no Stripe customer yet: the empty state"
    );
    assert!(empty.invoices.is_empty());
    let no_portal = portal_form(&app).await;
    assert_eq!(no_portal.status(), 404);
    assert!(no_portal
        .text()
        .await
        .unwrap()
        .contains("License projects first"));

    let [(a, name_a), (b, name_b)] = two_projects(&app).await;
    buy(&app, a, b, "yearly").await;
    let billing = overview(&app).await;
    let account = billing.account.expect("the customer Checkout created");
    // The billing email is the signed-in admin's Procore email, given to Stripe's
    // customer before Checkout: Stripe's receipts and failed-payment emails go there.
    assert_eq!(account.email.as_deref(), Some(ADMIN.0));
    let card = account.card.expect("the card used at Checkout");
    assert_eq!(
        (
            card.brand.as_str(),
            card.last4.as_str(),
            card.exp_month,
            card.exp_year
        ),
        ("visa", "4242", 12, 2034)
    );
    assert_eq!(billing.invoices.len(), 1, "{:?}", billing.invoices);
    let invoice = &billing.invoices[0];
    // Yearly = 10 months: Planner $2,950 × 2 + Safety $5,950; Planner Board is included.
    assert_eq!(invoice.total_cents, 2 * 295_000 + 595_000);
    assert_eq!(invoice.currency, "usd");
    assert_eq!(invoice.status, Some(InvoiceStatus::Paid));
    assert!(!invoice.payment_failed);
    let mut names = vec![name_a, name_b];
    names.sort_by_key(|n| n.to_lowercase());
    assert_eq!(invoice.projects, names);
    assert!(invoice.number.is_some());
    let stripe = app.stripe.as_ref().unwrap().base_url();
    for link in [&invoice.hosted_invoice_url, &invoice.invoice_pdf] {
        let link = link.as_deref().expect("Stripe's links");
        assert!(link.starts_with(&stripe), "{link}");
    }
    let pdf = app
        .http
        .get(invoice.invoice_pdf.as_deref().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(pdf.headers()["content-type"], "application/pdf");

    // Manage payment details: a 303 to the sandbox's portal, which returns to /billing.
    let opened = portal_form(&app).await;
    assert_eq!(opened.status(), 303);
    let portal = opened.headers()["location"].to_str().unwrap().to_string();
    assert!(
        portal.starts_with(&format!("{stripe}/portal/bps_")),
        "{portal}"
    );
    let page = app
        .http
        .get(&portal)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("{}/billing", app.base)),
        "return link"
    );
    // The sandbox's own record of the customer (its portal page) has the email too, and so
    // has the invoice Stripe sent.
    assert!(
        page.contains(&format!("<span id=\"billing-email\">{}</span>", ADMIN.0)),
        "{page}"
    );
    let hosted = app
        .http
        .get(invoice.hosted_invoice_url.as_deref().unwrap())
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(hosted.contains(&format!("to {}", ADMIN.0)), "{hosted}");
    // Billing email and a tax ID changed there show on the Billing page.
    for (path, field, value) in [
        ("customer", "email", "billing@harbor.example"),
        ("tax_id", "tax_id", "DE123456789"),
    ] {
        let changed = app
            .http
            .post(format!("{portal}/{path}"))
            .form(&[(field, value)])
            .send()
            .await
            .unwrap();
        assert_eq!(changed.status(), 303, "{path}");
    }
    let account = overview(&app).await.account.unwrap();
    assert_eq!(account.email.as_deref(), Some("billing@harbor.example"));
    let tax_ids: Vec<&str> = account.tax_ids.iter().map(|t| t.value.as_str()).collect();
    assert_eq!(tax_ids, ["DE123456789"]);
    let url: String = app
        .call("open_billing_portal", &[])
        .await
        .json()
        .await
        .unwrap();
    assert!(url.starts_with(&format!("{stripe}/portal/bps_")), "{url}");
    db.cleanup().await;
}

#[tokio::test]
async fn invoices_name_their_projects_on_sqlite() {
    invoices_name_their_projects(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn invoices_name_their_projects_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        invoices_name_their_projects(db).await;
    }
}

#[tokio::test]
async fn billing_is_for_admins_and_their_own_company_only() {
    let db = TestDb::sqlite().await;
    let admin = harbor_admin(&db).await;
    let [(a, _), (b, _)] = two_projects(&admin).await;
    buy(&admin, a, b, "monthly").await;
    assert_eq!(overview(&admin).await.invoices.len(), 1);

    // The same admin in another company sees that company's billing: none.
    switch(&admin, SUMMIT.get()).await;
    let other = overview(&admin).await;
    assert_eq!((other.account, other.invoices.len()), (None, 0));
    assert_eq!(portal_form(&admin).await.status(), 404);

    // A non-admin: 403 with the reason, from the server function and the form alike.
    let pm = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    pm.sign_in(PM.0, PM.1).await;
    let refused = pm.call("billing_overview", &[]).await;
    assert_eq!(refused.status(), 403);
    assert!(refused
        .text()
        .await
        .unwrap()
        .contains("Only Procore company admins"));
    let form = portal_form(&pm).await;
    assert_eq!(form.status(), 403);
    assert!(form
        .text()
        .await
        .unwrap()
        .contains("Only Procore company admins"));
    assert_eq!(pm.call("open_billing_portal", &[]).await.status(), 403);
    let alert: Option<Value> = pm.call("payment_alert", &[]).await.json().await.unwrap();
    assert_eq!(alert, None, "non-admins get no banner");

    // Signed out: the form sends people to sign in.
    let stranger = admin.second_browser();
    let form = portal_form(&stranger).await;
    assert_eq!(form.status(), 303);
    assert_eq!(form.headers()["location"], "/auth/procore/login");
}

/// The first `n` not-licensed projects: (id, name).
async fn projects(app: &TestApp, n: usize) -> Vec<(i64, String)> {
    let page: WizardPage = app
        .call(
            "wizard_projects",
            &[("search", ""), ("filter", "not-licensed"), ("page", "1")],
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(page.projects.len() >= n, "the demo has enough projects");
    page.projects[..n]
        .iter()
        .map(|p| (p.id.get(), p.name.clone()))
        .collect()
}

fn planner_for(ps: &[(i64, String)]) -> Value {
    json!({"projects": ps.iter().map(|(id, _)| json!({"project_id": id, "planner": true, "planner_board": false, "safety": false, "safety_badge": false})).collect::<Vec<_>>()})
}

fn sorted(ps: &[(i64, String)]) -> Vec<String> {
    let mut names: Vec<String> = ps.iter().map(|(_, n)| n.clone()).collect();
    names.sort_by_key(|n| n.to_lowercase());
    names
}

async fn post_json(app: &TestApp, name: &str, body: &Value) -> reqwest::Response {
    app.http
        .post(format!("{}/api/{name}", app.base))
        .header("origin", &app.base)
        .json(body)
        .send()
        .await
        .unwrap()
}

async fn each_invoice_names_its_own_projects(db: TestDb) {
    let app = harbor_admin(&db).await;
    let five = projects(&app, 5).await;
    let (first, later) = five.split_at(3);

    // Checkout for three projects.
    let started = post_json(
        &app,
        "start_checkout",
        &json!({"selection": planner_for(first), "interval": "monthly"}),
    )
    .await;
    assert_eq!(started.status(), 200, "{}", started.text().await.unwrap());
    let url: String = started.json().await.unwrap();
    let paid = app.pay_on_checkout(&url, "4242 4242 4242 4242").await;
    assert_eq!(paid.status(), 303);
    app.settle_webhooks().await;
    let billing = overview(&app).await;
    assert_eq!(billing.invoices.len(), 1);
    let checkout_invoice = billing.invoices[0].id.clone();
    assert_eq!(billing.invoices[0].projects, sorted(first));

    // Two more, into the same subscription with Confirm: their own invoice.
    let bought = post_json(
        &app,
        "confirm_purchase",
        &json!({"selection": planner_for(later), "interval": "monthly"}),
    )
    .await;
    assert_eq!(bought.status(), 200, "{}", bought.text().await.unwrap());
    app.settle_webhooks().await;
    let billing = overview(&app).await;
    assert_eq!(billing.invoices.len(), 2, "{:?}", billing.invoices);
    let of = |id: &str| {
        billing
            .invoices
            .iter()
            .find(|i| i.id == id)
            .map(|i| i.projects.clone())
            .unwrap()
    };
    assert_eq!(
        of(&checkout_invoice),
        sorted(first),
        "still the three it was for"
    );
    let purchase_invoice = billing
        .invoices
        .iter()
        .find(|i| i.id != checkout_invoice)
        .unwrap();
    assert!(purchase_invoice.total_cents > 0);
    assert_eq!(purchase_invoice.projects, sorted(later));

    // The project's history names the checkout's invoice and what it charged.
    let history: Value = app
        .call(
            "project_subscription",
            &[("project", &first[0].0.to_string())],
        )
        .await
        .json()
        .await
        .unwrap();
    let row = &history["history"][0];
    assert_eq!(row["action"], "purchase");
    assert!(
        row["detail"]
            .as_str()
            .unwrap()
            .contains("was paid at checkout"),
        "{row}"
    );
    assert!(row["stripe_ids"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i == &Value::String(checkout_invoice.clone())));
    db.cleanup().await;
}

#[tokio::test]
async fn each_invoice_names_its_own_projects_on_sqlite() {
    each_invoice_names_its_own_projects(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn each_invoice_names_its_own_projects_on_postgres() {
    if let Some(db) = TestDb::postgres().await {
        each_invoice_names_its_own_projects(db).await;
    }
}
