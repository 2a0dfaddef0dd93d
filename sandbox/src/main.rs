//! `cargo run -p sandbox`: starts every local emulator and prints where they listen.
//!
//! stdout carries one `name: url` line per service (scripts parse these), then the demo
//! sign-ins; logs go to stderr.

use std::io::IsTerminal;
use std::net::SocketAddr;

use anyhow::Context;
use sandbox::{
    start_procore_on, start_stripe, OAuthClient, ProcoreOptions, SandboxOptions, StripeOptions,
};
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        // Colour codes only help a person at a terminal; they garble captured logs.
        .with_ansi(std::io::stderr().is_terminal())
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .init();

    let opts = SandboxOptions {
        procore: procore_options_from_env()?,
        stripe: stripe_options_from_env(),
    };
    let procore_addr = SocketAddr::from(([127, 0, 0, 1], env_port("SANDBOX_PROCORE_PORT")?));
    let login_addr = SocketAddr::from(([127, 0, 0, 1], env_port("SANDBOX_PROCORE_LOGIN_PORT")?));
    let web_port = env_port("SANDBOX_PROCORE_WEB_PORT")?;
    let procore = start_procore_on(
        opts.procore,
        Some(procore_addr),
        Some(login_addr),
        Some(web_port),
    )
    .await?;
    let stripe_addr = SocketAddr::from(([127, 0, 0, 1], env_port("SANDBOX_STRIPE_PORT")?));
    let stripe = start_stripe(opts.stripe, Some(stripe_addr)).await?;

    // One line per service, in a fixed order; new emulators add their line here.
    // `procore:` is the API origin (as before); Procore's login origin is separate.
    println!("procore: {}", procore.api_base_url());
    println!("stripe: {}", stripe.base_url());
    println!("procore-login: {}", procore.login_base_url());
    println!("procore-api: {}", procore.api_base_url());
    println!("procore-web: {}", procore.web_base_url());

    println!("demo sign-ins (Procore sandbox):");
    for u in procore.demo_users() {
        println!(
            "  {} / {} — {}: {}",
            u.login, u.password, u.name, u.description
        );
    }

    tokio::signal::ctrl_c()
        .await
        .context("waiting for Ctrl-C")?;
    tracing::info!("shutting down");
    Ok(())
}

/// Port from the environment; unset or empty means 0 (any free port).
fn env_port(name: &str) -> anyhow::Result<u16> {
    match std::env::var(name) {
        Ok(v) if !v.trim().is_empty() => v
            .trim()
            .parse()
            .with_context(|| format!("{name} must be a port number, got {v:?}")),
        _ => Ok(0),
    }
}

/// Default Stripe options; the webhook endpoint and its secret can mirror the app's settings.
fn stripe_options_from_env() -> StripeOptions {
    let mut opts = StripeOptions::default();
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    opts.webhook_url = var("SANDBOX_STRIPE_WEBHOOK_URL");
    if let Some(secret) = var("SANDBOX_STRIPE_WEBHOOK_SECRET") {
        opts.webhook_secret = secret;
    }
    opts
}

/// Default options, with the OAuth client overridable so the app's real settings can be
/// mirrored; `SANDBOX_PROCORE_RATE_LIMITS=generous` keeps the old 3,600/h and 200/10 s.
fn procore_options_from_env() -> anyhow::Result<ProcoreOptions> {
    let mut opts = match std::env::var("SANDBOX_PROCORE_RATE_LIMITS").as_deref() {
        Ok("generous") => ProcoreOptions::generous_limits(),
        Ok("") | Ok("documented") | Err(_) => ProcoreOptions::default(),
        Ok(other) => anyhow::bail!(
            "SANDBOX_PROCORE_RATE_LIMITS must be `documented` or `generous`, got {other:?}"
        ),
    };
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
    let default: OAuthClient = opts.clients[0].clone();
    let client = OAuthClient {
        client_id: var("SANDBOX_CLIENT_ID").unwrap_or(default.client_id),
        client_secret: var("SANDBOX_CLIENT_SECRET").unwrap_or(default.client_secret),
        redirect_uris: match var("SANDBOX_REDIRECT_URIS") {
            Some(list) => list
                .split(',')
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
                .collect(),
            None => default.redirect_uris,
        },
    };
    anyhow::ensure!(
        !client.redirect_uris.is_empty(),
        "SANDBOX_REDIRECT_URIS lists no URI"
    );
    // The two marketplace apps: Planner on SANDBOX_PLANNER_* (default: the client above),
    // Safety on SANDBOX_SAFETY_*, both framing the app at SANDBOX_APP_BASE_URL.
    let app_client = |prefix: &str, default: &OAuthClient| OAuthClient {
        client_id: var(&format!("{prefix}_CLIENT_ID")).unwrap_or(default.client_id.clone()),
        client_secret: var(&format!("{prefix}_CLIENT_SECRET"))
            .unwrap_or(default.client_secret.clone()),
        redirect_uris: client.redirect_uris.clone(),
    };
    let planner = app_client("SANDBOX_PLANNER", &client);
    let safety = app_client("SANDBOX_SAFETY", &opts.apps[1].client);
    let app_base = var("SANDBOX_APP_BASE_URL").unwrap_or("http://127.0.0.1:3000".into());
    opts.clients = vec![client];
    Ok(opts.with_smartapp_apps(&app_base, planner, safety))
}
