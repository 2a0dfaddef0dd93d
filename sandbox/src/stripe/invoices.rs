//! Invoices: building them for a subscription, issuing and charging them, and the `/v1`
//! routes (retrieve, list, lines, `pay`). `payments` is an includable field, as in the
//! pinned API version: it appears only with `expand[]=payments`.

use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use super::api::{expand, list, ApiResult, Params, ReqCtx, StripeError};
use super::charges::invoice_payments;
use super::checkout::product_name;
use super::objects::{self, InvoiceInit};
use super::payments::{self, Attempt, Decline};
use super::store::Store;
use super::webhooks::{emit, EventSpec};
use super::Shared;

/// Routes below `/v1/invoices`.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/invoices", get(list_invoices))
        .route("/invoices/{id}", get(get_invoice))
        .route("/invoices/{id}/lines", get(invoice_lines))
        .route("/invoices/{id}/pay", post(pay_invoice))
}

/// An open invoice for the subscription's current items (plus any extra lines, e.g.
/// prorations; `subscription_update` invoices carry only the extra lines).
#[allow(clippy::too_many_arguments)] // all of it ends up on the invoice
pub(crate) fn build_invoice(
    state: &Shared,
    store: &Store,
    id: &str,
    sub: &Value,
    reason: &str,
    period: (i64, i64),
    extra_lines: Vec<Value>,
    now: i64,
) -> Value {
    let mut lines = extra_lines;
    if reason != "subscription_update" {
        lines.extend(item_lines(store, id, sub, period, None));
    }
    let customer = sub["customer"]
        .as_str()
        .and_then(|c| store.customers.get(c));
    let number_prefix = customer
        .and_then(|c| c["invoice_prefix"].as_str())
        .unwrap_or("SANDBOX");
    let count = store
        .invoices
        .newest_first()
        .filter(|i| i["customer"] == sub["customer"])
        .count();
    objects::invoice(InvoiceInit {
        id,
        sub,
        customer_email: customer.and_then(|c| c["email"].as_str()),
        lines,
        billing_reason: reason,
        period,
        number: format!("{number_prefix}-{:04}", count + 1),
        base_url: &state.base_url,
        now,
    })
}

/// Regular (non-proration) lines for `items` (default: the subscription's items).
pub(crate) fn item_lines(
    store: &Store,
    invoice_id: &str,
    sub: &Value,
    period: (i64, i64),
    items: Option<&[Value]>,
) -> Vec<Value> {
    let items = items.unwrap_or_else(|| sub["items"]["data"].as_array().map_or(&[], Vec::as_slice));
    items
        .iter()
        .map(|item| {
            let qty = item["quantity"].as_u64().unwrap_or(1);
            let price = &item["price"];
            let amount = price["unit_amount"].as_i64().unwrap_or(0) * qty as i64;
            let desc = objects::line_description(qty, &product_name(store, price), price);
            objects::invoice_line(
                invoice_id,
                sub,
                item["id"].as_str().unwrap_or_default(),
                desc,
                amount,
                Some(qty),
                Some(price),
                period,
                false,
            )
        })
        .collect()
}

/// Stores a new invoice and makes the first payment attempt at `at`; returns the result
/// and the events (`invoice.created`, `invoice.finalized`, then the attempt's).
pub(crate) fn issue(
    store: &mut Store,
    invoice: Value,
    a: &Attempt,
    next_retry: Option<i64>,
    at: i64,
) -> (Result<(), Decline>, Vec<EventSpec>) {
    let id = invoice["id"].as_str().unwrap_or_default().to_owned();
    let mut events = vec![
        EventSpec::new("invoice.created", &invoice),
        EventSpec::new("invoice.finalized", &invoice),
    ];
    store.invoices.insert(invoice);
    let (result, more) = payments::attempt(store, &id, a, next_retry, at);
    events.extend(more);
    (result, events)
}

/// Voids an open invoice (`invoice.voided`).
pub(crate) fn void(store: &mut Store, id: &str, at: i64) -> Option<EventSpec> {
    let inv = store
        .invoices
        .get_mut(id)
        .filter(|i| i["status"] == "open")?;
    inv["status"] = "void".into();
    inv["amount_remaining"] = 0.into();
    inv["next_payment_attempt"] = Value::Null;
    inv["auto_advance"] = false.into();
    inv["status_transitions"]["voided_at"] = at.into();
    Some(EventSpec::new("invoice.voided", inv))
}

/// The invoice as returned: `payments` included when expanded, then other expansions.
pub(crate) fn render(store: &Store, mut invoice: Value, expands: &[String], prefix: &str) -> Value {
    let wants = |e: &String| {
        e.strip_prefix(prefix)
            .is_some_and(|rest| rest == "payments" || rest.starts_with("payments."))
    };
    if expands.iter().any(wants) {
        let id = invoice["id"].as_str().unwrap_or_default().to_owned();
        let data = invoice_payments(store, Some(&id));
        invoice["payments"] = json!({"object": "list", "data": data, "has_more": false,
            "total_count": data.len(), "url": format!("/v1/invoice_payments?invoice={id}")});
    }
    invoice
}

fn found(store: &Store, id: &str) -> Result<Value, StripeError> {
    store
        .invoices
        .get(id)
        .cloned()
        .ok_or_else(|| StripeError::no_such("invoice", id))
}

async fn get_invoice(State(state): State<Shared>, Path(id): Path<String>, p: Params) -> ApiResult {
    let store = state.store();
    let mut invoice = render(&store, found(&store, &id)?, &p.expand(), "");
    expand(&mut invoice, &p.expand(), &store);
    Ok(Json(invoice))
}

async fn list_invoices(State(state): State<Shared>, p: Params) -> ApiResult {
    let (customer, subscription, status) =
        (p.str("customer"), p.str("subscription"), p.str("status"));
    let store = state.store();
    let expands = p.expand();
    let items = store
        .invoices
        .newest_first()
        .filter(|i| customer.is_none_or(|c| i["customer"] == c))
        .filter(|i| subscription.is_none_or(|s| payments::subscription_of(i) == Some(s)))
        .filter(|i| status.is_none_or(|s| i["status"] == s))
        .map(|i| render(&store, i.clone(), &expands, "data."))
        .collect();
    let mut out = list(items, &p, "/v1/invoices")?;
    expand(&mut out, &expands, &store);
    Ok(Json(out))
}

async fn invoice_lines(
    State(state): State<Shared>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    let store = state.store();
    let invoice = found(&store, &id)?;
    let lines = invoice["lines"]["data"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    Ok(Json(list(lines, &p, &format!("/v1/invoices/{id}/lines"))?))
}

/// `POST /v1/invoices/{id}/pay`: charges an open invoice off-session with its customer's
/// default card (or `payment_method`); `paid_out_of_band=true` marks it paid without one.
async fn pay_invoice(
    State(state): State<Shared>,
    Path(id): Path<String>,
    Extension(ctx): Extension<ReqCtx>,
    p: Params,
) -> ApiResult {
    let out_of_band = p.bool("paid_out_of_band")?.unwrap_or(false);
    let on_session = p.bool("off_session")? == Some(false);
    let now = state.now();
    let mut store = state.store();
    let invoice = found(&store, &id)?;
    match invoice["status"].as_str() {
        Some("open") => {}
        Some("paid") => {
            return Err(StripeError::invalid("invoice", "Invoice is already paid")
                .code("invoice_already_paid"))
        }
        Some(other) => {
            return Err(StripeError::invalid(
                "invoice",
                format!("You can only pay an invoice that is open. This invoice is {other}."),
            )
            .code("invoice_not_editable"))
        }
        None => {}
    }
    if let Some(pm) = p.str("payment_method") {
        let owned = store
            .payment_methods
            .get(pm)
            .is_some_and(|o| o["customer"] == invoice["customer"]);
        if !owned {
            return Err(StripeError::no_such("PaymentMethod", pm).param("payment_method"));
        }
    }
    let attempt = Attempt {
        payment_method: p.str("payment_method").map(str::to_owned),
        on_session,
        ..Attempt::default()
    };
    let (result, events) = if out_of_band {
        // Stripe records no payment for an invoice paid outside Stripe.
        let inv = store.invoices.get_mut(&id).expect("found above");
        inv["amount_remaining"] = 0.into();
        payments::attempt(&mut store, &id, &attempt, None, now)
    } else {
        let keep = invoice["next_payment_attempt"].as_i64();
        payments::attempt(&mut store, &id, &attempt, keep, now)
    };
    emit(&state, &mut store, events, Some(&ctx));
    result.map_err(Decline::to_pay_error)?;
    let mut out = render(&store, found(&store, &id)?, &p.expand(), "");
    expand(&mut out, &p.expand(), &store);
    Ok(Json(out))
}
