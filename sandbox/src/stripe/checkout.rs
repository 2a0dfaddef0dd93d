//! Checkout Sessions in `mode=subscription`, and what paying one on the hosted page does:
//! customer, subscription, paid invoice, completed session, events (stripe.md §4.2 3–4).

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use super::api::{expand, list, ApiResult, Params, ReqCtx, StripeError};
use super::objects::{self, SessionInit};
use super::store::{new_id, SessionExtra, Store};
use super::versions::ApiVersion;
use super::webhooks::{emit, EventSpec};
use super::Shared;

/// Stripe's limit on recurring line items in one subscription-mode session.
const MAX_RECURRING_LINES: usize = 20;
/// Sessions expire 24 hours after creation unless `expires_at` says otherwise.
const DEFAULT_TTL: i64 = 86_400;

/// Routes below `/v1/checkout`.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/checkout/sessions", post(create).get(list_sessions))
        .route("/checkout/sessions/{id}", get(retrieve))
        .route("/checkout/sessions/{id}/line_items", get(line_items))
        .route("/checkout/sessions/{id}/expire", post(expire))
}

async fn create(
    State(state): State<Shared>,
    Extension(version): Extension<ApiVersion>,
    p: Params,
) -> ApiResult {
    // Checkout Sessions live on real time, not the sandbox clock (`renewals.rs`): the app
    // sets `expires_at` from its own clock, as Stripe checks it.
    let now = super::wall_clock();
    // The hosted page is all the sandbox serves; names follow the request's API version.
    let [hosted, ..] = version.ui_modes();
    match p.str("ui_mode") {
        None => {}
        Some(mode) if mode == hosted => {}
        Some(mode) if version.ui_modes().contains(&mode) => {
            return Err(StripeError::invalid(
                "ui_mode",
                format!("The sandbox only supports ui_mode={hosted}."),
            ))
        }
        Some(mode) => {
            let [a, b, c] = version.ui_modes();
            return Err(StripeError::invalid(
                "ui_mode",
                format!("Invalid ui_mode: must be one of {a}, {b}, or {c}, got {mode}"),
            ));
        }
    }
    match p.req("mode")? {
        "subscription" => {}
        "payment" | "setup" => {
            return Err(StripeError::invalid(
                "mode",
                "The sandbox only supports mode=subscription.",
            ))
        }
        other => {
            return Err(StripeError::invalid(
                "mode",
                format!("Invalid mode: {other}"),
            ))
        }
    }
    let success_url = p.req("success_url")?;
    let raw_lines = match p.0.get("line_items") {
        Some(Value::Array(a)) if !a.is_empty() => a.clone(),
        _ => return Err(StripeError::missing_param("line_items")),
    };
    if raw_lines.len() > MAX_RECURRING_LINES {
        return Err(StripeError::invalid(
            "line_items",
            "You can only have up to 20 recurring line items in subscription mode.",
        ));
    }
    let expires_at = match p.int("expires_at")? {
        None => now + DEFAULT_TTL,
        Some(t) if (now + 1800..=now + DEFAULT_TTL).contains(&t) => t,
        Some(_) => {
            return Err(StripeError::invalid("expires_at", "The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout Session creation."))
        }
    };
    let metadata = p.map("metadata")?.unwrap_or_default();
    let sub_data = p.0.get("subscription_data").cloned().unwrap_or(json!({}));
    let subscription_metadata =
        super::api::map_at(&sub_data, "metadata", "subscription_data[metadata]")?
            .unwrap_or_default();
    let trial_period_days = super::api::int_at(
        &sub_data,
        "trial_period_days",
        "subscription_data[trial_period_days]",
    )?;
    if trial_period_days.is_some_and(|d| !(1..=730).contains(&d)) {
        return Err(StripeError::invalid(
            "subscription_data[trial_period_days]",
            "The trial period must be between 1 and 730 days.",
        ));
    }
    let subscription_description = sub_data
        .get("description")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_owned);
    let tax_id = p.0.get("tax_id_collection").cloned().unwrap_or(json!({}));
    let tax_id_collection =
        super::api::bool_at(&tax_id, "enabled", "tax_id_collection[enabled]")?.unwrap_or(false);
    let allow_promotion_codes = p.bool("allow_promotion_codes")?;
    let customer_email = p.str("customer_email");
    let customer = p.str("customer");
    if customer.is_some() && customer_email.is_some() {
        return Err(StripeError::invalid(
            "customer_email",
            "You may only specify one of these parameters: customer, customer_email.",
        ));
    }

    let mut store = state.store();
    if let Some(c) = customer {
        if store.customers.get(c).is_none() {
            return Err(StripeError::no_such("customer", c).param("customer"));
        }
    }
    let (lines, currency, amount) = validate_lines(&store, &raw_lines, "line_items")?;
    // A trial defers the first payment: nothing is due today.
    let amount = if trial_period_days.is_some() {
        0
    } else {
        amount
    };
    let id = new_id("cs_test");
    let url = format!("{}/pay/{id}", state.base_url);
    let session = objects::session(&SessionInit {
        id: &id,
        url: &url,
        amount,
        currency: &currency,
        customer,
        customer_email,
        client_reference_id: p.str("client_reference_id"),
        success_url,
        cancel_url: p.str("cancel_url"),
        metadata,
        tax_id_collection,
        allow_promotion_codes,
        now,
        expires_at,
    });
    store.sessions.insert(session.clone());
    store.session_extra.insert(
        id.clone(),
        SessionExtra {
            lines,
            subscription_metadata,
            trial_period_days,
            subscription_description,
        },
    );
    state.counters.bump_session();
    Ok(Json(render(&store, session, &p.expand())))
}

/// Validated lines: (price id, quantity) pairs, the currency, the total per period.
pub(crate) type ValidLines = (Vec<(String, u64)>, String, i64);

/// Checks every line (price exists, is recurring, one currency and interval, quantity ≥ 1);
/// returns the lines, the currency and the total per period.
pub(crate) fn validate_lines(
    store: &Store,
    raw: &[Value],
    prefix: &str,
) -> Result<ValidLines, StripeError> {
    let mut lines = Vec::new();
    let mut currency: Option<String> = None;
    let mut interval: Option<(Value, Value)> = None;
    let mut total = 0i64;
    for (i, line) in raw.iter().enumerate() {
        let param = |f: &str| format!("{prefix}[{i}][{f}]");
        let price_id = line
            .get("price")
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty());
        let price_id = price_id.ok_or_else(|| StripeError::missing_param(&param("price")))?;
        let price = store
            .prices
            .get(price_id)
            .ok_or_else(|| StripeError::no_such("price", price_id).param(&param("price")))?;
        if price["active"] != true {
            return Err(StripeError::invalid(
                &param("price"),
                format!("The price `{price_id}` is not active."),
            ));
        }
        if price["type"] != "recurring" {
            return Err(StripeError::invalid(
                &param("price"),
                "In subscription mode every line item must use a recurring price in the sandbox.",
            ));
        }
        let quantity = super::api::int_at(line, "quantity", &param("quantity"))?.unwrap_or(1);
        if quantity < 1 {
            return Err(StripeError::invalid(
                &param("quantity"),
                "Quantity must be at least 1.",
            ));
        }
        if lines.iter().any(|(p, _)| p == price_id) {
            return Err(StripeError::invalid(
                &param("price"),
                "Line items must use distinct prices in subscription mode.",
            ));
        }
        let cur = price["currency"].as_str().unwrap_or("usd").to_owned();
        if currency.get_or_insert_with(|| cur.clone()) != &cur {
            return Err(StripeError::invalid(
                &param("price"),
                "All prices must use the same currency.",
            ));
        }
        let this_interval = (
            price["recurring"]["interval"].clone(),
            price["recurring"]["interval_count"].clone(),
        );
        if interval.get_or_insert_with(|| this_interval.clone()) != &this_interval {
            return Err(StripeError::invalid(
                &param("price"),
                "All recurring prices must have the same billing interval.",
            ));
        }
        total += price["unit_amount"].as_i64().unwrap_or(0) * quantity;
        lines.push((price_id.to_owned(), quantity as u64));
    }
    Ok((lines, currency.unwrap_or_else(|| "usd".into()), total))
}

/// The session as returned: `url` only while open, `line_items` if expanded.
pub(crate) fn render(store: &Store, mut session: Value, expands: &[String]) -> Value {
    if session["status"] != "open" {
        session["url"] = Value::Null;
    }
    let id = session["id"].as_str().unwrap_or_default().to_owned();
    let rest: Vec<String> = expands
        .iter()
        .filter(|e| e.as_str() != "line_items")
        .cloned()
        .collect();
    if rest.len() != expands.len() {
        let data = session_lines(store, &id);
        session["line_items"] = json!({"object": "list", "data": data, "has_more": false, "url": format!("/v1/checkout/sessions/{id}/line_items")});
    }
    expand(&mut session, &rest, store);
    session
}

/// The `item` objects of a session's lines.
pub(crate) fn session_lines(store: &Store, id: &str) -> Vec<Value> {
    let Some(extra) = store.session_extra.get(id) else {
        return Vec::new();
    };
    extra
        .lines
        .iter()
        .filter_map(|(price_id, qty)| {
            let price = store.prices.get(price_id)?;
            let name = product_name(store, price);
            let mut item = objects::session_line(price, &name, *qty);
            // Stable ids: the same line keeps its `li_` across calls.
            item["id"] = format!(
                "li_{}_{}",
                &id[id.len().saturating_sub(12)..],
                price_id.trim_start_matches("price_")
            )
            .into();
            Some(item)
        })
        .collect()
}

/// The name of a price's product.
pub(crate) fn product_name(store: &Store, price: &Value) -> String {
    price["product"]
        .as_str()
        .and_then(|id| store.products.get(id))
        .and_then(|p| p["name"].as_str())
        .unwrap_or("Product")
        .to_owned()
}

async fn retrieve(State(state): State<Shared>, Path(id): Path<String>, p: Params) -> ApiResult {
    let store = state.store();
    let session = store
        .sessions
        .get(&id)
        .cloned()
        .ok_or_else(|| StripeError::no_such("checkout.session", &id))?;
    Ok(Json(render(&store, session, &p.expand())))
}

async fn list_sessions(State(state): State<Shared>, p: Params) -> ApiResult {
    let (status, customer, subscription) =
        (p.str("status"), p.str("customer"), p.str("subscription"));
    let store = state.store();
    let items = store
        .sessions
        .newest_first()
        .filter(|s| status.is_none_or(|v| s["status"] == v))
        .filter(|s| customer.is_none_or(|v| s["customer"] == v))
        .filter(|s| subscription.is_none_or(|v| s["subscription"] == v))
        .map(|s| render(&store, s.clone(), &[]))
        .collect();
    let mut out = list(items, &p, "/v1/checkout/sessions")?;
    expand(&mut out, &p.expand(), &store);
    Ok(Json(out))
}

async fn line_items(State(state): State<Shared>, Path(id): Path<String>, p: Params) -> ApiResult {
    let store = state.store();
    if store.sessions.get(&id).is_none() {
        return Err(StripeError::no_such("checkout.session", &id));
    }
    // Stripe lists line items in their original order, not newest first.
    let items = session_lines(&store, &id);
    Ok(Json(list(
        items,
        &p,
        &format!("/v1/checkout/sessions/{id}/line_items"),
    )?))
}

async fn expire(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Extension(ctx): Extension<ReqCtx>,
) -> ApiResult {
    let mut store = state.store();
    let session = store
        .sessions
        .get_mut(&id)
        .ok_or_else(|| StripeError::no_such("checkout.session", &id))?;
    if session["status"] != "open" {
        return Err(StripeError::invalid(
            "session",
            format!("Only Checkout Sessions with a status of `open` can be expired. This Checkout Session has a status of `{}`.", session["status"].as_str().unwrap_or("")),
        ));
    }
    session["status"] = "expired".into();
    let session = session.clone();
    let out = render(&store, session, &[]);
    emit(
        &state,
        &mut store,
        vec![EventSpec::new("checkout.session.expired", &out)],
        Some(&ctx),
    );
    Ok(Json(out))
}
