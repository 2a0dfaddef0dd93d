//! Helpers shared by the Stripe emulator tests: start it, call `/v1` with form bodies,
//! pay on the hosted page, and receive webhooks on a tiny local axum server.
#![allow(dead_code)] // each test binary uses a different subset

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use axum::Router;
use hmac::{Hmac, Mac};
use sandbox::{start_stripe, StripeOptions, StripeSandbox};
use serde_json::Value;
use sha2::Sha256;

pub const KEY: &str = "sk_test_sandbox";
pub const SECRET: &str = "whsec_sandbox";

/// Starts an emulator with default options, posting webhooks to `webhook_url`.
pub async fn start(webhook_url: Option<String>) -> StripeSandbox {
    let opts = StripeOptions {
        webhook_url,
        ..StripeOptions::default()
    };
    start_stripe(opts, None)
        .await
        .expect("start stripe sandbox")
}

/// A client that does not follow redirects, so tests can read `Location`.
pub fn http() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Form-encodes pairs the way most clients do (brackets percent-encoded).
pub fn encode(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

/// A `/v1` answer: status, JSON body, headers.
pub struct Reply {
    pub status: u16,
    pub body: Value,
    pub headers: HeaderMap,
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// `body[key]` as a string (panics with the body when absent).
    pub fn str(&self, key: &str) -> String {
        self.body[key]
            .as_str()
            .unwrap_or_else(|| panic!("no {key} in {}", self.body))
            .to_owned()
    }
}

async fn reply(res: reqwest::Response) -> Reply {
    let status = res.status().as_u16();
    let headers = res.headers().clone();
    let text = res.text().await.unwrap();
    let body = serde_json::from_str(&text).unwrap_or(Value::String(text));
    Reply {
        status,
        body,
        headers,
    }
}

/// POST a form to `path` with the sandbox key and an optional idempotency key.
pub async fn post_form(
    sb: &StripeSandbox,
    path: &str,
    pairs: &[(&str, &str)],
    idempotency_key: Option<&str>,
) -> Reply {
    let mut req = http()
        .post(format!("{}{path}", sb.base_url()))
        .bearer_auth(KEY)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(pairs));
    if let Some(k) = idempotency_key {
        req = req.header("Idempotency-Key", k);
    }
    reply(req.send().await.unwrap()).await
}

/// GET `path` (query included) with the sandbox key.
pub async fn get(sb: &StripeSandbox, path: &str) -> Reply {
    let res = http()
        .get(format!("{}{path}", sb.base_url()))
        .bearer_auth(KEY)
        .send()
        .await
        .unwrap();
    reply(res).await
}

/// Creates a product and a recurring USD price; returns the price id.
pub async fn price(
    sb: &StripeSandbox,
    name: &str,
    cents: i64,
    interval: &str,
    lookup_key: &str,
) -> String {
    let product = post_form(sb, "/v1/products", &[("name", name)], None).await;
    assert_eq!(product.status, 200, "{}", product.body);
    let cents = cents.to_string();
    let price = post_form(
        sb,
        "/v1/prices",
        &[
            ("product", &product.str("id")),
            ("currency", "usd"),
            ("unit_amount", &cents),
            ("recurring[interval]", interval),
            ("lookup_key", lookup_key),
        ],
        None,
    )
    .await;
    assert_eq!(price.status, 200, "{}", price.body);
    price.str("id")
}

/// Creates a subscription-mode session for `(price, quantity)` lines.
pub async fn session(sb: &StripeSandbox, lines: &[(&str, u64)], extra: &[(&str, &str)]) -> Reply {
    let mut owned: Vec<(String, String)> = vec![
        ("mode".into(), "subscription".into()),
        (
            "success_url".into(),
            "http://app.test/billing/success?session_id={CHECKOUT_SESSION_ID}".into(),
        ),
        ("cancel_url".into(), "http://app.test/billing/cancel".into()),
    ];
    for (i, (price, qty)) in lines.iter().enumerate() {
        owned.push((format!("line_items[{i}][price]"), price.to_string()));
        owned.push((format!("line_items[{i}][quantity]"), qty.to_string()));
    }
    let mut pairs: Vec<(&str, &str)> = owned
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    pairs.extend_from_slice(extra);
    let res = post_form(sb, "/v1/checkout/sessions", &pairs, None).await;
    assert_eq!(res.status, 200, "{}", res.body);
    res
}

/// Submits the hosted checkout form with `card`; returns the raw response.
pub async fn pay(session_url: &str, card: &str) -> reqwest::Response {
    http()
        .post(session_url)
        .header("content-type", "application/x-www-form-urlencoded")
        .body(encode(&[
            ("email", "buyer@example.com"),
            ("card_number", card),
            ("exp", "12 / 34"),
            ("cvc", "123"),
            ("name", "Pat Buyer"),
        ]))
        .send()
        .await
        .unwrap()
}

/// One webhook POST as received.
#[derive(Clone, Debug)]
pub struct Delivery {
    pub signature: String,
    pub body: String,
}

impl Delivery {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap()
    }

    pub fn type_(&self) -> String {
        self.json()["type"].as_str().unwrap().to_owned()
    }
}

/// A local webhook endpoint that records every POST and can fail the first N.
#[derive(Clone)]
pub struct Receiver {
    pub url: String,
    seen: Arc<Mutex<Vec<Delivery>>>,
    fail_next: Arc<AtomicU32>,
}

impl Receiver {
    pub async fn start() -> Self {
        let seen: Arc<Mutex<Vec<Delivery>>> = Arc::default();
        let fail_next = Arc::new(AtomicU32::new(0));
        let (s, f) = (seen.clone(), fail_next.clone());
        let app = Router::new().route(
            "/webhook",
            post(move |headers: HeaderMap, body: String| {
                let (s, f) = (s.clone(), f.clone());
                async move {
                    if f.load(Ordering::SeqCst) > 0 {
                        f.fetch_sub(1, Ordering::SeqCst);
                        return StatusCode::INTERNAL_SERVER_ERROR;
                    }
                    let signature = headers
                        .get("stripe-signature")
                        .map(|v| v.to_str().unwrap().to_owned())
                        .unwrap_or_default();
                    s.lock().unwrap().push(Delivery { signature, body });
                    StatusCode::OK
                }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        Self {
            url: format!("http://{addr}/webhook"),
            seen,
            fail_next,
        }
    }

    /// Every accepted delivery so far, in arrival order.
    pub fn deliveries(&self) -> Vec<Delivery> {
        self.seen.lock().unwrap().clone()
    }

    /// Types of the accepted deliveries, in arrival order.
    pub fn types(&self) -> Vec<String> {
        self.deliveries().iter().map(Delivery::type_).collect()
    }

    /// Answers 500 to the next `n` POSTs.
    pub fn fail_next(&self, n: u32) {
        self.fail_next.store(n, Ordering::SeqCst);
    }

    pub fn clear(&self) {
        self.seen.lock().unwrap().clear();
    }
}

/// Checks a `Stripe-Signature` header independently of the emulator's code (§2.2).
pub fn signature_valid(header: &str, body: &str, secret: &str) -> bool {
    let mut t = None;
    let mut v1 = Vec::new();
    for part in header.split(',') {
        match part.split_once('=') {
            Some(("t", v)) => t = v.parse::<i64>().ok(),
            Some(("v1", v)) => v1.push(v.to_owned()),
            _ => {}
        }
    }
    let Some(t) = t else { return false };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    if (now - t).abs() > 300 {
        return false;
    }
    v1.iter().any(|sig| {
        let Ok(bytes) = (0..sig.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(sig.get(i..i + 2).unwrap_or("zz"), 16))
            .collect::<Result<Vec<u8>, _>>()
        else {
            return false;
        };
        let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
        mac.update(format!("{t}.{body}").as_bytes());
        mac.verify_slice(&bytes).is_ok()
    })
}

/// Everything logged through `tracing` while the guard lives (this thread only: tokio's
/// test runtime runs the client, the sandbox and the receiver on the test's thread).
#[derive(Clone, Default)]
pub struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl Captured {
    pub fn start() -> (Self, tracing::subscriber::DefaultGuard) {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::TRACE)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (captured, tracing::subscriber::set_default(subscriber))
    }

    /// Log lines where async-stripe met a value its generated enums do not know.
    pub fn parse_warnings(&self) -> Vec<String> {
        let text = String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned();
        text.lines()
            .filter(|l| l.contains("Unknown value") || l.contains("Unknown variant"))
            .map(str::to_owned)
            .collect()
    }
}
