//! The embedded view (issue 10) as Procore's iframe meets it: framing and CSP headers on
//! every HTML response, the popup's single-use hand-off code (once, in time, from our own
//! origin only), the frame's partitioned session cookie, cross-site writes refused, and URL
//! ids the user may not see refused — on SQLite and PostgreSQL.

use crate::helpers::app::{spawn_app, TestApp};
use crate::helpers::demo::{ADMIN, HARBOR, PM, SUMMIT};
use crate::helpers::on_both;
use crate::helpers::procore::approve;
use app::ids::UserId;
use app::projects::ProjectPage;

/// Signs in through the popup (`/auth/procore/login?popup=1`) and returns the hand-off
/// page's code.
async fn popup_code(app: &TestApp, login: (&str, &str)) -> String {
    let start = app.get("/auth/procore/login?popup=1").await;
    assert!(start.status().is_redirection());
    let authorize = url::Url::parse(start.headers()["location"].to_str().unwrap()).unwrap();
    let callback = approve(&authorize, login.0, login.1).await;
    let page = app.http.get(callback).send().await.unwrap();
    assert_eq!(page.status(), 200, "the popup ends on the hand-off page");
    assert_html_headers(&page);
    let html = page.text().await.unwrap();
    assert!(html.contains("/embedded/sign-in.js"));
    let code = html
        .split("data-code=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a code on the hand-off page");
    code.to_string()
}

/// A browser context of its own (the iframe): no cookie jar, cookies passed by hand.
fn frame() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(90))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

async fn redeem(app: &TestApp, code: &str, origin: &str) -> reqwest::Response {
    frame()
        .post(format!("{}/embedded/session", app.base))
        .header("origin", origin)
        .header("sec-fetch-site", "same-origin")
        .json(&serde_json::json!({ "code": code }))
        .send()
        .await
        .unwrap()
}

/// The `name=value` of the session cookie a response sets, with its attributes.
fn session_cookie(response: &reqwest::Response) -> (String, Vec<String>) {
    let text = response
        .headers()
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_string())
        .find(|c| c.starts_with("pc_session="))
        .expect("a session cookie");
    let mut parts = text.split(';').map(|p| p.trim().to_string());
    let pair = parts.next().unwrap();
    (pair, parts.collect())
}

fn assert_html_headers(response: &reqwest::Response) {
    let headers = response.headers();
    assert!(
        headers.get("x-frame-options").is_none(),
        "no X-Frame-Options"
    );
    let policy = headers["content-security-policy"].to_str().unwrap();
    let ancestors = policy
        .split(';')
        .map(str::trim)
        .find_map(|d| d.strip_prefix("frame-ancestors "))
        .expect("frame-ancestors");
    let sources: Vec<&str> = ancestors.split(' ').collect();
    for origin in [
        "'self'",
        "https://app.procore.com",
        "https://us02.procore.com",
        "https://uk01.procore.com",
        "https://sandbox.procore.com",
        "http://localhost:*",
    ] {
        assert!(sources.contains(&origin), "{origin} in {ancestors}");
    }
    assert!(policy.contains("'nonce-"), "{policy}");
}

async fn frame_get(app: &TestApp, cookie: &str, path: &str) -> reqwest::Response {
    frame()
        .get(format!("{}{path}", app.base))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap()
}

pub(crate) async fn visible_project(app: &TestApp) -> i64 {
    let page: ProjectPage = app
        .call("list_projects", &[("search", ""), ("page", "1")])
        .await
        .json()
        .await
        .unwrap();
    page.projects[0].id.get()
}

#[tokio::test]
async fn every_html_response_may_be_framed_by_procore_only() {
    let app = spawn_app(&[]).await;
    for path in [
        "/",
        "/embedded/1/2",
        "/auth/error?reason=denied",
        "/no-such-page",
    ] {
        let response = app.get(path).await;
        assert!(
            response.headers()["content-type"]
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert_html_headers(&response);
    }
    let signed_out = app
        .get("/embedded/5600000001/1")
        .await
        .text()
        .await
        .unwrap();
    assert!(signed_out.contains("Sign in with Procore"), "{signed_out}");
    assert!(signed_out.contains("data-login=\"/auth/procore/login?popup=1\""));
    // Non-HTML answers may be framed by no one.
    let script = app.get("/embedded/sign-in.js").await;
    assert_eq!(script.status(), 200);
    assert!(script.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .contains("frame-ancestors 'none'"));
    assert!(script
        .text()
        .await
        .unwrap()
        .contains("authentication.success"));
}

#[tokio::test]
async fn a_redeemed_code_signs_the_frame_in_with_a_partitioned_cookie() {
    on_both(|db| async move {
        let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
        let code = popup_code(&app, PM).await;
        let redeemed = redeem(&app, &code, &app.base).await;
        assert_eq!(redeemed.status(), 200);
        let (pair, attributes) = session_cookie(&redeemed);
        for wanted in [
            "Secure",
            "HttpOnly",
            "SameSite=None",
            "Partitioned",
            "Path=/",
        ] {
            assert!(
                attributes.iter().any(|a| a == wanted),
                "{wanted} in {attributes:?}"
            );
        }
        let check: serde_json::Value = frame_get(&app, &pair, "/embedded/session")
            .await
            .json()
            .await
            .unwrap();
        assert_eq!(check["signed_in"], true);
        let without: serde_json::Value = frame()
            .get(format!("{}/embedded/session", app.base))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            without["signed_in"], false,
            "the follow-up check tells cookies blocked"
        );

        // The frame sees its project's status.
        app.sign_in(PM.0, PM.1).await;
        let project = visible_project(&app).await;
        let page = frame_get(
            &app,
            &pair,
            &format!("/embedded/{SUMMIT}/{project}?app=planner"),
        )
        .await;
        assert_eq!(page.status(), 200);
        assert_html_headers(&page);
        let html = page.text().await.unwrap();
        assert!(html.contains("id=\"embedded-project\""), "{html}");
        assert!(html.contains("Not licensed yet"), "{html}");
        assert!(
            html.contains("Ask a Procore company admin"),
            "a PM cannot license"
        );
        // Issue 20 item 13: the add-on is offered apart from its module, as in the wizard.
        assert!(html.contains("optional add-on Planner Board"), "{html}");
        assert!(!html.contains("Planner Board included"), "{html}");
        db.cleanup().await;
    })
    .await;
}

#[tokio::test]
async fn a_code_is_single_use_short_lived_and_bound_to_its_origin() {
    on_both(|db| async move {
        let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
        let code = popup_code(&app, ADMIN).await;
        assert_eq!(redeem(&app, &code, &app.base).await.status(), 200);
        let again = redeem(&app, &code, &app.base).await;
        assert_eq!(again.status(), 400);
        let body: serde_json::Value = again.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("already used"));

        let user = UserId(7_100_000_001);
        let late = app
            .services
            .db
            .issue_sign_in_code(user, SUMMIT, &app.base, server::db::now() - 61)
            .await
            .unwrap();
        let refused = redeem(&app, &late, &app.base).await;
        assert_eq!(refused.status(), 400);
        let body: serde_json::Value = refused.json().await.unwrap();
        assert!(body["error"].as_str().unwrap().contains("expired"));

        let elsewhere = app
            .services
            .db
            .issue_sign_in_code(user, SUMMIT, "https://evil.example", server::db::now())
            .await
            .unwrap();
        let refused = redeem(&app, &elsewhere, &app.base).await;
        assert_eq!(refused.status(), 403);
        assert!(session_cookie_absent(&refused));
        let unknown = redeem(&app, "not-a-code", &app.base).await;
        assert_eq!(unknown.status(), 400);
        db.cleanup().await;
    })
    .await;
}

fn session_cookie_absent(response: &reqwest::Response) -> bool {
    !response
        .headers()
        .get_all("set-cookie")
        .iter()
        .any(|v| v.to_str().unwrap().starts_with("pc_session="))
}

#[tokio::test]
async fn a_cross_site_post_is_refused_with_a_clear_403() {
    let app = spawn_app(&[]).await;
    let code = popup_code(&app, ADMIN).await;
    let forged = frame()
        .post(format!("{}/embedded/session", app.base))
        .header("origin", "https://evil.example")
        .header("sec-fetch-site", "cross-site")
        .json(&serde_json::json!({ "code": code }))
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 403);
    assert!(forged
        .text()
        .await
        .unwrap()
        .contains("did not come from Project Central"));
    // The refused request never reached the code: it still works from our own pages.
    assert_eq!(redeem(&app, &code, &app.base).await.status(), 200);
    let server_fn = frame()
        .post(format!("{}/api/switch_company", app.base))
        .header("origin", "https://app.procore.com")
        .form(&[("company_id", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(server_fn.status(), 403);
}

#[tokio::test]
async fn url_ids_the_user_may_not_see_are_refused() {
    on_both(|db| async move {
        let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
        let code = popup_code(&app, PM).await;
        let redeemed = redeem(&app, &code, &app.base).await;
        let (cookie, _) = session_cookie(&redeemed);

        // Harbor Point: the PM is no member.
        let other_company = frame_get(&app, &cookie, &format!("/embedded/{HARBOR}/1")).await;
        assert_eq!(other_company.status(), 403);
        assert_html_headers(&other_company);
        let html = other_company.text().await.unwrap();
        assert!(
            html.contains("not a member of this Procore company"),
            "{html}"
        );

        // A Summit project that is not one of the PM's twelve, and one that does not exist.
        let admin = app.second_browser();
        admin.sign_in(ADMIN.0, ADMIN.1).await;
        app.sign_in(PM.0, PM.1).await;
        let mine: ProjectPage = app
            .call("list_projects", &[("search", ""), ("page", "1")])
            .await
            .json()
            .await
            .unwrap();
        let all: ProjectPage = admin
            .call("list_projects", &[("search", ""), ("page", "1")])
            .await
            .json()
            .await
            .unwrap();
        let hidden = all
            .projects
            .iter()
            .map(|r| r.id)
            .find(|id| !mine.projects.iter().any(|m| m.id == *id))
            .expect("a project the PM does not see");
        for project in [hidden.get(), 999_999_999] {
            let page = frame_get(&app, &cookie, &format!("/embedded/{SUMMIT}/{project}")).await;
            assert_eq!(page.status(), 404, "{project}");
            let html = page.text().await.unwrap();
            assert!(html.contains("not visible to you"), "{html}");
        }
        db.cleanup().await;
    })
    .await;
}

/// Item 11: ids that are not plain positive numbers are a plain 404, signed in or not.
#[tokio::test]
async fn malformed_ids_in_the_frame_address_are_a_plain_404() {
    let app = spawn_app(&[]).await;
    let code = popup_code(&app, PM).await;
    let (cookie, _) = session_cookie(&redeem(&app, &code, &app.base).await);
    let mut failures = Vec::new();
    for (company, project) in [
        ("abc", "1"),
        ("5600000001", "x"),
        ("5600000001", "1.5"),
        ("5600000001.0", "1"),
        ("%205600000001", "1"),
        ("5600000001", "1%20"),
        ("5600000001", "99999999999999999999"),
        ("5600000001", "-3"),
        ("0", "1"),
    ] {
        let path = format!("/embedded/{company}/{project}?app=planner");
        for signed_in in [true, false] {
            let cookie = if signed_in { cookie.as_str() } else { "" };
            let page = frame_get(&app, cookie, &path).await;
            let status = page.status().as_u16();
            assert_html_headers(&page);
            let body = page.text().await.unwrap();
            if let Err(problem) = crate::access::plain_not_found(status, &body) {
                failures.push(format!("{path} (signed in: {signed_in}): {problem}"));
            }
            if body.contains("embedded-sign-in") || body.contains("Loading Smartapp") {
                failures.push(format!("{path}: shows the embedded view's frame"));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Issue 20 item 23: opening another company's embedded view (a GET, e.g. a link from
/// another site) shows that company's project for that request and leaves the top-level
/// session's company as it was.
#[tokio::test]
async fn an_embedded_get_never_switches_the_sessions_company() {
    let app = spawn_app(&[]).await;
    app.sign_in(ADMIN.0, ADMIN.1).await;
    let switched = app
        .call("switch_company", &[("company_id", &SUMMIT.to_string())])
        .await;
    assert_eq!(switched.status(), 200);
    let other = app.second_browser();
    other.sign_in(ADMIN.0, ADMIN.1).await;
    other
        .call("switch_company", &[("company_id", &HARBOR.to_string())])
        .await;
    let harbor_project = visible_project(&other).await;
    let page = app
        .http
        .get(format!("{}/embedded/{HARBOR}/{harbor_project}", app.base))
        .header("sec-fetch-site", "cross-site")
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("id=\"embedded-project\""), "{html}");
    let viewer: app::account::Viewer = app
        .call("get_viewer", &[])
        .await
        .json::<Option<app::account::Viewer>>()
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        viewer.company_id, SUMMIT,
        "the session's company is unchanged"
    );
    let projects: ProjectPage = app
        .call("list_projects", &[("search", ""), ("page", "1")])
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        projects.total, 2_375,
        "Project Central still lists Summit Ridge"
    );
}
