//! Sign in with Procore (authorization code + PKCE + state) and sign out. Failures land on
//! `/auth/error?reason=…`, a page with the way forward; never a 500.

use std::sync::Arc;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::Deserialize;
use tower_sessions::Session;

use crate::db::{StoredCompany, StoredUser};
use crate::procore::oauth::OAuthError;
use crate::startup::{AppState, Services};

/// Session key: the signed-in Procore user id.
pub const USER_ID: &str = "user_id";
/// Session key: the current Procore company id.
pub const COMPANY_ID: &str = "company_id";
const OAUTH_STATE: &str = "oauth_state";
const OAUTH_PKCE: &str = "oauth_pkce";

/// The sign-in and sign-out routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/auth/procore/login", get(login))
        .route("/auth/procore/callback", get(callback))
        .route("/auth/logout", post(logout))
}

fn fail(reason: &str) -> Response {
    Redirect::to(&format!("/auth/error?reason={reason}")).into_response()
}

#[tracing::instrument(skip_all)]
async fn login(State(services): State<Arc<Services>>, session: Session) -> Response {
    let start = services.oauth.start();
    let saved = async {
        session.insert(OAUTH_STATE, &start.state).await?;
        session.insert(OAUTH_PKCE, &start.pkce_verifier).await
    }
    .await;
    match saved {
        Ok(()) => Redirect::to(start.url.as_str()).into_response(),
        Err(error) => {
            tracing::error!(%error, "could not store the sign-in state");
            fail("session")
        }
    }
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
    Query(params): Query<CallbackParams>,
) -> Response {
    // Single use: the state and verifier leave the session whatever happens next.
    let expected: Option<String> = session.remove(OAUTH_STATE).await.ok().flatten();
    let verifier: Option<String> = session.remove(OAUTH_PKCE).await.ok().flatten();
    if let Some(error) = params.error.as_deref() {
        tracing::info!(error, "Procore returned an authorization error");
        return fail(if error == "access_denied" {
            "denied"
        } else {
            "procore"
        });
    }
    let (Some(expected), Some(verifier)) = (expected, verifier) else {
        return fail("state");
    };
    if params.state.as_deref() != Some(expected.as_str()) {
        tracing::warn!("sign-in state mismatch");
        return fail("state");
    }
    let Some(code) = params.code.as_deref().filter(|c| !c.is_empty()) else {
        return fail("procore");
    };
    let tokens = match services.oauth.exchange_code(code, &verifier).await {
        Ok(tokens) => tokens,
        Err(OAuthError::InvalidGrant) => return fail("state"),
        Err(OAuthError::Unavailable(reason)) => {
            tracing::warn!(reason, "code exchange failed");
            return fail("procore");
        }
    };
    let (me, companies) = match tokio::try_join!(
        services.procore.me(&tokens.access_token),
        services.procore.companies(&tokens.access_token)
    ) {
        Ok(found) => found,
        Err(error) => {
            tracing::warn!(%error, "reading the Procore profile failed");
            return fail("procore");
        }
    };
    let mut active = Vec::new();
    for c in companies.into_iter().filter(|c| c.is_active) {
        // Only company admins may buy licences; Procore tells us through App Management.
        let is_admin = services
            .procore
            .can_manage_apps(&tokens.access_token, c.id)
            .await;
        active.push(StoredCompany {
            id: c.id,
            name: c.name,
            is_admin: i64::from(is_admin),
        });
    }
    let companies = active;
    if companies.is_empty() {
        return fail("no-company");
    }
    let user = StoredUser {
        id: me.id,
        login: me.login,
        name: me.name,
    };
    let connection = services.tokens.seal(user.id, &tokens);
    if let Err(error) = services
        .db
        .record_sign_in(&user, &companies, &connection)
        .await
    {
        tracing::error!(%error, "saving the sign-in failed");
        return fail("internal");
    }
    // A new session id on privilege change prevents session fixation.
    let previous: Option<i64> = session.get(COMPANY_ID).await.ok().flatten();
    let company_id = previous
        .filter(|id| companies.iter().any(|c| c.id == *id))
        .unwrap_or(companies[0].id);
    let stored = async {
        session.cycle_id().await?;
        session.insert(USER_ID, user.id).await?;
        session.insert(COMPANY_ID, company_id).await?;
        session
            .insert(crate::directory::VERIFIED_AT, crate::db::now())
            .await
    }
    .await;
    if let Err(error) = stored {
        tracing::error!(%error, "could not store the session");
        return fail("session");
    }
    tracing::info!(
        user_id = user.id,
        companies = companies.len(),
        "signed in with Procore"
    );
    Redirect::to("/projects").into_response()
}

#[tracing::instrument(skip_all)]
async fn logout(session: Session) -> Response {
    if let Err(error) = session.flush().await {
        tracing::warn!(%error, "could not delete the session");
    }
    Redirect::to("/").into_response()
}
