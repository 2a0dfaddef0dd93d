//! The Procore web shell on its own origin: sign-in, company home, project pages framing
//! the installed apps, the Marketplace and App Management (procore-api.md §8–9, §11.7).

mod common;

use common::*;
use sandbox::{start_procore, MarketplaceApp, OAuthClient, ProcoreOptions, ProcoreSandbox};

const P1: i64 = 562_000_000_001;

/// Signs in on the shell; returns the `Cookie` header value.
async fn shell_sign_in(sb: &ProcoreSandbox, user: (&str, &str)) -> String {
    let res = http()
        .post(format!("{}/login", sb.web_base_url()))
        .form(&[("login", user.0), ("password", user.1), ("return_to", "/")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    let set = res.headers()["set-cookie"].to_str().unwrap().to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax"),
        "{set}"
    );
    set.split(';').next().unwrap().to_owned()
}

async fn page(sb: &ProcoreSandbox, cookie: &str, path: &str) -> (u16, String) {
    let res = http()
        .get(format!("{}{path}", sb.web_base_url()))
        .header("cookie", cookie)
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn post(
    sb: &ProcoreSandbox,
    cookie: &str,
    path: &str,
    form: &[(&str, &str)],
) -> reqwest::Response {
    http()
        .post(format!("{}{path}", sb.web_base_url()))
        .header("cookie", cookie)
        .form(form)
        .send()
        .await
        .unwrap()
}

/// The CSRF token of the first form on a page.
fn csrf(html: &str) -> String {
    let at = html
        .find("name=\"authenticity_token\" value=\"")
        .expect("a CSRF field")
        + 33;
    html[at..at + 64].to_owned()
}

#[tokio::test]
async fn shell_is_another_origin_and_needs_a_sign_in() {
    let sb = start().await;
    let web = sb.web_base_url();
    assert!(web.starts_with("http://localhost:"), "{web}");
    assert_ne!(web, sb.login_base_url());
    let res = http()
        .get(format!("{web}/companies/{SUMMIT}"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 303);
    assert!(res.headers()["location"]
        .to_str()
        .unwrap()
        .starts_with("/login?return_to="));
    let (status, html) = page(&sb, "", "/login").await;
    assert_eq!(status, 200);
    assert!(html.contains("<html lang=\"en\">") && html.contains("<label for=\"password\">"));
    let res = http()
        .post(format!("{web}/login"))
        .form(&[("login", ADMIN.0), ("password", "wrong")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn company_home_and_project_pages_frame_the_installed_apps() {
    let sb = start().await;
    let cookie = shell_sign_in(&sb, ADMIN).await;
    let (status, html) = page(&sb, &cookie, &format!("/companies/{SUMMIT}")).await;
    assert_eq!(status, 200);
    assert!(html.contains("<summary>Apps</summary>"));
    assert!(html.contains("Smartapp Planner") && html.contains("Smartapp Safety"));
    assert!(html.contains(&format!("/companies/{SUMMIT}/projects/{P1}")));

    let (status, html) = page(&sb, &cookie, &format!("/companies/{SUMMIT}/projects/{P1}")).await;
    assert_eq!(status, 200);
    let tool = format!("/companies/{SUMMIT}/projects/{P1}/tools/apps/safety");
    assert!(html.contains(&format!("href=\"{tool}\"")));

    let (status, html) = page(&sb, &cookie, &tool).await;
    assert_eq!(status, 200);
    // The manifest's Full Screen URL, ids in the query.
    let src = format!(
        "src=\"http://127.0.0.1:3000/embedded?company_id={SUMMIT}&amp;project_id={P1}&amp;app=safety\""
    );
    assert!(html.contains(&src), "{html}");
    assert!(
        html.contains("title=\"Smartapp Safety\"") && html.contains("allow=\"storage-access\"")
    );
    assert!(html.contains("width:100%"));
    // The side panel frames the manifest's side-panel URL and speaks Procore's half.
    let (_, side) = page(&sb, &cookie, &format!("{tool}?panel=side")).await;
    assert!(
        side.contains("src=\"http://127.0.0.1:3000/embedded/panel?app=safety\"")
            && side.contains("width:400px"),
        "{side}"
    );
    for part in [
        "type:'setup'",
        "sidepanel:app:hidden",
        "sidepanel:app:visible",
        "sidepanel:app:destroy",
        "\"http://127.0.0.1:3000\"",
        &format!("\"project_id\":\"{P1}\""),
        "\"view\":\"observations.list\"",
    ] {
        assert!(side.contains(part), "{part} in {side}");
    }
    let (status, docked) = page(
        &sb,
        &cookie,
        &format!("/companies/{SUMMIT}/projects/{P1}?panel=side&app=planner"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(docked.contains("src=\"http://127.0.0.1:3000/embedded/panel?app=planner\""));
    // Full Screen at company level: the project id is empty, as Procore leaves it.
    let (status, company) = page(
        &sb,
        &cookie,
        &format!("/companies/{SUMMIT}/tools/apps/planner"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(
        company.contains(&format!(
            "src=\"http://127.0.0.1:3000/embedded?company_id={SUMMIT}&amp;project_id=&amp;app=planner\""
        )),
        "{company}"
    );
    let (_, home) = page(&sb, &cookie, &format!("/companies/{SUMMIT}")).await;
    assert!(home.contains(&format!("href=\"/companies/{SUMMIT}/tools/apps/planner\"")));

    // Uninstalled: gone from the Apps menu, the tool page is a 404.
    sb.uninstall_app("safety", SUMMIT);
    let (_, html) = page(&sb, &cookie, &format!("/companies/{SUMMIT}/projects/{P1}")).await;
    assert!(!html.contains(&format!("href=\"{tool}\"")));
    assert_eq!(page(&sb, &cookie, &tool).await.0, 404);

    // The PM cannot open a project they are not assigned to, nor App Management.
    let pm = shell_sign_in(&sb, PM).await;
    let hidden = format!("/companies/{SUMMIT}/projects/562000000008/tools/apps/planner");
    assert_eq!(page(&sb, &pm, &hidden).await.0, 404);
    assert_eq!(
        page(&sb, &pm, &format!("/companies/{SUMMIT}/admin/apps"))
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn iframe_src_interpolates_names_uri_encoded_and_html_escaped() {
    let client = |id: &str| OAuthClient {
        client_id: id.into(),
        client_secret: format!("{id}-secret"),
        redirect_uris: vec![REDIRECT.into()],
    };
    let mut opts = ProcoreOptions::default();
    let mut planner = MarketplaceApp::planner("http://127.0.0.1:3000", client("p"));
    planner.fullscreen_url = "http://127.0.0.1:3000/e/{{procore.company.id}}/{{procore.project.id}}?c={{procore.company.name}}&p={{procore.project.name}}".into();
    opts.apps = vec![
        planner,
        MarketplaceApp::safety("http://127.0.0.1:3000", client("s")),
    ];
    let sb = start_procore(opts, None).await.unwrap();
    let cookie = shell_sign_in(&sb, ADMIN).await;
    let (status, html) = page(
        &sb,
        &cookie,
        &format!("/companies/{SUMMIT}/projects/{P1}/tools/apps/planner"),
    )
    .await;
    assert_eq!(status, 200);
    let src = format!(
        "src=\"http://127.0.0.1:3000/e/{SUMMIT}/{P1}?c=Summit%20Ridge%20Builders&amp;p=Riverside%20Medical%20Office%20Building\""
    );
    assert!(html.contains(&src), "{html}");
}

#[tokio::test]
async fn marketplace_install_needs_the_csrf_token_and_an_admin() {
    let sb = start().await;
    sb.uninstall_app("safety", HARBOR);
    let cookie = shell_sign_in(&sb, ADMIN).await;
    let (status, html) = page(&sb, &cookie, "/marketplace").await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Smartapp Planner")
            && html.contains("Install Smartapp Safety in Harbor Point Construction")
    );
    let token = csrf(&html);
    let harbor = HARBOR.to_string();

    let res = post(
        &sb,
        &cookie,
        "/marketplace/safety/install",
        &[("company_id", &harbor)],
    )
    .await;
    assert_eq!(res.status(), 403, "no token");
    let res = post(
        &sb,
        &cookie,
        "/marketplace/safety/install",
        &[
            ("company_id", &harbor),
            ("authenticity_token", &"0".repeat(64)),
        ],
    )
    .await;
    assert_eq!(res.status(), 403, "wrong token");
    assert!(!sb.is_app_installed("safety", HARBOR));

    // Another user's valid token is not this session's.
    sb.uninstall_app("safety", SUMMIT);
    let pm = shell_sign_in(&sb, PM).await;
    let (_, pm_html) = page(&sb, &pm, "/marketplace").await;
    assert!(pm_html.contains("Only a company admin can install apps."));
    let res = post(
        &sb,
        &cookie,
        "/marketplace/safety/install",
        &[
            ("company_id", &harbor),
            ("authenticity_token", &csrf(&pm_html)),
        ],
    )
    .await;
    assert_eq!(res.status(), 403);
    // …and the PM, with their own token, is not an admin of Summit.
    let res = post(
        &sb,
        &pm,
        "/marketplace/safety/install",
        &[
            ("company_id", &SUMMIT.to_string()),
            ("authenticity_token", &csrf(&pm_html)),
        ],
    )
    .await;
    assert_eq!(res.status(), 403);
    assert!(!sb.is_app_installed("safety", SUMMIT));

    let res = post(
        &sb,
        &cookie,
        "/marketplace/safety/install",
        &[("company_id", &harbor), ("authenticity_token", &token)],
    )
    .await;
    assert_eq!(res.status(), 303);
    let to = res.headers()["location"].to_str().unwrap().to_owned();
    assert_eq!(
        to,
        format!("/marketplace/safety/installed?company_id={HARBOR}")
    );
    assert!(sb.is_app_installed("safety", HARBOR));
    let (status, html) = page(&sb, &cookie, &to).await;
    assert_eq!(status, 200);
    assert!(html.contains("Post-installation notes") && html.contains("App Setup Instructions"));
    assert!(html.contains("<a href=\"http://127.0.0.1:3000/setup/safety\" target=\"_blank\" rel=\"noopener\">App Setup Instructions</a>"));
    // The notes shown are the manifest's, word for word (HTML-escaped).
    let manifest = sandbox::manifest::Manifest::parse(sandbox::manifest::SAFETY_JSON).unwrap();
    let notes = manifest
        .post_installation_instruction
        .notes
        .replace('&', "&amp;")
        .replace('>', "&gt;")
        .replace('<', "&lt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;");
    assert!(html.contains(&notes), "{html}");

    // The API follows: Avery is the installer now.
    let admin = access_token(&sb, ADMIN).await;
    let list: serde_json::Value = get(
        &sb,
        &format!("/rest/v1.0/app_installations?company_id={HARBOR}"),
        &admin,
        Some(&harbor),
    )
    .await
    .json()
    .await
    .unwrap();
    assert_eq!(list[1]["status"], "installed");
    assert_eq!(list[1]["installer"]["name"], "Avery Admin");
}

#[tokio::test]
async fn app_management_configures_and_uninstalls() {
    let sb = start().await;
    let cookie = shell_sign_in(&sb, SOLO).await;
    let admin_page = format!("/companies/{HARBOR}/admin/apps");
    let (status, html) = page(&sb, &cookie, &admin_page).await;
    assert_eq!(status, 200);
    assert!(
        html.contains("Project Central data connection"),
        "the seeded configuration"
    );
    assert!(html.contains("href=\"http://127.0.0.1:3000/setup/planner\" target=\"_blank\""));
    let token = csrf(&html);
    let base = format!("{admin_page}/safety");

    let res = post(
        &sb,
        &cookie,
        &format!("{base}/configurations"),
        &[
            ("title", "Safety pilot"),
            ("project_id_list", "563000000001"),
        ],
    )
    .await;
    assert_eq!(res.status(), 403, "no token");
    let res = post(
        &sb,
        &cookie,
        &format!("{base}/configurations"),
        &[
            ("authenticity_token", &token),
            ("title", "Safety pilot"),
            ("project_ids", "563000000001"),
            ("project_id_list", "563000000012"),
        ],
    )
    .await;
    assert_eq!(res.status(), 303);
    let res = post(
        &sb,
        &cookie,
        &format!("{base}/configurations"),
        &[
            ("authenticity_token", &token),
            ("title", "Bad"),
            ("project_id_list", &P1.to_string()),
        ],
    )
    .await;
    assert_eq!(res.status(), 422, "a Summit project in Harbor");

    let solo = access_token(&sb, SOLO).await;
    let harbor = HARBOR.to_string();
    let configs: serde_json::Value = get(
        &sb,
        &format!(
            "/rest/v1.0/companies/{HARBOR}/app_configurations?filters[project_id]=563000000012"
        ),
        &solo,
        Some(&harbor),
    )
    .await
    .json()
    .await
    .unwrap();
    let pilot = configs
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["title"] == "Safety pilot")
        .expect("created in the shell");
    assert_eq!(
        pilot["project_ids"],
        serde_json::json!([563_000_000_001i64, 563_000_000_012i64])
    );

    let res = post(
        &sb,
        &cookie,
        &format!("{base}/uninstall"),
        &[("authenticity_token", &token)],
    )
    .await;
    assert_eq!(res.status(), 303);
    assert!(!sb.is_app_installed("safety", HARBOR));
    let (_, html) = page(&sb, &cookie, &admin_page).await;
    assert!(html.contains("Reinstall from the Marketplace"));
    assert!(
        sb.is_app_installed("planner", HARBOR),
        "the other app stays"
    );
}
