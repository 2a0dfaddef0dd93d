//! Issue 20, item 16: a value Procore cannot hold is refused at entry. A person's Company is
//! one of the project's companies in Procore, a role one of the company's role catalogue
//! (kept by the Roles run) and its holder one of the project's people; the directory page
//! carries these lists for the form.

use std::time::Duration;

use serde_json::{json, Value};

use super::*;

async fn directory(l: &Licensed, project: i64, resource: &str) -> Value {
    l.app
        .call(
            "directory_entries",
            &[
                ("project", &project.to_string()),
                ("resource", resource),
                ("search", ""),
                ("page", "1"),
            ],
        )
        .await
        .json()
        .await
        .unwrap()
}

async fn refused_at_entry(db: TestDb) {
    let l = licensed(&db).await;
    let p = l.project;
    // Before any sync nothing is linked: no company can be chosen yet.
    let before = directory(&l, p, "users").await;
    assert_eq!(before["choices"]["companies"], json!([]), "{before}");
    let early = add_entry(&l, p, "users", json!({"email_address": "early@harbor.example", "last_name": "Early", "company": "Anything Ltd"})).await;
    assert_eq!(early.status(), 422);
    assert!(early.text().await.unwrap().contains("Project Team"));

    settings(&l, p, &all("both")).await;
    let jobs = replica(&l, &db.url, quick(), Duration::from_secs(10)).await;
    let handle = jobs.start();
    for resource in ["companies", "users", "roles"] {
        let run = sync_now(&l, p, resource).await;
        assert_eq!(run["state"], "succeeded", "{resource}: {run}");
    }

    // The lists equal Procore's: the project's vendors and the company's role catalogue.
    let page = directory(&l, p, "users").await;
    let mut vendors: Vec<String> = procore_list(&l, &format!("/rest/v1.0/projects/{p}/vendors"))
        .await
        .iter()
        .map(|v| v["name"].as_str().unwrap().to_string())
        .collect();
    vendors.sort();
    let mut offered: Vec<String> =
        serde_json::from_value(page["choices"]["companies"].clone()).unwrap();
    offered.sort();
    assert_eq!(offered, vendors);
    let catalogue: Vec<String> =
        procore_list(&l, &format!("/rest/v1.0/companies/{}/roles", HARBOR.get()))
            .await
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_string())
            .collect();
    let mut roles: Vec<String> = serde_json::from_value(page["choices"]["roles"].clone()).unwrap();
    roles.sort();
    let mut catalogue_sorted = catalogue.clone();
    catalogue_sorted.sort();
    assert_eq!(roles, catalogue_sorted);

    // A company that is not one of the project's: 422 naming the choice, nothing stored.
    let stranger = add_entry(&l, p, "users", json!({"email_address": "new.one@harbor.example", "last_name": "One", "company": "Not A Vendor Inc"})).await;
    assert_eq!(stranger.status(), 422);
    let words = stranger.text().await.unwrap();
    assert!(words.contains("Not A Vendor Inc"), "{words}");
    assert!(
        entries(&l, p, "users")
            .await
            .iter()
            .all(|e| e.0 != "new.one@harbor.example"),
        "nothing stored"
    );
    // A listed one, typed in other case: stored with the list's spelling, and Procore gets it.
    let listed = &vendors[0];
    let ok = add_entry(&l, p, "users", json!({"email_address": "new.one@harbor.example", "last_name": "One", "company": listed.to_uppercase()})).await;
    assert_eq!(ok.status(), 200, "{}", ok.text().await.unwrap());
    let saved: Value = ok.json().await.unwrap();
    assert_eq!(saved["fields"]["company"], json!(listed));
    let run = sync_now(&l, p, "users").await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let theirs = procore_list(&l, &format!("/rest/v1.0/projects/{p}/users"))
        .await
        .into_iter()
        .find(|u| {
            u["email_address"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("new.one@harbor.example")
        })
        .expect("created in Procore");
    assert_eq!(theirs["vendor"]["name"], json!(listed), "{theirs}");
    // The next pull keeps the company.
    let run = sync_now(&l, p, "users").await;
    assert_eq!(run["state"], "succeeded", "{run}");
    let ours = entries(&l, p, "users").await;
    let kept = ours
        .iter()
        .find(|e| e.0 == "new.one@harbor.example")
        .unwrap();
    assert_eq!(kept.1["company"], json!(listed));

    // A free-text role is refused; a catalogue role for a project person is accepted; a
    // person who is not on the project cannot be given a role.
    let free = add_entry(
        &l,
        p,
        "roles",
        json!({"role": "Chief Vibes Officer", "email_address": "new.one@harbor.example"}),
    )
    .await;
    assert_eq!(free.status(), 422);
    assert!(free
        .text()
        .await
        .unwrap()
        .contains("not a role of this company"));
    let outsider = add_entry(
        &l,
        p,
        "roles",
        json!({"role": catalogue[0], "email_address": "nobody@harbor.example"}),
    )
    .await;
    assert_eq!(outsider.status(), 422);
    let good = add_entry(
        &l,
        p,
        "roles",
        json!({"role": catalogue[0].to_lowercase(), "email_address": "new.one@harbor.example"}),
    )
    .await;
    assert_eq!(good.status(), 200, "{}", good.text().await.unwrap());
    let good: Value = good.json().await.unwrap();
    assert_eq!(good["fields"]["role"], json!(catalogue[0]));
    let run = sync_now(&l, p, "roles").await;
    assert_eq!(run["state"], "succeeded", "{run}");
    handle.stop().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn values_procore_cannot_hold_are_refused_at_entry_sqlite_and_postgres() {
    on_both(refused_at_entry).await;
}
