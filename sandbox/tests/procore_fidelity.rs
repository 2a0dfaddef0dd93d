//! Where the emulator must behave like production Procore and once did not: split login
//! and API origins, JWT-shaped tokens, the v1.0 project lists, documented filters only,
//! service accounts limited to permitted projects, and documented rolling rate limits.

mod common;

use std::collections::HashSet;
use std::time::{Duration, Instant};

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use common::*;
use sandbox::{start_procore, ProcoreOptions};
use serde_json::{json, Value};

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

async fn service_token(sb: &sandbox::ProcoreSandbox) -> String {
    let (status, body) = token(
        sb,
        &[
            ("grant_type", "client_credentials"),
            ("client_id", CLIENT_ID),
            ("client_secret", CLIENT_SECRET),
        ],
    )
    .await;
    assert_eq!(status, 200, "{body}");
    body["access_token"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn login_and_api_are_separate_origins() {
    let sb = start().await;
    assert_ne!(sb.login_base_url(), sb.api_base_url());
    assert_eq!(sb.base_url(), sb.api_base_url(), "base_url() stays the API");
    let token = access_token(&sb, ADMIN).await;
    // OAuth on the API origin is not there, as on api.procore.com.
    let res = http()
        .post(format!("{}/oauth/token", sb.api_base_url()))
        .form(&[("grant_type", "client_credentials")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    let res = http()
        .get(format!("{}/oauth/authorize", sb.api_base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    // REST on the login origin is not there either.
    let res = http()
        .get(format!("{}/rest/v1.0/me", sb.login_base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404);
    assert_eq!(get(&sb, "/rest/v1.0/me", &token, None).await.status(), 200);
    // Token info belongs to the login server.
    let res = http()
        .get(format!("{}/oauth/token/info", sb.login_base_url()))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn tokens_have_procore_shapes() {
    let sb = start().await;
    let body = login(&sb, ADMIN).await;
    let access = body["access_token"].as_str().unwrap();
    assert!(access.len() >= 700, "{} chars", access.len());
    let parts: Vec<&str> = access.split('.').collect();
    assert_eq!(parts.len(), 3, "header.payload.signature");
    let decode = |s: &str| -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(s).expect("base64url")).unwrap()
    };
    assert_eq!(decode(parts[0]), json!({"typ": "JWT", "alg": "ES512"}));
    let claims = decode(parts[1]);
    let iat = claims["iat"].as_u64().unwrap();
    assert_eq!(claims["exp"].as_u64(), Some(iat + 5400));
    assert_eq!(claims["sub"], "7100000001");
    let refresh = body["refresh_token"].as_str().unwrap();
    assert_eq!(refresh.len(), 64);
    assert!(refresh
        .bytes()
        .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
    // The long token authenticates; one flipped character does not.
    assert_eq!(get(&sb, "/rest/v1.0/me", access, None).await.status(), 200);
    let mut forged = access.to_owned();
    let last = forged.pop().unwrap();
    forged.push(if last == 'A' { 'B' } else { 'A' });
    assert_eq!(get(&sb, "/rest/v1.0/me", &forged, None).await.status(), 401);
    let service = service_token(&sb).await;
    assert!(service.len() >= 700 && service.split('.').count() == 3);
}

#[tokio::test]
async fn v10_projects_list_pages_like_v11() {
    let sb = start().await;
    let token = access_token(&sb, ADMIN).await;
    let company = SUMMIT.to_string();
    let path = format!("/rest/v1.0/projects?company_id={SUMMIT}&per_page=300");
    let res = get(&sb, &path, &token, Some(&company)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "total").as_deref(),
        Some("2375"),
        "active by default"
    );
    assert_eq!(header(&res, "per-page").as_deref(), Some("300"));
    let link = header(&res, "link").unwrap();
    let base = format!("{}/rest/v1.0/projects", sb.api_base_url());
    assert_eq!(
        link,
        format!("<{base}?company_id={SUMMIT}&per_page=300&page=2>; rel=\"next\", <{base}?company_id={SUMMIT}&per_page=300&page=8>; rel=\"last\"")
    );
    let items: Vec<Value> = res.json().await.unwrap();
    assert_eq!(items.len(), 300);
    assert_eq!(items[0]["name"], "Riverside Medical Office Building");
    assert_eq!(items[0]["is_demo"], false);
    assert!(items[0]["stage"].is_string() && items[0]["project_number"].is_string());
    let compact: Vec<Value> = get(
        &sb,
        &format!("/rest/v1.0/projects?company_id={SUMMIT}&per_page=2&serializer_view=compact"),
        &token,
        Some(&company),
    )
    .await
    .json()
    .await
    .unwrap();
    let keys: HashSet<&str> = compact[0]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(keys, HashSet::from(["id", "name", "display_name"]));
    // Non-admins see their assigned projects only; the company header is required.
    let pm = access_token(&sb, PM).await;
    let res = get(
        &sb,
        &format!("/rest/v1.0/projects?company_id={SUMMIT}"),
        &pm,
        Some(&company),
    )
    .await;
    assert_eq!(header(&res, "total").as_deref(), Some("12"));
    let res = get(
        &sb,
        &format!("/rest/v1.0/projects?company_id={SUMMIT}"),
        &pm,
        None,
    )
    .await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn company_projects_list_has_company_shape_and_pages() {
    let sb = start().await;
    let token = access_token(&sb, SOLO).await;
    let company = HARBOR.to_string();
    let path = format!("/rest/v1.0/companies/{HARBOR}/projects?per_page=10&page=4");
    let res = get(&sb, &path, &token, Some(&company)).await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "total").as_deref(), Some("36"), "every status");
    let link = header(&res, "link").unwrap();
    assert!(
        link.contains("page=3>; rel=\"prev\"") && !link.contains("rel=\"next\""),
        "{link}"
    );
    let items: Vec<Value> = res.json().await.unwrap();
    assert_eq!(items.len(), 6);
    let p = &items[0];
    assert!(p["address"]["city"].is_string() && p["stage_name"].is_string());
    let all: Vec<Value> = get(
        &sb,
        &format!("/rest/v1.0/companies/{HARBOR}/projects?per_page=100"),
        &token,
        Some(&company),
    )
    .await
    .json()
    .await
    .unwrap();
    let statuses: HashSet<&str> = all
        .iter()
        .map(|p| p["status_name"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, HashSet::from(["Active", "Inactive"]));
    // Header must match the path; non-members get 403; the endpoint has no filters.
    let res = get(
        &sb,
        &format!("/rest/v1.0/companies/{HARBOR}/projects"),
        &token,
        Some(&SUMMIT.to_string()),
    )
    .await;
    assert_eq!(res.status(), 400);
    let pm = access_token(&sb, PM).await;
    let res = get(
        &sb,
        &format!("/rest/v1.0/companies/{HARBOR}/projects"),
        &pm,
        Some(&company),
    )
    .await;
    assert_eq!(res.status(), 403);
    let res = get(
        &sb,
        &format!("/rest/v1.0/companies/{HARBOR}/projects?filters[name]=x"),
        &token,
        Some(&company),
    )
    .await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn documented_filters_are_honoured_and_unknown_ones_rejected() {
    let sb = start().await;
    let token = access_token(&sb, ADMIN).await;
    let company = SUMMIT.to_string();
    let list = |query: String| {
        let (sb, token, company) = (sb.clone(), token.clone(), company.clone());
        async move {
            get(
                &sb,
                &format!("/rest/v1.1/projects?company_id={SUMMIT}{query}"),
                &token,
                Some(&company),
            )
            .await
        }
    };
    let res = list("&filters[colour]=red".into()).await;
    assert_eq!(res.status(), 400);
    let body: Value = res.json().await.unwrap();
    assert!(
        body["errors"].as_str().unwrap().contains("filters[colour]"),
        "{body}"
    );
    // created_at is a v1.0 filter only.
    let res = list("&filters[created_at]=2018-01-01...2018-12-31".into()).await;
    assert_eq!(res.status(), 400);
    let res = list(
        "&filters[updated_at]=2018-01-01...2018-12-31&filters[by_status]=All&per_page=300".into(),
    )
    .await;
    assert_eq!(res.status(), 200);
    let items: Vec<Value> = res.json().await.unwrap();
    assert!(!items.is_empty() && items.len() < 2500);
    assert!(items
        .iter()
        .all(|p| p["updated_at"].as_str().unwrap().starts_with("2018-")));
    let res = list("&filters[updated_at]=yesterday".into()).await;
    assert_eq!(res.status(), 400);
    let ids = [562_000_000_001i64, 562_000_000_008];
    let res = list(format!(
        "&filters[id][]={}&filters[id][]={}",
        ids[0], ids[1]
    ))
    .await;
    let got: Vec<i64> = res
        .json::<Vec<Value>>()
        .await
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    assert_eq!(got, ids);
    let res = list("&filters[is_demo]=true".into()).await;
    assert_eq!(header(&res, "total").as_deref(), Some("0"));
    let v10 = get(
        &sb,
        &format!("/rest/v1.0/projects?company_id={SUMMIT}&filters[created_at]=2018-01-01...2018-01-31&filters[by_status]=All"),
        &token,
        Some(&company),
    )
    .await;
    assert_eq!(v10.status(), 200);
    let got: Vec<Value> = v10.json().await.unwrap();
    assert!(
        !got.is_empty()
            && got
                .iter()
                .all(|p| p["created_at"].as_str().unwrap().starts_with("2018-01"))
    );
}

#[tokio::test]
async fn service_account_sees_only_permitted_projects() {
    let sb = start().await;
    let service = service_token(&sb).await;
    let company = SUMMIT.to_string();
    let res = get(
        &sb,
        &format!("/rest/v1.1/projects?company_id={SUMMIT}&filters[by_status]=All"),
        &service,
        Some(&company),
    )
    .await;
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "total").as_deref(), Some("20"));
    let permitted: HashSet<i64> = res
        .json::<Vec<Value>>()
        .await
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .collect();
    let res = get(
        &sb,
        &format!("/rest/v1.0/companies/{SUMMIT}/projects?per_page=300"),
        &service,
        Some(&company),
    )
    .await;
    assert_eq!(header(&res, "total").as_deref(), Some("20"));
    // Not permitted → 404, as for any record the caller cannot see.
    let hidden = 562_000_000_008i64;
    assert!(!permitted.contains(&hidden));
    let show = |id: i64| format!("/rest/v1.0/projects/{id}?company_id={SUMMIT}");
    assert_eq!(
        get(&sb, &show(hidden), &service, Some(&company))
            .await
            .status(),
        404
    );
    let first = *permitted.iter().next().unwrap();
    assert_eq!(
        get(&sb, &show(first), &service, Some(&company))
            .await
            .status(),
        200
    );
    // The admin sees the same list in the app's configuration.
    let admin = access_token(&sb, ADMIN).await;
    let configs: Vec<Value> = get(
        &sb,
        &format!("/rest/v1.0/companies/{SUMMIT}/app_configurations"),
        &admin,
        Some(&company),
    )
    .await
    .json()
    .await
    .unwrap();
    let listed: HashSet<i64> = configs[0]["project_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_i64().unwrap())
        .collect();
    assert_eq!(listed, permitted);
    assert_eq!(configs[0]["applies_to_all_projects"], false);
    let harbor = get(
        &sb,
        &format!("/rest/v1.1/projects?company_id={HARBOR}"),
        &service,
        Some(&HARBOR.to_string()),
    )
    .await;
    assert_eq!(header(&harbor, "total").as_deref(), Some("6"));
}

#[tokio::test]
async fn documented_rate_limits_are_the_default() {
    let sb = start().await;
    let token = access_token(&sb, ADMIN).await;
    for n in 1..=25u32 {
        let res = get(&sb, "/rest/v1.0/me", &token, None).await;
        assert_eq!(res.status(), 200, "call {n}");
        assert_eq!(header(&res, "x-rate-limit-limit").as_deref(), Some("25"));
        assert_eq!(
            header(&res, "x-rate-limit-remaining"),
            Some((25 - n).to_string())
        );
    }
    let res = get(&sb, "/rest/v1.0/me", &token, None).await;
    assert_eq!(res.status(), 429);
    let retry: u64 = header(&res, "retry-after").unwrap().parse().unwrap();
    assert!((1..=10).contains(&retry), "{retry}");
    let defaults = ProcoreOptions::default();
    assert_eq!(
        (defaults.rate_limit_hourly, defaults.rate_limit_spike),
        (600, 25)
    );
    let generous = ProcoreOptions::generous_limits();
    assert_eq!(
        (generous.rate_limit_hourly, generous.rate_limit_spike),
        (3600, 200)
    );

    // The generous escape hatch lets a burst through.
    let sb = start_procore(ProcoreOptions::generous_limits(), None)
        .await
        .unwrap();
    let token = access_token(&sb, ADMIN).await;
    for _ in 0..40 {
        assert_eq!(get(&sb, "/rest/v1.0/me", &token, None).await.status(), 200);
    }
}

/// Over real time: a rolling 10-second window frees one slot per expired request, where a
/// fixed window would have reset entirely at its boundary.
#[tokio::test]
async fn spike_window_rolls_over_http() {
    let sb = start().await;
    let token = access_token(&sb, ADMIN).await;
    sb.set_rate_limits(600, 2);
    let started = Instant::now();
    assert_eq!(get(&sb, "/rest/v1.0/me", &token, None).await.status(), 200);
    tokio::time::sleep(Duration::from_secs(5)).await;
    assert_eq!(get(&sb, "/rest/v1.0/me", &token, None).await.status(), 200);
    assert_eq!(get(&sb, "/rest/v1.0/me", &token, None).await.status(), 429);
    // Past 10 s from the first call: only that call's slot is free again.
    tokio::time::sleep(Duration::from_millis(10_300).saturating_sub(started.elapsed())).await;
    assert_eq!(get(&sb, "/rest/v1.0/me", &token, None).await.status(), 200);
    let res = get(&sb, "/rest/v1.0/me", &token, None).await;
    assert_eq!(res.status(), 429, "a fixed window would have allowed this");
    let retry: u64 = header(&res, "retry-after").unwrap().parse().unwrap();
    assert!(
        (1..=5).contains(&retry),
        "the call at ~5 s frees at ~15 s, got {retry}"
    );
}
