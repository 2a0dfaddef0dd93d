//! Issue 20: a run stopped at the delete cap is reported on the settings and resource pages
//! with the names of what it would delete; an admin confirms them (the next run deletes
//! them, once past the cap) or keeps them (nothing deleted, no longer shown).

use std::time::Duration;

use serde_json::Value;

use super::*;

async fn remove_people(l: &Licensed, project: i64, keys: &[String]) {
    for key in keys {
        let id = entry_id(l, project, "users", key).await;
        let r = l
            .app
            .call(
                "remove_directory_entry",
                &[
                    ("project", &project.to_string()),
                    ("resource", "users"),
                    ("id", &id),
                ],
            )
            .await;
        assert_eq!(r.status(), 200);
    }
}

/// The held deletions of users as the settings page and the users page read them.
async fn held(l: &Licensed, project: i64) -> (Value, Value) {
    let overview: Value = l
        .app
        .call("sync_settings", &[("project", &project.to_string())])
        .await
        .json()
        .await
        .unwrap();
    let users = overview["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["resource"] == "users")
        .unwrap()["held"]
        .clone();
    let page: Value = l
        .app
        .call(
            "directory_entries",
            &[
                ("project", &project.to_string()),
                ("resource", "users"),
                ("search", ""),
                ("page", "1"),
            ],
        )
        .await
        .json()
        .await
        .unwrap();
    (users, page["sync"]["held"].clone())
}

fn names_of(people: &[(String, Value, bool)], keys: &[String]) -> Vec<String> {
    keys.iter()
        .map(|k| {
            let f = &people.iter().find(|p| &p.0 == k).unwrap().1;
            format!(
                "{} {}",
                f["first_name"].as_str().unwrap_or(""),
                f["last_name"].as_str().unwrap_or("")
            )
            .trim()
            .to_string()
        })
        .collect()
}

async fn a_stop_at_the_cap_is_shown_and_decided(db: TestDb) {
    let l = licensed(&db).await;
    let p = l.project;
    settings(&l, p, &all("both")).await;
    let config = SyncConfig {
        delete_cap: 2,
        ..quick()
    };
    let jobs = replica(&l, &db.url, config, Duration::from_secs(10)).await;
    let handle = jobs.start();
    assert_eq!(sync_now(&l, p, "users").await["state"], "succeeded");
    let people = entries(&l, p, "users").await;
    let leaving: Vec<String> = people[1..4].iter().map(|e| e.0.clone()).collect();
    let names = names_of(&people, &leaving);

    // Three removals here, a cap of two: the run stops and both pages name the three.
    remove_people(&l, p, &leaving).await;
    let stopped = sync_now(&l, p, "users").await;
    assert_eq!(stopped["state"], "stopped", "{stopped}");
    let (on_settings, on_page) = held(&l, p).await;
    assert_eq!(on_settings, on_page);
    assert_eq!(on_settings["count"], 3, "{on_settings}");
    assert_eq!(on_settings["in_procore"], 3);
    assert_eq!(on_settings["run"], stopped["id"]);
    let mut shown: Vec<String> = on_settings["names"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_str().unwrap().to_string())
        .collect();
    shown.sort();
    let mut expected = names.clone();
    expected.sort();
    assert_eq!(shown, expected);
    let log = log_lines(&l, p, stopped["id"].as_str().unwrap()).await;
    for name in &names {
        assert!(
            log.iter()
                .any(|(_, r, m)| r == name && m.starts_with("Not deleted in Procore")),
            "{name} in the log: {log:?}"
        );
    }
    // A non-existent run or another resource's: 404; nothing changes.
    let wrong = l
        .app
        .call(
            "confirm_held_deletions",
            &[
                ("project", &p.to_string()),
                ("resource", "locations"),
                ("run", stopped["id"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(wrong.status(), 404);

    // Confirm: the next run (queued at once) deletes them past the cap.
    let confirmed = l
        .app
        .call(
            "confirm_held_deletions",
            &[
                ("project", &p.to_string()),
                ("resource", "users"),
                ("run", stopped["id"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(
        confirmed.status(),
        200,
        "{}",
        confirmed.text().await.unwrap()
    );
    let queued: Value = confirmed.json().await.unwrap();
    let done = wait_closed(&l, p, queued["id"].as_str().unwrap()).await;
    assert_eq!(done["state"], "succeeded", "{done}");
    assert_eq!(done["deleted"], 3, "{done}");
    let there = procore_emails(&l, p).await;
    assert!(leaving.iter().all(|k| !there.contains(k)), "{there:?}");
    assert_eq!(held(&l, p).await.0, Value::Null);

    // Once: three more removals stop again (the confirmation was for that one run).
    let people = entries(&l, p, "users").await;
    let staying: Vec<String> = people[1..4].iter().map(|e| e.0.clone()).collect();
    remove_people(&l, p, &staying).await;
    let again = sync_now(&l, p, "users").await;
    assert_eq!(again["state"], "stopped", "{again}");
    assert_eq!(held(&l, p).await.0["count"], 3);

    // Keep: nothing is deleted, the stop is no longer shown, and the next run does not stop.
    let kept = l
        .app
        .call(
            "keep_held_deletions",
            &[
                ("project", &p.to_string()),
                ("resource", "users"),
                ("run", again["id"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(kept.status(), 200, "{}", kept.text().await.unwrap());
    let status: Value = kept.json().await.unwrap();
    assert_eq!(status["held"], Value::Null, "{status}");
    assert_eq!(held(&l, p).await, (Value::Null, Value::Null));
    let here: Vec<String> = entries(&l, p, "users")
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert!(staying.iter().all(|k| here.contains(k)), "kept here");
    let next = sync_now(&l, p, "users").await;
    assert_eq!(next["state"], "succeeded", "{next}");
    assert_eq!(next["deleted"], 0, "{next}");
    let there = procore_emails(&l, p).await;
    assert!(staying.iter().all(|k| there.contains(k)), "kept in Procore");
    // Deciding twice: nothing left to decide.
    let twice = l
        .app
        .call(
            "keep_held_deletions",
            &[
                ("project", &p.to_string()),
                ("resource", "users"),
                ("run", again["id"].as_str().unwrap()),
            ],
        )
        .await;
    assert_eq!(twice.status(), 409);
    handle.stop().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delete_cap_stop_is_shown_confirmed_or_kept_sqlite_and_postgres() {
    on_both(a_stop_at_the_cap_is_shown_and_decided).await;
}
