//! Locations (procore-api.md §5.1): a tree per project whose `name` is the full path
//! joined by `>`. Sibling `node_name`s are unique.

use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, RawQuery, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::{Extension, Json};
use serde_json::Value;

use super::data::{Location, ProjectDir};
use super::{
    invalid, list_response, missing, now, opt_id, opt_str, path_id, project_scope, respond, within,
    wrapper, Filters, Res,
};
use crate::procore::rest::{query_params, self_base};
use crate::procore::tokens::Principal;
use crate::procore::Shared;

const SORTS: &[&str] = &["created_at", "name", "node_name", "parent_id", "updated_at"];

/// `GET /rest/v1.0/projects/{project_id}/locations`.
pub(crate) async fn list(
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
        let f = Filters::new(&params);
        let (updated, ids) = (f.range("updated_at")?, f.ids("id")?);
        let parent = match f.get("parent_id") {
            None => None,
            Some("null") => Some(None),
            Some(v) => Some(Some(v.parse::<i64>().map_err(|_| {
                super::bad(format!("filters[parent_id] must be an integer, got {v:?}"))
            })?)),
        };
        let search = f.search();
        let mut dir = state.dir();
        let dir = dir.project(&state.seed, project);
        let items: Vec<&Location> = dir
            .locations
            .values()
            .filter(|l| within(updated, l.updated))
            .filter(|l| ids.as_ref().is_none_or(|ids| ids.contains(&l.id)))
            .filter(|l| parent.is_none_or(|p| l.parent_id == p))
            .filter(|l| {
                search.as_ref().is_none_or(|s| {
                    dir.path_name(l.id).to_lowercase().contains(s)
                        || l.code.to_lowercase().contains(s)
                })
            })
            .collect();
        let base = self_base(&headers, &uri);
        list_response(
            &items,
            |l| dir.location_json(l),
            &params,
            SORTS,
            &base,
            raw.as_deref(),
        )
    })())
}

/// `GET /rest/v1.0/projects/{project_id}/locations/{id}`.
pub(crate) async fn show(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((project_id, id)): Path<(String, String)>,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        let id = path_id(&id, "Location")?;
        let mut dir = state.dir();
        let dir = dir.project(&state.seed, project);
        let l = dir.locations.get(&id).ok_or_else(|| missing("Location"))?;
        Ok(Json(dir.location_json(l)).into_response())
    })())
}

/// 422 unless `name` is free among the children of `parent` (ignoring `except`).
fn check_sibling(
    dir: &ProjectDir,
    parent: Option<i64>,
    name: &str,
    except: Option<i64>,
) -> Res<()> {
    let taken = dir
        .locations
        .values()
        .any(|l| l.parent_id == parent && l.node_name == name && Some(l.id) != except);
    if taken {
        return Err(invalid("node_name", "has already been taken"));
    }
    Ok(())
}

/// A node name: trimmed, not blank.
fn node_name(raw: Option<String>) -> Res<String> {
    match raw.map(|s| s.trim().to_owned()) {
        Some(s) if !s.is_empty() => Ok(s),
        _ => Err(invalid("node_name", "can't be blank")),
    }
}

/// Adds a node after the checks; returns its id.
fn insert(state: &Shared, dir: &mut ProjectDir, name: String, parent: Option<i64>) -> Res<i64> {
    if let Some(p) = parent {
        if !dir.locations.contains_key(&p) {
            return Err(invalid("parent_id", "is invalid"));
        }
    }
    check_sibling(dir, parent, &name, None)?;
    let id = state.next_id();
    let at = now();
    dir.locations.insert(
        id,
        Location {
            id,
            node_name: name,
            parent_id: parent,
            code: String::new(),
            created: at,
            updated: at,
        },
    );
    Ok(id)
}

/// `POST /rest/v1.0/projects/{project_id}/locations` `{"location":{node_name, parent_id}}` → 201.
pub(crate) async fn create(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        let m = wrapper(&body, "location")?;
        let name = node_name(opt_str(&m, "node_name")?.flatten())?;
        let parent = opt_id(&m, "parent_id")?.flatten();
        let mut guard = state.dir();
        let dir = guard.project(&state.seed, project);
        let id = insert(&state, dir, name, parent)?;
        let json = dir.location_json(&dir.locations[&id]);
        Ok((StatusCode::CREATED, Json(json)).into_response())
    })())
}

/// `POST .../locations/find_or_create_by_path` `{"location":{"path":[..]}}`: 200 with the
/// deepest node when the whole path exists, else 201 after creating the missing nodes.
pub(crate) async fn find_or_create(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path(project_id): Path<String>,
    body: Bytes,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        let m = wrapper(&body, "location")?;
        let Some(Value::Array(parts)) = m.get("path") else {
            return Err(invalid("path", "must be a non-empty array of names"));
        };
        let mut names = Vec::with_capacity(parts.len());
        for part in parts {
            names.push(
                node_name(part.as_str().map(str::to_owned))
                    .map_err(|_| invalid("path", "must be a non-empty array of names"))?,
            );
        }
        if names.is_empty() {
            return Err(invalid("path", "must be a non-empty array of names"));
        }
        let mut guard = state.dir();
        let dir = guard.project(&state.seed, project);
        let (mut parent, mut created) = (None, false);
        for name in names {
            let found = dir
                .locations
                .values()
                .find(|l| l.parent_id == parent && l.node_name == name)
                .map(|l| l.id);
            parent = Some(match found {
                Some(id) => id,
                None => {
                    created = true;
                    insert(&state, dir, name, parent)?
                }
            });
        }
        let l = &dir.locations[&parent.unwrap_or_default()];
        let status = if created {
            StatusCode::CREATED
        } else {
            StatusCode::OK
        };
        Ok((status, Json(dir.location_json(l))).into_response())
    })())
}

/// `PATCH .../locations/{id}` `{"location":{node_name?, parent_id?}}`: rename and/or move;
/// the node and its descendants get their new `name` and `updated_at`.
pub(crate) async fn update(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((project_id, id)): Path<(String, String)>,
    body: Bytes,
) -> Response {
    respond((|| {
        let project = project_scope(&state, &who, &headers, &project_id)?;
        let id = path_id(&id, "Location")?;
        let m = wrapper(&body, "location")?;
        let mut guard = state.dir();
        let dir = guard.project(&state.seed, project);
        let current = dir
            .locations
            .get(&id)
            .ok_or_else(|| missing("Location"))?
            .clone();
        let name = match opt_str(&m, "node_name")? {
            None => current.node_name.clone(),
            Some(raw) => node_name(raw)?,
        };
        let parent = opt_id(&m, "parent_id")?.unwrap_or(current.parent_id);
        let subtree = dir.subtree(id);
        if let Some(p) = parent {
            if !dir.locations.contains_key(&p) || subtree.contains(&p) {
                return Err(invalid("parent_id", "is invalid"));
            }
        }
        check_sibling(dir, parent, &name, Some(id))?;
        let at = now();
        for n in subtree {
            if let Some(l) = dir.locations.get_mut(&n) {
                l.updated = at;
            }
        }
        if let Some(l) = dir.locations.get_mut(&id) {
            l.node_name = name;
            l.parent_id = parent;
        }
        Ok(Json(dir.location_json(&dir.locations[&id])).into_response())
    })())
}

/// Deletes the node and its descendants; returns the deleted node's JSON.
fn remove(
    state: &Shared,
    who: &Principal,
    headers: &HeaderMap,
    project_id: &str,
    id: &str,
) -> Res<Value> {
    let project = project_scope(state, who, headers, project_id)?;
    let id = path_id(id, "Location")?;
    let mut guard = state.dir();
    let dir = guard.project(&state.seed, project);
    let l = dir.locations.get(&id).ok_or_else(|| missing("Location"))?;
    let json = dir.location_json(l);
    for n in dir.subtree(id) {
        dir.locations.remove(&n);
    }
    Ok(json)
}

/// `DELETE /rest/v1.0/projects/{project_id}/locations/{id}` → 200.
pub(crate) async fn delete_v10(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((project_id, id)): Path<(String, String)>,
) -> Response {
    respond(remove(&state, &who, &headers, &project_id, &id).map(|v| Json(v).into_response()))
}

/// `DELETE /rest/v1.1/projects/{project_id}/locations/{id}` → 204.
pub(crate) async fn delete_v11(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    Path((project_id, id)): Path<(String, String)>,
) -> Response {
    respond(
        remove(&state, &who, &headers, &project_id, &id)
            .map(|_| StatusCode::NO_CONTENT.into_response()),
    )
}
