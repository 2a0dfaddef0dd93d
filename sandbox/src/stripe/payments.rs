//! Charging invoices: each payment attempt runs the invoice's PaymentIntent against a card
//! (`cards.rs` behaviours) and records `payment_intent`, `charge` and `invoice_payment`
//! objects with the events real Stripe sends:
//! - success: `charge.succeeded`, `payment_intent.succeeded`, `invoice.paid`,
//!   `invoice.payment_succeeded`, `invoice_payment.paid`, and for the subscription a
//!   pending update applied (`customer.subscription.pending_update_applied`) and/or
//!   `past_due|unpaid|incomplete` → `active` (`customer.subscription.updated`);
//! - decline: `charge.failed`, `payment_intent.payment_failed`, `invoice.payment_failed`;
//! - authentication needed: `payment_intent.requires_action`, `invoice.payment_failed`,
//!   `invoice.payment_action_required`.
//!
//! What a failure does to the subscription (past_due, unpaid, incomplete, pending update)
//! is up to the caller, which also chooses `next_payment_attempt`.

use serde_json::{json, Value};

use super::api::StripeError;
use super::cards::{self, Behaviour};
use super::charges::{charge, payment_intent};
use super::store::{new_id, Store};
use super::webhooks::EventSpec;

/// How a payment is attempted.
#[derive(Clone, Debug, Default)]
pub(crate) struct Attempt {
    /// Card to charge; default: the subscription's, else the customer's default card.
    pub payment_method: Option<String>,
    /// The payer is present and completes 3-D Secure (hosted pages).
    pub on_session: bool,
    /// The first charge on the Checkout page (`…0341` still pays there).
    pub at_checkout: bool,
    /// The `fail_next_renewal` switch: declined whatever the card.
    pub force_decline: bool,
}

/// Why a charge failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Decline {
    /// `card_declined` / `generic_decline`.
    Declined,
    /// The card needs 3-D Secure and the payer is not there.
    NeedsAction,
    /// No card on file.
    NoPaymentMethod,
}

impl Decline {
    /// Stripe's error for a subscription create/update with `error_if_incomplete`.
    pub fn to_error(self) -> StripeError {
        match self {
            Self::Declined => StripeError::card(
                "card_declined",
                Some("generic_decline"),
                "Your card was declined.",
            ),
            Self::NeedsAction => StripeError::card(
                "authentication_required",
                Some("authentication_required"),
                "Your card was declined. This transaction requires authentication.",
            ),
            Self::NoPaymentMethod => StripeError::invalid(
                "payment_method",
                "This customer has no attached payment source or default payment method. Please consider adding a default payment method. For more information, visit https://stripe.com/docs/billing/subscriptions/payment-methods-setting#payment-method-priority.",
            )
            .code("resource_missing"),
        }
    }

    /// Stripe's error for `POST /v1/invoices/{id}/pay`.
    pub fn to_pay_error(self) -> StripeError {
        match self {
            Self::NeedsAction => StripeError::card(
                "invoice_payment_intent_requires_action",
                None,
                "This payment requires additional user action before it can be completed successfully. Payment can be completed using the PaymentIntent associated with the invoice. For more details see: https://stripe.com/docs/billing/subscriptions/overview#requires-action",
            ),
            other => other.to_error(),
        }
    }

    /// What a hosted page says.
    pub fn page_message(self) -> &'static str {
        match self {
            Self::Declined => "Your card was declined.",
            Self::NeedsAction => "Authentication failed: your card was not charged.",
            Self::NoPaymentMethod => "There is no card on file.",
        }
    }
}

/// The card an attempt would use and whether it would pay; changes nothing.
pub(crate) fn outcome(
    store: &Store,
    customer: &str,
    sub: Option<&Value>,
    a: &Attempt,
) -> (Option<Value>, Result<(), Decline>) {
    let pm = match &a.payment_method {
        Some(id) => store.payment_methods.get(id).cloned(),
        None => cards::default_card(store, customer, sub),
    };
    let result = match (&pm, a.force_decline) {
        (_, true) => Err(Decline::Declined),
        (None, _) => Err(Decline::NoPaymentMethod),
        (Some(pm), _) => match cards::behaviour(pm) {
            Behaviour::Succeeds => Ok(()),
            Behaviour::DeclinesLater if a.at_checkout => Ok(()),
            Behaviour::DeclinesLater => Err(Decline::Declined),
            Behaviour::NeedsAuthentication if a.on_session || a.at_checkout => Ok(()),
            Behaviour::NeedsAuthentication => Err(Decline::NeedsAction),
        },
    };
    (pm, result)
}

/// The subscription an invoice belongs to.
pub(crate) fn subscription_of(invoice: &Value) -> Option<&str> {
    invoice["parent"]["subscription_details"]["subscription"].as_str()
}

/// Attempts payment of open invoice `id` at time `at`; on failure the invoice stays open
/// with `next_payment_attempt = next_retry`. Returns the result and the events.
pub(crate) fn attempt(
    store: &mut Store,
    id: &str,
    a: &Attempt,
    next_retry: Option<i64>,
    at: i64,
) -> (Result<(), Decline>, Vec<EventSpec>) {
    let mut events = Vec::new();
    let Some(mut inv) = store.invoices.get(id).cloned() else {
        return (Ok(()), events);
    };
    if inv["status"] != "open" {
        return (Ok(()), events);
    }
    let customer = inv["customer"].as_str().unwrap_or_default().to_owned();
    let sub = subscription_of(&inv).and_then(|s| store.subscriptions.get(s).cloned());
    let amount = inv["amount_remaining"].as_i64().unwrap_or(0);
    if amount <= 0 {
        mark_paid(&mut inv, at);
        store.invoices.insert(inv.clone());
        events.push(EventSpec::new("invoice.paid", &inv));
        events.push(EventSpec::new("invoice.payment_succeeded", &inv));
        events.extend(after_paid(store, &inv));
        return (Ok(()), events);
    }
    let (pm, result) = outcome(store, &customer, sub.as_ref(), a);
    let currency = inv["currency"].clone();
    // One PaymentIntent per invoice, reused by every attempt (its default invoice_payment).
    let existing = store
        .invoice_payments
        .newest_first()
        .find(|p| p["invoice"] == id && p["is_default"] == true)
        .cloned();
    let mut inpay = existing.unwrap_or_else(|| {
        json!({
            "id": new_id("inpay"), "object": "invoice_payment", "amount_paid": null,
            "amount_requested": amount, "created": at, "currency": currency, "invoice": id,
            "is_default": true, "livemode": false,
            "payment": {"type": "payment_intent", "payment_intent": new_id("pi")},
            "status": "open", "status_transitions": {"canceled_at": null, "paid_at": null},
        })
    });
    let pi_id = inpay["payment"]["payment_intent"]
        .as_str()
        .unwrap_or_default()
        .to_owned();
    let description = if inv["billing_reason"] == "subscription_create" {
        "Subscription creation"
    } else {
        "Subscription update"
    };
    let mut pi = store
        .payment_intents
        .get(&pi_id)
        .cloned()
        .unwrap_or_else(|| payment_intent(&pi_id, amount, &inv, description, at));
    pi["payment_method"] = pm.as_ref().map_or(Value::Null, |p| p["id"].clone());
    let charge = pm
        .as_ref()
        .filter(|_| result != Err(Decline::NeedsAction))
        .map(|pm| charge(&pi, pm, result.is_ok(), at));
    if let Some(ch) = &charge {
        pi["latest_charge"] = ch["id"].clone();
        store.charges.insert(ch.clone());
    }
    inv["attempt_count"] = (inv["attempt_count"].as_i64().unwrap_or(0) + 1).into();
    inv["attempted"] = true.into();
    match result {
        Ok(()) => {
            pi["status"] = "succeeded".into();
            pi["amount_received"] = amount.into();
            pi["last_payment_error"] = Value::Null;
            pi["next_action"] = Value::Null;
            inpay["status"] = "paid".into();
            inpay["amount_paid"] = amount.into();
            inpay["status_transitions"]["paid_at"] = at.into();
            mark_paid(&mut inv, at);
            if let Some(ch) = &charge {
                events.push(EventSpec::new("charge.succeeded", ch));
            }
            events.push(EventSpec::new("payment_intent.succeeded", &pi));
            events.push(EventSpec::new("invoice.paid", &inv));
            events.push(EventSpec::new("invoice.payment_succeeded", &inv));
            events.push(EventSpec::new("invoice_payment.paid", &inpay));
        }
        Err(decline) => {
            let action = decline == Decline::NeedsAction;
            pi["status"] = if action {
                "requires_action"
            } else {
                "requires_payment_method"
            }
            .into();
            pi["next_action"] = if action {
                json!({"type": "use_stripe_sdk", "use_stripe_sdk": {"type": "three_d_secure_redirect"}})
            } else {
                Value::Null
            };
            let err = decline.to_error().into_json();
            pi["last_payment_error"] = err;
            inv["next_payment_attempt"] = next_retry.into();
            if let Some(ch) = &charge {
                events.push(EventSpec::new("charge.failed", ch));
            }
            events.push(EventSpec::new(
                if action {
                    "payment_intent.requires_action"
                } else {
                    "payment_intent.payment_failed"
                },
                &pi,
            ));
            events.push(EventSpec::new("invoice.payment_failed", &inv));
            if action {
                events.push(EventSpec::new("invoice.payment_action_required", &inv));
            }
        }
    }
    store.payment_intents.insert(pi);
    store.invoice_payments.insert(inpay);
    store.invoices.insert(inv.clone());
    if result.is_ok() {
        events.extend(after_paid(store, &inv));
    }
    (result, events)
}

/// Marks an invoice paid at `at`.
fn mark_paid(inv: &mut Value, at: i64) {
    inv["status"] = "paid".into();
    inv["amount_paid"] = inv["amount_due"].clone();
    inv["amount_remaining"] = 0.into();
    inv["auto_advance"] = false.into();
    inv["next_payment_attempt"] = Value::Null;
    inv["status_transitions"]["paid_at"] = at.into();
}

/// The subscription side of a paid invoice: a pending update is applied, and a
/// subscription with nothing left open becomes `active` again.
fn after_paid(store: &mut Store, inv: &Value) -> Vec<EventSpec> {
    let mut events = Vec::new();
    let Some(sub_id) = subscription_of(inv).map(str::to_owned) else {
        return events;
    };
    let Some(mut sub) = store.subscriptions.get(&sub_id).cloned() else {
        return events;
    };
    let mut previous = json!({});
    let mut applied = false;
    if store
        .pending_plans
        .get(&sub_id)
        .is_some_and(|p| p.invoice == inv["id"])
    {
        let plan = store.pending_plans.remove(&sub_id).expect("checked above");
        previous["items"] = sub["items"].clone();
        previous["pending_update"] = sub["pending_update"].clone();
        sub["items"]["total_count"] = plan.items.len().into();
        sub["items"]["data"] = Value::Array(plan.items);
        sub["pending_update"] = Value::Null;
        applied = true;
    }
    let still_open = store.invoices.newest_first().any(|i| {
        i["status"] == "open" && i["id"] != inv["id"] && subscription_of(i) == Some(&sub_id)
    });
    let recovering =
        ["past_due", "unpaid", "incomplete"].contains(&sub["status"].as_str().unwrap_or(""));
    if recovering && !still_open {
        previous["status"] = sub["status"].clone();
        sub["status"] = "active".into();
    }
    if previous.as_object().is_some_and(|m| !m.is_empty()) {
        store.subscriptions.insert(sub.clone());
        events.push(EventSpec::updated(
            "customer.subscription.updated",
            &sub,
            previous,
        ));
        if applied {
            events.push(EventSpec::new(
                "customer.subscription.pending_update_applied",
                &sub,
            ));
        }
    }
    events
}
