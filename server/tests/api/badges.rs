//! Issue 21, Safety badges: a Safety project with the Safety Badge add-on lists its synced
//! users (from our database) and downloads one PDF with a badge per person; without the
//! add-on the page says what it would give and the PDF is a 403 page; another company's
//! project or an unknown id is a 404. On SQLite and PostgreSQL, against the sandbox.

use std::time::Duration;

use serde_json::{json, Value};

use crate::helpers::TestDb;
use crate::sync::{all, licensed, on_both, post, quick, replica, settings, sync_now};

/// The synced users of `project` as our database keeps them: (name, email).
async fn synced_users(db: &TestDb, project: i64) -> Vec<(String, String)> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT label, fields FROM directory_entries WHERE project_id = $1 AND resource = 'users' AND deleted_at IS NULL",
    )
    .bind(project)
    .fetch_all(db.db.pool())
    .await
    .unwrap();
    rows.into_iter()
        .map(|(label, fields)| {
            let fields: Value = serde_json::from_str(&fields).unwrap();
            (label, fields["email_address"].as_str().unwrap().to_string())
        })
        .collect()
}

async fn badges(l: &crate::sync::Licensed, project: i64) -> Value {
    let r = l
        .app
        .call("safety_badges", &[("project", &project.to_string())])
        .await;
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    r.json().await.unwrap()
}

async fn download(l: &crate::sync::Licensed, project: i64) -> reqwest::Response {
    l.app
        .get(&format!("/projects/{project}/badges/download.pdf"))
        .await
}

async fn badges_flow(db: TestDb) {
    let l = licensed(&db).await;
    // `other` has Planner and Safety, without the Safety Badge add-on.
    let p = l.other;
    settings(&l, p, &all("from_procore")).await;
    let jobs = replica(&l, &db.url, quick(), Duration::from_secs(10)).await;
    let handle = jobs.start();
    assert_eq!(sync_now(&l, p, "users").await["state"], "succeeded");
    assert_eq!(sync_now(&l, p, "roles").await["state"], "succeeded");
    handle.stop().await;
    let people = synced_users(&db, p).await;
    assert!(!people.is_empty(), "the sandbox project has users");

    // Without the add-on: what it would give, no list, and the PDF is refused.
    let without = badges(&l, p).await;
    assert_eq!(without["eligible"], false, "{without}");
    assert_eq!(without["safety"], true);
    assert_eq!(without["people"].as_array().unwrap().len(), 0);
    let refused = download(&l, p).await;
    assert_eq!(refused.status(), 403);
    let page = refused.text().await.unwrap();
    assert!(page.contains("Safety Badge add-on"), "{page}");
    assert!(page.contains("<h1>"), "a page, not a bare message: {page}");
    let html = l.app.get(&format!("/projects/{p}/badges")).await;
    assert_eq!(html.status(), 200);
    let html = html.text().await.unwrap();
    assert!(html.contains("safety-badge-missing"), "{html}");
    // A project without Safety: 403 as well, saying so.
    let no_safety = download(&l, l.project).await;
    assert_eq!(no_safety.status(), 403);
    assert!(no_safety
        .text()
        .await
        .unwrap()
        .contains("does not have Safety"));

    // Add the add-on under Manage Subscription.
    let add = json!({"project": p, "request": {"kind": "modules", "license": {"planner": true, "planner_board": false, "safety": true, "safety_badge": true}}});
    let changed = post(&l.app, "confirm_project_change", &add).await;
    assert_eq!(changed.status(), 200, "{}", changed.text().await.unwrap());

    let with = badges(&l, p).await;
    assert_eq!(with["eligible"], true, "{with}");
    let listed = with["people"].as_array().unwrap();
    assert_eq!(listed.len(), people.len());
    for (name, _) in &people {
        assert!(
            listed.iter().any(|b| b["name"] == name.as_str()),
            "{name} listed: {with}"
        );
    }
    let numbers: std::collections::BTreeSet<&str> = listed
        .iter()
        .map(|b| b["number"].as_str().unwrap())
        .collect();
    assert_eq!(numbers.len(), listed.len(), "one number per person");
    let again = badges(&l, p).await;
    assert_eq!(again["people"], with["people"], "numbers are stable");
    let html = l
        .app
        .get(&format!("/projects/{p}/badges"))
        .await
        .text()
        .await
        .unwrap();
    assert!(html.contains("Download badges (PDF)"), "{html}");

    let pdf = download(&l, p).await;
    assert_eq!(pdf.status(), 200);
    assert_eq!(
        pdf.headers()["content-type"].to_str().unwrap(),
        "application/pdf"
    );
    let bytes = pdf.bytes().await.unwrap();
    assert!(bytes.starts_with(b"%PDF-"));
    let doc = lopdf::Document::load_mem(&bytes).expect("a PDF lopdf reads");
    let pages = doc.get_pages();
    assert_eq!(pages.len(), people.len().div_ceil(8));
    let numbers_of_pages: Vec<u32> = pages.keys().copied().collect();
    let text = doc.extract_text(&numbers_of_pages).unwrap();
    for b in listed {
        let name = b["name"].as_str().unwrap();
        if name.is_ascii() {
            assert!(text.contains(name), "{name} in the PDF: {text}");
        }
        assert!(text.contains(b["number"].as_str().unwrap()), "{text}");
    }
    // Another company's (or an unknown) project is not found; a GET changes nothing.
    assert_eq!(download(&l, 42).await.status(), 404);
    assert_eq!(download(&l, 0).await.status(), 404);
    assert_eq!(
        l.app
            .call("safety_badges", &[("project", "42")])
            .await
            .status(),
        404
    );
    assert_eq!(synced_users(&db, p).await.len(), people.len());
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn safety_badges_list_and_pdf_sqlite_and_postgres() {
    on_both(badges_flow).await;
}
