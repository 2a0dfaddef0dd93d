//! Company home, project page and an app's tool page (the iframe, full screen or as the
//! 400 px side panel, see [`super::panel`]).

use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};
use serde::Deserialize;

use super::super::pages::escape;
use super::super::seed::{Company, Project};
use super::super::tokens::Principal;
use super::super::Shared;
use super::layout::{page, Nav};
use super::session::{not_found, viewer, Viewer};

/// Projects listed on the company home.
const HOME_PROJECTS: usize = 10;

/// The company if the viewer belongs to it, with the admin flag; a 404 page otherwise.
pub(crate) fn member<'a>(
    state: &'a Shared,
    v: &Viewer,
    company_id: i64,
) -> Result<(&'a Company, bool), Response> {
    let admin = state
        .seed
        .membership(&Principal::User(v.user_id), company_id);
    match (state.seed.company(company_id), admin) {
        (Some(c), Some(admin)) => Ok((c, admin)),
        _ => Err(not_found(
            Some(v),
            "No such company, or you are not in its directory.",
        )),
    }
}

/// The project if the viewer may see it in this company; a 404 page otherwise.
fn visible<'a>(
    state: &'a Shared,
    v: &Viewer,
    company_id: i64,
    project_id: i64,
) -> Result<&'a Project, Response> {
    state
        .seed
        .project(project_id)
        .filter(|p| {
            p.company.id == company_id && state.seed.can_see(&Principal::User(v.user_id), p)
        })
        .ok_or_else(|| not_found(Some(v), "No such project, or you do not have access to it."))
}

/// `GET /`: the first company's home, or the sign-in page.
pub(crate) async fn root(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let v = match viewer(&state, &headers, "/") {
        Ok(v) => v,
        Err(res) => return res,
    };
    let first = state
        .seed
        .companies_of(&Principal::User(v.user_id))
        .first()
        .map(|(c, _)| c.id);
    match first {
        Some(id) => axum::response::Redirect::to(&format!("/companies/{id}")).into_response(),
        None => not_found(Some(&v), "You belong to no company."),
    }
}

#[derive(Deserialize)]
pub(crate) struct Search {
    q: Option<String>,
}

/// `GET /companies/{company_id}`: installed apps and a few projects (with a search).
pub(crate) async fn home(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(company_id): Path<i64>,
    Query(search): Query<Search>,
) -> Response {
    let v = match viewer(&state, &headers, &format!("/companies/{company_id}")) {
        Ok(v) => v,
        Err(res) => return res,
    };
    let (company, _) = match member(&state, &v, company_id) {
        Ok(c) => c,
        Err(res) => return res,
    };
    let q = search.q.unwrap_or_default();
    let needle = q.trim().to_lowercase();
    let who = Principal::User(v.user_id);
    let projects: String = state
        .seed
        .projects_of(company_id)
        .filter(|p| state.seed.can_see(&who, p))
        .filter(|p| {
            needle.is_empty()
                || p.display_name.to_lowercase().contains(&needle)
                || p.id.to_string() == needle
        })
        .take(HOME_PROJECTS)
        .map(|p| {
            format!(
                "<li><a href=\"/companies/{company_id}/projects/{}\">{}</a>{}</li>",
                p.id,
                escape(&p.display_name),
                if p.active {
                    ""
                } else {
                    " <span class=\"muted\">(inactive)</span>"
                }
            )
        })
        .collect();
    let projects = if projects.is_empty() {
        "<p>No project matches.</p>".to_owned()
    } else {
        format!("<ul>{projects}</ul>")
    };
    let nav = Nav::company(&state, &v, company_id, None);
    let installed: String = {
        let installs = state.installs();
        state
            .opts
            .apps
            .iter()
            .filter(|a| installs.is_installed(company_id, &a.key))
            .map(|a| format!("<li>{}</li>", escape(&a.name)))
            .collect()
    };
    let installed = if installed.is_empty() {
        "<p>No apps installed. <a href=\"/marketplace\">Browse the Marketplace</a>.</p>".to_owned()
    } else {
        format!("<ul>{installed}</ul><p class=\"muted\">Open a project, then its Apps menu.</p>")
    };
    let body = format!(
        "<h1>{name}</h1>\
         <section class=\"card\" aria-labelledby=\"apps-h\"><h2 id=\"apps-h\">Installed apps</h2>{installed}</section>\
         <section class=\"card\" aria-labelledby=\"projects-h\"><h2 id=\"projects-h\">Projects</h2>\
         <form method=\"get\" role=\"search\"><label for=\"q\">Find a project (name, number or id)</label>\
         <input id=\"q\" name=\"q\" type=\"search\" value=\"{q}\"> <button type=\"submit\">Search</button></form>\
         {projects}</section>",
        name = escape(&company.name),
        q = escape(&q),
    );
    Html(page(&company.name, Some(&nav), &body)).into_response()
}

/// `GET /companies/{company_id}/projects/{project_id}`: the project with its Apps menu.
pub(crate) async fn project(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((company_id, project_id)): Path<(i64, i64)>,
    Query(panel): Query<Panel>,
) -> Response {
    let here = format!("/companies/{company_id}/projects/{project_id}");
    let v = match viewer(&state, &headers, &here) {
        Ok(v) => v,
        Err(res) => return res,
    };
    let project = match member(&state, &v, company_id)
        .and_then(|_| visible(&state, &v, company_id, project_id))
    {
        Ok(p) => p,
        Err(res) => return res,
    };
    let nav = Nav::company(&state, &v, company_id, Some(project_id));
    let apps: String = {
        let installs = state.installs();
        state
            .opts
            .apps
            .iter()
            .filter(|a| installs.is_installed(company_id, &a.key))
            .map(|a| {
                let side = if a.sidepanel_url.is_some() {
                    format!(
                        " · <a href=\"{here}?panel=side&amp;app={}\" aria-label=\"{} in the side panel\">side panel</a>",
                        a.key,
                        escape(&a.name)
                    )
                } else {
                    String::new()
                };
                format!(
                    "<li><a href=\"{here}/tools/apps/{}\">{}</a>{side}</li>",
                    a.key,
                    escape(&a.name)
                )
            })
            .collect()
    };
    let details = format!(
        "<p class=\"muted\">{city}, {st} · {stage}</p>",
        city = escape(&project.city),
        st = escape(&project.state_code),
        stage = escape(&project.project_stage.name),
    );
    // `?panel=side[&app=KEY]`: the app's side panel (by default the first app with one).
    let panel_app = match (panel.panel.as_deref(), panel.app) {
        (Some("side"), Some(key)) => Some(key),
        (Some("side"), None) => {
            let installs = state.installs();
            state
                .opts
                .apps
                .iter()
                .find(|a| a.sidepanel_url.is_some() && installs.is_installed(company_id, &a.key))
                .map(|a| a.key.clone())
                .or_else(|| Some(String::new()))
        }
        _ => None,
    };
    let docked = match panel_app.as_deref() {
        Some(key) => {
            let company = match member(&state, &v, company_id) {
                Ok((c, _)) => c,
                Err(res) => return res,
            };
            let app = match super::panel::installed_app(&state, &v, company_id, key) {
                Ok(a) => a,
                Err(res) => return res,
            };
            match super::panel::side_panel(app, company, project, &details) {
                Some(html) => html,
                None => return not_found(Some(&v), "This app has no side panel."),
            }
        }
        None => String::new(),
    };
    let body = format!(
        "<h1>{name}</h1>{top}\
         <section class=\"card\" aria-labelledby=\"apps-h\"><h2 id=\"apps-h\">Apps</h2>{apps}</section>{docked}",
        name = escape(&project.display_name),
        top = if docked.is_empty() { details.clone() } else { String::new() },
        apps = if apps.is_empty() { "<p>No apps installed in this company.</p>".to_owned() } else { format!("<ul>{apps}</ul>") },
    );
    Html(page(&project.display_name, Some(&nav), &body)).into_response()
}

#[derive(Deserialize)]
pub(crate) struct Panel {
    panel: Option<String>,
    /// Which app's side panel (project page; default: the first with one).
    app: Option<String>,
}

/// `GET /companies/{company_id}/projects/{project_id}/tools/apps/{app_key}[?panel=side]`.
pub(crate) async fn tool(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((company_id, project_id, key)): Path<(i64, i64, String)>,
    Query(panel): Query<Panel>,
) -> Response {
    let here = format!("/companies/{company_id}/projects/{project_id}/tools/apps/{key}");
    let v = match viewer(&state, &headers, &here) {
        Ok(v) => v,
        Err(res) => return res,
    };
    let (company, project) = match member(&state, &v, company_id)
        .and_then(|(c, _)| visible(&state, &v, company_id, project_id).map(|p| (c, p)))
    {
        Ok(cp) => cp,
        Err(res) => return res,
    };
    let (installed, configured) = {
        let installs = state.installs();
        let install_id = installs.get(company_id, &key).map(|i| i.id);
        let configured = installs
            .configurations_of(company_id)
            .any(|c| Some(c.app_installation_id) == install_id && c.covers(project_id));
        (installs.is_installed(company_id, &key), configured)
    };
    let Some(app) = state.app(&key).filter(|_| installed) else {
        return not_found(
            Some(&v),
            "This app is not installed in this company. Install it from the Marketplace.",
        );
    };
    let src = app.fullscreen_url_for(company.id, &company.name, project.id, &project.name);
    let side = panel.panel.as_deref() == Some("side");
    let note = if configured {
        String::new()
    } else {
        "<p class=\"note\" role=\"status\">No configuration of this app covers this project yet: in Procore the app \
         would not be listed here. A company admin creates one under App Management › Configurations.</p>"
            .to_owned()
    };
    let toggle = if side {
        format!("<a href=\"{here}\">Open full screen</a>")
    } else if app.sidepanel_url.is_some() {
        format!("<a href=\"{here}?panel=side\">Open in the side panel (400 px)</a>")
    } else {
        String::new()
    };
    let title = escape(&app.name);
    let tool = format!("<h2>{}</h2>", escape(&project.display_name));
    let content = match side.then(|| super::panel::side_panel(app, company, project, &tool)) {
        Some(Some(html)) => html,
        Some(None) => return not_found(Some(&v), "This app has no side panel."),
        None => format!(
            "<iframe id=\"app-frame\" class=\"app\" title=\"{title}\" src=\"{}\" allow=\"storage-access\" \
             style=\"width:100%;height:calc(100vh - 170px);min-height:600px\"></iframe>",
            escape(&src)
        ),
    };
    let body = format!(
        "<h1>{title} <span class=\"muted\">· {pname}</span></h1><p>{toggle}</p>{note}{content}",
        pname = escape(&project.display_name),
    );
    let nav = Nav::company(&state, &v, company_id, Some(project_id));
    Html(page(&app.name, Some(&nav), &body)).into_response()
}
