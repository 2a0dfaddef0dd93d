//! Per-project directory (procore-api.md §5): locations, vendors, users and project roles,
//! kept in one mutable in-memory [`Directory`] beside the immutable [`super::seed::Seed`].
//!
//! Company directories (users, vendors, role catalogue) are built at start-up; a project's
//! own directory (members, locations, role assignments) is generated deterministically the
//! first time the project is touched, so start-up stays fast with 12,000+ projects. New
//! objects take their ids from one counter above every seeded id range.

mod bulk;
mod company_vendors;
mod data;
pub(crate) mod faults;
mod list;
mod locations;
mod roles;
mod seed;
mod users;
mod vendors;
mod words;

use axum::body::Bytes;
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::{json, Map, Value};

use super::rest::{company_header, ApiError};
use super::seed::{iso_timestamp, Project};
use super::tokens::{unix_now, Principal};
use super::Shared;

pub(crate) use bulk::bulk_users;
pub(crate) use data::{Directory, FIRST_NEW_ID};
pub(crate) use list::{list_response, within, Filters};

/// Routes of the directory endpoints, below `/rest`.
pub(crate) fn router() -> Router<Shared> {
    let p = "/v1.0/projects/{project_id}";
    Router::new()
        .route(
            &format!("{p}/locations"),
            get(locations::list).post(locations::create),
        )
        .route(
            &format!("{p}/locations/find_or_create_by_path"),
            post(locations::find_or_create),
        )
        .route(
            &format!("{p}/locations/{{id}}"),
            get(locations::show)
                .patch(locations::update)
                .delete(locations::delete_v10),
        )
        .route(
            "/v1.1/projects/{project_id}/locations/{id}",
            delete(locations::delete_v11),
        )
        .merge(vendors::router())
        .merge(users::router())
        .route("/v1.0/companies/{company_id}/roles", get(roles::catalogue))
        .route("/v1.0/project_roles", get(roles::list).post(roles::create))
        .route("/v1.0/project_roles/{id}", delete(roles::remove))
}

/// An error answer: a message (`{"errors": "..."}`) or field messages (`{"errors": {...}}`).
pub(crate) enum Fail {
    Msg(StatusCode, String),
    Fields(StatusCode, Box<Value>),
}

impl IntoResponse for Fail {
    fn into_response(self) -> Response {
        match self {
            Fail::Msg(status, msg) => (status, Json(json!({ "errors": msg }))).into_response(),
            Fail::Fields(status, v) => (status, Json(json!({ "errors": *v }))).into_response(),
        }
    }
}

impl From<ApiError> for Fail {
    fn from(e: ApiError) -> Self {
        Fail::Msg(e.0, e.1)
    }
}

pub(crate) type Res<T = Response> = Result<T, Fail>;

/// 400 with a message.
pub(crate) fn bad(msg: impl Into<String>) -> Fail {
    Fail::Msg(StatusCode::BAD_REQUEST, msg.into())
}

/// 404 with a message.
pub(crate) fn missing(what: &str) -> Fail {
    Fail::Msg(StatusCode::NOT_FOUND, format!("{what} not found"))
}

/// 422 `{"errors": {field: [msg]}}`, Rails-style validation errors.
pub(crate) fn invalid(field: &str, msg: &str) -> Fail {
    Fail::Fields(
        StatusCode::UNPROCESSABLE_ENTITY,
        Box::new(json!({ field: [msg] })),
    )
}

/// Unwraps a handler result.
pub(crate) fn respond(r: Res) -> Response {
    r.unwrap_or_else(IntoResponse::into_response)
}

/// Now, in Unix seconds (timestamps have second precision).
pub(crate) fn now() -> i64 {
    unix_now() as i64
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub(crate) fn ts(secs: i64) -> String {
    iso_timestamp(secs)
}

/// Parses a JSON body and returns the object under `key` (400 when malformed or absent).
pub(crate) fn wrapper(body: &Bytes, key: &str) -> Res<Map<String, Value>> {
    let v = json_body(body)?;
    match v.get(key) {
        Some(Value::Object(m)) => Ok(m.clone()),
        _ => Err(bad(format!(
            "param is missing or the value is empty: {key}"
        ))),
    }
}

/// Parses a JSON object body (400 when malformed).
pub(crate) fn json_body(body: &Bytes) -> Res<Map<String, Value>> {
    match serde_json::from_slice::<Value>(body) {
        Ok(Value::Object(m)) => Ok(m),
        Ok(_) => Err(bad("The request body must be a JSON object")),
        Err(e) => Err(bad(format!("Malformed JSON body: {e}"))),
    }
}

/// An optional string field: absent → `None`, null → `Some(None)`; other types → 422.
pub(crate) fn opt_str(m: &Map<String, Value>, key: &str) -> Res<Option<Option<String>>> {
    match m.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::String(s)) => Ok(Some(Some(s.clone()))),
        Some(Value::Number(n)) => Ok(Some(Some(n.to_string()))),
        Some(_) => Err(invalid(key, "must be a string")),
    }
}

/// Sets each string field given in `m` (null clears it); the others are left alone.
pub(crate) fn set_strs<const N: usize>(
    m: &Map<String, Value>,
    fields: [(&str, &mut Option<String>); N],
) -> Res<()> {
    for (key, field) in fields {
        if let Some(value) = opt_str(m, key)? {
            *field = value;
        }
    }
    Ok(())
}

/// The `origin_id` given in `m` for record `id`, if any (`Some(None)` clears it); 422 when
/// another of the company's records (`records`: id and origin id) already has it, as Procore
/// answers.
pub(crate) fn new_origin_id<'a>(
    m: &Map<String, Value>,
    id: i64,
    records: impl IntoIterator<Item = (i64, Option<&'a str>)>,
) -> Res<Option<Option<String>>> {
    let origin = opt_str(m, "origin_id")?;
    if let Some(Some(wanted)) = &origin {
        let mut others = records.into_iter().filter(|(other, _)| *other != id);
        if others.any(|(_, taken)| taken == Some(wanted.as_str())) {
            return Err(invalid("origin_id", "has already been taken"));
        }
    }
    Ok(origin)
}

/// An optional id field (number or numeric string): absent → `None`, null → `Some(None)`.
pub(crate) fn opt_id(m: &Map<String, Value>, key: &str) -> Res<Option<Option<i64>>> {
    match m.get(key) {
        None => Ok(None),
        Some(Value::Null) => Ok(Some(None)),
        Some(Value::Number(n)) => n
            .as_i64()
            .map(|v| Some(Some(v)))
            .ok_or_else(|| invalid(key, "must be an integer")),
        Some(Value::String(s)) => s
            .trim()
            .parse()
            .map(|v| Some(Some(v)))
            .map_err(|_| invalid(key, "must be an integer")),
        Some(_) => Err(invalid(key, "must be an integer")),
    }
}

/// An optional boolean field.
pub(crate) fn opt_bool(m: &Map<String, Value>, key: &str) -> Res<Option<bool>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(_) => Err(invalid(key, "must be true or false")),
    }
}

/// A path id; anything but an integer is an unknown record.
pub(crate) fn path_id(raw: &str, what: &str) -> Res<i64> {
    raw.trim().parse().map_err(|_| missing(what))
}

/// Checks `Procore-Company-Id` and that the caller may see the project; returns the
/// project. 403 outside the company, 404 for a project it cannot see.
pub(crate) fn project_scope<'a>(
    state: &'a Shared,
    who: &Principal,
    headers: &HeaderMap,
    project_id: &str,
) -> Res<&'a Project> {
    let company_id = member_of(state, who, company_header(headers)?)?;
    let project = project_id
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| state.seed.project(id))
        .filter(|p| p.company.id == company_id && state.seed.can_see(who, p));
    project.ok_or_else(|| missing("Project"))
}

/// Checks that the path's company matches the header and the caller belongs to it.
pub(crate) fn company_path_scope(
    state: &Shared,
    who: &Principal,
    headers: &HeaderMap,
    company_id: &str,
) -> Res<i64> {
    let header_id = company_header(headers)?;
    let company_id: i64 = company_id.trim().parse().map_err(|_| missing("Company"))?;
    if header_id != company_id {
        return Err(bad(format!(
            "Procore-Company-Id header ({header_id}) does not match company {company_id}"
        )));
    }
    member_of(state, who, company_id)
}

/// 403 unless the caller belongs to the company.
pub(crate) fn member_of(state: &Shared, who: &Principal, company_id: i64) -> Res<i64> {
    match state.seed.membership(who, company_id) {
        Some(_) => Ok(company_id),
        None => Err(Fail::Msg(
            StatusCode::FORBIDDEN,
            format!("You do not have access to company {company_id}"),
        )),
    }
}
