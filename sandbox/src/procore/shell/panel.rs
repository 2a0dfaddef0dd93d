//! The app's components as Procore places them, from its manifest: Full Screen at company
//! level (`/companies/{id}/tools/apps/{key}`, no project: `{{procore.project.id}}` is
//! empty), and the 400 px side panel (`?panel=side` on a project page or an app's tool
//! page) with the parent half of Procore's side-panel protocol (procore-api.md §8.4): it
//! answers the frame's `initialize` with `setup {company_id, project_id, id, view}` and
//! sends `sidepanel:app:visible` / `hidden` / `destroy` as the panel is shown, hidden and
//! closed, always with the app's exact origin as targetOrigin.

use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{Html, IntoResponse, Response};

use super::super::apps::manifest::Place;
use super::super::pages::escape;
use super::super::seed::{Company, Project};
use super::super::{MarketplaceApp, Shared};
use super::company::member;
use super::layout::{page, Nav};
use super::session::{not_found, viewer, Viewer};

/// The installed app `key`, or the page saying it is not installed.
pub(crate) fn installed_app<'a>(
    state: &'a Shared,
    v: &Viewer,
    company_id: i64,
    key: &str,
) -> Result<&'a MarketplaceApp, Response> {
    let installed = state.installs().is_installed(company_id, key);
    state.app(key).filter(|_| installed).ok_or_else(|| {
        not_found(
            Some(v),
            "This app is not installed in this company. Install it from the Marketplace.",
        )
    })
}

/// `GET /companies/{company_id}/tools/apps/{app_key}`: the app's Full Screen at company
/// level, as Procore opens it from the company's Apps menu.
pub(crate) async fn company_tool(
    State(state): State<Shared>,
    headers: HeaderMap,
    Path((company_id, key)): Path<(i64, String)>,
) -> Response {
    let here = format!("/companies/{company_id}/tools/apps/{key}");
    let v = match viewer(&state, &headers, &here) {
        Ok(v) => v,
        Err(res) => return res,
    };
    let company = match member(&state, &v, company_id) {
        Ok((c, _)) => c,
        Err(res) => return res,
    };
    let app = match installed_app(&state, &v, company_id, &key) {
        Ok(a) => a,
        Err(res) => return res,
    };
    let place = Place {
        company: (company.id, &company.name),
        project: None,
    };
    let src = app.url_for(&app.fullscreen_url, place);
    let title = escape(&app.name);
    let body = format!(
        "<h1>{title} <span class=\"muted\">· {cname}</span></h1>\
         <iframe id=\"app-frame\" class=\"app\" title=\"{title}\" src=\"{src}\" allow=\"storage-access\" \
         style=\"width:100%;height:calc(100vh - 170px);min-height:600px\"></iframe>",
        cname = escape(&company.name),
        src = escape(&src),
    );
    let nav = Nav::company(&state, &v, company_id, None);
    Html(page(&app.name, Some(&nav), &body)).into_response()
}

/// The project page's tool area with the app's side panel docked at its right, or None
/// when the app has no side panel.
pub(crate) fn side_panel(
    app: &MarketplaceApp,
    company: &Company,
    project: &Project,
    tool: &str,
) -> Option<String> {
    let template = app.sidepanel_url.as_deref()?;
    let place = Place {
        company: (company.id, &company.name),
        project: Some((project.id, &project.name)),
    };
    let src = app.url_for(template, place);
    // The view the panel opens on: the first the manifest lists (the shell has no tools).
    let view = app.sidepanel_views.first().cloned().unwrap_or_default();
    let title = escape(&app.name);
    Some(format!(
        "<div class=\"with-panel\"><section class=\"tool card\" aria-label=\"Project tool\">{tool}\
         <p class=\"muted\">Procore view <code>{view}</code>: the app runs in the side panel.</p></section>\
         <aside id=\"side-panel\" aria-label=\"{title} side panel\">\
         <p class=\"panel-bar\"><button type=\"button\" class=\"secondary\" id=\"panel-toggle\" aria-controls=\"panel-body\" aria-expanded=\"true\">Hide panel</button> \
         <button type=\"button\" class=\"secondary\" id=\"panel-close\">Close panel</button></p>\
         <div id=\"panel-body\"><iframe id=\"app-frame\" class=\"app\" title=\"{title}\" src=\"{src}\" allow=\"storage-access\" \
         style=\"width:400px;height:calc(100vh - 220px);min-height:560px\"></iframe></div>\
         <p id=\"panel-closed\" hidden role=\"status\">The side panel is closed. Reload the page to open it again.</p>\
         </aside></div>{script}",
        view = escape(&view),
        src = escape(&src),
        script = protocol_script(&src, company.id, project.id, &view),
    ))
}

/// A JSON value safe inside an inline `<script>`.
fn js(value: &serde_json::Value) -> String {
    value.to_string().replace('<', "\\u003c")
}

/// Procore's half of the side-panel protocol, for the frame `#app-frame` served from the
/// origin of `src`.
fn protocol_script(src: &str, company_id: i64, project_id: i64, view: &str) -> String {
    let origin = url::Url::parse(src)
        .map(|u| u.origin().ascii_serialization())
        .unwrap_or_default();
    let origin = js(&serde_json::Value::String(origin));
    let context = js(&serde_json::json!({
        "company_id": company_id.to_string(),
        "project_id": project_id.to_string(),
        "id": null,
        "view": view,
    }));
    format!(
        "<script>(function(){{var origin={origin},context={context};\
         var frame=document.getElementById('app-frame'),body=document.getElementById('panel-body'),\
         toggle=document.getElementById('panel-toggle'),closer=document.getElementById('panel-close');\
         function send(m){{if(frame&&frame.contentWindow)frame.contentWindow.postMessage(m,origin);}}\
         window.addEventListener('message',function(e){{\
         if(!frame||e.origin!==origin||e.source!==frame.contentWindow||!e.data||e.data.type!=='initialize')return;\
         send({{type:'setup',context:context}});}});\
         toggle.addEventListener('click',function(){{var hide=!body.hidden;body.hidden=hide;\
         toggle.textContent=hide?'Show panel':'Hide panel';toggle.setAttribute('aria-expanded',String(!hide));\
         send({{type:hide?'sidepanel:app:hidden':'sidepanel:app:visible'}});}});\
         closer.addEventListener('click',function(){{send({{type:'sidepanel:app:destroy'}});\
         var f=frame;frame=null;toggle.hidden=true;closer.hidden=true;\
         setTimeout(function(){{if(f)f.remove();body.hidden=true;document.getElementById('panel-closed').hidden=false;}},100);}});\
         }})();</script>"
    )
}
