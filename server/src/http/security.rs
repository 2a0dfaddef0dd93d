//! Request guards: state-changing requests must come from our own pages (Fetch Metadata,
//! then `Origin`), and every response carries conservative security headers.

use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

/// The origin our pages are served from, e.g. `http://127.0.0.1:3000`.
#[derive(Clone, Debug)]
pub struct AllowedOrigin(pub String);

/// Rejects cross-site POST/PUT/PATCH/DELETE (CSRF), letting safe methods through.
pub async fn same_origin_writes(
    State(allowed): State<AllowedOrigin>,
    request: Request,
    next: Next,
) -> Response {
    if is_cross_site_write(&request, &allowed.0) {
        tracing::warn!(path = request.uri().path(), "cross-site write refused");
        return (
            StatusCode::FORBIDDEN,
            "This request did not come from Project Central and was refused.",
        )
            .into_response();
    }
    next.run(request).await
}

fn is_cross_site_write(request: &Request, allowed: &str) -> bool {
    if matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    ) {
        return false;
    }
    let headers = request.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return !matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => origin != allowed,
        // Neither header: not a browser request, so no ambient cookie to abuse.
        None => false,
    }
}

/// Adds the headers every response gets.
pub async fn security_headers(request: Request, next: Next) -> Response {
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    headers
        .entry(header::CONTENT_SECURITY_POLICY)
        .or_insert(HeaderValue::from_static("frame-ancestors 'self'"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::Body;

    fn request(method: Method, headers: &[(&str, &str)]) -> Request {
        let mut builder = axum::http::Request::builder().method(method).uri("/api/x");
        for (k, v) in headers {
            builder = builder.header(*k, *v);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[test]
    fn writes_need_same_origin() {
        let allowed = "http://127.0.0.1:3000";
        assert!(!is_cross_site_write(
            &request(Method::GET, &[("sec-fetch-site", "cross-site")]),
            allowed
        ));
        assert!(is_cross_site_write(
            &request(Method::POST, &[("sec-fetch-site", "cross-site")]),
            allowed
        ));
        assert!(is_cross_site_write(
            &request(Method::POST, &[("sec-fetch-site", "same-site")]),
            allowed
        ));
        assert!(!is_cross_site_write(
            &request(Method::POST, &[("sec-fetch-site", "same-origin")]),
            allowed
        ));
        assert!(is_cross_site_write(
            &request(Method::POST, &[("origin", "https://evil.example")]),
            allowed
        ));
        assert!(!is_cross_site_write(
            &request(Method::POST, &[("origin", allowed)]),
            allowed
        ));
        assert!(!is_cross_site_write(&request(Method::POST, &[]), allowed));
    }
}
