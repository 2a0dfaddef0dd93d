//! Abuse limits (tower_governor over governor's GCRA): the sign-in routes per client
//! address, server functions per browser session when the request carries a real one (its
//! cookie names a session in the store), else per client address — a made-up cookie per
//! call buys no fresh bucket. The client address is the connecting peer, or behind a
//! trusted proxy the forwarded one ([`super::client_address`]). Answers 429 with
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
use tower_sessions::Session;

use super::client_address::TrustedProxies;
use super::session::AppSession;

/// The client's address: the TCP peer (`0.0.0.0` when unknown, e.g. in unit tests), or the
/// address a trusted proxy forwarded.
#[derive(Debug, Clone)]
pub struct ClientAddress(Arc<TrustedProxies>);

impl KeyExtractor for ClientAddress {
    type Key = IpAddr;

    fn extract<T>(&self, request: &axum::http::Request<T>) -> Result<Self::Key, GovernorError> {
        Ok(self.0.client_address(peer(request), request.headers()))
    }
}

fn peer<T>(request: &axum::http::Request<T>) -> IpAddr {
    request
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|info| info.0.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// Put on a request by [`limit`] when its cookie names a session that exists in the store.
#[derive(Debug, Clone)]
struct StoredSession(String);

/// The browser session when it is a stored one, else the client's address.
#[derive(Debug, Clone)]
pub struct BrowserSession(ClientAddress);

impl KeyExtractor for BrowserSession {
    type Key = String;

    fn extract<T>(&self, request: &axum::http::Request<T>) -> Result<Self::Key, GovernorError> {
        Ok(match request.extensions().get::<StoredSession>() {
            Some(StoredSession(id)) => format!("session {id}"),
            None => format!("address {}", self.0.extract(request)?),
        })
    }
}

/// Marks the request with its session's id when the session was found in the store (a
/// cookie that names no stored session, or none, leaves it unmarked). The record loaded here
/// is the one the handler then reads: no second query.
async fn mark_stored_session(request: &mut Request) {
    let Some(session) = request.extensions().get::<Session>().cloned() else {
        return;
    };
    if session.id().is_none() || AppSession(&session).user().await.is_err() {
        return;
    }
    // Loading cleared the id if the store had no such session.
    if let Some(id) = session.id() {
        request
            .extensions_mut()
            .insert(StoredSession(id.to_string()));
    }
}

/// The limits of one process.
pub struct AbuseLimits {
    address: ClientAddress,
    session: BrowserSession,
    auth: GovernorConfig<ClientAddress, NoOpMiddleware>,
    api: GovernorConfig<BrowserSession, NoOpMiddleware>,
}

impl AbuseLimits {
    /// Sign-in: bursts of 20, then one every 3 s per address. Server functions: bursts of
    /// 120 (a fast typist in the wizard), then 20 per second per session. Forwarded
    /// addresses are believed from `trusted` proxies only.
    pub fn new(trusted: TrustedProxies) -> Arc<Self> {
        let address = ClientAddress(Arc::new(trusted));
        let session = BrowserSession(address.clone());
        let auth = GovernorConfigBuilder::default()
            .key_extractor(address.clone())
            .period(Duration::from_secs(3))
            .burst_size(20)
            .finish()
            .expect("non-zero quota");
        let api = GovernorConfigBuilder::default()
            .key_extractor(session.clone())
            .period(Duration::from_millis(50))
            .burst_size(120)
            .finish()
            .expect("non-zero quota");
        Arc::new(Self {
            address,
            session,
            auth,
            api,
        })
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
    let mut request = request;
    let path = request.uri().path();
    let checked = if path.starts_with("/auth/") {
        match limits.address.extract(&request) {
            Ok(key) => limits.auth.limiter().check_key(&key),
            Err(_) => Ok(()),
        }
    } else if path.starts_with("/api/") {
        mark_stored_session(&mut request).await;
        match limits.session.extract(&request) {
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

    fn request(stored: Option<&str>, forwarded: Option<&str>) -> axum::http::Request<()> {
        let mut builder = axum::http::Request::builder().uri("/api/x");
        if let Some(forwarded) = forwarded {
            builder = builder.header("x-forwarded-for", forwarded);
        }
        let mut request = builder.body(()).unwrap();
        if let Some(id) = stored {
            request.extensions_mut().insert(StoredSession(id.into()));
        }
        request
            .extensions_mut()
            .insert(ConnectInfo(SocketAddr::from(([10, 0, 0, 1], 4000))));
        request
    }

    #[test]
    fn stored_sessions_are_told_apart_and_others_share_their_address() {
        let limits = AbuseLimits::new(TrustedProxies::default());
        let key = |r| limits.session.extract(&r).unwrap();
        assert_eq!(key(request(Some("abc"), None)), "session abc");
        assert_eq!(key(request(Some("def"), None)), "session def");
        assert_eq!(key(request(None, None)), "address 10.0.0.1");
        assert_eq!(
            key(request(None, Some("203.0.113.9"))),
            "address 10.0.0.1",
            "the header of an untrusted peer is ignored"
        );
        let behind = AbuseLimits::new(TrustedProxies::parse("10.0.0.1").unwrap());
        assert_eq!(
            behind
                .session
                .extract(&request(None, Some("203.0.113.9")))
                .unwrap(),
            "address 203.0.113.9"
        );
    }

    #[test]
    fn a_burst_beyond_the_quota_is_refused() {
        let limits = AbuseLimits::new(TrustedProxies::default());
        let ip = IpAddr::V4(Ipv4Addr::LOCALHOST);
        let allowed = (0..25)
            .filter(|_| limits.auth.limiter().check_key(&ip).is_ok())
            .count();
        assert_eq!(allowed, 20);
    }
}
