//! The sandbox clock (Stripe's test clocks, stripe.md §4.2 item 10). Checkout Sessions
//! are not on it: as at Stripe, a session's `expires_at` is real time (the app sets it
//! from its own clock), so moving the clock neither expires open sessions nor makes new
//! ones "expired"; [`expire_sessions`] ends those past `expires_at` by the wall clock
//! (`checkout.session.expired`), on a timer and whenever the clock moves.
//! Moving the clock forward runs, in time order, everything that fell due:
//! - at the end of a period an `active`, `trialing` or `past_due` subscription renews: a
//!   `subscription_cycle` invoice (with any pending prorations) is charged to the current
//!   default card (`trialing` → `active`); a failed charge leaves the invoice `open` with
//!   `attempt_count` 1 and `next_payment_attempt` set, and the subscription `past_due`
//!   (`invoice.payment_failed`). With `cancel_at_period_end` it ends instead
//!   (`customer.subscription.deleted`). An `unpaid` subscription does not renew until its
//!   invoice is paid;
//! - retries of open invoices ([`RETRY_DAYS`]) charge the *current* default card, so a
//!   card replaced in the portal pays (`invoice.paid`); each failure sends
//!   `invoice.payment_failed` with the new `attempt_count`. After the last failed retry
//!   the subscription becomes `unpaid` (the account setting "mark the subscription as
//!   unpaid"), with `customer.subscription.updated`;
//! - a pending update past `expires_at` is discarded and its invoice voided;
//! - an `incomplete` subscription whose first invoice is still unpaid 23 hours after
//!   creation becomes `incomplete_expired` and its invoice is voided.
//!
//! Stripe's Smart Retries choose retry times with a model; the sandbox's fixed stand-in
//! retries 3, 5 and 7 days after the first failed attempt (4 attempts in all).

use std::sync::atomic::Ordering;

use serde_json::{json, Value};

use super::invoices::{build_invoice, issue, void};
use super::objects;
use super::payments::{self, subscription_of, Attempt};
use super::store::{new_id, Store};
use super::subscriptions::{mark_canceled, proration_lines};
use super::updates::expire_pending;
use super::webhooks::{emit, EventSpec};
use super::Shared;

/// Days after the first failed attempt at which an open invoice is retried.
pub(crate) const RETRY_DAYS: [i64; 3] = [3, 5, 7];
const DAY: i64 = 86_400;
/// An `incomplete` subscription expires this long after creation.
const INCOMPLETE_TTL: i64 = 23 * 3600;

/// The next retry after time `after` for an invoice whose first attempt failed at `first`.
pub(crate) fn retry_after(first: i64, after: i64) -> Option<i64> {
    RETRY_DAYS
        .iter()
        .map(|d| first + d * DAY)
        .find(|t| *t > after)
}

/// Something the clock has to do at a given time.
enum Task {
    Renew(String),
    Retry(String),
    ExpirePending(String),
    ExpireIncomplete(String),
}

/// Advances the clock by `seconds` and processes everything that fell due.
pub(crate) fn advance(state: &Shared, seconds: i64) {
    state
        .clock_offset
        .fetch_add(seconds.max(0), Ordering::Relaxed);
    expire_sessions(state);
    let now = state.now();
    let mut store = state.store();
    // Each task moves its own due time forward or clears it; the bound is a safety net.
    for _ in 0..100_000 {
        let Some((at, task)) = next_task(&store, now) else {
            break;
        };
        let events = match task {
            Task::Renew(id) => renew(state, &mut store, &id, at),
            Task::Retry(id) => retry(&mut store, &id, at),
            Task::ExpirePending(id) => expire_pending(&mut store, &id, at),
            Task::ExpireIncomplete(id) => expire_incomplete(&mut store, &id, at),
        };
        emit(state, &mut store, events, None);
    }
}

/// Whether an open session is past its `expires_at` by the wall clock (Stripe's rule).
pub(crate) fn session_expired(session: &Value) -> bool {
    session["status"] == "open"
        && session["expires_at"]
            .as_i64()
            .is_some_and(|t| t <= super::wall_clock())
}

/// Expires every open Checkout Session past `expires_at` in real time, with its event.
pub(crate) fn expire_sessions(state: &Shared) {
    let mut store = state.store();
    for id in store.sessions.ids() {
        let Some(s) = store.sessions.get_mut(&id) else {
            continue;
        };
        if session_expired(s) {
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
}

/// The earliest task due by `now`.
fn next_task(store: &Store, now: i64) -> Option<(i64, Task)> {
    let mut due: Vec<(i64, Task)> = Vec::new();
    for sub in store.subscriptions.newest_first() {
        let id = sub["id"].as_str().unwrap_or_default().to_owned();
        let status = sub["status"].as_str().unwrap_or("");
        if let Some(end) = sub["items"]["data"][0]["current_period_end"].as_i64() {
            if ["active", "trialing", "past_due"].contains(&status) {
                due.push((end, Task::Renew(id.clone())));
            }
        }
        if let Some(t) = sub["pending_update"]["expires_at"].as_i64() {
            due.push((t, Task::ExpirePending(id.clone())));
        }
        if status == "incomplete" {
            let created = sub["created"].as_i64().unwrap_or(now);
            due.push((created + INCOMPLETE_TTL, Task::ExpireIncomplete(id)));
        }
    }
    for inv in store.invoices.newest_first() {
        if let (Some("open"), Some(t)) =
            (inv["status"].as_str(), inv["next_payment_attempt"].as_i64())
        {
            let id = inv["id"].as_str().unwrap_or_default().to_owned();
            due.push((t, Task::Retry(id)));
        }
    }
    due.into_iter()
        .filter(|(t, _)| *t <= now)
        .min_by_key(|(t, _)| *t)
}

/// Renews one subscription whose period ended at `end` (or ends it).
fn renew(state: &Shared, store: &mut Store, id: &str, end: i64) -> Vec<EventSpec> {
    let mut events = Vec::new();
    let Some(mut sub) = store.subscriptions.get(id).cloned() else {
        return events;
    };
    if sub["cancel_at_period_end"] == true {
        mark_canceled(&mut sub, end, "cancellation_requested");
        store.pending_plans.remove(id);
        store.subscriptions.insert(sub.clone());
        events.push(EventSpec::new("customer.subscription.deleted", &sub));
        return events;
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
    if sub["status"] == "trialing" {
        previous["status"] = "trialing".into();
        sub["status"] = "active".into();
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
        lines,
        end,
    );
    sub["latest_invoice"] = invoice_id.into();
    store.subscriptions.insert(sub.clone());
    let attempt = Attempt {
        force_decline: fail,
        ..Attempt::default()
    };
    let (result, more) = issue(store, invoice, &attempt, retry_after(end, end), end);
    events.extend(more);
    let mut sub = store.subscriptions.get(id).cloned().unwrap_or(sub);
    if result.is_err() && sub["status"] != "past_due" {
        if previous.get("status").is_none() {
            previous["status"] = sub["status"].clone();
        }
        sub["status"] = "past_due".into();
        store.subscriptions.insert(sub.clone());
    }
    events.push(EventSpec::updated(
        "customer.subscription.updated",
        &sub,
        previous,
    ));
    events
}

/// Retries open invoice `id` at `at` with the current default card.
fn retry(store: &mut Store, id: &str, at: i64) -> Vec<EventSpec> {
    let Some(inv) = store.invoices.get(id).cloned() else {
        return Vec::new();
    };
    let sub_id = subscription_of(&inv).map(str::to_owned);
    let sub = sub_id
        .as_deref()
        .and_then(|s| store.subscriptions.get(s).cloned());
    if sub.as_ref().is_some_and(|s| s["status"] == "canceled") {
        // Nothing more is collected for an ended subscription.
        if let Some(i) = store.invoices.get_mut(id) {
            i["next_payment_attempt"] = Value::Null;
        }
        return Vec::new();
    }
    let first = inv["status_transitions"]["finalized_at"]
        .as_i64()
        .unwrap_or(at);
    let next = retry_after(first, at);
    let (result, mut events) = payments::attempt(store, id, &Attempt::default(), next, at);
    if let (Err(_), None, Some(mut sub)) = (result, next, sub) {
        if sub["status"] != "unpaid" {
            let previous = json!({"status": sub["status"].clone()});
            sub["status"] = "unpaid".into();
            store.subscriptions.insert(sub.clone());
            events.push(EventSpec::updated(
                "customer.subscription.updated",
                &sub,
                previous,
            ));
        }
    }
    events
}

/// The first invoice of an `incomplete` subscription was not paid in 23 hours.
fn expire_incomplete(store: &mut Store, id: &str, at: i64) -> Vec<EventSpec> {
    let Some(mut sub) = store.subscriptions.get(id).cloned() else {
        return Vec::new();
    };
    let mut events: Vec<EventSpec> = sub["latest_invoice"]
        .as_str()
        .map(str::to_owned)
        .and_then(|inv| void(store, &inv, at))
        .into_iter()
        .collect();
    let previous = json!({"status": "incomplete"});
    sub["status"] = "incomplete_expired".into();
    sub["ended_at"] = at.into();
    store.subscriptions.insert(sub.clone());
    events.push(EventSpec::updated(
        "customer.subscription.updated",
        &sub,
        previous,
    ));
    events
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_follow_the_fixed_schedule() {
        assert_eq!(retry_after(0, 0), Some(3 * DAY));
        assert_eq!(retry_after(0, 3 * DAY), Some(5 * DAY));
        assert_eq!(retry_after(0, 5 * DAY), Some(7 * DAY));
        assert_eq!(retry_after(0, 7 * DAY), None);
    }
}
