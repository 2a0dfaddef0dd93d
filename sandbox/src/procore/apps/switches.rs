//! Test switches for installs: `GET /__sandbox/apps` (apps and install state per company),
//! `POST /__sandbox/apps/{app_key}/install?company_id=` and `…/uninstall?company_id=`.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::super::Shared;

/// Routes of the install switches.
pub(crate) fn router() -> Router<Shared> {
    Router::new()
        .route("/__sandbox/apps", get(show))
        .route("/__sandbox/apps/{app_key}/install", post(install))
        .route("/__sandbox/apps/{app_key}/uninstall", post(uninstall))
}

/// Every app and its status in every company.
pub(crate) fn snapshot(state: &Shared) -> Value {
    let installs = state.installs();
    let apps: Vec<Value> = state
        .opts
        .apps
        .iter()
        .map(|app| {
            let companies: Vec<Value> = state
                .seed
                .companies
                .iter()
                .filter_map(|c| {
                    let i = installs.get(c.id, &app.key)?;
                    Some(json!({
                        "company_id": c.id,
                        "company_name": c.name,
                        "app_installation_id": i.id,
                        "status": if i.installed { "installed" } else { "uninstalled" },
                        "installed_at": i.installed_at,
                        "uninstalled_at": i.uninstalled_at,
                    }))
                })
                .collect();
            json!({
                "key": app.key,
                "name": app.name,
                "client_id": app.client.client_id,
                "fullscreen_url": app.fullscreen_url,
                "sidepanel_url": app.sidepanel_url,
                "sidepanel_views": app.sidepanel_views,
                "notes": app.notes,
                "instructions_url": app.instructions_url,
                "companies": companies,
            })
        })
        .collect();
    json!({ "apps": apps })
}

async fn show(State(state): State<Shared>) -> Response {
    Json(snapshot(&state)).into_response()
}

#[derive(Deserialize)]
struct CompanyQuery {
    company_id: Option<String>,
}

/// Installs or uninstalls; 404 for an unknown app or company.
fn switch(state: &Shared, key: &str, q: CompanyQuery, install: bool) -> Response {
    let Some(company_id) = q.company_id.and_then(|c| c.trim().parse::<i64>().ok()) else {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({ "errors": "company_id (an integer) is required" })),
        )
            .into_response();
    };
    let done = {
        let mut installs = state.installs();
        if install {
            installs.install(company_id, key, (0, "Sandbox switch".into()))
        } else {
            installs.uninstall(company_id, key)
        }
    };
    if !done {
        return (
            StatusCode::NOT_FOUND,
            Json(json!({ "errors": format!("no app {key:?} in company {company_id}") })),
        )
            .into_response();
    }
    let status = if install { "installed" } else { "uninstalled" };
    Json(json!({ "app_key": key, "company_id": company_id, "status": status })).into_response()
}

async fn install(
    State(state): State<Shared>,
    Path(key): Path<String>,
    Query(q): Query<CompanyQuery>,
) -> Response {
    switch(&state, &key, q, true)
}

async fn uninstall(
    State(state): State<Shared>,
    Path(key): Path<String>,
    Query(q): Query<CompanyQuery>,
) -> Response {
    switch(&state, &key, q, false)
}
