//! Hosted checkout → subscription → signed webhooks, delivery modes, and the sandbox clock
//! (renewals and failed renewals), all over real HTTP.

mod stripe_support;

use sandbox::{DeliveryMode, StripeSandbox};
use serde_json::Value;
use stripe_support::*;

const MONTH: i64 = 31 * 86_400;

/// A paid session: (session id, subscription id, customer id).
async fn buy(sb: &StripeSandbox, lines: &[(&str, u64)]) -> (String, String, String) {
    let s = session(
        sb,
        lines,
        &[
            ("customer_email", "buyer@example.com"),
            ("subscription_data[metadata][order]", "42"),
        ],
    )
    .await;
    let res = pay(&s.str("url"), "4242424242424242").await;
    assert_eq!(res.status(), 303);
    let done = get(sb, &format!("/v1/checkout/sessions/{}", s.str("id"))).await;
    (s.str("id"), done.str("subscription"), done.str("customer"))
}

#[tokio::test]
async fn hosted_page_payment_completes_and_delivers_signed_events() {
    let receiver = Receiver::start().await;
    let sb = start(Some(receiver.url.clone())).await;
    let planner = price(&sb, "Planner", 29_500, "month", "planner_month").await;
    let safety = price(&sb, "Safety", 59_500, "month", "safety_month").await;
    let s = session(
        &sb,
        &[(&planner, 3), (&safety, 2)],
        &[
            ("customer_email", "buyer@example.com"),
            ("client_reference_id", "order-7"),
            ("subscription_data[metadata][procore_company_id]", "123"),
            ("tax_id_collection[enabled]", "true"),
        ],
    )
    .await;
    let id = s.str("id");

    let page = http()
        .get(s.str("url"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    for needle in [
        "Smartapp",
        "Planner",
        "Safety",
        "$295.00",
        "$885.00",
        "$595.00",
        "$1,190.00",
        "$2,075.00",
        "per month",
        "Card number",
        "Expiry",
        "CVC",
        "Tax ID",
        "Subscribe",
        "Back",
        "http://app.test/billing/cancel",
        "value=\"buyer@example.com\"",
    ] {
        assert!(page.contains(needle), "page lacks {needle:?}");
    }

    let res = pay(&s.str("url"), "4242 4242 4242 4242").await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("http://app.test/billing/success?session_id={id}").as_str()
    );

    let done = get(
        &sb,
        &format!("/v1/checkout/sessions/{id}?expand[]=subscription"),
    )
    .await;
    assert_eq!(done.body["status"], "complete");
    assert_eq!(done.body["payment_status"], "paid");
    assert!(done.body["url"].is_null());
    assert_eq!(done.body["customer_details"]["email"], "buyer@example.com");
    let sub = &done.body["subscription"];
    assert_eq!(sub["status"], "active");
    assert_eq!(sub["metadata"]["procore_company_id"], "123");
    let items = sub["items"]["data"].as_array().unwrap();
    let qty: Vec<(Value, Value)> = items
        .iter()
        .map(|i| (i["price"]["id"].clone(), i["quantity"].clone()))
        .collect();
    assert_eq!(
        qty,
        [
            (planner.clone().into(), 3.into()),
            (safety.clone().into(), 2.into())
        ]
    );
    let (start, end) = (
        items[0]["current_period_start"].as_i64().unwrap(),
        items[0]["current_period_end"].as_i64().unwrap(),
    );
    assert!((28 * 86_400..=31 * 86_400).contains(&(end - start)));
    assert_eq!(items[0]["plan"]["object"], "plan");
    let customer = done.str("customer");
    assert!(customer.starts_with("cus_"));
    let sub_id = sub["id"].as_str().unwrap();
    let invoices = get(&sb, &format!("/v1/invoices?subscription={sub_id}")).await;
    let inv = &invoices.body["data"][0];
    assert_eq!(inv["status"], "paid");
    assert_eq!(inv["amount_paid"], 207_500);
    assert_eq!(inv["billing_reason"], "subscription_create");
    assert_eq!(inv["lines"]["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        inv["parent"]["subscription_details"]["subscription"],
        sub_id
    );

    sb.wait_for_deliveries().await;
    let deliveries = receiver.deliveries();
    let types: Vec<String> = deliveries.iter().map(Delivery::type_).collect();
    for t in [
        "customer.created",
        "customer.subscription.created",
        "invoice.paid",
        "invoice.payment_succeeded",
        "checkout.session.completed",
    ] {
        assert_eq!(
            types.iter().filter(|x| *x == t).count(),
            1,
            "{t} in {types:?}"
        );
    }
    for d in &deliveries {
        assert!(
            signature_valid(&d.signature, &d.body, SECRET),
            "bad signature on {}",
            d.type_()
        );
        assert!(!signature_valid(&d.signature, &d.body, "whsec_other"));
        let e = d.json();
        assert_eq!(e["object"], "event");
        assert_eq!(e["api_version"], sandbox::API_VERSION);
        assert_eq!(e["livemode"], false);
        assert!(e["id"].as_str().unwrap().starts_with("evt_"));
        assert!(e["data"]["object"].is_object());
        assert!(e["pending_webhooks"].is_i64());
        assert!(e["request"].is_object());
    }
    let completed = deliveries
        .iter()
        .find(|d| d.type_() == "checkout.session.completed")
        .unwrap()
        .json();
    assert_eq!(
        completed["data"]["object"]["client_reference_id"],
        "order-7"
    );
    assert_eq!(completed["data"]["object"]["subscription"], sub_id);
    let events = get(&sb, "/v1/events?type=invoice.paid").await;
    assert_eq!(events.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(events.body["data"][0]["pending_webhooks"], 0, "delivered");
    assert_eq!(sb.stats().deliveries_failed, 0);

    let again = http()
        .get(format!("{}/pay/{id}", sb.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(again.contains("complete"), "{again}");
    // Like a test-mode account without saved portal settings: a configuration is needed.
    let session_form = [
        ("customer", customer.as_str()),
        ("return_url", "http://app.test/account"),
    ];
    let refused = post_form(&sb, "/v1/billing_portal/sessions", &session_form, None).await;
    assert_eq!(refused.status, 400);
    assert!(refused.body["error"]["message"]
        .as_str()
        .unwrap()
        .starts_with("You can't create a portal session in test mode"));
    let config = post_form(
        &sb,
        "/v1/billing_portal/configurations",
        &[("features[invoice_history][enabled]", "true")],
        None,
    )
    .await;
    assert_eq!(config.status, 200, "{}", config.body);
    let mut with_config = session_form.to_vec();
    let config_id = config.str("id");
    with_config.push(("configuration", &config_id));
    let portal = post_form(&sb, "/v1/billing_portal/sessions", &with_config, None).await;
    assert!(portal.str("id").starts_with("bps_"));
    assert_eq!(portal.body["configuration"], config_id.as_str());
    let html = http()
        .get(portal.str("url"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        html.contains(sub_id)
            && html.contains("http://app.test/account")
            && html.contains("$2,075.00")
    );
}

#[tokio::test]
async fn declined_and_incorrect_cards_create_nothing() {
    let receiver = Receiver::start().await;
    let sb = start(Some(receiver.url.clone())).await;
    let planner = price(&sb, "Planner", 29_500, "month", "planner_month").await;
    let s = session(&sb, &[(&planner, 1)], &[]).await;
    let res = pay(&s.str("url"), "4000 0000 0000 0002").await;
    assert_eq!(res.status(), 402);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Your card was declined."));
    let res = pay(&s.str("url"), "1234 5678 9012 3456").await;
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Your card number is incorrect."));
    sb.wait_for_deliveries().await;
    assert_eq!(
        get(&sb, &format!("/v1/checkout/sessions/{}", s.str("id")))
            .await
            .body["status"],
        "open"
    );
    assert!(get(&sb, "/v1/subscriptions?status=all").await.body["data"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(get(&sb, "/v1/customers").await.body["data"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(get(&sb, "/v1/invoices").await.body["data"]
        .as_array()
        .unwrap()
        .is_empty());
    assert!(receiver.deliveries().is_empty());
    assert_eq!(sb.stats().events_created, 0);
}

#[tokio::test]
async fn duplicate_and_reverse_delivery_modes() {
    let receiver = Receiver::start().await;
    let sb = start(Some(receiver.url.clone())).await;
    let planner = price(&sb, "Planner", 29_500, "month", "planner_month").await;

    buy(&sb, &[(&planner, 1)]).await;
    sb.wait_for_deliveries().await;
    let normal = receiver.types();
    assert_eq!(
        normal.last().map(String::as_str),
        Some("checkout.session.completed")
    );
    receiver.clear();

    sb.set_delivery_mode(DeliveryMode::Duplicate);
    buy(&sb, &[(&planner, 2)]).await;
    sb.wait_for_deliveries().await;
    let dup = receiver.deliveries();
    assert_eq!(dup.len(), normal.len() * 2);
    for pair in dup.chunks(2) {
        assert_eq!(pair[0].body, pair[1].body, "same event twice");
    }
    receiver.clear();

    sb.set_delivery_mode(DeliveryMode::Reverse);
    buy(&sb, &[(&planner, 3)]).await;
    sb.wait_for_deliveries().await;
    let mut reversed = receiver.types();
    assert_eq!(
        reversed.first().map(String::as_str),
        Some("checkout.session.completed")
    );
    reversed.reverse();
    assert_eq!(reversed, normal);

    // The HTTP switch does the same.
    let res = http()
        .post(format!(
            "{}/__sandbox/stripe/delivery-mode?mode=normal",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let res = http()
        .post(format!(
            "{}/__sandbox/stripe/delivery-mode?mode=bogus",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn failed_deliveries_are_retried() {
    let receiver = Receiver::start().await;
    let sb = start(Some(receiver.url.clone())).await;
    receiver.fail_next(2);
    post_form(&sb, "/v1/customers", &[("email", "x@example.com")], None).await;
    sb.wait_for_deliveries().await;
    let stats = sb.stats();
    assert_eq!(stats.deliveries_attempted, 3);
    assert_eq!(stats.deliveries_succeeded, 1);
    assert_eq!(receiver.types(), ["customer.created"]);
}

#[tokio::test]
async fn clock_renews_and_fails_renewals() {
    let receiver = Receiver::start().await;
    let sb = start(Some(receiver.url.clone())).await;
    let planner = price(&sb, "Planner", 29_500, "month", "planner_month").await;
    let (_, sub_id, customer) = buy(&sb, &[(&planner, 2)]).await;
    sb.wait_for_deliveries().await;
    receiver.clear();
    let before = get(&sb, &format!("/v1/subscriptions/{sub_id}")).await.body;
    let end = before["items"]["data"][0]["current_period_end"]
        .as_i64()
        .unwrap();

    sb.advance_clock(MONTH).await;
    sb.wait_for_deliveries().await;
    let sub = get(&sb, &format!("/v1/subscriptions/{sub_id}")).await.body;
    assert_eq!(sub["status"], "active");
    assert_eq!(sub["items"]["data"][0]["current_period_start"], end);
    let types = receiver.types();
    assert!(types.contains(&"invoice.paid".to_owned()), "{types:?}");
    let updated = receiver
        .deliveries()
        .into_iter()
        .find(|d| d.type_() == "customer.subscription.updated")
        .unwrap()
        .json();
    assert!(updated["data"]["previous_attributes"]["items"].is_object());
    let invoices = get(&sb, &format!("/v1/invoices?customer={customer}")).await;
    assert_eq!(
        invoices.body["data"][0]["billing_reason"],
        "subscription_cycle"
    );
    assert_eq!(invoices.body["data"][0]["amount_paid"], 59_000);
    receiver.clear();

    sb.fail_next_renewal(&customer);
    sb.advance_clock(MONTH).await;
    sb.wait_for_deliveries().await;
    let sub = get(&sb, &format!("/v1/subscriptions/{sub_id}")).await.body;
    assert_eq!(sub["status"], "past_due");
    let types = receiver.types();
    assert!(
        types.contains(&"invoice.payment_failed".to_owned()),
        "{types:?}"
    );
    assert!(!types.contains(&"invoice.paid".to_owned()));
    let updated = receiver
        .deliveries()
        .into_iter()
        .find(|d| d.type_() == "customer.subscription.updated")
        .unwrap()
        .json();
    assert_eq!(updated["data"]["previous_attributes"]["status"], "active");
    let open = get(
        &sb,
        &format!("/v1/invoices?subscription={sub_id}&status=open"),
    )
    .await;
    assert_eq!(open.body["data"].as_array().unwrap().len(), 1);

    // Via the HTTP switch: the next renewal succeeds and the subscription recovers.
    let res = http()
        .post(format!(
            "{}/__sandbox/stripe/advance-clock?seconds={MONTH}",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        get(&sb, &format!("/v1/subscriptions/{sub_id}")).await.body["status"],
        "active"
    );
}

#[tokio::test]
async fn subscription_updates_prorate_and_cancel() {
    let receiver = Receiver::start().await;
    let sb = start(Some(receiver.url.clone())).await;
    let planner = price(&sb, "Planner", 29_500, "month", "planner_month").await;
    let board = price(&sb, "Planner Board", 0, "month", "planner_board_month").await;
    let safety = price(&sb, "Safety", 59_500, "month", "safety_month").await;
    let (_, sub_id, _) = buy(&sb, &[(&planner, 2), (&board, 1)]).await;
    let sub = get(&sb, &format!("/v1/subscriptions/{sub_id}")).await.body;
    let si_planner = sub["items"]["data"][0]["id"].as_str().unwrap().to_owned();
    let si_board = sub["items"]["data"][1]["id"].as_str().unwrap().to_owned();
    sb.wait_for_deliveries().await;
    receiver.clear();

    // Captured rc.10 shape (stripe.md §1.7): raw brackets, billing_cycle_anchor[type].
    let body = format!("billing_cycle_anchor[type]=unchanged&items[0][id]={si_planner}&items[0][quantity]=5&items[1][deleted]=true&items[1][id]={si_board}&items[2][price]={safety}&items[2][quantity]=1&proration_behavior=always_invoice");
    let res = http()
        .post(format!("{}/v1/subscriptions/{sub_id}", sb.base_url()))
        .bearer_auth(KEY)
        .body(body)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let sub: Value = res.json().await.unwrap();
    let items: Vec<(Value, Value)> = sub["items"]["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| (i["price"]["id"].clone(), i["quantity"].clone()))
        .collect();
    assert_eq!(
        items,
        [
            (planner.clone().into(), 5.into()),
            (safety.clone().into(), 1.into())
        ]
    );
    sb.wait_for_deliveries().await;
    let types = receiver.types();
    assert_eq!(types[0], "customer.subscription.updated");
    assert!(
        types.contains(&"invoice.paid".to_owned()),
        "always_invoice bills now: {types:?}"
    );
    let inv = get(
        &sb,
        &format!("/v1/invoices/{}", sub["latest_invoice"].as_str().unwrap()),
    )
    .await
    .body;
    assert_eq!(inv["billing_reason"], "subscription_update");
    let amount = inv["amount_paid"].as_i64().unwrap();
    assert!(
        (3 * 29_500 + 59_500 - 100..=3 * 29_500 + 59_500).contains(&amount),
        "prorated ~full period: {amount}"
    );

    let dup = post_form(
        &sb,
        &format!("/v1/subscriptions/{sub_id}"),
        &[("items[0][price]", &planner)],
        None,
    )
    .await;
    assert_eq!(dup.status, 400);
    assert!(dup.body["error"]["message"]
        .as_str()
        .unwrap()
        .contains("Cannot add multiple subscription items with the same plan"));

    let res = post_form(
        &sb,
        &format!("/v1/subscriptions/{sub_id}"),
        &[("cancel_at_period_end", "true")],
        None,
    )
    .await;
    assert_eq!(res.body["cancel_at_period_end"], true);
    receiver.clear();
    let res = http()
        .delete(format!("{}/v1/subscriptions/{sub_id}", sb.base_url()))
        .bearer_auth(KEY)
        .body("invoice_now=false&prorate=false")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let sub: Value = res.json().await.unwrap();
    assert_eq!(sub["status"], "canceled");
    sb.wait_for_deliveries().await;
    assert_eq!(receiver.types(), ["customer.subscription.deleted"]);
    assert!(
        get(&sb, "/v1/subscriptions").await.body["data"]
            .as_array()
            .unwrap()
            .is_empty(),
        "canceled hidden by default"
    );
}
