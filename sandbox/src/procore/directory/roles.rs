//! Roles (procore-api.md §5.4): the company's role catalogue and project role
//! assignments (a named company role held by a project member).

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::{json, Value};

use super::data::{contact_id, Assignment, CompanyDir};
use super::{
    bad, company_path_scope, invalid, json_body, list_response, missing, now, opt_id, opt_str,
    path_id, project_scope, respond, within, wrapper, Fail, Filters, Res,
};
use crate::procore::rest::{param, query_params, self_base};
use crate::procore::seed::Project;
use crate::procore::tokens::Principal;
use crate::procore::Shared;

/// `GET /rest/v1.0/companies/{company_id}/roles` → `[{id, name}]`.
pub(crate) async fn catalogue(
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
        let mut guard = state.dir();
        let roles = &guard.company(company_id).roles;
        let base = self_base(&headers, &uri);
        let render = |r: &(i64, String)| json!({ "id": r.0, "name": r.1 });
        list_response(roles, render, &params, &["name"], &base, raw.as_deref())
    })())
}

/// The project named by `project_id` (query, or the JSON body for POST).
fn project_of<'a>(
    state: &'a Shared,
    who: &Principal,
    headers: &HeaderMap,
    params: &[(String, String)],
    body: Option<&Value>,
) -> Res<&'a Project> {
    let from_body = body
        .and_then(|b| b.get("project_id"))
        .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned));
    let Some(id) = param(params, "project_id").map(str::to_owned).or(from_body) else {
        return Err(bad("project_id is missing"));
    };
    project_scope(state, who, headers, &id)
}

fn render(a: &Assignment, company: &CompanyDir) -> Value {
    let user = company.users.get(&a.user_id);
    json!({
        "id": a.id, "name": user.map(|u| u.name()), "role": a.role, "user_id": a.user_id,
        "contact_id": contact_id(a.user_id), "is_active": user.is_none_or(|u| u.is_active),
        "created_at": super::ts(a.created),
    })
}

/// `GET /rest/v1.0/project_roles?project_id=` (paged; `filters[created_at]`).
pub(crate) async fn list(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Response {
    respond((|| {
        let params = query_params(raw.as_deref());
        let project = project_of(&state, &who, &headers, &params, None)?;
        let created = Filters::new(&params).range("created_at")?;
        let mut guard = state.dir();
        let (company, dir) = guard.both(&state.seed, project);
        let items: Vec<&Assignment> = dir
            .roles
            .values()
            .filter(|a| within(created, a.created))
            .collect();
        let base = self_base(&headers, &uri);
        let sorts = &["role", "name", "created_at"];
        list_response(
            &items,
            |a| render(a, company),
            &params,
            sorts,
            &base,
            raw.as_deref(),
        )
    })())
}

/// `POST /rest/v1.0/project_roles` `{"project_id":P,"project_role":{"role","user_id"}}` → 201;
/// 422 for an unknown role, 404 for a user not on the project, 409 for a duplicate.
pub(crate) async fn create(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    RawQuery(raw): RawQuery,
    body: Bytes,
) -> Response {
    respond((|| {
        let params = query_params(raw.as_deref());
        let whole = Value::Object(json_body(&body)?);
        let project = project_of(&state, &who, &headers, &params, Some(&whole))?;
        let m = wrapper(&body, "project_role")?;
        let role = opt_str(&m, "role")?.flatten().unwrap_or_default();
        let Some(user_id) = opt_id(&m, "user_id")?.flatten() else {
            return Err(invalid("user_id", "can't be blank"));
        };
        let mut guard = state.dir();
        let (company, dir) = guard.both(&state.seed, project);
        let Some((_, role)) = company
            .roles
            .iter()
            .find(|(_, r)| r.eq_ignore_ascii_case(role.trim()))
        else {
            return Err(invalid("role", "is not a role of this company"));
        };
        if !dir.users.contains(&user_id) {
            return Err(missing("User"));
        }
        if dir
            .roles
            .values()
            .any(|a| a.user_id == user_id && &a.role == role)
        {
            return Err(Fail::Msg(
                StatusCode::CONFLICT,
                format!("User {user_id} already holds the role {role} on this project"),
            ));
        }
        let a = Assignment {
            id: state.next_id(),
            role: role.clone(),
            user_id,
            created: now(),
        };
        let json = render(&a, company);
        dir.roles.insert(a.id, a);
        Ok((StatusCode::CREATED, Json(json)).into_response())
    })())
}

/// `DELETE /rest/v1.0/project_roles/{id}?project_id=` → 204.
pub(crate) async fn remove(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path(id): Path<String>,
    RawQuery(raw): RawQuery,
) -> Response {
    respond((|| {
        let params = query_params(raw.as_deref());
        let project = project_of(&state, &who, &headers, &params, None)?;
        let id = path_id(&id, "Project role")?;
        let mut guard = state.dir();
        match guard.project(&state.seed, project).roles.remove(&id) {
            Some(_) => Ok(StatusCode::NO_CONTENT.into_response()),
            None => Err(missing("Project role")),
        }
    })())
}
