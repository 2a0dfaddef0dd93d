//! Where jobs are kept: apalis's storage on a typed pool (PostgreSQL or SQLite) opened on
//! the app's database, and the transactional "enqueue once per period".

use std::str::FromStr;
use std::time::Duration;

use apalis::prelude::TaskBuilder;
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgPool, SqlitePool};

use super::periodic::PeriodicTask;
use super::sync_task::{SyncTask, SYNC_QUEUE};
use super::PERIODIC_QUEUE;
use crate::sync::runs::{run_key, ADVANCE_SCHEDULE, QUEUE_RUN};
use crate::sync::QueuedRun;

/// A claimed period: inserted only if no process claimed it before.
const CLAIM_PERIOD: &str = "INSERT INTO job_periods (task, period_start, enqueued_at)
     VALUES ($1, $2, $3) ON CONFLICT (task, period_start) DO NOTHING";

/// The typed pool apalis works on.
#[derive(Clone, Debug)]
pub enum JobStore {
    /// PostgreSQL (apalis's tables live in the `apalis` schema).
    Postgres(PgPool),
    /// SQLite (apalis's tables beside ours; its migrations tracked in `_apalis_migrations`).
    Sqlite(SqlitePool),
}

impl JobStore {
    /// Opens the pool on `url` (the app's own database) and runs apalis's migrations.
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            // Not `SqliteStorage::setup`: it would also switch our database to
            // `synchronous = OFF`. WAL and a busy timeout are what two pools on one file need.
            let options = SqliteConnectOptions::from_str(url)?
                .journal_mode(SqliteJournalMode::Wal)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new()
                .max_connections(2)
                .connect_with(options)
                .await?;
            // apalis's migrations would clash with ours in `_sqlx_migrations` (each migrator
            // refuses versions it does not know): give them their own table.
            let mut migrator = SqliteStorage::migrations();
            migrator.dangerous_set_table_name("_apalis_migrations");
            migrator.run(&pool).await?;
            Ok(Self::Sqlite(pool))
        } else {
            let pool = PgPoolOptions::new()
                .max_connections(4)
                .acquire_timeout(Duration::from_secs(10))
                .connect(url)
                .await?;
            // Schema `apalis`, its own migrations table; creates the hstore extension it needs.
            PostgresStorage::setup(&pool).await?;
            Ok(Self::Postgres(pool))
        }
    }

    /// Claims `task`'s period and enqueues it in one transaction; false when some process
    /// (this one included) already did.
    pub async fn enqueue_once(&self, task: &PeriodicTask) -> anyhow::Result<bool> {
        let args = serde_json::to_vec(task)?;
        let built = TaskBuilder::new(args).max_attempts(5).build();
        let now = crate::db::now();
        // The same steps on either typed pool (their transaction and task types differ).
        macro_rules! claim_then {
            ($pool:expr, |$tx:ident| $push:expr) => {{
                let mut $tx = $pool.begin().await?;
                let claimed = sqlx::query(CLAIM_PERIOD)
                    .bind(task.kind.name())
                    .bind(task.period_start)
                    .bind(now)
                    .execute(&mut *$tx)
                    .await?
                    .rows_affected()
                    == 1;
                if claimed {
                    $push.await?;
                }
                $tx.commit().await?;
                claimed
            }};
        }
        let claimed = match self {
            Self::Postgres(pool) => claim_then!(pool, |tx| {
                apalis_postgres::queries::push_tasks(&mut *tx, PERIODIC_QUEUE, vec![built])
            }),
            Self::Sqlite(pool) => claim_then!(pool, |tx| {
                apalis_sqlite::queries::push_tasks(&mut *tx, PERIODIC_QUEUE, &[built])
            }),
        };
        if claimed {
            tracing::info!(
                task = task.kind.name(),
                period_start = task.period_start,
                "periodic job enqueued"
            );
        }
        Ok(claimed)
    }

    /// Queues a sync run and its job in one transaction (and, for a scheduled run, moves
    /// the schedule on); false when the run's key or an open run of the resource exists.
    pub async fn enqueue_sync(&self, run: &QueuedRun) -> anyhow::Result<bool> {
        let args = serde_json::to_vec(&SyncTask {
            run_id: run.id.clone(),
        })?;
        let built = TaskBuilder::new(args).max_attempts(25).build();
        let now = crate::db::now();
        macro_rules! queue_then {
            ($pool:expr, |$tx:ident| $push:expr) => {{
                let mut $tx = $pool.begin().await?;
                let queued = sqlx::query(QUEUE_RUN)
                    .bind(run.id.clone())
                    .bind(run.company.get())
                    .bind(run.project.get())
                    .bind(run.resource.key())
                    .bind(if run.trigger == "manual" {
                        format!(
                            "{}:{}:manual:{}",
                            run.project.get(),
                            run.resource.key(),
                            run.id
                        )
                    } else {
                        run_key(run.project, run.resource, run.due_at)
                    })
                    .bind(run.due_at)
                    .bind(run.trigger)
                    .bind(i64::from(run.full))
                    .bind(run.direction.key())
                    .bind(run.requested_by)
                    .bind(now)
                    .execute(&mut *$tx)
                    .await?
                    .rows_affected()
                    == 1;
                if queued {
                    $push.await?;
                }
                if let Some(next) = run.next_run_at {
                    sqlx::query(ADVANCE_SCHEDULE)
                        .bind(next)
                        .bind(run.company.get())
                        .bind(run.project.get())
                        .bind(run.resource.key())
                        .bind(run.due_at)
                        .execute(&mut *$tx)
                        .await?;
                }
                $tx.commit().await?;
                queued
            }};
        }
        let queued = match self {
            Self::Postgres(pool) => queue_then!(pool, |tx| {
                apalis_postgres::queries::push_tasks(&mut *tx, SYNC_QUEUE, vec![built])
            }),
            Self::Sqlite(pool) => queue_then!(pool, |tx| {
                apalis_sqlite::queries::push_tasks(&mut *tx, SYNC_QUEUE, &[built])
            }),
        };
        if queued {
            tracing::info!(run = run.id, project = %run.project, resource = run.resource.key(), trigger = run.trigger, "sync run queued");
        }
        Ok(queued)
    }

    /// Closes the pool.
    pub async fn close(&self) {
        match self {
            Self::Postgres(pool) => pool.close().await,
            Self::Sqlite(pool) => pool.close().await,
        }
    }
}
