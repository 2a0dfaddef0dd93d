//! The Procore emulator's counters: every `/rest/` request, and the same by path, so a
//! test can count the calls it means (e.g. the project list) whatever else runs.

mod common;

use common::*;
use serde_json::Value;

#[tokio::test]
async fn rest_calls_are_counted_by_path() {
    let sb = start().await;
    let token = access_token(&sb, ADMIN).await;
    let company = SUMMIT.to_string();
    let projects = format!("/rest/v1.1/projects?company_id={SUMMIT}&per_page=10");
    for _ in 0..2 {
        let res = get(&sb, &projects, &token, Some(&company)).await;
        assert_eq!(res.status(), 200);
    }
    assert_eq!(get(&sb, "/rest/v1.0/me", &token, None).await.status(), 200);
    let refused = get(&sb, "/rest/v1.0/me", "not-a-token", None).await;
    assert_eq!(refused.status(), 401);

    let stats = sb.stats();
    assert_eq!(stats.rest_calls, 4);
    assert_eq!(stats.calls_to("/rest/v1.1/projects"), 2, "{stats:?}");
    assert_eq!(
        stats.calls_to("/rest/v1.0/me"),
        2,
        "refused calls count too"
    );
    assert_eq!(stats.calls_to("/rest/v1.0/companies"), 0);
    let over_http: Value = http()
        .get(format!("{}/__sandbox/stats", sb.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(over_http["rest_calls_by_path"]["/rest/v1.1/projects"], 2);
}
