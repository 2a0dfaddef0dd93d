//! Request guards: state-changing requests must come from our own pages (Fetch Metadata,
//! then `Origin`), and every response carries conservative security headers: a
//! Content-Security-Policy (per-response script nonce on HTML, nothing allowed elsewhere),
//! `Cache-Control: no-store` on anything holding a user's data, and HSTS when the public
//! address is https.

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

/// The per-response nonce that lets our own inline scripts (the hydration script, streamed
/// resources) run under the page's Content-Security-Policy. [`security_headers`] makes one
/// per request and puts it in the request's extensions; [`provide_csp_nonce`] hands it to
/// Leptos, which writes it on every `<script>` it renders.
#[derive(Clone, Debug)]
pub struct CspNonce(std::sync::Arc<str>);

impl CspNonce {
    /// The nonce text, for `nonce="…"` on a script of a page built outside Leptos.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// 128 random bits, URL-safe base64 (a valid CSP nonce).
    fn generate() -> Self {
        use base64::Engine;
        let bytes: [u8; 16] = rand::random();
        Self(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(bytes)
                .into(),
        )
    }
}

/// Leptos context for one request: the nonce [`security_headers`] put in the header, so
/// the page's scripts carry the same one. Call it in the additional-context closures.
pub fn provide_csp_nonce() {
    let nonce = leptos::prelude::use_context::<http::request::Parts>()
        .and_then(|parts| parts.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        leptos::prelude::provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

/// The `frame-ancestors` sources allowed to embed our pages (`FRAME_ANCESTORS`).
#[derive(Clone, Debug)]
pub struct FramePolicy(pub Vec<String>);

impl FramePolicy {
    /// The Content-Security-Policy of an HTML page rendered with `nonce`.
    fn html_policy(&self, nonce: &CspNonce) -> String {
        format!(
            "default-src 'self'; script-src 'self' 'nonce-{}' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'self'; \
             form-action 'self'; object-src 'none'; frame-ancestors {}",
            nonce.0,
            self.0.join(" ")
        )
    }
}

/// What [`security_headers`] adds: the framing policy, and whether to send HSTS.
#[derive(Clone, Debug)]
pub struct HeaderPolicy {
    /// Who may frame our pages.
    pub frames: FramePolicy,
    /// `PUBLIC_BASE_URL` is https: browsers are told to use nothing else for a year.
    pub https_only: bool,
}

/// HSTS for a site served over https (a year, subdomains too; no `preload`, which is a
/// separate commitment to browser vendors).
const HSTS: &str = "max-age=31536000; includeSubDomains";

/// What every non-HTML response gets: it may load nothing and be framed by no one.
const NON_HTML_POLICY: &str = "default-src 'none'; frame-ancestors 'none'";

/// Adds the headers every response gets: a Content-Security-Policy (with this response's
/// script nonce for HTML), and `Cache-Control: no-store` on pages and server-function
/// replies, which hold one user's data (static assets under `/pkg/` keep their caching);
/// `Strict-Transport-Security` on every response when the site is https.
pub async fn security_headers(
    State(HeaderPolicy { frames, https_only }): State<HeaderPolicy>,
    mut request: Request,
    next: Next,
) -> Response {
    let nonce = CspNonce::generate();
    request.extensions_mut().insert(nonce.clone());
    let server_function = request.uri().path().starts_with("/api/");
    let mut response = next.run(request).await;
    let html = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let policy = if html {
        HeaderValue::from_str(&frames.html_policy(&nonce))
    } else {
        Ok(HeaderValue::from_static(NON_HTML_POLICY))
    };
    let headers = response.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    match policy {
        Ok(policy) => headers.insert(header::CONTENT_SECURITY_POLICY, policy),
        // Unreachable with validated configuration; never serve a page without a policy.
        Err(_) => headers.insert(
            header::CONTENT_SECURITY_POLICY,
            HeaderValue::from_static(NON_HTML_POLICY),
        ),
    };
    if html || server_function {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    if https_only {
        headers.insert(
            header::STRICT_TRANSPORT_SECURITY,
            HeaderValue::from_static(HSTS),
        );
    }
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
    fn html_policy_names_the_nonce_and_the_framing_origins() {
        let nonce = CspNonce::generate();
        assert_ne!(nonce.0, CspNonce::generate().0);
        let frames = FramePolicy(vec!["'self'".into(), "https://app.procore.com".into()]);
        let policy = frames.html_policy(&nonce);
        assert!(policy.contains(&format!(
            "script-src 'self' 'nonce-{}' 'wasm-unsafe-eval';",
            nonce.0
        )));
        assert!(policy.ends_with("frame-ancestors 'self' https://app.procore.com"));
        assert!(!policy.contains("unsafe-inline"));
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
