//! App Management (company admins): installed apps with their App Setup Instructions link,
//! their configurations (create: title + projects or all projects; delete) and Uninstall.

use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use serde_json::json;

use super::super::apps::Configuration;
use super::super::pages::escape;
use super::super::Shared;
use super::company::member;
use super::layout::{page, Nav};
use super::session::{
    check_csrf, csrf_input, field, forbidden, form_pairs, not_found, viewer, Viewer,
};

/// Projects offered in the configuration form's list (others by id).
const LISTED_PROJECTS: usize = 100;

/// The viewer, if a company admin here; otherwise the page to answer with.
fn admin(state: &Shared, headers: &HeaderMap, company_id: i64) -> Result<Viewer, Response> {
    let v = viewer(
        state,
        headers,
        &format!("/companies/{company_id}/admin/apps"),
    )?;
    match member(state, &v, company_id)? {
        (_, true) => Ok(v),
        (_, false) => Err(forbidden(
            Some(&v),
            "Not allowed",
            "App Management is for company admins.",
        )),
    }
}

fn back(company_id: i64, key: &str) -> Response {
    let to = format!("/companies/{company_id}/admin/apps#app-{key}");
    (StatusCode::SEE_OTHER, [(header::LOCATION, to)]).into_response()
}

/// `GET /companies/{company_id}/admin/apps`.
pub(crate) async fn index(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path(company_id): Path<i64>,
) -> Response {
    match admin(&state, &headers, company_id) {
        Ok(v) => render(&state, &v, company_id, StatusCode::OK, None),
        Err(res) => res,
    }
}

/// The App Management page, optionally with an error about the last form.
fn render(
    state: &Shared,
    v: &Viewer,
    company_id: i64,
    status: StatusCode,
    error: Option<&str>,
) -> Response {
    let company = state
        .seed
        .company(company_id)
        .map(|c| c.name.clone())
        .unwrap_or_default();
    let project_name = |id: i64| {
        state
            .seed
            .project(id)
            .map(|p| p.display_name.clone())
            .unwrap_or_else(|| id.to_string())
    };
    let options: String = state
        .seed
        .projects_of(company_id)
        .take(LISTED_PROJECTS)
        .map(|p| {
            format!(
                "<option value=\"{}\">{}</option>",
                p.id,
                escape(&p.display_name)
            )
        })
        .collect();
    let csrf = csrf_input(v);
    let installs = state.installs();
    let sections: String = state
        .opts
        .apps
        .iter()
        .filter_map(|app| Some((app, installs.get(company_id, &app.key)?)))
        .map(|(app, install)| {
            let key = &app.key;
            let name = escape(&app.name);
            let head = format!("<section class=\"card\" id=\"app-{key}\" aria-labelledby=\"h-{key}\"><h2 id=\"h-{key}\">{name}</h2>");
            if !install.installed {
                return format!(
                    "{head}<p>Not installed (uninstalled {}). <a href=\"/marketplace#app-{key}\">Reinstall from the Marketplace</a>.</p></section>",
                    escape(install.uninstalled_at.as_deref().unwrap_or("")),
                );
            }
            let configs: String = installs
                .configurations_of(company_id)
                .filter(|c| c.app_installation_id == install.id)
                .map(|c| {
                    let scope = if c.applies_to_all_projects {
                        "All projects".to_owned()
                    } else {
                        let names: Vec<String> = c.project_ids.iter().map(|&id| escape(&project_name(id))).collect();
                        if names.is_empty() { "No project".into() } else { names.join("<br>") }
                    };
                    format!(
                        "<tr><td>{}</td><td>{scope}</td><td><form method=\"post\" action=\"/companies/{company_id}/admin/apps/{key}/configurations/{}/delete\">{csrf}\
                         <button class=\"secondary\" type=\"submit\" aria-label=\"Delete configuration {}\">Delete</button></form></td></tr>",
                        escape(&c.title), c.id, escape(&c.title)
                    )
                })
                .collect();
            let configs = if configs.is_empty() {
                "<p>No configuration yet: the app is not visible in any project.</p>".to_owned()
            } else {
                format!("<table><thead><tr><th scope=\"col\">Title</th><th scope=\"col\">Projects</th><th scope=\"col\"><span class=\"muted\">Actions</span></th></tr></thead><tbody>{configs}</tbody></table>")
            };
            format!(
                "{head}<p>Installed {at} by {by} · version 1.0.0</p>\
                 <p><a href=\"{url}\" target=\"_blank\" rel=\"noopener\">{label}</a></p>\
                 <p class=\"muted\">{notes}</p>\
                 <h3>Configurations</h3>{configs}\
                 <form method=\"post\" action=\"/companies/{company_id}/admin/apps/{key}/configurations\">{csrf}\
                 <fieldset><legend>Create a configuration</legend>\
                 <label for=\"title-{key}\">Title</label><input id=\"title-{key}\" name=\"title\" type=\"text\" required>\
                 <p><label><input type=\"checkbox\" name=\"applies_to_all_projects\" value=\"true\"> All projects (current and future)</label></p>\
                 <label for=\"projects-{key}\">Projects</label><select id=\"projects-{key}\" name=\"project_ids\" multiple size=\"6\">{options}</select>\
                 <label for=\"ids-{key}\">Other project ids (comma-separated)</label><input id=\"ids-{key}\" name=\"project_id_list\" type=\"text\">\
                 <p><button type=\"submit\">Create configuration</button></p></fieldset></form>\
                 <form method=\"post\" action=\"/companies/{company_id}/admin/apps/{key}/uninstall\">{csrf}\
                 <button class=\"secondary\" type=\"submit\">Uninstall {name}</button></form></section>",
                at = escape(&install.installed_at),
                by = escape(&install.installer.1),
                url = escape(&app.instructions_url),
                label = escape(&app.instructions_label),
                notes = escape(&app.notes),
            )
        })
        .collect();
    drop(installs);
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let nav = Nav::company(state, v, company_id, None);
    let body = format!(
        "<h1>App Management · {}</h1>{error}{sections}",
        escape(&company)
    );
    (status, Html(page("App Management", Some(&nav), &body))).into_response()
}

/// `POST /companies/{company_id}/admin/apps/{app_key}/uninstall`.
pub(crate) async fn uninstall(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((company_id, key)): Path<(i64, String)>,
    body: Bytes,
) -> Response {
    let v = match admin(&state, &headers, company_id) {
        Ok(v) => v,
        Err(res) => return res,
    };
    if let Err(res) = check_csrf(&v, &form_pairs(&body)) {
        return res;
    }
    if !state.installs().uninstall(company_id, &key) {
        return not_found(Some(&v), "No such app in this company.");
    }
    back(company_id, &key)
}

/// `POST /companies/{company_id}/admin/apps/{app_key}/configurations`.
pub(crate) async fn create_configuration(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((company_id, key)): Path<(i64, String)>,
    body: Bytes,
) -> Response {
    let v = match admin(&state, &headers, company_id) {
        Ok(v) => v,
        Err(res) => return res,
    };
    let pairs = form_pairs(&body);
    if let Err(res) = check_csrf(&v, &pairs) {
        return res;
    }
    let install = state
        .installs()
        .get(company_id, &key)
        .filter(|i| i.installed)
        .map(|i| i.id);
    let Some(installation) = install else {
        return not_found(Some(&v), "This app is not installed in this company.");
    };
    let title = field(&pairs, "title").unwrap_or("").trim().to_owned();
    let all = field(&pairs, "applies_to_all_projects").is_some();
    let listed = pairs
        .iter()
        .filter(|(k, _)| k == "project_ids")
        .map(|(_, v)| v.clone());
    let typed = field(&pairs, "project_id_list")
        .unwrap_or("")
        .split(',')
        .map(|s| s.trim().to_owned())
        .filter(|s| !s.is_empty());
    let mut ids = Vec::new();
    for raw in listed.chain(typed) {
        match raw
            .parse::<i64>()
            .ok()
            .and_then(|id| state.seed.project(id))
        {
            Some(p) if p.company.id == company_id => ids.push(p.id),
            _ => {
                let msg = format!("{raw} is not a project of this company.");
                return render(
                    &state,
                    &v,
                    company_id,
                    StatusCode::UNPROCESSABLE_ENTITY,
                    Some(&msg),
                );
            }
        }
    }
    if title.is_empty() || (!all && ids.is_empty()) {
        let msg = "A configuration needs a title and either All projects or at least one project.";
        return render(
            &state,
            &v,
            company_id,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(msg),
        );
    }
    ids.sort_unstable();
    ids.dedup();
    let config = Configuration {
        id: state.next_id(),
        app_installation_id: installation,
        company_id,
        title,
        instance_configuration: json!({}),
        project_ids: if all { Vec::new() } else { ids },
        applies_to_all_projects: all,
        applies_to_company: false,
    };
    state.installs().configurations.push(config);
    back(company_id, &key)
}

/// `POST /companies/{company_id}/admin/apps/{app_key}/configurations/{id}/delete`.
pub(crate) async fn delete_configuration(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((company_id, key, id)): Path<(i64, String, i64)>,
    body: Bytes,
) -> Response {
    let v = match admin(&state, &headers, company_id) {
        Ok(v) => v,
        Err(res) => return res,
    };
    if let Err(res) = check_csrf(&v, &form_pairs(&body)) {
        return res;
    }
    state
        .installs()
        .configurations
        .retain(|c| !(c.id == id && c.company_id == company_id));
    back(company_id, &key)
}
