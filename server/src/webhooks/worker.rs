//! The inbox worker of one server process: claims due events in batches, applies them
//! through licensing (a few at a time), marks those applied (one write per batch), and for
//! each failure keeps its error and backs off.
//! Woken by this process's webhook handler right after a store; polls as the fallback (events
//! another process stored, retries falling due, claims of a crashed process running out).

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use rand::Rng;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use super::store::ClaimedEvent;
use super::WebhookInbox;
use crate::db::now;
use crate::licensing::events::StripeEventRef;
use crate::licensing::LicensingService;

/// How the worker paces itself. The defaults suit production; tests may shorten them.
#[derive(Debug, Clone)]
pub struct WorkerConfig {
    /// How often an idle worker looks for work it was not woken for.
    pub poll_every: Duration,
    /// Events claimed at once.
    pub batch: i64,
    /// Events of a batch applied at the same time.
    pub concurrency: usize,
    /// How long a claim lasts; must exceed the time a whole batch may take.
    pub lease_secs: i64,
    /// The longest one application may take before it counts as failed.
    pub apply_timeout: Duration,
    /// Attempts before an event is left (unapplied, with its error) to reconciliation.
    pub max_attempts: i64,
    /// The first retry's delay; each further one doubles it, up to `max_backoff_secs`.
    pub base_backoff_secs: i64,
    /// The longest delay between two attempts.
    pub max_backoff_secs: i64,
}

impl Default for WorkerConfig {
    fn default() -> Self {
        Self {
            poll_every: Duration::from_secs(1),
            batch: 32,
            concurrency: 8,
            lease_secs: 300,
            apply_timeout: Duration::from_secs(60),
            // 5 s, 10 s, … capped at an hour: about 3 hours of retries in all.
            max_attempts: 12,
            base_backoff_secs: 5,
            max_backoff_secs: 3600,
        }
    }
}

/// The delay before attempt `attempt + 1` after attempt `attempt` failed: exponential,
/// capped, with "equal jitter" (`unit` in 0..=1 picks within the upper half) so that
/// events failing together do not come back together.
pub fn retry_delay_secs(attempt: i64, config: &WorkerConfig, unit: f64) -> i64 {
    let doublings = attempt.clamp(1, 31) - 1;
    let full = config
        .base_backoff_secs
        .saturating_mul(1 << doublings)
        .min(config.max_backoff_secs)
        .max(1);
    let half = full / 2;
    full - half + (half as f64 * unit.clamp(0.0, 1.0)).round() as i64
}

/// Applies the inbox's events; one per server process (any number may share a database).
#[derive(Clone)]
pub struct WebhookWorker {
    inbox: WebhookInbox,
    licensing: Arc<LicensingService>,
    config: WorkerConfig,
    name: String,
}

impl WebhookWorker {
    /// A worker named `name` (how its claims are recorded).
    pub fn new(
        inbox: WebhookInbox,
        licensing: Arc<LicensingService>,
        config: WorkerConfig,
        name: String,
    ) -> Self {
        Self {
            inbox,
            licensing,
            config,
            name,
        }
    }

    /// Runs until `token` is cancelled, finishing the batch in hand.
    pub fn spawn(&self, token: CancellationToken) -> JoinHandle<()> {
        let worker = self.clone();
        tokio::spawn(async move {
            while !token.is_cancelled() {
                let claimed = match worker.run_once().await {
                    Ok(claimed) => claimed,
                    Err(error) => {
                        tracing::warn!(%error, "claiming Stripe events failed; polling again");
                        0
                    }
                };
                if claimed > 0 {
                    continue; // more may be due: drain before waiting
                }
                tokio::select! {
                    _ = token.cancelled() => break,
                    _ = worker.inbox.woken() => {}
                    _ = tokio::time::sleep(worker.config.poll_every) => {}
                }
            }
        })
    }

    /// Claims one batch, applies it, and marks what was applied in one write; returns how
    /// many events were claimed.
    pub async fn run_once(&self) -> Result<usize, sqlx::Error> {
        let db = self.inbox.db();
        let turn = self.inbox.write_turn().await;
        let claimed = db
            .claim_stripe_events(
                &self.name,
                self.config.batch,
                self.config.lease_secs,
                self.config.max_attempts,
                now(),
            )
            .await?;
        drop(turn);
        let count = claimed.len();
        let applied: Vec<StripeEventRef> = futures::stream::iter(claimed)
            .map(|claimed| self.apply(claimed))
            .buffer_unordered(self.config.concurrency)
            .filter_map(|applied| async move { applied })
            .collect()
            .await;
        if applied.is_empty() {
            return Ok(count);
        }
        let ids: Vec<String> = applied.iter().map(|e| e.id.clone()).collect();
        let turn = self.inbox.write_turn().await;
        let marked = db.mark_stripe_events_applied(&ids, now()).await;
        drop(turn);
        if let Err(error) = marked {
            // Their claims run out and they are applied again, which changes nothing.
            tracing::warn!(%error, events = ?ids, "marking Stripe events applied failed");
            return Ok(count);
        }
        for event in &applied {
            tracing::info!(event = event.id, kind = event.kind, "Stripe event applied");
        }
        Ok(count)
    }

    /// Applies one claimed event: the event when it was applied, else `None` after
    /// recording the failure and when to try again.
    async fn apply(&self, claimed: ClaimedEvent) -> Option<StripeEventRef> {
        let event = claimed.event;
        let timeout = self.config.apply_timeout;
        let error =
            match tokio::time::timeout(timeout, self.licensing.apply_stripe_event(&event)).await {
                Ok(Ok(())) => return Some(event),
                Ok(Err(error)) => error.to_string(),
                Err(_) => format!("timed out after {timeout:?}"),
            };
        let attempt = claimed.attempt;
        let delay = retry_delay_secs(attempt, &self.config, rand::thread_rng().gen::<f64>());
        let turn = self.inbox.write_turn().await;
        let recorded = self
            .inbox
            .db()
            .mark_stripe_event_failed(&event.id, &self.name, attempt, &error, now() + delay)
            .await;
        drop(turn);
        if let Err(db_error) = recorded {
            tracing::warn!(error = %db_error, event = event.id, "recording a failed Stripe event failed");
        }
        if attempt >= self.config.max_attempts {
            tracing::error!(
                event = event.id,
                kind = event.kind,
                attempt,
                error,
                "Stripe event not applied after the last attempt; left for reconciliation"
            );
        } else {
            tracing::warn!(
                event = event.id,
                kind = event.kind,
                attempt,
                retry_in_secs = delay,
                error,
                "applying a Stripe event failed; will retry"
            );
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_with_jitter_up_to_the_cap() {
        let config = WorkerConfig::default();
        assert_eq!(retry_delay_secs(1, &config, 1.0), 5);
        assert_eq!(retry_delay_secs(1, &config, 0.0), 3, "upper half of 5 s");
        assert_eq!(retry_delay_secs(2, &config, 1.0), 10);
        assert_eq!(retry_delay_secs(4, &config, 0.0), 20);
        for attempt in [11, 12, 40, i64::MAX] {
            let delay = retry_delay_secs(attempt, &config, 1.0);
            assert_eq!(delay, 3600, "capped at attempt {attempt}");
            assert_eq!(retry_delay_secs(attempt, &config, 0.0), 1800);
        }
        assert_eq!(
            retry_delay_secs(0, &config, 0.5),
            4,
            "never below the first step"
        );
    }
}
