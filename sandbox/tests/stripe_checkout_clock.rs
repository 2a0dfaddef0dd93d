//! Checkout Sessions and the sandbox clock: as at Stripe, a session's `expires_at` is
//! real time (the app sets it from its own clock), so moving the clock neither expires
//! open sessions nor refuses new ones.

mod stripe_support;

use stripe_support::*;

const MONTH: i64 = 31 * 86_400;

fn wall_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[tokio::test]
async fn checkout_expiry_follows_real_time_after_the_clock_moves() {
    let sb = start(None).await;
    let planner = price(&sb, "Planner", 29_500, "month", "planner_month").await;
    let before = session(&sb, &[(&planner, 1)], &[]).await;

    sb.advance_clock(MONTH).await;
    let kept = get(&sb, &format!("/v1/checkout/sessions/{}", before.str("id"))).await;
    assert_eq!(
        kept.str("status"),
        "open",
        "a month of sandbox clock is not real time"
    );

    // The app sets `expires_at` from its own (real) clock, 1 hour ahead.
    let expires_at = (wall_clock() + 3600).to_string();
    let after = post_form(
        &sb,
        "/v1/checkout/sessions",
        &[
            ("mode", "subscription"),
            ("success_url", "http://app.test/ok"),
            ("line_items[0][price]", &planner),
            ("line_items[0][quantity]", "2"),
            ("expires_at", &expires_at),
        ],
        None,
    )
    .await;
    assert_eq!(after.status, 200, "{}", after.body);
    assert_eq!(after.str("status"), "open");
    let default = session(&sb, &[(&planner, 1)], &[]).await;
    let ttl = default.body["expires_at"].as_i64().unwrap() - wall_clock();
    assert!(
        (86_000..=86_400).contains(&ttl),
        "default expiry is 24 real hours away: {ttl}"
    );

    let page = http().get(after.str("url")).send().await.unwrap();
    let page = page.text().await.unwrap();
    assert!(
        page.contains("Card number"),
        "the hosted page is payable: {page}"
    );
    for s in [&after, &before] {
        let res = pay(&s.str("url"), "4242 4242 4242 4242").await;
        assert_eq!(res.status(), 303, "{}", res.text().await.unwrap());
    }
    let paid = get(&sb, &format!("/v1/checkout/sessions/{}", after.str("id"))).await;
    assert_eq!(paid.str("status"), "complete");
    // The subscription itself starts on the sandbox clock.
    let sub = get(
        &sb,
        &format!("/v1/subscriptions/{}", paid.str("subscription")),
    )
    .await;
    assert_eq!(sub.str("status"), "active");
    let start = sub.body["items"]["data"][0]["current_period_start"]
        .as_i64()
        .unwrap();
    assert!((start - sb.now()).abs() < 60, "{start} vs {}", sb.now());
    assert!(start > wall_clock() + MONTH - 60);
}
