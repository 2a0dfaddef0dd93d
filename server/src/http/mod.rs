//! The HTTP edges: sign-in routes, the Customer Portal form, the Stripe webhook, health
//! probes, the security layers, the 404 of project pages that are not the caller's and the
//! typed session. Each area exposes `router()`; [`router`] merges them.

pub mod auth;
pub mod bad_input;
pub mod billing;
pub mod client_address;
pub mod embedded;
pub mod embedded_panel;
pub mod health;
pub mod limits;
pub mod project_pages;
pub mod security;
pub mod session;
pub mod sign_in_cookie;
pub mod sync_log;
pub mod webhooks;

use axum::http::{header, HeaderMap};
use axum::Router;

use crate::startup::AppState;

/// Every non-Leptos route.
pub fn router() -> Router<AppState> {
    Router::new()
        .merge(health::router())
        .merge(auth::router())
        .merge(billing::router())
        .merge(webhooks::router())
        .merge(sync_log::router())
        .merge(embedded::router())
        .merge(crate::badges::router())
}

/// The value of the first request cookie whose name `wanted` accepts.
pub fn cookie_value(headers: &HeaderMap, wanted: impl Fn(&str) -> bool) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| wanted(name))
        .map(|(_, value)| value.to_string())
}
