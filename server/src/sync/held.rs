//! Deletions held by a run that stopped at the delete cap: the run keeps the list of what it
//! would have deleted (names, not keys), the settings and resource pages show it, and a
//! company admin either confirms them (the next run may make that many deletions past the
//! cap, once) or keeps the records (removed here: restored; gone from Procore: kept here,
//! unlinked), so later runs do not stop over them again.

use app::ids::{CompanyId, ProjectId};
use app::sync::api::{HeldDeletions, RunState, HELD_NAMES_SHOWN};
use app::sync::Resource;
use serde::{Deserialize, Serialize};

use super::plan::Op;
use super::store::RunRow;
use crate::db::Db;
use crate::error::{ServerError, ServerResult};

/// Where a held deletion would have happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Side {
    /// Here: Procore no longer has the record.
    Here,
    /// In Procore: the entry was removed here.
    Procore,
}

/// One deletion a stopped run did not make.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldDelete {
    /// Our entry.
    pub local: String,
    /// Its name as people read it.
    pub name: String,
    /// Where it would have been deleted.
    pub side: Side,
}

impl HeldDelete {
    /// The deletion `op` would make, named `name` (None: `op` deletes nothing).
    pub fn of(op: &Op, name: String) -> Option<Self> {
        match op {
            Op::DropLocal { local, .. } => Some(Self {
                local: local.clone(),
                name,
                side: Side::Here,
            }),
            Op::DeleteRemote { local, .. } => Some(Self {
                local: local.clone(),
                name,
                side: Side::Procore,
            }),
            _ => None,
        }
    }

    /// The log line's words.
    pub fn words(&self) -> &'static str {
        match self.side {
            Side::Here => "Not deleted here (Procore no longer has it): the run stopped at the delete cap; a company admin confirms or keeps it on the settings page.",
            Side::Procore => "Not deleted in Procore (removed here): the run stopped at the delete cap; a company admin confirms or keeps it on the settings page.",
        }
    }
}

/// What a decision answers when the run holds nothing (any more) to decide.
pub const NOTHING_HELD: &str =
    "This run holds no deletions to decide: they were confirmed or kept already, or a later run replaced it.";

impl Db {
    /// Keeps the deletions a stopped run would have made.
    pub async fn hold_deletions(&self, run: &str, held: &[HeldDelete]) -> ServerResult<()> {
        let json = serde_json::to_string(held).map_err(|e| ServerError::Corrupt(e.to_string()))?;
        sqlx::query("UPDATE sync_runs SET held_deletes = $2 WHERE id = $1")
            .bind(run.to_string())
            .bind(json)
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The deletions run `run` holds while undecided (None: none, or decided).
    pub async fn undecided_held(&self, run: &str) -> ServerResult<Option<Vec<HeldDelete>>> {
        let row: Option<(Option<String>,)> = sqlx::query_as(
            "SELECT held_deletes FROM sync_runs WHERE id = $1 AND state = 'stopped' AND held_decision IS NULL",
        )
        .bind(run.to_string())
        .fetch_optional(self.pool())
        .await?;
        match row.and_then(|r| r.0) {
            Some(json) => serde_json::from_str(&json)
                .map(Some)
                .map_err(|e| ServerError::Corrupt(format!("held deletions of {run}: {e}"))),
            None => Ok(None),
        }
    }

    /// Records the admin's decision once (false: decided already).
    pub async fn decide_held(&self, run: &str, decision: &str) -> ServerResult<bool> {
        let n = sqlx::query(
            "UPDATE sync_runs SET held_decision = $2 WHERE id = $1 AND held_decision IS NULL AND held_deletes IS NOT NULL",
        )
        .bind(run.to_string())
        .bind(decision.to_string())
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(n == 1)
    }

    /// How many deletions past the cap the next run of the resource may make (confirmed).
    pub async fn confirmed_deletes(
        &self,
        company: CompanyId,
        project: ProjectId,
        resource: Resource,
    ) -> ServerResult<Option<i64>> {
        let row: Option<(Option<i64>,)> = sqlx::query_as(
            "SELECT confirmed_deletes FROM project_sync_resources WHERE company_id = $1 AND project_id = $2 AND resource = $3",
        )
        .bind(company.get())
        .bind(project.get())
        .bind(resource.key())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.and_then(|r| r.0))
    }

    /// Sets (or with None clears) the confirmed deletions of the resource's next run.
    pub async fn set_confirmed_deletes(
        &self,
        company: CompanyId,
        project: ProjectId,
        resource: Resource,
        count: Option<i64>,
    ) -> ServerResult<()> {
        sqlx::query(
            "UPDATE project_sync_resources SET confirmed_deletes = $4 WHERE company_id = $1 AND project_id = $2 AND resource = $3",
        )
        .bind(company.get())
        .bind(project.get())
        .bind(resource.key())
        .bind(count)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Keeps the held records: one removed here comes back; one Procore no longer has stays
    /// here without its link (a run that sends changes to Procore adds it there again).
    pub async fn keep_held(&self, held: &[HeldDelete]) -> ServerResult<()> {
        for h in held {
            let sql = match h.side {
                Side::Procore => "UPDATE directory_entries SET deleted_at = NULL, synced_at = changed_at WHERE id = $1",
                Side::Here => "UPDATE directory_entries SET procore_id = NULL, procore_updated_at = NULL, synced_at = NULL WHERE id = $1",
            };
            sqlx::query(sql)
                .bind(h.local.clone())
                .execute(self.pool())
                .await?;
        }
        Ok(())
    }
}

/// What the pages show for the resource's last finished run, if it stopped at the cap and
/// no admin has decided yet.
pub async fn held_of(db: &Db, last: Option<&RunRow>) -> ServerResult<Option<HeldDeletions>> {
    let Some(run) = last.filter(|r| r.state == RunState::Stopped.key()) else {
        return Ok(None);
    };
    let Some(held) = db.undecided_held(&run.id).await? else {
        return Ok(None);
    };
    let count = |side: Side| held.iter().filter(|h| h.side == side).count() as u32;
    Ok(Some(HeldDeletions {
        run: run.id.clone(),
        stopped_at: run.finished_at.unwrap_or(run.queued_at),
        count: held.len() as u32,
        here: count(Side::Here),
        in_procore: count(Side::Procore),
        names: held
            .iter()
            .take(HELD_NAMES_SHOWN)
            .map(|h| h.name.clone())
            .collect(),
    }))
}
