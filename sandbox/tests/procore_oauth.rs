//! OAuth behaviour of the Procore emulator, over real HTTP.

mod common;

use common::*;
use serde_json::Value;

#[tokio::test]
async fn authorize_page_renders_sign_in_form() {
    let sb = start().await;
    let res = http()
        .get(format!("{}/oauth/authorize", sb.login_base_url()))
        .query(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("state", "a&b\"<c>"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.contains("<title>Sign in to Procore (sandbox)</title>"));
    assert!(html.contains(">Email</label>") && html.contains(">Password</label>"));
    assert!(html.contains(">Sign in</button>") && html.contains(">Deny</button>"));
    assert!(html.contains("admin@summitridge.example") && html.contains("sandbox-pm"));
    // The state travels in a hidden field, escaped.
    assert!(html.contains("name=\"state\" value=\"a&amp;b&quot;&lt;c&gt;\""));
}

#[tokio::test]
async fn authorize_rejects_bad_redirect_uri_and_client_without_redirecting() {
    let sb = start().await;
    for (client, redirect) in [
        (CLIENT_ID, "http://127.0.0.1:3000/auth/procore/callback/"),
        (CLIENT_ID, "https://evil.example/cb"),
        ("unknown-client", REDIRECT),
    ] {
        let res = http()
            .get(format!("{}/oauth/authorize", sb.login_base_url()))
            .query(&[
                ("response_type", "code"),
                ("client_id", client),
                ("redirect_uri", redirect),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 400, "{client} {redirect}");
        assert!(res.headers().get("location").is_none());
        assert!(res.text().await.unwrap().contains("<html"));
    }
}

#[tokio::test]
async fn wrong_password_rerenders_with_error_and_deny_redirects() {
    let sb = start().await;
    let res = http()
        .post(format!("{}/oauth/authorize", sb.login_base_url()))
        .form(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("login", ADMIN.0),
            ("password", "nope"),
            ("action", "sign_in"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res
        .text()
        .await
        .unwrap()
        .contains("Invalid email or password."));

    let res = http()
        .post(format!("{}/oauth/authorize", sb.login_base_url()))
        .form(&[
            ("response_type", "code"),
            ("client_id", CLIENT_ID),
            ("redirect_uri", REDIRECT),
            ("state", "xyz 1"),
            ("action", "deny"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 302);
    let location = res.headers()["location"].to_str().unwrap().to_owned();
    assert!(location.starts_with(REDIRECT));
    assert_eq!(
        query_value(&location, "error").as_deref(),
        Some("access_denied")
    );
    assert_eq!(query_value(&location, "state").as_deref(), Some("xyz 1"));
    assert!(query_value(&location, "code").is_none());
}

#[tokio::test]
async fn code_flow_with_pkce_rejects_bad_verifier_and_reuse() {
    let sb = start().await;
    let (verifier, challenge) = pkce();
    let exchange = |code: String, verifier: String| {
        let sb = sb.clone();
        async move {
            token(
                &sb,
                &[
                    ("grant_type", "authorization_code"),
                    ("client_id", CLIENT_ID),
                    ("client_secret", CLIENT_SECRET),
                    ("code", &code),
                    ("redirect_uri", REDIRECT),
                    ("code_verifier", &verifier),
                ],
            )
            .await
        }
    };

    // A wrong verifier fails, and burns the code.
    let location = sign_in(&sb, ADMIN, &challenge, "s1").await;
    assert_eq!(query_value(&location, "state").as_deref(), Some("s1"));
    let code = query_value(&location, "code").unwrap();
    let (status, body) = exchange(code.clone(), "not-the-verifier".into()).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    let (status, _) = exchange(code, verifier.clone()).await;
    assert_eq!(status, 400);

    // A fresh code with the right verifier works once.
    let location = sign_in(&sb, ADMIN, &challenge, "s2").await;
    let code = query_value(&location, "code").unwrap();
    let (status, body) = exchange(code.clone(), verifier.clone()).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["token_type"], "bearer");
    assert_eq!(body["expires_in"], 5400);
    assert!(body["created_at"].is_u64());
    let access = body["access_token"].as_str().unwrap().to_owned();
    assert!(access.len() >= 43);
    assert!(body["refresh_token"].as_str().unwrap().len() >= 43);
    let me = get(&sb, "/rest/v1.0/me", &access, None).await;
    assert_eq!(me.status(), 200);
    let me: Value = me.json().await.unwrap();
    assert_eq!(me["login"], ADMIN.0);
    assert_eq!(me["name"], "Avery Admin");
    assert!(me["id"].as_i64().unwrap() > i64::from(u32::MAX));

    // Replaying the code fails, and revokes what it produced.
    let (status, body) = exchange(code, verifier).await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_grant"))
    );
    assert_eq!(get(&sb, "/rest/v1.0/me", &access, None).await.status(), 401);
    assert_eq!(sb.stats().authorization_code_grants, 1);
}

#[tokio::test]
async fn refresh_rotates_and_rejects_the_old_refresh_token() {
    let sb = start().await;
    let first = login(&sb, PM).await;
    let old_refresh = first["refresh_token"].as_str().unwrap();
    let refresh = |rt: String| {
        let sb = sb.clone();
        async move {
            token(
                &sb,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", CLIENT_ID),
                    ("client_secret", CLIENT_SECRET),
                    ("refresh_token", &rt),
                ],
            )
            .await
        }
    };
    let (status, second) = refresh(old_refresh.to_owned()).await;
    assert_eq!(status, 200, "{second}");
    assert_ne!(second["access_token"], first["access_token"]);
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let new_access = second["access_token"].as_str().unwrap();
    assert_eq!(
        get(&sb, "/rest/v1.0/me", new_access, None).await.status(),
        200
    );

    let (status, body) = refresh(old_refresh.to_owned()).await;
    assert_eq!(status, 400);
    assert_eq!(
        body,
        serde_json::json!({"error": "invalid_grant", "error_description": "The refresh token is invalid"})
    );
    // The new pair keeps working.
    let (status, _) = refresh(second["refresh_token"].as_str().unwrap().to_owned()).await;
    assert_eq!(status, 200);
    let stats = sb.stats();
    assert_eq!((stats.refresh_grants, stats.refresh_reuse_rejected), (2, 1));
}

#[tokio::test]
async fn token_endpoint_errors_json_basic_auth_and_client_credentials() {
    let sb = start().await;
    let (status, body) = token(
        &sb,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", "wrong"),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (401, Some("invalid_client"))
    );
    let (status, body) = token(
        &sb,
        &[("client_id", CLIENT_ID), ("client_secret", CLIENT_SECRET)],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );
    let (status, body) = token(
        &sb,
        &[
            ("grant_type", "password"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("unsupported_grant_type"))
    );
    let (status, body) = token(
        &sb,
        &[
            ("grant_type", "authorization_code"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(
        (status, body["error"].as_str()),
        (400, Some("invalid_request"))
    );

    // JSON body + HTTP Basic client authentication.
    let res = http()
        .post(format!("{}/oauth/token", sb.login_base_url()))
        .basic_auth(CLIENT_ID, Some(CLIENT_SECRET))
        .json(&serde_json::json!({"grant_type": "client_credentials"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert!(body.get("refresh_token").is_none());
    let access = body["access_token"].as_str().unwrap();
    assert_eq!(sb.stats().client_credentials_grants, 1);

    // Service accounts need the company header even on /me.
    assert_eq!(get(&sb, "/rest/v1.0/me", access, None).await.status(), 400);
    assert_eq!(
        get(&sb, "/rest/v1.0/me", access, Some(&SUMMIT.to_string()))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn token_info_and_revoke() {
    let sb = start().await;
    let pair = login(&sb, SOLO).await;
    let access = pair["access_token"].as_str().unwrap();
    let info: Value = http()
        .get(format!("{}/oauth/token/info", sb.login_base_url()))
        .bearer_auth(access)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(info["application"]["uid"], CLIENT_ID);
    assert_eq!(info["scopes"], serde_json::json!([]));
    assert!(info["expires_in_seconds"].as_u64().unwrap() > 5000);
    assert_eq!(info["resource_owner_id"].as_i64(), Some(7_100_000_003));

    let revoke = |token: String| {
        let sb = sb.clone();
        async move {
            http()
                .post(format!("{}/oauth/revoke", sb.login_base_url()))
                .form(&[
                    ("token", token.as_str()),
                    ("client_id", CLIENT_ID),
                    ("client_secret", CLIENT_SECRET),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(revoke("no-such-token".into()).await, 200);
    assert_eq!(revoke(access.to_owned()).await, 200);
    assert_eq!(get(&sb, "/rest/v1.0/me", access, None).await.status(), 401);
    // The refresh token of the pair is gone as well.
    let (status, _) = token(
        &sb,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("refresh_token", pair["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn expired_token_is_401_and_refresh_still_works() {
    let sb = start().await;
    let pair = login(&sb, ADMIN).await;
    let access = pair["access_token"].as_str().unwrap();
    assert_eq!(get(&sb, "/rest/v1.0/me", access, None).await.status(), 200);
    sb.expire_all_access_tokens();
    let res = get(&sb, "/rest/v1.0/me", access, None).await;
    assert_eq!(res.status(), 401);
    assert!(res.headers().contains_key("x-rate-limit-limit"));
    assert!(res.headers().contains_key("x-request-id"));
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"errors": "The access token is invalid"})
    );

    let (status, fresh) = token(
        &sb,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
            ("refresh_token", pair["refresh_token"].as_str().unwrap()),
        ],
    )
    .await;
    assert_eq!(status, 200);
    let fresh = fresh["access_token"].as_str().unwrap();
    assert_eq!(get(&sb, "/rest/v1.0/me", fresh, None).await.status(), 200);

    // Same switch over HTTP.
    let res = http()
        .post(format!("{}/__sandbox/expire-tokens", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(get(&sb, "/rest/v1.0/me", fresh, None).await.status(), 401);
    // Missing header and garbage token are 401 too.
    let res = http()
        .get(format!("{}/rest/v1.0/me", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        get(&sb, "/rest/v1.0/me", "garbage", None).await.status(),
        401
    );
}
