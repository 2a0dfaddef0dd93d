//! `POST /webhooks/stripe`: verify the signature on the raw body, apply the object's
//! *current* state (re-fetched, so arrival order does not matter), and only then record the
//! event id, so a crash or a database blip mid-way lets Stripe's retry finish the job.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use serde_json::Value;

use crate::startup::{AppState, Services};
use crate::stripe::signature;

/// The webhook route.
pub fn router() -> Router<AppState> {
    Router::new().route("/webhooks/stripe", post(receive))
}

/// What fulfilment needs from an event, read from the verified JSON itself so an event
/// that the pinned async-stripe types cannot parse (API-version drift) is still applied.
#[derive(Debug, PartialEq, Eq)]
struct EventRef {
    id: String,
    kind: String,
    object_id: Option<String>,
    subscription: Option<String>,
}

fn event_ref(body: &str) -> Option<EventRef> {
    let json: Value = serde_json::from_str(body).ok()?;
    let object = &json["data"]["object"];
    let text = |v: &Value| v.as_str().map(str::to_string);
    // Invoices name their subscription under `parent` since 2025; older versions at the top.
    let subscription = text(&object["parent"]["subscription_details"]["subscription"])
        .or_else(|| text(&object["subscription"]));
    Some(EventRef {
        id: text(&json["id"])?,
        kind: text(&json["type"])?,
        object_id: text(&object["id"]),
        subscription,
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
    let Some(event) = event_ref(&body) else {
        return (StatusCode::BAD_REQUEST, "unparseable event");
    };
    match services.db.stripe_event_seen(&event.id).await {
        Ok(true) => return (StatusCode::OK, "duplicate"),
        Ok(false) => {}
        Err(error) => {
            tracing::error!(%error, "reading Stripe events failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "try again");
        }
    }
    let licensing = &services.licensing;
    let applied = match (event.kind.as_str(), &event.object_id, &event.subscription) {
        (
            "checkout.session.completed" | "checkout.session.async_payment_succeeded",
            Some(id),
            _,
        ) => licensing.reconcile_session(id).await.map(|_| ()),
        ("checkout.session.expired", Some(id), _) => licensing.checkout_expired(id).await,
        (kind, Some(id), _) if kind.starts_with("customer.subscription.") => {
            licensing.sync_subscription(id).await
        }
        ("invoice.paid" | "invoice.payment_failed", _, Some(subscription)) => {
            licensing.sync_subscription(subscription).await
        }
        _ => {
            tracing::debug!(kind = event.kind, "Stripe event not used");
            Ok(())
        }
    };
    if let Err(error) = applied {
        // Nothing recorded: Stripe's retry applies it again (every step is idempotent).
        tracing::warn!(%error, kind = event.kind, "applying Stripe event failed; Stripe will retry");
        return (StatusCode::SERVICE_UNAVAILABLE, "try again");
    }
    if let Err(error) = services
        .db
        .record_stripe_event(&event.id, &event.kind)
        .await
    {
        // Applied but not recorded: a redelivery is applied again, which changes nothing.
        tracing::warn!(%error, "recording a Stripe event failed");
    }
    tracing::info!(kind = event.kind, "Stripe event applied");
    (StatusCode::OK, "ok")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_from_current_and_older_invoice_shapes() {
        let current = r#"{"id":"evt_1","type":"invoice.paid","data":{"object":{"id":"in_1",
            "parent":{"subscription_details":{"subscription":"sub_1"}}}}}"#;
        assert_eq!(
            event_ref(current),
            Some(EventRef {
                id: "evt_1".into(),
                kind: "invoice.paid".into(),
                object_id: Some("in_1".into()),
                subscription: Some("sub_1".into()),
            })
        );
        let older = r#"{"id":"evt_2","type":"invoice.paid","data":{"object":{"id":"in_2","subscription":"sub_2"}}}"#;
        assert_eq!(
            event_ref(older).unwrap().subscription.as_deref(),
            Some("sub_2")
        );
        assert_eq!(event_ref("{not json"), None);
        assert_eq!(event_ref(r#"{"type":"x"}"#), None, "an event needs an id");
    }
}
