//! Per-project directory (procore-api.md §5): locations, vendors, users and project roles,
//! kept in one mutable in-memory [`Directory`] beside the immutable [`super::seed::Seed`].
//!
//! Company directories (users, vendors, role catalogue) are built at start-up; a project's
//! own directory (members, locations, role assignments) is generated deterministically the
//! first time the project is touched, so start-up stays fast with 12,000+ projects. New
//! objects take their ids from one counter above every seeded id range.

mod bulk;
mod data;
pub(crate) mod faults;
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

use super::filters::parse_instant;
use super::paging;
use super::rest::{company_header, param, ApiError};
use super::seed::{iso_timestamp, Project};
use super::tokens::{unix_now, Principal};
use super::Shared;

pub(crate) use bulk::bulk_users;
pub(crate) use data::{Directory, FIRST_NEW_ID};

/// v1.x directory lists: 100 per page by default, at most 1,000 (larger values are clamped).
const DEFAULT_PER_PAGE: usize = 100;
const MAX_PER_PAGE: usize = 1000;

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

/// `filters[...]` of a directory list. Unknown filters are ignored, as Procore does.
pub(crate) struct Filters<'a>(&'a [(String, String)]);

impl<'a> Filters<'a> {
    pub fn new(params: &'a [(String, String)]) -> Self {
        Filters(params)
    }

    /// The value of `filters[name]`, if given and not empty.
    pub fn get(&self, name: &str) -> Option<&'a str> {
        param(self.0, &format!("filters[{name}]"))
            .map(str::trim)
            .filter(|v| !v.is_empty())
    }

    /// Ids of `filters[name]`, `filters[name][]` (repeatable) or a comma list; `None` if absent.
    pub fn ids(&self, name: &str) -> Res<Option<Vec<i64>>> {
        let (one, many) = (format!("filters[{name}]"), format!("filters[{name}][]"));
        let mut out: Option<Vec<i64>> = None;
        for (k, v) in self.0.iter().filter(|(k, _)| *k == one || *k == many) {
            let list = out.get_or_insert_with(Vec::new);
            for part in v.split(',').map(str::trim).filter(|s| !s.is_empty()) {
                list.push(
                    part.parse()
                        .map_err(|_| bad(format!("{k} must be integer ids, got {v:?}")))?,
                );
            }
        }
        Ok(out)
    }

    /// An inclusive `A...B` range of Unix seconds from `filters[name]`.
    pub fn range(&self, name: &str) -> Res<Option<(i64, i64)>> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let parsed = v.split_once("...").and_then(|(a, b)| {
            Some((
                parse_instant(a.trim(), false)?,
                parse_instant(b.trim(), true)?,
            ))
        });
        match parsed {
            Some(r) => Ok(Some(r)),
            None => Err(bad(format!(
                "filters[{name}] must be an ISO 8601 range like 2024-01-01T00:00:00Z...2024-01-31T23:59:59Z, got {v:?}"
            ))),
        }
    }

    /// The lower-cased `filters[search]`.
    pub fn search(&self) -> Option<String> {
        self.get("search").map(str::to_lowercase)
    }
}

/// True when `t` lies in the optional inclusive range.
pub(crate) fn within(range: Option<(i64, i64)>, t: i64) -> bool {
    range.is_none_or(|(a, b)| a <= t && t <= b)
}

/// Pages `items` (already filtered, in id order) and renders the page. With `sort`
/// (one of `sorts`, optionally `-` for descending) every item is rendered and sorted by
/// that key of its JSON, ties by id.
pub(crate) fn list_response<T>(
    items: &[T],
    render: impl Fn(&T) -> Value,
    params: &[(String, String)],
    sorts: &[&str],
    base: &str,
    raw: Option<&str>,
) -> Res {
    let req = paging::parse(params, DEFAULT_PER_PAGE, MAX_PER_PAGE).map_err(bad)?;
    let headers = paging::headers(req, items.len(), base, raw);
    let body: Vec<Value> = match param(params, "sort").map(str::trim) {
        None | Some("") | Some("id") => req.slice(items).iter().map(&render).collect(),
        Some(sort) => {
            let (desc, key) = match sort.strip_prefix('-') {
                Some(k) => (true, k),
                None => (false, sort),
            };
            if key != "id" && !sorts.contains(&key) {
                return Err(bad(format!(
                    "sort must be one of id, {}, optionally prefixed by -, got {sort:?}",
                    sorts.join(", ")
                )));
            }
            let mut all: Vec<Value> = items.iter().map(&render).collect();
            all.sort_by(|a, b| {
                let o = cmp_json(&a[key], &b[key]).then(cmp_json(&a["id"], &b["id"]));
                if desc {
                    o.reverse()
                } else {
                    o
                }
            });
            req.slice(&all).to_vec()
        }
    };
    Ok((headers, Json(body)).into_response())
}

fn cmp_json(a: &Value, b: &Value) -> std::cmp::Ordering {
    use std::cmp::Ordering;
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => x
            .as_f64()
            .partial_cmp(&y.as_f64())
            .unwrap_or(Ordering::Equal),
        (Value::String(x), Value::String(y)) => x.to_lowercase().cmp(&y.to_lowercase()),
        (Value::Null, Value::Null) => Ordering::Equal,
        (Value::Null, _) => Ordering::Less,
        (_, Value::Null) => Ordering::Greater,
        _ => Ordering::Equal,
    }
}
