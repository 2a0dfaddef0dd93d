//! `POST /billing/portal`: **Manage payment details** as a plain form (before the page has
//! hydrated, or without JavaScript). Opens a Customer Portal session for the caller's
//! company and answers 303 to it; the hydrated page asks the `open_billing_portal` server
//! function instead, so both share the port and its rules.

use std::sync::Arc;

use app::ports::{Accounts, Billing};
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use tower_sessions::Session;

use crate::startup::{AppState, Services};

/// The portal route.
pub fn router() -> Router<AppState> {
    Router::new().route("/billing/portal", post(open_portal))
}

#[tracing::instrument(skip_all)]
async fn open_portal(State(services): State<Arc<Services>>, session: Session) -> Response {
    let opened = async {
        let caller = services.accounts.caller(&session).await?;
        services.billing_service.portal_url(&caller).await
    };
    match opened.await {
        // 303: the browser follows with a GET. The URL is a short-lived bearer link.
        Ok(url) => Redirect::to(&url).into_response(),
        Err(error) if error.needs_sign_in() => Redirect::to("/auth/procore/login").into_response(),
        Err(error) => {
            let status =
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, error.to_string()).into_response()
        }
    }
}
