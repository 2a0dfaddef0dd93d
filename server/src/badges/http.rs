//! `GET /projects/{id}/badges/download.pdf`: the project's safety badges as one PDF. It
//! changes nothing; the project goes through the one access guard (another company's, or
//! one Procore does not show the caller: 404) and needs the Safety Badge add-on (403 page
//! saying what the add-on gives).

use std::sync::Arc;

use app::error::AppError;
use app::ids::ProjectId;
use app::ports::Accounts;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use tower_sessions::Session;

use super::{render, BadgeService};
use crate::http::project_pages::{not_found_page, parse_id};
use crate::startup::{AppState, Services};

/// The PDF route.
pub fn router() -> Router<AppState> {
    Router::new().route("/projects/{id}/badges/download.pdf", get(download))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A plain page for a refused download (the link was followed by a person).
fn refusal(status: StatusCode, heading: &str, message: &str, back: &str) -> Response {
    let page = format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{heading} · Smartapp</title><link rel="stylesheet" href="/pkg/project-central.css"></head>
<body><main class="page narrow" id="badges-refused">
<section class="panel">
<h1>{heading}</h1>
<p>{}</p>
<p><a class="button" href="{back}">Back to the project</a></p>
</section></main></body></html>"#,
        escape(message)
    );
    (status, Html(page)).into_response()
}

#[tracing::instrument(skip_all)]
async fn download(
    State(services): State<Arc<Services>>,
    session: Session,
    Path(id): Path<String>,
) -> Response {
    let Some(project) = parse_id(&id).map(ProjectId) else {
        return not_found_page();
    };
    let back = format!("/projects/{}", project.get());
    let answer = async {
        let caller = services.accounts.caller(&session).await?;
        BadgeService::new(services.db.clone(), services.accounts.clone())
            .sheet(&caller, project)
            .await
    };
    match answer.await {
        Ok(list) => {
            let bytes = render(&list);
            tracing::info!(%project, badges = list.people.len(), "safety badges downloaded");
            (
                [
                    (header::CONTENT_TYPE, "application/pdf".to_string()),
                    (
                        header::CONTENT_DISPOSITION,
                        format!(
                            "attachment; filename=\"safety-badges-{}.pdf\"",
                            project.get()
                        ),
                    ),
                    (header::CACHE_CONTROL, "no-store".to_string()),
                ],
                bytes,
            )
                .into_response()
        }
        Err(AppError::NotFound(_)) => not_found_page(),
        Err(AppError::Forbidden(message)) => refusal(
            StatusCode::FORBIDDEN,
            "Safety badges are not available for this project",
            &message,
            &back,
        ),
        Err(AppError::NotSignedIn) => refusal(
            StatusCode::UNAUTHORIZED,
            "Sign in to download badges",
            "Your session has ended or you have not signed in yet: sign in with Procore, then download the badges again.",
            "/",
        ),
        Err(error) => {
            let status =
                StatusCode::from_u16(error.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
            refusal(status, "The badges could not be made", &error.to_string(), &back)
        }
    }
}
