//! Fidelity of the billing features with async-stripe 1.0.0-rc.10 (the server's client):
//! subscription create/update with `payment_behavior`, pending updates, previews, invoice
//! payments, refunds, portal configurations, and every webhook the flows send must parse
//! (a missing required field fails `construct_event`), without unknown enum values.

mod stripe_support;

use stripe::ApiErrorsCode;
use stripe::{ClientBuilder, StripeError};
use stripe_billing::billing_portal_configuration::{
    CreateBillingPortalConfiguration, CreateBillingPortalConfigurationFeatures,
    CreateBillingPortalConfigurationFeaturesCustomerUpdate,
    CreateBillingPortalConfigurationFeaturesCustomerUpdateAllowedUpdates, InvoiceListParam,
    ListBillingPortalConfiguration, PaymentMethodUpdateParam,
};
use stripe_billing::billing_portal_session::CreateBillingPortalSession;
use stripe_billing::invoice::{
    CreatePreviewInvoice, CreatePreviewInvoicePreviewMode, CreatePreviewInvoiceSubscriptionDetails,
    CreatePreviewInvoiceSubscriptionDetailsItems,
    CreatePreviewInvoiceSubscriptionDetailsProrationBehavior, PayInvoice, RetrieveInvoice,
};
use stripe_billing::invoice_payment::ListInvoicePayment;
use stripe_billing::subscription::{
    CreateSubscription, CreateSubscriptionItems, UpdateSubscription, UpdateSubscriptionItems,
    UpdateSubscriptionPaymentBehavior, UpdateSubscriptionProrationBehavior,
};
use stripe_billing::InvoiceStatus;
use stripe_billing::SubscriptionStatus;
use stripe_core::customer::{RetrieveCustomer, RetrieveCustomerReturned};
use stripe_core::refund::CreateRefund;
use stripe_support::*;
use stripe_webhook::Webhook;

/// Sets the customer's default card through the sandbox switch.
async fn card(sb: &sandbox::StripeSandbox, customer: &str, number: &str) {
    sb.set_default_card(customer, number).expect("test card");
}

fn card_error(err: StripeError) -> (u16, Option<ApiErrorsCode>, Option<String>) {
    match err {
        StripeError::Stripe(e, status) => (status, e.code, e.decline_code),
        other => panic!("expected a Stripe error, got {other:?}"),
    }
}

#[tokio::test]
async fn billing_objects_and_events_parse() {
    let (captured, _guard) = Captured::start();
    let receiver = Receiver::start().await;
    let sb = start(Some(receiver.url.clone())).await;
    let client = ClientBuilder::new(KEY)
        .url(sb.base_url())
        .request_strategy(stripe::RequestStrategy::Once)
        .build()
        .unwrap();
    let planner = price(&sb, "Planner", 29_500, "month", "planner_month").await;
    let s = session(
        &sb,
        &[(&planner, 3)],
        &[("tax_id_collection[enabled]", "true")],
    )
    .await;
    let res = http()
        .post(s.str("url"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(&[
            ("email", "buyer@example.com"),
            ("card_number", "4242424242424242"),
            ("exp", "12/34"),
            ("cvc", "123"),
            ("tax_id", "DE123456789"),
        ]))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let done = get(&sb, &format!("/v1/checkout/sessions/{}", s.str("id"))).await;
    let (customer, sub_id) = (done.str("customer"), done.str("subscription"));

    let RetrieveCustomerReturned::Customer(c) = RetrieveCustomer::new(customer.as_str())
        .send(&client)
        .await
        .unwrap()
    else {
        panic!("customer deleted");
    };
    let pm = c.invoice_settings.unwrap().default_payment_method.unwrap();
    assert!(pm.id().as_str().starts_with("pm_"));

    // Invoice payments (includable on the invoice) and a partial refund.
    let inv_id = done.str("invoice");
    let inv = RetrieveInvoice::new(inv_id.as_str())
        .expand(vec!["payments".to_owned()])
        .send(&client)
        .await
        .unwrap();
    let payments = inv.payments.expect("expanded payments");
    assert_eq!(payments.data[0].amount_paid, Some(88_500));
    let listed = ListInvoicePayment::new()
        .invoice(inv_id.as_str())
        .send(&client)
        .await
        .unwrap();
    let pi = listed.data[0]
        .payment
        .payment_intent
        .as_ref()
        .unwrap()
        .id()
        .to_string();
    let refund = CreateRefund::new()
        .payment_intent(pi.as_str())
        .amount(500)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(refund.amount, 500);
    assert_eq!(refund.status.as_deref(), Some("succeeded"));

    // error_if_incomplete with a declining card: 402, nothing changes.
    let sub = stripe_billing::subscription::RetrieveSubscription::new(sub_id.as_str())
        .send(&client)
        .await
        .unwrap();
    let si = sub.items.data[0].id.to_string();
    card(&sb, &customer, "4000000000000341").await;
    let bump = |behavior| {
        UpdateSubscription::new(sub_id.as_str())
            .items(vec![UpdateSubscriptionItems {
                id: Some(si.clone()),
                quantity: Some(5),
                ..Default::default()
            }])
            .proration_behavior(UpdateSubscriptionProrationBehavior::AlwaysInvoice)
            .payment_behavior(behavior)
    };
    let err = bump(UpdateSubscriptionPaymentBehavior::ErrorIfIncomplete)
        .send(&client)
        .await
        .unwrap_err();
    assert_eq!(
        card_error(err),
        (
            402,
            Some(ApiErrorsCode::CardDeclined),
            Some("generic_decline".into())
        )
    );
    // pending_if_incomplete: a pending update and an open invoice; paying applies it.
    let pending = bump(UpdateSubscriptionPaymentBehavior::PendingIfIncomplete)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(pending.items.data[0].quantity, Some(3));
    let update = pending.pending_update.expect("pending update");
    assert_eq!(update.subscription_items.unwrap()[0].quantity, Some(5));
    let open = pending
        .latest_invoice
        .unwrap()
        .id()
        .clone()
        .expect("invoice id");
    card(&sb, &customer, "4000002760003184").await;
    let err = PayInvoice::new(open.clone())
        .send(&client)
        .await
        .unwrap_err();
    assert_eq!(
        card_error(err).1,
        Some(ApiErrorsCode::InvoicePaymentIntentRequiresAction)
    );
    card(&sb, &customer, "4242424242424242").await;
    let paid = PayInvoice::new(open).send(&client).await.unwrap();
    assert_eq!(paid.status, Some(InvoiceStatus::Paid));

    // Previews: prorations now, and the next regular renewal.
    let details = CreatePreviewInvoiceSubscriptionDetails {
        items: Some(vec![CreatePreviewInvoiceSubscriptionDetailsItems {
            id: Some(si.clone()),
            quantity: Some(7),
            ..Default::default()
        }]),
        proration_behavior: Some(
            CreatePreviewInvoiceSubscriptionDetailsProrationBehavior::AlwaysInvoice,
        ),
        ..Default::default()
    };
    let now_preview = CreatePreviewInvoice::new()
        .subscription(sub_id.as_str())
        .subscription_details(details.clone())
        .send(&client)
        .await
        .unwrap();
    assert!(now_preview.amount_due > 0 && now_preview.amount_due <= 2 * 29_500);
    let recurring = CreatePreviewInvoice::new()
        .subscription(sub_id.as_str())
        .subscription_details(details)
        .preview_mode(CreatePreviewInvoicePreviewMode::Recurring)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(recurring.amount_due, 7 * 29_500);

    // A subscription created over the API, with a trial.
    let trial = CreateSubscription::new()
        .customer(customer.as_str())
        .items(vec![CreateSubscriptionItems {
            price: Some(planner.clone()),
            quantity: Some(1),
            ..Default::default()
        }])
        .trial_period_days(7u32)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(trial.status, SubscriptionStatus::Trialing);

    // Portal configuration, then a session with it.
    let mut features = CreateBillingPortalConfigurationFeatures::new();
    let mut update = CreateBillingPortalConfigurationFeaturesCustomerUpdate::new(true);
    update.allowed_updates = Some(vec![
        CreateBillingPortalConfigurationFeaturesCustomerUpdateAllowedUpdates::Email,
        CreateBillingPortalConfigurationFeaturesCustomerUpdateAllowedUpdates::TaxId,
    ]);
    features.customer_update = Some(update);
    features.invoice_history = Some(InvoiceListParam::new(true));
    features.payment_method_update = Some(PaymentMethodUpdateParam::new(true));
    let config = CreateBillingPortalConfiguration::new(features)
        .default_return_url("http://app.test/account")
        .send(&client)
        .await
        .unwrap();
    assert!(!config.is_default && config.features.payment_method_update.enabled);
    let configs = ListBillingPortalConfiguration::new()
        .active(true)
        .send(&client)
        .await
        .unwrap();
    assert_eq!(configs.data[0].id, config.id);
    let portal = CreateBillingPortalSession::new()
        .customer(customer.as_str())
        .configuration(config.id.as_str())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(
        portal.return_url.as_deref(),
        Some("http://app.test/account")
    );

    // Clock: the renewal fails on a declining card, retries, then the subscription is unpaid.
    card(&sb, &customer, "4000000000000341").await;
    sb.advance_clock(40 * 86_400).await;
    sb.wait_for_deliveries().await;
    let mut types = Vec::new();
    for d in receiver.deliveries() {
        let event = Webhook::construct_event(&d.body, &d.signature, SECRET)
            .unwrap_or_else(|e| panic!("{} did not parse: {e:?}", d.type_()));
        types.push(event.type_.as_str().to_owned());
    }
    for t in [
        "payment_method.attached",
        "customer.updated",
        "customer.tax_id.created",
        "charge.succeeded",
        "charge.failed",
        "charge.refunded",
        "refund.created",
        "payment_intent.succeeded",
        "payment_intent.payment_failed",
        "payment_intent.requires_action",
        "invoice_payment.paid",
        "invoice.payment_failed",
        "invoice.payment_action_required",
        "customer.subscription.pending_update_applied",
        "billing_portal.configuration.created",
    ] {
        assert!(types.iter().any(|x| x == t), "{t} not in {types:?}");
    }
    let sub = stripe_billing::subscription::RetrieveSubscription::new(sub_id.as_str())
        .send(&client)
        .await
        .unwrap();
    assert_eq!(sub.status, SubscriptionStatus::Unpaid);
    let warnings = captured.parse_warnings();
    assert!(
        warnings.is_empty(),
        "async-stripe met unknown values: {warnings:#?}"
    );
}
