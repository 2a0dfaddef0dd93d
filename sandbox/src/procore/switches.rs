//! HTTP test switches under `/__sandbox/`, so Playwright or a shell can drive the
//! same knobs as [`super::ProcoreSandbox`].

use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::apps;
use super::directory::{self, faults};
use super::Shared;

/// Routes of the test switches.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/__sandbox/expire-tokens", post(expire_tokens))
        .route("/__sandbox/rate-limits", post(rate_limits))
        .route("/__sandbox/stats", get(stats))
        .route("/__sandbox/web", get(web))
        .route(
            "/__sandbox/faults",
            get(faults::show).post(faults::set).delete(faults::clear),
        )
        .route(
            "/__sandbox/procore/projects/{project_id}/bulk-users",
            post(directory::bulk_users),
        )
        .merge(apps::switches::router())
}

async fn expire_tokens(State(state): State<Shared>) -> Response {
    state.auth().expire_all_access_tokens();
    Json(json!({ "expired": true })).into_response()
}

#[derive(Deserialize)]
struct Limits {
    hourly: Option<String>,
    spike: Option<String>,
}

/// Sets either or both limits (a missing one keeps its value) and resets every bucket.
async fn rate_limits(State(state): State<Shared>, Query(q): Query<Limits>) -> Response {
    let mut limits = state.limits();
    let (current_hourly, current_spike) = limits.limits();
    let parse = |v: Option<String>, current: u32| match v {
        None => Ok(current),
        Some(s) => s.trim().parse::<u32>().map_err(|_| s),
    };
    match (
        parse(q.hourly, current_hourly),
        parse(q.spike, current_spike),
    ) {
        (Ok(hourly), Ok(spike)) => {
            limits.set_limits(hourly, spike);
            Json(json!({ "hourly": hourly, "spike": spike })).into_response()
        }
        (Err(bad), _) | (_, Err(bad)) => (
            StatusCode::BAD_REQUEST,
            Json(json!({ "errors": format!("limits must be non-negative integers, got {bad:?}") })),
        )
            .into_response(),
    }
}

/// Where the web shell is (its port is chosen at start-up): `{"web_base_url": "http://localhost:PORT"}`.
async fn web(State(state): State<Shared>) -> Response {
    Json(json!({ "web_base_url": state.web_base_url })).into_response()
}

async fn stats(State(state): State<Shared>) -> Response {
    Json(state.counters.snapshot()).into_response()
}
