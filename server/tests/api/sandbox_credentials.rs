//! The sandbox credentials printed at start drive the built-in sandboxes from outside:
//! each app's client id and secret get a Procore token, the Stripe key reads Stripe.

use std::collections::HashMap;

use server::config::Config;

#[tokio::test]
async fn the_printed_sandbox_credentials_authenticate() {
    let dir = std::env::temp_dir().join(format!("pc-creds-{}", uuid::Uuid::new_v4().simple()));
    let vars: HashMap<&str, String> = [
        ("LEPTOS_SITE_ADDR", "127.0.0.1:0".to_string()),
        ("DATA_DIR", dir.display().to_string()),
        ("COOKIE_SECURE", "false".into()),
    ]
    .into_iter()
    .collect();
    let config = Config::from_lookup(|name| vars.get(name).cloned()).unwrap();
    let options = server::startup::leptos_options(&config);
    let app = server::startup::build(&config, options).await.unwrap();
    let creds = app.sandbox_credentials.clone().expect("sandbox mode");
    let printed = creds.lines().join("\n");
    let http = reqwest::Client::new();

    assert_eq!(creds.apps.len(), 2, "both apps");
    for (_, id, secret) in &creds.apps {
        assert!(printed.contains(id.as_str()) && printed.contains(secret.as_str()));
        let res = http
            .post(format!("{}/oauth/token", creds.procore_login))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", id.as_str()),
                ("client_secret", secret.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{id}");
        let token: serde_json::Value = res.json().await.unwrap();
        let me = http
            .get(format!("{}/rest/v1.0/companies", creds.procore_api))
            .bearer_auth(token["access_token"].as_str().unwrap())
            .send()
            .await
            .unwrap();
        assert_ne!(me.status(), 401, "{id}: the token is accepted");
    }

    assert!(printed.contains(&creds.stripe_secret_key));
    let customers = |key: String| {
        let http = http.clone();
        let url = format!("{}/v1/customers", creds.stripe_api);
        async move {
            http.get(url)
                .bearer_auth(key)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(customers(creds.stripe_secret_key.clone()).await, 200);
    assert_eq!(customers("sk_test_guess".into()).await, 401);
    assert!(printed.contains(&creds.procore_api) && printed.contains(&creds.stripe_api));
}
