//! Wiring: database, Procore and Stripe (real or the built-in sandboxes), the services with
//! the dependencies each uses, background jobs, sessions, routes and layers.

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

use crate::accounts::AccountService;
use crate::billing::BillingService;
use crate::config::{Config, ProcoreSettings};
use crate::db::{Db, DbSessionStore};
use crate::http::embedded::{flag_embedded_sessions, partition_embedded_cookie, SessionCookieName};
use crate::http::security::{
    provide_csp_nonce, same_origin_writes, security_headers, AllowedOrigin, FramePolicy,
    HeaderPolicy,
};
use crate::jobs::{Jobs, JobsConfig};
use crate::licensing::LicensingService;
use crate::procore::budget::PERSON_MAX_WAIT;
use crate::procore::token_cipher::{load_or_create_key, TokenCipher};
use crate::procore::{
    Budget, ProcoreAccess, ProcoreClient, ProcoreOAuth, RetryPolicy, TokenManager,
};
use crate::stripe::StripeBilling;
use crate::subscriptions::port::SubscriptionsPort;
use crate::subscriptions::SubscriptionService;
use crate::webhooks::{WebhookInbox, WorkerConfig};

/// Long-lived services shared by handlers and server functions.
pub struct Services {
    /// The database.
    pub db: Db,
    /// Procore REST client.
    pub procore: ProcoreClient,
    /// Per-user access tokens, and the OAuth client of each marketplace app (`oauth_for`).
    pub tokens: Arc<TokenManager>,
    /// Stripe.
    pub billing: Arc<StripeBilling>,
    /// Signing secrets of Stripe webhooks, newest first (two during a rotation; never logged).
    pub stripe_webhook_secrets: Vec<String>,
    /// Where verified Stripe events wait to be applied.
    pub webhooks: WebhookInbox,
    /// Sign-in state, memberships, the caller.
    pub accounts: Arc<AccountService>,
    /// Licensing and fulfilment.
    pub licensing: Arc<LicensingService>,
    /// Subscriptions after checkout (changes, sync, reconciliation).
    pub subscriptions: Arc<SubscriptionService>,
    /// Invoices, payment details, failed payments and the Customer Portal.
    pub billing_service: Arc<BillingService>,
    /// Install state of the marketplace apps.
    pub installs: Arc<crate::installs::InstallService>,
    /// Plan Boards (the embedded view shows published ones).
    pub planboard: Arc<crate::planboard::PlanBoardService>,
    /// Our public address (return URLs).
    pub public_base_url: url::Url,
    /// The sign-in in progress, kept in signed cookies.
    pub sign_in_cookies: crate::http::sign_in_cookie::SignInCookies,
    /// Wakes this process's sync worker when a run is queued here.
    pub sync_wake: crate::sync::SyncWake,
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
    pub sandbox: Option<crate::sandboxes::ProcoreSandbox>,
    /// The built-in Stripe sandbox, when no real Stripe is configured.
    pub stripe_sandbox: Option<crate::sandboxes::StripeSandbox>,
    /// The built-in sandboxes' credentials (sandbox mode only), printed at start.
    pub sandbox_credentials: Option<crate::sandboxes::SandboxCredentials>,
    /// The database.
    pub db: Db,
    /// The shared services.
    pub services: Arc<Services>,
    /// Background jobs (started by [`Application::start_jobs`]).
    pub jobs: Jobs,
}

impl Application {
    /// Starts the background workers and the scanner of periodic tasks.
    pub fn start_jobs(&self) -> crate::jobs::JobsHandle {
        self.jobs.start()
    }
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
    let mut sandbox_credentials = None;
    let (procore_settings, safety_credentials, stripe_settings, sandbox, stripe_sandbox) =
        match (&config.procore, &config.stripe, config.sandbox) {
            (Some(procore), Some(stripe), false) => (
                procore.clone(),
                config.procore_safety.clone(),
                stripe.clone(),
                None,
                None,
            ),
            _ => {
                let started = crate::sandboxes::start(config).await?;
                sandbox_credentials = Some(started.credentials);
                (
                    started.procore,
                    Some(started.safety),
                    started.stripe,
                    Some(started.procore_sandbox),
                    Some(started.stripe_sandbox),
                )
            }
        };
    let db = Db::connect(&config.database_url).await?;
    let keys =
        match config.token_keys.as_slice() {
            [] => vec![load_or_create_key(&config.data_dir)
                .context("preparing the token encryption key")?],
            keys => keys.to_vec(),
        };
    let oauth = ProcoreOAuth::new(&procore_settings, &config.oauth_redirect_url())?;
    // Smartapp Safety's own OAuth client beside Smartapp Planner's (`?app=safety`).
    let mut oauth_apps = Vec::new();
    if let Some(safety) = &safety_credentials {
        let settings = ProcoreSettings {
            client_id: safety.client_id.clone(),
            client_secret: safety.client_secret.clone(),
            ..procore_settings.clone()
        };
        oauth_apps.push((
            "safety".to_string(),
            ProcoreOAuth::new(&settings, &config.oauth_redirect_url())?,
        ));
    }
    let procore = ProcoreClient::new(procore_settings.api_base.clone(), RetryPolicy::default())
        .with_budget(
            Budget::new(db.clone(), config.procore_rate_limits)
                .with_person_max_wait(PERSON_MAX_WAIT),
        );
    let mut token_manager = TokenManager::new(db.clone(), TokenCipher::with_keys(&keys), oauth);
    for (key, client) in &oauth_apps {
        token_manager = token_manager.with_app_client(key, client.clone());
    }
    let tokens = Arc::new(token_manager);
    let access = Arc::new(ProcoreAccess::new(procore.clone(), tokens.clone()));
    let billing = Arc::new(StripeBilling::new(
        &stripe_settings,
        config.catalog.clone(),
    )?);
    let accounts = Arc::new(AccountService::new(db.clone(), access.clone()));
    let access_for_directory = access.clone();
    let access_for_sync = access.clone();
    let safety_client_id = config
        .procore_safety_client_id
        .clone()
        .or_else(|| safety_credentials.as_ref().map(|s| s.client_id.clone()));
    let mut app_ids = vec![(
        app::onboarding::MarketplaceApp::Planner,
        procore_settings.client_id.clone(),
    )];
    app_ids.extend(safety_client_id.map(|id| (app::onboarding::MarketplaceApp::Safety, id)));
    let installs = Arc::new(crate::installs::InstallService::new(
        db.clone(),
        Arc::new(ProcoreAccess::new(procore.clone(), tokens.clone())),
        app_ids,
    ));
    let subscriptions = Arc::new(SubscriptionService::new(
        db.clone(),
        accounts.clone(),
        billing.clone(),
    ));
    let licensing = Arc::new(
        LicensingService::new(
            db.clone(),
            accounts.clone(),
            access,
            billing.clone(),
            subscriptions.clone(),
            config.public_base_url.clone(),
        )
        .with_installs(installs.clone()),
    );
    let billing_service = Arc::new(BillingService::new(
        db.clone(),
        billing.clone(),
        &config.public_base_url,
    )?);
    let webhooks = WebhookInbox::new(db.clone());
    let planboard = Arc::new(crate::planboard::PlanBoardService::new(
        db.clone(),
        accounts.clone(),
    ));
    let sync_wake = crate::sync::SyncWake::default();
    let services = Arc::new(Services {
        sync_wake: sync_wake.clone(),
        installs: installs.clone(),
        planboard: planboard.clone(),
        db: db.clone(),
        procore,
        tokens,
        billing: billing.clone(),
        stripe_webhook_secrets: stripe_settings.webhook_secrets.clone(),
        webhooks: webhooks.clone(),
        accounts: accounts.clone(),
        licensing: licensing.clone(),
        subscriptions: subscriptions.clone(),
        billing_service: billing_service.clone(),
        public_base_url: config.public_base_url.clone(),
        sign_in_cookies: crate::http::sign_in_cookie::SignInCookies::new(
            &keys[0],
            config.cookie_secure,
        ),
    });
    prepare_prices(billing);
    prepare_portal(billing_service.clone());
    let sync_config = crate::sync::SyncConfig {
        delete_cap: config.sync_delete_cap,
        ..Default::default()
    };
    let sync_engine = Arc::new(crate::sync::SyncEngine::new(
        db.clone(),
        access_for_sync,
        sync_config.clone(),
    ));
    let jobs = Jobs::connect(&config.database_url, db.clone(), JobsConfig::default())
        .await?
        .with_sync(sync_engine)
        .with_sync_wake(sync_wake.clone())
        .with_installs(installs.clone())
        .with_webhooks(webhooks, licensing.clone(), WorkerConfig::default())
        .with_reconciler(crate::jobs::Reconciler {
            licensing: licensing.clone(),
            subscriptions: subscriptions.clone(),
        });
    let app_services = AppServices {
        accounts: accounts.clone(),
        directory: Arc::new(crate::projects::ProjectDirectory::new(
            db.clone(),
            accounts.clone(),
            access_for_directory,
        )),
        licensing: licensing.clone(),
        subscriptions: Arc::new(SubscriptionsPort {
            licensing,
            subscriptions,
        }),
        billing: billing_service,
        sync: Arc::new(
            crate::sync::SyncService::new(db.clone(), accounts, jobs.store().clone(), sync_config)
                .waking(sync_wake),
        ),
        planboard: planboard.clone(),
        badges: Arc::new(crate::badges::BadgeService::new(
            db.clone(),
            services.accounts.clone(),
        )),
        installs: installs.clone(),
        privacy: Arc::new(crate::privacy::PrivacyService::new(db.clone())),
    };
    let embedded =
        app::embedded::api::EmbeddedContext(Arc::new(crate::embedded::EmbeddedService::new(
            db.clone(),
            services.accounts.clone(),
            Arc::new(ProcoreAccess::new(
                services.procore.clone(),
                services.tokens.clone(),
            )),
            app_services.sync.clone(),
            config.catalog.clone(),
            planboard.clone(),
        )));
    // The side panel accepts Procore's messages from these origins (and the sandbox shell's).
    let panel = crate::http::embedded_panel::PanelState {
        port: embedded.clone(),
        origins: crate::embedded::origins::with_sandbox_shell(
            config.procore_web_origins.clone(),
            sandbox
                .as_ref()
                .map(crate::sandboxes::web_base_url)
                .as_deref(),
        ),
    };
    let state = AppState {
        leptos_options: leptos_options.clone(),
        services: services.clone(),
    };
    // `__Host-` binds the cookie to this exact origin (Secure, Path=/, no Domain); browsers
    // accept it only over HTTPS, so a plain-HTTP development run keeps the bare name.
    let https = config.cookie_secure && config.public_base_url.scheme() == "https";
    let session_cookie = SessionCookieName(if https {
        "__Host-pc_session"
    } else {
        "pc_session"
    });
    let sessions = SessionManagerLayer::new(DbSessionStore::new(db.clone()))
        .with_name(session_cookie.0)
        .with_path("/")
        .with_http_only(true)
        .with_secure(config.cookie_secure)
        .with_same_site(SameSite::Lax)
        .with_expiry(Expiry::OnInactivity(
            tower_sessions::cookie::time::Duration::hours(12),
        ));
    let limits = crate::http::limits::AbuseLimits::new(config.trusted_proxies.clone());
    forget_idle_clients(limits.clone());
    let allowed = AllowedOrigin(config.public_base_url.origin().ascii_serialization());
    let routes = generate_route_list(app::App);
    let contacts = config.contacts.clone();
    let unset = crate::config::unset_contacts(&contacts);
    if !config.sandbox && !unset.is_empty() {
        tracing::warn!(
            ?unset,
            "contacts not configured: every page's footer shows placeholders on smartapp.invalid"
        );
    }
    let context = move || {
        provide_context(contacts.clone());
        provide_context(app_services.clone());
        provide_context(embedded.clone());
        provide_csp_nonce();
    };
    // The site's built files: a release build made with `--precompress` (README: Production
    // build) has `.br` and `.gz` beside each file, compressed once at the highest level; those
    // are sent as they are.
    let pkg_dir: &str = leptos_options.site_pkg_dir.as_ref();
    let pkg_route = format!("/{pkg_dir}");
    let pkg_path = std::path::Path::new(leptos_options.site_root.as_ref()).join(pkg_dir);
    warn_of_missing_bundles(&pkg_path, &leptos_options.output_name);
    let pkg = tower_http::services::ServeDir::new(pkg_path)
        .precompressed_br()
        .precompressed_gzip();
    let router = Router::new()
        .merge(crate::http::router())
        .merge(crate::http::embedded_panel::router(panel))
        .nest_service(&pkg_route, pkg)
        .leptos_routes_with_context(&state, routes, context.clone(), {
            let options = leptos_options.clone();
            move || app::shell(options.clone())
        })
        .fallback(leptos_axum::file_and_error_handler_with_context::<
            AppState,
            _,
        >(context, app::shell))
        .layer(axum::middleware::from_fn_with_state(
            allowed,
            same_origin_writes,
        ))
        .layer(axum::middleware::from_fn_with_state(
            services.clone(),
            crate::http::project_pages::project_pages,
        ))
        .layer(axum::middleware::from_fn(
            crate::http::embedded_panel::query_ids,
        ))
        .layer(axum::middleware::from_fn(crate::http::bad_input::friendly_errors))
        .layer(tower_http::limit::RequestBodyLimitLayer::new(
            crate::http::bad_input::MAX_BODY_BYTES,
        ))
        .layer(axum::middleware::from_fn_with_state(
            limits.clone(),
            crate::http::limits::limit,
        ))
        .layer(axum::middleware::from_fn(flag_embedded_sessions))
        .layer(sessions)
        .layer(axum::middleware::from_fn_with_state(
            session_cookie,
            partition_embedded_cookie,
        ))
        .layer(axum::middleware::from_fn_with_state(
            HeaderPolicy {
                frames: FramePolicy(config.frame_ancestors.clone()),
                https_only: config.https_only(),
            },
            security_headers,
        ))
        // Pages and replies are compressed per request, at a level cheap enough for that (level 11
        // takes seconds on the WASM); responses already encoded (precompressed /pkg files) pass.
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
        sandbox_credentials,
        db,
        services,
        jobs,
    })
}

/// Keeps the abuse limiter's per-client state from growing without end.
fn forget_idle_clients(limits: Arc<crate::http::limits::AbuseLimits>) {
    tokio::spawn(async move {
        let mut every = tokio::time::interval(std::time::Duration::from_secs(60));
        loop {
            every.tick().await;
            limits.forget_idle();
        }
    });
}

/// Finds or creates our Customer Portal configuration in the background; the first portal
/// session retries if Stripe was not reachable at start-up.
fn prepare_portal(billing: Arc<BillingService>) {
    tokio::spawn(async move {
        match billing.prepare_portal().await {
            Ok(id) => tracing::info!(configuration = id, "Stripe Customer Portal ready"),
            Err(error) => {
                tracing::warn!(%error, "Customer Portal not ready yet; opening it will retry")
            }
        }
    });
}

/// Creates or finds the catalog's Stripe prices in the background; checkout retries if
/// Stripe was not reachable at start-up.
fn prepare_prices(billing: Arc<StripeBilling>) {
    tokio::spawn(async move {
        match billing.ensure_prices().await {
            Ok(prices) => tracing::info!(prices = prices.len(), "Stripe prices ready"),
            Err(error) => {
                tracing::warn!(%error, "Stripe prices not ready yet; checkout will retry")
            }
        }
    });
}

/// Builds the application and serves it until Ctrl-C.
pub async fn run(config: Config) -> anyhow::Result<()> {
    let options = leptos_options(&config);
    let application = build(&config, options).await?;
    let listener = tokio::net::TcpListener::bind(config.listen_addr)
        .await
        .with_context(|| format!("listening on {}", config.listen_addr))?;
    crate::sandboxes::print_banner(
        &config,
        application.sandbox.as_ref(),
        application.stripe_sandbox.as_ref(),
        application.sandbox_credentials.as_ref(),
    );
    let jobs = application.start_jobs();
    let router = application
        .router
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    axum::serve(listener, router)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await
        .context("serving HTTP")?;
    jobs.stop().await;
    Ok(())
}

/// A site built by `cargo leptos build` alone has the main client bundle only: the pages of
/// the others would not hydrate. Said at start, with the way out (scripts/build.sh).
fn warn_of_missing_bundles(pkg: &std::path::Path, output_name: &str) {
    if !pkg.join(format!("{output_name}.wasm")).exists() {
        return; // no site built here at all (tests, or assets served from elsewhere)
    }
    for bundle in app::bundle::Bundle::ALL {
        let file = pkg.join(format!("{}.wasm", bundle.output_name(output_name)));
        if !file.exists() {
            tracing::warn!(
                missing = %file.display(),
                "a client bundle is missing, so its pages will not hydrate: build the site with scripts/build.sh"
            );
        }
    }
}
