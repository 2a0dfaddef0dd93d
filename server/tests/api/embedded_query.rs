//! Issue 21: the embedded view's address as the manifests give it to Procore — ids in the
//! query (`/embedded?company_id=&project_id=&app=`), the company-level page when Procore
//! leaves the project empty, and the side panel (`/embedded/panel`, whose status endpoint
//! checks the ids Procore's `setup` named for this user) — on SQLite and PostgreSQL.

use crate::helpers::app::{spawn_app, TestApp};
use crate::helpers::demo::{HARBOR, PM, SUMMIT};
use crate::helpers::TestDb;
use crate::subscriptions::{checkout, choice, harbor_admin, harbor_ids};

async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let r = app
        .http
        .get(format!("{}{path}", app.base))
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn the_query_form_is_the_path_forms_view(db: TestDb) {
    let app = spawn_app(&[("DATABASE_URL", &db.url)]).await;
    app.sign_in(PM.0, PM.1).await;
    let mine = crate::embedded::visible_project(&app).await;
    let (status, html) = get(
        &app,
        &format!("/embedded?company_id={SUMMIT}&project_id={mine}&app=planner"),
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"embedded-project\""), "{html}");
    assert!(html.contains("Not licensed yet"), "{html}");

    // Another company, and a project the PM does not see: refused as in the path form.
    let (status, html) = get(&app, &format!("/embedded?company_id={HARBOR}&project_id=1")).await;
    assert_eq!(status, 403, "{html}");
    assert!(
        html.contains("not a member of this Procore company"),
        "{html}"
    );
    let (status, html) = get(
        &app,
        &format!("/embedded?company_id={SUMMIT}&project_id=999999999"),
    )
    .await;
    assert_eq!(status, 404, "{html}");
    assert!(html.contains("not visible to you"), "{html}");

    // Company level, nothing licensed in Summit Ridge: the page says so, no project listed.
    let (status, html) = get(
        &app,
        &format!("/embedded?company_id={SUMMIT}&project_id=&app=planner"),
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"embedded-company\""), "{html}");
    assert!(html.contains("id=\"embedded-company-empty\""), "{html}");
    assert!(!html.contains("embedded-company-project\""), "{html}");
    let (status, _) = get(&app, &format!("/embedded?company_id={HARBOR}&project_id=")).await;
    assert_eq!(status, 403, "a company the PM is not a member of");
    db.cleanup().await;
}

#[tokio::test]
async fn the_query_form_serves_the_same_view_and_refuses_the_same_ids() {
    crate::helpers::on_both(the_query_form_is_the_path_forms_view).await;
}

/// Ids that are not one plain positive number each: the plain 404, signed in or not.
#[tokio::test]
async fn malformed_query_ids_are_a_plain_404() {
    let app = spawn_app(&[]).await;
    let mut failures = Vec::new();
    let queries = [
        "".to_string(),
        "?project_id=1".into(),
        "?company_id=abc&project_id=1".into(),
        format!("?company_id={SUMMIT}&project_id=x"),
        format!("?company_id={SUMMIT}&project_id=-3"),
        format!("?company_id={SUMMIT}&company_id={HARBOR}&project_id=1"),
        format!("?company_id={SUMMIT}&project_id=1&project_id=2"),
        format!("?company_id={SUMMIT}.0"),
        "?company_id=99999999999999999999".into(),
    ];
    for signed_in in [false, true] {
        if signed_in {
            app.sign_in(PM.0, PM.1).await;
        }
        for query in &queries {
            let (status, body) = get(&app, &format!("/embedded{query}")).await;
            if let Err(problem) = crate::access::plain_not_found(status, &body) {
                failures.push(format!(
                    "/embedded{query} (signed in: {signed_in}): {problem}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

async fn the_company_page_lists_licensed_projects(db: TestDb) {
    let app = harbor_admin(&db).await;
    let ids = harbor_ids(&app).await;
    checkout(&app, vec![choice(ids[0], true, false, false)], "monthly").await;
    let (status, html) = get(
        &app,
        &format!("/embedded?company_id={HARBOR}&project_id=&app=planner"),
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"embedded-company-projects\""), "{html}");
    let link = format!(
        "/embedded?company_id={HARBOR}&amp;project_id={}&amp;app=planner",
        ids[0]
    );
    assert!(html.contains(&link), "{link} in {html}");
    assert_eq!(
        html.matches("class=\"embedded-company-project\"").count(),
        1,
        "only the licensed project: {html}"
    );
    // The side panel's status for that project, as Procore's setup names it.
    let (status, html) = get(
        &app,
        &format!(
            "/embedded/panel-status?company_id={HARBOR}&project_id={}&app=planner",
            ids[0]
        ),
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"embedded-project\""), "{html}");
    assert!(html.contains("Planner"), "{html}");
    db.cleanup().await;
}

#[tokio::test]
async fn the_company_level_page_lists_the_licensed_projects_and_the_panel_shows_one() {
    crate::helpers::on_both(the_company_page_lists_licensed_projects).await;
}

/// The side panel's status endpoint checks the ids Procore's `setup` named: signed out it
/// offers the popup sign-in, another company is refused, missing ids are a 404; the panel
/// page accepts messages from the configured Procore origins only (no wildcard).
#[tokio::test]
async fn the_panel_checks_the_ids_it_is_given() {
    let app = spawn_app(&[]).await;
    let (status, html) = get(&app, "/embedded/panel?app=planner").await;
    assert_eq!(status, 200, "{html}");
    let origins = html
        .split("data-origins=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .expect("data-origins")
        .replace("&quot;", "\"");
    let origins: Vec<String> = serde_json::from_str(&origins).unwrap();
    assert!(
        origins.contains(&"https://app.procore.com".to_string()),
        "{origins:?}"
    );
    assert!(origins.iter().all(|o| !o.contains('*')), "{origins:?}");

    let (status, html) = get(
        &app,
        &format!("/embedded/panel-status?company_id={SUMMIT}&project_id=1&app=planner"),
    )
    .await;
    assert_eq!(status, 200);
    assert!(html.contains("id=\"embedded-sign-in-button\""), "{html}");

    app.sign_in(PM.0, PM.1).await;
    let mine = crate::embedded::visible_project(&app).await;
    let (status, html) = get(
        &app,
        &format!("/embedded/panel-status?company_id={SUMMIT}&project_id={mine}&app=planner"),
    )
    .await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("id=\"embedded-project\""), "{html}");
    let (status, html) = get(
        &app,
        &format!("/embedded/panel-status?company_id={HARBOR}&project_id={mine}"),
    )
    .await;
    assert_eq!(status, 403, "{html}");
    assert!(html.contains("id=\"embedded-refused\""), "{html}");
    for query in [
        "",
        "?company_id=abc&project_id=1",
        &format!("?company_id={SUMMIT}"),
    ] {
        let (status, _) = get(&app, &format!("/embedded/panel-status{query}")).await;
        assert_eq!(status, 404, "{query}");
    }
}
