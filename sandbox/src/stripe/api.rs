//! Cross-cutting `/v1` behaviour: errors, parameters, auth, `Request-Id`, `Stripe-Version`,
//! `Idempotency-Key` replay, list pagination and `expand[]` (stripe.md §1.7, §4.2 item 9).

use axum::body::{to_bytes, Body, Bytes};
use axum::extract::{FromRequest, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use serde_json::{json, Map, Value};

use super::store::new_id;
use super::{form, Shared, API_VERSION};

pub(crate) use super::lists::{expand, list};

/// Largest body we accept; Stripe requests are small forms.
const MAX_BODY: usize = 1 << 20;

/// A Stripe error response (`{"error":{…}}`), kept small until rendered.
#[derive(Debug)]
pub(crate) struct StripeError {
    status: StatusCode,
    body: Box<Value>,
}

impl StripeError {
    /// Any error with Stripe's shape.
    pub fn new(status: StatusCode, type_: &str, message: impl Into<String>) -> Self {
        let body = json!({"type": type_, "message": message.into()});
        Self {
            status,
            body: Box::new(body),
        }
    }

    /// 400 `invalid_request_error` about one parameter.
    pub fn invalid(param: &str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "invalid_request_error", message).param(param)
    }

    /// 400 for a required parameter that is absent (Stripe's `parameter_missing`).
    pub fn missing_param(param: &str) -> Self {
        Self::invalid(param, format!("Missing required param: {param}.")).code("parameter_missing")
    }

    /// 404 `resource_missing` for an unknown id, worded like Stripe ("No such price: 'x'").
    pub fn no_such(kind: &str, id: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "invalid_request_error",
            format!("No such {kind}: '{id}'"),
        )
        .param("id")
        .code("resource_missing")
    }

    /// Sets `param`.
    pub fn param(mut self, param: &str) -> Self {
        self.body["param"] = param.into();
        self
    }

    /// Sets `code`.
    pub fn code(mut self, code: &str) -> Self {
        self.body["code"] = code.into();
        self
    }

    /// 402 `card_error`, as Stripe answers a declined or unauthenticated charge.
    pub fn card(code: &str, decline_code: Option<&str>, message: &str) -> Self {
        let mut e = Self::new(StatusCode::PAYMENT_REQUIRED, "card_error", message).code(code);
        if let Some(d) = decline_code {
            e.body["decline_code"] = d.into();
        }
        e
    }

    /// The `message`.
    pub fn message(&self) -> &str {
        self.body["message"].as_str().unwrap_or_default()
    }
}

impl StripeError {
    /// The inner error object (`type`, `code`, `message`, …, `doc_url`), as Stripe also
    /// embeds it, e.g. in a PaymentIntent's `last_payment_error`.
    pub fn into_json(self) -> Value {
        let mut body = *self.body;
        let doc = format!(
            "https://stripe.com/docs/error-codes/{}",
            body["code"].as_str().unwrap_or("invalid-request")
        );
        body["doc_url"] = doc.replace('_', "-").into();
        body
    }
}

impl IntoResponse for StripeError {
    fn into_response(self) -> Response {
        let status = self.status;
        (status, Json(json!({ "error": self.into_json() }))).into_response()
    }
}

/// Result type of every `/v1` handler.
pub(crate) type ApiResult = Result<Json<Value>, StripeError>;

/// Decoded request parameters: the query string for GET, the form body otherwise (Stripe
/// also reads a form body on DELETE, stripe.md §1.4).
pub(crate) struct Params(pub Value);

impl<S: Send + Sync> FromRequest<S> for Params {
    type Rejection = StripeError;

    async fn from_request(req: Request, _state: &S) -> Result<Self, StripeError> {
        let query = req.uri().query().unwrap_or("").to_owned();
        let bytes = to_bytes(req.into_body(), MAX_BODY)
            .await
            .map_err(|_| StripeError::invalid("body", "The request body is too large."))?;
        let body = std::str::from_utf8(&bytes)
            .map_err(|_| StripeError::invalid("body", "The request body is not UTF-8."))?;
        // Query and body are merged: some clients put `expand[]` in the query of a POST.
        let raw = match (query.is_empty(), body.is_empty()) {
            (true, _) => body.to_owned(),
            (false, true) => query,
            (false, false) => format!("{query}&{body}"),
        };
        form::parse(&raw)
            .map(Params)
            .map_err(|e| StripeError::invalid(&e.param, e.message))
    }
}

impl Params {
    /// A string parameter (absent or empty → None).
    pub fn str(&self, key: &str) -> Option<&str> {
        self.0.get(key)?.as_str().filter(|s| !s.is_empty())
    }

    /// A required string parameter.
    pub fn req(&self, key: &str) -> Result<&str, StripeError> {
        self.str(key).ok_or_else(|| StripeError::missing_param(key))
    }

    /// An integer parameter.
    pub fn int(&self, key: &str) -> Result<Option<i64>, StripeError> {
        int_at(&self.0, key, key)
    }

    /// A boolean parameter (`true`/`false`).
    pub fn bool(&self, key: &str) -> Result<Option<bool>, StripeError> {
        bool_at(&self.0, key, key)
    }

    /// A `metadata`-style map of strings (absent → None, `metadata=` → empty).
    pub fn map(&self, key: &str) -> Result<Option<Map<String, Value>>, StripeError> {
        map_at(&self.0, key, key)
    }

    /// `expand[]` paths.
    pub fn expand(&self) -> Vec<String> {
        strings(self.0.get("expand"))
    }
}

/// Integer at `obj[key]`; `param` names it in the error.
pub(crate) fn int_at(obj: &Value, key: &str, param: &str) -> Result<Option<i64>, StripeError> {
    match obj.get(key).and_then(Value::as_str) {
        None | Some("") => Ok(None),
        Some(s) => s.parse().map(Some).map_err(|_| {
            StripeError::invalid(param, format!("Invalid integer: {s}"))
                .code("parameter_invalid_integer")
        }),
    }
}

/// Boolean at `obj[key]`.
pub(crate) fn bool_at(obj: &Value, key: &str, param: &str) -> Result<Option<bool>, StripeError> {
    match obj.get(key).and_then(Value::as_str) {
        None | Some("") => Ok(None),
        Some("true") => Ok(Some(true)),
        Some("false") => Ok(Some(false)),
        Some(s) => Err(StripeError::invalid(param, format!("Invalid boolean: {s}"))),
    }
}

/// String map at `obj[key]` (metadata), enforcing Stripe's metadata limits.
pub(crate) fn map_at(
    obj: &Value,
    key: &str,
    param: &str,
) -> Result<Option<Map<String, Value>>, StripeError> {
    match obj.get(key) {
        None => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(Some(Map::new())),
        Some(Value::Object(m)) => {
            if m.len() > 50 {
                return Err(StripeError::invalid(
                    param,
                    "You can specify up to 50 keys.",
                ));
            }
            for (k, v) in m {
                let Some(v) = v.as_str() else {
                    return Err(StripeError::invalid(
                        param,
                        format!("Invalid value for {param}[{k}]."),
                    ));
                };
                if k.chars().count() > 40 || v.chars().count() > 500 {
                    return Err(StripeError::invalid(
                        param,
                        "Metadata keys are limited to 40 characters and values to 500.",
                    ));
                }
            }
            Ok(Some(m.clone()))
        }
        Some(_) => Err(StripeError::invalid(
            param,
            format!("Invalid hash: {param}"),
        )),
    }
}

/// Strings of an array parameter (`a[]=x`, `a[0]=x`, or a lone `a=x`).
pub(crate) fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        Some(Value::String(s)) if !s.is_empty() => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// Merges metadata the Stripe way: an empty value deletes the key.
pub(crate) fn merge_metadata(target: &mut Value, update: Map<String, Value>, clear: bool) {
    if clear || !target.is_object() {
        *target = json!({});
    }
    let map = target.as_object_mut().expect("object");
    for (k, v) in update {
        if v.as_str() == Some("") {
            map.remove(&k);
        } else {
            map.insert(k, v);
        }
    }
}

/// What the middleware learnt about a request, for event `request` fields.
#[derive(Clone, Debug, Default)]
pub(crate) struct ReqCtx {
    /// `req_…`, also sent as the `Request-Id` header.
    pub request_id: String,
    /// The client's `Idempotency-Key`, if any.
    pub idempotency_key: Option<String>,
}

impl ReqCtx {
    /// The event envelope's `request` object.
    pub fn to_json(&self) -> Value {
        json!({"id": self.request_id, "idempotency_key": self.idempotency_key})
    }
}

/// A response saved under an idempotency key.
pub(crate) struct Saved {
    fingerprint: String,
    status: StatusCode,
    body: Bytes,
}

/// Auth, request id, version echo and idempotency around every `/v1` route.
pub(crate) async fn gate(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let request_id = new_id("req");
    let version = req
        .headers()
        .get("stripe-version")
        .and_then(|v| v.to_str().ok())
        .unwrap_or(API_VERSION)
        .to_owned();
    let mut res = match authorize(&state.opts.api_key, req.headers()) {
        Err(e) => e.into_response(),
        Ok(()) => with_idempotency(&state, req, next, &request_id).await,
    };
    let h = res.headers_mut();
    if let Ok(v) = HeaderValue::from_str(&request_id) {
        h.insert("request-id", v);
    }
    if let Ok(v) = HeaderValue::from_str(&version) {
        h.insert("stripe-version", v);
    }
    res
}

/// Checks `Authorization: Bearer sk_…` or Basic with the key as user name.
fn authorize(key: &str, headers: &HeaderMap) -> Result<(), StripeError> {
    let given = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| {
            if let Some(t) = v.strip_prefix("Bearer ") {
                Some(t.trim().to_owned())
            } else {
                let raw = STANDARD.decode(v.strip_prefix("Basic ")?.trim()).ok()?;
                let s = String::from_utf8(raw).ok()?;
                Some(s.split(':').next().unwrap_or_default().to_owned())
            }
        });
    let unauthorized =
        |msg: String| StripeError::new(StatusCode::UNAUTHORIZED, "invalid_request_error", msg);
    match given {
        None => Err(unauthorized(
            "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY').".into(),
        )),
        Some(k) if k == key => Ok(()),
        Some(k) => {
            // Stripe masks all but the last four characters.
            let tail: String = k.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
            Err(unauthorized(format!("Invalid API Key provided: sk_test_****{tail}")).code("api_key_invalid"))
        }
    }
}

/// Replays the saved response for a reused key with identical parameters, rejects a reused
/// key with different ones, otherwise runs the handler and saves what it returned.
async fn with_idempotency(state: &Shared, req: Request, next: Next, request_id: &str) -> Response {
    let key = req
        .headers()
        .get("idempotency-key")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let (parts, body) = req.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return StripeError::invalid("body", "The request body is too large.").into_response();
    };
    let mut req = Request::from_parts(parts, Body::from(bytes.clone()));
    req.extensions_mut().insert(ReqCtx {
        request_id: request_id.to_owned(),
        idempotency_key: key.clone(),
    });
    // GETs are naturally idempotent; Stripe ignores the header there.
    let Some(key) = key.filter(|_| req.method() != Method::GET) else {
        return next.run(req).await;
    };
    if key.len() > 255 {
        return StripeError::invalid(
            "Idempotency-Key",
            "Keys for idempotent requests can only be 255 characters long.",
        )
        .into_response();
    }
    let fingerprint = format!(
        "{} {}?{}",
        req.method(),
        req.uri().path(),
        canonical(&bytes)
    );
    if let Some(saved) = state.idempotency().get(&key) {
        if saved.fingerprint != fingerprint {
            return StripeError::new(
                StatusCode::BAD_REQUEST,
                "idempotency_error",
                format!("Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}' if you meant to execute a different request."),
            )
            .into_response();
        }
        state.counters.bump_replay();
        let mut res = (saved.status, saved.body.clone()).into_response();
        let h = res.headers_mut();
        h.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        h.insert("idempotent-replayed", HeaderValue::from_static("true"));
        if let Ok(v) = HeaderValue::from_str(&key) {
            h.insert("idempotency-key", v);
        }
        return res;
    }
    let res = next.run(req).await;
    let (mut parts, body) = res.into_parts();
    let body = to_bytes(body, usize::MAX).await.unwrap_or_default();
    // Stripe saves only requests whose execution began: not auth/validation failures.
    if parts.status != StatusCode::BAD_REQUEST && parts.status != StatusCode::UNAUTHORIZED {
        state.idempotency().insert(
            key.clone(),
            Saved {
                fingerprint,
                status: parts.status,
                body: body.clone(),
            },
        );
    }
    if let Ok(v) = HeaderValue::from_str(&key) {
        parts.headers.insert("idempotency-key", v);
    }
    Response::from_parts(parts, Body::from(body))
}

/// Parameters sorted, so the same request encoded in another order still matches.
fn canonical(body: &[u8]) -> String {
    let mut pairs: Vec<(String, String)> = url::form_urlencoded::parse(body).into_owned().collect();
    pairs.sort();
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join("&")
}
