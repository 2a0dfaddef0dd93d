//! Driving the Procore sandbox's sign-in page from a test, as a browser would.

use sandbox::{OAuthClient, ProcoreOptions, ProcoreSandbox};
use server::config::ProcoreSettings;
use server::procore::{ProcoreOAuth, TokenSet};

pub const REDIRECT: &str = "http://127.0.0.1:9/auth/procore/callback";

/// A sandbox with one registered client returning to `redirect`, at Procore's documented
/// rate limits (600 per hour, 25 per rolling 10 s); `tweak` may loosen them for tests that
/// deliberately burst the unpaced client.
pub async fn sandbox(
    redirect: &str,
    tweak: impl FnOnce(&mut ProcoreOptions),
) -> (ProcoreSandbox, ProcoreSettings) {
    let mut options = ProcoreOptions {
        clients: vec![OAuthClient {
            client_id: "test-client".into(),
            client_secret: "test-secret".into(),
            redirect_uris: vec![redirect.into()],
        }],
        ..ProcoreOptions::default()
    };
    tweak(&mut options);
    let sandbox = sandbox::start_procore(options, None)
        .await
        .expect("sandbox starts");
    let settings = ProcoreSettings {
        client_id: "test-client".into(),
        client_secret: "test-secret".into(),
        login_base: url::Url::parse(&format!("{}/", sandbox.login_base_url())).unwrap(),
        api_base: url::Url::parse(&format!("{}/", sandbox.api_base_url())).unwrap(),
    };
    (sandbox, settings)
}

/// Submits the sign-in form for `authorize_url` and returns the redirect `Location`.
pub async fn approve(authorize_url: &url::Url, login: &str, password: &str) -> url::Url {
    let http = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(90))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let page = http.get(authorize_url.clone()).send().await.unwrap();
    assert_eq!(page.status(), 200, "the sign-in page renders");
    let mut form: Vec<(String, String)> = authorize_url.query_pairs().into_owned().collect();
    form.push(("login".into(), login.into()));
    form.push(("password".into(), password.into()));
    form.push(("action".into(), "sign_in".into()));
    let mut post_url = authorize_url.clone();
    post_url.set_query(None);
    let response = http.post(post_url).form(&form).send().await.unwrap();
    assert!(
        response.status().is_redirection(),
        "sign-in redirects, got {}",
        response.status()
    );
    let location = response.headers()["location"].to_str().unwrap();
    url::Url::parse(location).unwrap()
}

/// A full authorization-code sign-in; returns the token pair.
pub async fn sign_in(oauth: &ProcoreOAuth, login: &str, password: &str) -> TokenSet {
    let start = oauth.start();
    let back = approve(&start.url, login, password).await;
    let query: std::collections::HashMap<_, _> = back.query_pairs().into_owned().collect();
    assert_eq!(query.get("state"), Some(&start.state), "state is echoed");
    oauth
        .exchange_code(&query["code"], &start.pkce_verifier)
        .await
        .expect("code exchange")
}
