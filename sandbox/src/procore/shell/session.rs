//! Sign-in for the web shell: the demo users and passwords, a session cookie on the shell's
//! own origin, and a per-session CSRF token checked by every state-changing form.

use std::collections::HashMap;

use axum::body::Bytes;
use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use serde::Deserialize;

use super::super::pages::escape;
use super::super::tokens::random_token;
use super::super::Shared;
use super::layout::{page, Nav};

/// Name of the shell's session cookie.
pub(crate) const COOKIE: &str = "procore_shell";

/// One signed-in browser.
#[derive(Clone, Debug)]
pub(crate) struct Session {
    pub user_id: i64,
    pub csrf: String,
}

/// Live shell sessions by cookie value.
#[derive(Default)]
pub(crate) struct Sessions {
    map: HashMap<String, Session>,
}

/// The signed-in user of a request.
pub(crate) struct Viewer {
    pub user_id: i64,
    pub name: String,
    pub csrf: String,
}

/// The session cookie's value, if any.
fn cookie(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == COOKIE)
        .map(|(_, v)| v.to_owned())
}

/// The viewer, or a redirect to the sign-in page that comes back to `here`.
pub(crate) fn viewer(state: &Shared, headers: &HeaderMap, here: &str) -> Result<Viewer, Response> {
    let session = cookie(headers).and_then(|c| state.shell().map.get(&c).cloned());
    let user = session
        .as_ref()
        .and_then(|s| state.seed.user(s.user_id).map(|u| (s, u)));
    match user {
        Some((s, u)) => Ok(Viewer {
            user_id: u.id,
            name: u.name.clone(),
            csrf: s.csrf.clone(),
        }),
        None => {
            let to = url::form_urlencoded::Serializer::new(String::new())
                .append_pair("return_to", here)
                .finish();
            Err(Redirect::to(&format!("/login?{to}")).into_response())
        }
    }
}

/// Decodes a urlencoded form body into pairs (repeated names kept).
pub(crate) fn form_pairs(body: &[u8]) -> Vec<(String, String)> {
    url::form_urlencoded::parse(body).into_owned().collect()
}

/// First value of a form field.
pub(crate) fn field<'a>(pairs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// 403 unless the form carries the session's CSRF token.
pub(crate) fn check_csrf(viewer: &Viewer, pairs: &[(String, String)]) -> Result<(), Response> {
    if field(pairs, "authenticity_token") == Some(viewer.csrf.as_str()) {
        return Ok(());
    }
    Err(forbidden(
        Some(viewer),
        "Invalid authenticity token",
        "The form's authenticity token is missing or does not match this session. Reload the page and try again.",
    ))
}

/// The hidden CSRF field of a form.
pub(crate) fn csrf_input(viewer: &Viewer) -> String {
    format!(
        "<input type=\"hidden\" name=\"authenticity_token\" value=\"{}\">",
        escape(&viewer.csrf)
    )
}

/// A 403 page.
pub(crate) fn forbidden(viewer: Option<&Viewer>, title: &str, message: &str) -> Response {
    let body = format!(
        "<h1>{}</h1><p class=\"error\" role=\"alert\">{}</p>",
        escape(title),
        escape(message)
    );
    let nav = viewer.map(Nav::plain);
    (
        StatusCode::FORBIDDEN,
        Html(page(title, nav.as_ref(), &body)),
    )
        .into_response()
}

/// A 404 page.
pub(crate) fn not_found(viewer: Option<&Viewer>, message: &str) -> Response {
    let body = format!(
        "<h1>Not found</h1><p class=\"error\" role=\"alert\">{}</p><p><a href=\"/\">Home</a></p>",
        escape(message)
    );
    let nav = viewer.map(Nav::plain);
    (
        StatusCode::NOT_FOUND,
        Html(page("Not found", nav.as_ref(), &body)),
    )
        .into_response()
}

#[derive(Deserialize)]
pub(crate) struct ReturnTo {
    return_to: Option<String>,
}

/// Only local paths, so the sign-in cannot be turned into an open redirect.
fn safe_return(to: Option<&str>) -> &str {
    match to {
        Some(p) if p.starts_with('/') && !p.starts_with("//") && !p.contains('\\') => p,
        _ => "/",
    }
}

fn sign_in_form(state: &Shared, return_to: &str, error: Option<&str>, login: &str) -> String {
    let error = error
        .map(|e| format!("<p class=\"error\" role=\"alert\">{}</p>", escape(e)))
        .unwrap_or_default();
    let users: String = state
        .seed
        .demo_users()
        .iter()
        .map(|u| {
            format!(
                "<li><code>{}</code> / <code>{}</code> — {}</li>",
                escape(&u.login),
                escape(&u.password),
                escape(&u.name)
            )
        })
        .collect();
    let body = format!(
        "<h1>Sign in to Procore (sandbox web)</h1>{error}\
         <form method=\"post\" action=\"/login\" class=\"card narrow\">\
         <input type=\"hidden\" name=\"return_to\" value=\"{rt}\">\
         <label for=\"login\">Email</label>\
         <input id=\"login\" name=\"login\" type=\"email\" autocomplete=\"username\" required value=\"{login}\">\
         <label for=\"password\">Password</label>\
         <input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required>\
         <p><button type=\"submit\">Sign in</button></p></form>\
         <section class=\"card narrow\"><h2>Demo users</h2><ul>{users}</ul></section>",
        rt = escape(return_to),
        login = escape(login),
    );
    page("Sign in", None, &body)
}

/// `GET /login`.
pub(crate) async fn login_page(
    State(state): State<Shared>,
    Query(q): Query<ReturnTo>,
) -> Html<String> {
    Html(sign_in_form(
        &state,
        safe_return(q.return_to.as_deref()),
        None,
        "",
    ))
}

/// `POST /login`: checks the password, starts a session and goes back.
pub(crate) async fn login_submit(State(state): State<Shared>, body: Bytes) -> Response {
    let pairs = form_pairs(&body);
    let login = field(&pairs, "login").unwrap_or("");
    let return_to = safe_return(field(&pairs, "return_to")).to_owned();
    let user = state
        .seed
        .user_by_login(login)
        .filter(|u| Some(u.password.as_str()) == field(&pairs, "password"));
    let Some(user) = user else {
        let html = sign_in_form(
            &state,
            &return_to,
            Some("Invalid email or password."),
            login,
        );
        return (StatusCode::UNAUTHORIZED, Html(html)).into_response();
    };
    let token = random_token();
    let session = Session {
        user_id: user.id,
        csrf: random_token(),
    };
    state.shell().map.insert(token.clone(), session);
    let cookie = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Lax");
    (
        StatusCode::SEE_OTHER,
        [(header::SET_COOKIE, cookie), (header::LOCATION, return_to)],
    )
        .into_response()
}

/// `POST /logout` (CSRF-checked): ends the session.
pub(crate) async fn logout(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let viewer = match viewer(&state, &headers, "/") {
        Ok(v) => v,
        Err(res) => return res,
    };
    if let Err(res) = check_csrf(&viewer, &form_pairs(&body)) {
        return res;
    }
    if let Some(c) = cookie(&headers) {
        state.shell().map.remove(&c);
    }
    let clear = format!("{COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0");
    (
        StatusCode::SEE_OTHER,
        [
            (header::SET_COOKIE, clear),
            (header::LOCATION, "/login".into()),
        ],
    )
        .into_response()
}
