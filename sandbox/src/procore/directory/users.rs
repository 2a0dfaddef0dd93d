//! Users (procore-api.md §5.3): company-directory users, and the project's members among
//! them. One record per person and company: the project user *is* the company user, so
//! adding or removing a member bumps that record's `updated_at`.

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use serde_json::{Map, Value};

use super::data::{CompanyDir, DirUser};
use super::{
    company_path_scope, invalid, list_response, missing, new_origin_id, now, opt_bool, opt_id,
    opt_str, path_id, project_scope, respond, set_strs, within, wrapper, Filters, Res,
};
use crate::procore::rest::{query_params, self_base};
use crate::procore::tokens::Principal;
use crate::procore::Shared;

const SORTS: &[&str] = &[
    "name",
    "first_name",
    "last_name",
    "email_address",
    "created_at",
    "updated_at",
];

/// Routes of the user endpoints.
pub(crate) fn router() -> Router<Shared> {
    let p = "/v1.0/projects/{project_id}/users";
    Router::new()
        .route(p, get(list).post(create))
        .route(&format!("{p}/{{id}}"), get(show).patch(update))
        .route(&format!("{p}/{{id}}/actions/add"), post(add))
        .route(&format!("{p}/{{id}}/actions/remove"), delete(remove))
        .route("/v1.3/companies/{company_id}/users", get(company_list))
        .route("/v1.3/companies/{company_id}/users/{id}", get(company_show))
}

/// Filters of the user lists.
fn matcher(params: &[(String, String)]) -> Res<impl Fn(&DirUser) -> bool> {
    let f = Filters::new(params);
    let (updated, created) = (f.range("updated_at")?, f.range("created_at")?);
    let (ids, vendors) = (f.ids("id")?, f.ids("vendor_id")?);
    let origin = f.get("origin_id").map(str::to_owned);
    let search = f.search();
    Ok(move |u: &DirUser| {
        within(updated, u.updated)
            && within(created, u.created)
            && ids.as_ref().is_none_or(|ids| ids.contains(&u.id))
            && vendors
                .as_ref()
                .is_none_or(|v| u.vendor_id.is_some_and(|id| v.contains(&id)))
            && origin
                .as_ref()
                .is_none_or(|o| u.origin_id.as_ref() == Some(o))
            && search.as_ref().is_none_or(|s| {
                u.name().to_lowercase().contains(s) || u.email.to_lowercase().contains(s)
            })
    })
}

/// `GET /rest/v1.0/projects/{project_id}/users`.
async fn list(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    uri: OriginalUri,
    Path(project_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        let params = query_params(raw.as_deref());
        let keep = matcher(&params)?;
        let mut guard = state.dir();
        let (company, dir) = guard.both(&state.seed, project);
        let items: Vec<&DirUser> = dir
            .users
            .iter()
            .filter_map(|id| company.users.get(id))
            .filter(|u| keep(u))
            .collect();
        let base = self_base(&headers, &uri);
        let render = |u: &&DirUser| u.json(&company.vendors);
        list_response(&items, render, &params, SORTS, &base, raw.as_deref())
    })())
}

/// `GET /rest/v1.3/companies/{company_id}/users`.
async fn company_list(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    uri: OriginalUri,
    Path(company_id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    respond((|| {
        let company_id = company_path_scope(&state, &who, &headers, &company_id)?;
        let params = query_params(raw.as_deref());
        let keep = matcher(&params)?;
        let mut guard = state.dir();
        let company = guard.company(company_id);
        let items: Vec<&DirUser> = company.users.values().filter(|u| keep(u)).collect();
        let base = self_base(&headers, &uri);
        let render = |u: &&DirUser| u.json(&company.vendors);
        list_response(&items, render, &params, SORTS, &base, raw.as_deref())
    })())
}

/// `GET /rest/v1.3/companies/{company_id}/users/{id}`.
async fn company_show(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((company_id, id)): Path<(String, String)>,
) -> Response {
    respond((|| {
        let company_id = company_path_scope(&state, &who, &headers, &company_id)?;
        let id = path_id(&id, "User")?;
        let mut guard = state.dir();
        let company = guard.company(company_id);
        let u = company.users.get(&id).ok_or_else(|| missing("User"))?;
        Ok(Json(u.json(&company.vendors)).into_response())
    })())
}

/// One "@" with text on both sides.
pub(crate) fn valid_email(email: &str) -> bool {
    matches!(email.split_once('@'), Some((a, b)) if !a.is_empty() && !b.is_empty() && !b.contains('@'))
        && !email.contains(char::is_whitespace)
}

/// Applies the `{"user": {...}}` fields to `u`, validating against the company directory.
fn apply(u: &mut DirUser, m: &Map<String, Value>, company: &CompanyDir) -> Res<()> {
    if let Some(email) = opt_str(m, "email_address")? {
        let email = email.unwrap_or_default().trim().to_owned();
        if email.is_empty() {
            return Err(invalid("email_address", "can't be blank"));
        }
        if !valid_email(&email) {
            return Err(invalid("email_address", "is invalid"));
        }
        let taken = company
            .users
            .values()
            .any(|o| o.id != u.id && o.email.eq_ignore_ascii_case(&email));
        if taken {
            return Err(invalid("email_address", "has already been taken"));
        }
        u.email = email;
    }
    if let Some(last) = opt_str(m, "last_name")? {
        let last = last.unwrap_or_default().trim().to_owned();
        if last.is_empty() {
            return Err(invalid("last_name", "can't be blank"));
        }
        u.last_name = last;
    }
    if let Some(first) = opt_str(m, "first_name")? {
        u.first_name = first.unwrap_or_default().trim().to_owned();
    }
    set_strs(
        m,
        [
            ("job_title", &mut u.job_title),
            ("business_phone", &mut u.business_phone),
            ("mobile_phone", &mut u.mobile_phone),
            ("employee_id", &mut u.employee_id),
            ("origin_data", &mut u.origin_data),
        ],
    )?;
    let records = company.users.values();
    let records = records.map(|x| (x.id, x.origin_id.as_deref()));
    if let Some(origin) = new_origin_id(m, u.id, records)? {
        u.origin_id = origin;
    }
    if let Some(vendor) = opt_id(m, "vendor_id")? {
        if vendor.is_some_and(|v| !company.vendors.contains_key(&v)) {
            return Err(invalid("vendor_id", "is invalid"));
        }
        u.vendor_id = vendor;
    }
    if let Some(b) = opt_bool(m, "is_active")? {
        u.is_active = b;
    }
    if let Some(b) = opt_bool(m, "is_employee")? {
        u.is_employee = b;
    }
    Ok(())
}

/// `POST /rest/v1.0/projects/{project_id}/users`: creates the company user and adds them
/// → 201; 422 when the email is already in the company directory.
async fn create(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        let m = wrapper(&body, "user")?;
        for required in ["email_address", "last_name"] {
            if opt_str(&m, required)?.flatten().is_none() {
                return Err(invalid(required, "can't be blank"));
            }
        }
        let mut guard = state.dir();
        let (company, dir) = guard.both(&state.seed, project);
        let at = now();
        let mut u = DirUser {
            id: 0,
            first_name: String::new(),
            last_name: String::new(),
            email: String::new(),
            job_title: None,
            business_phone: None,
            mobile_phone: None,
            is_active: true,
            is_employee: false,
            employee_id: None,
            vendor_id: None,
            origin_id: None,
            origin_data: None,
            last_login_at: None,
            created: at,
            updated: at,
        };
        apply(&mut u, &m, company)?;
        u.id = state.next_id();
        let json = u.json(&company.vendors);
        dir.users.insert(u.id);
        company.users.insert(u.id, u);
        Ok((StatusCode::CREATED, Json(json)).into_response())
    })())
}

/// `GET /rest/v1.0/projects/{project_id}/users/{id}` (404 unless on the project).
async fn show(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((project_id, id)): Path<(String, String)>,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        let id = path_id(&id, "User")?;
        let mut guard = state.dir();
        let (company, dir) = guard.both(&state.seed, project);
        let u = dir
            .users
            .get(&id)
            .and_then(|id| company.users.get(id))
            .ok_or_else(|| missing("User"))?;
        Ok(Json(u.json(&company.vendors)).into_response())
    })())
}

/// `PATCH /rest/v1.0/projects/{project_id}/users/{id}` `{"user":{...}}`.
async fn update(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((project_id, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        let id = path_id(&id, "User")?;
        let m = wrapper(&body, "user")?;
        let mut guard = state.dir();
        let (company, dir) = guard.both(&state.seed, project);
        let mut u = match dir.users.get(&id).and_then(|id| company.users.get(id)) {
            Some(u) => u.clone(),
            None => return Err(missing("User")),
        };
        apply(&mut u, &m, company)?;
        u.updated = now();
        let json = u.json(&company.vendors);
        company.users.insert(id, u);
        Ok(Json(json).into_response())
    })())
}

/// `POST .../users/{id}/actions/add`: adds a company user → 200 (idempotent).
async fn add(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((project_id, id)): Path<(String, String)>,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        let id = path_id(&id, "User")?;
        let mut guard = state.dir();
        let (company, dir) = guard.both(&state.seed, project);
        let u = company.users.get_mut(&id).ok_or_else(|| missing("User"))?;
        if dir.users.insert(id) {
            u.updated = now();
        }
        Ok(Json(u.json(&company.vendors)).into_response())
    })())
}

/// `DELETE .../users/{id}/actions/remove` → 204; the user stays in the company directory
/// and loses their roles on the project.
async fn remove(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((project_id, id)): Path<(String, String)>,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        let id = path_id(&id, "User")?;
        let mut guard = state.dir();
        let (company, dir) = guard.both(&state.seed, project);
        if !dir.users.remove(&id) {
            return Err(missing("User"));
        }
        dir.roles.retain(|_, a| a.user_id != id);
        if let Some(u) = company.users.get_mut(&id) {
            u.updated = now();
        }
        Ok(StatusCode::NO_CONTENT.into_response())
    })())
}
