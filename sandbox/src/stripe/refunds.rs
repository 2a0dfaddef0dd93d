//! Refunds (`/v1/refunds`) of a charge, named by `payment_intent` or `charge`: full by
//! default or partial (`amount`), each `succeeded` at once with `refund.created` and
//! `charge.refunded` (the charge's `amount_refunded`/`refunded` updated). Refunding more
//! than what is left is Stripe's 400.

use axum::extract::{Path, State};
use axum::routing::get;
use axum::{Extension, Json, Router};
use serde_json::{json, Value};

use super::api::{list, ApiResult, Params, ReqCtx, StripeError};
use super::objects::money;
use super::store::new_id;
use super::webhooks::{emit, EventSpec};
use super::Shared;

/// Routes below `/v1/refunds`.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/refunds", get(list_refunds).post(create))
        .route("/refunds/{id}", get(retrieve))
}

async fn create(
    State(state): State<Shared>,
    Extension(ctx): Extension<ReqCtx>,
    p: Params,
) -> ApiResult {
    let amount = p.int("amount")?;
    if amount.is_some_and(|a| a <= 0) {
        return Err(StripeError::invalid("amount", "Invalid positive integer"));
    }
    let reason = p.str("reason");
    if let Some(r) = reason {
        if !["duplicate", "fraudulent", "requested_by_customer"].contains(&r) {
            return Err(StripeError::invalid(
                "reason",
                format!("Invalid reason: must be one of duplicate, fraudulent, or requested_by_customer (got {r})"),
            ));
        }
    }
    let metadata = p.map("metadata")?.unwrap_or_default();
    let now = state.now();
    let mut store = state.store();
    let charge_id = match (p.str("charge"), p.str("payment_intent")) {
        (Some(_), Some(_)) => {
            return Err(StripeError::invalid(
                "charge",
                "You cannot specify both `charge` and `payment_intent`.",
            ))
        }
        (Some(ch), None) => {
            if store.charges.get(ch).is_none() {
                return Err(StripeError::no_such("charge", ch).param("charge"));
            }
            ch.to_owned()
        }
        (None, Some(pi)) => {
            let intent = store
                .payment_intents
                .get(pi)
                .ok_or_else(|| StripeError::no_such("payment_intent", pi).param("payment_intent"))?;
            if intent["status"] != "succeeded" {
                return Err(StripeError::invalid(
                    "payment_intent",
                    format!("This PaymentIntent ({pi}) does not have a successful charge to refund."),
                )
                .code("charge_not_refundable"));
            }
            intent["latest_charge"].as_str().unwrap_or_default().to_owned()
        }
        (None, None) => {
            return Err(StripeError::invalid(
                "payment_intent",
                "One of the following params should be provided for this request: payment_intent or charge.",
            ))
        }
    };
    let charge = store
        .charges
        .get(&charge_id)
        .cloned()
        .ok_or_else(|| StripeError::no_such("charge", &charge_id))?;
    let currency = charge["currency"].as_str().unwrap_or("usd").to_owned();
    let captured = charge["amount_captured"].as_i64().unwrap_or(0);
    let refunded = charge["amount_refunded"].as_i64().unwrap_or(0);
    let left = captured - refunded;
    if left <= 0 {
        return Err(StripeError::invalid(
            "charge",
            format!("Charge {charge_id} has already been refunded."),
        )
        .code("charge_already_refunded"));
    }
    let amount = amount.unwrap_or(left);
    if amount > left {
        let message = if refunded == 0 {
            format!(
                "Refund amount ({}) is greater than charge amount ({})",
                money(amount, &currency),
                money(captured, &currency)
            )
        } else {
            format!(
                "Refund amount ({}) is greater than unrefunded amount on charge ({})",
                money(amount, &currency),
                money(left, &currency)
            )
        };
        return Err(StripeError::invalid("amount", message));
    }
    let refund = json!({
        "id": new_id("re"), "object": "refund", "amount": amount, "balance_transaction": null,
        "charge": charge_id, "created": now, "currency": currency,
        "description": null, "destination_details": null, "failure_balance_transaction": null,
        "failure_reason": null, "instructions_email": null, "metadata": metadata,
        "next_action": null, "payment_intent": charge["payment_intent"],
        "pending_reason": null, "reason": reason, "receipt_number": null,
        "source_transfer_reversal": null, "status": "succeeded", "transfer_reversal": null,
    });
    store.refunds.insert(refund.clone());
    let charge = {
        let ch = store.charges.get_mut(&charge_id).expect("read above");
        ch["amount_refunded"] = (refunded + amount).into();
        ch["refunded"] = (refunded + amount >= captured).into();
        ch.clone()
    };
    let events = vec![
        EventSpec::new("refund.created", &refund),
        EventSpec::updated(
            "charge.refunded",
            &charge,
            json!({"amount_refunded": refunded, "refunded": false}),
        ),
    ];
    emit(&state, &mut store, events, Some(&ctx));
    Ok(Json(refund))
}

async fn retrieve(State(state): State<Shared>, Path(id): Path<String>, p: Params) -> ApiResult {
    let store = state.store();
    let mut refund = store
        .refunds
        .get(&id)
        .cloned()
        .ok_or_else(|| StripeError::no_such("refund", &id))?;
    super::api::expand(&mut refund, &p.expand(), &store);
    Ok(Json(refund))
}

async fn list_refunds(State(state): State<Shared>, p: Params) -> ApiResult {
    let (pi, charge) = (p.str("payment_intent"), p.str("charge"));
    let store = state.store();
    let items: Vec<Value> = store
        .refunds
        .newest_first()
        .filter(|r| pi.is_none_or(|v| r["payment_intent"] == v))
        .filter(|r| charge.is_none_or(|v| r["charge"] == v))
        .cloned()
        .collect();
    Ok(Json(list(items, &p, "/v1/refunds")?))
}
