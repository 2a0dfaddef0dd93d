//! `POST /webhooks/stripe`: verify the signature on the raw body, deduplicate by event id,
//! then apply the object's *current* state (re-fetched), so arrival order does not matter.

use std::sync::Arc;

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use stripe_webhook::{EventObject, Webhook, WebhookError};

use crate::startup::{AppState, Services};

/// The webhook route.
pub fn router() -> Router<AppState> {
    Router::new().route("/webhooks/stripe", post(receive))
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
    let event = match Webhook::construct_event(&body, signature, &services.stripe_webhook_secret) {
        Ok(event) => event,
        Err(WebhookError::BadParse(reason)) => {
            tracing::warn!(reason, "unparseable Stripe event");
            return (StatusCode::BAD_REQUEST, "unparseable event");
        }
        Err(error) => {
            tracing::warn!(%error, "Stripe webhook signature rejected");
            return (StatusCode::BAD_REQUEST, "invalid signature");
        }
    };
    let event_id = event.id.to_string();
    let event_type = event.type_.to_string();
    match services
        .db
        .record_stripe_event(&event_id, &event_type)
        .await
    {
        Ok(true) => {}
        Ok(false) => return (StatusCode::OK, "duplicate"),
        Err(error) => {
            tracing::error!(%error, "recording Stripe event failed");
            return (StatusCode::SERVICE_UNAVAILABLE, "try again");
        }
    }
    let applied = match event.data.object {
        EventObject::CheckoutSessionCompleted(session)
        | EventObject::CheckoutSessionAsyncPaymentSucceeded(session) => services
            .licensing
            .reconcile_session(session.id.as_ref())
            .await
            .map(|_| ()),
        EventObject::CustomerSubscriptionCreated(sub)
        | EventObject::CustomerSubscriptionUpdated(sub)
        | EventObject::CustomerSubscriptionDeleted(sub)
        | EventObject::CustomerSubscriptionPaused(sub)
        | EventObject::CustomerSubscriptionResumed(sub) => {
            services.licensing.sync_subscription(sub.id.as_ref()).await
        }
        EventObject::InvoicePaid(invoice) | EventObject::InvoicePaymentFailed(invoice) => {
            match invoice_subscription(&invoice) {
                Some(id) => services.licensing.sync_subscription(&id).await,
                None => Ok(()),
            }
        }
        _ => {
            tracing::debug!(event_type, "Stripe event not used");
            Ok(())
        }
    };
    match applied {
        Ok(()) => {
            tracing::info!(event_type, "Stripe event applied");
            (StatusCode::OK, "ok")
        }
        Err(error) => {
            // Let Stripe retry: forget the id so the retry is not taken for a duplicate.
            tracing::warn!(%error, event_type, "applying Stripe event failed; Stripe will retry");
            let _ = services.db.forget_stripe_event(&event_id).await;
            (StatusCode::SERVICE_UNAVAILABLE, "try again")
        }
    }
}

fn invoice_subscription(invoice: &stripe_shared::Invoice) -> Option<String> {
    let parent = invoice.parent.as_ref()?;
    let details = parent.subscription_details.as_ref()?;
    Some(details.subscription.id().to_string())
}
