//! `POST /__sandbox/procore/projects/{project_id}/bulk-users?count=N`: adds N generated
//! users (spread over the project's vendors) to a project at once, for benchmarks such
//! as a 10,000-user directory sync.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Deserialize;
use serde_json::json;

use super::data::DirUser;
use super::words::{FIRST, LAST, SUB_TITLES};
use super::{bad, missing, now, respond, Res};
use crate::procore::Shared;

/// Most users one call may add.
const MAX_BULK: usize = 100_000;

#[derive(Deserialize)]
pub(crate) struct Count {
    count: Option<String>,
}

/// Adds `count` users to the project → `{"added": count}`.
pub(crate) async fn bulk_users(
    State(state): State<Shared>,
    Path(project_id): Path<String>,
    Query(q): Query<Count>,
) -> Response {
    respond(add(&state, &project_id, q.count.as_deref()))
}

fn add(state: &Shared, project_id: &str, count: Option<&str>) -> Res {
    let count: usize = match count.map(str::trim).map(str::parse) {
        Some(Ok(n)) if (1..=MAX_BULK).contains(&n) => n,
        _ => {
            return Err(bad(format!(
                "count must be an integer from 1 to {MAX_BULK}"
            )))
        }
    };
    let project = project_id
        .trim()
        .parse::<i64>()
        .ok()
        .and_then(|id| state.seed.project(id))
        .ok_or_else(|| missing("Project"))?;
    let mut guard = state.dir();
    let (company, dir) = guard.both(&state.seed, project);
    let vendors: Vec<i64> = dir.vendors.iter().copied().collect();
    let at = now();
    for i in 0..count {
        let id = state.next_id();
        let first = FIRST[(i * 7 + i / 40) % FIRST.len()];
        let last = LAST[(i * 11 + i / 1_600) % LAST.len()];
        let vendor_id = (!vendors.is_empty()).then(|| vendors[i % vendors.len()]);
        company.users.insert(
            id,
            DirUser {
                id,
                first_name: first.into(),
                last_name: last.into(),
                email: format!("{first}.{last}.{id}@bulk.example").to_lowercase(),
                job_title: Some(SUB_TITLES[i % SUB_TITLES.len()].into()),
                business_phone: None,
                mobile_phone: None,
                is_active: true,
                is_employee: false,
                employee_id: None,
                vendor_id,
                origin_id: None,
                origin_data: None,
                last_login_at: None,
                created: at,
                updated: at,
            },
        );
        dir.users.insert(id);
    }
    Ok((StatusCode::OK, Json(json!({ "added": count }))).into_response())
}
