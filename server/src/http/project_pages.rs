//! Pages that name a project in their address answer 404 before anything is rendered when
//! the project is not the caller's: `/projects/{id}`, `/projects/{id}/settings` and the
//! directory pages (an id that is not a plain positive number, a project of another company
//! or one that does not exist, one Procore does not show the caller, one without a
//! subscription), and the embedded view `/embedded/{company}/{project}` with ids that are not
//! plain positive numbers (the embedded page checks real ids with Procore itself). The answer
//! is a plain page that says "not found" and nothing else: no top bar, no directory frame.
//!
//! The pages stream, so their status is fixed before their data is read; this check runs
//! first, with the same guard as the server functions (`accounts::project_access`).

use std::sync::Arc;

use app::ids::ProjectId;
use app::ports::Accounts;
use axum::extract::{Request, State};
use axum::http::{Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use tower_sessions::Session;

use crate::error::ServerError;
use crate::startup::Services;

/// The directory pages under a project (`/projects/{id}/{section}`), and its settings.
const SECTIONS: [&str; 6] = ["settings", "team", "locations", "roles", "users", "badges"];

/// A Procore id as an address names it: ASCII digits only, no sign, no leading zero, no
/// padding, within `i64`, above zero.
pub fn parse_id(segment: &str) -> Option<i64> {
    if segment.is_empty()
        || segment.len() > 19
        || segment.starts_with('0')
        || !segment.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    segment.parse::<i64>().ok().filter(|id| *id > 0)
}

/// What the address names.
#[derive(Debug, PartialEq, Eq)]
enum Named {
    /// A project page with a well-formed id.
    Project(ProjectId),
    /// A project or embedded page whose ids or section are not ones we serve.
    Nothing,
    /// Not one of these pages.
    Other,
}

fn named(path: &str) -> Named {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segments.as_slice() {
        ["projects", ""] => Named::Other,
        ["projects", id] | ["projects", id, ""] => match parse_id(id) {
            Some(id) => Named::Project(ProjectId(id)),
            None => Named::Nothing,
        },
        ["projects", id, section] => match (parse_id(id), SECTIONS.contains(section)) {
            (Some(id), true) => Named::Project(ProjectId(id)),
            _ => Named::Nothing,
        },
        ["embedded", company, project] => match (parse_id(company), parse_id(project)) {
            (Some(_), Some(_)) => Named::Other,
            _ => Named::Nothing,
        },
        _ => Named::Other,
    }
}

/// The plain "not found" page, under the heading every 404 of the app has ("Page not
/// found", as `ui::NotFound`).
pub fn not_found_page() -> Response {
    (
        StatusCode::NOT_FOUND,
        Html(
            r#"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Not found · Smartapp</title><link rel="stylesheet" href="/pkg/project-central.css"></head>
<body><main class="page narrow" id="not-found">
<section class="panel">
<h1>Page not found</h1>
<p>There is no such page: the address names a project that does not exist or is not one of the projects Procore shows you in your current company, or a page a project does not have.</p>
<p><a class="button" href="/projects">Go to Project Central</a></p>
</section></main></body></html>"#,
        ),
    )
        .into_response()
}

/// Inside the session layer: answers [`not_found_page`] for a project page that is not the
/// caller's; everything else (and a signed-out visitor, who is offered sign-in) passes.
pub async fn project_pages(
    State(services): State<Arc<Services>>,
    request: Request,
    next: Next,
) -> Response {
    if !matches!(*request.method(), Method::GET | Method::HEAD) {
        return next.run(request).await;
    }
    let project = match named(request.uri().path()) {
        Named::Other => return next.run(request).await,
        Named::Nothing => return not_found_page(),
        Named::Project(project) => project,
    };
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return next.run(request).await;
    };
    match is_callers_project(&services, &session, project).await {
        Ok(false) => not_found_page(),
        // Signed out, lost access or Procore unreachable: the page says so itself.
        Ok(true) | Err(_) => next.run(request).await,
    }
}

/// Whether `project` is one of the caller's subscribed projects (the pages' own test).
async fn is_callers_project(
    services: &Services,
    session: &Session,
    project: ProjectId,
) -> Result<bool, ServerError> {
    let caller = services.accounts.caller(session).await?;
    let shown = match services.accounts.shown_project(&caller, project).await {
        Ok(shown) => shown,
        Err(ServerError::App(app::error::AppError::NotFound(_))) => return Ok(false),
        Err(error) => return Err(error),
    };
    Ok(services
        .db
        .project_terms(shown.company(), shown.id())
        .await?
        .is_some())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_plain_positive_numbers() {
        assert_eq!(parse_id("563000000232"), Some(563_000_000_232));
        for bad in [
            "",
            "0",
            "007",
            "-5",
            "+5",
            "1.5",
            "1e3",
            " 5",
            "5 ",
            "%205",
            "abc",
            "99999999999999999999",
            "9223372036854775808",
        ] {
            assert_eq!(parse_id(bad), None, "{bad:?}");
        }
        assert_eq!(parse_id("9223372036854775807"), Some(i64::MAX));
    }

    #[test]
    fn the_pages_that_name_a_project_are_recognised() {
        assert_eq!(named("/projects/12"), Named::Project(ProjectId(12)));
        assert_eq!(
            named("/projects/12/settings"),
            Named::Project(ProjectId(12))
        );
        assert_eq!(named("/projects/12/users"), Named::Project(ProjectId(12)));
        assert_eq!(named("/projects/12/nope"), Named::Nothing);
        assert_eq!(named("/projects/1.5/users"), Named::Nothing);
        assert_eq!(named("/projects/x"), Named::Nothing);
        assert_eq!(named("/embedded/1/x"), Named::Nothing);
        assert_eq!(named("/embedded/%201/2"), Named::Nothing);
        assert_eq!(named("/embedded/1/2"), Named::Other);
        assert_eq!(named("/embedded/session"), Named::Other);
        assert_eq!(named("/projects"), Named::Other);
        assert_eq!(named("/projects/"), Named::Other);
        assert_eq!(named("/projects/12/sync/runs/r/log.csv"), Named::Other);
    }
}
