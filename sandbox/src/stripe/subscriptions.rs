//! Parsing a subscription change and planning it: items (add by price, quantity by id,
//! `deleted=true`) and the prorations they cause (stripe.md §1.4, §4.2 item 6). Planning
//! changes nothing, so `updates.rs` (apply) and `previews.rs` (`create_preview`) share it.

use serde_json::{Map, Value};

use super::api::{bool_at, int_at, map_at, merge_metadata, Params, StripeError};
use super::checkout::product_name;
use super::objects;
use super::store::Store;

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
    /// `allow_incomplete` (default), `error_if_incomplete`, `pending_if_incomplete` or
    /// `default_incomplete`.
    pub payment_behavior: String,
    /// `proration_date`: prorate as if the change happened then.
    pub proration_date: Option<i64>,
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
        let payment_behavior = p
            .str("payment_behavior")
            .unwrap_or("allow_incomplete")
            .to_owned();
        if !matches!(
            payment_behavior.as_str(),
            "allow_incomplete"
                | "error_if_incomplete"
                | "pending_if_incomplete"
                | "default_incomplete"
        ) {
            return Err(StripeError::invalid(
                "payment_behavior",
                format!("Invalid payment_behavior: must be one of allow_incomplete, default_incomplete, error_if_incomplete, or pending_if_incomplete (got {payment_behavior})"),
            ));
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
            payment_behavior,
            proration_date: p.int("proration_date")?,
        })
    }
}

/// (description, signed amount in cents, subscription item id) of one proration.
pub(crate) type Proration = (String, i64, String);

/// What a change would do: the resulting items and the prorations it causes.
pub(crate) struct Plan {
    /// Every item after the change.
    pub items: Vec<Value>,
    /// Non-zero prorations, computed at `at`.
    pub prorations: Vec<Proration>,
    /// The current billing period.
    pub period: (i64, i64),
}

/// Plans the item changes `ops` (`items[n]` objects; `prefix` names them in errors) on
/// `sub`, prorating at time `at`. Changes nothing.
pub(crate) fn plan(
    store: &Store,
    sub: &Value,
    ops: &[Value],
    prefix: &str,
    at: i64,
) -> Result<Plan, StripeError> {
    let id = sub["id"].as_str().unwrap_or_default();
    let old_items = sub["items"]["data"].as_array().cloned().unwrap_or_default();
    let mut items = old_items.clone();
    let mut prorations: Vec<Proration> = Vec::new();
    let period = old_items
        .first()
        .map(|i| {
            (
                i["current_period_start"].as_i64().unwrap_or(at),
                i["current_period_end"].as_i64().unwrap_or(at),
            )
        })
        .unwrap_or((at, at));
    // Nothing is owed for trial time, so changes during a trial do not prorate.
    let fraction = if period.1 > period.0 && sub["status"] != "trialing" {
        (period.1 - at).clamp(0, period.1 - period.0) as f64 / (period.1 - period.0) as f64
    } else {
        0.0
    };
    let prorate = |qty_delta: i64, price: &Value| -> i64 {
        (qty_delta as f64 * price["unit_amount"].as_i64().unwrap_or(0) as f64 * fraction).round()
            as i64
    };

    for (n, op) in ops.iter().enumerate() {
        let param = |f: &str| format!("{prefix}[{n}][{f}]");
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
                let mut item = objects::subscription_item(id, &price, qty as u64, period, at);
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
    prorations.retain(|p| p.1 != 0);
    Ok(Plan {
        items,
        prorations,
        period,
    })
}

/// Applies the non-item parts of `update` (metadata, `cancel_at_period_end`,
/// `description`) to `sub`, recording old values in `previous`.
pub(crate) fn apply_fields(sub: &mut Value, update: &Update, previous: &mut Value) {
    let period_end = sub["items"]["data"][0]["current_period_end"].clone();
    if let Some(m) = &update.metadata {
        previous["metadata"] = sub["metadata"].clone();
        merge_metadata(&mut sub["metadata"], m.clone(), m.is_empty());
    }
    if let Some(flag) = update.cancel_at_period_end {
        if sub["cancel_at_period_end"] != flag {
            previous["cancel_at_period_end"] = sub["cancel_at_period_end"].clone();
            previous["cancel_at"] = sub["cancel_at"].clone();
            sub["cancel_at_period_end"] = flag.into();
            sub["cancel_at"] = if flag { period_end } else { Value::Null };
        }
    }
    if let Some(d) = &update.description {
        previous["description"] = sub["description"].clone();
        sub["description"] = d.clone().into();
    }
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

/// Sets the fields of a subscription that has just ended (callers also drop its
/// `Store::pending_plans` entry: a pending update dies with the subscription).
pub(crate) fn mark_canceled(sub: &mut Value, now: i64, reason: &str) {
    sub["pending_update"] = Value::Null;
    sub["status"] = "canceled".into();
    sub["canceled_at"] = now.into();
    sub["ended_at"] = now.into();
    sub["cancellation_details"]["reason"] = reason.into();
}
