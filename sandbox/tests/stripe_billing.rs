//! Hosted invoice page (Pay, 3-D Secure step, PDF), Customer Portal features, pending
//! updates and incomplete subscriptions expiring with the clock, over real HTTP.

mod stripe_support;

use sandbox::StripeSandbox;
use serde_json::Value;
use stripe_support::*;

const HOUR: i64 = 3600;

/// A customer with a default card and an active monthly subscription: (customer, sub).
async fn subscriber(sb: &StripeSandbox, price: &str, qty: &str) -> (String, String) {
    let customer = post_form(sb, "/v1/customers", &[("email", "pat@example.com")], None).await;
    let customer = customer.str("id");
    sb.set_default_card(&customer, "4242 4242 4242 4242")
        .unwrap();
    let sub = post_form(
        sb,
        "/v1/subscriptions",
        &[
            ("customer", &customer),
            ("items[0][price]", price),
            ("items[0][quantity]", qty),
        ],
        None,
    )
    .await;
    assert_eq!(sub.body["status"], "active", "{}", sub.body);
    (customer, sub.str("id"))
}

/// POSTs a hosted-page form (no redirects followed).
fn submit(
    url: String,
    pairs: &[(&str, &str)],
) -> impl std::future::Future<Output = reqwest::Response> {
    let req = http()
        .post(url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(pairs));
    async move { req.send().await.unwrap() }
}

async fn page(url: String) -> String {
    http().get(url).send().await.unwrap().text().await.unwrap()
}

/// A pending update of `sub` (quantity → 5) whose invoice stays open: the invoice id.
async fn pending_update(sb: &StripeSandbox, sub: &str) -> String {
    let current = get(sb, &format!("/v1/subscriptions/{sub}")).await.body;
    let si = current["items"]["data"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = post_form(
        sb,
        &format!("/v1/subscriptions/{sub}"),
        &[
            ("items[0][id]", &si),
            ("items[0][quantity]", "5"),
            ("proration_behavior", "always_invoice"),
            ("payment_behavior", "pending_if_incomplete"),
        ],
        None,
    )
    .await;
    assert_eq!(res.status, 200, "{}", res.body);
    assert_eq!(res.body["items"]["data"][0]["quantity"], 1);
    assert!(res.body["pending_update"]["expires_at"].is_i64());
    res.str("latest_invoice")
}

#[tokio::test]
async fn hosted_invoice_page_authenticates_and_pays() {
    let receiver = Receiver::start().await;
    let sb = start(Some(receiver.url.clone())).await;
    let planner = price(&sb, "Planner", 29_500, "month", "planner_month").await;
    let (customer, sub) = subscriber(&sb, &planner, "1").await;
    sb.set_default_card(&customer, "4000002760003184").unwrap();
    let inv = pending_update(&sb, &sub).await;
    let invoice = get(&sb, &format!("/v1/invoices/{inv}")).await.body;
    assert_eq!(invoice["status"], "open");
    assert_eq!(invoice["attempt_count"], 1);
    let url = invoice["hosted_invoice_url"].as_str().unwrap().to_owned();
    let html = page(url.clone()).await;
    assert!(
        html.contains("Pay this invoice") && html.contains("•••• 3184"),
        "{html}"
    );

    // The card asks for 3-D Secure: failing it fails the payment.
    let pay = format!("{url}/pay");
    let res = submit(pay.clone(), &[]).await;
    assert_eq!(res.status(), 200);
    let challenge = res.text().await.unwrap();
    assert!(challenge.contains("Complete authentication"), "{challenge}");
    let pm = get(&sb, &format!("/v1/customers/{customer}")).await.body["invoice_settings"]
        ["default_payment_method"]
        .as_str()
        .unwrap()
        .to_owned();
    let res = submit(
        pay.clone(),
        &[("payment_method", &pm), ("authentication", "fail")],
    )
    .await;
    assert_eq!(res.status(), 402);
    assert_eq!(
        get(&sb, &format!("/v1/invoices/{inv}")).await.body["attempt_count"],
        2
    );
    let res = submit(
        pay,
        &[("payment_method", &pm), ("authentication", "complete")],
    )
    .await;
    assert_eq!(res.status(), 303);
    let invoice = get(&sb, &format!("/v1/invoices/{inv}")).await.body;
    assert_eq!(invoice["status"], "paid");
    let sub = get(&sb, &format!("/v1/subscriptions/{sub}")).await.body;
    assert_eq!(sub["items"]["data"][0]["quantity"], 5);
    assert!(sub["pending_update"].is_null());
    sb.wait_for_deliveries().await;
    let types = receiver.types();
    for t in [
        "invoice.payment_action_required",
        "invoice.paid",
        "customer.subscription.pending_update_applied",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} not in {types:?}");
    }

    let res = http()
        .get(invoice["invoice_pdf"].as_str().unwrap())
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["content-type"], "application/pdf");
    let pdf = res.bytes().await.unwrap();
    assert!(pdf.starts_with(b"%PDF-1.4\n") && pdf.ends_with(b"%%EOF\n"));
}

#[tokio::test]
async fn pending_updates_and_incomplete_subscriptions_expire() {
    let sb = start(None).await;
    let planner = price(&sb, "Planner", 29_500, "month", "planner_month").await;
    let (customer, sub) = subscriber(&sb, &planner, "1").await;
    sb.set_default_card(&customer, "4000000000000341").unwrap();
    let inv = pending_update(&sb, &sub).await;
    let incomplete = post_form(
        &sb,
        "/v1/subscriptions",
        &[("customer", &customer), ("items[0][price]", &planner)],
        None,
    )
    .await;
    assert_eq!(incomplete.body["status"], "incomplete");
    sb.advance_clock(24 * HOUR).await;
    let sub = get(&sb, &format!("/v1/subscriptions/{sub}")).await.body;
    assert!(sub["pending_update"].is_null());
    assert_eq!(sub["items"]["data"][0]["quantity"], 1);
    assert_eq!(
        get(&sb, &format!("/v1/invoices/{inv}")).await.body["status"],
        "void"
    );
    let expired = get(&sb, &format!("/v1/subscriptions/{}", incomplete.str("id"))).await;
    assert_eq!(expired.body["status"], "incomplete_expired");
    let events = get(
        &sb,
        "/v1/events?type=customer.subscription.pending_update_expired",
    )
    .await;
    assert_eq!(events.body["data"].as_array().unwrap().len(), 1);

    // The invoice default can be set over the API, only to one of the customer's cards.
    let path = format!("/v1/customers/{customer}");
    let bogus = [("invoice_settings[default_payment_method]", "pm_nope")];
    assert_eq!(post_form(&sb, &path, &bogus, None).await.status, 400);
    let c = get(
        &sb,
        &format!("{path}?expand[]=invoice_settings.default_payment_method"),
    )
    .await;
    let pm = &c.body["invoice_settings"]["default_payment_method"];
    assert_eq!(pm["card"]["last4"], "0341", "{pm}");
    let cards = get(&sb, &format!("{path}/payment_methods")).await.body;
    assert_eq!(cards["data"].as_array().unwrap().len(), 2);

    // The card switch refuses what Stripe would not attach.
    let res = http()
        .post(format!(
            "{}/__sandbox/stripe/card?customer={customer}&number=4000000000000002",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn portal_honours_its_configuration() {
    let receiver = Receiver::start().await;
    let sb = start(Some(receiver.url.clone())).await;
    let planner = price(&sb, "Planner", 29_500, "month", "planner_month").await;
    let (customer, sub) = subscriber(&sb, &planner, "2").await;
    let minimal = post_form(
        &sb,
        "/v1/billing_portal/configurations",
        &[("features[invoice_history][enabled]", "false")],
        None,
    )
    .await;
    let full = post_form(
        &sb,
        "/v1/billing_portal/configurations",
        &[
            ("features[payment_method_update][enabled]", "true"),
            ("features[customer_update][enabled]", "true"),
            ("features[customer_update][allowed_updates][]", "email"),
            ("features[customer_update][allowed_updates][]", "tax_id"),
            ("features[customer_update][allowed_updates][]", "address"),
            ("features[invoice_history][enabled]", "true"),
            ("features[subscription_cancel][enabled]", "true"),
            ("features[subscription_cancel][mode]", "at_period_end"),
        ],
        None,
    )
    .await;
    let portal = |config: String| {
        let (sb, customer) = (sb.clone(), customer.clone());
        async move {
            let s = post_form(
                &sb,
                "/v1/billing_portal/sessions",
                &[
                    ("customer", &customer),
                    ("configuration", &config),
                    ("return_url", "http://app.test/account"),
                ],
                None,
            )
            .await;
            assert_eq!(s.status, 200, "{}", s.body);
            s.str("url")
        }
    };
    let bare = portal(minimal.str("id")).await;
    let html = page(bare.clone()).await;
    assert!(html.contains("Return to") && !html.contains("Update card"));
    assert!(!html.contains("Cancel subscription") && !html.contains("Invoice history"));
    let refused = submit(
        format!("{bare}/card"),
        &[("card_number", "4242424242424242")],
    )
    .await;
    assert_eq!(refused.status(), 403);

    // A renewal fails, the portal offers "Pay now"; a new card there pays it.
    sb.set_default_card(&customer, "4000000000000341").unwrap();
    sb.advance_clock(32 * 86_400).await;
    let past_due = get(&sb, &format!("/v1/subscriptions/{sub}")).await.body;
    assert_eq!(past_due["status"], "past_due");
    let url = portal(full.str("id")).await;
    let html = page(url.clone()).await;
    for needle in [
        "Pay now",
        "Update card",
        "Billing email",
        "Address line 1",
        "Add tax ID",
        "Invoice history",
        "Cancel subscription",
        "•••• 0341",
    ] {
        assert!(html.contains(needle), "portal lacks {needle:?}");
    }
    let card = |number: &'static str| {
        submit(
            format!("{url}/card"),
            &[("card_number", number), ("exp", "12 / 34"), ("cvc", "123")],
        )
    };
    let declined = card("4000 0000 0000 0002").await;
    assert_eq!(declined.status(), 402);
    assert!(declined
        .text()
        .await
        .unwrap()
        .contains("Your card was declined."));
    assert_eq!(card("4242 4242 4242 4242").await.status(), 303);
    let inv = past_due["latest_invoice"].as_str().unwrap();
    let path = url.trim_start_matches(&sb.base_url()).to_owned();
    let res = submit(
        format!("{}/invoice/{inv}/pay", sb.base_url()),
        &[("return", &path)],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert_eq!(
        res.headers()["location"],
        format!("{path}?notice=paid").as_str()
    );
    assert_eq!(
        get(&sb, &format!("/v1/subscriptions/{sub}")).await.body["status"],
        "active"
    );

    let res = submit(
        format!("{url}/customer"),
        &[
            ("email", "billing@example.com"),
            ("address_line1", "1 Harbor Way"),
            ("address_city", "Oakland"),
            ("address_country", "us"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let res = submit(format!("{url}/tax_id"), &[("tax_id", "12-3456789")]).await;
    assert_eq!(res.status(), 303);
    let c = get(&sb, &format!("/v1/customers/{customer}")).await.body;
    assert_eq!(c["email"], "billing@example.com");
    assert_eq!(
        (&c["address"]["city"], &c["address"]["country"]),
        (&"Oakland".into(), &"US".into())
    );
    let tax = get(&sb, &format!("/v1/customers/{customer}/tax_ids"))
        .await
        .body;
    assert_eq!(tax["data"][0]["type"], "us_ein");
    let res = submit(format!("{url}/cancel/{sub}"), &[]).await;
    assert_eq!(res.status(), 303);
    let s: Value = get(&sb, &format!("/v1/subscriptions/{sub}")).await.body;
    assert_eq!(s["cancel_at_period_end"], true);
    sb.wait_for_deliveries().await;
    let types = receiver.types();
    for t in [
        "payment_method.attached",
        "customer.updated",
        "customer.tax_id.created",
        "invoice.payment_failed",
        "invoice.paid",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} not in {types:?}");
    }
}
