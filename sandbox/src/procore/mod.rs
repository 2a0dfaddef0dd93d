//! Emulator of the Procore login server (`/oauth/*`) and REST API (`/rest/*`).
//!
//! Real Procore splits these over two hosts (login.procore.com / api.procore.com), and so
//! does the emulator: two listeners on loopback, one per origin. A client that sends a
//! token request to the API origin, or a REST call to the login origin, gets a 404 here
//! as it would in production.

mod apps;
mod directory;
mod filters;
mod oauth;
mod pages;
mod paging;
mod projects;
mod rate_limit;
mod rest;
mod seed;
mod shell;
mod stats;
mod switches;
mod tokens;

use std::fmt;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use axum::routing::{get, post};
use axum::Router;

pub use apps::{manifest, MarketplaceApp};
pub use stats::ProcoreStats;

use apps::Installs;
use directory::faults::Faults;
use directory::Directory;
use rate_limit::RateLimiter;
use seed::Seed;
pub(crate) use stats::Counters;
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
    /// Registered OAuth apps (clients that belong to no marketplace app are never
    /// "uninstalled").
    pub clients: Vec<OAuthClient>,
    /// Marketplace apps (each with its own client, also accepted by `/oauth/*`), installed in
    /// every seeded company at start. Default: Smartapp Planner on the default client and
    /// Smartapp Safety on `smartapp-safety-local`; see [`ProcoreOptions::with_smartapp_apps`].
    pub apps: Vec<MarketplaceApp>,
    /// Lifetime of access tokens (Procore: 5400 s).
    pub access_token_ttl: Duration,
    /// Lifetime of authorization codes (Procore: 10 minutes).
    pub code_ttl: Duration,
    /// Requests allowed per token owner per rolling hour (Procore documents 600).
    pub rate_limit_hourly: u32,
    /// Requests allowed per token owner per rolling 10 seconds (Procore documents 25).
    pub rate_limit_spike: u32,
}

/// Procore's documented hourly budget (procore-api.md §2.5: headers `600/589/…`).
pub const DOCUMENTED_HOURLY_LIMIT: u32 = 600;
/// Procore's documented spike budget per 10 seconds (headers `25/24/…`).
pub const DOCUMENTED_SPIKE_LIMIT: u32 = 25;
/// Hourly budget of [`ProcoreOptions::generous_limits`] (the emulator's pre-2026 default).
pub const GENEROUS_HOURLY_LIMIT: u32 = 3600;
/// Spike budget of [`ProcoreOptions::generous_limits`] (the emulator's pre-2026 default).
pub const GENEROUS_SPIKE_LIMIT: u32 = 200;

impl ProcoreOptions {
    /// The defaults, but with the emulator's old, generous rate limits (3,600/hour and
    /// 200 per 10 s) instead of Procore's documented 600/hour and 25 per 10 s.
    ///
    /// For callers that still burst (e.g. many pages fetched concurrently) until they pace
    /// themselves on `X-Rate-Limit-Remaining`; anything testing pacing should use `default()`.
    pub fn generous_limits() -> Self {
        Self {
            rate_limit_hourly: GENEROUS_HOURLY_LIMIT,
            rate_limit_spike: GENEROUS_SPIKE_LIMIT,
            ..Self::default()
        }
    }
}

impl Default for ProcoreOptions {
    fn default() -> Self {
        let client = OAuthClient {
            client_id: "smartapp-local".into(),
            client_secret: "smartapp-local-secret".into(),
            redirect_uris: vec!["http://127.0.0.1:3000/auth/procore/callback".into()],
        };
        Self {
            apps: apps::default_apps(&client),
            clients: vec![client],
            access_token_ttl: Duration::from_secs(5400),
            code_ttl: Duration::from_secs(600),
            rate_limit_hourly: DOCUMENTED_HOURLY_LIMIT,
            rate_limit_spike: DOCUMENTED_SPIKE_LIMIT,
        }
    }
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

/// Shared state of one running emulator.
pub(crate) struct AppState {
    pub opts: ProcoreOptions,
    /// `opts.clients` plus every app's client: who may use `/oauth/*`.
    pub clients: Vec<OAuthClient>,
    /// Which app is installed in which company, and the apps' configurations.
    pub installs: Mutex<Installs>,
    pub seed: Seed,
    pub auth: Mutex<AuthStore>,
    pub limits: Mutex<RateLimiter>,
    pub counters: Counters,
    /// The mutable directories (users, vendors, locations, roles).
    pub dir: Mutex<Directory>,
    /// Sessions of the web shell.
    pub shell: Mutex<shell::Sessions>,
    /// Fault injection settings (`/__sandbox/faults`).
    pub faults: Mutex<Faults>,
    /// The one id counter of objects created through the API.
    pub ids: AtomicI64,
    /// The web shell's origin, `http://localhost:PORT` (`GET /__sandbox/web`).
    pub web_base_url: String,
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

    /// Locks the directories (see [`AppState::auth`] about poisoning).
    pub fn dir(&self) -> MutexGuard<'_, Directory> {
        self.dir.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the fault settings.
    pub fn faults(&self) -> MutexGuard<'_, Faults> {
        self.faults.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the web shell's sessions.
    pub fn shell(&self) -> MutexGuard<'_, shell::Sessions> {
        self.shell.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the installs and configurations.
    pub fn installs(&self) -> MutexGuard<'_, Installs> {
        self.installs.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The marketplace app whose client is `client_id`, if any.
    pub fn app_of_client(&self, client_id: &str) -> Option<&MarketplaceApp> {
        self.opts
            .apps
            .iter()
            .find(|a| a.client.client_id == client_id)
    }

    /// The marketplace app with this key.
    pub fn app(&self, key: &str) -> Option<&MarketplaceApp> {
        self.opts.apps.iter().find(|a| a.key == key)
    }

    /// A fresh id for a created object.
    pub fn next_id(&self) -> i64 {
        self.ids.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// Finds a registered client by id.
    pub fn client(&self, client_id: &str) -> Option<&OAuthClient> {
        self.clients.iter().find(|c| c.client_id == client_id)
    }
}

pub(crate) type Shared = Arc<AppState>;

/// Handle to a running Procore emulator; cheap to clone.
#[derive(Clone)]
pub struct ProcoreSandbox {
    state: Shared,
    api_addr: SocketAddr,
    login_addr: SocketAddr,
    web_port: u16,
}

impl ProcoreSandbox {
    /// The API origin (`/rest/*`), without trailing slash: the same as [`Self::api_base_url`].
    ///
    /// Kept for compatibility: before the origins were split this also served `/oauth/*`;
    /// OAuth now lives only on [`Self::login_base_url`].
    pub fn base_url(&self) -> String {
        self.api_base_url()
    }

    /// The API origin (like `https://api.procore.com`): `/rest/*`, without trailing slash.
    pub fn api_base_url(&self) -> String {
        format!("http://{}", self.api_addr)
    }

    /// The login origin (like `https://login.procore.com`): `/oauth/*` and the sign-in
    /// page, without trailing slash.
    pub fn login_base_url(&self) -> String {
        format!("http://{}", self.login_addr)
    }

    /// The web shell's origin (like `https://app.procore.com`), `http://localhost:PORT`
    /// without trailing slash: another site than the app on 127.0.0.1 and than the
    /// login and API origins. Company home `/companies/{id}`, `/marketplace`, App Management.
    pub fn web_base_url(&self) -> String {
        format!("http://localhost:{}", self.web_port)
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

    /// The registered marketplace apps.
    pub fn apps(&self) -> Vec<MarketplaceApp> {
        self.state.opts.apps.clone()
    }

    /// Test switch: installs (or reinstalls) app `app_key` in a company; false if unknown.
    pub fn install_app(&self, app_key: &str, company_id: i64) -> bool {
        let installer = (0, "Sandbox switch".to_owned());
        self.state
            .installs()
            .install(company_id, app_key, installer)
    }

    /// Test switch: uninstalls app `app_key` from a company; false if unknown.
    pub fn uninstall_app(&self, app_key: &str, company_id: i64) -> bool {
        self.state.installs().uninstall(company_id, app_key)
    }

    /// True when app `app_key` is installed in the company.
    pub fn is_app_installed(&self, app_key: &str, company_id: i64) -> bool {
        self.state.installs().is_installed(company_id, app_key)
    }

    /// The users that can sign in, with their passwords.
    pub fn demo_users(&self) -> Vec<DemoUser> {
        self.state.seed.demo_users()
    }
}

/// Starts the emulator in tokio tasks: the API on `addr` (default 127.0.0.1:0), the login
/// server on a free loopback port. Returns once both listen.
pub async fn start_procore(
    opts: ProcoreOptions,
    addr: Option<SocketAddr>,
) -> anyhow::Result<ProcoreSandbox> {
    start_procore_split(opts, addr, None).await
}

/// Like [`start_procore`], choosing both addresses (each defaults to 127.0.0.1:0).
pub async fn start_procore_split(
    opts: ProcoreOptions,
    api_addr: Option<SocketAddr>,
    login_addr: Option<SocketAddr>,
) -> anyhow::Result<ProcoreSandbox> {
    start_procore_on(opts, api_addr, login_addr, None).await
}

/// Like [`start_procore_split`], also choosing the web shell's port (`None`: any free
/// port). The shell listens on localhost (127.0.0.1, and ::1 when available).
pub async fn start_procore_on(
    opts: ProcoreOptions,
    api_addr: Option<SocketAddr>,
    login_addr: Option<SocketAddr>,
    web_port: Option<u16>,
) -> anyhow::Result<ProcoreSandbox> {
    let any = SocketAddr::from(([127, 0, 0, 1], 0));
    let api_listener = tokio::net::TcpListener::bind(api_addr.unwrap_or(any)).await?;
    let login_listener = tokio::net::TcpListener::bind(login_addr.unwrap_or(any)).await?;
    let web_listener =
        tokio::net::TcpListener::bind(SocketAddr::from(([127, 0, 0, 1], web_port.unwrap_or(0))))
            .await?;
    let api_addr = api_listener.local_addr()?;
    let login_addr = login_listener.local_addr()?;
    let web_port = web_listener.local_addr()?.port();
    // Browsers may try ::1 first for localhost; answer there too when the port is free.
    let web_v6 = tokio::net::TcpListener::bind(std::net::SocketAddr::from((
        std::net::Ipv6Addr::LOCALHOST,
        web_port,
    )))
    .await
    .ok();
    let limits = RateLimiter::new(opts.rate_limit_hourly, opts.rate_limit_spike);
    let seed = Seed::generate();
    let dir = Directory::new(&seed);
    let installs = Installs::seeded(&seed, &opts.apps);
    let state = Arc::new(AppState {
        clients: apps::registry(&opts),
        installs: Mutex::new(installs),
        opts,
        seed,
        auth: Mutex::new(AuthStore::default()),
        limits: Mutex::new(limits),
        counters: Counters::default(),
        dir: Mutex::new(dir),
        faults: Mutex::new(Faults::default()),
        shell: Mutex::new(shell::Sessions::default()),
        ids: AtomicI64::new(directory::FIRST_NEW_ID),
        web_base_url: format!("http://localhost:{web_port}"),
    });
    let mut listeners = vec![
        (api_listener, api_router(state.clone()), "api"),
        (login_listener, login_router(state.clone()), "login"),
        (web_listener, web_router(state.clone()), "web"),
    ];
    if let Some(v6) = web_v6 {
        listeners.push((v6, web_router(state.clone()), "web (::1)"));
    }
    for (listener, app, origin) in listeners {
        tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                tracing::error!(%err, origin, "procore sandbox server stopped");
            }
        });
    }
    tracing::info!(%api_addr, %login_addr, web_port, "procore sandbox listening");
    Ok(ProcoreSandbox {
        state,
        api_addr,
        login_addr,
        web_port,
    })
}

/// The login origin: sign-in page and OAuth endpoints (plus the test switches).
fn login_router(state: Shared) -> Router {
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
        .fallback(rest::not_found)
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

/// The web shell origin: company home, project pages, Marketplace, App Management.
fn web_router(state: Shared) -> Router {
    Router::new()
        .merge(shell::router())
        .merge(switches::router())
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

/// The API origin: `/rest/*` (plus the test switches); everything else is a JSON 404.
fn api_router(state: Shared) -> Router {
    Router::new()
        .merge(switches::router())
        .nest("/rest", rest::router(state.clone()))
        .fallback(rest::not_found)
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
