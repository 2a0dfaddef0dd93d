//! Fault injection for `/rest/*` on the API origin, driven by `/__sandbox/faults`.
//!
//! `POST /__sandbox/faults` `{"rate":0.2,"kinds":["429","500","503","timeout"],
//! "latency_ms":50,"timeout_ms":3000,"seed":42}` (every field optional); `{"rate":0}` or
//! `DELETE` turns faults off; `GET` shows the settings. With probability `rate` a call
//! gets one of `kinds`: 429 (`Retry-After: 1`, the rate-limit headers), 500, 503
//! (`Retry-After: 1`) — nothing changed — or `timeout`: the call is performed (a write is
//! written) and the answer held back `timeout_ms`, so a client that gives up and retries
//! must look before creating again. `latency_ms` delays every call. Draws come from an
//! RNG seeded with `seed`, so one sequence of calls meets the same faults every run.
//! `"path_contains":"/app_configurations"` limits faults and latency to the calls whose path
//! contains that text (the others are untouched and draw nothing).

use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::{header, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{bad, respond, Res};
use crate::procore::rate_limit::SPIKE_BODY;
use crate::procore::{Counters, Shared};

const KINDS: [&str; 4] = ["429", "500", "503", "timeout"];

/// The fault settings, as posted and shown.
#[derive(Clone, Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct FaultConfig {
    #[serde(default)]
    pub rate: f64,
    #[serde(default = "all_kinds")]
    pub kinds: Vec<String>,
    #[serde(default)]
    pub latency_ms: u64,
    #[serde(default = "default_timeout")]
    pub timeout_ms: u64,
    #[serde(default)]
    pub seed: u64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_contains: Option<String>,
}

fn all_kinds() -> Vec<String> {
    KINDS.iter().map(|k| (*k).to_owned()).collect()
}

fn default_timeout() -> u64 {
    3000
}

impl Default for FaultConfig {
    fn default() -> Self {
        FaultConfig {
            rate: 0.0,
            kinds: all_kinds(),
            latency_ms: 0,
            timeout_ms: default_timeout(),
            seed: 0,
            path_contains: None,
        }
    }
}

/// The settings with their RNG.
pub(crate) struct Faults {
    config: FaultConfig,
    rng: StdRng,
}

impl Default for Faults {
    fn default() -> Self {
        Faults {
            config: FaultConfig::default(),
            rng: StdRng::seed_from_u64(0),
        }
    }
}

/// Marks an injected 429 so the token gate reports `X-Rate-Limit-Remaining: 0`.
#[derive(Clone, Copy)]
pub(crate) struct InjectedLimit;

impl Faults {
    /// (latency, the fault this call gets, timeout) for a call to `path`.
    fn draw(&mut self, path: &str) -> (u64, Option<String>, u64) {
        let c = &self.config;
        if c.path_contains
            .as_deref()
            .is_some_and(|p| !path.contains(p))
        {
            return (0, None, c.timeout_ms);
        }
        let fault = (c.rate > 0.0 && !c.kinds.is_empty() && self.rng.gen::<f64>() < c.rate)
            .then(|| c.kinds[self.rng.gen_range(0..c.kinds.len())].clone());
        (c.latency_ms, fault, c.timeout_ms)
    }
}

/// Middleware of `/rest/*` (inside the token gate, so faults meet authenticated calls).
pub(crate) async fn inject(State(state): State<Shared>, req: Request, next: Next) -> Response {
    let (latency, fault, timeout) = state.faults().draw(req.uri().path());
    if latency > 0 {
        tokio::time::sleep(Duration::from_millis(latency)).await;
    }
    let c = &state.counters;
    let retry = |mut res: Response| {
        res.headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(1));
        res
    };
    match fault.as_deref() {
        None => next.run(req).await,
        Some("429") => {
            Counters::bump(&c.faults_429);
            let mut res = retry(
                (
                    StatusCode::TOO_MANY_REQUESTS,
                    [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
                    SPIKE_BODY,
                )
                    .into_response(),
            );
            res.extensions_mut().insert(InjectedLimit);
            res
        }
        Some("500") => {
            Counters::bump(&c.faults_500);
            let body = json!({ "errors": "Internal Server Error" });
            (StatusCode::INTERNAL_SERVER_ERROR, Json(body)).into_response()
        }
        Some("503") => {
            Counters::bump(&c.faults_503);
            let body = json!({ "errors": "Service Unavailable" });
            retry((StatusCode::SERVICE_UNAVAILABLE, Json(body)).into_response())
        }
        _ => {
            Counters::bump(&c.faults_timeout);
            let res = next.run(req).await;
            tokio::time::sleep(Duration::from_millis(timeout)).await;
            res
        }
    }
}

/// `GET /__sandbox/faults`.
pub(crate) async fn show(State(state): State<Shared>) -> Response {
    Json(state.faults().config.clone()).into_response()
}

/// `DELETE /__sandbox/faults`: faults off.
pub(crate) async fn clear(State(state): State<Shared>) -> Response {
    *state.faults() = Faults::default();
    Json(FaultConfig::default()).into_response()
}

/// `POST /__sandbox/faults`: replaces the settings and reseeds the RNG.
pub(crate) async fn set(State(state): State<Shared>, body: Bytes) -> Response {
    respond(configure(&state, &body))
}

fn configure(state: &Shared, body: &Bytes) -> Res {
    let config: FaultConfig = if body.iter().all(u8::is_ascii_whitespace) {
        FaultConfig::default()
    } else {
        serde_json::from_slice(body).map_err(|e| bad(format!("invalid fault settings: {e}")))?
    };
    if !(0.0..=1.0).contains(&config.rate) {
        return Err(bad("rate must be between 0 and 1"));
    }
    if let Some(k) = config.kinds.iter().find(|k| !KINDS.contains(&k.as_str())) {
        return Err(bad(format!(
            "unknown fault kind {k:?}; kinds: {}",
            KINDS.join(", ")
        )));
    }
    let rng = StdRng::seed_from_u64(config.seed);
    *state.faults() = Faults {
        config: config.clone(),
        rng,
    };
    Ok(Json(config).into_response())
}
