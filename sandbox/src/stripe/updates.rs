//! Applying a subscription change (`POST /v1/subscriptions/{id}` and the
//! `/v1/subscription_items` routes): `proration_behavior` and `payment_behavior`.
//!
//! - `proration_behavior`: `create_prorations` (default) keeps prorations for the next
//!   renewal invoice, `always_invoice` invoices and charges them now, `none` drops them.
//! - `payment_behavior` matters only when the change is charged now (`always_invoice` with
//!   a positive amount): `allow_incomplete` (default) applies the change and, if the
//!   charge fails, leaves the invoice open (retried, see `renewals.rs`) and the
//!   subscription `past_due`; `error_if_incomplete` answers 402 and changes nothing;
//!   `pending_if_incomplete` keeps the old items, records `pending_update`
//!   (`expires_at` ≤ 23 h) and an open `latest_invoice` whose payment applies the change;
//!   `default_incomplete` applies the change without charging (the subscription is
//!   `past_due` until the invoice is paid).

use serde_json::{json, Value};

use super::api::{ReqCtx, StripeError};
use super::invoices::{build_invoice, issue, void};
use super::payments::{self, Attempt};
use super::renewals::retry_after;
use super::store::{new_id, PendingPlan, Store};
use super::subscriptions::{apply_fields, plan, proration_lines, Plan, Update};
use super::webhooks::{emit, EventSpec};
use super::Shared;

/// How long a pending update waits for its invoice at most (Stripe: 23 hours).
const PENDING_TTL: i64 = 23 * 3600;

/// Applies `update` to subscription `id`, bills or records prorations, emits the events
/// and returns the subscription.
pub(crate) fn apply(
    state: &Shared,
    store: &mut Store,
    id: &str,
    update: Update,
    ctx: &ReqCtx,
) -> Result<Value, StripeError> {
    let now = state.now();
    let at = update.proration_date.unwrap_or(now);
    let mut sub = store
        .subscriptions
        .get(id)
        .cloned()
        .ok_or_else(|| StripeError::no_such("subscription", id))?;
    if sub["status"] == "canceled" || sub["status"] == "incomplete_expired" {
        return Err(StripeError::invalid(
            "subscription",
            "A canceled subscription can only update its cancellation_details and metadata.",
        ));
    }
    let pending_mode = update.payment_behavior == "pending_if_incomplete";
    let other_fields = update.metadata.is_some()
        || update.cancel_at_period_end.is_some()
        || update.description.is_some();
    if pending_mode && other_fields {
        return Err(StripeError::invalid(
            "payment_behavior",
            "When `payment_behavior` is `pending_if_incomplete`, you can only update `items`, `proration_behavior`, `proration_date`, `billing_cycle_anchor`, `trial_end` and `trial_from_plan`.",
        ));
    }
    let plan = plan(store, &sub, &update.items, "items", at)?;
    let total: i64 = plan.prorations.iter().map(|p| p.1).sum();
    let invoice_now = update.proration == "always_invoice" && !plan.prorations.is_empty();
    let charge_due = invoice_now && total > 0;
    let attempt = Attempt::default();
    let customer = sub["customer"].as_str().unwrap_or_default().to_owned();
    let predicted = charge_due.then(|| payments::outcome(store, &customer, Some(&sub), &attempt).1);
    if let Some(Err(decline)) = predicted {
        match update.payment_behavior.as_str() {
            // Stripe leaves the subscription as it was and keeps no invoice.
            "error_if_incomplete" => return Err(decline.to_error()),
            "pending_if_incomplete" => return Ok(pending(state, store, sub, plan, ctx, now, at)),
            _ => {}
        }
    }

    let mut previous = json!({});
    let mut events = Vec::new();
    if plan.items.as_slice()
        != sub["items"]["data"]
            .as_array()
            .map_or(&[][..], Vec::as_slice)
    {
        // A change that applies supersedes an earlier pending update.
        events.extend(discard_pending(store, &mut sub, &mut previous, now));
        previous["items"] = sub["items"].clone();
        sub["items"]["total_count"] = plan.items.len().into();
        sub["items"]["data"] = Value::Array(plan.items.clone());
    }
    apply_fields(&mut sub, &update, &mut previous);
    let mut failed = false;
    if invoice_now {
        let invoice_id = new_id("in");
        let period = (at, plan.period.1);
        let lines = proration_lines(&invoice_id, &sub, &plan.prorations, period);
        let invoice = build_invoice(
            state,
            store,
            &invoice_id,
            &sub,
            "subscription_update",
            period,
            lines,
            now,
        );
        previous["latest_invoice"] = sub["latest_invoice"].clone();
        sub["latest_invoice"] = invoice_id.into();
        store.subscriptions.insert(sub.clone());
        if update.payment_behavior == "default_incomplete" && charge_due {
            events.push(EventSpec::new("invoice.created", &invoice));
            events.push(EventSpec::new("invoice.finalized", &invoice));
            store.invoices.insert(invoice);
            failed = true;
        } else {
            let (result, more) = issue(store, invoice, &attempt, retry_after(now, now), now);
            events.extend(more);
            failed = result.is_err();
        }
        sub = store.subscriptions.get(id).cloned().unwrap_or(sub);
    } else if update.proration == "create_prorations" {
        store
            .pending_prorations
            .entry(id.to_owned())
            .or_default()
            .extend(plan.prorations);
    }
    if failed && sub["status"] != "past_due" {
        previous["status"] = sub["status"].clone();
        sub["status"] = "past_due".into();
    }
    store.subscriptions.insert(sub.clone());
    if previous.as_object().is_some_and(|m| !m.is_empty()) {
        events.insert(
            0,
            EventSpec::updated("customer.subscription.updated", &sub, previous),
        );
    }
    emit(state, store, events, Some(ctx));
    Ok(sub)
}

/// `pending_if_incomplete` with a failing card: the items stay, the change waits in
/// `pending_update` for its (open) invoice to be paid.
fn pending(
    state: &Shared,
    store: &mut Store,
    mut sub: Value,
    plan: Plan,
    ctx: &ReqCtx,
    now: i64,
    at: i64,
) -> Value {
    let id = sub["id"].as_str().unwrap_or_default().to_owned();
    let mut previous = json!({});
    let mut events = discard_pending(store, &mut sub, &mut previous, now);
    let invoice_id = new_id("in");
    let period = (at, plan.period.1);
    let lines = proration_lines(&invoice_id, &sub, &plan.prorations, period);
    let invoice = build_invoice(
        state,
        store,
        &invoice_id,
        &sub,
        "subscription_update",
        period,
        lines,
        now,
    );
    // No automatic retries: the update expires instead.
    let (_, more) = issue(store, invoice, &Attempt::default(), None, now);
    events.extend(more);
    let old = sub["items"]["data"].as_array().cloned().unwrap_or_default();
    let changed: Vec<Value> = plan
        .items
        .iter()
        .filter(|i| !old.contains(i))
        .cloned()
        .collect();
    if previous.get("pending_update").is_none() {
        previous["pending_update"] = sub["pending_update"].clone();
    }
    previous["latest_invoice"] = sub["latest_invoice"].clone();
    sub["pending_update"] = json!({
        "billing_cycle_anchor": null, "expires_at": (now + PENDING_TTL).min(plan.period.1.max(now)),
        "subscription_items": changed, "trial_end": null, "trial_from_plan": null,
    });
    sub["latest_invoice"] = invoice_id.clone().into();
    store.pending_plans.insert(
        id,
        PendingPlan {
            items: plan.items,
            invoice: invoice_id,
        },
    );
    store.subscriptions.insert(sub.clone());
    events.insert(
        0,
        EventSpec::updated("customer.subscription.updated", &sub, previous),
    );
    emit(state, store, events, Some(ctx));
    sub
}

/// Drops the subscription's pending update, if any, voiding its invoice.
fn discard_pending(
    store: &mut Store,
    sub: &mut Value,
    previous: &mut Value,
    now: i64,
) -> Vec<EventSpec> {
    let id = sub["id"].as_str().unwrap_or_default();
    let Some(plan) = store.pending_plans.remove(id) else {
        return Vec::new();
    };
    previous["pending_update"] = sub["pending_update"].clone();
    sub["pending_update"] = Value::Null;
    void(store, &plan.invoice, now).into_iter().collect()
}

/// The clock passed `pending_update.expires_at`: the update is discarded and its invoice
/// voided (`customer.subscription.pending_update_expired`).
pub(crate) fn expire_pending(store: &mut Store, id: &str, at: i64) -> Vec<EventSpec> {
    let Some(mut sub) = store.subscriptions.get(id).cloned() else {
        return Vec::new();
    };
    let mut previous = json!({});
    let mut events = discard_pending(store, &mut sub, &mut previous, at);
    if sub["pending_update"] != Value::Null {
        previous["pending_update"] = sub["pending_update"].clone();
        sub["pending_update"] = Value::Null;
    }
    store.subscriptions.insert(sub.clone());
    events.push(EventSpec::new(
        "customer.subscription.pending_update_expired",
        &sub,
    ));
    events.push(EventSpec::updated(
        "customer.subscription.updated",
        &sub,
        previous,
    ));
    events
}
