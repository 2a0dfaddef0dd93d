//! Emulator of the Stripe API (`/v1/*`), the hosted Checkout and Customer Portal pages,
//! and signed webhook delivery (reference: shared/reference/stripe.md).
//!
//! Stripe cannot be reached from development machines or CI, and stripe-mock is stateless
//! and cannot send webhooks, so this keeps real state: paying on the hosted page creates
//! the customer, card, subscription and invoice and delivers the events a real account
//! would. Cards on file follow Stripe's test cards (`cards.rs`), and its test
//! PaymentMethods (`pm_card_visa`, …) attach to customers (`payment_methods.rs`); payments and refunds
//! (`payments.rs`, `refunds.rs`); subscription create/update with `payment_behavior` and
//! pending updates (`creation.rs`, `updates.rs`); previews (`previews.rs`); the clock with
//! renewals and the retry schedule (`renewals.rs`); the Customer Portal (`portal.rs`,
//! `portal_page.rs`); hosted invoices and PDFs (`invoice_page.rs`, `pdf.rs`).

mod api;
mod billing;
mod cards;
mod catalog;
mod charges;
mod checkout;
mod creation;
mod form;
mod invoice_page;
mod invoices;
mod lists;
mod objects;
mod pages;
mod payment_methods;
mod payments;
mod pdf;
mod portal;
mod portal_forms;
mod portal_page;
mod previews;
mod refunds;
mod renewals;
mod store;
mod subscriptions;
mod switches;
mod updates;
mod versions;
mod webhooks;

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use axum::routing::{get, post};
use axum::Router;
use serde::Serialize;

use api::Saved;
use store::Store;
use webhooks::Dispatcher;

pub use webhooks::DeliveryMode;

/// The API version async-stripe 1.0.0-rc.10 pins; used when a request names none.
pub const API_VERSION: &str = "2026-09-30.endive";

/// Settings of the Stripe emulator.
#[derive(Clone)]
pub struct StripeOptions {
    /// The only secret key accepted; other keys get a 401 Stripe error.
    pub api_key: String,
    /// Signing secret (`whsec_…`) of the webhook endpoint.
    pub webhook_secret: String,
    /// Where events are POSTed; `None` keeps them in `/v1/events` only.
    pub webhook_url: Option<String>,
}

// Hand-written so that printing options (e.g. in a test failure) never shows the secrets.
impl std::fmt::Debug for StripeOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StripeOptions")
            .field("api_key", &"<redacted>")
            .field("webhook_secret", &"<redacted>")
            .field("webhook_url", &self.webhook_url)
            .finish()
    }
}

impl Default for StripeOptions {
    fn default() -> Self {
        Self {
            api_key: "sk_test_sandbox".into(),
            webhook_secret: "whsec_sandbox".into(),
            webhook_url: None,
        }
    }
}

/// Counters of what the emulator has done, for tests and `/__sandbox/stripe/stats`.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct StripeStats {
    /// HTTP POSTs made to the webhook endpoint, retries included.
    pub deliveries_attempted: u64,
    /// Deliveries answered with a 2xx.
    pub deliveries_succeeded: u64,
    /// Deliveries given up after the last retry.
    pub deliveries_failed: u64,
    /// Checkout sessions created.
    pub sessions_created: u64,
    /// Responses replayed for a reused `Idempotency-Key`.
    pub idempotent_replays: u64,
    /// Events created (whether or not an endpoint is configured).
    pub events_created: u64,
}

/// Lock-free counters behind [`StripeStats`].
#[derive(Default)]
pub(crate) struct Counters {
    deliveries_attempted: AtomicU64,
    deliveries_succeeded: AtomicU64,
    deliveries_failed: AtomicU64,
    sessions_created: AtomicU64,
    idempotent_replays: AtomicU64,
    events_created: AtomicU64,
}

impl Counters {
    fn bump(c: &AtomicU64) {
        c.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts a replayed idempotent response.
    pub fn bump_replay(&self) {
        Self::bump(&self.idempotent_replays);
    }

    /// Counts one webhook POST.
    pub fn bump_attempt(&self) {
        Self::bump(&self.deliveries_attempted);
    }

    /// Counts a delivery that succeeded or was given up.
    pub fn bump_outcome(&self, ok: bool) {
        Self::bump(if ok {
            &self.deliveries_succeeded
        } else {
            &self.deliveries_failed
        });
    }

    /// Counts a new checkout session.
    pub fn bump_session(&self) {
        Self::bump(&self.sessions_created);
    }

    /// Counts a new event.
    pub fn bump_event(&self) {
        Self::bump(&self.events_created);
    }

    fn snapshot(&self) -> StripeStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        StripeStats {
            deliveries_attempted: get(&self.deliveries_attempted),
            deliveries_succeeded: get(&self.deliveries_succeeded),
            deliveries_failed: get(&self.deliveries_failed),
            sessions_created: get(&self.sessions_created),
            idempotent_replays: get(&self.idempotent_replays),
            events_created: get(&self.events_created),
        }
    }
}

/// Shared state of one running emulator.
pub(crate) struct AppState {
    pub opts: StripeOptions,
    /// `http://127.0.0.1:PORT`, for hosted page URLs.
    pub base_url: String,
    store: Mutex<Store>,
    /// Seconds added to the wall clock by `advance_clock`.
    clock_offset: AtomicI64,
    idempotency: Mutex<HashMap<String, Saved>>,
    pub counters: Counters,
    pub webhooks: Dispatcher,
}

impl AppState {
    /// Locks the object store; a poisoned lock only means a handler panicked.
    pub fn store(&self) -> MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Locks the idempotency cache.
    pub fn idempotency(&self) -> MutexGuard<'_, HashMap<String, Saved>> {
        self.idempotency.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The sandbox clock: wall time plus every `advance_clock`.
    pub fn now(&self) -> i64 {
        wall_clock() + self.clock_offset.load(Ordering::Relaxed)
    }
}

/// Unix seconds of the real clock (webhook signatures use it: receivers check it).
pub(crate) fn wall_clock() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

pub(crate) type Shared = Arc<AppState>;

/// Handle to a running Stripe emulator; cheap to clone.
#[derive(Clone)]
pub struct StripeSandbox {
    state: Shared,
}

impl StripeSandbox {
    /// Base URL (`http://127.0.0.1:PORT`, no trailing slash) for `/v1` and the hosted pages.
    pub fn base_url(&self) -> String {
        self.state.base_url.clone()
    }

    /// Changes (or removes) the webhook endpoint for events created from now on.
    pub fn set_webhook_url(&self, url: Option<String>) {
        self.state.webhooks.set_url(url);
    }

    /// Chooses normal, duplicated or reversed delivery for events created from now on.
    pub fn set_delivery_mode(&self, mode: DeliveryMode) {
        self.state.webhooks.set_mode(mode);
    }

    /// Moves the sandbox clock forward and runs what falls due: renewals, failed renewals,
    /// period-end cancellations, each with its events. Checkout Sessions are not on this
    /// clock: they expire by real time, as at Stripe.
    pub async fn advance_clock(&self, seconds: i64) {
        renewals::advance(&self.state, seconds);
    }

    /// Gives `customer` a new default card (a test number, see `cards.rs`), as the portal
    /// would; returns the `payment_method` or why the number was refused.
    pub fn set_default_card(
        &self,
        customer: &str,
        number: &str,
    ) -> Result<serde_json::Value, String> {
        cards::replace_default_card(&self.state, customer, number)
    }

    /// Makes the next renewal of this customer's (or this subscription's) subscription fail.
    pub fn fail_next_renewal(&self, customer_or_subscription_id: &str) {
        self.state
            .store()
            .fail_next
            .insert(customer_or_subscription_id.to_owned());
    }

    /// Waits until every queued webhook delivery has succeeded or been given up.
    pub async fn wait_for_deliveries(&self) {
        self.state.webhooks.idle().await;
    }

    /// Snapshot of the emulator's counters.
    pub fn stats(&self) -> StripeStats {
        self.state.counters.snapshot()
    }

    /// The sandbox clock (unix seconds).
    pub fn now(&self) -> i64 {
        self.state.now()
    }
}

/// Starts the emulator on `addr` (default 127.0.0.1:0) in a tokio task; returns once listening.
pub async fn start_stripe(
    opts: StripeOptions,
    addr: Option<SocketAddr>,
) -> anyhow::Result<StripeSandbox> {
    let addr = addr.unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0)));
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let addr = listener.local_addr()?;
    let webhooks = Dispatcher::new(opts.webhook_url.clone(), opts.webhook_secret.clone())?;
    let state = Arc::new(AppState {
        opts,
        base_url: format!("http://{addr}"),
        store: Mutex::new(Store::default()),
        clock_offset: AtomicI64::new(0),
        idempotency: Mutex::new(HashMap::new()),
        counters: Counters::default(),
        webhooks,
    });
    let app = router(state.clone());
    spawn_session_expiry(Arc::downgrade(&state));
    tokio::spawn(async move {
        if let Err(err) = axum::serve(listener, app).await {
            tracing::error!(%err, "stripe sandbox server stopped");
        }
    });
    tracing::info!(%addr, "stripe sandbox listening");
    Ok(StripeSandbox { state })
}

/// Expires Checkout Sessions when their real-time `expires_at` passes, as Stripe does,
/// while the emulator's state lives.
fn spawn_session_expiry(state: std::sync::Weak<AppState>) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(std::time::Duration::from_secs(15));
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            let Some(state) = state.upgrade() else {
                return;
            };
            renewals::expire_sessions(&state);
        }
    });
}

fn router(state: Shared) -> Router {
    let v1 = Router::new()
        .merge(catalog::router())
        .merge(checkout::router())
        .merge(billing::router())
        .merge(cards::router())
        .merge(payment_methods::router())
        .merge(invoices::router())
        .merge(previews::router())
        .merge(charges::router())
        .merge(refunds::router())
        .merge(portal::router())
        .fallback(unknown_route)
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            api::gate,
        ))
        .layer(axum::middleware::from_fn(versions::reshape));
    Router::new()
        .nest("/v1", v1)
        .route(
            "/pay/{id}",
            get(pages::checkout_page).post(pages::checkout_submit),
        )
        .route("/portal/{id}", get(portal_page::portal_page))
        .route("/portal/{id}/card", post(portal_forms::update_card))
        .route("/portal/{id}/customer", post(portal_forms::update_customer))
        .route("/portal/{id}/tax_id", post(portal_forms::add_tax_id))
        .route("/portal/{id}/cancel/{sub}", post(portal_forms::cancel))
        .route(
            "/portal/{id}/update/{sub}",
            post(portal_forms::update_subscription),
        )
        .route("/invoice/{id}", get(invoice_page::invoice_page))
        .route("/invoice/{id}/pay", post(invoice_page::pay))
        .route("/invoice/{id}/pdf", get(invoice_page::invoice_pdf))
        .merge(switches::router())
        .layer(axum::middleware::from_fn(log_request))
        .with_state(state)
}

/// Stripe's answer to a path it does not serve.
async fn unknown_route(req: axum::extract::Request) -> api::StripeError {
    api::StripeError::new(
        axum::http::StatusCode::NOT_FOUND,
        "invalid_request_error",
        format!(
            "Unrecognized request URL ({}: {}).",
            req.method(),
            req.uri().path()
        ),
    )
}

/// Logs method, path and status only: bodies carry card numbers and emails.
async fn log_request(
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> axum::response::Response {
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let res = next.run(req).await;
    tracing::info!(%method, %path, status = res.status().as_u16(), "stripe sandbox");
    res
}
