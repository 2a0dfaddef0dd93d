//! A whole application (server + both sandboxes) on a loopback port, driven with reqwest.

use std::collections::HashMap;

use super::procore::approve;
use server::config::Config;

pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub procore: Option<sandbox::ProcoreSandbox>,
    pub stripe: Option<sandbox::StripeSandbox>,
    pub services: std::sync::Arc<server::startup::Services>,
}

pub async fn spawn_app(extra: &[(&str, &str)]) -> TestApp {
    spawn_app_with(extra, |_| {}).await
}

/// [`spawn_app`] with changed Leptos settings (e.g. a site root holding test assets).
pub async fn spawn_app_with(
    extra: &[(&str, &str)],
    tweak: impl FnOnce(&mut leptos::config::LeptosOptions),
) -> TestApp {
    let _ = tracing_subscriber::fmt()
        .with_test_writer()
        .with_env_filter("warn")
        .try_init();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let dir = std::env::temp_dir().join(format!("pc-app-{}", uuid::Uuid::new_v4().simple()));
    let mut vars: HashMap<String, String> = [
        ("LEPTOS_SITE_ADDR", addr.to_string()),
        ("DATA_DIR", dir.display().to_string()),
        ("COOKIE_SECURE", "false".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    for (k, v) in extra {
        vars.insert(k.to_string(), v.to_string());
    }
    let config = Config::from_lookup(|name| vars.get(name).cloned()).unwrap();
    let mut options = server::startup::leptos_options(&config);
    tweak(&mut options);
    let app = server::startup::build(&config, options).await.unwrap();
    // The webhook inbox worker, as in production; periodic jobs are left alone.
    let _webhooks = app.jobs.start_webhooks();
    let (procore, stripe, services) = (app.sandbox, app.stripe_sandbox, app.services);
    let router = app
        .router
        .into_make_service_with_connect_info::<std::net::SocketAddr>();
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(90))
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    TestApp {
        base: format!("http://{addr}"),
        http,
        procore,
        stripe,
        services,
    }
}

impl TestApp {
    /// The same browser (shared cookies), as an owned handle for async closures.
    pub fn clone_handle(&self) -> TestApp {
        TestApp {
            base: self.base.clone(),
            http: self.http.clone(),
            procore: self.procore.clone(),
            stripe: self.stripe.clone(),
            services: self.services.clone(),
        }
    }

    /// Another browser (its own cookies) on the same application.
    pub fn second_browser(&self) -> TestApp {
        TestApp {
            base: self.base.clone(),
            http: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(90))
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            procore: self.procore.clone(),
            stripe: self.stripe.clone(),
            services: self.services.clone(),
        }
    }

    pub async fn get(&self, path: &str) -> reqwest::Response {
        self.http
            .get(format!("{}{path}", self.base))
            .send()
            .await
            .unwrap()
    }

    /// Calls a server function as the browser does (URL-encoded POST, JSON back).
    pub async fn call(&self, name: &str, form: &[(&str, &str)]) -> reqwest::Response {
        self.http
            .post(format!("{}/api/{name}", self.base))
            .header("origin", &self.base)
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Waits until the Stripe sandbox has delivered its webhooks and every stored event is
    /// applied (effects run from the inbox, after the 200); gives up after 30 s.
    pub async fn settle_webhooks(&self) {
        if let Some(stripe) = &self.stripe {
            stripe.wait_for_deliveries().await;
        }
        let until = std::time::Instant::now() + std::time::Duration::from_secs(30);
        while std::time::Instant::now() < until {
            match self.services.db.unapplied_stripe_events().await {
                Ok(0) => return,
                _ => tokio::time::sleep(std::time::Duration::from_millis(20)).await,
            }
        }
    }

    /// Fills in and submits the Stripe sandbox's hosted Checkout page at `url` as a customer
    /// would (card `card`, e.g. `4242 4242 4242 4242`); returns Stripe's answer (303 when paid).
    pub async fn pay_on_checkout(&self, url: &str, card: &str) -> reqwest::Response {
        pay_on_checkout(&self.http, url, card, "ap@harbor.example").await
    }

    pub async fn sign_in(&self, login: &str, password: &str) {
        let start = self.get("/auth/procore/login").await;
        assert!(start.status().is_redirection());
        let authorize = url::Url::parse(start.headers()["location"].to_str().unwrap()).unwrap();
        let callback = approve(&authorize, login, password).await;
        let done = self.http.get(callback).send().await.unwrap();
        assert_eq!(done.headers()["location"], "/projects", "signed in");
    }
}

/// The hosted Checkout page's form, submitted with `http` (any client: the page needs no
/// session of ours).
pub async fn pay_on_checkout(
    http: &reqwest::Client,
    url: &str,
    card: &str,
    email: &str,
) -> reqwest::Response {
    http.post(url)
        .form(&[
            ("email", email),
            ("card_number", card),
            ("exp", "12 / 34"),
            ("cvc", "123"),
            ("name", "AP"),
        ])
        .send()
        .await
        .unwrap()
}
