//! Events and their signed delivery to the webhook endpoint (stripe.md §2).
//!
//! Every state change records `evt_…` objects (listable at `/v1/events`) and, when an
//! endpoint is configured, hands the batch to a background task that POSTs each event with
//! a `Stripe-Signature` header, retrying failures with exponential backoff. Test modes
//! deliver each event twice or a batch in reverse, because real Stripe guarantees neither
//! uniqueness nor order and the app must cope with both.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hmac::{Hmac, Mac};
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::sync::watch;

use super::api::ReqCtx;
use super::store::{new_id, Store};
use super::{wall_clock, AppState, Shared, API_VERSION};

/// Attempts per event before giving up (first try plus five retries).
const ATTEMPTS: u32 = 6;
/// Delay before the first retry; doubles for each further one (0.5 s, 1 s, 2 s, 4 s, 8 s).
const FIRST_RETRY: Duration = Duration::from_millis(500);
/// An endpoint slower than this counts as failed, as with Stripe.
const TIMEOUT: Duration = Duration::from_secs(10);

/// How webhook batches are delivered.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum DeliveryMode {
    /// Each event once, in the order they happened.
    #[default]
    Normal,
    /// Each event twice (same id, same body), to test deduplication.
    Duplicate,
    /// The events of one action in reverse order, to test order independence.
    Reverse,
}

impl DeliveryMode {
    /// Parses `normal|duplicate|reverse` (the HTTP switch).
    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "normal" => Some(Self::Normal),
            "duplicate" => Some(Self::Duplicate),
            "reverse" => Some(Self::Reverse),
            _ => None,
        }
    }
}

/// Endpoint settings and the outstanding-delivery count.
pub(crate) struct Dispatcher {
    url: Mutex<Option<String>>,
    secret: String,
    mode: Mutex<DeliveryMode>,
    pending: watch::Sender<u64>,
    client: reqwest::Client,
    next_seq: AtomicU64,
}

impl Dispatcher {
    /// A dispatcher posting to `url` (if any) and signing with `secret`.
    pub fn new(url: Option<String>, secret: String) -> anyhow::Result<Self> {
        let client = reqwest::Client::builder()
            .timeout(TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()?;
        Ok(Self {
            url: Mutex::new(url),
            secret,
            mode: Mutex::new(DeliveryMode::Normal),
            pending: watch::channel(0).0,
            client,
            next_seq: AtomicU64::new(0),
        })
    }

    /// Replaces the endpoint URL.
    pub fn set_url(&self, url: Option<String>) {
        *self.url.lock().unwrap_or_else(|e| e.into_inner()) = url;
    }

    fn url(&self) -> Option<String> {
        self.url.lock().unwrap_or_else(|e| e.into_inner()).clone()
    }

    /// Replaces the delivery mode.
    pub fn set_mode(&self, mode: DeliveryMode) {
        *self.mode.lock().unwrap_or_else(|e| e.into_inner()) = mode;
    }

    /// The current delivery mode.
    pub fn mode(&self) -> DeliveryMode {
        *self.mode.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Deliveries queued or retrying right now.
    pub fn pending(&self) -> u64 {
        *self.pending.borrow()
    }

    /// Resolves once no delivery is queued or retrying.
    pub async fn idle(&self) {
        let mut rx = self.pending.subscribe();
        // `wait_for` only fails if the sender is gone, which cannot outlive `self`.
        let _ = rx.wait_for(|n| *n == 0).await;
    }

    /// `t=…,v1=…` for `payload` signed at unix time `t` (stripe.md §2.2).
    pub fn signature_header(&self, payload: &str, t: i64) -> String {
        format!("t={t},v1={}", sign(&self.secret, t, payload))
    }
}

/// Hex HMAC-SHA256 of `"{t}.{payload}"` keyed with the whole secret string.
pub(crate) fn sign(secret: &str, t: i64, payload: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("{t}.{payload}").as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// One event to record: type, object snapshot, and `previous_attributes` for `*.updated`.
pub(crate) struct EventSpec {
    pub type_: &'static str,
    pub object: Value,
    pub previous: Option<Value>,
}

impl EventSpec {
    /// An event without `previous_attributes`.
    pub fn new(type_: &'static str, object: &Value) -> Self {
        Self {
            type_,
            object: object.clone(),
            previous: None,
        }
    }

    /// An `*.updated` event with what changed.
    pub fn updated(type_: &'static str, object: &Value, previous: Value) -> Self {
        Self {
            type_,
            object: object.clone(),
            previous: Some(previous),
        }
    }
}

/// Records the events of one action and queues their delivery.
pub(crate) fn emit(
    state: &Shared,
    store: &mut Store,
    specs: Vec<EventSpec>,
    request: Option<&ReqCtx>,
) {
    if specs.is_empty() {
        return;
    }
    let url = state.webhooks.url();
    let now = state.now();
    let request = request.map_or(
        json!({"id": null, "idempotency_key": null}),
        ReqCtx::to_json,
    );
    let mut events = Vec::with_capacity(specs.len());
    for spec in specs {
        let mut data = json!({ "object": spec.object });
        if let Some(prev) = spec.previous {
            data["previous_attributes"] = prev;
        }
        let event = json!({
            "id": new_id("evt"), "object": "event", "api_version": API_VERSION, "created": now,
            "data": data, "livemode": false, "pending_webhooks": i64::from(url.is_some()),
            "request": request, "type": spec.type_,
        });
        state.counters.bump_event();
        store.events.insert(event.clone());
        events.push(event);
    }
    let Some(url) = url else { return };
    let plan: Vec<Value> = match state.webhooks.mode() {
        DeliveryMode::Normal => events,
        DeliveryMode::Duplicate => events.into_iter().flat_map(|e| [e.clone(), e]).collect(),
        DeliveryMode::Reverse => events.into_iter().rev().collect(),
    };
    state
        .webhooks
        .pending
        .send_modify(|n| *n += plan.len() as u64);
    let seq = state.webhooks.next_seq.fetch_add(1, Ordering::Relaxed);
    let state = Arc::clone(state);
    tokio::spawn(async move {
        for event in plan {
            let ok = deliver(&state, &url, &event).await;
            record_outcome(&state, &event, ok);
            state
                .webhooks
                .pending
                .send_modify(|n| *n = n.saturating_sub(1));
        }
        tracing::debug!(seq, "stripe sandbox: webhook batch done");
    });
}

/// POSTs one event, retrying with backoff; true once a 2xx came back.
async fn deliver(state: &AppState, url: &str, event: &Value) -> bool {
    let payload = event.to_string();
    let mut delay = FIRST_RETRY;
    for attempt in 1..=ATTEMPTS {
        state.counters.bump_attempt();
        // Signed at send time with the real clock: receivers check it against theirs.
        let header = state.webhooks.signature_header(&payload, wall_clock());
        let res = state
            .webhooks
            .client
            .post(url)
            .header("content-type", "application/json; charset=utf-8")
            .header("stripe-signature", header)
            .header(
                "user-agent",
                "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            )
            .body(payload.clone())
            .send()
            .await;
        match res {
            Ok(r) if r.status().is_success() => return true,
            Ok(r) => {
                tracing::warn!(status = r.status().as_u16(), attempt, id = %event["id"], "webhook rejected")
            }
            Err(err) => tracing::warn!(%err, attempt, id = %event["id"], "webhook failed"),
        }
        if attempt < ATTEMPTS {
            tokio::time::sleep(delay).await;
            delay *= 2;
        }
    }
    false
}

/// Counts the outcome and clears `pending_webhooks` on the stored event after success.
fn record_outcome(state: &AppState, event: &Value, ok: bool) {
    state.counters.bump_outcome(ok);
    if ok {
        if let Some(id) = event["id"].as_str() {
            if let Some(stored) = state.store().events.get_mut(id) {
                stored["pending_webhooks"] = 0.into();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_matches_stripe_scheme() {
        // Computed independently with Python's hmac module over b"1700000000.{}".
        assert_eq!(
            sign("whsec_test", 1_700_000_000, "{}"),
            "35495024f4ef3f94e5a93e22221544c4b75e9a42300cd965ab81cb85cd994e91"
        );
    }

    #[test]
    fn modes_parse() {
        assert_eq!(
            DeliveryMode::parse("Duplicate"),
            Some(DeliveryMode::Duplicate)
        );
        assert_eq!(DeliveryMode::parse("reverse"), Some(DeliveryMode::Reverse));
        assert_eq!(DeliveryMode::parse("shuffle"), None);
    }
}
