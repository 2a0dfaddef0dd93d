//! Procore's side panel and the query form of the embedded view's address.
//!
//! - `GET /embedded/panel?app=`: the page Procore frames in its 400 px side panel. It has no
//!   ids: its script (`/embedded/panel.js`) posts `initialize` to the parent, accepts `setup`
//!   (and `sidepanel:app:visible|hidden|destroy`) only from the parent window on one of
//!   [`PanelState::origins`], then asks `GET /embedded/panel-status?company_id=&project_id=&app=`
//!   for the project's status, which the embedded service checks like the full-screen view
//!   (member of the company, project visible to the user in Procore) before it answers.
//! - [`query_ids`]: `GET /embedded?company_id=&project_id=` with ids that are not plain
//!   positive numbers is the same plain 404 as the path form (`project_pages`); an empty or
//!   absent `project_id` is the company-level page.

use std::sync::Arc;

use app::embedded::api::EmbeddedContext;
use app::embedded::EmbeddedApp;
use app::error::AppError;
use app::ids::{CompanyId, ProjectId};
use axum::extract::{Query, Request};
use axum::http::{header, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Router};
use serde::Deserialize;
use tower_sessions::Session;

use super::project_pages::{not_found_page, parse_id};
use super::security::CspNonce;
use crate::startup::AppState;

/// The side-panel script.
const PANEL_JS: &str = include_str!("embedded_panel.js");

/// What the panel routes use.
pub struct PanelState {
    /// The embedded view's service.
    pub port: EmbeddedContext,
    /// The origins whose messages the panel accepts (Procore's web origins, plus the
    /// sandbox shell's with the built-in sandbox).
    pub origins: Vec<String>,
}

/// The side-panel routes.
pub fn router(state: PanelState) -> Router<AppState> {
    Router::new()
        .route("/embedded/panel", get(page))
        .route("/embedded/panel.js", get(script))
        .route("/embedded/panel-status", get(status))
        .layer(Extension(Arc::new(state)))
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        PANEL_JS,
    )
        .into_response()
}

/// Text safe in an HTML attribute or element.
fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

#[derive(Debug, Deserialize)]
struct AppQuery {
    app: Option<String>,
}

fn app_key(app: Option<EmbeddedApp>) -> &'static str {
    match app {
        Some(EmbeddedApp::Planner) => "planner",
        Some(EmbeddedApp::Safety) => "safety",
        None => "",
    }
}

/// `GET /embedded/panel?app=`: the panel's page, waiting for Procore's `setup`.
async fn page(
    Extension(state): Extension<Arc<PanelState>>,
    nonce: Option<Extension<CspNonce>>,
    Query(q): Query<AppQuery>,
) -> Response {
    let app = EmbeddedApp::parse(q.app.as_deref());
    let name = match app {
        Some(EmbeddedApp::Safety) => "Smartapp Safety",
        Some(EmbeddedApp::Planner) => "Smartapp Planner",
        None => "Smartapp",
    };
    let origins = serde_json::to_string(&state.origins).unwrap_or_else(|_| "[]".into());
    let nonce = nonce.map(|n| n.0.as_str().to_string()).unwrap_or_default();
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{name} · side panel</title><link rel="stylesheet" href="/pkg/project-central.css"></head>
<body><main class="embedded embedded-panel" id="embedded-panel" data-app="{app}" data-origins="{origins}">
<div id="embedded-panel-body" aria-live="polite"><p class="muted" id="embedded-panel-waiting">Waiting for Procore to say which project this panel is for…</p></div>
</main>
<script src="/embedded/sign-in.js" nonce="{nonce}"></script>
<script src="/embedded/panel.js" nonce="{nonce}"></script>
</body></html>"#,
        app = app_key(app),
        origins = escape(&origins),
    ))
    .into_response()
}

#[derive(Debug, Deserialize)]
struct StatusQuery {
    company_id: Option<String>,
    project_id: Option<String>,
    app: Option<String>,
}

/// `GET /embedded/panel-status?company_id=&project_id=&app=`: the panel's body for the
/// project Procore's `setup` named, as an HTML fragment; the ids are checked for this user.
async fn status(
    Extension(state): Extension<Arc<PanelState>>,
    session: Session,
    Query(q): Query<StatusQuery>,
) -> Response {
    let app = EmbeddedApp::parse(q.app.as_deref());
    let ids = (
        q.company_id.as_deref().and_then(parse_id),
        q.project_id.as_deref().and_then(parse_id),
    );
    let (Some(company), Some(project)) = ids else {
        let error = AppError::NotFound("Procore did not name a project for this panel.".into());
        return (
            StatusCode::NOT_FOUND,
            Html(app::embedded::panel::fragment(Err(error), "/projects")),
        )
            .into_response();
    };
    let result = state
        .port
        .0
        .status(&session, CompanyId(company), ProjectId(project), app)
        .await;
    let code = match &result {
        Ok(_) | Err(AppError::NotSignedIn) => StatusCode::OK,
        Err(e) => StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    };
    let key = app_key(app);
    let new_tab = format!(
        "/embedded?company_id={company}&project_id={project}{}",
        if key.is_empty() {
            String::new()
        } else {
            format!("&app={key}")
        }
    );
    (code, Html(app::embedded::panel::fragment(result, &new_tab))).into_response()
}

/// Whether the query of `/embedded` names its ids as the path form must: one
/// `company_id`, a plain positive number; at most one `project_id`, empty (company level)
/// or a plain positive number.
fn query_names_ids(query: Option<&str>) -> bool {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let values = |name: &str| -> Vec<&str> {
        pairs
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    };
    let company = values("company_id");
    let project = values("project_id");
    let company_ok = matches!(company.as_slice(), [c] if parse_id(c).is_some());
    let project_ok = match project.as_slice() {
        [] | [""] => true,
        [p] => parse_id(p).is_some(),
        _ => false,
    };
    company_ok && project_ok
}

/// Inside the session layer: `GET /embedded?…` with ids that are not plain positive
/// numbers answers the plain 404 page, signed in or not.
pub async fn query_ids(request: Request, next: Next) -> Response {
    let path = request.uri().path();
    let is_query_form = path == "/embedded" || path == "/embedded/";
    if is_query_form
        && matches!(*request.method(), Method::GET | Method::HEAD)
        && !query_names_ids(request.uri().query())
    {
        return not_found_page();
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_query_form_takes_the_path_forms_ids_only() {
        for good in [
            "company_id=5600000001&project_id=562000000001&app=planner",
            "company_id=5600000001&project_id=&app=planner",
            "company_id=5600000001&app=safety",
            "app=planner&project_id=7&company_id=5",
        ] {
            assert!(query_names_ids(Some(good)), "{good}");
        }
        for bad in [
            "",
            "app=planner",
            "company_id=&project_id=1",
            "company_id=abc&project_id=1",
            "company_id=5&project_id=x",
            "company_id=5&project_id=1.5",
            "company_id=5.0&project_id=1",
            "company_id=%205&project_id=1",
            "company_id=5&project_id=1%20",
            "company_id=5&project_id=+1",
            "company_id=5&project_id=99999999999999999999",
            "company_id=5&project_id=-3",
            "company_id=0&project_id=1",
            "company_id=5&company_id=6&project_id=1",
            "company_id=5&project_id=1&project_id=2",
        ] {
            assert!(!query_names_ids(Some(bad)), "{bad}");
        }
    }
}
