//! HTTP test switches under `/__sandbox/stripe/`, so Playwright or a shell can drive the
//! same knobs as [`super::StripeSandbox`].

use std::collections::HashMap;

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::webhooks::DeliveryMode;
use super::{cards, renewals, Shared};

/// Routes of the test switches.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/__sandbox/stripe/advance-clock", post(advance_clock))
        .route("/__sandbox/stripe/delivery-mode", post(delivery_mode))
        .route(
            "/__sandbox/stripe/fail-next-renewal",
            post(fail_next_renewal),
        )
        .route("/__sandbox/stripe/webhook-url", post(webhook_url))
        .route("/__sandbox/stripe/card", post(card))
        .route("/__sandbox/stripe/stats", get(stats))
}

type Q = Query<HashMap<String, String>>;

fn bad(msg: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "error": msg }))).into_response()
}

/// `?seconds=N` (N ≥ 0): moves the clock and runs renewals.
async fn advance_clock(State(state): State<Shared>, Query(q): Q) -> Response {
    match q.get("seconds").map(|s| s.trim().parse::<i64>()) {
        Some(Ok(n)) if n >= 0 => {
            renewals::advance(&state, n);
            Json(json!({ "now": state.now() })).into_response()
        }
        _ => bad("seconds must be a non-negative integer".into()),
    }
}

/// `?mode=normal|duplicate|reverse`.
async fn delivery_mode(State(state): State<Shared>, Query(q): Q) -> Response {
    match q.get("mode").and_then(|m| DeliveryMode::parse(m)) {
        Some(mode) => {
            state.webhooks.set_mode(mode);
            Json(json!({ "mode": format!("{mode:?}").to_lowercase() })).into_response()
        }
        None => bad("mode must be normal, duplicate or reverse".into()),
    }
}

/// `?id=cus_…|sub_…`: the next renewal of that customer or subscription fails.
async fn fail_next_renewal(State(state): State<Shared>, Query(q): Q) -> Response {
    match q.get("id").filter(|s| !s.trim().is_empty()) {
        Some(id) => {
            state.store().fail_next.insert(id.trim().to_owned());
            Json(json!({ "fail_next_renewal": id })).into_response()
        }
        None => bad("id is required".into()),
    }
}

/// `?customer=cus_…&number=4000000000000341`: a new default card for the customer (and
/// their subscriptions), with the events of a card replaced in the portal.
async fn card(State(state): State<Shared>, Query(q): Q) -> Response {
    let (Some(customer), Some(number)) = (q.get("customer"), q.get("number")) else {
        return bad("customer and number are required".into());
    };
    match cards::replace_default_card(&state, customer.trim(), number) {
        Ok(pm) => Json(pm).into_response(),
        Err(e) => bad(e),
    }
}

/// `?url=…` sets the webhook endpoint; no `url` removes it.
async fn webhook_url(State(state): State<Shared>, Query(q): Q) -> Response {
    let url = q.get("url").filter(|s| !s.trim().is_empty()).cloned();
    state.webhooks.set_url(url.clone());
    Json(json!({ "webhook_url": url })).into_response()
}

async fn stats(State(state): State<Shared>) -> Response {
    let mut body = json!(state.counters.snapshot());
    body["now"] = state.now().into();
    body["pending_deliveries"] = state.webhooks.pending().into();
    Json(body).into_response()
}
