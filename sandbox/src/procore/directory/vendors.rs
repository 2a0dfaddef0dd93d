//! Vendors (procore-api.md §5.2): the company directory's vendors and the project's
//! vendors among them. Adding or removing a vendor on a project bumps its `updated_at`,
//! so the company list's `filters[updated_at]` reveals membership changes.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Extension, Json, Router};
use serde_json::{Map, Value};

use super::company_vendors as company;
use super::data::{CompanyDir, Vendor};
use super::{
    invalid, list_response, missing, new_origin_id, now, opt_bool, opt_str, path_id, project_scope,
    respond, set_strs, within, wrapper, Filters, Res,
};
use crate::procore::rest::{query_params, self_base};
use crate::procore::tokens::Principal;
use crate::procore::Shared;

const SORTS: &[&str] = &["name", "abbreviated_name", "created_at", "updated_at"];

/// Routes of the vendor endpoints (project routes in v1.0 and v1.1).
pub(crate) fn router() -> Router<Shared> {
    let mut r = Router::new()
        .route("/v1.0/vendors", get(company::list).post(company::create))
        .route(
            "/v1.0/vendors/{id}",
            get(company::show).patch(company::update),
        );
    for v in ["v1.0", "v1.1"] {
        let p = format!("/{v}/projects/{{project_id}}/vendors");
        r = r
            .route(&p, get(list).post(create))
            .route(&format!("{p}/{{id}}"), get(show).patch(update))
            .route(&format!("{p}/{{id}}/actions/add"), post(add))
            .route(&format!("{p}/{{id}}/actions/remove"), delete(remove));
    }
    r
}

/// Filters of the vendor lists (the project list has no `updated_at`; it is ignored there).
pub(super) fn matcher(
    params: &[(String, String)],
    company_list: bool,
) -> Res<impl Fn(&Vendor) -> bool> {
    let f = Filters::new(params);
    let (updated, created) = if company_list {
        (f.range("updated_at")?, f.range("created_at")?)
    } else {
        (None, None)
    };
    let ids = f.ids("id")?;
    let origin = f.get("origin_id").map(str::to_owned);
    let search = f.search();
    Ok(move |v: &Vendor| {
        within(updated, v.updated)
            && within(created, v.created)
            && ids.as_ref().is_none_or(|ids| ids.contains(&v.id))
            && origin
                .as_ref()
                .is_none_or(|o| v.origin_id.as_ref() == Some(o))
            && search.as_ref().is_none_or(|s| {
                [&Some(v.name.clone()), &v.abbreviated_name, &v.trade_name]
                    .iter()
                    .any(|x| x.as_ref().is_some_and(|x| x.to_lowercase().contains(s)))
            })
    })
}

/// Renders vendors with their projects.
pub(super) fn render<'a>(projects: &'a HashMap<i64, Vec<i64>>) -> impl Fn(&&Vendor) -> Value + 'a {
    move |v| v.json(projects.get(&v.id).map_or(&[][..], Vec::as_slice))
}

/// `GET /rest/v1.x/projects/{project_id}/vendors`.
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
        let keep = matcher(&params, false)?;
        let mut guard = state.dir();
        guard.project(&state.seed, project);
        let projects = guard.vendor_projects(&state.seed, project.company.id);
        let (company, dir) = guard.both(&state.seed, project);
        let items: Vec<&Vendor> = dir
            .vendors
            .iter()
            .filter_map(|id| company.vendors.get(id))
            .filter(|v| keep(v))
            .collect();
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

/// Applies `{"vendor": {...}}` fields, validating against the company directory.
pub(super) fn apply(v: &mut Vendor, m: &Map<String, Value>, company: &CompanyDir) -> Res<()> {
    if let Some(name) = opt_str(m, "name")? {
        let name = name.unwrap_or_default().trim().to_owned();
        if name.is_empty() {
            return Err(invalid("name", "can't be blank"));
        }
        v.name = name;
    }
    set_strs(
        m,
        [
            ("abbreviated_name", &mut v.abbreviated_name),
            ("address", &mut v.address),
            ("city", &mut v.city),
            ("state_code", &mut v.state_code),
            ("zip", &mut v.zip),
            ("country_code", &mut v.country_code),
            ("business_phone", &mut v.business_phone),
            ("email_address", &mut v.email_address),
            ("website", &mut v.website),
            ("origin_code", &mut v.origin_code),
            ("origin_data", &mut v.origin_data),
            ("trade_name", &mut v.trade_name),
        ],
    )?;
    let records = company.vendors.values();
    let records = records.map(|x| (x.id, x.origin_id.as_deref()));
    if let Some(origin) = new_origin_id(m, v.id, records)? {
        v.origin_id = origin;
    }
    if let Some(b) = opt_bool(m, "is_active")? {
        v.is_active = b;
    }
    Ok(())
}

/// A new vendor from `{"vendor": {...}}` (name required), not yet stored.
pub(super) fn new_vendor(
    state: &Shared,
    m: &Map<String, Value>,
    company: &CompanyDir,
) -> Res<Vendor> {
    if opt_str(m, "name")?
        .flatten()
        .is_none_or(|n| n.trim().is_empty())
    {
        return Err(invalid("name", "can't be blank"));
    }
    let at = now();
    let mut v = Vendor {
        is_active: true,
        created: at,
        updated: at,
        ..Vendor::default()
    };
    apply(&mut v, m, company)?;
    v.id = state.next_id();
    Ok(v)
}

/// `POST /rest/v1.x/projects/{project_id}/vendors`: creates a company vendor and adds it → 201.
async fn create(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        let m = wrapper(&body, "vendor")?;
        let mut guard = state.dir();
        let (company, dir) = guard.both(&state.seed, project);
        let v = new_vendor(&state, &m, company)?;
        let json = v.json(&[project.id]);
        dir.vendors.insert(v.id);
        company.vendors.insert(v.id, v);
        Ok((StatusCode::CREATED, Json(json)).into_response())
    })())
}

/// The project's vendor `id` (404 unless on the project), as JSON.
fn on_project(state: &Shared, project: &crate::procore::seed::Project, id: i64) -> Res<Value> {
    let mut guard = state.dir();
    let on = guard.project(&state.seed, project).vendors.contains(&id);
    let projects = guard.vendor_projects(&state.seed, project.company.id);
    let v = guard.company(project.company.id).vendors.get(&id);
    match v {
        Some(v) if on => Ok(render(&projects)(&v)),
        _ => Err(missing("Vendor")),
    }
}

/// `GET /rest/v1.x/projects/{project_id}/vendors/{id}`.
async fn show(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((project_id, id)): Path<(String, String)>,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        let json = on_project(&state, project, path_id(&id, "Vendor")?)?;
        Ok(Json(json).into_response())
    })())
}

/// `PATCH /rest/v1.x/projects/{project_id}/vendors/{id}` `{"vendor":{...}}`.
async fn update(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((project_id, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        let id = path_id(&id, "Vendor")?;
        let m = wrapper(&body, "vendor")?;
        on_project(&state, project, id)?;
        company::patch_vendor(&state, project.company.id, id, &m)
    })())
}

/// Adds (`true`) or removes a company vendor on a project; bumps `updated_at` on change.
fn membership(
    state: &Shared,
    project: &crate::procore::seed::Project,
    id: i64,
    add: bool,
) -> Res<()> {
    let mut guard = state.dir();
    let (company, dir) = guard.both(&state.seed, project);
    let v = company
        .vendors
        .get_mut(&id)
        .ok_or_else(|| missing("Vendor"))?;
    let changed = if add {
        dir.vendors.insert(id)
    } else {
        dir.vendors.remove(&id)
    };
    if !add && !changed {
        return Err(missing("Vendor"));
    }
    if changed {
        v.updated = now();
    }
    Ok(())
}

/// `POST .../vendors/{id}/actions/add` → 200 (idempotent).
async fn add(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((project_id, id)): Path<(String, String)>,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        let id = path_id(&id, "Vendor")?;
        membership(&state, project, id, true)?;
        Ok(Json(on_project(&state, project, id)?).into_response())
    })())
}

/// `DELETE .../vendors/{id}/actions/remove` → 204; the vendor stays in the company directory.
async fn remove(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((project_id, id)): Path<(String, String)>,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        membership(&state, project, path_id(&id, "Vendor")?, false)?;
        Ok(StatusCode::NO_CONTENT.into_response())
    })())
}
