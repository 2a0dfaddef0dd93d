//! Changing a subscription: items (add by price, quantity by id, `deleted=true`),
//! `proration_behavior`, metadata and `cancel_at_period_end` (stripe.md §1.4, §4.2 item 6).

use serde_json::{json, Map, Value};

use super::api::{bool_at, int_at, map_at, merge_metadata, Params, ReqCtx, StripeError};
use super::checkout::{build_invoice, product_name};
use super::objects;
use super::store::{new_id, Store};
use super::webhooks::{emit, EventSpec};
use super::Shared;

/// Stripe's limit on items per subscription.
const MAX_ITEMS: usize = 20;

/// A parsed `POST /v1/subscriptions/{id}`.
pub(crate) struct Update {
    /// `items[n]` entries as decoded objects.
    pub items: Vec<Value>,
    /// `create_prorations` (default), `always_invoice` or `none`.
    pub proration: String,
    /// `metadata` to merge (empty map = clear).
    pub metadata: Option<Map<String, Value>>,
    /// `cancel_at_period_end`.
    pub cancel_at_period_end: Option<bool>,
    /// `description`.
    pub description: Option<String>,
}

impl Update {
    /// Reads and validates the update parameters.
    pub fn from_params(p: &Params) -> Result<Self, StripeError> {
        let proration = p
            .str("proration_behavior")
            .unwrap_or("create_prorations")
            .to_owned();
        if !matches!(
            proration.as_str(),
            "create_prorations" | "always_invoice" | "none"
        ) {
            return Err(StripeError::invalid(
                "proration_behavior",
                format!("Invalid proration_behavior: must be one of create_prorations, always_invoice, or none (got {proration})"),
            ));
        }
        // Both wire forms are accepted: `=now` (≤ dahlia) and `[type]=now` (endive).
        let anchor = match p.0.get("billing_cycle_anchor") {
            Some(Value::Object(o)) => o.get("type").and_then(Value::as_str).map(str::to_owned),
            Some(Value::String(s)) => Some(s.clone()),
            _ => None,
        };
        if let Some(a) = anchor.filter(|a| !a.is_empty()) {
            if a != "now" && a != "unchanged" {
                return Err(StripeError::invalid(
                    "billing_cycle_anchor",
                    format!("Invalid billing_cycle_anchor: {a}"),
                ));
            }
        }
        let items = match p.0.get("items") {
            None => Vec::new(),
            Some(Value::Array(a)) => a.clone(),
            Some(_) => return Err(StripeError::invalid("items", "Invalid array: items")),
        };
        Ok(Self {
            items,
            proration,
            metadata: p.map("metadata")?,
            cancel_at_period_end: p.bool("cancel_at_period_end")?,
            description: p.str("description").map(str::to_owned),
        })
    }
}

/// Applies `update` to subscription `id`, bills or records prorations, emits events and
/// returns the updated subscription.
pub(crate) fn apply(
    state: &Shared,
    store: &mut Store,
    id: &str,
    update: Update,
    ctx: &ReqCtx,
) -> Result<Value, StripeError> {
    let now = state.now();
    let mut sub = store
        .subscriptions
        .get(id)
        .cloned()
        .ok_or_else(|| StripeError::no_such("subscription", id))?;
    if sub["status"] == "canceled" {
        return Err(StripeError::invalid(
            "subscription",
            "A canceled subscription can only update its cancellation_details and metadata.",
        ));
    }
    let mut previous = json!({});
    let old_items = sub["items"]["data"].as_array().cloned().unwrap_or_default();
    let mut items = old_items.clone();
    // (description, signed amount, item id) for each proration.
    let mut prorations: Vec<(String, i64, String)> = Vec::new();
    let period = old_items
        .first()
        .map(|i| {
            (
                i["current_period_start"].as_i64().unwrap_or(now),
                i["current_period_end"].as_i64().unwrap_or(now),
            )
        })
        .unwrap_or((now, now));
    let fraction = if period.1 > period.0 {
        (period.1 - now).max(0) as f64 / (period.1 - period.0) as f64
    } else {
        0.0
    };
    let prorate = |qty_delta: i64, price: &Value| -> i64 {
        (qty_delta as f64 * price["unit_amount"].as_i64().unwrap_or(0) as f64 * fraction).round()
            as i64
    };

    for (n, op) in update.items.iter().enumerate() {
        let param = |f: &str| format!("items[{n}][{f}]");
        let quantity = int_at(op, "quantity", &param("quantity"))?;
        if quantity.is_some_and(|q| q < 0) {
            return Err(StripeError::invalid(
                &param("quantity"),
                "Quantity must be non-negative.",
            ));
        }
        let deleted = bool_at(op, "deleted", &param("deleted"))?.unwrap_or(false);
        let metadata = map_at(op, "metadata", &param("metadata"))?;
        let new_price = match op
            .get("price")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            Some(pid) => Some(
                store
                    .prices
                    .get(pid)
                    .cloned()
                    .ok_or_else(|| StripeError::no_such("price", pid).param(&param("price")))?,
            ),
            None => None,
        };
        match op
            .get("id")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
        {
            Some(si) => {
                let idx = items.iter().position(|i| i["id"] == si).ok_or_else(|| {
                    StripeError::no_such("subscription_item", si).param(&param("id"))
                })?;
                let name = product_name(store, &items[idx]["price"]);
                let old_qty = items[idx]["quantity"].as_i64().unwrap_or(1);
                if deleted {
                    let item = items.remove(idx);
                    prorations.push((
                        format!("Unused time on {old_qty} × {name}"),
                        prorate(-old_qty, &item["price"]),
                        si.to_owned(),
                    ));
                    continue;
                }
                if let Some(price) = new_price {
                    if items
                        .iter()
                        .any(|i| i["price"]["id"] == price["id"] && i["id"] != si)
                    {
                        return Err(duplicate_price(&price));
                    }
                    let qty = quantity.unwrap_or(old_qty);
                    prorations.push((
                        format!("Unused time on {old_qty} × {name}"),
                        prorate(-old_qty, &items[idx]["price"]),
                        si.to_owned(),
                    ));
                    prorations.push((
                        format!("Remaining time on {qty} × {}", product_name(store, &price)),
                        prorate(qty, &price),
                        si.to_owned(),
                    ));
                    items[idx]["plan"] = objects::plan(&price);
                    items[idx]["price"] = price;
                    items[idx]["quantity"] = qty.into();
                } else if let Some(qty) = quantity {
                    if qty != old_qty {
                        let verb = if qty > old_qty { "Remaining" } else { "Unused" };
                        prorations.push((
                            format!("{verb} time on {} × {name}", (qty - old_qty).abs()),
                            prorate(qty - old_qty, &items[idx]["price"]),
                            si.to_owned(),
                        ));
                        items[idx]["quantity"] = qty.into();
                    }
                }
                if let Some(m) = metadata {
                    merge_metadata(&mut items[idx]["metadata"], m.clone(), m.is_empty());
                }
            }
            None => {
                let price = new_price.ok_or_else(|| StripeError::missing_param(&param("price")))?;
                if price["type"] != "recurring" {
                    return Err(StripeError::invalid(&param("price"), "The price specified is set to `type=one_time` but this field only accepts prices with `type=recurring`."));
                }
                if items.iter().any(|i| i["price"]["id"] == price["id"]) {
                    return Err(duplicate_price(&price));
                }
                let qty = quantity.unwrap_or(1);
                let mut item = objects::subscription_item(id, &price, qty as u64, period, now);
                if let Some(m) = metadata {
                    item["metadata"] = Value::Object(m);
                }
                let si = item["id"].as_str().unwrap_or_default().to_owned();
                prorations.push((
                    format!("Remaining time on {qty} × {}", product_name(store, &price)),
                    prorate(qty, &price),
                    si,
                ));
                items.push(item);
            }
        }
    }
    if items.len() > MAX_ITEMS {
        return Err(StripeError::invalid(
            "items",
            "A subscription can have at most 20 items.",
        ));
    }
    if items.is_empty() && !old_items.is_empty() {
        return Err(StripeError::invalid("items", "A subscription must have at least one active plan. To cancel a subscription, please use the cancel API endpoint on /v1/subscriptions."));
    }
    let interval = |i: &Value| {
        (
            i["price"]["recurring"]["interval"].clone(),
            i["price"]["recurring"]["interval_count"].clone(),
        )
    };
    if items.windows(2).any(|w| interval(&w[0]) != interval(&w[1])) {
        return Err(StripeError::invalid("items", "Currently all subscription items must have the same billing interval (use billing_mode[type]=flexible for mixed intervals, not supported by the sandbox)."));
    }
    if items != old_items {
        previous["items"] = sub["items"].clone();
        sub["items"]["total_count"] = items.len().into();
        sub["items"]["data"] = Value::Array(items);
    }
    if let Some(m) = update.metadata {
        previous["metadata"] = sub["metadata"].clone();
        merge_metadata(&mut sub["metadata"], m.clone(), m.is_empty());
    }
    if let Some(flag) = update.cancel_at_period_end {
        if sub["cancel_at_period_end"] != flag {
            previous["cancel_at_period_end"] = sub["cancel_at_period_end"].clone();
            previous["cancel_at"] = sub["cancel_at"].clone();
            sub["cancel_at_period_end"] = flag.into();
            sub["cancel_at"] = if flag { period.1.into() } else { Value::Null };
        }
    }
    if let Some(d) = update.description {
        previous["description"] = sub["description"].clone();
        sub["description"] = d.into();
    }

    let mut events = Vec::new();
    prorations.retain(|p| p.1 != 0);
    match update.proration.as_str() {
        "always_invoice" if !prorations.is_empty() => {
            let invoice_id = new_id("in");
            let lines = proration_lines(&invoice_id, &sub, &prorations, (now, period.1));
            let invoice = build_invoice(
                state,
                store,
                &invoice_id,
                &sub,
                "subscription_update",
                (now, period.1),
                true,
                lines,
                now,
            );
            previous["latest_invoice"] = sub["latest_invoice"].clone();
            sub["latest_invoice"] = invoice_id.into();
            store.invoices.insert(invoice.clone());
            for t in [
                "invoice.created",
                "invoice.finalized",
                "invoice.paid",
                "invoice.payment_succeeded",
            ] {
                events.push(EventSpec::new(t, &invoice));
            }
        }
        "create_prorations" => store
            .pending_prorations
            .entry(id.to_owned())
            .or_default()
            .extend(prorations),
        _ => {}
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

fn duplicate_price(price: &Value) -> StripeError {
    StripeError::invalid(
        "plan",
        format!(
            "Cannot add multiple subscription items with the same plan: {}",
            price["id"].as_str().unwrap_or("")
        ),
    )
}

/// Invoice lines for prorations.
pub(crate) fn proration_lines(
    invoice_id: &str,
    sub: &Value,
    prorations: &[(String, i64, String)],
    period: (i64, i64),
) -> Vec<Value> {
    prorations
        .iter()
        .map(|(desc, amount, si)| {
            objects::invoice_line(
                invoice_id,
                sub,
                si,
                desc.clone(),
                *amount,
                None,
                None,
                period,
                true,
            )
        })
        .collect()
}

/// Sets the fields of a subscription that has just ended.
pub(crate) fn mark_canceled(sub: &mut Value, now: i64, reason: &str) {
    sub["status"] = "canceled".into();
    sub["canceled_at"] = now.into();
    sub["ended_at"] = now.into();
    sub["cancellation_details"]["reason"] = reason.into();
}
