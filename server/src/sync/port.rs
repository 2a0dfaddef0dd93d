//! The service behind the project's settings and directory pages (the `ProjectSync` port):
//! every call first resolves the project through the one access guard (a project Procore
//! shows the caller; `accounts::project_access`) and checks it is licensed by the caller's
//! company (404 otherwise, before anything else is said), then that changes come from a
//! company admin (403 otherwise).

use app::error::AppError;
use app::ids::{ProjectId, UserId};
use app::ports::{Caller, ProjectSync};
use app::subscriptions::Standing;
use app::sync::api::{
    DirectoryPage, EntryView, LogLine, ResourceStatus, RunView, SyncOverview, ENTRIES_PER_PAGE,
};
use app::sync::{CheckedEntry, Resource, SettingsForm};
use async_trait::async_trait;
use std::sync::Arc;

use super::standing::{connection_reason, licence, standing_reason};
use super::{QueuedRun, SyncConfig, NOT_FOUND};
use crate::accounts::AccountService;
use crate::db::{now, Db};
use crate::error::{ServerError, ServerResult};
use crate::jobs::JobStore;
use crate::subscriptions::store::ProjectTerms;

/// Settings, entries and runs of the company's projects.
pub struct SyncService {
    db: Db,
    accounts: Arc<AccountService>,
    jobs: JobStore,
    config: SyncConfig,
    wake: Option<super::SyncWake>,
}

const NOT_ADMIN: &str = "Only a company admin can change Procore settings and project entries.";

impl SyncService {
    /// A service queuing runs on `jobs`, resolving projects through `accounts`.
    pub fn new(db: Db, accounts: Arc<AccountService>, jobs: JobStore, config: SyncConfig) -> Self {
        Self {
            db,
            accounts,
            jobs,
            config,
            wake: None,
        }
    }

    /// Wakes this process's sync worker whenever a run is queued.
    pub fn waking(mut self, wake: super::SyncWake) -> Self {
        self.wake = Some(wake);
        self
    }

    /// The caller's project (one Procore shows them) with its licence, or NotFound.
    async fn licensed(
        &self,
        caller: &Caller,
        project: ProjectId,
    ) -> ServerResult<(ProjectTerms, Standing)> {
        let shown = self.accounts.shown_project(caller, project).await?;
        licence(&self.db, shown.company(), shown.id())
            .await?
            .ok_or_else(|| AppError::NotFound(NOT_FOUND.into()).into())
    }

    fn admin(caller: &Caller) -> ServerResult<()> {
        if caller.is_admin {
            Ok(())
        } else {
            Err(AppError::Forbidden(NOT_ADMIN.into()).into())
        }
    }

    /// Why the project does not sync now (standing first, then the connection).
    async fn paused_reason(
        &self,
        caller: &Caller,
        project: ProjectId,
        (terms, standing): (&ProjectTerms, &Standing),
    ) -> ServerResult<Option<String>> {
        if let Some(reason) = standing_reason(standing) {
            return Ok(Some(reason));
        }
        if let Some(reason) = super::standing::app_reason(&self.db, caller.company, terms).await? {
            return Ok(Some(reason));
        }
        match self.db.sync_settings(caller.company, project).await? {
            Some(s) if s.procore_on => {
                connection_reason(&self.db, caller.company, s.connection_user_id).await
            }
            _ => Ok(None),
        }
    }

    async fn resource_status(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
    ) -> ServerResult<ResourceStatus> {
        let on = self
            .db
            .sync_settings(caller.company, project)
            .await?
            .is_some_and(|s| s.procore_on);
        let next = self
            .db
            .sync_resources(caller.company, project)
            .await?
            .into_iter()
            .find(|r| r.resource == resource)
            .and_then(|r| r.next_run_at)
            .filter(|_| on);
        let active = self.db.open_run(caller.company, project, resource).await?;
        let last = self
            .db
            .project_runs(caller.company, project, Some(resource), true, 1)
            .await?;
        Ok(ResourceStatus {
            resource,
            next_run_at: next,
            active: active.map(|r| r.view()).transpose()?,
            held: super::held::held_of(&self.db, last.first()).await?,
            last: last.first().map(|r| r.view()).transpose()?,
        })
    }

    async fn build_overview(
        &self,
        caller: &Caller,
        project: ProjectId,
    ) -> ServerResult<SyncOverview> {
        let (terms, standing) = self.licensed(caller, project).await?;
        let saved = self.db.sync_settings(caller.company, project).await?;
        let mut settings = SettingsForm::defaults();
        settings.procore_on = saved.as_ref().is_some_and(|s| s.procore_on);
        for row in self.db.sync_resources(caller.company, project).await? {
            if let Some(choice) = settings
                .choices
                .iter_mut()
                .find(|c| c.resource == row.resource)
            {
                choice.direction = row.direction;
                choice.frequency = row.frequency;
            }
        }
        let mut resources = Vec::new();
        for resource in Resource::ALL {
            resources.push(self.resource_status(caller, project, resource).await?);
        }
        let connection_name = match saved.as_ref().and_then(|s| s.connection_user_id) {
            Some(user) => self.db.user(UserId(user)).await?.map(|u| u.name),
            None => None,
        };
        let needs_connection = match &saved {
            Some(s) if s.procore_on => {
                connection_reason(&self.db, caller.company, s.connection_user_id)
                    .await?
                    .is_some()
            }
            _ => false,
        };
        Ok(SyncOverview {
            project,
            project_name: terms.name.clone(),
            planner: terms.terms.current.planner,
            safety: terms.terms.current.safety,
            settings,
            resources,
            can_edit: caller.is_admin,
            paused_reason: self
                .paused_reason(caller, project, (&terms, &standing))
                .await?,
            connection_name,
            needs_connection,
            delete_cap: self.config.delete_cap,
        })
    }

    /// The undecided deletions of the company's run `run` of `resource` (404: not its run;
    /// 409: nothing to decide).
    async fn held(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
        run: &str,
    ) -> ServerResult<Vec<super::held::HeldDelete>> {
        match self.db.project_run(caller.company, project, run).await? {
            Some(r) if r.resource == resource.key() => {}
            _ => return Err(AppError::NotFound(NOT_FOUND.into()).into()),
        }
        self.db
            .undecided_held(run)
            .await?
            .ok_or_else(|| AppError::Conflict(super::held::NOTHING_HELD.into()).into())
    }

    /// Queues a run; false when its key or an open run of the resource already exists.
    pub async fn queue(&self, run: &QueuedRun) -> ServerResult<bool> {
        let queued = self
            .jobs
            .enqueue_sync(run)
            .await
            .map_err(|e| ServerError::Corrupt(format!("queueing a sync: {e}")))?;
        if queued {
            if let Some(wake) = &self.wake {
                wake.wake();
            }
        }
        Ok(queued)
    }
}

#[async_trait]
impl ProjectSync for SyncService {
    async fn overview(
        &self,
        caller: &Caller,
        project: ProjectId,
    ) -> Result<SyncOverview, AppError> {
        Ok(self.build_overview(caller, project).await?)
    }

    async fn save_settings(
        &self,
        caller: &Caller,
        project: ProjectId,
        form: SettingsForm,
    ) -> Result<SyncOverview, AppError> {
        self.licensed(caller, project).await?;
        Self::admin(caller)?;
        self.db
            .save_sync_settings(caller.company, project, &form, caller.user.get(), now())
            .await?;
        tracing::info!(company = %caller.company, project = %project, on = form.procore_on, "Procore settings saved");
        Ok(self.build_overview(caller, project).await?)
    }

    async fn entries(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
        search: &str,
        page: u32,
    ) -> Result<DirectoryPage, AppError> {
        let (terms, standing) = self.licensed(caller, project).await?;
        let (entries, total) = self
            .db
            .directory_page(
                caller.company,
                project,
                resource,
                search,
                page,
                ENTRIES_PER_PAGE,
            )
            .await?;
        Ok(DirectoryPage {
            resource,
            project_name: terms.name.clone(),
            entries,
            total,
            page,
            per_page: ENTRIES_PER_PAGE,
            can_edit: caller.is_admin,
            procore_on: self
                .db
                .sync_settings(caller.company, project)
                .await?
                .is_some_and(|s| s.procore_on),
            paused_reason: self
                .paused_reason(caller, project, (&terms, &standing))
                .await?,
            sync: self.resource_status(caller, project, resource).await?,
            choices: self.db.entry_choices(caller.company, project).await?,
        })
    }

    async fn save_entry(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
        id: Option<String>,
        mut entry: CheckedEntry,
    ) -> Result<EntryView, AppError> {
        self.licensed(caller, project).await?;
        Self::admin(caller)?;
        let choices = self.db.entry_choices(caller.company, project).await?;
        super::choices::check_choices(resource, &mut entry, &choices)?;
        let saved = match id {
            None => {
                self.db
                    .add_entry(caller.company, project, resource, &entry, now())
                    .await?
            }
            Some(id) => {
                self.db
                    .edit_entry(caller.company, project, resource, &id, &entry, now())
                    .await?
            }
        };
        Ok(saved)
    }

    async fn remove_entry(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
        id: &str,
    ) -> Result<(), AppError> {
        self.licensed(caller, project).await?;
        Self::admin(caller)?;
        if self
            .db
            .remove_entry(caller.company, project, resource, id, now())
            .await?
        {
            Ok(())
        } else {
            Err(AppError::NotFound(NOT_FOUND.into()))
        }
    }

    async fn start(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
    ) -> Result<RunView, AppError> {
        let (terms, standing) = self.licensed(caller, project).await?;
        Self::admin(caller)?;
        let settings = self.db.sync_settings(caller.company, project).await?;
        if !settings.as_ref().is_some_and(|s| s.procore_on) {
            return Err(AppError::Conflict(
                "Procore is OFF for this project: turn it ON in the project's settings first."
                    .into(),
            ));
        }
        if let Some(reason) = self
            .paused_reason(caller, project, (&terms, &standing))
            .await?
        {
            return Err(AppError::Conflict(reason));
        }
        let direction = self
            .db
            .sync_resources(caller.company, project)
            .await?
            .into_iter()
            .find(|r| r.resource == resource)
            .map(|r| r.direction)
            .unwrap_or(app::sync::Direction::FromProcore);
        let at = now();
        let run = QueuedRun {
            id: uuid::Uuid::now_v7().to_string(),
            company: caller.company,
            project,
            resource,
            due_at: at,
            trigger: "manual",
            full: true,
            direction,
            requested_by: Some(caller.user.get()),
            next_run_at: None,
        };
        if !self.queue(&run).await? {
            let open = self.db.open_run(caller.company, project, resource).await?;
            let when = open
                .as_ref()
                .map(|r| super::resources::iso(r.queued_at))
                .unwrap_or_default();
            return Err(AppError::Conflict(format!(
                "A {} sync is already queued or running (queued {when}); it shows its progress here.",
                resource.label()
            )));
        }
        tracing::info!(company = %caller.company, project = %project, resource = resource.key(), "manual sync queued");
        let queued = self
            .db
            .run(&run.id)
            .await?
            .ok_or_else(|| AppError::NotFound(NOT_FOUND.into()))?;
        Ok(queued.view()?)
    }

    async fn status(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
    ) -> Result<ResourceStatus, AppError> {
        self.licensed(caller, project).await?;
        Ok(self.resource_status(caller, project, resource).await?)
    }

    async fn runs(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Option<Resource>,
    ) -> Result<Vec<RunView>, AppError> {
        self.licensed(caller, project).await?;
        // Filtered in SQL, before the limit: a resource's list keeps its own runs however
        // often the others ran.
        let rows = self
            .db
            .project_runs(caller.company, project, resource, false, 20)
            .await?;
        Ok(rows.iter().map(|r| r.view()).collect::<ServerResult<_>>()?)
    }

    async fn confirm_deletions(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
        run: &str,
    ) -> Result<RunView, AppError> {
        self.licensed(caller, project).await?;
        Self::admin(caller)?;
        let held = self.held(caller, project, resource, run).await?;
        let count = held.len() as i64;
        self.db
            .set_confirmed_deletes(caller.company, project, resource, Some(count))
            .await?;
        let queued = self.start(caller, project, resource).await;
        if queued.is_ok() || matches!(queued, Err(AppError::Conflict(_))) {
            self.db.decide_held(run, "confirmed").await?;
            tracing::info!(company = %caller.company, project = %project, resource = resource.key(), count, "held deletions confirmed");
        } else {
            self.db
                .set_confirmed_deletes(caller.company, project, resource, None)
                .await?;
        }
        queued
    }

    async fn keep_deletions(
        &self,
        caller: &Caller,
        project: ProjectId,
        resource: Resource,
        run: &str,
    ) -> Result<ResourceStatus, AppError> {
        self.licensed(caller, project).await?;
        Self::admin(caller)?;
        let held = self.held(caller, project, resource, run).await?;
        if self.db.decide_held(run, "kept").await? {
            self.db.keep_held(&held).await?;
            tracing::info!(company = %caller.company, project = %project, resource = resource.key(), count = held.len(), "held deletions kept");
        }
        Ok(self.resource_status(caller, project, resource).await?)
    }

    async fn log(
        &self,
        caller: &Caller,
        project: ProjectId,
        run: &str,
    ) -> Result<Vec<LogLine>, AppError> {
        self.licensed(caller, project).await?;
        if self
            .db
            .project_run(caller.company, project, run)
            .await?
            .is_none()
        {
            return Err(AppError::NotFound(NOT_FOUND.into()));
        }
        Ok(self.db.run_log(run, 500).await?)
    }
}
