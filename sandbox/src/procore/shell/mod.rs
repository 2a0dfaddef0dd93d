//! A Procore web shell (like app.procore.com) on its own origin, `http://localhost:PORT`,
//! so an app served from `http://127.0.0.1:3000` is framed cross-site, as in production:
//! company home, project pages that frame installed apps at their interpolated URL,
//! the Marketplace and App Management (procore-api.md §8–9, §11.7).
// Helpers return the finished error page: its size does not matter on these paths.
#![allow(clippy::result_large_err)]

mod admin;
mod company;
mod layout;
mod marketplace;
mod panel;
mod session;

use axum::routing::{get, post};
use axum::Router;

use super::Shared;

pub(crate) use session::Sessions;

/// Routes of the shell origin (plus the test switches).
pub(crate) fn router() -> Router<Shared> {
    let apps = "/companies/{company_id}/admin/apps/{app_key}";
    Router::new()
        .route("/", get(company::root))
        .route(
            "/login",
            get(session::login_page).post(session::login_submit),
        )
        .route("/logout", post(session::logout))
        .route("/companies/{company_id}", get(company::home))
        .route(
            "/companies/{company_id}/tools/apps/{app_key}",
            get(panel::company_tool),
        )
        .route(
            "/companies/{company_id}/projects/{project_id}",
            get(company::project),
        )
        .route(
            "/companies/{company_id}/projects/{project_id}/tools/apps/{app_key}",
            get(company::tool),
        )
        .route("/marketplace", get(marketplace::index))
        .route("/marketplace/{app_key}/install", post(marketplace::install))
        .route(
            "/marketplace/{app_key}/installed",
            get(marketplace::installed),
        )
        .route("/companies/{company_id}/admin/apps", get(admin::index))
        .route(&format!("{apps}/uninstall"), post(admin::uninstall))
        .route(
            &format!("{apps}/configurations"),
            post(admin::create_configuration),
        )
        .route(
            &format!("{apps}/configurations/{{id}}/delete"),
            post(admin::delete_configuration),
        )
}
