//! The HTTP edges: sign-in routes, the Stripe webhook, health probes, the security layers
//! and the typed session. Each area exposes `router()`; [`router`] merges them.

pub mod auth;
pub mod bad_input;
pub mod health;
pub mod limits;
pub mod security;
pub mod session;
pub mod sign_in_cookie;
pub mod webhooks;

use axum::Router;

use crate::startup::AppState;

/// Every non-Leptos route.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(auth::router())
        .merge(webhooks::router())
}
