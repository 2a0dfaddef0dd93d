//! Our Customer Portal configuration: found or created at start-up, once across start-ups
//! of several processes on one Stripe account, and again when a portal session is needed if
//! Stripe was down at start-up.

use serde_json::Value;

use crate::helpers::app::{spawn_app, TestApp};
use crate::helpers::TestDb;

/// Settings for an app on real-Stripe settings pointed at `stripe`, with Procore unreachable.
fn real_stripe(stripe: &str, db: &str) -> Vec<(&'static str, String)> {
    vec![
        ("DATABASE_URL", db.to_string()),
        ("PROCORE_CLIENT_ID", "x".into()),
        ("PROCORE_CLIENT_SECRET", "y".into()),
        ("PROCORE_LOGIN_BASE", "http://127.0.0.1:9".into()),
        ("PROCORE_API_BASE", "http://127.0.0.1:9".into()),
        (
            "TOKEN_ENCRYPTION_KEY",
            "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=".into(),
        ),
        ("STRIPE_SECRET_KEY", "sk_test_sandbox".into()),
        ("STRIPE_WEBHOOK_SECRET", "whsec_sandbox".into()),
        ("STRIPE_API_BASE", stripe.to_string()),
    ]
}

async fn started_configuration(app: &TestApp) -> String {
    for _ in 0..500 {
        if let Some(id) = app.services.billing_service.portal_configuration_id().await {
            return id;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the portal configuration was not prepared at start-up");
}

#[tokio::test]
async fn the_portal_configuration_is_created_once_across_start_ups() {
    let stripe = sandbox::start_stripe(sandbox::StripeOptions::default(), None)
        .await
        .unwrap();
    let db = TestDb::sqlite().await;
    let settings = real_stripe(&stripe.base_url(), &db.url);
    let vars: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let first = spawn_app(&vars).await;
    let id = started_configuration(&first).await;
    let second = spawn_app(&vars).await;
    assert_eq!(
        started_configuration(&second).await,
        id,
        "found, not created again"
    );

    let listed: Value = reqwest::Client::new()
        .get(format!(
            "{}/v1/billing_portal/configurations?limit=100",
            stripe.base_url()
        ))
        .bearer_auth("sk_test_sandbox")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let ours: Vec<&Value> = listed["data"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["metadata"]["app"] == "project-central")
        .collect();
    assert_eq!(ours.len(), 1, "{listed}");
    let features = &ours[0]["features"];
    assert_eq!(features["payment_method_update"]["enabled"], true);
    assert_eq!(features["invoice_history"]["enabled"], true);
    assert_eq!(features["customer_update"]["enabled"], true);
    assert_eq!(features["subscription_cancel"]["enabled"], false);
    assert_eq!(features["subscription_update"]["enabled"], false);
    assert_eq!(
        ours[0]["default_return_url"],
        format!("{}/billing", first.base)
    );
}

#[tokio::test]
async fn stripe_down_at_start_up_is_retried_when_the_portal_is_needed() {
    let addr = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    let db = TestDb::sqlite().await;
    let settings = real_stripe(&format!("http://{addr}"), &db.url);
    let vars: Vec<(&str, &str)> = settings.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let app = spawn_app(&vars).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let billing = &app.services.billing_service;
    assert_eq!(
        billing.portal_configuration_id().await,
        None,
        "Stripe was down"
    );
    let _stripe = sandbox::start_stripe(sandbox::StripeOptions::default(), Some(addr))
        .await
        .unwrap();
    let id = billing.prepare_portal().await.unwrap();
    assert!(id.starts_with("bpc_"), "{id}");
    assert_eq!(billing.portal_configuration_id().await, Some(id));
}
