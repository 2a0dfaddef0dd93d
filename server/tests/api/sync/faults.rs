//! With 20 % of Procore calls failing (429, 500, 503, or a write that is done but answered
//! too late), the end state equals a fault-free run's: nothing lost, nothing created twice,
//! on either side.

use std::time::Duration;

use serde_json::json;

use super::*;

async fn faults_change_nothing_in_the_end(db: TestDb) {
    let l = licensed(&db).await;
    let p = l.project;
    settings(&l, p, &all("both")).await;
    let jobs = replica(&l, &db.url, quick(), Duration::from_secs(1)).await;
    let handle = jobs.start();
    // Fault-free first: what Procore has now.
    assert_eq!(sync_now(&l, p, "users").await["state"], "succeeded");
    let mut expected = procore_emails(&l, p).await;
    for i in 0..12 {
        let email = format!("fault.{i:02}@harbor.example");
        let r = add_entry(
            &l,
            p,
            "users",
            json!({"email_address": email, "last_name": format!("Fault {i}")}),
        )
        .await;
        assert_eq!(r.status(), 200);
        expected.push(email);
    }
    expected.sort();
    for i in 0..4 {
        add_entry(
            &l,
            p,
            "companies",
            json!({"name": format!("Faulty Vendor {i}")}),
        )
        .await;
    }

    faults(&l.app, json!({"rate": 0.2, "kinds": ["429", "500", "503", "timeout"], "timeout_ms": 1500, "seed": 7})).await;
    for resource in ["companies", "users"] {
        let run = sync_now(&l, p, resource).await;
        eprintln!("under faults, {resource}: {run}");
    }
    let stats = l.app.procore.as_ref().unwrap().stats();
    let served = serde_json::to_value(&stats).unwrap();
    let injected: i64 = ["faults_429", "faults_500", "faults_503", "faults_timeout"]
        .iter()
        .map(|k| served[k].as_i64().unwrap_or(0))
        .sum();
    assert!(injected > 0, "faults were injected: {served}");
    faults(&l.app, json!({"rate": 0})).await;
    // Whatever a fault left undone, the next run finishes; nothing is done twice.
    for resource in ["companies", "users"] {
        assert_eq!(sync_now(&l, p, resource).await["state"], "succeeded");
    }

    assert_eq!(procore_emails(&l, p).await, expected, "Procore's team");
    let ours: Vec<String> = entries(&l, p, "users")
        .await
        .into_iter()
        .map(|e| e.0)
        .collect();
    assert_eq!(ours, expected, "our team");
    assert!(
        entries(&l, p, "users").await.iter().all(|e| e.2),
        "every entry linked"
    );
    for i in 0..12 {
        let found = procore_list(
            &l,
            &format!(
                "/rest/v1.3/companies/{}/users?filters[search]=fault.{i:02}@",
                HARBOR.get()
            ),
        )
        .await;
        assert_eq!(
            found.len(),
            1,
            "fault.{i:02} exactly once in the company directory"
        );
    }
    let vendors = procore_list(
        &l,
        &format!(
            "/rest/v1.0/vendors?company_id={}&filters[search]=Faulty",
            HARBOR.get()
        ),
    )
    .await;
    assert_eq!(vendors.len(), 4, "each vendor once: {vendors:?}");
    handle.stop().await;
    db.cleanup().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn twenty_percent_faults_end_like_a_fault_free_run_sqlite_and_postgres() {
    on_both(faults_change_nothing_in_the_end).await;
}
