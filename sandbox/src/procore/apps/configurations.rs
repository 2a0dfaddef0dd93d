//! `/rest/v1.0/companies/{company_id}/app_configurations[/{id}]` (procore-api.md §8.6):
//! list (filters[app_installation_id], filters[project_id]), create, show, update, delete.
//!
//! App Management belongs to company admins: members who are not admins get 403, as in
//! Procore. Project Central uses the list to learn who may buy licences.

use axum::body::Bytes;
use axum::extract::{Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Map, Value};

use super::super::rest::{company_header, errors, param, query_params, ApiError};
use super::super::tokens::Principal;
use super::super::Shared;
use super::Configuration;

/// Checks the company header and that the caller is one of its admins.
fn admin_of(
    state: &Shared,
    who: &Principal,
    headers: &HeaderMap,
    company_id: i64,
) -> Result<(), ApiError> {
    let header_id = company_header(headers)?;
    if header_id != company_id {
        return Err(ApiError(
            StatusCode::BAD_REQUEST,
            format!("Procore-Company-Id header ({header_id}) does not match company {company_id}"),
        ));
    }
    match state.seed.membership(who, company_id) {
        Some(true) => Ok(()),
        Some(false) => Err(ApiError(
            StatusCode::FORBIDDEN,
            "You do not have permission to manage apps in this company".into(),
        )),
        None => Err(ApiError(
            StatusCode::FORBIDDEN,
            format!("You do not have access to company {company_id}"),
        )),
    }
}

fn not_found() -> Response {
    errors(StatusCode::NOT_FOUND, "404 Not Found")
}

/// `GET …/app_configurations`.
pub(crate) async fn list(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path(company_id): Path<i64>,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(err) = admin_of(&state, &who, &headers, company_id) {
        return err.into_response();
    }
    let params = query_params(raw.as_deref());
    let number = |key: &str| -> Result<Option<i64>, Response> {
        match param(&params, key) {
            None => Ok(None),
            Some(v) => v.trim().parse().map(Some).map_err(|_| {
                errors(
                    StatusCode::BAD_REQUEST,
                    format!("{key} must be an integer, got {v:?}"),
                )
            }),
        }
    };
    let (installation, project) = match (
        number("filters[app_installation_id]"),
        number("filters[project_id]"),
    ) {
        (Ok(i), Ok(p)) => (i, p),
        (Err(res), _) | (_, Err(res)) => return res,
    };
    let installs = state.installs();
    let items: Vec<Value> = installs
        .configurations_of(company_id)
        .filter(|c| installation.is_none_or(|i| c.app_installation_id == i))
        .filter(|c| project.is_none_or(|p| c.covers(p)))
        .map(Configuration::json)
        .collect();
    Json(items).into_response()
}

/// `GET …/app_configurations/{id}`.
pub(crate) async fn show(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((company_id, id)): Path<(i64, i64)>,
) -> Response {
    if let Err(err) = admin_of(&state, &who, &headers, company_id) {
        return err.into_response();
    }
    let found = state
        .installs()
        .configurations_of(company_id)
        .find(|c| c.id == id)
        .map(Configuration::json);
    match found {
        Some(body) => Json(body).into_response(),
        None => not_found(),
    }
}

/// The body's fields, unwrapped from `{"app_configuration": {…}}` when wrapped.
fn body_object(body: &[u8]) -> Result<Map<String, Value>, Response> {
    let value: Value = serde_json::from_slice(body)
        .map_err(|_| errors(StatusCode::BAD_REQUEST, "The request body is not JSON."))?;
    let value = match value.get("app_configuration") {
        Some(inner) => inner.clone(),
        None => value,
    };
    match value {
        Value::Object(map) => Ok(map),
        _ => Err(errors(
            StatusCode::BAD_REQUEST,
            "The request body is not a JSON object.",
        )),
    }
}

/// Applies title / projects / instance_configuration / applies_to_* from `fields`.
fn apply(
    state: &Shared,
    c: &mut Configuration,
    fields: &Map<String, Value>,
) -> Result<(), Response> {
    let invalid = |field: &str, msg: &str| {
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "errors": { field: [msg] } })),
        )
            .into_response()
    };
    if let Some(title) = fields.get("title") {
        match title.as_str().map(str::trim) {
            Some(t) if !t.is_empty() => c.title = t.to_owned(),
            _ => return Err(invalid("title", "can't be blank")),
        }
    }
    if let Some(conf) = fields.get("instance_configuration") {
        if !conf.is_object() {
            return Err(invalid("instance_configuration", "must be an object"));
        }
        c.instance_configuration = conf.clone();
    }
    if let Some(all) = fields.get("applies_to_all_projects") {
        c.applies_to_all_projects = all.as_bool().unwrap_or(false);
    }
    if let Some(company) = fields.get("applies_to_company") {
        c.applies_to_company = company.as_bool().unwrap_or(false);
    }
    if let Some(ids) = fields.get("project_ids") {
        let Some(list) = ids.as_array() else {
            return Err(invalid("project_ids", "must be a list of project ids"));
        };
        let mut parsed = Vec::new();
        for v in list {
            let id = v
                .as_i64()
                .or_else(|| v.as_str().and_then(|s| s.parse().ok()));
            match id.and_then(|id| state.seed.project(id)) {
                Some(p) if p.company.id == c.company_id => parsed.push(p.id),
                _ => {
                    return Err(invalid(
                        "project_ids",
                        &format!("{v} is not a project of this company"),
                    ))
                }
            }
        }
        parsed.sort_unstable();
        parsed.dedup();
        c.project_ids = parsed;
    }
    Ok(())
}

/// `POST …/app_configurations` → 201.
pub(crate) async fn create(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path(company_id): Path<i64>,
    body: Bytes,
) -> Response {
    if let Err(err) = admin_of(&state, &who, &headers, company_id) {
        return err.into_response();
    }
    let fields = match body_object(&body) {
        Ok(f) => f,
        Err(res) => return res,
    };
    let installation = fields.get("app_installation_id").and_then(Value::as_i64);
    let known = installation.and_then(|id| state.installs().by_installation(id).map(|(c, _)| c));
    let Some(app_installation_id) = installation.filter(|_| known == Some(company_id)) else {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "errors": { "app_installation_id": ["is not an app installation of this company"] } })),
        )
            .into_response();
    };
    if !fields.contains_key("title") {
        return (
            StatusCode::UNPROCESSABLE_ENTITY,
            Json(json!({ "errors": { "title": ["can't be blank"] } })),
        )
            .into_response();
    }
    let mut c = Configuration {
        id: state.next_id(),
        app_installation_id,
        company_id,
        title: String::new(),
        instance_configuration: json!({}),
        project_ids: Vec::new(),
        applies_to_all_projects: false,
        applies_to_company: false,
    };
    if let Err(res) = apply(&state, &mut c, &fields) {
        return res;
    }
    let body = c.json();
    state.installs().configurations.push(c);
    (StatusCode::CREATED, Json(body)).into_response()
}

/// `PATCH …/app_configurations/{id}`.
pub(crate) async fn update(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((company_id, id)): Path<(i64, i64)>,
    body: Bytes,
) -> Response {
    if let Err(err) = admin_of(&state, &who, &headers, company_id) {
        return err.into_response();
    }
    let fields = match body_object(&body) {
        Ok(f) => f,
        Err(res) => return res,
    };
    let mut installs = state.installs();
    let Some(c) = installs
        .configurations
        .iter_mut()
        .find(|c| c.id == id && c.company_id == company_id)
    else {
        return not_found();
    };
    let mut edited = c.clone();
    if let Err(res) = apply(&state, &mut edited, &fields) {
        return res;
    }
    *c = edited;
    Json(c.json()).into_response()
}

/// `DELETE …/app_configurations/{id}` → 204.
pub(crate) async fn destroy(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((company_id, id)): Path<(i64, i64)>,
) -> Response {
    if let Err(err) = admin_of(&state, &who, &headers, company_id) {
        return err.into_response();
    }
    let mut installs = state.installs();
    let before = installs.configurations.len();
    installs
        .configurations
        .retain(|c| !(c.id == id && c.company_id == company_id));
    if installs.configurations.len() == before {
        return not_found();
    }
    StatusCode::NO_CONTENT.into_response()
}
