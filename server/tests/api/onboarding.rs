//! The ways in: App Setup Instructions signs the admin in and comes back to the setup page
//! (only ever to a path of ours); Get started and the setup pages render for everyone.

use crate::helpers::app::{spawn_app, TestApp};
use crate::helpers::procore::approve;
use crate::helpers::TestDb;

async fn sign_in_via(app: &TestApp, login_path: &str) -> String {
    let start = app.get(login_path).await;
    assert!(start.status().is_redirection());
    let authorize = url::Url::parse(start.headers()["location"].to_str().unwrap()).unwrap();
    let callback = approve(&authorize, "admin@summitridge.example", "sandbox-admin").await;
    let done = app.http.get(callback).send().await.unwrap();
    done.headers()["location"].to_str().unwrap().to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn app_setup_instructions_come_back_to_the_setup_page() {
    let db = TestDb::sqlite().await;
    let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    // Signed out, the setup page offers the sign-in that comes back to it.
    let page = app.get("/setup/planner").await;
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("Set up Smartapp Planner"), "{html}");
    assert!(html.contains("next=/setup/planner"));
    assert_eq!(app.get("/setup/gardening").await.status(), 404);
    let back = sign_in_via(&app, "/auth/procore/login?next=/setup/planner").await;
    assert_eq!(back, "/setup/planner");
    // Never another site.
    let other = app.second_browser();
    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/%5Cevil.example",
    ] {
        let back = sign_in_via(
            &other,
            &format!("/auth/procore/login?next={}", urlencoding(evil)),
        )
        .await;
        assert_eq!(back, "/projects", "{evil}");
    }
    // Signed in (the admin belongs to two companies): the page asks which one.
    let signed_in = app.get("/setup/safety").await.text().await.unwrap();
    assert!(
        signed_in.contains("Which one did you install Smartapp Safety in?"),
        "{signed_in}"
    );
    let started = app.get("/get-started").await;
    assert_eq!(started.status(), 200);
    assert!(started
        .text()
        .await
        .unwrap()
        .contains("Get started: Planner"));
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_started_says_start_trial_when_a_trial_is_configured() {
    let db = TestDb::sqlite().await;
    let app = spawn_app(&[("DATABASE_URL", &db.url), ("CATALOG_TRIAL_DAYS", "14")]).await;
    let html = app.get("/get-started").await.text().await.unwrap();
    assert!(html.contains("Start trial: Planner"), "{html}");
    assert!(html.contains("14 days free"));
    db.cleanup().await;
}

fn urlencoding(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn safety_signs_in_and_refreshes_with_its_own_client() {
    let db = TestDb::sqlite().await;
    let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    let start = app.get("/auth/procore/login?app=safety").await;
    let authorize = url::Url::parse(start.headers()["location"].to_str().unwrap()).unwrap();
    let client: Vec<String> = authorize
        .query_pairs()
        .filter(|(k, _)| k == "client_id")
        .map(|(_, v)| v.into_owned())
        .collect();
    assert_eq!(client, ["smartapp-safety-local"], "{authorize}");
    let callback = approve(&authorize, "admin@summitridge.example", "sandbox-admin").await;
    let done = app.http.get(callback).send().await.unwrap();
    assert_eq!(done.headers()["location"], "/projects");
    let (made_by,): (Option<String>,) = sqlx::query_as("SELECT oauth_app FROM procore_connections")
        .fetch_one(db.db.pool())
        .await
        .unwrap();
    assert_eq!(made_by.as_deref(), Some("safety"));
    // Procore's access token expires: the refresh must go through Safety's client.
    app.procore.as_ref().unwrap().expire_all_access_tokens();
    let projects = app
        .call(
            "wizard_projects",
            &[("search", ""), ("filter", "not-licensed"), ("page", "1")],
        )
        .await;
    assert_eq!(projects.status(), 200, "{}", projects.text().await.unwrap());
    assert!(app.procore.as_ref().unwrap().stats().refresh_grants >= 1);
    // An unknown app falls back to the default app's client.
    let other = app.second_browser();
    let start = other.get("/auth/procore/login?app=gardening").await;
    assert!(start.headers()["location"]
        .to_str()
        .unwrap()
        .contains("client_id=smartapp-local&"));
    db.cleanup().await;
}
