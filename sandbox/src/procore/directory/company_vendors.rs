//! The company vendor directory: `GET/POST /rest/v1.0/vendors` and
//! `GET|PATCH /rest/v1.0/vendors/{id}` (`company_id` in the query or the JSON body).

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{Map, Value};

use super::data::Vendor;
use super::vendors::{apply, matcher, new_vendor, render};
use super::{json_body, list_response, missing, now, path_id, respond, wrapper, Res};
use crate::procore::rest::{company_scope, query_params, self_base};
use crate::procore::tokens::Principal;
use crate::procore::Shared;

const SORTS: &[&str] = &["name", "abbreviated_name", "created_at", "updated_at"];

/// The company of `/rest/v1.0/vendors` calls: `company_id` from the query or the JSON body.
fn company_of(
    state: &Shared,
    who: &Principal,
    headers: &HeaderMap,
    raw: Option<&str>,
    body: Option<&Map<String, Value>>,
) -> Res<i64> {
    let mut params = query_params(raw);
    if let Some(id) = body.and_then(|b| b.get("company_id")) {
        if !params.iter().any(|(k, _)| k == "company_id") {
            let id = id.as_str().map_or_else(|| id.to_string(), str::to_owned);
            params.push(("company_id".into(), id));
        }
    }
    Ok(company_scope(state, who, headers, &params)?.0)
}

/// `GET /rest/v1.0/vendors?company_id=`: the company directory (with `filters[updated_at]`).
pub(super) async fn list(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Response {
    respond((|| {
        let company_id = company_of(&state, &who, &headers, raw.as_deref(), None)?;
        let params = query_params(raw.as_deref());
        let keep = matcher(&params, true)?;
        let mut guard = state.dir();
        let projects = guard.vendor_projects(&state.seed, company_id);
        let company = guard.company(company_id);
        let items: Vec<&Vendor> = company.vendors.values().filter(|v| keep(v)).collect();
        let base = self_base(&headers, &uri);
        list_response(
            &items,
            render(&projects),
            &params,
            SORTS,
            &base,
            raw.as_deref(),
        )
    })())
}

/// `POST /rest/v1.0/vendors` `{"company_id":..,"vendor":{...}}` → 201.
pub(super) async fn create(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    respond((|| {
        let whole = json_body(&body)?;
        let company_id = company_of(&state, &who, &headers, raw.as_deref(), Some(&whole))?;
        let m = wrapper(&body, "vendor")?;
        let mut guard = state.dir();
        let company = guard.company(company_id);
        let v = new_vendor(&state, &m, company)?;
        let json = v.json(&[]);
        company.vendors.insert(v.id, v);
        Ok((StatusCode::CREATED, Json(json)).into_response())
    })())
}

/// `GET /rest/v1.0/vendors/{id}?company_id=`.
pub(super) async fn show(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    respond((|| {
        let company_id = company_of(&state, &who, &headers, raw.as_deref(), None)?;
        let id = path_id(&id, "Vendor")?;
        let mut guard = state.dir();
        let projects = guard.vendor_projects(&state.seed, company_id);
        let v = guard
            .company(company_id)
            .vendors
            .get(&id)
            .ok_or_else(|| missing("Vendor"))?;
        let json = render(&projects)(&v);
        Ok(Json(json).into_response())
    })())
}

/// `PATCH /rest/v1.0/vendors/{id}?company_id=` `{"vendor":{...}}`.
pub(super) async fn update(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    respond((|| {
        let whole = json_body(&body)?;
        let company_id = company_of(&state, &who, &headers, raw.as_deref(), Some(&whole))?;
        let id = path_id(&id, "Vendor")?;
        let m = wrapper(&body, "vendor")?;
        patch_vendor(&state, company_id, id, &m)
    })())
}

/// Updates a company vendor and renders it.
pub(super) fn patch_vendor(
    state: &Shared,
    company_id: i64,
    id: i64,
    m: &Map<String, Value>,
) -> Res {
    let mut guard = state.dir();
    let projects = guard.vendor_projects(&state.seed, company_id);
    let company = guard.company(company_id);
    let mut v = company
        .vendors
        .get(&id)
        .ok_or_else(|| missing("Vendor"))?
        .clone();
    apply(&mut v, m, company)?;
    v.updated = now();
    let json = render(&projects)(&&v);
    company.vendors.insert(id, v);
    Ok(Json(json).into_response())
}
