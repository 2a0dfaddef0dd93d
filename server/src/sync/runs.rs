//! Runs and their logs in the database: queued under the unique key
//! `project:resource:due_at` with at most one open run per project and resource, claimed
//! with a lease (another process takes over a run whose lease ran out), progress committed
//! per record, and the log.

use app::ids::{CompanyId, ProjectId};
use app::sync::api::{LogLine, RunState};
use app::sync::Resource;

use super::store::{log_line, Counts, RunRow, RUN_COLUMNS};
use crate::db::Db;
use crate::error::ServerResult;

/// Queues a run: inserted only if neither its key nor an open run of the resource exists.
/// Binds: id, company, project, resource, run_key, due_at, trigger, full, direction,
/// requested_by, now.
pub const QUEUE_RUN: &str = "INSERT INTO sync_runs (id, company_id, project_id, resource, run_key, due_at, trigger_kind, full_run, direction, state, is_open, requested_by, queued_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'queued', 1, $10, $11) ON CONFLICT DO NOTHING";

/// Moves a resource's schedule on after its run is queued. Binds: next, company, project,
/// resource, the due time it was queued for.
pub const ADVANCE_SCHEDULE: &str = "UPDATE project_sync_resources SET next_run_at = $1
     WHERE company_id = $2 AND project_id = $3 AND resource = $4 AND next_run_at = $5";

/// The unique key of a scheduled run (a manual one is keyed by its own id; the one-open
/// index is what refuses a second manual run).
pub fn run_key(project: ProjectId, resource: Resource, due_at: i64) -> String {
    format!("{}:{}:{due_at}", project.get(), resource.key())
}

/// A scheduled run that is due.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct DueRun {
    /// Company.
    pub company_id: i64,
    /// Project.
    pub project_id: i64,
    /// Resource name.
    pub resource: String,
    /// Direction name.
    pub direction: String,
    /// Frequency name.
    pub frequency: String,
    /// When it was due.
    pub next_run_at: i64,
    /// Start of the last full run.
    pub last_full_at: Option<i64>,
}

impl Db {
    /// Resources of projects with Procore ON whose next run is due by `now`.
    pub async fn due_syncs(&self, now: i64) -> ServerResult<Vec<DueRun>> {
        Ok(sqlx::query_as(
            "SELECT r.company_id, r.project_id, r.resource, r.direction, r.frequency, r.next_run_at, r.last_full_at
             FROM project_sync_resources r JOIN project_sync_settings s
               ON s.company_id = r.company_id AND s.project_id = r.project_id
             WHERE s.procore_on = 1 AND r.next_run_at IS NOT NULL AND r.next_run_at <= $1
             ORDER BY r.next_run_at LIMIT 500",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?)
    }

    /// Moves a schedule on without queuing a run (the project does not sync now).
    pub async fn skip_due_sync(
        &self,
        company: CompanyId,
        project: ProjectId,
        resource: Resource,
        due_at: i64,
        next: i64,
    ) -> ServerResult<()> {
        sqlx::query(ADVANCE_SCHEDULE)
            .bind(next)
            .bind(company.get())
            .bind(project.get())
            .bind(resource.key())
            .bind(due_at)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// Claims a run for `worker` until `lease_until`: a queued run, one of its own, or one
    /// whose holder's lease ran out (its process died). None when closed or held.
    pub async fn claim_run(
        &self,
        id: &str,
        worker: &str,
        now: i64,
        lease_until: i64,
    ) -> ServerResult<Option<RunRow>> {
        let claimed = sqlx::query(
            "UPDATE sync_runs SET state = CASE WHEN state = 'queued' THEN 'running' ELSE state END,
                 claimed_by = $2, lease_until = $4, started_at = COALESCE(started_at, $3)
             WHERE id = $1 AND is_open = 1 AND (claimed_by IS NULL OR claimed_by = $2 OR lease_until < $3)",
        )
        .bind(id.to_string())
        .bind(worker.to_string())
        .bind(now)
        .bind(lease_until)
        .execute(self.pool())
        .await?
        .rows_affected();
        if claimed == 0 {
            return Ok(None);
        }
        self.run(id).await
    }

    /// One run.
    pub async fn run(&self, id: &str) -> ServerResult<Option<RunRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE id = $1"
        )))
        .bind(id.to_string())
        .fetch_optional(self.pool())
        .await?)
    }

    /// Commits progress after a record and renews the lease (false: the lease was lost).
    pub async fn run_progress(
        &self,
        id: &str,
        worker: &str,
        counts: Counts,
        state: RunState,
        paused_until: Option<i64>,
        lease_until: i64,
    ) -> ServerResult<bool> {
        let n = sqlx::query(
            "UPDATE sync_runs SET total = $3, done = $4, created = $5, updated = $6, deleted = $7, unchanged = $8,
                 failed = $9, state = $10, paused_until = $11, lease_until = $12
             WHERE id = $1 AND claimed_by = $2 AND is_open = 1",
        )
        .bind(id.to_string())
        .bind(worker.to_string())
        .bind(counts.total)
        .bind(counts.done)
        .bind(counts.created)
        .bind(counts.updated)
        .bind(counts.deleted)
        .bind(counts.unchanged)
        .bind(counts.failed)
        .bind(state.key())
        .bind(paused_until)
        .bind(lease_until)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// Closes a run; a success moves the resource's incremental cursor to the run's start.
    pub async fn finish_run(
        &self,
        run: &RunRow,
        state: RunState,
        message: &str,
        now: i64,
    ) -> ServerResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "UPDATE sync_runs SET state = $2, message = $3, finished_at = $4, is_open = NULL, paused_until = NULL
             WHERE id = $1 AND is_open = 1",
        )
        .bind(run.id.clone())
        .bind(state.key())
        .bind(message.to_string())
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if state == RunState::Succeeded {
            let started = run.started_at.unwrap_or(now);
            sqlx::query(
                "UPDATE project_sync_resources SET last_success_at = $4,
                     last_full_at = CASE WHEN $5 = 1 THEN $4 ELSE last_full_at END
                 WHERE company_id = $1 AND project_id = $2 AND resource = $3",
            )
            .bind(run.company_id)
            .bind(run.project_id)
            .bind(run.resource.clone())
            .bind(started)
            .bind(run.full_run)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Appends a line to a run's log.
    pub async fn log_run(
        &self,
        run: &str,
        level: &str,
        record: Option<&str>,
        message: &str,
        now: i64,
    ) -> ServerResult<()> {
        sqlx::query(
            "INSERT INTO sync_log (run_id, seq, at, level, record, message)
             VALUES ($1, (SELECT COALESCE(MAX(seq), 0) + 1 FROM sync_log WHERE run_id = $1), $2, $3, $4, $5)",
        )
        .bind(run.to_string())
        .bind(now)
        .bind(level.to_string())
        .bind(record.map(str::to_string))
        .bind(message.to_string())
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// The open run of a resource, if any.
    pub async fn open_run(
        &self,
        company: CompanyId,
        project: ProjectId,
        resource: Resource,
    ) -> ServerResult<Option<RunRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE company_id = $1 AND project_id = $2 AND resource = $3 AND is_open = 1"
        )))
        .bind(company.get())
        .bind(project.get())
        .bind(resource.key())
        .fetch_optional(self.pool())
        .await?)
    }

    /// The project's runs, newest first (optionally of one resource, finished only).
    pub async fn project_runs(
        &self,
        company: CompanyId,
        project: ProjectId,
        resource: Option<Resource>,
        finished_only: bool,
        limit: i64,
    ) -> ServerResult<Vec<RunRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE company_id = $1 AND project_id = $2
               AND ($3 = '' OR resource = $3) AND ($4 = 0 OR finished_at IS NOT NULL)
             ORDER BY queued_at DESC, id DESC LIMIT $5"
        )))
        .bind(company.get())
        .bind(project.get())
        .bind(resource.map(Resource::key).unwrap_or(""))
        .bind(i64::from(finished_only))
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// A run of the company's project (None: not theirs).
    pub async fn project_run(
        &self,
        company: CompanyId,
        project: ProjectId,
        run: &str,
    ) -> ServerResult<Option<RunRow>> {
        Ok(sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {RUN_COLUMNS} FROM sync_runs WHERE company_id = $1 AND project_id = $2 AND id = $3"
        )))
        .bind(company.get())
        .bind(project.get())
        .bind(run.to_string())
        .fetch_optional(self.pool())
        .await?)
    }

    /// A run's log lines in order (at most `limit`).
    pub async fn run_log(&self, run: &str, limit: i64) -> ServerResult<Vec<LogLine>> {
        let rows: Vec<(i64, String, Option<String>, String)> = sqlx::query_as(
            "SELECT at, level, record, message FROM sync_log WHERE run_id = $1 ORDER BY seq LIMIT $2",
        )
        .bind(run.to_string())
        .bind(limit)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(log_line).collect())
    }
}
