//! The sandbox clock (Stripe's test clocks, stripe.md §4.2 item 10): moving it forward
//! expires sessions and renews, fails or ends subscriptions whose period is over.

use std::sync::atomic::Ordering;

use serde_json::{json, Value};

use super::checkout::build_invoice;
use super::objects;
use super::store::{new_id, Store};
use super::subscriptions::{mark_canceled, proration_lines};
use super::webhooks::{emit, EventSpec};
use super::Shared;

/// Advances the clock by `seconds` and processes everything that fell due.
pub(crate) fn advance(state: &Shared, seconds: i64) {
    state
        .clock_offset
        .fetch_add(seconds.max(0), Ordering::Relaxed);
    let now = state.now();
    let mut store = state.store();
    for id in store.sessions.ids() {
        let Some(s) = store.sessions.get_mut(&id) else {
            continue;
        };
        if s["status"] == "open" && s["expires_at"].as_i64().is_some_and(|t| t <= now) {
            s["status"] = "expired".into();
            s["url"] = Value::Null;
            let s = s.clone();
            emit(
                state,
                &mut store,
                vec![EventSpec::new("checkout.session.expired", &s)],
                None,
            );
        }
    }
    for id in store.subscriptions.ids() {
        let events = renew(state, &mut store, &id, now);
        emit(state, &mut store, events, None);
    }
}

/// Rolls one subscription through every period that ended by `now`.
fn renew(state: &Shared, store: &mut Store, id: &str, now: i64) -> Vec<EventSpec> {
    let mut events = Vec::new();
    while let Some(mut sub) = store.subscriptions.get(id).cloned() {
        let live = sub["status"] == "active" || sub["status"] == "past_due";
        let end = sub["items"]["data"][0]["current_period_end"]
            .as_i64()
            .unwrap_or(i64::MAX);
        if !live || end > now {
            break;
        }
        if sub["cancel_at_period_end"] == true {
            mark_canceled(&mut sub, end, "cancellation_requested");
            store.subscriptions.insert(sub.clone());
            events.push(EventSpec::new("customer.subscription.deleted", &sub));
            break;
        }
        let customer = sub["customer"].as_str().unwrap_or_default().to_owned();
        // Either key arms the switch; both are cleared so one call fails one renewal.
        let fail = store.fail_next.remove(id) | store.fail_next.remove(&customer);
        let mut previous =
            json!({"items": sub["items"].clone(), "latest_invoice": sub["latest_invoice"].clone()});
        let mut new_period = (end, end);
        for item in sub["items"]["data"].as_array_mut().into_iter().flatten() {
            let interval = item["price"]["recurring"]["interval"]
                .as_str()
                .unwrap_or("month")
                .to_owned();
            let count = item["price"]["recurring"]["interval_count"]
                .as_i64()
                .unwrap_or(1);
            new_period = (end, objects::period_end(end, &interval, count));
            item["current_period_start"] = new_period.0.into();
            item["current_period_end"] = new_period.1.into();
        }
        let invoice_id = new_id("in");
        let pending = store.pending_prorations.remove(id).unwrap_or_default();
        let lines = proration_lines(&invoice_id, &sub, &pending, new_period);
        let invoice = build_invoice(
            state,
            store,
            &invoice_id,
            &sub,
            "subscription_cycle",
            new_period,
            !fail,
            lines,
            now,
        );
        sub["latest_invoice"] = invoice_id.into();
        events.push(EventSpec::new("invoice.created", &invoice));
        events.push(EventSpec::new("invoice.finalized", &invoice));
        if fail {
            if sub["status"] != "past_due" {
                previous["status"] = sub["status"].clone();
                sub["status"] = "past_due".into();
            }
            events.push(EventSpec::new("invoice.payment_failed", &invoice));
        } else {
            if sub["status"] == "past_due" {
                previous["status"] = "past_due".into();
                sub["status"] = "active".into();
            }
            events.push(EventSpec::new("invoice.paid", &invoice));
            events.push(EventSpec::new("invoice.payment_succeeded", &invoice));
        }
        store.invoices.insert(invoice);
        store.subscriptions.insert(sub.clone());
        events.push(EventSpec::updated(
            "customer.subscription.updated",
            &sub,
            previous,
        ));
        if fail {
            // A failed payment leaves the subscription past_due; Stripe's retries are not modelled.
            break;
        }
    }
    events
}
