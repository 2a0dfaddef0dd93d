//! Sign in with Procore (authorization code + PKCE + state) and sign out. Failures land on
//! `/auth/error?reason=…`, a page with the way forward; never a 500.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::http::{header, HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Extension, Router};
use serde::Deserialize;
use tower_sessions::Session;

use app::ids::{CompanyId, UserId};

use super::security::CspNonce;
use super::session::AppSession;
use super::sign_in_cookie::PendingSignIn;
use crate::accounts::{StoredCompany, StoredUser};
use crate::procore::oauth::OAuthError;
use crate::procore::Priority;
use crate::startup::{AppState, Services};

/// The sign-in and sign-out routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/procore/login", get(login))
        .route("/auth/procore/callback", get(callback))
        .route("/auth/logout", post(logout))
        .route("/auth/procore/disconnect", post(disconnect))
}

fn fail(reason: &str) -> Response {
    Redirect::to(&format!("/auth/error?reason={reason}")).into_response()
}

/// `?popup=1`: the sign-in runs in the embedded view's popup.
#[derive(Debug, Deserialize)]
pub struct LoginParams {
    popup: Option<String>,
    /// `?next=/setup/planner`: where to go after signing in (a path of ours only).
    next: Option<String>,
    /// `?app=safety`: sign in through that marketplace app's own OAuth client, if configured.
    app: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn login(
    State(services): State<Arc<Services>>,
    Query(params): Query<LoginParams>,
) -> Response {
    let popup = matches!(params.popup.as_deref(), Some("1" | "true"));
    let app = params
        .app
        .as_deref()
        .filter(|key| services.tokens.has_app_client(key))
        .map(str::to_string);
    let start = services.tokens.oauth_for(app.as_deref()).start();
    let next = params
        .next
        .as_deref()
        .and_then(super::sign_in_cookie::safe_next);
    let cookie =
        services
            .sign_in_cookies
            .issue_to(&start.state, &start.pkce_verifier, popup, next, app);
    let mut response = Redirect::to(start.url.as_str()).into_response();
    response.headers_mut().append(header::SET_COOKIE, cookie);
    response
}

/// What Procore sends back to the redirect URI.
#[derive(Debug, Deserialize)]
pub struct CallbackParams {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

#[tracing::instrument(skip_all)]
async fn callback(
    State(services): State<Arc<Services>>,
    session: Session,
    headers: HeaderMap,
    nonce: Option<Extension<CspNonce>>,
    Query(params): Query<CallbackParams>,
) -> Response {
    let state = params.state.clone().unwrap_or_default();
    // Single use: the attempt's cookie goes whatever happens next. A callback whose state
    // matches no attempt of this browser touches nothing (another sign-in may be under way).
    let Some((pending, clear)) = services.sign_in_cookies.redeem(&headers, &state) else {
        if let Some(error) = params.error.as_deref() {
            tracing::info!(
                error,
                "Procore returned an authorization error for no attempt of ours"
            );
            return fail(if error == "access_denied" {
                "denied"
            } else {
                "procore"
            });
        }
        tracing::warn!("sign-in state matches no attempt in progress");
        return fail("state");
    };
    let (popup, next) = (pending.popup, pending.next.clone());
    let mut response = complete(&services, AppSession(&session), params, pending).await;
    let signed_in = response
        .headers()
        .get(header::LOCATION)
        .is_some_and(|l| l == "/projects");
    if signed_in && !popup {
        if let Some(next) = next.and_then(|n| HeaderValue::from_str(&n).ok()) {
            response.headers_mut().insert(header::LOCATION, next);
        }
    }
    if popup
        && response
            .headers()
            .get(header::LOCATION)
            .is_some_and(|l| l == "/projects")
    {
        // Signed in: the popup hands the frame that opened it a code instead.
        if let (Ok(Some(user)), Ok(Some(company))) = (
            AppSession(&session).user().await,
            AppSession(&session).company().await,
        ) {
            let nonce = nonce.as_ref().map(|Extension(n)| n);
            response = super::embedded::hand_off_page(&services, user, company, nonce).await;
        }
    }
    response.headers_mut().append(header::SET_COOKIE, clear);
    response
}

async fn complete(
    services: &Services,
    session: AppSession<'_>,
    params: CallbackParams,
    pending: PendingSignIn,
) -> Response {
    if let Some(error) = params.error.as_deref() {
        tracing::info!(error, "Procore returned an authorization error");
        return fail(if error == "access_denied" {
            "denied"
        } else {
            "procore"
        });
    }
    let Some(code) = params.code.as_deref().filter(|c| !c.is_empty()) else {
        return fail("procore");
    };
    let tokens = match services
        .tokens
        .oauth_for(pending.app.as_deref())
        .exchange_code(code, &pending.pkce_verifier)
        .await
    {
        Ok(tokens) => tokens,
        Err(OAuthError::InvalidGrant) => return fail("state"),
        Err(OAuthError::Unavailable(reason)) => {
            tracing::warn!(reason, "code exchange failed");
            return fail("procore");
        }
    };
    let me = match services.procore.me(&tokens.access_token).await {
        Ok(me) => me,
        Err(error) => {
            tracing::warn!(%error, "reading the Procore profile failed");
            return fail("procore");
        }
    };
    // From here on the calls count against this connection's shared rate budget.
    let procore = services.procore.for_user(me.id, Priority::Person);
    let companies = match procore.companies(&tokens.access_token).await {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(%error, "reading the Procore companies failed");
            return fail("procore");
        }
    };
    let mut active = Vec::new();
    // Set when Procore did not answer whether the user is an admin somewhere: the session
    // then counts as unverified, so the next request asks again.
    let mut unsure = false;
    for c in companies.into_iter().filter(|c| c.is_active) {
        // Only company admins may buy licences; Procore tells us through App Management.
        let is_admin = match procore.can_manage_apps(&tokens.access_token, c.id).await {
            Ok(admin) => admin,
            Err(error) => {
                tracing::warn!(%error, company = c.id, "could not learn whether the user is a company admin; keeping what we knew");
                unsure = true;
                services
                    .db
                    .membership(UserId(me.id), CompanyId(c.id))
                    .await
                    .ok()
                    .flatten()
                    .unwrap_or(false)
            }
        };
        active.push(StoredCompany {
            id: CompanyId(c.id),
            name: c.name,
            is_admin,
        });
    }
    let companies = active;
    if companies.is_empty() {
        return fail("no-company");
    }
    let user = StoredUser {
        id: UserId(me.id),
        login: me.login,
        name: me.name,
    };
    let mut connection = services.tokens.seal(user.id.get(), &tokens);
    connection.oauth_app = pending.app.clone();
    if let Err(error) = services
        .db
        .record_sign_in(&user, &companies, &connection)
        .await
    {
        tracing::error!(%error, "saving the sign-in failed");
        return fail("internal");
    }
    // Which of our apps each company has installed, asked in the background.
    for company in &companies {
        let (installs, company, user) = (services.installs.clone(), company.id, user.id);
        tokio::spawn(async move {
            if let Err(error) = installs.check(company, user).await {
                tracing::info!(%error, %company, "checking app installations at sign-in failed");
            }
        });
    }
    // A new session id on privilege change prevents session fixation.
    let previous = session.company().await.ok().flatten();
    let company_id = previous
        .filter(|id| companies.iter().any(|c| c.id == *id))
        .unwrap_or(companies[0].id);
    let verified_at = if unsure { 0 } else { crate::db::now() };
    if let Err(error) = session.sign_in(user.id, company_id, verified_at).await {
        tracing::error!(%error, "could not store the session");
        return fail("session");
    }
    tracing::info!(
        user_id = %user.id,
        companies = companies.len(),
        "signed in with Procore"
    );
    Redirect::to("/projects").into_response()
}

#[tracing::instrument(skip_all)]
async fn logout(session: Session) -> Response {
    if let Err(error) = AppSession(&session).end().await {
        tracing::warn!(%error, "could not delete the session");
    }
    Redirect::to("/").into_response()
}

/// Disconnect Procore: revokes our tokens at Procore, forgets them, and ends this session.
/// Background work on this connection and the embedded view stop until the next sign-in.
#[tracing::instrument(skip_all)]
async fn disconnect(State(services): State<Arc<Services>>, session: Session) -> Response {
    let session = AppSession(&session);
    let user = match session.user().await {
        Ok(Some(user)) => user,
        _ => return Redirect::to("/").into_response(),
    };
    if let Err(error) = services.tokens.disconnect(user.get()).await {
        tracing::error!(%error, "disconnecting Procore failed");
        return fail("internal");
    }
    if let Err(error) = session.end().await {
        tracing::warn!(%error, "could not delete the session");
    }
    Redirect::to("/?disconnected=1").into_response()
}
