//! Starting subscriptions: `POST /v1/subscriptions` and paying a Checkout Session on the
//! hosted page (customer, card on file, tax ID, subscription, first invoice, events).
//!
//! `payment_behavior` on create: `allow_incomplete` (default) leaves a subscription whose
//! first charge fails `incomplete` (it expires after 23 hours, see `renewals.rs`);
//! `error_if_incomplete` answers 402 and creates nothing; `default_incomplete` does not
//! charge and leaves the subscription `incomplete` until its invoice is paid. A trial
//! (`trial_period_days`) starts `trialing` with a $0 invoice; the first charge comes at
//! `trial_end`.

use axum::extract::State;
use axum::{Extension, Json};
use serde_json::{json, Map, Value};

use super::api::{expand, ApiResult, Params, ReqCtx, StripeError};
use super::cards::{self, CardInput};
use super::checkout::{render, validate_lines};
use super::invoices::{build_invoice, issue};
use super::objects;
use super::payments::{self, Attempt};
use super::store::{new_id, Store};
use super::webhooks::{emit, EventSpec};
use super::Shared;

const DAY: i64 = 86_400;

/// What a new subscription is made of.
pub(crate) struct NewSub {
    pub customer: String,
    /// (price, quantity) per item.
    pub lines: Vec<(Value, u64)>,
    pub metadata: Map<String, Value>,
    pub default_payment_method: Option<String>,
    pub trial_days: Option<i64>,
    pub description: Option<String>,
    /// `allow_incomplete`, `error_if_incomplete` or `default_incomplete`.
    pub behaviour: String,
    pub attempt: Attempt,
}

/// Creates the subscription and its first invoice (charged unless trialing or
/// `default_incomplete`); returns it with its events, or the 402 of `error_if_incomplete`.
pub(crate) fn start(
    state: &Shared,
    store: &mut Store,
    new: NewSub,
    now: i64,
) -> Result<(Value, Vec<EventSpec>), StripeError> {
    let sub_id = new_id("sub");
    let invoice_id = new_id("in");
    let currency = new.lines[0].0["currency"]
        .as_str()
        .unwrap_or("usd")
        .to_owned();
    let trial_end = new.trial_days.map(|d| now + d * DAY);
    let mut period = (now, now);
    let mut items = Vec::new();
    for (price, qty) in &new.lines {
        let end = trial_end.unwrap_or_else(|| {
            objects::period_end(
                now,
                price["recurring"]["interval"].as_str().unwrap_or("month"),
                price["recurring"]["interval_count"].as_i64().unwrap_or(1),
            )
        });
        period = (now, end);
        items.push(objects::subscription_item(
            &sub_id, price, *qty, period, now,
        ));
    }
    let mut sub = objects::subscription(
        &sub_id,
        &new.customer,
        &currency,
        items,
        new.metadata,
        &invoice_id,
        now,
    );
    sub["default_payment_method"] = new.default_payment_method.clone().into();
    sub["description"] = new.description.into();
    if let Some(end) = trial_end {
        sub["status"] = "trialing".into();
        sub["trial_start"] = now.into();
        sub["trial_end"] = end.into();
        sub["trial_settings"] =
            json!({"end_behavior": {"missing_payment_method": "create_invoice"}});
    }
    let mut invoice = build_invoice(
        state,
        store,
        &invoice_id,
        &sub,
        "subscription_create",
        period,
        Vec::new(),
        now,
    );
    if trial_end.is_some() {
        zero_for_trial(&mut invoice);
    }
    let due = invoice["amount_due"].as_i64().unwrap_or(0);
    let mut attempt = new.attempt;
    if attempt.payment_method.is_none() {
        attempt.payment_method = new.default_payment_method;
    }
    if new.behaviour == "error_if_incomplete" && due > 0 {
        payments::outcome(store, &new.customer, Some(&sub), &attempt)
            .1
            .map_err(payments::Decline::to_error)?;
    }
    store.subscriptions.insert(sub.clone());
    let (paid, mut events) = if new.behaviour == "default_incomplete" && due > 0 {
        let events = vec![
            EventSpec::new("invoice.created", &invoice),
            EventSpec::new("invoice.finalized", &invoice),
        ];
        store.invoices.insert(invoice);
        (false, events)
    } else {
        // The first invoice of a subscription is not retried: it expires with it.
        let (result, events) = issue(store, invoice, &attempt, None, now);
        (result.is_ok(), events)
    };
    if !paid {
        sub["status"] = "incomplete".into();
        store.subscriptions.insert(sub.clone());
    }
    let sub = store.subscriptions.get(&sub_id).cloned().unwrap_or(sub);
    events.insert(0, EventSpec::new("customer.subscription.created", &sub));
    Ok((sub, events))
}

/// A trial's first invoice: every line free ("Trial period for …").
fn zero_for_trial(invoice: &mut Value) {
    for line in invoice["lines"]["data"]
        .as_array_mut()
        .into_iter()
        .flatten()
    {
        let name = line["description"]
            .as_str()
            .and_then(|d| d.split_once(" × "))
            .map(|(_, rest)| rest.split(" (at").next().unwrap_or(rest).to_owned())
            .unwrap_or_default();
        line["description"] = format!("Trial period for {name}").into();
        line["amount"] = 0.into();
        line["subtotal"] = 0.into();
    }
    for key in [
        "amount_due",
        "amount_remaining",
        "subtotal",
        "subtotal_excluding_tax",
        "total",
        "total_excluding_tax",
    ] {
        invoice[key] = 0.into();
    }
}

/// `POST /v1/subscriptions`.
pub(crate) async fn create(
    State(state): State<Shared>,
    Extension(ctx): Extension<ReqCtx>,
    p: Params,
) -> ApiResult {
    let customer = p.req("customer")?.to_owned();
    let behaviour = p
        .str("payment_behavior")
        .unwrap_or("allow_incomplete")
        .to_owned();
    match behaviour.as_str() {
        "allow_incomplete" | "error_if_incomplete" | "default_incomplete" => {}
        "pending_if_incomplete" => {
            return Err(StripeError::invalid(
                "payment_behavior",
                "`payment_behavior=pending_if_incomplete` can only be used when updating a subscription.",
            ))
        }
        other => {
            return Err(StripeError::invalid(
                "payment_behavior",
                format!("Invalid payment_behavior: must be one of allow_incomplete, default_incomplete, error_if_incomplete, or pending_if_incomplete (got {other})"),
            ))
        }
    }
    let trial_days = p.int("trial_period_days")?;
    if trial_days.is_some_and(|d| !(0..=730).contains(&d)) {
        return Err(StripeError::invalid(
            "trial_period_days",
            "The trial period must be between 0 and 730 days.",
        ));
    }
    p.bool("off_session")?;
    let raw = match p.0.get("items") {
        Some(Value::Array(a)) if !a.is_empty() => a.clone(),
        _ => return Err(StripeError::missing_param("items")),
    };
    let metadata = p.map("metadata")?.unwrap_or_default();
    let now = state.now();
    let mut store = state.store();
    if store.customers.get(&customer).is_none() {
        return Err(StripeError::no_such("customer", &customer).param("customer"));
    }
    let default_payment_method = match p.str("default_payment_method") {
        Some(pm) => {
            let attached = store
                .payment_methods
                .get(pm)
                .map(|o| o["customer"] == customer.as_str());
            match attached {
                None => {
                    return Err(StripeError::no_such("PaymentMethod", pm).param("default_payment_method"))
                }
                Some(false) => {
                    return Err(StripeError::invalid(
                        "default_payment_method",
                        format!("The PaymentMethod `{pm}` must be attached to the customer `{customer}` before it can be used."),
                    ))
                }
                Some(true) => Some(pm.to_owned()),
            }
        }
        None => None,
    };
    let (lines, _, _) = validate_lines(&store, &raw, "items")?;
    let lines = lines
        .into_iter()
        .filter_map(|(id, qty)| Some((store.prices.get(&id)?.clone(), qty)))
        .collect();
    let new = NewSub {
        customer,
        lines,
        metadata,
        default_payment_method,
        trial_days: trial_days.filter(|d| *d > 0),
        description: p.str("description").map(str::to_owned),
        behaviour,
        attempt: Attempt::default(),
    };
    let (mut sub, events) = start(&state, &mut store, new, now)?;
    emit(&state, &mut store, events, Some(&ctx));
    expand(&mut sub, &p.expand(), &store);
    Ok(Json(sub))
}

/// What the payer typed on the hosted Checkout page.
pub(crate) struct Payment {
    pub email: String,
    pub name: Option<String>,
    pub tax_id: Option<String>,
    pub card: CardInput,
}

/// Pays an open session: creates the customer (if none), stores the card as their default,
/// starts the subscription (charging the first invoice, or a trial), completes the session
/// and emits the events. Returns the success URL with `{CHECKOUT_SESSION_ID}` replaced.
pub(crate) fn fulfil(state: &Shared, id: &str, payment: Payment) -> Result<String, StripeError> {
    let now = state.now();
    let mut store = state.store();
    let session = store
        .sessions
        .get(id)
        .cloned()
        .ok_or_else(|| StripeError::no_such("checkout.session", id))?;
    // Checkout expiry is real time, whatever the sandbox clock says (`renewals.rs`).
    if session["status"] != "open" || super::renewals::session_expired(&session) {
        return Err(StripeError::invalid(
            "session",
            "This Checkout Session is no longer active.",
        ));
    }
    let extra = store
        .session_extra
        .get(id)
        .cloned()
        .ok_or_else(|| StripeError::no_such("checkout.session", id))?;
    let mut events = Vec::new();
    let customer_id = match session["customer"].as_str() {
        Some(c) => c.to_owned(),
        None => {
            let customer = objects::customer(
                Some(&payment.email),
                payment.name.as_deref(),
                Map::new(),
                now,
            );
            store.customers.insert(customer.clone());
            events.push(EventSpec::new("customer.created", &customer));
            customer["id"].as_str().unwrap_or_default().to_owned()
        }
    };
    let email = store
        .customers
        .get(&customer_id)
        .and_then(|c| c["email"].as_str())
        .map(str::to_owned)
        .unwrap_or(payment.email);
    let pm = cards::payment_method(
        &payment.card,
        payment.name.as_deref(),
        Some(&email),
        &customer_id,
        now,
    );
    let pm_id = pm["id"].as_str().unwrap_or_default().to_owned();
    events.extend(cards::attach(&mut store, pm, false));
    events.extend(cards::set_default(&mut store, &customer_id, &pm_id, false));
    let mut tax_ids = Vec::new();
    if let Some(value) = &payment.tax_id {
        let (tax_id, event) = cards::add_tax_id(&mut store, &customer_id, value, None, now);
        tax_ids.push(json!({"type": tax_id["type"], "value": tax_id["value"]}));
        events.push(event);
    }
    let lines = extra
        .lines
        .iter()
        .map(|(price_id, qty)| {
            store
                .prices
                .get(price_id)
                .cloned()
                .map(|p| (p, *qty))
                .ok_or_else(|| StripeError::no_such("price", price_id))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let new = NewSub {
        customer: customer_id.clone(),
        lines,
        metadata: extra.subscription_metadata.clone(),
        default_payment_method: Some(pm_id),
        trial_days: extra.trial_period_days,
        description: extra.subscription_description.clone(),
        behaviour: "allow_incomplete".into(),
        attempt: Attempt {
            on_session: true,
            at_checkout: true,
            ..Attempt::default()
        },
    };
    let (sub, sub_events) = start(state, &mut store, new, now)?;
    events.extend(sub_events);
    let completed = {
        let s = store.sessions.get_mut(id).expect("read above");
        s["status"] = "complete".into();
        s["payment_status"] = if extra.trial_period_days.is_some() {
            "no_payment_required"
        } else {
            "paid"
        }
        .into();
        s["customer"] = customer_id.clone().into();
        s["subscription"] = sub["id"].clone();
        s["invoice"] = sub["latest_invoice"].clone();
        s["customer_details"] = json!({"address": null, "business_name": null, "email": email,
            "individual_name": null, "name": payment.name, "phone": null, "tax_exempt": "none", "tax_ids": tax_ids});
        s.clone()
    };
    let completed = render(&store, completed, &[]);
    events.push(EventSpec::new("checkout.session.completed", &completed));
    emit(state, &mut store, events, None);
    Ok(session["success_url"]
        .as_str()
        .unwrap_or_default()
        .replace("{CHECKOUT_SESSION_ID}", id))
}
