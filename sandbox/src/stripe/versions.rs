//! Per-request API versions (`Stripe-Version`): objects are built in the shapes of the
//! sandbox's pinned version ([`super::API_VERSION`]), then rewritten into the shapes of an
//! older version when the client asks for one, as Stripe does (stripe.md §3).
//!
//! Only the breaking changes that touch what the sandbox serves are modelled:
//! - 2026-03-25.dahlia: Checkout Session `ui_mode` values `hosted`/`embedded`/`custom`
//!   became `hosted_page`/`embedded_page`/`elements`
//!   (https://docs.stripe.com/changelog/dahlia/2026-03-25/updates-available-checkout-session-ui-modes).

use axum::body::{to_bytes, Body};
use axum::extract::Request;
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use serde_json::Value;

use super::API_VERSION;

/// First version with the renamed Checkout `ui_mode` values.
const UI_MODE_RENAMED: &str = "2026-03-25";
/// Largest response body rewritten (lists of 100 expanded sessions stay far below).
const MAX_BODY: usize = 16 * 1024 * 1024;

/// The API version a request asked for (the sandbox's default when it names none).
#[derive(Clone, Debug)]
pub(crate) struct ApiVersion(pub String);

impl ApiVersion {
    /// True when this version uses `hosted_page`/`embedded_page`/`elements`.
    pub fn renamed_ui_modes(&self) -> bool {
        // Versions are `YYYY-MM-DD.name`; the date orders them.
        self.0.get(..10).unwrap_or("") >= UI_MODE_RENAMED
    }

    /// The `ui_mode` values this version accepts, hosted first.
    pub fn ui_modes(&self) -> [&'static str; 3] {
        if self.renamed_ui_modes() {
            ["hosted_page", "embedded_page", "elements"]
        } else {
            ["hosted", "embedded", "custom"]
        }
    }
}

/// `ui_mode` value of the pinned version → value of versions before 2026-03-25.dahlia.
fn old_ui_mode(new: &str) -> Option<&'static str> {
    match new {
        "hosted_page" => Some("hosted"),
        "embedded_page" => Some("embedded"),
        "elements" => Some("custom"),
        _ => None,
    }
}

/// Rewrites every Checkout Session inside `v` (lists, expansions, events) for old versions.
fn downgrade(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if map.get("object").and_then(Value::as_str) == Some("checkout.session") {
                if let Some(old) = map
                    .get("ui_mode")
                    .and_then(Value::as_str)
                    .and_then(old_ui_mode)
                {
                    map.insert("ui_mode".into(), old.into());
                }
            }
            map.values_mut().for_each(downgrade);
        }
        Value::Array(items) => items.iter_mut().for_each(downgrade),
        _ => {}
    }
}

/// Middleware: records the request's [`ApiVersion`] and reshapes JSON answers for it.
pub(crate) async fn reshape(mut req: Request, next: Next) -> Response {
    let version = ApiVersion(
        req.headers()
            .get("stripe-version")
            .and_then(|v| v.to_str().ok())
            .unwrap_or(API_VERSION)
            .to_owned(),
    );
    req.extensions_mut().insert(version.clone());
    let res = next.run(req).await;
    let is_json = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|ct| ct.starts_with("application/json"));
    if version.renamed_ui_modes() || !is_json {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    let body = match serde_json::from_slice::<Value>(&bytes) {
        Ok(mut v) => {
            downgrade(&mut v);
            parts.headers.remove(header::CONTENT_LENGTH);
            Body::from(v.to_string())
        }
        Err(_) => Body::from(bytes),
    };
    Response::from_parts(parts, body)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn versions_order_by_date() {
        assert!(ApiVersion(API_VERSION.into()).renamed_ui_modes());
        assert!(ApiVersion("2026-03-25.dahlia".into()).renamed_ui_modes());
        assert!(!ApiVersion("2025-03-31.basil".into()).renamed_ui_modes());
        assert_eq!(ApiVersion("2023-10-16".into()).ui_modes()[0], "hosted");
    }

    #[test]
    fn downgrade_reaches_nested_sessions_only() {
        let mut v = json!({"object": "list", "data": [
            {"object": "checkout.session", "ui_mode": "hosted_page"},
            {"object": "event", "data": {"object": {"object": "checkout.session", "ui_mode": "elements"}}},
            {"object": "other", "ui_mode": "hosted_page"},
        ]});
        downgrade(&mut v);
        assert_eq!(v["data"][0]["ui_mode"], "hosted");
        assert_eq!(v["data"][1]["data"]["object"]["ui_mode"], "custom");
        assert_eq!(v["data"][2]["ui_mode"], "hosted_page");
    }
}
