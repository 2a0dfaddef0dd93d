//! The embedded view's HTTP edges: signing the Procore iframe in after a popup sign-in, and
//! the cookie that makes that session work in a cross-site frame.
//!
//! The popup is a top-level window, so its session cookie never reaches the frame. After the
//! OAuth callback the popup gets [`hand_off_page`], which posts a single-use code to
//! `window.opener` (targetOrigin = our origin, the protocol of Procore's
//! `@procore/procore-iframe-helpers`, in `embedded_sign_in.js`); the frame checks
//! `event.origin`, then `POST /embedded/session {code}` starts the frame's own session, and
//! `GET /embedded/session` tells it whether the browser kept the cookie.
//!
//! **The cookie.** tower-sessions writes one cookie (`SameSite=Lax`) and cannot write
//! `Partitioned`. Sessions started by a redemption carry an `embedded` mark; whenever such a
//! session's cookie is (re)written, [`partition_embedded_cookie`] rewrites it to
//! `Secure; HttpOnly; SameSite=None; Partitioned` (CHIPS: the cookie lives in a jar keyed by
//! Procore's site, so it is sent inside Procore's frame and nowhere else). Project Central's
//! own top-level sessions keep `SameSite=Lax`, so the app's CSRF posture there is unchanged.
//! `Secure` is set even when `COOKIE_SECURE=false`: browsers refuse `SameSite=None` without
//! it, and Chromium accepts Secure cookies from `http://localhost` and `http://127.0.0.1`.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;
use tower_sessions::cookie::{Cookie, SameSite};
use tower_sessions::Session;

use app::ids::{CompanyId, UserId};

use super::security::CspNonce;
use super::session::AppSession;
use crate::db::now;
use crate::embedded::codes::RedeemError;
use crate::startup::{AppState, Services};

/// The popup protocol script (ours, after `@procore/procore-iframe-helpers`).
const SIGN_IN_JS: &str = include_str!("embedded_sign_in.js");

/// The embedded sign-in routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/embedded/session", get(check).post(redeem))
        .route("/embedded/sign-in.js", get(script))
}

async fn script() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "no-cache"),
        ],
        SIGN_IN_JS,
    )
        .into_response()
}

/// What the frame posts.
#[derive(Debug, Deserialize)]
pub struct Redemption {
    code: String,
}

fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    (status, Json(json!({ "error": message.into() }))).into_response()
}

/// `POST /embedded/session`: redeems a hand-off code for this browser context's own session.
#[tracing::instrument(skip_all)]
async fn redeem(
    State(services): State<Arc<Services>>,
    session: Session,
    headers: HeaderMap,
    Json(body): Json<Redemption>,
) -> Response {
    let origin = headers
        .get(header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let handed = match services
        .db
        .redeem_sign_in_code(body.code.trim(), origin, now())
        .await
    {
        Ok(Ok(handed)) => handed,
        Ok(Err(error)) => {
            tracing::info!(%error, "embedded sign-in code refused");
            let status = match error {
                RedeemError::WrongOrigin => StatusCode::FORBIDDEN,
                RedeemError::Unknown | RedeemError::Expired => StatusCode::BAD_REQUEST,
            };
            return refuse(status, error.to_string());
        }
        Err(error) => {
            let error = crate::error::internal(error);
            return refuse(StatusCode::INTERNAL_SERVER_ERROR, error.to_string());
        }
    };
    let typed = AppSession(&session);
    let started = async {
        typed.sign_in(handed.user, handed.company, now()).await?;
        typed.mark_embedded().await
    };
    if let Err(error) = started.await {
        let error = crate::error::internal(error);
        return refuse(StatusCode::INTERNAL_SERVER_ERROR, error.to_string());
    }
    tracing::info!(user_id = %handed.user, "embedded frame signed in");
    let mut response = Json(json!({ "signed_in": true })).into_response();
    response.extensions_mut().insert(EmbeddedCookie);
    response
}

/// `GET /embedded/session`: whether this request carried a signed-in session (after a
/// redemption, `false` means the browser refused the frame's cookie).
async fn check(session: Session) -> Response {
    let signed_in = matches!(AppSession(&session).user().await, Ok(Some(_)));
    Json(json!({ "signed_in": signed_in })).into_response()
}

/// The page the sign-in popup ends on: it posts a fresh code to the frame that opened it.
pub async fn hand_off_page(
    services: &Services,
    user: UserId,
    company: CompanyId,
    nonce: Option<&CspNonce>,
) -> Response {
    let origin = services.public_base_url.origin().ascii_serialization();
    let code = match services
        .db
        .issue_sign_in_code(user, company, &origin, now())
        .await
    {
        Ok(code) => code,
        Err(error) => {
            tracing::error!(%error, "issuing an embedded sign-in code failed");
            return axum::response::Redirect::to("/auth/error?reason=internal").into_response();
        }
    };
    let nonce = nonce.map(CspNonce::as_str).unwrap_or_default();
    Html(format!(
        r#"<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Signed in · Smartapp</title><link rel="stylesheet" href="/pkg/project-central.css"></head>
<body><main class="page narrow">
<section class="panel" id="embedded-hand-off" data-code="{code}">
<h1>Signed in with Procore</h1>
<p id="embedded-hand-off-status" role="status">Returning you to Procore… this window closes by itself.</p>
</section></main>
<script src="/embedded/sign-in.js" nonce="{nonce}"></script>
</body></html>"#
    ))
    .into_response()
}

/// Set on a response whose session cookie must work inside Procore's cross-site iframe.
#[derive(Debug, Clone, Copy)]
pub struct EmbeddedCookie;

/// Inside the session layer: marks responses that (re)write an embedded session's cookie.
pub async fn flag_embedded_sessions(request: Request, next: Next) -> Response {
    let session = request.extensions().get::<Session>().cloned();
    let mut response = next.run(request).await;
    if let Some(session) = session {
        if session.is_modified() && AppSession(&session).is_embedded().await.unwrap_or(false) {
            response.extensions_mut().insert(EmbeddedCookie);
        }
    }
    response
}

/// The session cookie's name, for [`partition_embedded_cookie`].
#[derive(Debug, Clone)]
pub struct SessionCookieName(pub &'static str);

/// Outside the session layer: rewrites a marked response's session cookie to
/// `Secure; HttpOnly; SameSite=None; Partitioned`.
pub async fn partition_embedded_cookie(
    State(name): State<SessionCookieName>,
    request: Request,
    next: Next,
) -> Response {
    let mut response = next.run(request).await;
    if response.extensions().get::<EmbeddedCookie>().is_none() {
        return response;
    }
    let headers = response.headers_mut();
    let rewritten: Vec<HeaderValue> = headers
        .get_all(header::SET_COOKIE)
        .iter()
        .map(|value| partitioned(value, name.0).unwrap_or_else(|| value.clone()))
        .collect();
    headers.remove(header::SET_COOKIE);
    for value in rewritten {
        headers.append(header::SET_COOKIE, value);
    }
    response
}

/// `value` as a partitioned cross-site cookie, when it is the session cookie `name`.
fn partitioned(value: &HeaderValue, name: &str) -> Option<HeaderValue> {
    let mut cookie = Cookie::parse(value.to_str().ok()?.to_string()).ok()?;
    if cookie.name() != name {
        return None;
    }
    cookie.set_same_site(SameSite::None);
    cookie.set_secure(true);
    cookie.set_http_only(true);
    cookie.set_partitioned(true);
    HeaderValue::from_str(&cookie.to_string()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_session_cookie_is_partitioned() {
        let session = HeaderValue::from_static(
            "pc_session=abc; HttpOnly; SameSite=Lax; Path=/; Max-Age=43200",
        );
        let text = partitioned(&session, "pc_session").unwrap();
        let text = text.to_str().unwrap();
        for part in [
            "pc_session=abc",
            "HttpOnly",
            "SameSite=None",
            "Secure",
            "Partitioned",
            "Path=/",
        ] {
            assert!(text.contains(part), "{part} in {text}");
        }
        let other = HeaderValue::from_static("pc_signin_1=x; Path=/auth/procore");
        assert!(partitioned(&other, "pc_session").is_none());
    }
}
