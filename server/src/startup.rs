//! Wiring: database, Procore (real or the built-in sandbox), sessions, routes and layers.

use std::sync::Arc;

use anyhow::Context;
use app::ports::AppServices;
use axum::extract::FromRef;
use axum::Router;
use leptos::config::LeptosOptions;
use leptos::prelude::provide_context;
use leptos_axum::{generate_route_list, LeptosRoutes};
use tower_sessions::cookie::SameSite;
use tower_sessions::{Expiry, SessionManagerLayer};

use crate::billing::StripeBilling;
use crate::config::{Config, ProcoreSettings, StripeSettings};
use crate::crypto::{load_or_create_key, TokenCipher};
use crate::db::{Db, DbSessionStore};
use crate::directory::ProcoreDirectory;
use crate::licensing::LicensingService;
use crate::procore::{ProcoreClient, ProcoreOAuth, RetryPolicy, TokenManager};
use crate::security::{same_origin_writes, security_headers, AllowedOrigin};

/// Long-lived services shared by handlers and server functions.
pub struct Services {
    /// The database.
    pub db: Db,
    /// Procore REST client.
    pub procore: ProcoreClient,
    /// Procore OAuth client.
    pub oauth: ProcoreOAuth,
    /// Per-user access tokens.
    pub tokens: TokenManager,
    /// Stripe.
    pub billing: StripeBilling,
    /// Signing secret of Stripe webhooks (never logged).
    pub stripe_webhook_secret: String,
    /// Licensing and fulfilment.
    pub licensing: Arc<LicensingService>,
    /// Our public address (return URLs).
    pub public_base_url: url::Url,
}

/// Axum router state.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos settings (site root, output name).
    pub leptos_options: LeptosOptions,
    /// Shared services.
    pub services: Arc<Services>,
}

/// A built application, ready to serve.
pub struct Application {
    /// The complete router.
    pub router: Router,
    /// The built-in Procore sandbox, when no real Procore is configured.
    pub sandbox: Option<sandbox::ProcoreSandbox>,
    /// The built-in Stripe sandbox, when no real Stripe is configured.
    pub stripe_sandbox: Option<sandbox::StripeSandbox>,
    /// The database.
    pub db: Db,
    /// The shared services.
    pub services: Arc<Services>,
}

/// Leptos settings from `LEPTOS_*` (set by cargo-leptos), else defaults for this project.
pub fn leptos_options(config: &Config) -> LeptosOptions {
    let mut options = match leptos::config::get_configuration(None) {
        Ok(conf) => conf.leptos_options,
        Err(_) => LeptosOptions::builder()
            .output_name("project-central")
            .site_root("target/site")
            .site_pkg_dir("pkg")
            .build(),
    };
    options.site_addr = config.listen_addr;
    options
}

/// Builds everything; starts the Procore sandbox first when Procore is not configured.
pub async fn build(config: &Config, leptos_options: LeptosOptions) -> anyhow::Result<Application> {
    let (procore_settings, sandbox) = match &config.procore {
        Some(settings) => (settings.clone(), None),
        None => {
            let (settings, sandbox) = start_sandbox(config).await?;
            (settings, Some(sandbox))
        }
    };
    let (stripe_settings, stripe_sandbox) = match &config.stripe {
        Some(settings) => (settings.clone(), None),
        None => {
            let (settings, sandbox) = start_stripe_sandbox(config).await?;
            (settings, Some(sandbox))
        }
    };
    let db = Db::connect(&config.database_url).await?;
    let key = match config.token_key {
        Some(key) => key,
        None => {
            load_or_create_key(&config.data_dir).context("preparing the token encryption key")?
        }
    };
    let oauth = ProcoreOAuth::new(&procore_settings, &config.oauth_redirect_url())?;
    let licensing = Arc::new(LicensingService::new());
    let services = Arc::new(Services {
        db: db.clone(),
        procore: ProcoreClient::new(procore_settings.api_base.clone(), RetryPolicy::default()),
        tokens: TokenManager::new(db.clone(), TokenCipher::new(&key), oauth.clone()),
        oauth,
        billing: StripeBilling::new(&stripe_settings, config.catalog.clone())?,
        stripe_webhook_secret: stripe_settings.webhook_secret.clone(),
        licensing: licensing.clone(),
        public_base_url: config.public_base_url.clone(),
    });
    licensing.attach(&services);
    prepare_prices(services.clone());
    let app_services = AppServices {
        directory: Arc::new(ProcoreDirectory::new(services.clone())),
        licensing,
    };
    let state = AppState {
        leptos_options: leptos_options.clone(),
        services: services.clone(),
    };
    let sessions = SessionManagerLayer::new(DbSessionStore::new(db.clone()))
        .with_name("pc_session")
        .with_http_only(true)
        .with_secure(config.cookie_secure)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::hours(12),
        ));
    let allowed = AllowedOrigin(config.public_base_url.origin().ascii_serialization());
    let routes = generate_route_list(app::App);
    let router = Router::new()
        .merge(crate::health::router())
        .merge(crate::auth::router())
        .merge(crate::billing::webhook::router())
        .leptos_routes_with_context(
            &state,
            routes,
            move || provide_context(app_services.clone()),
            {
                let options = leptos_options.clone();
                move || app::shell(options.clone())
            },
        )
        .fallback(leptos_axum::file_and_error_handler::<AppState, _>(
            app::shell,
        ))
        .layer(axum::middleware::from_fn_with_state(
            allowed,
            same_origin_writes,
        ))
        .layer(sessions)
        .layer(axum::middleware::from_fn(security_headers))
        // The WASM bundle is ~1.1 MB raw and ~0.35 MB with brotli: compress what browsers
        // accept, at a level cheap enough to do per request (level 11 takes seconds).
        .layer(
            tower_http::compression::CompressionLayer::new()
                .quality(tower_http::CompressionLevel::Precise(4)),
        )
        // Spans carry the path only: query strings can hold OAuth codes and states.
        .layer(
            tower_http::trace::TraceLayer::new_for_http().make_span_with(
                |request: &axum::http::Request<axum::body::Body>| {
                    tracing::info_span!("request", method = %request.method(), path = %request.uri().path())
                },
            ),
        )
        .with_state(state);
    Ok(Application {
        router,
        sandbox,
        stripe_sandbox,
        db,
        services,
    })
}

/// Creates or finds the catalog's Stripe prices in the background; checkout retries if
/// Stripe was not reachable at start-up.
fn prepare_prices(services: Arc<Services>) {
    tokio::spawn(async move {
        match services.billing.ensure_prices().await {
            Ok(prices) => tracing::info!(prices = prices.len(), "Stripe prices ready"),
            Err(error) => {
                tracing::warn!(%error, "Stripe prices not ready yet; checkout will retry")
            }
        }
    });
}

async fn start_stripe_sandbox(
    config: &Config,
) -> anyhow::Result<(StripeSettings, sandbox::StripeSandbox)> {
    let options = sandbox::StripeOptions {
        api_key: format!("sk_test_{}", uuid::Uuid::new_v4().simple()),
        webhook_secret: format!("whsec_{}", uuid::Uuid::new_v4().simple()),
        webhook_url: Some(config.public_base_url.join("webhooks/stripe")?.to_string()),
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], config.sandbox_stripe_port));
    let sandbox = sandbox::start_stripe(options.clone(), Some(addr))
        .await
        .context("starting the built-in Stripe sandbox")?;
    let settings = StripeSettings {
        secret_key: options.api_key,
        webhook_secret: options.webhook_secret,
        api_base: url::Url::parse(&format!("{}/", sandbox.base_url()))?,
    };
    Ok((settings, sandbox))
}

async fn start_sandbox(
    config: &Config,
) -> anyhow::Result<(ProcoreSettings, sandbox::ProcoreSandbox)> {
    let client_secret = uuid::Uuid::new_v4().simple().to_string();
    let options = sandbox::ProcoreOptions {
        clients: vec![sandbox::OAuthClient {
            client_id: "smartapp-local".into(),
            client_secret: client_secret.clone(),
            redirect_uris: vec![config.oauth_redirect_url()],
        }],
        ..Default::default()
    };
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], config.sandbox_procore_port));
    let sandbox = sandbox::start_procore(options, Some(addr))
        .await
        .context("starting the built-in Procore sandbox")?;
    let base = url::Url::parse(&format!("{}/", sandbox.base_url()))?;
    let settings = ProcoreSettings {
        client_id: "smartapp-local".into(),
        client_secret,
        login_base: base.clone(),
        api_base: base,
    };
    Ok((settings, sandbox))
}

/// Builds the application and serves it until Ctrl-C.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let options = leptos_options(&config);
    let application = build(&config, options).await?;
    let listener = tokio::net::TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("listening on {}", config.listen_addr))?;
    print_banner(&config, application.sandbox.as_ref());
    if let Some(stripe) = &application.stripe_sandbox {
        println!("stripe: {} (built-in sandbox; set STRIPE_SECRET_KEY to use real Stripe; test card 4242 4242 4242 4242)", stripe.base_url());
    }
    spawn_session_cleanup(application.db.clone());
    axum::serve(listener, application.router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving HTTP")
}

fn print_banner(config: &Config, sandbox: Option<&sandbox::ProcoreSandbox>) {
    println!("Project Central: {}", config.public_base_url);
    match sandbox {
        Some(sandbox) => {
            println!(
                "procore: {} (built-in sandbox; set PROCORE_CLIENT_ID to use real Procore)",
                sandbox.base_url()
            );
            println!("Demo sign-ins:");
            for user in sandbox.demo_users() {
                println!(
                    "  {} / {}  ({})",
                    user.login, user.password, user.description
                );
            }
        }
        None => println!(
            "procore: {}",
            config
                .procore
                .as_ref()
                .map(|p| p.api_base.as_str())
                .unwrap_or("")
        ),
    }
}

fn spawn_session_cleanup(db: Db) {
    use tower_sessions::ExpiredDeletion;
    tokio::spawn(async move {
        let store = DbSessionStore::new(db);
        let mut every = tokio::time::interval(std::time::Duration::from_secs(3600));
        loop {
            every.tick().await;
            if let Err(error) = store.delete_expired().await {
                tracing::warn!(%error, "expired-session cleanup failed");
            }
        }
    });
}
