//! Sync runs on the job library: each queued run travels as a [`SyncTask`] on its own queue,
//! and the handler runs it through the [`SyncEngine`]. apalis's heartbeats hand the task of
//! a dead process to another worker, and the run's lease in the database makes sure only
//! one worker works on a run at a time; the scanner ([`scan_syncs`]) queues due runs.

use std::sync::Arc;

use apalis::prelude::{BoxDynError, Data};
use app::ids::{CompanyId, ProjectId};
use app::sync::{next_run, Direction, Frequency, Resource};
use serde::{Deserialize, Serialize};

use crate::db::{now, Db};
use crate::sync::{scheduled_full, QueuedRun, SyncEngine};

use super::JobStore;

/// The queue sync runs travel on.
pub const SYNC_QUEUE: &str = "sync";

/// One queued run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncTask {
    /// The `sync_runs` row.
    pub run_id: String,
}

/// What a sync job uses.
#[derive(Clone)]
pub(super) struct SyncContext {
    pub engine: Arc<SyncEngine>,
    pub worker: String,
}

/// The job handler.
pub(super) async fn run(task: SyncTask, context: Data<SyncContext>) -> Result<(), BoxDynError> {
    context
        .engine
        .execute(&task.run_id, &context.worker)
        .await
        .map_err(|e| Box::new(std::io::Error::other(e.to_string())) as BoxDynError)
}

/// Queues every due scheduled run once (by key `project:resource:due_at`) and moves each
/// schedule on; returns how many this process queued.
pub async fn scan_syncs(db: &Db, store: &JobStore) -> anyhow::Result<usize> {
    let at = now();
    let mut queued = 0;
    for due in db.due_syncs(at).await? {
        let (Some(resource), Some(direction), Some(frequency)) = (
            Resource::parse(&due.resource),
            Direction::parse(&due.direction),
            Frequency::parse(&due.frequency),
        ) else {
            tracing::warn!(resource = due.resource, "unreadable sync schedule skipped");
            continue;
        };
        let (company, project) = (CompanyId(due.company_id), ProjectId(due.project_id));
        let next = next_run(frequency, at);
        // An Inactive, Cancelled or unlicensed project keeps its schedule but runs nothing.
        let syncs = match crate::sync::standing::licence(db, company, project).await? {
            Some((terms, standing)) => {
                crate::sync::standing::standing_reason(&standing).is_none()
                    && crate::sync::standing::app_reason(db, company, &terms)
                        .await?
                        .is_none()
            }
            None => false,
        };
        if !syncs {
            db.skip_due_sync(company, project, resource, due.next_run_at, next)
                .await?;
            continue;
        }
        let run = QueuedRun {
            id: uuid::Uuid::now_v7().to_string(),
            company,
            project,
            resource,
            due_at: due.next_run_at,
            trigger: "schedule",
            full: scheduled_full(frequency, due.last_full_at, at),
            direction,
            requested_by: None,
            next_run_at: Some(next),
        };
        if store.enqueue_sync(&run).await? {
            queued += 1;
        }
    }
    Ok(queued)
}
