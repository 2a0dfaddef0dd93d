//! The sync's SQL: Procore settings, the project's directory entries, runs and their logs.

use app::ids::{CompanyId, ProjectId};
use app::sync::api::{EntryView, LogLine, RunState, RunView};
use app::sync::{next_run, CheckedEntry, Direction, Fields, Frequency, Resource, SettingsForm};

use super::plan::{Local, Remote};
use crate::db::Db;
use crate::error::{ServerError, ServerResult};

/// A project's toggle and whose connection runs use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingsRow {
    /// Procore ON.
    pub procore_on: bool,
    /// The admin who turned it on (their connection).
    pub connection_user_id: Option<i64>,
}

/// One resource's choice and schedule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceRow {
    /// Which.
    pub resource: Resource,
    /// Which way.
    pub direction: Direction,
    /// How often.
    pub frequency: Frequency,
    /// Next scheduled run.
    pub next_run_at: Option<i64>,
    /// Start of the last successful run.
    pub last_success_at: Option<i64>,
    /// Start of the last successful full run.
    pub last_full_at: Option<i64>,
}

#[derive(sqlx::FromRow)]
struct EntryRow {
    id: String,
    natural_key: String,
    label: String,
    fields: String,
    procore_id: Option<i64>,
    procore_updated_at: Option<i64>,
    changed_at: i64,
    synced_at: Option<i64>,
    deleted_at: Option<i64>,
}

impl EntryRow {
    fn fields(&self) -> ServerResult<Fields> {
        serde_json::from_str(&self.fields).map_err(|e| ServerError::Corrupt(e.to_string()))
    }
}

const ENTRY_COLUMNS: &str =
    "id, natural_key, label, fields, procore_id, procore_updated_at, changed_at, synced_at, deleted_at";

/// Columns of a run, in [`RunRow`]'s order.
pub(super) const RUN_COLUMNS: &str = "id, company_id, project_id, resource, trigger_kind, full_run, direction, state, total, done, created, updated, deleted, unchanged, failed, queued_at, started_at, finished_at, paused_until, message, claimed_by, lease_until";

/// A stored run.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct RunRow {
    /// Run id.
    pub id: String,
    /// Company.
    pub company_id: i64,
    /// Project.
    pub project_id: i64,
    /// Resource name.
    pub resource: String,
    /// manual / schedule.
    pub trigger_kind: String,
    /// Full run.
    pub full_run: i64,
    /// Direction name.
    pub direction: String,
    /// State name.
    pub state: String,
    /// Progress and counts.
    #[sqlx(flatten)]
    pub counts: Counts,
    /// Queued at.
    pub queued_at: i64,
    /// Started at.
    pub started_at: Option<i64>,
    /// Finished at.
    pub finished_at: Option<i64>,
    /// Paused until.
    pub paused_until: Option<i64>,
    /// Message.
    pub message: Option<String>,
    /// Worker holding it.
    pub claimed_by: Option<String>,
    /// Until when.
    pub lease_until: Option<i64>,
}

impl RunRow {
    /// The view the pages show.
    pub fn view(&self) -> ServerResult<RunView> {
        let corrupt = |what: &str| ServerError::Corrupt(format!("sync run {}: {what}", self.id));
        let n = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
        Ok(RunView {
            id: self.id.clone(),
            resource: Resource::parse(&self.resource).ok_or_else(|| corrupt("resource"))?,
            trigger: self.trigger_kind.clone(),
            full: self.full_run == 1,
            direction: Direction::parse(&self.direction).ok_or_else(|| corrupt("direction"))?,
            state: RunState::parse(&self.state).ok_or_else(|| corrupt("state"))?,
            total: n(self.counts.total),
            done: n(self.counts.done),
            created: n(self.counts.created),
            updated: n(self.counts.updated),
            deleted: n(self.counts.deleted),
            unchanged: n(self.counts.unchanged),
            failed: n(self.counts.failed),
            queued_at: self.queued_at,
            started_at: self.started_at,
            finished_at: self.finished_at,
            paused_until: self.paused_until,
            message: self.message.clone(),
        })
    }
}

/// Counts of a run, committed with each record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, sqlx::FromRow)]
pub struct Counts {
    /// Total to go through.
    pub total: i64,
    /// Done.
    pub done: i64,
    /// Created.
    pub created: i64,
    /// Updated.
    pub updated: i64,
    /// Deleted.
    pub deleted: i64,
    /// Unchanged.
    pub unchanged: i64,
    /// Failed.
    pub failed: i64,
}

impl Db {
    /// The project's toggle, if ever saved.
    pub async fn sync_settings(
        &self,
        company: CompanyId,
        project: ProjectId,
    ) -> ServerResult<Option<SettingsRow>> {
        let row: Option<(i64, Option<i64>)> = sqlx::query_as(
            "SELECT procore_on, connection_user_id FROM project_sync_settings WHERE company_id = $1 AND project_id = $2",
        )
        .bind(company.get())
        .bind(project.get())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.map(|(on, user)| SettingsRow {
            procore_on: on == 1,
            connection_user_id: user,
        }))
    }

    /// The project's four resources (empty if never saved).
    pub async fn sync_resources(
        &self,
        company: CompanyId,
        project: ProjectId,
    ) -> ServerResult<Vec<ResourceRow>> {
        type Row = (
            String,
            String,
            String,
            Option<i64>,
            Option<i64>,
            Option<i64>,
        );
        let rows: Vec<Row> = sqlx::query_as(
            "SELECT resource, direction, frequency, next_run_at, last_success_at, last_full_at FROM project_sync_resources WHERE company_id = $1 AND project_id = $2",
        )
        .bind(company.get())
        .bind(project.get())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(r, d, f, next, last, full)| {
                let bad = || ServerError::Corrupt(format!("sync resource {r}/{d}/{f}"));
                Ok(ResourceRow {
                    resource: Resource::parse(&r).ok_or_else(bad)?,
                    direction: Direction::parse(&d).ok_or_else(bad)?,
                    frequency: Frequency::parse(&f).ok_or_else(bad)?,
                    next_run_at: next,
                    last_success_at: last,
                    last_full_at: full,
                })
            })
            .collect()
    }

    /// Saves the settings in one transaction; turning ON (or saving while ON) schedules
    /// each resource's next run, and the saving admin's connection is the one runs use.
    pub async fn save_sync_settings(
        &self,
        company: CompanyId,
        project: ProjectId,
        form: &SettingsForm,
        user: i64,
        now: i64,
    ) -> ServerResult<()> {
        let mut tx = self.pool().begin().await?;
        sqlx::query(
            "INSERT INTO project_sync_settings (company_id, project_id, procore_on, connection_user_id, updated_by, updated_at)
             VALUES ($1, $2, $3, $4, $4, $5)
             ON CONFLICT (company_id, project_id) DO UPDATE SET procore_on = $3,
                 connection_user_id = CASE WHEN $3 = 1 THEN $4 ELSE project_sync_settings.connection_user_id END,
                 updated_by = $4, updated_at = $5",
        )
        .bind(company.get())
        .bind(project.get())
        .bind(i64::from(form.procore_on))
        .bind(user)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        for c in &form.choices {
            let next = form.procore_on.then(|| next_run(c.frequency, now));
            sqlx::query(
                "INSERT INTO project_sync_resources (company_id, project_id, resource, direction, frequency, next_run_at)
                 VALUES ($1, $2, $3, $4, $5, $6)
                 ON CONFLICT (company_id, project_id, resource) DO UPDATE SET direction = $4, frequency = $5, next_run_at = $6",
            )
            .bind(company.get())
            .bind(project.get())
            .bind(c.resource.key())
            .bind(c.direction.key())
            .bind(c.frequency.key())
            .bind(next)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// One page of live entries matching `search` (label or any field), and how many match.
    pub async fn directory_page(
        &self,
        company: CompanyId,
        project: ProjectId,
        resource: Resource,
        search: &str,
        page: u32,
        per_page: u32,
    ) -> ServerResult<(Vec<EntryView>, u64)> {
        let pattern = format!("%{}%", search.to_lowercase().replace(['%', '_'], ""));
        let filter = "company_id = $1 AND project_id = $2 AND resource = $3 AND deleted_at IS NULL
             AND (LOWER(label) LIKE $4 OR LOWER(fields) LIKE $4)";
        let (total,): (i64,) = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT COUNT(*) FROM directory_entries WHERE {filter}"
        )))
        .bind(company.get())
        .bind(project.get())
        .bind(resource.key())
        .bind(pattern.clone())
        .fetch_one(self.pool())
        .await?;
        let rows: Vec<EntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM directory_entries WHERE {filter} ORDER BY label, natural_key LIMIT $5 OFFSET $6"
        )))
        .bind(company.get())
        .bind(project.get())
        .bind(resource.key())
        .bind(pattern)
        .bind(i64::from(per_page))
        .bind(i64::from(page.saturating_sub(1)) * i64::from(per_page))
        .fetch_all(self.pool())
        .await?;
        let views = rows
            .into_iter()
            .map(|r| {
                Ok(EntryView {
                    fields: r.fields()?,
                    id: r.id,
                    label: r.label,
                    in_procore: r.procore_id.is_some(),
                    updated_at: r.changed_at,
                })
            })
            .collect::<ServerResult<Vec<_>>>()?;
        let views = if resource == Resource::Roles {
            self.with_people(company, project, views).await?
        } else {
            views
        };
        Ok((views, u64::try_from(total).unwrap_or(0)))
    }

    /// Roles as people read them: each holder's name (from the project's users) in a
    /// `person` field beside the email (shown only; the form keeps the resource's fields).
    async fn with_people(
        &self,
        company: CompanyId,
        project: ProjectId,
        mut roles: Vec<EntryView>,
    ) -> ServerResult<Vec<EntryView>> {
        let people: std::collections::HashMap<String, String> = sqlx::query_as(
            "SELECT natural_key, label FROM directory_entries WHERE company_id = $1 AND project_id = $2 AND resource = 'users' AND deleted_at IS NULL",
        )
        .bind(company.get())
        .bind(project.get())
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .collect();
        for role in &mut roles {
            let email = role
                .fields
                .get("email_address")
                .cloned()
                .unwrap_or_default();
            let name = people.get(&email).cloned().unwrap_or(email);
            role.fields.insert("person".into(), name);
        }
        Ok(roles)
    }

    /// Every entry of a resource, removed ones included, as the planner sees them.
    pub async fn directory_locals(
        &self,
        company: CompanyId,
        project: ProjectId,
        resource: Resource,
    ) -> ServerResult<Vec<Local>> {
        let rows: Vec<EntryRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM directory_entries WHERE company_id = $1 AND project_id = $2 AND resource = $3"
        )))
        .bind(company.get())
        .bind(project.get())
        .bind(resource.key())
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|r| {
                Ok(Local {
                    fields: r.fields()?,
                    id: r.id,
                    key: r.natural_key,
                    procore_id: r.procore_id,
                    procore_updated_at: r.procore_updated_at,
                    changed_at: r.changed_at,
                    synced_at: r.synced_at,
                    deleted: r.deleted_at.is_some(),
                })
            })
            .collect()
    }

    /// Adds an entry typed by an admin (409 when the key is taken).
    pub async fn add_entry(
        &self,
        company: CompanyId,
        project: ProjectId,
        resource: Resource,
        entry: &CheckedEntry,
        now: i64,
    ) -> ServerResult<EntryView> {
        // A removed entry with the same key comes back (its Procore link is kept).
        let revived = sqlx::query(
            "UPDATE directory_entries SET label = $5, fields = $6, changed_at = $7, deleted_at = NULL
             WHERE company_id = $1 AND project_id = $2 AND resource = $3 AND natural_key = $4 AND deleted_at IS NOT NULL",
        )
        .bind(company.get())
        .bind(project.get())
        .bind(resource.key())
        .bind(entry.key.clone())
        .bind(entry.label.clone())
        .bind(fields_json(&entry.fields))
        .bind(now)
        .execute(self.pool())
        .await?
        .rows_affected();
        if revived == 0 {
            let id = uuid::Uuid::now_v7().to_string();
            let inserted = sqlx::query(
                "INSERT INTO directory_entries (id, company_id, project_id, resource, natural_key, label, fields, changed_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (company_id, project_id, resource, natural_key) DO NOTHING",
            )
            .bind(id)
            .bind(company.get())
            .bind(project.get())
            .bind(resource.key())
            .bind(entry.key.clone())
            .bind(entry.label.clone())
            .bind(fields_json(&entry.fields))
            .bind(now)
            .execute(self.pool())
            .await?
            .rows_affected();
            if inserted == 0 {
                return Err(taken(resource, entry));
            }
        }
        self.entry_by_key(company, project, resource, &entry.key)
            .await
    }

    /// Edits an entry (404 if not this project's; 409 when the new key is another's).
    pub async fn edit_entry(
        &self,
        company: CompanyId,
        project: ProjectId,
        resource: Resource,
        id: &str,
        entry: &CheckedEntry,
        now: i64,
    ) -> ServerResult<EntryView> {
        let clash: Option<(String,)> = sqlx::query_as(
            "SELECT id FROM directory_entries WHERE company_id = $1 AND project_id = $2 AND resource = $3 AND natural_key = $4 AND id <> $5",
        )
        .bind(company.get())
        .bind(project.get())
        .bind(resource.key())
        .bind(entry.key.clone())
        .bind(id.to_string())
        .fetch_optional(self.pool())
        .await?;
        if clash.is_some() {
            return Err(taken(resource, entry));
        }
        let changed = sqlx::query(
            "UPDATE directory_entries SET natural_key = $5, label = $6, fields = $7, changed_at = $8
             WHERE company_id = $1 AND project_id = $2 AND resource = $3 AND id = $4 AND deleted_at IS NULL",
        )
        .bind(company.get())
        .bind(project.get())
        .bind(resource.key())
        .bind(id.to_string())
        .bind(entry.key.clone())
        .bind(entry.label.clone())
        .bind(fields_json(&entry.fields))
        .bind(now)
        .execute(self.pool())
        .await
        .map_err(|e| match e {
            sqlx::Error::Database(d) if d.is_unique_violation() => taken(resource, entry),
            other => other.into(),
        })?
        .rows_affected();
        if changed == 0 {
            return Err(app::error::AppError::NotFound(super::NOT_FOUND.into()).into());
        }
        self.entry_by_key(company, project, resource, &entry.key)
            .await
    }

    /// Removes an entry: at once if never in Procore, else marked until a sync removes it
    /// there too. False when there was no such entry.
    pub async fn remove_entry(
        &self,
        company: CompanyId,
        project: ProjectId,
        resource: Resource,
        id: &str,
        now: i64,
    ) -> ServerResult<bool> {
        let scope = "company_id = $1 AND project_id = $2 AND resource = $3 AND id = $4 AND deleted_at IS NULL";
        let gone = sqlx::query(sqlx::AssertSqlSafe(format!(
            "DELETE FROM directory_entries WHERE {scope} AND procore_id IS NULL"
        )))
        .bind(company.get())
        .bind(project.get())
        .bind(resource.key())
        .bind(id.to_string())
        .execute(self.pool())
        .await?
        .rows_affected();
        let marked = sqlx::query(sqlx::AssertSqlSafe(format!(
            "UPDATE directory_entries SET deleted_at = $5, changed_at = $5 WHERE {scope}"
        )))
        .bind(company.get())
        .bind(project.get())
        .bind(resource.key())
        .bind(id.to_string())
        .bind(now)
        .execute(self.pool())
        .await?
        .rows_affected();
        Ok(gone + marked > 0)
    }

    async fn entry_by_key(
        &self,
        company: CompanyId,
        project: ProjectId,
        resource: Resource,
        key: &str,
    ) -> ServerResult<EntryView> {
        let r: EntryRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
            "SELECT {ENTRY_COLUMNS} FROM directory_entries WHERE company_id = $1 AND project_id = $2 AND resource = $3 AND natural_key = $4"
        )))
        .bind(company.get())
        .bind(project.get())
        .bind(resource.key())
        .bind(key.to_string())
        .fetch_one(self.pool())
        .await?;
        Ok(EntryView {
            fields: r.fields()?,
            id: r.id,
            label: r.label,
            in_procore: r.procore_id.is_some(),
            updated_at: r.changed_at,
        })
    }

    /// Procore's record copied here (over `local`, or as a new entry), linked and synced.
    /// A new entry whose key another entry holds takes that entry over.
    #[allow(clippy::too_many_arguments)]
    pub async fn pull_entry(
        &self,
        company: CompanyId,
        project: ProjectId,
        resource: Resource,
        local: Option<&str>,
        remote: &Remote,
        label: &str,
        now: i64,
    ) -> ServerResult<()> {
        let fields = fields_json(&remote.fields);
        if let Some(id) = local {
            sqlx::query(
                "UPDATE directory_entries SET natural_key = $2, label = $3, fields = $4, procore_id = $5,
                     procore_updated_at = $6, changed_at = $7, synced_at = $7, deleted_at = NULL WHERE id = $1",
            )
            .bind(id.to_string())
            .bind(remote.key.clone())
            .bind(label.to_string())
            .bind(fields)
            .bind(remote.id)
            .bind(remote.updated_at)
            .bind(now)
            .execute(self.pool())
            .await?;
            return Ok(());
        }
        sqlx::query(
            "INSERT INTO directory_entries (id, company_id, project_id, resource, natural_key, label, fields, procore_id, procore_updated_at, changed_at, synced_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)
             ON CONFLICT (company_id, project_id, resource, natural_key) DO UPDATE SET label = $6, fields = $7,
                 procore_id = $8, procore_updated_at = $9, changed_at = $10, synced_at = $10, deleted_at = NULL",
        )
        .bind(uuid::Uuid::now_v7().to_string())
        .bind(company.get())
        .bind(project.get())
        .bind(resource.key())
        .bind(remote.key.clone())
        .bind(label.to_string())
        .bind(fields)
        .bind(remote.id)
        .bind(remote.updated_at)
        .bind(now)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Our entry now matches Procore's record `procore_id` as of `procore_updated_at`
    /// (a link, or the answer to our own write: an echo of it is not a change). A change
    /// made here meanwhile (changed_at moved on) stays pending.
    pub async fn mark_synced(
        &self,
        local: &str,
        procore_id: i64,
        procore_updated_at: i64,
        seen_changed_at: i64,
    ) -> ServerResult<()> {
        sqlx::query(
            "UPDATE directory_entries SET procore_id = $2, procore_updated_at = $3, synced_at = $4 WHERE id = $1",
        )
        .bind(local.to_string())
        .bind(procore_id)
        .bind(procore_updated_at)
        .bind(seen_changed_at)
        .execute(self.pool())
        .await?;
        Ok(())
    }

    /// Deletes our entry (gone from Procore, or its removal sent there).
    pub async fn forget_entry(&self, local: &str) -> ServerResult<()> {
        sqlx::query("DELETE FROM directory_entries WHERE id = $1")
            .bind(local.to_string())
            .execute(self.pool())
            .await?;
        Ok(())
    }

    /// The Procore id of the live entry with `key` (e.g. a company by name, a person by
    /// email), if linked.
    pub async fn linked_id(
        &self,
        company: CompanyId,
        project: ProjectId,
        resource: Resource,
        key: &str,
    ) -> ServerResult<Option<i64>> {
        let row: Option<(Option<i64>,)> = sqlx::query_as(
            "SELECT procore_id FROM directory_entries WHERE company_id = $1 AND project_id = $2 AND resource = $3 AND natural_key = $4 AND deleted_at IS NULL",
        )
        .bind(company.get())
        .bind(project.get())
        .bind(resource.key())
        .bind(key.to_lowercase())
        .fetch_optional(self.pool())
        .await?;
        Ok(row.and_then(|r| r.0))
    }

    /// Procore user id → email, from the linked people of the project.
    pub async fn linked_emails(
        &self,
        company: CompanyId,
        project: ProjectId,
    ) -> ServerResult<Vec<(i64, String)>> {
        let rows: Vec<(i64, String)> = sqlx::query_as(
            "SELECT procore_id, natural_key FROM directory_entries WHERE company_id = $1 AND project_id = $2 AND resource = 'users' AND procore_id IS NOT NULL",
        )
        .bind(company.get())
        .bind(project.get())
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }
}

fn fields_json(fields: &Fields) -> String {
    serde_json::to_string(fields).unwrap_or_else(|_| "{}".into())
}

fn taken(resource: Resource, entry: &CheckedEntry) -> ServerError {
    app::error::AppError::Conflict(format!(
        "{} already has \"{}\".",
        resource.label(),
        entry.label
    ))
    .into()
}

/// A log line as stored.
pub(super) fn log_line(row: (i64, String, Option<String>, String)) -> LogLine {
    LogLine {
        at: row.0,
        level: row.1,
        record: row.2,
        message: row.3,
    }
}
