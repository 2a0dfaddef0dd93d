//! What the Procore emulator has done: counters for tests and `/__sandbox/stats`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use serde::Serialize;

/// Counters of what the emulator has done, for tests and the `/__sandbox/stats` switch.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct ProcoreStats {
    /// Successful `authorization_code` grants.
    pub authorization_code_grants: u64,
    /// Successful `refresh_token` grants.
    pub refresh_grants: u64,
    /// Refresh attempts rejected because the token was reused, unknown or revoked.
    pub refresh_reuse_rejected: u64,
    /// Successful `client_credentials` grants.
    pub client_credentials_grants: u64,
    /// Requests received under `/rest/`, whatever their outcome.
    pub rest_calls: u64,
    /// The same requests by path (no query), e.g. `/rest/v1.1/projects`.
    pub rest_calls_by_path: BTreeMap<String, u64>,
    /// 429 responses sent.
    pub rate_limited: u64,
    /// Injected 429s (`/__sandbox/faults`), not counted in `rate_limited`.
    pub faults_429: u64,
    /// Injected 500s.
    pub faults_500: u64,
    /// Injected 503s.
    pub faults_503: u64,
    /// Injected timeouts (the call was performed, its answer held back).
    pub faults_timeout: u64,
}

impl ProcoreStats {
    /// Requests received on this `/rest/` path (no query), whatever their outcome.
    pub fn calls_to(&self, path: &str) -> u64 {
        self.rest_calls_by_path.get(path).copied().unwrap_or(0)
    }
}

/// Lock-free counters behind [`ProcoreStats`].
#[derive(Default)]
pub(crate) struct Counters {
    pub authorization_code_grants: AtomicU64,
    pub refresh_grants: AtomicU64,
    pub refresh_reuse_rejected: AtomicU64,
    pub client_credentials_grants: AtomicU64,
    pub rest_calls: AtomicU64,
    rest_paths: Mutex<BTreeMap<String, u64>>,
    pub rate_limited: AtomicU64,
    pub faults_429: AtomicU64,
    pub faults_500: AtomicU64,
    pub faults_503: AtomicU64,
    pub faults_timeout: AtomicU64,
}

impl Counters {
    /// Adds one to a counter.
    pub fn bump(counter: &AtomicU64) {
        counter.fetch_add(1, Ordering::Relaxed);
    }

    /// Counts one `/rest/` request on `path`.
    pub fn bump_rest(&self, path: &str) {
        Self::bump(&self.rest_calls);
        let mut paths = self.rest_paths.lock().unwrap_or_else(|e| e.into_inner());
        *paths.entry(path.to_owned()).or_default() += 1;
    }

    /// The counters now.
    pub fn snapshot(&self) -> ProcoreStats {
        let get = |c: &AtomicU64| c.load(Ordering::Relaxed);
        ProcoreStats {
            authorization_code_grants: get(&self.authorization_code_grants),
            refresh_grants: get(&self.refresh_grants),
            refresh_reuse_rejected: get(&self.refresh_reuse_rejected),
            client_credentials_grants: get(&self.client_credentials_grants),
            rest_calls: get(&self.rest_calls),
            rest_calls_by_path: self
                .rest_paths
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .clone(),
            rate_limited: get(&self.rate_limited),
            faults_429: get(&self.faults_429),
            faults_500: get(&self.faults_500),
            faults_503: get(&self.faults_503),
            faults_timeout: get(&self.faults_timeout),
        }
    }
}
