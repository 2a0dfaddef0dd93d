//! The benchmark user's scale-test companies, seen through the REST API: exactly 10,000 and
//! 100 projects, paged like every other company, invisible to the other demo users.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::Value;

const BENCH: (&str, &str) = ("bench@scale.example", "sandbox-bench");
const SCALE_10K: i64 = 5_600_000_003;
const SCALE_100: i64 = 5_600_000_004;

fn total(res: &reqwest::Response) -> Option<u64> {
    res.headers().get("total")?.to_str().ok()?.parse().ok()
}

#[tokio::test]
async fn bench_user_has_two_scale_companies() {
    let sb = start().await;
    let token = access_token(&sb, BENCH).await;
    let companies: Vec<Value> = get(&sb, "/rest/v1.0/companies", &token, None)
        .await
        .json()
        .await
        .unwrap();
    let names: Vec<(i64, &str)> = companies
        .iter()
        .map(|c| (c["id"].as_i64().unwrap(), c["name"].as_str().unwrap()))
        .collect();
    assert_eq!(
        names,
        [(SCALE_10K, "Scale Test 10k"), (SCALE_100, "Scale Test 100")]
    );
    let me: Value = get(&sb, "/rest/v1.0/me", &token, None)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "Blake Bench");

    // The other demo users do not see the scale companies.
    let admin = access_token(&sb, ADMIN).await;
    let path = format!("/rest/v1.1/projects?company_id={SCALE_10K}");
    let res = get(&sb, &path, &admin, Some(&SCALE_10K.to_string())).await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn scale_companies_have_exactly_10000_and_100_projects() {
    let sb = start().await;
    let token = access_token(&sb, BENCH).await;
    for (company, expected) in [(SCALE_10K, 10_000usize), (SCALE_100, 100)] {
        let header = company.to_string();
        // Every project is active: the default (Active) and All agree.
        for status in ["", "&filters[by_status]=All"] {
            let path = format!("/rest/v1.1/projects?company_id={company}&per_page=1{status}");
            let res = get(&sb, &path, &token, Some(&header)).await;
            assert_eq!(res.status(), 200);
            assert_eq!(total(&res), Some(expected as u64), "{company}{status}");
        }
        let inactive = format!(
            "/rest/v1.1/projects?company_id={company}&per_page=1&filters[by_status]=Inactive"
        );
        let res = get(&sb, &inactive, &token, Some(&header)).await;
        assert_eq!(total(&res), Some(0));

        // First and last page of 300 (the sandbox serialises the whole company per request,
        // so walking all 34 pages in a debug build takes seconds; the seed's unit test checks
        // that every id and name is distinct).
        let last = expected.div_ceil(300);
        let mut pages = vec![(1, expected.min(300))];
        if last > 1 {
            pages.push((last, expected - 300 * (last - 1)));
        }
        let mut ids = HashSet::new();
        for &(page, len) in &pages {
            let path = format!("/rest/v1.1/projects?company_id={company}&per_page=300&page={page}");
            let res = get(&sb, &path, &token, Some(&header)).await;
            assert_eq!(res.status(), 200);
            let items: Vec<Value> = res.json().await.unwrap();
            assert_eq!(items.len(), len, "{company} page {page}");
            for p in &items {
                let id = p["id"].as_i64().unwrap();
                assert!(id > i64::from(u32::MAX));
                assert_eq!(p["company"]["id"].as_i64(), Some(company));
                assert_eq!(p["active"], true);
                ids.insert(id);
            }
        }
        let listed: usize = pages.iter().map(|&(_, len)| len).sum();
        assert_eq!(ids.len(), listed, "ids are distinct across pages");
    }
}
