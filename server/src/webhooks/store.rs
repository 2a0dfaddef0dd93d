//! The SQL of the Stripe webhook inbox (`stripe_inbox`): store once per event id (several
//! events per statement), claim due
//! rows under a lease (PostgreSQL: `FOR UPDATE SKIP LOCKED`; SQLite serialises writers, so
//! its single `UPDATE … RETURNING` is already atomic), mark applied or failed, prune.

use super::ReceivedEvent;
use crate::db::{values_placeholders, Db, DbKind};
use crate::licensing::events::StripeEventRef;

/// Rows due for a worker: unapplied, attempts left, backoff over, no live claim.
const DUE: &str = "SELECT id FROM stripe_inbox
     WHERE applied_at IS NULL AND attempts < $3 AND next_attempt_at <= $4 AND claimed_until <= $4
     ORDER BY next_attempt_at LIMIT $5";

/// An event a worker claimed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ClaimedEvent {
    /// What to apply.
    pub event: StripeEventRef,
    /// Which attempt this claim is (1 for the first); identifies the claim with the worker.
    pub attempt: i64,
}

type ClaimedRow = (String, String, Option<String>, Option<String>, i64);

impl Db {
    /// Stores verified events (distinct ids) whose ids are not stored yet, in one statement;
    /// returns the ids it stored.
    pub async fn store_stripe_events(
        &self,
        events: &[&ReceivedEvent],
        now: i64,
    ) -> Result<Vec<String>, sqlx::Error> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "INSERT INTO stripe_inbox (id, kind, object_id, subscription, event_created, received_at, next_attempt_at)
             VALUES {} ON CONFLICT (id) DO NOTHING RETURNING id",
            values_placeholders(events.len(), 7)
        );
        let mut query = sqlx::query_as::<_, (String,)>(sqlx::AssertSqlSafe(sql));
        for received in events {
            let event = &received.event;
            query = query
                .bind(event.id.clone())
                .bind(event.kind.clone())
                .bind(event.object_id.clone())
                .bind(event.subscription.clone())
                .bind(received.created)
                .bind(now)
                .bind(now);
        }
        let stored = query.fetch_all(self.pool()).await?;
        Ok(stored.into_iter().map(|(id,)| id).collect())
    }

    /// Claims up to `limit` due events for `worker` until `now + lease_secs`, counting an
    /// attempt on each; rows claimed by a live lease elsewhere are skipped.
    pub async fn claim_stripe_events(
        &self,
        worker: &str,
        limit: i64,
        lease_secs: i64,
        max_attempts: i64,
        now: i64,
    ) -> Result<Vec<ClaimedEvent>, sqlx::Error> {
        let lock = match self.kind() {
            DbKind::Postgres => " FOR UPDATE SKIP LOCKED",
            DbKind::Sqlite => "",
        };
        let sql = format!(
            "UPDATE stripe_inbox SET claimed_by = $1, claimed_until = $2, attempts = attempts + 1
             WHERE id IN ({DUE}{lock})
             RETURNING id, kind, object_id, subscription, attempts"
        );
        let rows: Vec<ClaimedRow> = sqlx::query_as(sqlx::AssertSqlSafe(sql))
            .bind(worker.to_string())
            .bind(now + lease_secs)
            .bind(max_attempts)
            .bind(now)
            .bind(limit)
            .fetch_all(self.pool())
            .await?;
        Ok(rows
            .into_iter()
            .map(
                |(id, kind, object_id, subscription, attempt)| ClaimedEvent {
                    event: StripeEventRef {
                        id,
                        kind,
                        object_id,
                        subscription,
                    },
                    attempt,
                },
            )
            .collect())
    }

    /// Records an application of each of `ids` (`applied_at` keeps the first;
    /// `apply_count` counts every one, so a second application would show).
    pub async fn mark_stripe_events_applied(
        &self,
        ids: &[String],
        now: i64,
    ) -> Result<(), sqlx::Error> {
        let placeholders: Vec<String> = (2..ids.len() + 2).map(|n| format!("${n}")).collect();
        let sql = format!(
            "UPDATE stripe_inbox SET applied_at = COALESCE(applied_at, $1),
                 apply_count = apply_count + 1, claimed_until = 0
             WHERE id IN ({})",
            placeholders.join(", ")
        );
        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(now);
        for id in ids {
            query = query.bind(id.clone());
        }
        query.execute(self.pool()).await?;
        Ok(())
    }

    /// Records a failed attempt and when to try again; only the claim's own holder can (a
    /// claim that ran out and was taken by another worker is left to that worker).
    pub async fn mark_stripe_event_failed(
        &self,
        id: &str,
        worker: &str,
        attempt: i64,
        error: &str,
        next_attempt_at: i64,
    ) -> Result<(), sqlx::Error> {
        sqlx::query(
            "UPDATE stripe_inbox SET last_error = $4, next_attempt_at = $5, claimed_until = 0
             WHERE id = $1 AND claimed_by = $2 AND attempts = $3 AND applied_at IS NULL",
        )
        .bind(id.to_string())
        .bind(worker.to_string())
        .bind(attempt)
        .bind(error.to_string())
        .bind(next_attempt_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// How many stored events are not applied yet (given-up ones included).
    pub async fn unapplied_stripe_events(&self) -> Result<i64, sqlx::Error> {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM stripe_inbox WHERE applied_at IS NULL")
                .fetch_one(self.pool())
                .await?;
        Ok(n)
    }

    /// Forgets applied events received before `older_than`; returns how many went. Events
    /// never applied stay for the reconciliation job.
    pub async fn prune_stripe_events(&self, older_than: i64) -> Result<u64, sqlx::Error> {
        let done = sqlx::query(
            "DELETE FROM stripe_inbox WHERE applied_at IS NOT NULL AND received_at < $1",
        )
        .bind(older_than)
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }
}
