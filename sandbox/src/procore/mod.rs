//! Emulator of the Procore login server (`/oauth/*`) and REST API (`/rest/*`).
//!
//! Real Procore splits these over two hosts (login.procore.com / api.procore.com); the
//! emulator serves both from one base URL so the app only needs one address per run.

mod oauth;
mod pages;
mod paging;
mod rate_limit;
mod rest;
mod seed;
mod switches;
mod tokens;

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;

use rate_limit::RateLimiter;
use seed::Seed;
use tokens::AuthStore;

/// A registered OAuth application (client) allowed to use the emulator.
#[derive(Clone)]
pub struct OAuthClient {
    /// Public client identifier.
    pub client_id: String,
    /// Client secret; never logged.
    pub client_secret: String,
    /// Redirect URIs accepted by exact string comparison, as Procore does.
    pub redirect_uris: Vec<String>,
}

// Hand-written so that printing options (e.g. in a test failure) never shows the secret.
impl fmt::Debug for OAuthClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("OAuthClient")
            .field("client_id", &self.client_id)
            .field("client_secret", &"<redacted>")
            .field("redirect_uris", &self.redirect_uris)
            .finish()
    }
}

/// Settings of the Procore emulator.
#[derive(Clone, Debug)]
pub struct ProcoreOptions {
    /// Registered OAuth apps.
    pub clients: Vec<OAuthClient>,
    /// Lifetime of access tokens (Procore: 5400 s).
    pub access_token_ttl: Duration,
    /// Lifetime of authorization codes (Procore: 10 minutes).
    pub code_ttl: Duration,
    /// Requests allowed per token owner per hour.
    pub rate_limit_hourly: u32,
    /// Requests allowed per token owner per 10-second spike window.
    pub rate_limit_spike: u32,
}

impl Default for ProcoreOptions {
    fn default() -> Self {
        Self {
            clients: vec![OAuthClient {
                client_id: "smartapp-local".into(),
                client_secret: "smartapp-local-secret".into(),
                redirect_uris: vec!["http://127.0.0.1:3000/auth/procore/callback".into()],
            }],
            access_token_ttl: Duration::from_secs(5400),
            code_ttl: Duration::from_secs(600),
            rate_limit_hourly: 3600,
            rate_limit_spike: 200,
        }
    }
}

/// Counters of what the emulator has done, for tests and the `/__sandbox/stats` switch.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct ProcoreStats {
    /// Successful `authorization_code` grants.
    pub authorization_code_grants: u64,
    /// Successful `refresh_token` grants.
    pub refresh_grants: u64,
    /// Refresh attempts rejected because the token was reused, unknown or revoked.
    pub refresh_reuse_rejected: u64,
    /// Successful `client_credentials` grants.
    pub client_credentials_grants: u64,
    /// Requests received under `/rest/`, whatever their outcome.
    pub rest_calls: u64,
    /// 429 responses sent.
    pub rate_limited: u64,
}

/// A seeded user who can sign in on the emulator's login page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DemoUser {
    /// Sign-in email.
    pub login: String,
    /// Sign-in password (sandbox only; shown on the login page).
    pub password: String,
    /// Display name.
    pub name: String,
    /// What the user can see, for printing.
    pub description: String,
}

/// Lock-free counters behind [`ProcoreStats`].
#[derive(Default)]
pub(crate) struct Counters {
    pub authorization_code_grants: AtomicU64,
    pub refresh_grants: AtomicU64,
    pub refresh_reuse_rejected: AtomicU64,
    pub client_credentials_grants: AtomicU64,
    pub rest_calls: AtomicU64,
    pub rate_limited: AtomicU64,
}

impl Counters {
    /// Adds one to a counter.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    fn snapshot(&self) -> ProcoreStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ProcoreStats {
            authorization_code_grants: get(&self.authorization_code_grants),
            refresh_grants: get(&self.refresh_grants),
            refresh_reuse_rejected: get(&self.refresh_reuse_rejected),
            client_credentials_grants: get(&self.client_credentials_grants),
            rest_calls: get(&self.rest_calls),
            rate_limited: get(&self.rate_limited),
        }
    }
}

/// Shared state of one running emulator.
pub(crate) struct AppState {
    pub opts: ProcoreOptions,
    pub seed: Seed,
    pub auth: Mutex<AuthStore>,
    pub limits: Mutex<RateLimiter>,
    pub counters: Counters,
}

impl AppState {
    /// Locks the token store; a poisoned lock only means a handler panicked, the data is still usable.
    pub fn auth(&self) -> MutexGuard<'_, AuthStore> {
        self.auth.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the rate limiter (see [`AppState::auth`] about poisoning).
    pub fn limits(&self) -> MutexGuard<'_, RateLimiter> {
        self.limits.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Finds a registered client by id.
    pub fn client(&self, client_id: &str) -> Option<&OAuthClient> {
        self.opts.clients.iter().find(|c| c.client_id == client_id)
    }
}

pub(crate) type Shared = Arc<AppState>;

/// Handle to a running Procore emulator; cheap to clone.
#[derive(Clone)]
pub struct ProcoreSandbox {
    state: Shared,
    addr: SocketAddr,
}

impl ProcoreSandbox {
    /// Base URL serving both login (`/oauth/*`) and API (`/rest/*`), without trailing slash.
    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// Snapshot of the emulator's counters.
    pub fn stats(&self) -> ProcoreStats {
        self.state.counters.snapshot()
    }

    /// Test switch: every access token issued so far is expired from now on.
    pub fn expire_all_access_tokens(&self) {
        self.state.auth().expire_all_access_tokens();
    }

    /// Test switch: changes both rate limits and empties every bucket.
    pub fn set_rate_limits(&self, hourly: u32, spike: u32) {
        self.state.limits().set_limits(hourly, spike);
    }

    /// The users that can sign in, with their passwords.
    pub fn demo_users(&self) -> Vec<DemoUser> {
        self.state.seed.demo_users()
    }
}

/// Starts the emulator on `addr` (default 127.0.0.1:0) in a tokio task; returns once listening.
pub async fn start_procore(
    opts: ProcoreOptions,
    addr: Option<SocketAddr>,
) -> anyhow::Result<ProcoreSandbox> {
    let addr = addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let limits = RateLimiter::new(opts.rate_limit_hourly, opts.rate_limit_spike);
    let state = Arc::new(AppState {
        opts,
        seed: Seed::generate(),
        auth: Mutex::new(AuthStore::default()),
        limits: Mutex::new(limits),
        counters: Counters::default(),
    });
    let app = router(state.clone());
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!(%err, "procore sandbox server stopped");
        }
    });
    tracing::info!(%addr, "procore sandbox listening");
    Ok(ProcoreSandbox { state, addr })
}

fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(pages::index))
        .route(
            "/oauth/authorize",
            get(oauth::authorize_page).post(oauth::authorize_submit),
        )
        .route("/oauth/token", post(oauth::token))
        .route("/oauth/token/info", get(oauth::token_info))
        .route("/oauth/revoke", post(oauth::revoke))
        .merge(switches::router())
        .nest("/rest", rest::router(state.clone()))
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

/// Logs method, path and status only: queries and headers can carry codes and tokens.
async fn log_request(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let res = next.run(req).await;
    tracing::info!(%method, %path, status = res.status().as_u16(), "procore sandbox");
    res
}
