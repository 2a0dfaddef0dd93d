//! Abuse limits (tower_governor over governor's GCRA): the sign-in routes per client
//! address, server functions per browser session (else per address). Answers 429 with
//! `Retry-After`. The counters are per process — a replica behind a load balancer counts its
//! own share — which is enough against abuse; Procore's own budget is the one kept in the
//! database.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::clock::{Clock, DefaultClock};
use governor::middleware::NoOpMiddleware;
use tower_governor::governor::{GovernorConfig, GovernorConfigBuilder};
use tower_governor::key_extractor::KeyExtractor;
use tower_governor::GovernorError;

/// The client's address (the TCP peer; `0.0.0.0` when unknown, e.g. in tests).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress;

impl KeyExtractor for ClientAddress {
    type Key = IpAddr;

    fn extract<T>(&self, request: &axum::http::Request<T>) -> Result<Self::Key, GovernorError> {
        Ok(peer(request))
    }
}

fn peer<T>(request: &axum::http::Request<T>) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The browser session (its cookie), else the client's address.
#[derive(Debug, Clone, Copy)]
pub struct BrowserSession;

impl KeyExtractor for BrowserSession {
    type Key = String;

    fn extract<T>(&self, request: &axum::http::Request<T>) -> Result<Self::Key, GovernorError> {
        let session = super::cookie_value(request.headers(), |name| name.ends_with("pc_session"));
        Ok(session.unwrap_or_else(|| peer(request).to_string()))
    }
}

/// The limits of one process.
pub struct AbuseLimits {
    auth: GovernorConfig<ClientAddress, NoOpMiddleware>,
    api: GovernorConfig<BrowserSession, NoOpMiddleware>,
}

impl AbuseLimits {
    /// Sign-in: bursts of 20, then one every 3 s per address. Server functions: bursts of
    /// 120 (a fast typist in the wizard), then 20 per second per session.
    pub fn new() -> Arc<Self> {
        let auth = GovernorConfigBuilder::default()
            .key_extractor(ClientAddress)
            .period(Duration::from_secs(3))
            .burst_size(20)
            .finish()
            .expect("non-zero quota");
        let api = GovernorConfigBuilder::default()
            .key_extractor(BrowserSession)
            .period(Duration::from_millis(50))
            .burst_size(120)
            .finish()
            .expect("non-zero quota");
        Arc::new(Self { auth, api })
    }

    /// Forgets keys that are back to full quota (so the maps do not grow without end).
    pub fn forget_idle(&self) {
        self.auth.limiter().retain_recent();
        self.api.limiter().retain_recent();
    }
}

/// Applies the limit that fits the path; other paths pass.
pub async fn limit(
    State(limits): State<Arc<AbuseLimits>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let checked = if path.starts_with("/auth/") {
        limits.auth.limiter().check_key(&peer(&request))
    } else if path.starts_with("/api/") {
        match BrowserSession.extract(&request) {
            Ok(key) => limits.api.limiter().check_key(&key),
            Err(_) => Ok(()),
        }
    } else {
        Ok(())
    };
    match checked {
        Ok(()) => next.run(request).await,
        Err(not_until) => {
            let wait = not_until
                .wait_time_from(DefaultClock::default().now())
                .as_secs()
                .max(1);
            tracing::info!(path = request.uri().path(), wait, "abuse limit reached");
            let mut response = (
                StatusCode::TOO_MANY_REQUESTS,
                format!("Too many requests. Please wait {wait} s and try again."),
            )
                .into_response();
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(wait));
            response
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(cookie: Option<&str>) -> axum::http::Request<()> {
        let mut builder = axum::http::Request::builder().uri("/api/x");
        if let Some(cookie) = cookie {
            builder = builder.header(header::COOKIE, cookie);
        }
        builder.body(()).unwrap()
    }

    #[test]
    fn sessions_are_told_apart_by_their_cookie() {
        let a = BrowserSession
            .extract(&request(Some("x=1; pc_session=abc")))
            .unwrap();
        let b = BrowserSession
            .extract(&request(Some("__Host-pc_session=def")))
            .unwrap();
        let none = BrowserSession.extract(&request(None)).unwrap();
        assert_eq!(a, "abc");
        assert_eq!(b, "def");
        assert_eq!(none, "0.0.0.0");
    }

    #[test]
    fn a_burst_beyond_the_quota_is_refused() {
        let limits = AbuseLimits::new();
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let allowed = (0..25)
            .filter(|_| limits.auth.limiter().check_key(&ip).is_ok())
            .count();
        assert_eq!(allowed, 20);
    }
}
