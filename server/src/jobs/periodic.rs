//! Periodic housekeeping: what runs, how often, and the run itself. Each run is recorded in
//! `job_runs` (which also lets tests count runs across processes).

use apalis::prelude::{BoxDynError, Data};
use serde::{Deserialize, Serialize};
use tower_sessions::ExpiredDeletion;

use super::JobContext;
use crate::db::{now, Db, DbSessionStore};
use crate::webhooks::STRIPE_RETRY_WINDOW_SECS;

/// A kind of periodic work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PeriodicKind {
    /// Forget applied Stripe events (inbox rows) older than Stripe's retry window.
    PruneStripeEvents,
    /// Delete expired browser sessions.
    DeleteExpiredSessions,
    /// Release checkout holds whose Checkout Session ran out.
    ReleaseExpiredHolds,
    /// Compare licences, orders and subscriptions with Stripe and repair differences.
    ReconcileWithStripe,
    /// Ask Procore which of our apps each company has installed.
    CheckInstallations,
    /// Delete the data of companies whose scheduled deletion is due ([`crate::privacy::schedule`]).
    RunScheduledDeletions,
}

impl PeriodicKind {
    /// Every kind.
    pub const ALL: [Self; 6] = [
        Self::PruneStripeEvents,
        Self::DeleteExpiredSessions,
        Self::ReleaseExpiredHolds,
        Self::ReconcileWithStripe,
        Self::CheckInstallations,
        Self::RunScheduledDeletions,
    ];

    /// The stored name (the first half of the unique key `task:period_start`).
    pub fn name(self) -> &'static str {
        match self {
            Self::PruneStripeEvents => "prune_stripe_events",
            Self::DeleteExpiredSessions => "delete_expired_sessions",
            Self::ReleaseExpiredHolds => "release_expired_holds",
            Self::ReconcileWithStripe => "reconcile_with_stripe",
            Self::CheckInstallations => "check_installations",
            Self::RunScheduledDeletions => "run_scheduled_deletions",
        }
    }

    /// How often it runs in production, in seconds.
    pub fn period_secs(self) -> i64 {
        match self {
            Self::PruneStripeEvents
            | Self::DeleteExpiredSessions
            | Self::ReconcileWithStripe
            | Self::RunScheduledDeletions => 3600,
            Self::ReleaseExpiredHolds => 300,
            // Each run checks only the companies that are due (installs::check_all).
            Self::CheckInstallations => crate::installs::CHECK_LIVE_EVERY_SECS,
        }
    }
}

/// One period's run of a kind of periodic work.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PeriodicTask {
    /// What to do.
    pub kind: PeriodicKind,
    /// The start of the period it belongs to (UTC unix seconds).
    pub period_start: i64,
}

/// The job handler: does the work, then records the run.
pub(super) async fn run(task: PeriodicTask, context: Data<JobContext>) -> Result<(), BoxDynError> {
    if !context.run_delay.is_zero() {
        tokio::time::sleep(context.run_delay).await;
    }
    let outcome = match task.kind {
        PeriodicKind::PruneStripeEvents => {
            let pruned = context
                .db
                .prune_stripe_events(now() - STRIPE_RETRY_WINDOW_SECS)
                .await?;
            format!("{pruned} events pruned")
        }
        PeriodicKind::DeleteExpiredSessions => {
            DbSessionStore::new(context.db.clone())
                .delete_expired()
                .await
                .map_err(|e| e.to_string())?;
            "expired sessions deleted".to_string()
        }
        PeriodicKind::ReleaseExpiredHolds => {
            let released = context.db.release_expired_holds().await?;
            format!("{released} checkout holds released")
        }
        PeriodicKind::ReconcileWithStripe => match &context.reconciler {
            Some(r) => {
                let mut repairs = 0;
                for company in r.subscriptions.billed_companies().await? {
                    // One company's trouble (Stripe down, a bad row) does not stop the rest.
                    let settled = r.licensing.settle_open_orders(company).await;
                    let fixed = r.subscriptions.reconcile_company(company).await;
                    match (settled, fixed) {
                        (Ok(a), Ok(b)) => repairs += a.len() + b.len(),
                        (a, b) => {
                            tracing::warn!(%company, settled = a.is_ok(), fixed = b.is_ok(), "reconciling a company failed; next hour retries")
                        }
                    }
                }
                format!("{repairs} repairs")
            }
            None => "no reconciler configured".to_string(),
        },
        PeriodicKind::CheckInstallations => match &context.installs {
            Some(installs) => format!("{} companies checked", installs.check_all().await?),
            None => "no install check configured".to_string(),
        },
        PeriodicKind::RunScheduledDeletions => {
            let done = crate::privacy::schedule::run_due(&context.db, now()).await?;
            format!(
                "{} deleted, {} called off, {} moved",
                done.deleted, done.called_off, done.moved
            )
        }
    };
    context
        .db
        .record_job_run(&task, &context.worker, &outcome)
        .await?;
    tracing::info!(
        task = task.kind.name(),
        period_start = task.period_start,
        outcome,
        "periodic job done"
    );
    Ok(())
}

/// One recorded run.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct JobRun {
    /// The task's name.
    pub task: String,
    /// Its period.
    pub period_start: i64,
    /// The worker that ran it.
    pub worker: String,
}

impl Db {
    /// Records a finished run.
    pub async fn record_job_run(
        &self,
        task: &PeriodicTask,
        worker: &str,
        outcome: &str,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "INSERT INTO job_runs (task, period_start, worker, outcome, finished_at) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(task.kind.name())
        .bind(task.period_start)
        .bind(worker.to_string())
        .bind(outcome.to_string())
        .bind(now())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Every recorded run, oldest period first.
    pub async fn job_runs(&self) -> Result<Vec<JobRun>, sqlx::Error> {
        sqlx::query_as(
            "SELECT task, period_start, worker FROM job_runs ORDER BY period_start, task, worker",
        )
        .fetch_all(self.pool())
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tasks_travel_as_json_with_their_names() {
        let task = PeriodicTask {
            kind: PeriodicKind::PruneStripeEvents,
            period_start: 7200,
        };
        let json = serde_json::to_string(&task).unwrap();
        assert_eq!(
            json,
            r#"{"kind":"prune_stripe_events","period_start":7200}"#
        );
        assert_eq!(serde_json::from_str::<PeriodicTask>(&json).unwrap(), task);
        for kind in PeriodicKind::ALL {
            let as_json = serde_json::to_string(&kind).unwrap();
            assert_eq!(as_json, format!("\"{}\"", kind.name()));
        }
    }
}
