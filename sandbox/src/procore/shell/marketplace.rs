//! The Marketplace: both apps with an **Install** button per company (company admins only),
//! then the post-installation notes and the App Setup Instructions link.

use axum::body::Bytes;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::super::pages::escape;
use super::super::tokens::Principal;
use super::super::{MarketplaceApp, Shared};
use super::company::member;
use super::layout::{page, Nav};
use super::session::{
    check_csrf, csrf_input, field, forbidden, form_pairs, not_found, viewer, Viewer,
};

/// `GET /marketplace`.
pub(crate) async fn index(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let v = match viewer(&state, &headers, "/marketplace") {
        Ok(v) => v,
        Err(res) => return res,
    };
    let companies = state.seed.companies_of(&Principal::User(v.user_id));
    let installs = state.installs();
    let cards: String = state
        .opts
        .apps
        .iter()
        .map(|app| {
            let rows: String = companies
                .iter()
                .map(|(c, _)| {
                    let admin = state.seed.membership(&Principal::User(v.user_id), c.id) == Some(true);
                    let name = escape(&c.name);
                    let action = if installs.is_installed(c.id, &app.key) {
                        let manage = format!(
                            " <a href=\"/companies/{}/admin/apps#app-{}\">App Management</a>",
                            c.id, app.key
                        );
                        format!("Installed.{}", if admin { manage.as_str() } else { "" })
                    } else if admin {
                        format!(
                            "<form method=\"post\" action=\"/marketplace/{key}/install\">{csrf}\
                             <input type=\"hidden\" name=\"company_id\" value=\"{id}\">\
                             <button type=\"submit\" aria-label=\"Install {app} in {name}\">Install</button></form>",
                            key = app.key,
                            csrf = csrf_input(&v),
                            id = c.id,
                            app = escape(&app.name),
                        )
                    } else {
                        "<span class=\"muted\">Only a company admin can install apps.</span>".to_owned()
                    };
                    format!("<tr><th scope=\"row\">{name}</th><td>{action}</td></tr>")
                })
                .collect();
            format!(
                "<section class=\"card\" id=\"app-{key}\" aria-labelledby=\"h-{key}\"><h2 id=\"h-{key}\">{name}</h2>\
                 <p>Embedded full-screen app and data connection by Project Central.</p>\
                 <table><caption class=\"muted\">Install in</caption>{rows}</table></section>",
                key = app.key,
                name = escape(&app.name),
            )
        })
        .collect();
    let nav = Nav::plain(&v);
    let body = format!("<h1>App Marketplace</h1>{cards}");
    Html(page("App Marketplace", Some(&nav), &body)).into_response()
}

/// The app named in the path, or a 404 page.
fn app_or_404<'a>(
    state: &'a Shared,
    v: &Viewer,
    key: &str,
) -> Result<&'a MarketplaceApp, Response> {
    state
        .app(key)
        .ok_or_else(|| not_found(Some(v), "No such app on the Marketplace."))
}

/// `POST /marketplace/{app_key}/install` (`company_id`, `authenticity_token`): company admins only.
pub(crate) async fn install(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(key): Path<String>,
    body: Bytes,
) -> Response {
    let v = match viewer(&state, &headers, "/marketplace") {
        Ok(v) => v,
        Err(res) => return res,
    };
    let pairs = form_pairs(&body);
    if let Err(res) = check_csrf(&v, &pairs) {
        return res;
    }
    let app = match app_or_404(&state, &v, &key) {
        Ok(a) => a,
        Err(res) => return res,
    };
    let Some(company_id) = field(&pairs, "company_id").and_then(|c| c.trim().parse::<i64>().ok())
    else {
        return not_found(Some(&v), "Choose a company to install the app in.");
    };
    match member(&state, &v, company_id) {
        Err(res) => return res,
        Ok((_, false)) => {
            return forbidden(
                Some(&v),
                "Not allowed",
                "Only a company admin can install apps in this company.",
            )
        }
        Ok((_, true)) => {}
    }
    state
        .installs()
        .install(company_id, &app.key, (v.user_id, v.name.clone()));
    let to = format!("/marketplace/{}/installed?company_id={company_id}", app.key);
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

#[derive(Deserialize)]
pub(crate) struct CompanyQuery {
    company_id: Option<i64>,
}

/// `GET /marketplace/{app_key}/installed?company_id=`: the post-installation notes and the
/// App Setup Instructions link (a new tab).
pub(crate) async fn installed(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(key): Path<String>,
    Query(q): Query<CompanyQuery>,
) -> Response {
    let here = format!(
        "/marketplace/{key}/installed?company_id={}",
        q.company_id.unwrap_or(0)
    );
    let v = match viewer(&state, &headers, &here) {
        Ok(v) => v,
        Err(res) => return res,
    };
    let app = match app_or_404(&state, &v, &key) {
        Ok(a) => a,
        Err(res) => return res,
    };
    let company_id = q.company_id.unwrap_or(0);
    let company = match member(&state, &v, company_id) {
        Ok((c, _)) => c,
        Err(res) => return res,
    };
    if !state.installs().is_installed(company_id, &key) {
        return not_found(Some(&v), "This app is not installed in this company.");
    }
    let nav = Nav::company(&state, &v, company_id, None);
    let body = format!(
        "<h1>{name} is installed in {company}</h1>\
         <section class=\"card\" aria-labelledby=\"notes-h\"><h2 id=\"notes-h\">Post-installation notes</h2>\
         <p id=\"post-install-notes\">{notes}</p>\
         <p><a href=\"{url}\" target=\"_blank\" rel=\"noopener\">{label}</a></p></section>\
         <p><a href=\"/companies/{company_id}/admin/apps#app-{key}\">Go to App Management</a></p>",
        name = escape(&app.name),
        company = escape(&company.name),
        notes = escape(&app.notes),
        url = escape(&app.instructions_url),
        label = escape(&app.instructions_label),
        key = app.key,
    );
    Html(page(&format!("{} installed", app.name), Some(&nav), &body)).into_response()
}
