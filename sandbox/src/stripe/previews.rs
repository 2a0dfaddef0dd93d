//! `POST /v1/invoices/create_preview`: the invoice a change would produce, computed with
//! the same planning as a real update (`subscriptions::plan`) and changing nothing.
//!
//! - `subscription` + `subscription_details[items]` (+ `[proration_behavior]`,
//!   `[proration_date]`): with `always_invoice` and `preview_mode=next` (default), the
//!   prorations that would be charged now; otherwise the next renewal (new quantities,
//!   pending and new prorations); `preview_mode=recurring` shows the next regular renewal
//!   with the new quantities and no prorations.
//! - `customer` + `subscription_details[items]` without `subscription`: the first invoice
//!   of a new subscription (`recurring`: the one after it).
//!
//! Preview invoices are drafts with ids like Stripe's (`upcoming_in_…`), no number and no
//! hosted URL or PDF.

use axum::extract::State;
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::api::{int_at, ApiResult, Params, StripeError};
use super::checkout::validate_lines;
use super::invoices::item_lines;
use super::objects::{self, InvoiceInit};
use super::store::{new_id, Store};
use super::subscriptions::{plan, proration_lines};
use super::Shared;

/// Routes below `/v1/invoices` for previews.
pub(crate) fn router() -> Router<Shared> {
    Router::new().route("/invoices/create_preview", post(create_preview))
}

/// The period after one ending at `end`, for the interval of `items`.
fn next_period(items: &[Value], end: i64) -> (i64, i64) {
    let price = items
        .first()
        .map(|i| i["price"].clone())
        .unwrap_or_default();
    let interval = price["recurring"]["interval"].as_str().unwrap_or("month");
    let count = price["recurring"]["interval_count"].as_i64().unwrap_or(1);
    (end, objects::period_end(end, interval, count))
}

async fn create_preview(State(state): State<Shared>, p: Params) -> ApiResult {
    let now = state.now();
    let details =
        p.0.get("subscription_details")
            .cloned()
            .unwrap_or(json!({}));
    let ops = match details.get("items") {
        None => Vec::new(),
        Some(Value::Array(a)) => a.clone(),
        Some(_) => {
            return Err(StripeError::invalid(
                "subscription_details[items]",
                "Invalid array: subscription_details[items]",
            ))
        }
    };
    let proration = details
        .get("proration_behavior")
        .and_then(Value::as_str)
        .unwrap_or("create_prorations");
    if !["create_prorations", "always_invoice", "none"].contains(&proration) {
        return Err(StripeError::invalid(
            "subscription_details[proration_behavior]",
            format!("Invalid proration_behavior: must be one of create_prorations, always_invoice, or none (got {proration})"),
        ));
    }
    let date_param = "subscription_details[proration_date]";
    let at = int_at(&details, "proration_date", date_param)?.unwrap_or(now);
    let recurring = match p.str("preview_mode").unwrap_or("next") {
        "next" => false,
        "recurring" => true,
        other => {
            return Err(StripeError::invalid(
                "preview_mode",
                format!("Invalid preview_mode: must be one of next or recurring (got {other})"),
            ))
        }
    };
    let id = format!("upcoming_in_{}", &new_id("x")[2..]);
    let store = state.store();
    let (sub, lines, period, reason) = match p.str("subscription") {
        Some(sub_id) => {
            let sub = store.subscriptions.get(sub_id).cloned().ok_or_else(|| {
                StripeError::no_such("subscription", sub_id).param("subscription")
            })?;
            if p.str("customer").is_some_and(|c| sub["customer"] != c) {
                return Err(StripeError::invalid(
                    "customer",
                    format!("The subscription `{sub_id}` does not belong to this customer."),
                ));
            }
            let plan = plan(&store, &sub, &ops, "subscription_details[items]", at)?;
            let mut preview = sub.clone();
            preview["items"]["data"] = Value::Array(plan.items.clone());
            let next = next_period(&plan.items, plan.period.1);
            if recurring {
                let lines = item_lines(&store, &id, &preview, next, None);
                (preview, lines, next, "upcoming")
            } else if proration == "always_invoice" && !plan.prorations.is_empty() {
                let period = (at, plan.period.1);
                let lines = proration_lines(&id, &sub, &plan.prorations, period);
                (preview, lines, period, "subscription_update")
            } else {
                let mut prorations = store
                    .pending_prorations
                    .get(sub_id)
                    .cloned()
                    .unwrap_or_default();
                if proration == "create_prorations" {
                    prorations.extend(plan.prorations);
                }
                let mut lines = proration_lines(&id, &sub, &prorations, next);
                lines.extend(item_lines(&store, &id, &preview, next, None));
                (preview, lines, next, "upcoming")
            }
        }
        None => new_subscription(&store, &p, &ops, &id, now, recurring)?,
    };
    let mut invoice = objects::invoice(InvoiceInit {
        id: &id,
        sub: &sub,
        customer_email: sub["customer"]
            .as_str()
            .and_then(|c| store.customers.get(c))
            .and_then(|c| c["email"].as_str()),
        lines,
        billing_reason: reason,
        period,
        number: String::new(),
        base_url: &state.base_url,
        now,
    });
    for key in [
        "number",
        "hosted_invoice_url",
        "invoice_pdf",
        "webhooks_delivered_at",
    ] {
        invoice[key] = Value::Null;
    }
    invoice["status"] = "draft".into();
    invoice["auto_advance"] = false.into();
    invoice["status_transitions"]["finalized_at"] = Value::Null;
    invoice["next_payment_attempt"] = period.0.max(now).into();
    if sub["id"].is_null() {
        // Nothing to point at yet: Stripe leaves `parent` empty for a new subscription.
        invoice["parent"] = Value::Null;
    } else {
        invoice["parent"]["subscription_details"]["subscription_proration_date"] = at.into();
    }
    Ok(Json(invoice))
}

/// What a preview is built from: a subscription(-like) object, lines, period, reason.
type Preview = (Value, Vec<Value>, (i64, i64), &'static str);

/// A preview of a subscription that does not exist yet.
fn new_subscription(
    store: &Store,
    p: &Params,
    ops: &[Value],
    id: &str,
    now: i64,
    recurring: bool,
) -> Result<Preview, StripeError> {
    let customer = p.req("customer")?;
    if store.customers.get(customer).is_none() {
        return Err(StripeError::no_such("customer", customer).param("customer"));
    }
    if ops.is_empty() {
        return Err(StripeError::missing_param("subscription_details[items]"));
    }
    let (valid, currency, _) = validate_lines(store, ops, "subscription_details[items]")?;
    let first = (now, now);
    let mut items: Vec<Value> = valid
        .iter()
        .filter_map(|(price, qty)| {
            let price = store.prices.get(price)?;
            Some(objects::subscription_item("", price, *qty, first, now))
        })
        .collect();
    let period = next_period(&items, now);
    for item in &mut items {
        item["current_period_end"] = period.1.into();
        item["subscription"] = Value::Null;
    }
    let sub = json!({"id": null, "customer": customer, "currency": currency, "metadata": {},
        "items": {"data": items}});
    if recurring {
        let next = next_period(
            sub["items"]["data"].as_array().map_or(&[], Vec::as_slice),
            period.1,
        );
        let lines = item_lines(store, id, &sub, next, None);
        return Ok((sub, lines, next, "upcoming"));
    }
    let lines = item_lines(store, id, &sub, period, None);
    Ok((sub, lines, period, "subscription_create"))
}
