//! Stripe's return page (`/projects?checkout_session=…`) is a GET: rendering it must change
//! nothing. The browser confirms the payment afterwards with a same-origin POST.

use serde_json::{json, Value};

use crate::helpers::app::{spawn_app, TestApp};
use crate::helpers::demo::{ADMIN, HARBOR};
use crate::helpers::TestDb;

/// Admin of Harbor Point, signed in, with the company switch settled.
async fn harbor_admin(db: &TestDb) -> TestApp {
    let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    app.sign_in(ADMIN.0, ADMIN.1).await;
    let switched = app
        .call("switch_company", &[("company_id", &HARBOR.to_string())])
        .await;
    assert_eq!(switched.status(), 200);
    assert_eq!(app.call("licensed_tiles", &[]).await.status(), 200);
    app
}

/// Pays for Planner on two not-licensed projects; returns the return page's path.
async fn pay_for_two_projects(app: &TestApp) -> String {
    let page: Value = app
        .call(
            "wizard_projects",
            &[("search", ""), ("filter", "not-licensed"), ("page", "1")],
        )
        .await
        .json()
        .await
        .unwrap();
    let ids: Vec<i64> = page["projects"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    let selection = json!({
        "selection": {"projects": [
            {"project_id": ids[0], "planner": true},
            {"project_id": ids[1], "planner": true}
        ]},
        "interval": "monthly",
    });
    let started = app
        .http
        .post(format!("{}/api/start_checkout", app.base))
        .header("origin", &app.base)
        .json(&selection)
        .send()
        .await
        .unwrap();
    assert_eq!(started.status(), 200);
    let payment_page: String = started.json().await.unwrap();
    assert_eq!(
        app.http.get(&payment_page).send().await.unwrap().status(),
        200
    );
    let paid = app
        .pay_on_checkout(&payment_page, "4242 4242 4242 4242")
        .await;
    assert_eq!(paid.status(), 303);
    let back = url::Url::parse(paid.headers()["location"].to_str().unwrap()).unwrap();
    let path = format!("{}?{}", back.path(), back.query().unwrap_or_default());
    assert!(path.starts_with("/projects?checkout_session=cs_"), "{path}");
    path
}

/// Order statuses and licensed projects: what fulfilment changes.
async fn fulfilment_state(db: &TestDb) -> (Vec<String>, i64) {
    let orders: Vec<(String,)> = sqlx::query_as("SELECT status FROM orders ORDER BY id")
        .fetch_all(db.db.pool())
        .await
        .unwrap();
    let (licensed,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM licensed_projects")
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    (orders.into_iter().map(|o| o.0).collect(), licensed)
}

#[tokio::test]
async fn rendering_the_return_page_fulfils_nothing_and_the_browser_confirms_with_a_post() {
    let db = TestDb::sqlite().await;
    let app = harbor_admin(&db).await;
    let stripe = app.stripe.clone().unwrap();
    // Hold Stripe's webhooks: only the return page could fulfil the order.
    stripe.set_webhook_url(None);
    let return_page = pay_for_two_projects(&app).await;
    stripe.wait_for_deliveries().await;
    let before = fulfilment_state(&db).await;
    assert_eq!(before, (vec!["pending".to_string()], 0));

    // The user's own browser arriving, and a cross-site link to the same address.
    let page = app.get(&return_page).await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    let linked = app
        .http
        .get(format!("{}{return_page}", app.base))
        .header("sec-fetch-site", "cross-site")
        .header("sec-fetch-mode", "navigate")
        .send()
        .await
        .unwrap();
    assert_eq!(linked.status(), 200);
    assert_eq!(
        fulfilment_state(&db).await,
        before,
        "a GET changed the database"
    );
    assert!(html.contains("Confirming your payment…"));
    assert!(!html.contains("Payment received"));

    // The hydrated page's POST reconciles the session; a cross-site POST is refused.
    let session_id = return_page.split("checkout_session=").nth(1).unwrap();
    let forged = app
        .http
        .post(format!("{}/api/confirm_checkout", app.base))
        .header("origin", "https://evil.example")
        .form(&[("session_id", session_id)])
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert_eq!(fulfilment_state(&db).await, before);
    let confirmed = app
        .call("confirm_checkout", &[("session_id", session_id)])
        .await;
    assert_eq!(confirmed.status(), 200);
    assert_eq!(confirmed.json::<u32>().await.unwrap(), 2);
    assert_eq!(fulfilment_state(&db).await, (vec!["paid".to_string()], 2));
}
