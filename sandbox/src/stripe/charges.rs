//! PaymentIntents, charges and invoice payments as Stripe objects: their shapes (built
//! by `payments::attempt`) and the read-only `/v1` routes
//! (`/v1/payment_intents/{id}`, `/v1/charges`, `/v1/invoice_payments`).

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::api::{list, ApiResult, Params, StripeError};
use super::store::{new_id, Store};
use super::Shared;

/// A new PaymentIntent for an invoice, waiting for a payment method.
pub(crate) fn payment_intent(
    id: &str,
    amount: i64,
    inv: &Value,
    description: &str,
    at: i64,
) -> Value {
    let secret: String = new_id("s").chars().skip(2).collect();
    json!({
        "id": id, "object": "payment_intent", "amount": amount, "amount_capturable": 0,
        "amount_details": null, "amount_received": 0, "application": null,
        "application_fee_amount": null, "automatic_payment_methods": null, "canceled_at": null,
        "cancellation_reason": null, "capture_method": "automatic",
        "client_secret": format!("{id}_secret_{secret}"), "confirmation_method": "automatic",
        "created": at, "currency": inv["currency"], "customer": inv["customer"],
        "description": description, "last_payment_error": null, "latest_charge": null,
        "livemode": false, "metadata": {}, "next_action": null, "on_behalf_of": null,
        "payment_method": null, "payment_method_configuration_details": null,
        "payment_method_options": null, "payment_method_types": ["card"], "processing": null,
        "receipt_email": null, "review": null, "setup_future_usage": null, "shipping": null,
        "source": null, "statement_descriptor": null, "statement_descriptor_suffix": null,
        "status": "requires_payment_method", "transfer_data": null, "transfer_group": null,
    })
}

/// The charge of one attempt on `pi` with card `pm`, succeeded or failed.
pub(crate) fn charge(pi: &Value, pm: &Value, paid: bool, at: i64) -> Value {
    let outcome = if paid {
        json!({"advice_code": null, "network_advice_code": null, "network_decline_code": null,
            "network_status": "approved_by_network", "reason": null, "risk_level": "normal",
            "risk_score": 32, "rule": null, "seller_message": "Payment complete.", "type": "authorized"})
    } else {
        json!({"advice_code": "try_again_later", "network_advice_code": null, "network_decline_code": null,
            "network_status": "declined_by_network", "reason": "generic_decline", "risk_level": "normal",
            "risk_score": 32, "rule": null,
            "seller_message": "The bank did not return any further details with this decline.",
            "type": "issuer_declined"})
    };
    let card = &pm["card"];
    let amount = pi["amount"].as_i64().unwrap_or(0);
    json!({
        "id": new_id("ch"), "object": "charge", "amount": amount,
        "amount_captured": if paid { amount } else { 0 }, "amount_refunded": 0,
        "application": null, "application_fee": null, "application_fee_amount": null,
        "balance_transaction": null, "billing_details": pm["billing_details"],
        "calculated_statement_descriptor": "SMARTAPP", "captured": paid, "created": at,
        "currency": pi["currency"], "customer": pi["customer"], "description": pi["description"],
        "disputed": false, "failure_balance_transaction": null,
        "failure_code": if paid { Value::Null } else { "card_declined".into() },
        "failure_message": if paid { Value::Null } else { "Your card was declined.".into() },
        "fraud_details": {}, "livemode": false, "metadata": {}, "on_behalf_of": null,
        "outcome": outcome, "paid": paid, "payment_intent": pi["id"], "payment_method": pm["id"],
        "payment_method_details": {"type": "card", "card": {"brand": card["brand"],
            "country": card["country"], "exp_month": card["exp_month"], "exp_year": card["exp_year"],
            "fingerprint": card["fingerprint"], "funding": card["funding"], "last4": card["last4"],
            "network": "visa"}},
        "receipt_email": null, "receipt_number": null, "receipt_url": null, "refunded": false,
        "review": null, "shipping": null, "source_transfer": null, "statement_descriptor": null,
        "statement_descriptor_suffix": null, "status": if paid { "succeeded" } else { "failed" },
        "transfer_data": null, "transfer_group": null,
    })
}

/// Routes below `/v1` for payment intents, charges and invoice payments.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/payment_intents/{id}", get(get_payment_intent))
        .route("/charges", get(list_charges))
        .route("/charges/{id}", get(get_charge))
        .route("/invoice_payments", get(list_invoice_payments))
        .route("/invoice_payments/{id}", get(get_invoice_payment))
}

fn found(store: &Store, kind: &str, label: &str, id: &str, p: &Params) -> ApiResult {
    let mut obj = store
        .find(id)
        .filter(|o| o["object"] == kind)
        .cloned()
        .ok_or_else(|| StripeError::no_such(label, id))?;
    super::api::expand(&mut obj, &p.expand(), store);
    Ok(Json(obj))
}

async fn get_payment_intent(
    State(state): State<Shared>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    found(&state.store(), "payment_intent", "payment_intent", &id, &p)
}

async fn get_charge(State(state): State<Shared>, Path(id): Path<String>, p: Params) -> ApiResult {
    found(&state.store(), "charge", "charge", &id, &p)
}

async fn get_invoice_payment(
    State(state): State<Shared>,
    Path(id): Path<String>,
    p: Params,
) -> ApiResult {
    found(
        &state.store(),
        "invoice_payment",
        "invoice_payment",
        &id,
        &p,
    )
}

async fn list_charges(State(state): State<Shared>, p: Params) -> ApiResult {
    let (customer, pi) = (p.str("customer"), p.str("payment_intent"));
    let store = state.store();
    let items = store
        .charges
        .newest_first()
        .filter(|c| customer.is_none_or(|v| c["customer"] == v))
        .filter(|c| pi.is_none_or(|v| c["payment_intent"] == v))
        .cloned()
        .collect();
    Ok(Json(list(items, &p, "/v1/charges")?))
}

async fn list_invoice_payments(State(state): State<Shared>, p: Params) -> ApiResult {
    let invoice = p.str("invoice");
    let status = p.str("status");
    let pi = p.0["payment"]["payment_intent"].as_str();
    let store = state.store();
    let items = invoice_payments(&store, invoice)
        .into_iter()
        .filter(|i| status.is_none_or(|s| i["status"] == s))
        .filter(|i| pi.is_none_or(|v| i["payment"]["payment_intent"] == v))
        .collect();
    let mut out = list(items, &p, "/v1/invoice_payments")?;
    super::api::expand(&mut out, &p.expand(), &store);
    Ok(Json(out))
}

/// Invoice payments, newest first, optionally of one invoice.
pub(crate) fn invoice_payments(store: &Store, invoice: Option<&str>) -> Vec<Value> {
    store
        .invoice_payments
        .newest_first()
        .filter(|i| invoice.is_none_or(|v| i["invoice"] == v))
        .cloned()
        .collect()
}
