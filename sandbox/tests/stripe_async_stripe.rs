//! Fidelity with the Rust client the server uses: async-stripe 1.0.0-rc.10 must create,
//! retrieve and parse everything the emulator returns, and `stripe_webhook` must verify
//! and parse delivered events (parsing fails if any required field is missing, §3.6).

mod stripe_support;

use std::collections::HashMap;

use stripe::ClientBuilder;
use stripe_billing::subscription::RetrieveSubscription;
use stripe_billing::SubscriptionStatus;
use stripe_checkout::checkout_session::{
    CreateCheckoutSession, CreateCheckoutSessionLineItems, CreateCheckoutSessionSubscriptionData,
    RetrieveCheckoutSession,
};
use stripe_checkout::{CheckoutSessionMode, CheckoutSessionPaymentStatus, CheckoutSessionStatus};
use stripe_product::price::{
    CreatePrice, CreatePriceRecurring, CreatePriceRecurringInterval, ListPrice, RetrievePrice,
};
use stripe_product::product::CreateProduct;
use stripe_support::*;
use stripe_webhook::{EventObject, Webhook};

#[test]
fn capture_sees_async_stripe_enum_warnings() {
    // Guards the guard: the capture must see the warning async-stripe logs for an unknown
    // enum value, or the assertions on parse warnings below would pass vacuously.
    let (captured, _guard) = Captured::start();
    let mode: stripe_checkout::CheckoutSessionUiMode = "hosted".parse().unwrap();
    assert_eq!(mode.as_str(), "hosted");
    assert_eq!(
        captured.parse_warnings().len(),
        1,
        "{:?}",
        captured.parse_warnings()
    );
}

#[tokio::test]
async fn async_stripe_round_trip_and_webhooks_parse() {
    let (captured, _guard) = Captured::start();
    let receiver = Receiver::start().await;
    let sb = start(Some(receiver.url.clone())).await;
    let client = ClientBuilder::new(KEY)
        .url(sb.base_url())
        .request_strategy(stripe::RequestStrategy::Once)
        .build()
        .unwrap();

    let product = CreateProduct::new("Planner").send(&client).await.unwrap();
    assert!(product.id.as_str().starts_with("prod_"));
    // `Currency` lives in async-stripe-types, which the workspace does not list, so the
    // typed value is taken from a price created over plain HTTP and retrieved here.
    let seed = price(&sb, "Seed", 100, "month", "seed_month").await;
    let usd = RetrievePrice::new(seed.as_str())
        .send(&client)
        .await
        .unwrap()
        .currency;
    let price = CreatePrice::new(usd)
        .product(product.id.as_str())
        .unit_amount(29_500)
        .lookup_key("planner_month")
        .recurring(CreatePriceRecurring::new(
            CreatePriceRecurringInterval::Month,
        ))
        .send(&client)
        .await
        .unwrap();
    assert_eq!(price.unit_amount, Some(29_500));
    let found = ListPrice::new()
        .lookup_keys(vec!["planner_month".to_owned()])
        .send(&client)
        .await
        .unwrap();
    assert_eq!(found.data.len(), 1);
    assert_eq!(found.data[0].id, price.id);

    let mut sd = CreateCheckoutSessionSubscriptionData::new();
    sd.metadata = Some(HashMap::from([(
        "procore_company_id".to_owned(),
        "123".to_owned(),
    )]));
    let session = CreateCheckoutSession::new()
        .mode(CheckoutSessionMode::Subscription)
        .customer_email("a+b@example.com")
        .client_reference_id("order-1")
        .success_url("http://app.test/ok?session_id={CHECKOUT_SESSION_ID}")
        .cancel_url("http://app.test/cancel")
        .subscription_data(sd)
        .expand(vec!["line_items".to_owned()])
        .line_items(vec![CreateCheckoutSessionLineItems {
            price: Some(price.id.to_string()),
            quantity: Some(3),
            ..Default::default()
        }])
        .send(&client)
        .await
        .unwrap();
    assert!(session.id.as_str().starts_with("cs_test_"));
    assert_eq!(session.amount_total, Some(88_500));
    assert_eq!(session.line_items.as_ref().map(|l| l.data.len()), Some(1));
    let url = session.url.clone().expect("hosted url while open");

    let res = pay(&url, "4242 4242 4242 4242").await;
    assert_eq!(res.status(), 303);

    let session = RetrieveCheckoutSession::new(session.id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(session.status, Some(CheckoutSessionStatus::Complete));
    assert_eq!(session.payment_status, CheckoutSessionPaymentStatus::Paid);
    assert!(session.url.is_none());
    let sub_id = session
        .subscription
        .as_ref()
        .expect("subscription")
        .id()
        .clone();
    let sub = RetrieveSubscription::new(sub_id.clone())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Active);
    assert_eq!(sub.items.data[0].quantity, Some(3));
    assert_eq!(
        sub.metadata.get("procore_company_id").map(String::as_str),
        Some("123")
    );
    assert!(sub.items.data[0].current_period_end > sub.items.data[0].current_period_start);

    sb.wait_for_deliveries().await;
    let mut parsed = Vec::new();
    for d in receiver.deliveries() {
        let event = Webhook::construct_event(&d.body, &d.signature, SECRET)
            .unwrap_or_else(|e| panic!("{} did not parse: {e:?}", d.type_()));
        match event.data.object {
            EventObject::CheckoutSessionCompleted(s) => {
                assert_eq!(s.id, session.id);
                assert_eq!(s.client_reference_id.as_deref(), Some("order-1"));
                parsed.push("checkout.session.completed");
            }
            EventObject::CustomerSubscriptionCreated(s) => {
                assert_eq!(s.id, sub_id);
                parsed.push("customer.subscription.created");
            }
            EventObject::InvoicePaid(inv) => {
                assert_eq!(inv.amount_paid, 88_500);
                parsed.push("invoice.paid");
            }
            _ => {}
        }
    }
    parsed.sort();
    assert_eq!(
        parsed,
        [
            "checkout.session.completed",
            "customer.subscription.created",
            "invoice.paid"
        ]
    );

    // A tampered body must not verify.
    let d = &receiver.deliveries()[0];
    let tampered = d
        .body
        .replacen("\"livemode\":false", "\"livemode\":true", 1);
    assert!(Webhook::construct_event(&tampered, &d.signature, SECRET).is_err());

    assert_eq!(
        session.ui_mode,
        Some(stripe_checkout::CheckoutSessionUiMode::HostedPage)
    );
    let warnings = captured.parse_warnings();
    assert!(
        warnings.is_empty(),
        "async-stripe met unknown values: {warnings:#?}"
    );
}

/// Each client gets the shapes of the API version it sends (`Stripe-Version`).
#[tokio::test]
async fn checkout_ui_mode_follows_the_requested_api_version() {
    let sb = start(None).await;
    let price = price(&sb, "Seed", 100, "month", "seed_month").await;
    let created = session(&sb, &[(&price, 1)], &[]).await;
    assert_eq!(
        created.body["ui_mode"], "hosted_page",
        "pinned version by default"
    );
    let id = created.str("id");
    let fetch = |version: &'static str| {
        let url = format!("{}/v1/checkout/sessions/{id}", sb.base_url());
        async move {
            let res = http()
                .get(url)
                .bearer_auth(KEY)
                .header("Stripe-Version", version)
                .send()
                .await
                .unwrap();
            res.json::<serde_json::Value>().await.unwrap()
        }
    };
    assert_eq!(fetch("2026-09-30.endive").await["ui_mode"], "hosted_page");
    assert_eq!(fetch("2026-03-25.dahlia").await["ui_mode"], "hosted_page");
    assert_eq!(fetch("2025-03-31.basil").await["ui_mode"], "hosted");
    let listed = http()
        .get(format!("{}/v1/checkout/sessions", sb.base_url()))
        .bearer_auth(KEY)
        .header("Stripe-Version", "2024-06-20")
        .send()
        .await
        .unwrap()
        .json::<serde_json::Value>()
        .await
        .unwrap();
    assert_eq!(listed["data"][0]["ui_mode"], "hosted");
    // Request values follow the version too: the old name is rejected by new versions.
    let bad = session_status(&sb, &price, "hosted", None).await;
    assert_eq!(bad, 400);
    assert_eq!(session_status(&sb, &price, "hosted_page", None).await, 200);
    assert_eq!(
        session_status(&sb, &price, "hosted", Some("2025-03-31.basil")).await,
        200
    );
    assert_eq!(
        session_status(&sb, &price, "embedded_page", None).await,
        400
    );
}

async fn session_status(
    sb: &sandbox::StripeSandbox,
    price: &str,
    ui_mode: &str,
    version: Option<&str>,
) -> u16 {
    let mut req = http()
        .post(format!("{}/v1/checkout/sessions", sb.base_url()))
        .bearer_auth(KEY)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(&[
            ("mode", "subscription"),
            ("success_url", "http://app.test/ok"),
            ("line_items[0][price]", price),
            ("line_items[0][quantity]", "1"),
            ("ui_mode", ui_mode),
        ]));
    if let Some(v) = version {
        req = req.header("Stripe-Version", v);
    }
    req.send().await.unwrap().status().as_u16()
}
