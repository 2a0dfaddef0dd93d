//! `/v1` behaviour of the Stripe emulator over real HTTP: lookup keys, idempotency,
//! pagination, auth and error shapes (stripe.md §1.7, §4.2 item 9).

mod stripe_support;

use serde_json::Value;
use stripe_support::*;

#[tokio::test]
async fn prices_by_lookup_key_and_transfer() {
    let sb = start(None).await;
    let monthly = price(&sb, "Planner", 29_500, "month", "planner_month").await;
    let yearly = price(&sb, "Planner", 295_000, "year", "planner_year").await;
    price(&sb, "Safety", 59_500, "month", "safety_month").await;

    // Raw brackets and indexes, as async-stripe rc.10 sends them.
    let res = get(
        &sb,
        "/v1/prices?limit=10&lookup_keys[0]=planner_month&lookup_keys[1]=planner_year",
    )
    .await;
    assert_eq!(res.status, 200);
    assert_eq!(res.body["object"], "list");
    assert_eq!(res.body["url"], "/v1/prices");
    let ids: Vec<&str> = res.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [yearly.as_str(), monthly.as_str()], "newest first");
    let p = &res.body["data"][1];
    assert_eq!(p["unit_amount"], 29_500);
    assert_eq!(p["recurring"]["interval"], "month");
    assert_eq!(p["type"], "recurring");
    assert!(p["product"].as_str().unwrap().starts_with("prod_"));

    // `lookup_keys[]` form (stripe-python, curl).
    let res = get(&sb, "/v1/prices?lookup_keys%5B%5D=safety_month").await;
    assert_eq!(res.body["data"].as_array().unwrap().len(), 1);

    // A taken key is refused unless transferred.
    let product = res.body["data"][0]["product"].as_str().unwrap().to_owned();
    let dup = [
        ("product", product.as_str()),
        ("currency", "usd"),
        ("unit_amount", "60000"),
        ("recurring[interval]", "month"),
        ("lookup_key", "safety_month"),
    ];
    let res = post_form(&sb, "/v1/prices", &dup, None).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body["error"]["param"], "lookup_key");
    let mut moved = dup.to_vec();
    moved.push(("transfer_lookup_key", "true"));
    let res = post_form(&sb, "/v1/prices", &moved, None).await;
    assert_eq!(res.status, 200, "{}", res.body);
    let new_id = res.str("id");
    let res = get(&sb, "/v1/prices?lookup_keys[]=safety_month").await;
    let data = res.body["data"].as_array().unwrap();
    assert_eq!(data.len(), 1);
    assert_eq!(data[0]["id"], new_id.as_str());
    assert_eq!(
        get(&sb, &format!("/v1/prices/{new_id}")).await.body["unit_amount"],
        60_000
    );
}

#[tokio::test]
async fn idempotent_replay_and_conflict() {
    let sb = start(None).await;
    let form = [("name", "Planner"), ("metadata[module]", "planner")];
    let first = post_form(&sb, "/v1/products", &form, Some("prod-planner-1")).await;
    assert_eq!(first.status, 200);
    assert!(first.header("idempotent-replayed").is_none());
    let again = post_form(&sb, "/v1/products", &form, Some("prod-planner-1")).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(again.body, first.body, "same object, not a second product");
    assert_ne!(again.header("request-id"), first.header("request-id"));
    let list = get(&sb, "/v1/products").await;
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1);

    let other = post_form(
        &sb,
        "/v1/products",
        &[("name", "Safety")],
        Some("prod-planner-1"),
    )
    .await;
    assert_eq!(other.status, 400);
    assert_eq!(other.body["error"]["type"], "idempotency_error");
    assert_eq!(sb.stats().idempotent_replays, 1);
}

#[tokio::test]
async fn pagination_with_starting_after_and_ending_before() {
    let sb = start(None).await;
    let mut created = Vec::new();
    for i in 0..25 {
        let res = post_form(
            &sb,
            "/v1/customers",
            &[("email", &format!("c{i}@example.com"))],
            None,
        )
        .await;
        created.push(res.str("id"));
    }
    created.reverse(); // newest first, like the API
    let mut seen = Vec::new();
    let mut after: Option<String> = None;
    loop {
        let path = match &after {
            Some(a) => format!("/v1/customers?limit=10&starting_after={a}"),
            None => "/v1/customers?limit=10".to_owned(),
        };
        let res = get(&sb, &path).await;
        let data = res.body["data"].as_array().unwrap();
        seen.extend(data.iter().map(|c| c["id"].as_str().unwrap().to_owned()));
        if res.body["has_more"] != true {
            break;
        }
        after = Some(seen.last().unwrap().clone());
    }
    assert_eq!(seen, created);
    let res = get(
        &sb,
        &format!("/v1/customers?limit=3&ending_before={}", created[5]),
    )
    .await;
    let ids: Vec<&str> = res.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["id"].as_str().unwrap())
        .collect();
    assert_eq!(
        ids,
        created[2..5].iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert_eq!(res.body["has_more"], true);
    assert_eq!(
        get(&sb, "/v1/customers").await.body["data"]
            .as_array()
            .unwrap()
            .len(),
        10,
        "default limit"
    );
    assert_eq!(get(&sb, "/v1/customers?limit=101").await.status, 400);
}

#[tokio::test]
async fn auth_errors_and_shapes() {
    let sb = start(None).await;
    let res = http()
        .get(format!("{}/v1/products", sb.base_url()))
        .bearer_auth("sk_test_wrong1234")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert!(res.headers().get("request-id").is_some());
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["error"]["type"], "invalid_request_error");
    assert!(body["error"]["message"].as_str().unwrap().contains("1234"));
    let res = http()
        .get(format!("{}/v1/products", sb.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // Basic auth with the key as user name is accepted.
    let res = http()
        .get(format!("{}/v1/products", sb.base_url()))
        .basic_auth(KEY, Some(""))
        .header("Stripe-Version", "2025-03-31.basil")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["stripe-version"], "2025-03-31.basil");
    assert!(res.headers()["request-id"]
        .to_str()
        .unwrap()
        .starts_with("req_"));
    assert_eq!(
        get(&sb, "/v1/products").await.header("stripe-version"),
        Some(sandbox::API_VERSION)
    );

    let res = post_form(
        &sb,
        "/v1/prices",
        &[
            ("currency", "usd"),
            ("unit_amount", "abc"),
            ("product", "prod_x"),
        ],
        None,
    )
    .await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body["error"]["type"], "invalid_request_error");
    assert_eq!(res.body["error"]["param"], "unit_amount");
    assert!(res.body["error"]["message"].is_string());
    let res = post_form(&sb, "/v1/products", &[], None).await;
    assert_eq!(res.status, 400);
    assert_eq!(res.body["error"]["code"], "parameter_missing");
    assert_eq!(res.body["error"]["param"], "name");
    let res = get(&sb, "/v1/prices/price_nope").await;
    assert_eq!(res.status, 404);
    assert_eq!(res.body["error"]["code"], "resource_missing");
    assert_eq!(get(&sb, "/v1/nothing_here").await.status, 404);
}

#[tokio::test]
async fn session_validation_and_line_items() {
    let sb = start(None).await;
    let p1 = price(&sb, "Planner", 29_500, "month", "planner_month").await;
    let p2 = price(&sb, "Safety", 59_500, "month", "safety_month").await;
    let yearly = price(&sb, "Safety", 595_000, "year", "safety_year").await;
    let s = session(
        &sb,
        &[(&p1, 3), (&p2, 2)],
        &[
            ("client_reference_id", "order-9"),
            ("metadata[k with space]", "v&=x"),
            ("subscription_data[metadata][procore_company_id]", "123"),
            ("tax_id_collection[enabled]", "true"),
            ("allow_promotion_codes", "true"),
            ("expand[]", "line_items"),
        ],
    )
    .await;
    let b = &s.body;
    assert!(b["id"].as_str().unwrap().starts_with("cs_test_"));
    assert_eq!(b["status"], "open");
    assert_eq!(b["payment_status"], "unpaid");
    assert_eq!(b["amount_total"], 3 * 29_500 + 2 * 59_500);
    assert_eq!(b["metadata"]["k with space"], "v&=x");
    assert_eq!(b["tax_id_collection"]["enabled"], true);
    assert_eq!(b["line_items"]["data"].as_array().unwrap().len(), 2);
    assert_eq!(
        b["url"],
        format!("{}/pay/{}", sb.base_url(), b["id"].as_str().unwrap())
    );
    assert!(b["expires_at"].as_i64().unwrap() > b["created"].as_i64().unwrap());
    let id = s.str("id");
    let lines = get(&sb, &format!("/v1/checkout/sessions/{id}/line_items")).await;
    assert_eq!(lines.body["data"][0]["quantity"], 3);
    assert_eq!(lines.body["data"][1]["price"]["id"], p2.as_str());
    assert_eq!(lines.body["data"][0]["description"], "Planner");
    let listed = get(&sb, "/v1/checkout/sessions?limit=1").await;
    assert_eq!(listed.body["data"][0]["id"], id.as_str());

    let bad = [
        ("mode", "subscription"),
        ("success_url", "http://x"),
        ("line_items[0][price]", p1.as_str()),
        ("line_items[1][price]", yearly.as_str()),
    ];
    let res = post_form(&sb, "/v1/checkout/sessions", &bad, None).await;
    assert_eq!(res.status, 400, "mixed intervals");
    let res = post_form(
        &sb,
        "/v1/checkout/sessions",
        &[
            ("mode", "subscription"),
            ("line_items[0][price]", p1.as_str()),
        ],
        None,
    )
    .await;
    assert_eq!(res.body["error"]["param"], "success_url");
    let res = post_form(
        &sb,
        "/v1/checkout/sessions",
        &[
            ("mode", "subscription"),
            ("success_url", "http://x"),
            ("line_items[0][price]", "price_missing"),
        ],
        None,
    )
    .await;
    assert_eq!(res.status, 404);
    assert_eq!(res.body["error"]["param"], "line_items[0][price]");

    let expired = post_form(
        &sb,
        &format!("/v1/checkout/sessions/{id}/expire"),
        &[],
        None,
    )
    .await;
    assert_eq!(expired.body["status"], "expired");
    assert!(expired.body["url"].is_null());
    assert_eq!(
        post_form(
            &sb,
            &format!("/v1/checkout/sessions/{id}/expire"),
            &[],
            None
        )
        .await
        .status,
        400
    );
    let page = http()
        .get(format!("{}/pay/{id}", sb.base_url()))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("expired"), "{page}");
}
