//! REST behaviour of the Procore emulator (gate, pagination, visibility, rate limits).

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::Value;

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

fn projects_path(company: i64, extra: &str) -> String {
    format!("/rest/v1.1/projects?company_id={company}{extra}")
}

#[tokio::test]
async fn projects_pagination_headers_follow_procore_docs() {
    let sb = start().await;
    let token = access_token(&sb, ADMIN).await;
    let base = format!(
        "{}/rest/v1.1/projects?company_id={SUMMIT}&per_page=300",
        sb.base_url()
    );
    let link = |page: usize, rel: &str| format!("<{base}&page={page}>; rel=\"{rel}\"");
    let expected = [
        (1, vec![link(2, "next"), link(8, "last")]),
        (2, vec![link(1, "first"), link(3, "next"), link(8, "last")]),
        (
            3,
            vec![
                link(1, "first"),
                link(2, "prev"),
                link(4, "next"),
                link(8, "last"),
            ],
        ),
        (8, vec![link(1, "first"), link(7, "prev"), link(8, "last")]),
    ];
    let mut seen = HashSet::new();
    for (page, links) in expected {
        let path = projects_path(SUMMIT, &format!("&per_page=300&page={page}"));
        let res = get(&sb, &path, &token, Some(&SUMMIT.to_string())).await;
        assert_eq!(res.status(), 200);
        assert_eq!(
            header(&res, "total").as_deref(),
            Some("2375"),
            "active projects only"
        );
        assert_eq!(header(&res, "per-page").as_deref(), Some("300"));
        assert_eq!(
            header(&res, "link").unwrap(),
            links.join(", "),
            "page {page}"
        );
        assert!(header(&res, "x-request-id").is_some());
        let items: Vec<Value> = res.json().await.unwrap();
        assert_eq!(items.len(), if page == 8 { 275 } else { 300 });
        for p in &items {
            assert!(
                seen.insert(p["id"].as_i64().unwrap()),
                "duplicate id across pages"
            );
            assert_eq!(p["active"], true);
            assert_eq!(p["company"]["id"].as_i64(), Some(SUMMIT));
        }
    }
    // The page query param may come first; it is still dropped and re-appended last.
    let res = get(
        &sb,
        &format!("/rest/v1.1/projects?page=2&company_id={SUMMIT}"),
        &token,
        Some(&SUMMIT.to_string()),
    )
    .await;
    let links = header(&res, "link").unwrap();
    assert!(
        links.starts_with(&format!(
            "<{}/rest/v1.1/projects?company_id={SUMMIT}&page=1>; rel=\"first\"",
            sb.base_url()
        )),
        "{links}"
    );
    assert_eq!(header(&res, "per-page").as_deref(), Some("100"));
}

#[tokio::test]
async fn project_item_shape() {
    let sb = start().await;
    let token = access_token(&sb, ADMIN).await;
    let res = get(
        &sb,
        &projects_path(SUMMIT, "&per_page=1"),
        &token,
        Some(&SUMMIT.to_string()),
    )
    .await;
    let items: Vec<Value> = res.json().await.unwrap();
    let p = &items[0];
    assert_eq!(p["name"], "Riverside Medical Office Building");
    assert_eq!(
        p["display_name"],
        format!(
            "{} - {}",
            p["project_number"].as_str().unwrap(),
            p["name"].as_str().unwrap()
        )
    );
    assert!(p["project_number"]
        .as_str()
        .unwrap()
        .starts_with("SRB-2018-"));
    assert_eq!(p["company"]["name"], "Summit Ridge Builders");
    assert!(p["origin_id"].is_null());
    assert_eq!(p["created_at"], "2018-01-01T00:00:00Z");
    for key in [
        "address",
        "city",
        "state_code",
        "country_code",
        "zip",
        "time_zone",
        "updated_at",
        "start_date",
        "completion_date",
    ] {
        assert!(p[key].is_string(), "{key}");
    }
    assert!(p["project_stage"]["name"].is_string() && p["project_stage"]["id"].is_i64());
}

#[tokio::test]
async fn company_header_is_required_and_checked() {
    let sb = start().await;
    let token = access_token(&sb, ADMIN).await;
    let res = get(&sb, &projects_path(SUMMIT, ""), &token, None).await;
    assert_eq!(res.status(), 400);
    assert!(header(&res, "x-rate-limit-remaining").is_some());
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body,
        serde_json::json!({"errors": "Missing Procore-Company-Id header!"})
    );

    let res = get(
        &sb,
        &projects_path(SUMMIT, ""),
        &token,
        Some(&HARBOR.to_string()),
    )
    .await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert!(body["errors"].as_str().unwrap().contains("does not match"));
    let res = get(&sb, &projects_path(SUMMIT, ""), &token, Some("summit")).await;
    assert_eq!(res.status(), 400);
    let res = get(
        &sb,
        &projects_path(SUMMIT, "&per_page=abc"),
        &token,
        Some(&SUMMIT.to_string()),
    )
    .await;
    assert_eq!(res.status(), 400);
    let res = get(
        &sb,
        &projects_path(SUMMIT, "&per_page=5000"),
        &token,
        Some(&SUMMIT.to_string()),
    )
    .await;
    assert_eq!(header(&res, "per-page").as_deref(), Some("300"));
    // /me and /companies do not need it for user tokens.
    assert_eq!(get(&sb, "/rest/v1.0/me", &token, None).await.status(), 200);
}

#[tokio::test]
async fn companies_list_memberships() {
    let sb = start().await;
    let admin = access_token(&sb, ADMIN).await;
    let companies: Vec<Value> = get(&sb, "/rest/v1.0/companies", &admin, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(companies.len(), 2);
    assert_eq!(companies[0]["id"].as_i64(), Some(SUMMIT));
    assert_eq!(companies[0]["my_company"], true);
    assert_eq!(companies[1]["my_company"], false);
    assert_eq!(companies[0]["pcn_business_experience"], false);
    let pm = access_token(&sb, PM).await;
    let companies: Vec<Value> = get(&sb, "/rest/v1.0/companies", &pm, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(companies.len(), 1);
}

#[tokio::test]
async fn non_member_gets_403() {
    let sb = start().await;
    let token = access_token(&sb, PM).await;
    let res = get(
        &sb,
        &projects_path(HARBOR, ""),
        &token,
        Some(&HARBOR.to_string()),
    )
    .await;
    assert_eq!(res.status(), 403);
    let body: Value = res.json().await.unwrap();
    assert!(body["errors"].is_string());
}

#[tokio::test]
async fn non_admin_sees_only_assigned_projects_and_404_for_others() {
    let sb = start().await;
    let token = access_token(&sb, PM).await;
    let company = SUMMIT.to_string();
    let res = get(
        &sb,
        &projects_path(SUMMIT, "&filters[by_status]=All"),
        &token,
        Some(&company),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "total").as_deref(), Some("12"));
    assert!(
        header(&res, "link").is_none(),
        "a single page sends no Link header"
    );
    let items: Vec<Value> = res.json().await.unwrap();
    assert_eq!(items.len(), 12);
    let assigned: HashSet<i64> = items.iter().map(|p| p["id"].as_i64().unwrap()).collect();

    let admin = access_token(&sb, ADMIN).await;
    let all: Vec<Value> = get(
        &sb,
        &projects_path(SUMMIT, "&per_page=50"),
        &admin,
        Some(&company),
    )
    .await
    .json()
    .await
    .unwrap();
    let hidden = all
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .find(|id| !assigned.contains(id))
        .unwrap();
    let visible = *assigned.iter().next().unwrap();

    let show = |id: i64, token: String| {
        let sb = sb.clone();
        let company = company.clone();
        async move {
            get(
                &sb,
                &format!("/rest/v1.0/projects/{id}?company_id={SUMMIT}"),
                &token,
                Some(&company),
            )
            .await
        }
    };
    let res = show(visible, token.clone()).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        res.json::<Value>().await.unwrap()["id"].as_i64(),
        Some(visible)
    );
    let res = show(hidden, token.clone()).await;
    assert_eq!(res.status(), 404);
    assert!(res.json::<Value>().await.unwrap()["errors"].is_string());
    assert_eq!(show(hidden, admin.clone()).await.status(), 200);
    assert_eq!(show(1, admin).await.status(), 404);
}

#[tokio::test]
async fn filters_and_sort() {
    let sb = start().await;
    let token = access_token(&sb, SOLO).await;
    let company = HARBOR.to_string();
    let total = |res: &reqwest::Response| header(res, "total").unwrap().parse::<usize>().unwrap();
    let active = get(&sb, &projects_path(HARBOR, ""), &token, Some(&company)).await;
    let inactive = get(
        &sb,
        &projects_path(HARBOR, "&filters[by_status]=Inactive"),
        &token,
        Some(&company),
    )
    .await;
    let all = get(
        &sb,
        &projects_path(HARBOR, "&filters[by_status]=All"),
        &token,
        Some(&company),
    )
    .await;
    assert_eq!(total(&all), 36);
    assert_eq!(total(&active) + total(&inactive), 36);
    assert!(total(&inactive) > 0);

    let res = get(
        &sb,
        &projects_path(HARBOR, "&filters[by_status]=All&sort=-name"),
        &token,
        Some(&company),
    )
    .await;
    let names: Vec<String> = res
        .json::<Vec<Value>>()
        .await
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = names.clone();
    sorted.sort();
    sorted.reverse();
    assert_eq!(names, sorted);
    let needle = names[0].split(' ').next().unwrap().to_lowercase();
    let res = get(
        &sb,
        &projects_path(
            HARBOR,
            &format!("&filters[by_status]=All&filters[name]={needle}"),
        ),
        &token,
        Some(&company),
    )
    .await;
    let found: Vec<Value> = res.json().await.unwrap();
    assert!(!found.is_empty());
    assert!(found
        .iter()
        .all(|p| p["name"].as_str().unwrap().to_lowercase().contains(&needle)));
    let res = get(
        &sb,
        &projects_path(HARBOR, "&sort=color"),
        &token,
        Some(&company),
    )
    .await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn unknown_rest_route_is_json_404() {
    let sb = start().await;
    let token = access_token(&sb, ADMIN).await;
    let res = get(&sb, "/rest/v1.0/nothing_here", &token, None).await;
    assert_eq!(res.status(), 404);
    assert!(res.json::<Value>().await.unwrap()["errors"].is_string());
}

#[tokio::test]
async fn hourly_rate_limit_returns_429_with_headers() {
    let sb = start().await;
    let token = access_token(&sb, ADMIN).await;
    sb.set_rate_limits(5, 100);
    for expected_remaining in (0..5).rev() {
        let res = get(&sb, "/rest/v1.0/me", &token, None).await;
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "x-rate-limit-limit").as_deref(), Some("5"));
        assert_eq!(
            header(&res, "x-rate-limit-remaining"),
            Some(expected_remaining.to_string())
        );
    }
    let res = get(&sb, "/rest/v1.0/me", &token, None).await;
    assert_eq!(res.status(), 429);
    assert_eq!(header(&res, "x-rate-limit-limit").as_deref(), Some("5"));
    assert_eq!(header(&res, "x-rate-limit-remaining").as_deref(), Some("0"));
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let reset: u64 = header(&res, "x-rate-limit-reset").unwrap().parse().unwrap();
    // The oldest request frees its slot an hour after it was made (rounded up to a second).
    assert!(reset > now && reset <= now + 3601, "{reset} vs {now}");
    let retry: u64 = header(&res, "retry-after").unwrap().parse().unwrap();
    assert!((3000..=3600).contains(&retry), "{retry}");
    assert_eq!(
        res.text().await.unwrap(),
        "You have surpassed the max number of requests for an hour. Please wait until your limit resets."
    );
    // Another user has their own bucket.
    let other = access_token(&sb, PM).await;
    assert_eq!(get(&sb, "/rest/v1.0/me", &other, None).await.status(), 200);
    assert_eq!(sb.stats().rate_limited, 1);
}

#[tokio::test]
async fn spike_limit_via_http_switches() {
    let sb = start().await;
    let token = access_token(&sb, ADMIN).await;
    let res = http()
        .post(format!(
            "{}/__sandbox/rate-limits?hourly=1000&spike=2",
            sb.base_url()
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(get(&sb, "/rest/v1.0/me", &token, None).await.status(), 200);
    let res = get(&sb, "/rest/v1.0/me", &token, None).await;
    assert_eq!(
        header(&res, "x-rate-limit-limit").as_deref(),
        Some("2"),
        "spike window is the closer one"
    );
    let res = get(&sb, "/rest/v1.0/me", &token, None).await;
    assert_eq!(res.status(), 429);
    let retry: u64 = header(&res, "retry-after").unwrap().parse().unwrap();
    assert!((1..=10).contains(&retry));
    assert!(res.text().await.unwrap().contains("spike"));
    let stats: Value = http()
        .get(format!("{}/__sandbox/stats", sb.base_url()))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(stats["rate_limited"], 1);
    assert_eq!(stats["rest_calls"], 3);
    assert_eq!(stats["authorization_code_grants"], 1);
}
