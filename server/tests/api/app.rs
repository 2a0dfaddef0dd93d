//! The whole application on a loopback port: sign-in through the sandbox, server functions,
//! probes and the error paths a user can hit. No browser: reqwest with a cookie jar.

use crate::helpers::app::{spawn_app, TestApp};
use app::account::Viewer;
use app::error::AppError;
use app::ids::{CompanyId, UserId};
use app::projects::ProjectPage;

use crate::helpers::demo::SUMMIT;
use crate::helpers::procore::approve;

fn location(response: &reqwest::Response) -> String {
    response.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn probes_answer() {
    let app = spawn_app(&[]).await;
    assert_eq!(app.get("/healthz").await.status(), 200);
    let ready = app.get("/readyz").await;
    assert_eq!(ready.status(), 200);
    assert_eq!(ready.text().await.unwrap(), "ready");
}

#[tokio::test]
async fn sign_in_then_list_switch_and_search_projects() {
    let app = spawn_app(&[]).await;
    app.sign_in("admin@summitridge.example", "sandbox-admin")
        .await;

    let viewer: Option<Viewer> = app.call("get_viewer", &[]).await.json().await.unwrap();
    let viewer = viewer.unwrap();
    assert_eq!(viewer.name, "Avery Admin");
    assert_eq!(viewer.companies.len(), 2);

    let switched = app
        .call("switch_company", &[("company_id", &SUMMIT.to_string())])
        .await;
    assert_eq!(switched.status(), 200);
    let page: ProjectPage = app
        .call("list_projects", &[("search", ""), ("page", "2")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        page.total, 2_375,
        "active projects of the 2,500 (5% are inactive)"
    );
    assert_eq!(page.page, 2);
    assert_eq!(page.projects.len(), 25);

    let found: ProjectPage = app
        .call("list_projects", &[("search", "Medical"), ("page", "1")])
        .await
        .json()
        .await
        .unwrap();
    assert!(found.total > 0 && found.total < 2_375, "{}", found.total);
    for project in &found.projects {
        assert!(project.name.to_lowercase().contains("medical"));
    }

    // The page itself renders server-side with the user's name.
    let html = app.get("/projects").await.text().await.unwrap();
    assert!(html.contains("Avery Admin"));
}

#[tokio::test]
async fn ids_from_the_client_are_checked() {
    let app = spawn_app(&[]).await;
    app.sign_in("pm@summitridge.example", "sandbox-pm").await;
    // Parker belongs to Summit Ridge only: Harbor Point's id is refused, the session unchanged.
    let refused = app
        .call("switch_company", &[("company_id", "5600000002")])
        .await;
    assert_eq!(refused.status(), 404);
    let page: ProjectPage = app
        .call("list_projects", &[("search", ""), ("page", "1")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        page.total, 12,
        "a non-admin sees the projects they are assigned to"
    );
    let bad = app
        .call("switch_company", &[("company_id", "not-a-number")])
        .await;
    assert_eq!(bad.status(), 400);
    let said: AppError = bad.json().await.unwrap();
    assert_eq!(
        said,
        AppError::Invalid("The request could not be read. Reload the page and try again.".into()),
        "a plain message, not the parser's text"
    );
    let long = "x".repeat(500);
    let invalid = app
        .call("list_projects", &[("search", &long), ("page", "1")])
        .await;
    assert_eq!(invalid.status(), 422);
}

#[tokio::test]
async fn signed_out_calls_get_401_and_pages_offer_sign_in() {
    let app = spawn_app(&[]).await;
    let response = app
        .call("list_projects", &[("search", ""), ("page", "1")])
        .await;
    assert_eq!(response.status(), 401);
    let viewer: Option<Viewer> = app.call("get_viewer", &[]).await.json().await.unwrap();
    assert!(viewer.is_none());
    let html = app.get("/projects").await.text().await.unwrap();
    assert!(html.contains("Sign in to continue"));
}

#[tokio::test]
async fn forged_replayed_and_denied_callbacks_explain_themselves() {
    let app = spawn_app(&[]).await;
    let forged = app.get("/auth/procore/callback?code=x&state=forged").await;
    assert_eq!(location(&forged), "/auth/error?reason=state");

    // A real round trip, then the same callback again: the state is single-use.
    let start = app.get("/auth/procore/login").await;
    let authorize = url::Url::parse(&location(&start)).unwrap();
    let callback = approve(&authorize, "admin@summitridge.example", "sandbox-admin").await;
    assert_eq!(
        location(&app.http.get(callback.clone()).send().await.unwrap()),
        "/projects"
    );
    let replay = app.http.get(callback).send().await.unwrap();
    assert_eq!(location(&replay), "/auth/error?reason=state");

    let denied = app
        .get("/auth/procore/callback?error=access_denied&state=x")
        .await;
    assert_eq!(location(&denied), "/auth/error?reason=denied");
    let page = app.get("/auth/error?reason=denied").await;
    assert_eq!(page.status(), 200);
    assert!(page.text().await.unwrap().contains("chose not to allow"));
}

#[tokio::test]
async fn procore_unreachable_is_a_clear_page() {
    let key = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    let app = spawn_app(&[
        ("PROCORE_CLIENT_ID", "x"),
        ("PROCORE_CLIENT_SECRET", "y"),
        ("PROCORE_LOGIN_BASE", "http://127.0.0.1:9"),
        ("PROCORE_API_BASE", "http://127.0.0.1:9"),
        ("TOKEN_ENCRYPTION_KEY", key),
        ("STRIPE_SECRET_KEY", "sk_test_unreachable"),
        ("STRIPE_WEBHOOK_SECRET", "whsec_unreachable"),
        ("STRIPE_API_BASE", "http://127.0.0.1:9"),
    ])
    .await;
    let start = app.get("/auth/procore/login").await;
    let authorize = url::Url::parse(&location(&start)).unwrap();
    let state = authorize
        .query_pairs()
        .find(|(k, _)| k == "state")
        .unwrap()
        .1
        .to_string();
    let back = app
        .get(&format!("/auth/procore/callback?code=abc&state={state}"))
        .await;
    assert_eq!(location(&back), "/auth/error?reason=procore");
}

#[tokio::test]
async fn cross_site_writes_are_refused() {
    let app = spawn_app(&[]).await;
    let response = app
        .http
        .post(format!("{}/auth/logout", app.base))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn pages_are_compressed_for_browsers_that_accept_it() {
    let app = spawn_app(&[]).await;
    let response = app
        .http
        .get(format!("{}/", app.base))
        .header("accept-encoding", "br, gzip")
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    assert_eq!(response.headers()["content-encoding"], "br");
    assert_eq!(response.headers()["x-content-type-options"], "nosniff");
}

/// Makes every stored session look as if Procore last confirmed access long ago. (Text
/// surgery: the record holds a 128-bit id that a JSON round trip through f64 would mangle.)
async fn age_access_checks(db: &server::db::Db) {
    let rows: Vec<(String, String)> = sqlx::query_as("SELECT id, record FROM sessions")
        .fetch_all(db.pool())
        .await
        .unwrap();
    let key = "\"access_verified_at\":";
    for (id, record) in rows {
        let Some(at) = record.find(key) else { continue };
        let digits = record[at + key.len()..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap();
        let aged = format!(
            "{}{key}0{}",
            &record[..at],
            &record[at + key.len() + digits..]
        );
        sqlx::query("UPDATE sessions SET record = $2 WHERE id = $1")
            .bind(id)
            .bind(aged)
            .execute(db.pool())
            .await
            .unwrap();
    }
}

#[tokio::test]
async fn access_is_rechecked_with_procore_and_lost_access_is_enforced() {
    let app = spawn_app(&[]).await;
    app.sign_in("admin@summitridge.example", "sandbox-admin")
        .await;
    let db = &app.services.db;
    let user: (i64,) = sqlx::query_as("SELECT id FROM users")
        .fetch_one(db.pool())
        .await
        .unwrap();
    // Our records drift from Procore: a company Procore no longer lists, and a lost admin flag.
    sqlx::query("INSERT INTO companies (id, name, updated_at) VALUES (999, 'Gone Co', 0)")
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("INSERT INTO company_users (company_id, user_id, is_admin, updated_at) VALUES (999, $1, 1, 0)")
        .bind(user.0)
        .execute(db.pool())
        .await
        .unwrap();
    sqlx::query("UPDATE company_users SET is_admin = 0 WHERE company_id = $1")
        .bind(SUMMIT.get())
        .execute(db.pool())
        .await
        .unwrap();

    assert_eq!(
        app.call("switch_company", &[("company_id", "999")])
            .await
            .status(),
        200
    );
    age_access_checks(db).await;
    let refused = app
        .call("list_projects", &[("search", ""), ("page", "1")])
        .await;
    let status = refused.status();
    assert_eq!(
        status,
        403,
        "Procore no longer lists the company: {}",
        refused.text().await.unwrap()
    );
    assert!(
        !db.is_member(UserId(user.0), CompanyId(999)).await.unwrap(),
        "the membership is gone"
    );

    assert_eq!(
        app.call("switch_company", &[("company_id", &SUMMIT.to_string())])
            .await
            .status(),
        200
    );
    age_access_checks(db).await;
    let page = app
        .call("list_projects", &[("search", ""), ("page", "1")])
        .await;
    assert_eq!(page.status(), 200);
    assert!(
        db.is_admin(UserId(user.0), SUMMIT).await.unwrap(),
        "admin rights re-read from Procore"
    );
}

#[tokio::test]
async fn disconnect_revokes_the_token_at_procore_and_forgets_it() {
    let app = spawn_app(&[]).await;
    app.sign_in("admin@summitridge.example", "sandbox-admin")
        .await;
    let db = &app.services.db;
    let user: (i64,) = sqlx::query_as("SELECT id FROM users")
        .fetch_one(db.pool())
        .await
        .unwrap();
    let token = app.services.tokens.access_token(user.0).await.unwrap();
    assert!(app.services.procore.me(&token).await.is_ok());

    let out = app
        .http
        .post(format!("{}/auth/procore/disconnect", app.base))
        .header("origin", &app.base)
        .send()
        .await
        .unwrap();
    assert_eq!(location(&out), "/?disconnected=1");
    assert!(
        db.connection(user.0).await.unwrap().is_none(),
        "tokens forgotten"
    );
    assert!(
        matches!(
            app.services.procore.me(&token).await,
            Err(server::procore::ProcoreError::Unauthorized)
        ),
        "token revoked at Procore"
    );
    let viewer = app.call("get_viewer", &[]).await.text().await.unwrap();
    assert_eq!(viewer, "null", "the session ended");

    // A cross-site form cannot disconnect anyone.
    let refused = app
        .http
        .post(format!("{}/auth/procore/disconnect", app.base))
        .header("origin", "https://evil.example")
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 403);
}

#[tokio::test]
async fn malformed_duplicate_and_oversized_input_get_a_clear_4xx() {
    let app = spawn_app(&[]).await;
    app.sign_in("admin@summitridge.example", "sandbox-admin")
        .await;
    let post = |body: String| {
        app.http
            .post(format!("{}/api/start_checkout", app.base))
            .header("origin", &app.base)
            .header("content-type", "application/json")
            .body(body)
            .send()
    };
    let malformed = post("{\"selection\": {\"projects\": [".into())
        .await
        .unwrap();
    assert_eq!(malformed.status(), 400);
    let duplicate = post(
        r#"{"selection":{"projects":[{"project_id":5,"planner":true},{"project_id":5}]},"interval":"yearly"}"#
            .into(),
    )
    .await
    .unwrap();
    assert_eq!(duplicate.status(), 422);
    let said: AppError = duplicate.json().await.unwrap();
    assert_eq!(
        said,
        AppError::Invalid("The request is not valid: project 5 is listed more than once.".into())
    );
    let oversized = post(format!("{{\"pad\":\"{}\"}}", "x".repeat(2 * 1024 * 1024)))
        .await
        .unwrap();
    assert_eq!(oversized.status(), 413);
    let bad_filter = app
        .call(
            "wizard_projects",
            &[("search", ""), ("filter", "everything"), ("page", "1")],
        )
        .await;
    assert_eq!(bad_filter.status(), 422);
}

/// A browser without a cookie jar, as a script calling with made-up cookies is.
fn bare_client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(90))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Issue 20 item 24: a made-up session cookie per call buys no fresh bucket; the calls
/// share their address's limit.
#[tokio::test]
async fn random_session_cookies_do_not_escape_the_server_function_limit() {
    use base64::Engine;
    let app = spawn_app(&[]).await;
    let client = bare_client();
    let mut throttled = 0;
    for i in 0..160 {
        // Half shaped like real session ids (base64 of 128 bits), half not.
        let value = if i % 2 == 0 {
            base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(rand::random::<[u8; 16]>())
        } else {
            uuid::Uuid::new_v4().simple().to_string()
        };
        let response = client
            .post(format!("{}/api/get_viewer", app.base))
            .header("origin", &app.base)
            .header("cookie", format!("pc_session={value}"))
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            throttled += 1;
        }
    }
    assert!(throttled >= 20, "{throttled} of 160 throttled");
    // A real session keeps its own bucket meanwhile.
    app.sign_in(crate::helpers::demo::PM.0, crate::helpers::demo::PM.1)
        .await;
    assert_eq!(app.call("get_viewer", &[]).await.status(), 200);
}

/// Sign-in attempts until one is throttled (at most 40), as client `forwarded` behind the
/// proxy; returns how many passed.
async fn sign_ins_until_throttled(app: &TestApp, forwarded: &str) -> usize {
    let client = bare_client();
    for passed in 0..40 {
        let response = client
            .get(format!("{}/auth/procore/login", app.base))
            .header("x-forwarded-for", forwarded)
            .send()
            .await
            .unwrap();
        if response.status() == 429 {
            return passed;
        }
    }
    40
}

/// Issue 20 item 25: behind a trusted proxy each forwarded client has its own sign-in
/// bucket; without one, the header is ignored and the connecting address counts.
#[tokio::test]
async fn forwarded_client_addresses_count_only_from_trusted_proxies() {
    let behind = spawn_app(&[("TRUSTED_PROXIES", "127.0.0.1/32, ::1")]).await;
    assert_eq!(sign_ins_until_throttled(&behind, "203.0.113.1").await, 20);
    assert_eq!(
        sign_ins_until_throttled(&behind, "203.0.113.2").await,
        20,
        "a second client behind the proxy has its own bucket"
    );
    let direct = spawn_app(&[]).await;
    assert_eq!(sign_ins_until_throttled(&direct, "203.0.113.1").await, 20);
    assert_eq!(
        sign_ins_until_throttled(&direct, "203.0.113.2").await,
        0,
        "from an untrusted peer the header is ignored"
    );
}
