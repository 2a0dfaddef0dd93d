//! `GET /projects/{id}/sync/runs/{run}/log.csv`: a run's whole log as CSV (the `csv`
//! crate), for the caller's projects only (the access guard: a project of the caller's
//! company that Procore shows them).

use std::sync::Arc;

use app::error::AppError;
use app::ids::ProjectId;
use app::ports::Accounts;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_sessions::Session;

use crate::startup::{AppState, Services};
use crate::sync::NOT_FOUND;

/// The most lines one download holds.
const MAX_LINES: i64 = 100_000;

/// The log route.
pub fn router() -> Router<AppState> {
    Router::new().route("/projects/{id}/sync/runs/{run}/log.csv", get(download))
}

/// A cell a spreadsheet will not run as a formula: names and messages come from Procore
/// and from people, so one starting with `=`, `+`, `-`, `@` (or a tab/CR) gets a `'` first.
fn cell(value: &str) -> String {
    if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    }
}

#[tracing::instrument(skip_all)]
async fn download(
    State(services): State<Arc<Services>>,
    session: Session,
    Path((project, run)): Path<(String, String)>,
) -> Response {
    let answer = async {
        let project = project
            .parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(ProjectId)
            .ok_or_else(|| AppError::NotFound(NOT_FOUND.into()))?;
        let caller = services.accounts.caller(&session).await?;
        let shown = services.accounts.shown_project(&caller, project).await?;
        let db = &services.db;
        let found = db
            .project_run(shown.company(), shown.id(), &run)
            .await
            .map_err(AppError::from)?
            .ok_or_else(|| AppError::NotFound(NOT_FOUND.into()))?;
        let lines = db
            .run_log(&found.id, MAX_LINES)
            .await
            .map_err(AppError::from)?;
        let mut out = csv::Writer::from_writer(Vec::new());
        let header = ["time_utc", "level", "record", "message"];
        out.write_record(header).map_err(crate::error::internal)?;
        for l in lines {
            let at = crate::sync::resources::iso(l.at);
            let (record, message) = (cell(l.record.as_deref().unwrap_or("")), cell(&l.message));
            out.write_record([at.as_str(), &l.level, &record, &message])
                .map_err(crate::error::internal)?;
        }
        let bytes = out.into_inner().map_err(crate::error::internal)?;
        Ok::<_, AppError>((found, bytes))
    };
    match answer.await {
        Ok((run, bytes)) => {
            let name = format!(
                "sync-{}-{}-{}.csv",
                run.project_id,
                run.resource,
                &run.id[..8.min(run.id.len())]
            );
            (
                [
                    (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!("attachment; filename=\"{name}\""),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                bytes,
            )
                .into_response()
        }
        Err(error) => {
            let status =
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            (status, error.to_string()).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn formulas_are_defused() {
        assert_eq!(cell("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(cell("@SUM(A1)"), "'@SUM(A1)");
        assert_eq!(cell("Ana Diaz"), "Ana Diaz");
    }
}
