//! Scheduled deletions: the facts (live subscriptions and the schedule row), storing and
//! cancelling a schedule, and the periodic run that carries out the due ones.
//!
//! The rule when a subscription renews again after the schedule (reactivated with Undo, or
//! a new purchase): the schedule is **cancelled**, never silently kept. The page says so at
//! once (the status treats a renewing subscription as calling the schedule off) and the
//! next periodic run records the cancellation with its reason; the run never deletes while
//! a subscription renews. A later subscription that is itself set to end moves the date to
//! its period end, so nobody pays for a period whose data is gone.
//!
//! Several server processes: the periodic task is enqueued once per period (the jobs'
//! unique key), and each deletion first claims its row with a conditional UPDATE inside the
//! deleting transaction, so two runs can never both delete or both record a receipt.

use app::ports::Caller;
use app::privacy::{renewing_again_words, DeletionStanding, DeletionStatus};

use super::{delete_rows, Request};
use crate::db::{now, Db};

/// One live subscription: (set to end at period end, period end).
pub type Live = (bool, i64);

/// The company's live subscriptions.
pub async fn live_subscriptions(db: &Db, company: i64) -> Result<Vec<Live>, sqlx::Error> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
        "SELECT cancel_at_period_end, current_period_end FROM billing_subscriptions WHERE company_id = $1 AND status IN ({})",
        // A subscription whose projects are still held (also unpaid or paused) stops a
        // deletion, not only a renewing one.
        crate::licensing::status::held_statuses_sql()
    )))
    .bind(company)
    .fetch_all(db.pool())
    .await?;
    Ok(rows.into_iter().map(|(c, end)| (c != 0, end)).collect())
}

/// How many of `live` renew.
pub fn renewing(live: &[Live]) -> u32 {
    live.iter().filter(|(ending, _)| !ending).count() as u32
}

/// The latest period end of `live` (0 when none).
pub fn latest_end(live: &[Live]) -> i64 {
    live.iter().map(|(_, end)| *end).max().unwrap_or(0)
}

/// A company's schedule row.
#[derive(Debug, Clone, sqlx::FromRow)]
struct Row {
    scheduled_at: i64,
    due_at: i64,
    cancelled_at: Option<i64>,
    cancelled_by: Option<i64>,
    cancel_reason: Option<String>,
}

async fn row(db: &Db, company: i64) -> Result<Option<Row>, sqlx::Error> {
    sqlx::query_as(
        "SELECT scheduled_at, due_at, cancelled_at, cancelled_by, cancel_reason FROM scheduled_deletions WHERE company_id = $1",
    )
    .bind(company)
    .fetch_optional(db.pool())
    .await
}

/// Where the company stands (see [`DeletionStanding`]).
pub async fn status(db: &Db, company: i64, name: String) -> Result<DeletionStatus, sqlx::Error> {
    let live = live_subscriptions(db, company).await?;
    let row = row(db, company).await?;
    let pending = row.as_ref().filter(|r| r.cancelled_at.is_none());
    let renewing = renewing(&live);
    let mut called_off = row
        .as_ref()
        .filter(|r| r.cancelled_at.is_some() && r.cancelled_by.is_none())
        .and_then(|r| r.cancel_reason.clone());
    let standing = match pending {
        Some(r) if renewing > 0 => {
            called_off = Some(renewing_again_words(r.due_at, renewing));
            DeletionStanding::Refused { renewing }
        }
        Some(r) => DeletionStanding::Scheduled {
            due_at: r.due_at.max(latest_end(&live)),
            scheduled_at: r.scheduled_at,
        },
        None if live.is_empty() => DeletionStanding::Immediate,
        None if renewing > 0 => DeletionStanding::Refused { renewing },
        None => DeletionStanding::CanSchedule {
            due_at: latest_end(&live),
        },
    };
    if matches!(standing, DeletionStanding::Scheduled { .. }) {
        called_off = None;
    }
    Ok(DeletionStatus {
        company_name: name,
        standing,
        called_off,
    })
}

/// Stores (or renews) the caller's company's schedule for `due_at`.
pub async fn store(db: &Db, caller: &Caller, due_at: i64) -> Result<(), sqlx::Error> {
    sqlx::query(
        "INSERT INTO scheduled_deletions (company_id, requested_by, scheduled_at, due_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (company_id) DO UPDATE SET requested_by = excluded.requested_by,
         scheduled_at = excluded.scheduled_at, due_at = excluded.due_at,
         cancelled_at = NULL, cancelled_by = NULL, cancel_reason = NULL",
    )
    .bind(caller.company.get())
    .bind(caller.user.get())
    .bind(now())
    .bind(due_at)
    .execute(db.pool())
    .await?;
    Ok(())
}

/// Cancels the caller's company's pending schedule; false when none was pending.
pub async fn cancel(db: &Db, caller: &Caller) -> Result<bool, sqlx::Error> {
    let done = sqlx::query(
        "UPDATE scheduled_deletions SET cancelled_at = $1, cancelled_by = $2, cancel_reason = NULL
         WHERE company_id = $3 AND cancelled_at IS NULL",
    )
    .bind(now())
    .bind(caller.user.get())
    .bind(caller.company.get())
    .execute(db.pool())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// What one periodic run did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOutcome {
    /// Companies whose data was deleted.
    pub deleted: usize,
    /// Schedules cancelled because a subscription renews again.
    pub called_off: usize,
    /// Schedules moved to a later period end.
    pub moved: usize,
}

/// Carries out every pending schedule due at `at`: calls off those whose company has a
/// renewing subscription, moves those a later ending subscription outlasts, and deletes the
/// rest through the one delete path, recording the receipt.
pub async fn run_due(db: &Db, at: i64) -> Result<RunOutcome, sqlx::Error> {
    let pending: Vec<(i64, i64, i64, i64)> = sqlx::query_as(
        "SELECT company_id, requested_by, scheduled_at, due_at FROM scheduled_deletions WHERE cancelled_at IS NULL ORDER BY due_at",
    )
    .fetch_all(db.pool())
    .await?;
    let mut outcome = RunOutcome::default();
    for (company, requested_by, scheduled_at, due_at) in pending {
        let live = live_subscriptions(db, company).await?;
        let renewing = renewing(&live);
        if renewing > 0 {
            let done = sqlx::query(
                "UPDATE scheduled_deletions SET cancelled_at = $1, cancel_reason = $2 WHERE company_id = $3 AND cancelled_at IS NULL",
            )
            .bind(at)
            .bind(renewing_again_words(due_at, renewing))
            .bind(company)
            .execute(db.pool())
            .await?;
            outcome.called_off += done.rows_affected() as usize;
            tracing::warn!(
                company,
                "scheduled deletion cancelled: a subscription renews again"
            );
            continue;
        }
        let due = due_at.max(latest_end(&live));
        if due > due_at {
            sqlx::query("UPDATE scheduled_deletions SET due_at = $1 WHERE company_id = $2 AND cancelled_at IS NULL")
                .bind(due)
                .bind(company)
                .execute(db.pool())
                .await?;
            outcome.moved += 1;
        }
        if due > at {
            continue;
        }
        let mut tx = db.pool().begin().await?;
        // The claim: only one run (of any process) gets the row.
        let claimed = sqlx::query(
            "UPDATE scheduled_deletions SET cancelled_at = $1, cancel_reason = 'deleted' WHERE company_id = $2 AND cancelled_at IS NULL AND due_at <= $1",
        )
        .bind(at)
        .bind(company)
        .execute(&mut *tx)
        .await?;
        let name: Option<(String,)> = sqlx::query_as("SELECT name FROM companies WHERE id = $1")
            .bind(company)
            .fetch_optional(&mut *tx)
            .await?;
        let (1, Some((company_name,))) = (claimed.rows_affected(), name) else {
            tx.rollback().await?;
            continue;
        };
        let request = Request {
            company,
            company_name,
            requested_by,
            scheduled_at: Some(scheduled_at),
        };
        let receipt = delete_rows(&mut tx, &request).await?;
        tx.commit().await?;
        outcome.deleted += 1;
        tracing::warn!(
            company,
            reference = receipt.reference,
            "company data deleted as scheduled"
        );
    }
    Ok(outcome)
}
