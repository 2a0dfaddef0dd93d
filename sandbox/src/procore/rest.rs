//! The `/rest/*` API: token gate, rate limits, and the company/project endpoints.

use axum::extract::{OriginalUri, RawQuery, Request, State};
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::{Extension, Json, Router};
use rand::Rng;
use serde_json::{json, Value};

use super::rate_limit::{Decision, RateInfo, HOURLY_BODY, SPIKE_BODY};
use super::tokens::{unix_now_ms, Principal};
use super::{apps, directory, paging, projects, Counters, Shared};

/// Text Procore uses for a missing, expired or revoked token.
pub(crate) const INVALID_TOKEN: &str = "The access token is invalid";
const COMPANY_HEADER: &str = "procore-company-id";

/// Routes below `/rest`, all behind the token gate.
pub(crate) fn router(state: Shared) -> Router<Shared> {
    Router::new()
        .route("/v1.0/me", get(me))
        .route("/v1.0/companies", get(companies))
        .route("/v1.1/projects", get(projects::list_v11))
        .route("/v1.0/projects", get(projects::list_v10))
        .route("/v1.0/projects/{id}", get(projects::show))
        .route(
            "/v1.0/companies/{company_id}/projects",
            get(projects::company_projects),
        )
        .route("/v1.0/app_installations", get(apps::list_installations))
        .route(
            "/v1.0/companies/{company_id}/app_configurations",
            get(apps::list_configurations).post(apps::create_configuration),
        )
        .route(
            "/v1.0/companies/{company_id}/app_configurations/{id}",
            get(apps::show_configuration)
                .patch(apps::update_configuration)
                .delete(apps::destroy_configuration),
        )
        .merge(directory::router())
        .fallback(not_found)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            directory::faults::inject,
        ))
        .layer(axum::middleware::from_fn_with_state(state, gate))
}

/// `{"errors": msg}` with the given status, Procore's usual error body.
pub(crate) fn errors(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(json!({ "errors": msg.into() }))).into_response()
}

/// A `{"errors": ..}` response kept small until rendered (clippy: large `Err` variants).
pub(crate) struct ApiError(pub StatusCode, pub String);

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        errors(self.0, self.1)
    }
}

/// Authenticates, rate-limits, and stamps `X-Request-Id` and `X-Rate-Limit-*` on every response.
async fn gate(State(state): State<Shared>, mut req: Request, next: Next) -> Response {
    let path = req
        .extensions()
        .get::<OriginalUri>()
        .map_or_else(|| req.uri().path(), |u| u.path());
    state.counters.bump_rest(path);
    let now = unix_now_ms();
    let principal = bearer(req.headers()).and_then(|token| {
        state
            .auth()
            .valid_access(token)
            .map(|t| (t.principal.clone(), t.client_id.clone()))
    });
    let (mut res, info, retry_after) = match principal {
        None => {
            let info = state.limits().uncounted(now);
            let mut res = errors(StatusCode::UNAUTHORIZED, INVALID_TOKEN);
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static(
                    "Bearer realm=\"Procore\", error=\"invalid_token\", error_description=\"The access token is invalid\"",
                ),
            );
            (res, info, None)
        }
        Some((who, client_id)) => {
            let key = match &who {
                Principal::User(id) => format!("user:{id}"),
                // DMSA buckets are per company when the call names one (procore-api.md §2.5).
                Principal::Service { client_id, .. } => {
                    let company = req
                        .headers()
                        .get(COMPANY_HEADER)
                        .and_then(|v| v.to_str().ok())
                        .unwrap_or("-");
                    format!("service:{client_id}:{company}")
                }
            };
            let decision = state.limits().check(&key, now);
            match decision {
                Decision::Allowed(info) if !connected(&state, &client_id, &req) => {
                    let res = errors(StatusCode::FORBIDDEN, apps::NOT_CONNECTED);
                    (res, info, None)
                }
                Decision::Allowed(mut info) => {
                    req.extensions_mut().insert(who);
                    let res = next.run(req).await;
                    if res
                        .extensions()
                        .get::<directory::faults::InjectedLimit>()
                        .is_some()
                    {
                        info.remaining = 0;
                    }
                    (res, info, None)
                }
                Decision::Limited {
                    info,
                    retry_after,
                    spike,
                } => {
                    Counters::bump(&state.counters.rate_limited);
                    let body = if spike { SPIKE_BODY } else { HOURLY_BODY };
                    let res = (
                        StatusCode::TOO_MANY_REQUESTS,
                        [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                        body,
                    )
                        .into_response();
                    (res, info, Some(retry_after))
                }
            }
        }
    };
    stamp(res.headers_mut(), info, retry_after);
    res
}

/// False when the token's client is a marketplace app uninstalled from the company named
/// by `Procore-Company-Id`. `/me`, `/companies` and `app_installations` always answer.
fn connected(state: &Shared, client_id: &str, req: &Request) -> bool {
    let path = req.uri().path();
    let path = path.strip_prefix("/rest").unwrap_or(path);
    if matches!(
        path.trim_end_matches('/'),
        "/v1.0/me" | "/v1.0/companies" | "/v1.0/app_installations"
    ) {
        return true;
    }
    let Some(app) = state.app_of_client(client_id) else {
        return true;
    };
    let Ok(company_id) = company_header(req.headers()) else {
        return true;
    };
    // A company without install records (unknown id) is left to the handlers' own checks.
    let installs = state.installs();
    installs.get(company_id, &app.key).is_none() || installs.is_installed(company_id, &app.key)
}

fn stamp(h: &mut HeaderMap, info: RateInfo, retry_after: Option<u64>) {
    h.insert("x-rate-limit-limit", HeaderValue::from(info.limit));
    h.insert("x-rate-limit-remaining", HeaderValue::from(info.remaining));
    h.insert("x-rate-limit-reset", HeaderValue::from(info.reset));
    if let Some(secs) = retry_after {
        h.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    let id: [u8; 16] = rand::thread_rng().gen();
    let hex: String = id.iter().map(|b| format!("{b:02x}")).collect();
    if let Ok(v) = HeaderValue::from_str(&hex) {
        h.insert(HeaderName::from_static("x-request-id"), v);
    }
}

/// The token of an `Authorization: Bearer` header, if well-formed.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

pub(crate) async fn not_found() -> Response {
    errors(StatusCode::NOT_FOUND, "404 Not Found")
}

pub(crate) fn query_params(raw: Option<&str>) -> Vec<(String, String)> {
    url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
        .into_owned()
        .collect()
}

pub(crate) fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// Reads and validates `Procore-Company-Id`, returning the company id.
pub(crate) fn company_header(headers: &HeaderMap) -> Result<i64, ApiError> {
    let Some(raw) = headers.get(COMPANY_HEADER) else {
        return Err(ApiError(
            StatusCode::BAD_REQUEST,
            "Missing Procore-Company-Id header!".into(),
        ));
    };
    let text = raw.to_str().unwrap_or("").trim();
    text.parse::<i64>().map_err(|_| {
        ApiError(
            StatusCode::BAD_REQUEST,
            format!("Procore-Company-Id header must be an integer company id, got {text:?}"),
        )
    })
}

/// Checks the company header against `company_id` and membership; returns (company id, is admin).
pub(crate) fn company_scope(
    state: &Shared,
    who: &Principal,
    headers: &HeaderMap,
    params: &[(String, String)],
) -> Result<(i64, bool), ApiError> {
    let header_id = company_header(headers)?;
    let Some(raw) = param(params, "company_id") else {
        return Err(ApiError(
            StatusCode::BAD_REQUEST,
            "company_id is missing".into(),
        ));
    };
    let Ok(company_id) = raw.trim().parse::<i64>() else {
        return Err(ApiError(
            StatusCode::BAD_REQUEST,
            format!("company_id must be an integer, got {raw:?}"),
        ));
    };
    if company_id != header_id {
        return Err(ApiError(
            StatusCode::BAD_REQUEST,
            format!(
                "Procore-Company-Id header ({header_id}) does not match company_id ({company_id})"
            ),
        ));
    }
    match state.seed.membership(who, company_id) {
        Some(admin) => Ok((company_id, admin)),
        None => Err(ApiError(
            StatusCode::FORBIDDEN,
            format!("You do not have access to company {company_id}"),
        )),
    }
}

/// Service accounts must name a company they are installed in, even on `/me` and `/companies`.
fn service_needs_company(
    state: &Shared,
    who: &Principal,
    headers: &HeaderMap,
) -> Result<(), ApiError> {
    if matches!(who, Principal::Service { .. }) {
        let id = company_header(headers)?;
        if state.seed.membership(who, id).is_none() {
            return Err(ApiError(
                StatusCode::FORBIDDEN,
                format!("You do not have access to company {id}"),
            ));
        }
    }
    Ok(())
}

async fn me(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
) -> Response {
    if let Err(res) = service_needs_company(&state, &who, &headers) {
        return res.into_response();
    }
    let body = match &who {
        Principal::User(id) => match state.seed.user(*id) {
            Some(u) => json!({ "id": u.id, "login": u.login, "name": u.name }),
            None => return errors(StatusCode::UNAUTHORIZED, INVALID_TOKEN),
        },
        Principal::Service { client_id, user_id } => json!({
            "id": user_id,
            "login": format!("{client_id}@service-account.sandbox.local"),
            "name": format!("Service Account ({client_id})"),
        }),
    };
    Json(body).into_response()
}

/// Absolute `scheme://host/path` of the current request, reachable by the caller.
pub(crate) fn self_base(headers: &HeaderMap, uri: &OriginalUri) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("127.0.0.1");
    format!("http://{host}{}", uri.path())
}

pub(crate) fn paged(
    items: &[Value],
    params: &[(String, String)],
    default: usize,
    max: usize,
    base: &str,
    raw: Option<&str>,
) -> Response {
    let req = match paging::parse(params, default, max) {
        Ok(req) => req,
        Err(msg) => return errors(StatusCode::BAD_REQUEST, msg),
    };
    let headers = paging::headers(req, items.len(), base, raw);
    (headers, Json(req.slice(items))).into_response()
}

async fn companies(
    State(state): State<Shared>,
    Extension(who): Extension<Principal>,
    headers: HeaderMap,
    uri: OriginalUri,
    RawQuery(raw): RawQuery,
) -> Response {
    if let Err(res) = service_needs_company(&state, &who, &headers) {
        return res.into_response();
    }
    let items: Vec<Value> = state
        .seed
        .companies_of(&who)
        .into_iter()
        .map(|(c, mine)| {
            json!({
                "id": c.id, "name": c.name, "is_active": true, "logo_url": null,
                "pcn_business_experience": false, "my_company": mine,
            })
        })
        .collect();
    let params = query_params(raw.as_deref());
    paged(
        &items,
        &params,
        100,
        1000,
        &self_base(&headers, &uri),
        raw.as_deref(),
    )
}
