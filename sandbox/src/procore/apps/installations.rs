//! `GET /rest/v1.0/app_installations?company_id=` (procore-api.md §9): every marketplace
//! app's install record in the company. It answers even for an uninstalled app, so a
//! client can learn why its other calls get 403.

use axum::extract::{RawQuery, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::super::rest::{company_scope, query_params};
use super::super::tokens::Principal;
use super::super::Shared;

/// The company's installations, one per registered marketplace app.
pub(crate) async fn list(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = query_params(raw.as_deref());
    let company_id = match company_scope(&state, &who, &headers, &params) {
        Ok((id, _)) => id,
        Err(err) => return err.into_response(),
    };
    let installs = state.installs();
    let items: Vec<Value> = state
        .opts
        .apps
        .iter()
        .filter_map(|app| {
            let i = installs.get(company_id, &app.key)?;
            Some(json!({
                "id": i.id,
                "app_uid": app.client.client_id,
                "status": if i.installed { "installed" } else { "uninstalled" },
                "installed_at": i.installed_at,
                "uninstalled_at": i.uninstalled_at,
                "installer": { "id": i.installer.0, "name": i.installer.1 },
                "semantic_version": "1.0.0",
                "components": app.components,
                "developer_app": { "uid": app.client.client_id, "name": app.name },
            }))
        })
        .collect();
    Json(items).into_response()
}
