//! Project lists and show: `GET /rest/v1.1/projects`, `GET /rest/v1.0/projects`,
//! `GET /rest/v1.0/companies/{company_id}/projects` and `GET /rest/v1.0/projects/{id}`
//! (procore-api.md §4). Visibility: company admins see every project of the company,
//! other users the projects they are assigned to, service accounts the permitted ones.

use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::filters::{self, ProjectFilters};
use super::rest::{
    company_header, company_scope, errors, paged, param, query_params, self_base, ApiError,
};
use super::seed::Project;
use super::tokens::Principal;
use super::Shared;

/// v1.x list pagination of the project endpoints: 100 by default, at most 300.
const DEFAULT_PER_PAGE: usize = 100;
const MAX_PER_PAGE: usize = 300;

/// The visible projects of a company that pass `f`, sorted by the `sort` parameter.
fn visible<'a>(
    state: &'a Shared,
    who: &Principal,
    company_id: i64,
    admin: bool,
    f: &ProjectFilters,
    params: &[(String, String)],
) -> Result<Vec<&'a Project>, ApiError> {
    let mut list: Vec<&Project> = state
        .seed
        .projects_of(company_id)
        .filter(|p| admin || state.seed.can_see(who, p))
        .filter(|p| f.matches(p))
        .collect();
    match param(params, "sort").unwrap_or("id") {
        "id" => {}
        "-id" => list.reverse(),
        "name" => list.sort_by(|a, b| a.name.cmp(&b.name).then(a.id.cmp(&b.id))),
        "-name" => list.sort_by(|a, b| b.name.cmp(&a.name).then(b.id.cmp(&a.id))),
        other => {
            return Err(ApiError(
                StatusCode::BAD_REQUEST,
                format!("sort must be one of id, -id, name, -name, got {other:?}"),
            ))
        }
    }
    Ok(list)
}

/// Shared body of the two `company_id`-query list endpoints.
async fn list(
    state: Shared,
    who: Principal,
    headers: HeaderMap,
    uri: OriginalUri,
    raw: Option<String>,
    allowed: &[&str],
    render: fn(&Project, &[(String, String)]) -> Value,
) -> Response {
    let params = query_params(raw.as_deref());
    let (company_id, admin) = match company_scope(&state, &who, &headers, &params) {
        Ok(scope) => scope,
        Err(res) => return res.into_response(),
    };
    let f = match filters::parse(&params, allowed) {
        Ok(f) => f,
        Err(msg) => return errors(StatusCode::BAD_REQUEST, msg),
    };
    let list = match visible(&state, &who, company_id, admin, &f, &params) {
        Ok(list) => list,
        Err(res) => return res.into_response(),
    };
    let items: Vec<Value> = list.into_iter().map(|p| render(p, &params)).collect();
    let base = self_base(&headers, &uri);
    paged(
        &items,
        &params,
        DEFAULT_PER_PAGE,
        MAX_PER_PAGE,
        &base,
        raw.as_deref(),
    )
}

/// `GET /rest/v1.1/projects?company_id=`: the v1.1 normal view.
pub(crate) async fn list_v11(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Response {
    list(
        state,
        who,
        headers,
        uri,
        raw,
        filters::V11_PROJECTS,
        |p, _| json!(p),
    )
    .await
}

/// `GET /rest/v1.0/projects?company_id=`: the v1.0 shape, or id/name/display_name with
/// `serializer_view=compact`.
pub(crate) async fn list_v10(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Response {
    list(state, who, headers, uri, raw, filters::V10_PROJECTS, v10).await
}

/// A project in the v1.0 shape (pysdk `Project1`).
fn v10(p: &Project, params: &[(String, String)]) -> Value {
    if param(params, "serializer_view") == Some("compact") {
        return json!({ "id": p.id, "name": p.name, "display_name": p.display_name });
    }
    let mut v = json!(p);
    let extra = json!({
        "is_demo": false, "parent_job_id": null, "county": null, "latitude": null,
        "longitude": null, "stage": p.project_stage.name, "project_template": null,
        "phone": null, "owners_project_id": null, "total_value": null, "store_number": null,
        "accounting_project_number": null, "designated_market_area": null,
        "project_region_id": null, "project_bid_type_id": null, "project_owner_type_id": null,
        "photo_id": null, "estimated_value": null, "fax": null, "custom_fields": {},
    });
    if let (Some(v), Value::Object(extra)) = (v.as_object_mut(), extra) {
        v.extend(extra);
    }
    v
}

/// A project in the company-scoped shape (pysdk `Project6`).
fn company_item(p: &Project) -> Value {
    json!({
        "id": p.id,
        "name": p.name,
        "address": {
            "street": p.address, "city": p.city, "state_code": p.state_code,
            "country_code": p.country_code, "zip": p.zip,
        },
        "stage_name": p.project_stage.name,
        "status_name": if p.active { "Active" } else { "Inactive" },
        "type_name": null,
        "open_items": [],
        "created_by": null,
    })
}

/// `GET /rest/v1.0/companies/{company_id}/projects`: the company's projects the caller can
/// see, active and inactive (`status_name` tells them apart), paginated like the others.
pub(crate) async fn company_projects(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    uri: OriginalUri,
    Path(company_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = query_params(raw.as_deref());
    let Ok(company_id) = company_id.parse::<i64>() else {
        return errors(StatusCode::NOT_FOUND, "404 Not Found");
    };
    let header_id = match company_header(&headers) {
        Ok(id) => id,
        Err(res) => return res.into_response(),
    };
    if header_id != company_id {
        return errors(
            StatusCode::BAD_REQUEST,
            format!("Procore-Company-Id header ({header_id}) does not match company {company_id}"),
        );
    }
    let Some(admin) = state.seed.membership(&who, company_id) else {
        return errors(
            StatusCode::FORBIDDEN,
            format!("You do not have access to company {company_id}"),
        );
    };
    let mut f = match filters::parse(&params, filters::COMPANY_PROJECTS) {
        Ok(f) => f,
        Err(msg) => return errors(StatusCode::BAD_REQUEST, msg),
    };
    f.include_inactive();
    let list = match visible(&state, &who, company_id, admin, &f, &params) {
        Ok(list) => list,
        Err(res) => return res.into_response(),
    };
    let items: Vec<Value> = list.into_iter().map(company_item).collect();
    let base = self_base(&headers, &uri);
    paged(
        &items,
        &params,
        DEFAULT_PER_PAGE,
        MAX_PER_PAGE,
        &base,
        raw.as_deref(),
    )
}

/// `GET /rest/v1.0/projects/{id}?company_id=`: 404 (not 403) for projects the caller
/// cannot see, as Procore does.
pub(crate) async fn show(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    let params = query_params(raw.as_deref());
    let (company_id, _) = match company_scope(&state, &who, &headers, &params) {
        Ok(scope) => scope,
        Err(res) => return res.into_response(),
    };
    let found = id
        .parse::<i64>()
        .ok()
        .and_then(|id| state.seed.project(id))
        .filter(|p| p.company.id == company_id && state.seed.can_see(&who, p));
    match found {
        Some(p) => Json(p).into_response(),
        None => errors(StatusCode::NOT_FOUND, "Project not found"),
    }
}
