//! The login server: `/oauth/authorize` (sign-in page), `/oauth/token` (grants),
//! `/oauth/token/info` and `/oauth/revoke`, per procore-api.md §3.

use std::collections::HashMap;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde::Deserialize;
use serde_json::{json, Map, Value};

use super::pages;
use super::rest::bearer;
use super::seed::SERVICE_USER_BASE;
use super::tokens::{AuthCode, Challenge, CodeError, Issued, Principal};
use super::{Counters, Shared};

/// Redirect URI meaning "show the code on a page" for headless apps.
const OOB_URI: &str = "urn:ietf:wg:oauth:2.0:oob";
const INVALID_GRANT: &str = "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.";
const INVALID_CLIENT: &str = "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.";

/// Query of `GET /oauth/authorize`, also the hidden fields (plus credentials) of the POST.
#[derive(Clone, Debug, Default, Deserialize)]
pub(crate) struct AuthorizeParams {
    pub response_type: Option<String>,
    pub client_id: Option<String>,
    pub redirect_uri: Option<String>,
    pub state: Option<String>,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
    pub login: Option<String>,
    pub password: Option<String>,
    pub action: Option<String>,
}

/// An authorize request that passed validation.
struct Valid {
    client_id: String,
    redirect_uri: String,
    challenge: Option<Challenge>,
}

/// Checks client and redirect URI (errors shown as a page) then the rest (errors redirected).
fn validate(state: &Shared, p: &AuthorizeParams) -> Result<Valid, Box<Response>> {
    let page = |msg: &str| {
        Box::new(
            (
                StatusCode::BAD_REQUEST,
                Html(pages::error_page("Sign-in request rejected", msg)),
            )
                .into_response(),
        )
    };
    let Some(client) = p.client_id.as_deref().and_then(|id| state.client(id)) else {
        return Err(page(
            "The client_id is missing or is not a registered application.",
        ));
    };
    let Some(redirect_uri) = p.redirect_uri.as_deref() else {
        return Err(page("The redirect_uri parameter is missing."));
    };
    // Exact string comparison, trailing slash included, as Procore does.
    if !client.redirect_uris.iter().any(|u| u == redirect_uri) {
        return Err(page(
            "The redirect_uri is not registered for this application (it must match exactly).",
        ));
    }
    // From here the redirect URI is trusted, so errors go back to the app (RFC 6749 §4.1.2.1).
    let back = |error: &str, description: &str| {
        Box::new(redirect_with(
            redirect_uri,
            &[("error", error), ("error_description", description)],
            p.state.as_deref(),
        ))
    };
    if p.response_type.as_deref() != Some("code") {
        return Err(back(
            "unsupported_response_type",
            "Only response_type=code is supported.",
        ));
    }
    let challenge = match (
        p.code_challenge.as_deref(),
        p.code_challenge_method.as_deref(),
    ) {
        (None, None) => None,
        (Some(c), None | Some("plain")) => Some(Challenge {
            value: c.to_owned(),
            s256: false,
        }),
        (Some(c), Some("S256")) => Some(Challenge {
            value: c.to_owned(),
            s256: true,
        }),
        _ => {
            return Err(back(
                "invalid_request",
                "code_challenge_method must be S256 or plain, with a code_challenge.",
            ))
        }
    };
    Ok(Valid {
        client_id: client.client_id.clone(),
        redirect_uri: redirect_uri.to_owned(),
        challenge,
    })
}

/// 302 to `redirect_uri` with extra query pairs, keeping any query it already has.
fn redirect_with(redirect_uri: &str, pairs: &[(&str, &str)], state: Option<&str>) -> Response {
    let Ok(mut url) = url::Url::parse(redirect_uri) else {
        return (
            StatusCode::BAD_REQUEST,
            Html(pages::error_page(
                "Bad redirect URI",
                "The redirect_uri is not a URL.",
            )),
        )
            .into_response();
    };
    {
        let mut q = url.query_pairs_mut();
        for (k, v) in pairs {
            q.append_pair(k, v);
        }
        if let Some(state) = state {
            q.append_pair("state", state);
        }
    }
    (
        StatusCode::FOUND,
        [
            (header::LOCATION, url.to_string()),
            (header::CACHE_CONTROL, "no-store".into()),
        ],
    )
        .into_response()
}

/// `GET /oauth/authorize`: the sign-in page.
pub(crate) async fn authorize_page(
    State(state): State<Shared>,
    Query(p): Query<AuthorizeParams>,
) -> Response {
    match validate(&state, &p) {
        Err(res) => *res,
        Ok(_) => Html(pages::sign_in_page(&p, &state.seed.demo_users(), None)).into_response(),
    }
}

/// `POST /oauth/authorize`: sign in (→ code) or deny (→ access_denied).
pub(crate) async fn authorize_submit(
    State(state): State<Shared>,
    Form(p): Form<AuthorizeParams>,
) -> Response {
    let valid = match validate(&state, &p) {
        Err(res) => return *res,
        Ok(v) => v,
    };
    if p.action.as_deref() == Some("deny") {
        return redirect_with(
            &valid.redirect_uri,
            &[
                ("error", "access_denied"),
                (
                    "error_description",
                    "The resource owner or authorization server denied the request.",
                ),
            ],
            p.state.as_deref(),
        );
    }
    let user = state
        .seed
        .user_by_login(p.login.as_deref().unwrap_or(""))
        .filter(|u| Some(u.password.as_str()) == p.password.as_deref());
    let Some(user) = user else {
        let page = pages::sign_in_page(
            &p,
            &state.seed.demo_users(),
            Some("Invalid email or password."),
        );
        return (StatusCode::UNAUTHORIZED, Html(page)).into_response();
    };
    let code = state.auth().create_code(AuthCode {
        client_id: valid.client_id,
        redirect_uri: valid.redirect_uri.clone(),
        user_id: user.id,
        challenge: valid.challenge,
        expires_at: Instant::now() + state.opts.code_ttl,
    });
    tracing::info!(
        user_id = user.id,
        "procore sandbox: user signed in, code issued"
    );
    if valid.redirect_uri == OOB_URI {
        return Html(pages::oob_code_page(&code)).into_response();
    }
    redirect_with(&valid.redirect_uri, &[("code", &code)], p.state.as_deref())
}

/// RFC 6749 error body, never cached.
fn oauth_error(status: StatusCode, error: &str, description: &str) -> Response {
    let mut res = (
        status,
        Json(json!({ "error": error, "error_description": description })),
    )
        .into_response();
    res.headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    res
}

/// Reads a form or JSON body into string fields (numbers become their text).
fn body_fields(headers: &HeaderMap, body: &[u8]) -> Result<HashMap<String, String>, Box<Response>> {
    let is_json = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if !is_json {
        return Ok(url::form_urlencoded::parse(body).into_owned().collect());
    }
    let map: Map<String, Value> = serde_json::from_slice(body).map_err(|_| {
        Box::new(oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "The request body is not a JSON object.",
        ))
    })?;
    Ok(map
        .into_iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) => Some((k, s)),
            Value::Number(n) => Some((k, n.to_string())),
            _ => None,
        })
        .collect())
}

/// Client id and secret from HTTP Basic (preferred) or the body.
fn client_auth(headers: &HeaderMap, fields: &HashMap<String, String>) -> Option<(String, String)> {
    let basic = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            v.strip_prefix("Basic ")
                .or_else(|| v.strip_prefix("basic "))
        })
        .and_then(|b64| STANDARD.decode(b64.trim()).ok())
        .and_then(|raw| String::from_utf8(raw).ok());
    if let Some(pair) = basic {
        let (id, secret) = pair.split_once(':')?;
        // RFC 6749 §2.3.1: both halves are form-urlencoded before Basic encoding.
        let decode = |s: &str| {
            url::form_urlencoded::parse(format!("v={s}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
        };
        return Some((decode(id)?, decode(secret)?));
    }
    Some((
        fields.get("client_id")?.clone(),
        fields.get("client_secret")?.clone(),
    ))
}

fn token_response(issued: Issued) -> Response {
    let mut body = json!({
        "access_token": issued.access_token,
        "token_type": "bearer",
        "expires_in": issued.expires_in,
        "created_at": issued.created_at,
    });
    if let Some(refresh) = issued.refresh_token {
        body["refresh_token"] = json!(refresh);
    }
    let mut res = Json(body).into_response();
    let h = res.headers_mut();
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::PRAGMA, HeaderValue::from_static("no-cache"));
    res
}

/// `POST /oauth/token`: authorization_code, refresh_token and client_credentials grants.
pub(crate) async fn token(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = match body_fields(&headers, &body) {
        Ok(f) => f,
        Err(res) => return *res,
    };
    let get = |k: &str| fields.get(k).map(String::as_str).filter(|v| !v.is_empty());
    let missing = |k: &str| {
        oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            &format!("Missing required parameter: {k}."),
        )
    };
    let Some(grant_type) = get("grant_type") else {
        return missing("grant_type");
    };
    let client = client_auth(&headers, &fields).and_then(|(id, secret)| {
        state
            .clients
            .iter()
            .position(|c| c.client_id == id && c.client_secret == secret)
    });
    let Some(client_index) = client else {
        let mut res = oauth_error(StatusCode::UNAUTHORIZED, "invalid_client", INVALID_CLIENT);
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Basic realm=\"Procore\""),
        );
        return res;
    };
    let client_id = state.clients[client_index].client_id.clone();
    let ttl = state.opts.access_token_ttl;
    match grant_type {
        "authorization_code" => {
            let Some(code) = get("code") else {
                return missing("code");
            };
            let Some(redirect_uri) = get("redirect_uri") else {
                return missing("redirect_uri");
            };
            let result =
                state
                    .auth()
                    .redeem_code(code, &client_id, redirect_uri, get("code_verifier"), ttl);
            match result {
                Ok(issued) => {
                    Counters::bump(&state.counters.authorization_code_grants);
                    token_response(issued)
                }
                Err(CodeError::Invalid) => {
                    oauth_error(StatusCode::BAD_REQUEST, "invalid_grant", INVALID_GRANT)
                }
                Err(CodeError::Pkce) => oauth_error(
                    StatusCode::BAD_REQUEST,
                    "invalid_grant",
                    "The code_verifier is missing or does not match the code_challenge.",
                ),
            }
        }
        "refresh_token" => {
            let Some(refresh) = get("refresh_token") else {
                return missing("refresh_token");
            };
            let rotated = state.auth().rotate_refresh(refresh, &client_id, ttl);
            match rotated {
                Some(issued) => {
                    Counters::bump(&state.counters.refresh_grants);
                    token_response(issued)
                }
                None => {
                    Counters::bump(&state.counters.refresh_reuse_rejected);
                    tracing::warn!(
                        client_id,
                        "procore sandbox: rejected reused or unknown refresh token"
                    );
                    oauth_error(
                        StatusCode::BAD_REQUEST,
                        "invalid_grant",
                        "The refresh token is invalid",
                    )
                }
            }
        }
        "client_credentials" => {
            let principal = Principal::Service {
                client_id: client_id.clone(),
                user_id: SERVICE_USER_BASE + client_index as i64,
            };
            let issued = state.auth().issue(principal, &client_id, false, ttl);
            Counters::bump(&state.counters.client_credentials_grants);
            token_response(issued)
        }
        _ => oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        ),
    }
}

/// `GET /oauth/token/info`: describes the bearer token.
pub(crate) async fn token_info(State(state): State<Shared>, headers: HeaderMap) -> Response {
    let auth = state.auth();
    let Some(token) = bearer(&headers).and_then(|t| auth.valid_access(t)) else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "The access token is invalid",
        );
    };
    Json(json!({
        "resource_owner_id": token.principal.user_id(),
        "scopes": [],
        "expires_in_seconds": token.expires_at.saturating_duration_since(Instant::now()).as_secs(),
        "application": { "uid": token.client_id },
        "created_at": token.created_at,
    }))
    .into_response()
}

/// `POST /oauth/revoke`: always 200 (RFC 7009); revokes only the caller's own tokens.
pub(crate) async fn revoke(
    State(state): State<Shared>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let fields = body_fields(&headers, &body).unwrap_or_default();
    let client = client_auth(&headers, &fields)
        .filter(|(id, secret)| state.client(id).is_some_and(|c| &c.client_secret == secret));
    if let (Some((client_id, _)), Some(token)) = (client, fields.get("token")) {
        let mut auth = state.auth();
        if auth.client_of(token) == Some(client_id.as_str()) {
            auth.revoke(token);
        }
    }
    Json(json!({})).into_response()
}
