//! Helpers shared by the integration tests: start an emulator, sign in over HTTP.
#![allow(dead_code)] // each test binary uses a different subset

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sandbox::{start_procore, ProcoreOptions, ProcoreSandbox};
use serde_json::Value;
use sha2::{Digest, Sha256};

pub const CLIENT_ID: &str = "smartapp-local";
pub const CLIENT_SECRET: &str = "smartapp-local-secret";
pub const REDIRECT: &str = "http://127.0.0.1:3000/auth/procore/callback";
pub const ADMIN: (&str, &str) = ("admin@summitridge.example", "sandbox-admin");
pub const PM: (&str, &str) = ("pm@summitridge.example", "sandbox-pm");
pub const SOLO: (&str, &str) = ("solo@harborpoint.example", "sandbox-solo");
pub const SUMMIT: i64 = 5_600_000_001;
pub const HARBOR: i64 = 5_600_000_002;

/// Starts an emulator with default options on a free port.
pub async fn start() -> ProcoreSandbox {
    start_procore(ProcoreOptions::default(), None)
        .await
        .expect("start emulator")
}

/// A client that does not follow redirects, so tests can read `Location`.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// (verifier, S256 challenge)
pub fn pkce() -> (String, String) {
    let verifier = format!(
        "verifier-{}-0123456789abcdefghijklmnopqrstuvwxyz",
        rand_suffix()
    );
    let challenge = URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes()));
    (verifier, challenge)
}

fn rand_suffix() -> u64 {
    use std::time::{SystemTime, UNIX_EPOCH};
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_nanos() as u64
}

/// Submits the sign-in form and returns the `Location` of the redirect.
pub async fn sign_in(
    sb: &ProcoreSandbox,
    user: (&str, &str),
    challenge: &str,
    state: &str,
) -> String {
    let res = http()
        .post(format!("{}/oauth/authorize", sb.login_base_url()))
        .form(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("state", state),
            ("code_challenge", challenge),
            ("code_challenge_method", "S256"),
            ("login", user.0),
            ("password", user.1),
            ("action", "sign_in"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302, "sign-in should redirect");
    res.headers()["location"].to_str().unwrap().to_owned()
}

/// Value of a query parameter in a URL.
pub fn query_value(url: &str, key: &str) -> Option<String> {
    url::Url::parse(url)
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.into_owned())
}

/// POSTs a form to `/oauth/token` and returns (status, JSON body).
pub async fn token(sb: &ProcoreSandbox, form: &[(&str, &str)]) -> (u16, Value) {
    let res = http()
        .post(format!("{}/oauth/token", sb.login_base_url()))
        .form(form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap())
}

/// Full authorization-code + PKCE flow; returns the token response.
pub async fn login(sb: &ProcoreSandbox, user: (&str, &str)) -> Value {
    let (verifier, challenge) = pkce();
    let location = sign_in(sb, user, &challenge, "st").await;
    let code = query_value(&location, "code").expect("code in redirect");
    let (status, body) = token(
        sb,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("code", &code),
            ("redirect_uri", REDIRECT),
            ("code_verifier", &verifier),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body
}

/// Access token of a signed-in user.
pub async fn access_token(sb: &ProcoreSandbox, user: (&str, &str)) -> String {
    login(sb, user).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// GET under the emulator with a bearer token and optional company header.
pub async fn get(
    sb: &ProcoreSandbox,
    path: &str,
    token: &str,
    company: Option<&str>,
) -> reqwest::Response {
    let mut req = http()
        .get(format!("{}{}", sb.base_url(), path))
        .bearer_auth(token);
    if let Some(c) = company {
        req = req.header("Procore-Company-Id", c);
    }
    req.send().await.unwrap()
}
