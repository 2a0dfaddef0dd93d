//! The built-in Procore and Stripe sandboxes, started when no real service is configured
//! (`make run`, the tests). They are the cargo feature `sandbox` (on by default): a build
//! for the real services, `cargo build --release -p server --no-default-features`,
//! contains no emulator, and refuses to start unless Procore and Stripe are configured.

#[cfg(feature = "sandbox")]
use anyhow::Context;

use crate::config::{Config, OAuthCredentials, ProcoreSettings, StripeSettings};

#[cfg(feature = "sandbox")]
pub use sandbox::{ProcoreSandbox, StripeSandbox};

/// No Procore sandbox in this build (built without the `sandbox` feature).
#[cfg(not(feature = "sandbox"))]
pub enum ProcoreSandbox {}

/// No Stripe sandbox in this build (built without the `sandbox` feature).
#[cfg(not(feature = "sandbox"))]
pub enum StripeSandbox {}

/// What the started sandboxes give the application.
pub struct Started {
    /// Smartapp Planner's Procore client, on the Procore sandbox.
    pub procore: ProcoreSettings,
    /// Smartapp Safety's Procore client.
    pub safety: OAuthCredentials,
    /// The Stripe sandbox's settings.
    pub stripe: StripeSettings,
    /// The running Procore sandbox.
    pub procore_sandbox: ProcoreSandbox,
    /// The running Stripe sandbox.
    pub stripe_sandbox: StripeSandbox,
    /// Their credentials, printed at start.
    pub credentials: SandboxCredentials,
}

/// The sandbox's web shell (Procore's app.procore.com): its messages are accepted by the
/// side panel.
pub fn web_base_url(sandbox: &ProcoreSandbox) -> String {
    #[cfg(feature = "sandbox")]
    return sandbox.web_base_url();
    #[cfg(not(feature = "sandbox"))]
    match *sandbox {}
}

/// Starts both sandboxes.
#[cfg(feature = "sandbox")]
pub async fn start(config: &Config) -> anyhow::Result<Started> {
    let (procore, safety, procore_sandbox) = start_sandbox(config).await?;
    let (stripe, stripe_sandbox) = start_stripe_sandbox(config).await?;
    let credentials = SandboxCredentials {
        procore_api: procore_sandbox.api_base_url(),
        procore_login: procore_sandbox.login_base_url(),
        apps: vec![
            (
                "Smartapp Planner",
                procore.client_id.clone(),
                procore.client_secret.clone(),
            ),
            (
                "Smartapp Safety",
                safety.client_id.clone(),
                safety.client_secret.clone(),
            ),
        ],
        stripe_api: stripe_sandbox.base_url(),
        stripe_secret_key: stripe.secret_key.clone(),
    };
    Ok(Started {
        procore,
        safety,
        stripe,
        procore_sandbox,
        stripe_sandbox,
        credentials,
    })
}

/// This build has no sandboxes: say what to configure instead.
#[cfg(not(feature = "sandbox"))]
pub async fn start(_config: &Config) -> anyhow::Result<Started> {
    anyhow::bail!(
        "this build has no built-in sandboxes (built without the `sandbox` feature): set \
         PROCORE_CLIENT_ID, PROCORE_CLIENT_SECRET, STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET \
         for the real Procore and Stripe"
    )
}

#[cfg(feature = "sandbox")]
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
        webhook_secrets: vec![options.webhook_secret],
        api_base: url::Url::parse(&format!("{}/", sandbox.base_url()))?,
    };
    Ok((settings, sandbox))
}

#[cfg(feature = "sandbox")]
async fn start_sandbox(
    config: &Config,
) -> anyhow::Result<(
    ProcoreSettings,
    crate::config::OAuthCredentials,
    sandbox::ProcoreSandbox,
)> {
    let client_secret = uuid::Uuid::new_v4().simple().to_string();
    let planner = sandbox::OAuthClient {
        client_id: "smartapp-local".into(),
        client_secret: client_secret.clone(),
        redirect_uris: vec![config.oauth_redirect_url()],
    };
    // The two marketplace apps, each its own OAuth client: Smartapp Planner by default,
    // Smartapp Safety with `/auth/procore/login?app=safety`.
    let safety = sandbox::OAuthClient {
        client_id: "smartapp-safety-local".into(),
        client_secret: uuid::Uuid::new_v4().simple().to_string(),
        redirect_uris: vec![config.oauth_redirect_url()],
    };
    let safety_credentials = crate::config::OAuthCredentials {
        client_id: safety.client_id.clone(),
        client_secret: safety.client_secret.clone(),
    };
    let options = sandbox::ProcoreOptions {
        clients: vec![planner.clone()],
        // Procore's documented limits (600 per hour, 25 per rolling 10 s): calls made
        // through `ProcoreAccess` are paced to them.
        ..Default::default()
    }
    .with_smartapp_apps(
        config.public_base_url.as_str().trim_end_matches('/'),
        planner,
        safety,
    );
    let addr = std::net::SocketAddr::from(([127, 0, 0, 1], config.sandbox_procore_port));
    let sandbox = sandbox::start_procore(options, Some(addr))
        .await
        .context("starting the built-in Procore sandbox")?;
    let settings = ProcoreSettings {
        client_id: "smartapp-local".into(),
        client_secret,
        login_base: url::Url::parse(&format!("{}/", sandbox.login_base_url()))?,
        api_base: url::Url::parse(&format!("{}/", sandbox.api_base_url()))?,
    };
    Ok((settings, safety_credentials, sandbox))
}

/// What drives the built-in sandboxes from outside (curl, Stripe's and Procore's own
/// clients): made up at each start, and only ever for the sandboxes, never real services.
#[derive(Debug, Clone)]
pub struct SandboxCredentials {
    /// The Procore sandbox's API base (`/rest/…`).
    pub procore_api: String,
    /// Its login base (`/oauth/token`, `/oauth/authorize`).
    pub procore_login: String,
    /// (app, client id, client secret) of both marketplace apps.
    pub apps: Vec<(&'static str, String, String)>,
    /// The Stripe sandbox's base (`/v1/…`).
    pub stripe_api: String,
    /// Its test secret key.
    pub stripe_secret_key: String,
}

impl SandboxCredentials {
    /// The lines printed at start.
    pub fn lines(&self) -> Vec<String> {
        let mut lines = vec![format!(
            "Sandbox credentials (sandbox only; new at each start): Procore API {}, token at {}/oauth/token",
            self.procore_api, self.procore_login
        )];
        for (app, id, secret) in &self.apps {
            lines.push(format!("  {app}: client id {id} / client secret {secret}"));
        }
        lines.push(format!(
            "  Stripe API {}: secret key {}",
            self.stripe_api, self.stripe_secret_key
        ));
        lines
    }
}

/// What the server prints at start: where it runs and, with the sandboxes, how to use them.
pub fn print_banner(
    config: &Config,
    sandbox: Option<&ProcoreSandbox>,
    stripe: Option<&StripeSandbox>,
    credentials: Option<&SandboxCredentials>,
) {
    println!("Project Central: {}", config.public_base_url);
    match sandbox {
        #[cfg(feature = "sandbox")]
        Some(sandbox) => {
            println!(
                "procore: {} (built-in sandbox, API; sign-in at {}; set PROCORE_CLIENT_ID and STRIPE_SECRET_KEY for the real services)",
                sandbox.api_base_url(),
                sandbox.login_base_url()
            );
            println!(
                "procore web (Marketplace, App Management, projects framing the app): {}/marketplace",
                sandbox.web_base_url()
            );
            println!("Demo sign-ins:");
            for user in sandbox.demo_users() {
                println!(
                    "  {} / {}  ({})",
                    user.login, user.password, user.description
                );
            }
        }
        #[cfg(not(feature = "sandbox"))]
        Some(sandbox) => match *sandbox {},
        None => println!(
            "procore: {}",
            config
                .procore
                .as_ref()
                .map(|p| p.api_base.as_str())
                .unwrap_or("")
        ),
    }
    #[cfg(feature = "sandbox")]
    if let Some(stripe) = stripe {
        println!("stripe: {} (built-in sandbox; set STRIPE_SECRET_KEY to use real Stripe; test card 4242 4242 4242 4242)", stripe.base_url());
    }
    #[cfg(not(feature = "sandbox"))]
    if let Some(stripe) = stripe {
        match *stripe {}
    }
    if let Some(credentials) = credentials {
        for line in credentials.lines() {
            println!("{line}");
        }
    }
}
