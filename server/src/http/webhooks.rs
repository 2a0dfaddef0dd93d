//! `POST /webhooks/stripe`: verify the signature on the raw body, store the event in the
//! inbox (once per event id; a duplicate delivery is answered without work) and answer 200
//! at once. The effects are applied from the inbox by the webhook worker (`webhooks`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::Value;

use crate::licensing::events::StripeEventRef;
use crate::startup::{AppState, Services};
use crate::stripe::signature;
use crate::webhooks::ReceivedEvent;

/// The webhook route.
pub fn router() -> Router<AppState> {
    Router::new().route("/webhooks/stripe", post(receive))
}

/// What fulfilment needs from an event, read from the verified JSON itself so an event
/// that the pinned async-stripe types cannot parse (API-version drift) is still applied.
fn event_ref(body: &str) -> Option<ReceivedEvent> {
    let json: Value = serde_json::from_str(body).ok()?;
    let object = &json["data"]["object"];
    let text = |v: &Value| v.as_str().map(str::to_string);
    // Invoices name their subscription under `parent` since 2025; older versions at the top.
    let subscription = text(&object["parent"]["subscription_details"]["subscription"])
        .or_else(|| text(&object["subscription"]));
    Some(ReceivedEvent {
        event: StripeEventRef {
            id: text(&json["id"])?,
            kind: text(&json["type"])?,
            object_id: text(&object["id"]),
            subscription,
        },
        created: json["created"].as_i64(),
    })
}

#[tracing::instrument(skip_all)]
async fn receive(
    State(services): State<Arc<Services>>,
    headers: HeaderMap,
    body: String,
) -> (StatusCode, &'static str) {
    let Some(signature) = headers
        .get("stripe-signature")
        .and_then(|v| v.to_str().ok())
    else {
        return (StatusCode::BAD_REQUEST, "missing Stripe-Signature");
    };
    // The signature and its age are checked before the body is parsed.
    let secrets = &services.stripe_webhook_secrets;
    if let Err(error) = signature::verify(signature, &body, secrets, crate::db::now()) {
        tracing::warn!(%error, "Stripe webhook signature rejected");
        return (StatusCode::BAD_REQUEST, "invalid signature");
    }
    let Some(received) = event_ref(&body) else {
        return (StatusCode::BAD_REQUEST, "unparseable event");
    };
    match services.webhooks.receive(&received).await {
        Ok(true) => (StatusCode::OK, "ok"),
        Ok(false) => (StatusCode::OK, "duplicate"),
        Err(error) => {
            // Not stored: Stripe's retry delivers it again.
            tracing::error!(%error, event = received.event.id, "storing a Stripe event failed");
            (StatusCode::SERVICE_UNAVAILABLE, "try again")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_from_current_and_older_invoice_shapes() {
        let current = r#"{"id":"evt_1","type":"invoice.paid","created":1700000000,"data":{"object":{"id":"in_1",
            "parent":{"subscription_details":{"subscription":"sub_1"}}}}}"#;
        assert_eq!(
            event_ref(current),
            Some(ReceivedEvent {
                event: StripeEventRef {
                    id: "evt_1".into(),
                    kind: "invoice.paid".into(),
                    object_id: Some("in_1".into()),
                    subscription: Some("sub_1".into()),
                },
                created: Some(1_700_000_000),
            })
        );
        let older = r#"{"id":"evt_2","type":"invoice.paid","data":{"object":{"id":"in_2","subscription":"sub_2"}}}"#;
        let older = event_ref(older).unwrap();
        assert_eq!(older.event.subscription.as_deref(), Some("sub_2"));
        assert_eq!(older.created, None);
        assert_eq!(event_ref("{not json"), None);
        assert_eq!(event_ref(r#"{"type":"x"}"#), None, "an event needs an id");
    }
}
