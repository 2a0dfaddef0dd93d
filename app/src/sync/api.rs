//! What the project's settings and directory pages exchange with the server, and the server
//! functions (each one line over [`crate::ports::serve`]). Every call names the project by
//! its Procore id; the server checks it belongs to the caller's company.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;
use serde::{Deserialize, Serialize};

use super::entries::Fields;
use super::settings::{Direction, Resource, SettingsForm};
use crate::error::AppError;
use crate::ids::ProjectId;

/// Where a run is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RunState {
    /// Waiting for a worker.
    Queued,
    /// Working through records.
    Running,
    /// Waiting for Procore's rate limit (see `paused_until`).
    Paused,
    /// Done; per-record failures, if any, are in the log.
    Succeeded,
    /// Stopped by an error (see `message`).
    Failed,
    /// Stopped before deleting more than the cap allows.
    Stopped,
}

impl RunState {
    /// The stored name.
    pub fn key(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Running => "running",
            Self::Paused => "paused",
            Self::Succeeded => "succeeded",
            Self::Failed => "failed",
            Self::Stopped => "stopped",
        }
    }

    /// Reads a stored name.
    pub fn parse(value: &str) -> Option<Self> {
        [
            Self::Queued,
            Self::Running,
            Self::Paused,
            Self::Succeeded,
            Self::Failed,
            Self::Stopped,
        ]
        .into_iter()
        .find(|s| s.key() == value)
    }

    /// Still going.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Queued | Self::Running | Self::Paused)
    }
}

/// One run of one resource's sync.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RunView {
    /// Run id.
    pub id: String,
    /// Which resource.
    pub resource: Resource,
    /// `manual` or `schedule`.
    pub trigger: String,
    /// A full run (also finds deletions) rather than only what changed.
    pub full: bool,
    /// Which way.
    pub direction: Direction,
    /// Where it is.
    pub state: RunState,
    /// Records to go through (known once both sides are read).
    pub total: u32,
    /// Records done.
    pub done: u32,
    /// Created (on either side).
    pub created: u32,
    /// Updated.
    pub updated: u32,
    /// Deleted or removed from the project.
    pub deleted: u32,
    /// Already equal.
    pub unchanged: u32,
    /// Failed (see the log).
    pub failed: u32,
    /// Queued at (UTC unix seconds).
    pub queued_at: i64,
    /// Started at.
    pub started_at: Option<i64>,
    /// Finished at.
    pub finished_at: Option<i64>,
    /// While paused by the rate limit: when it resumes.
    pub paused_until: Option<i64>,
    /// The outcome or the reason it stopped, in words.
    pub message: Option<String>,
}

/// One resource's schedule and runs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ResourceStatus {
    /// Which resource.
    pub resource: Resource,
    /// When it runs next by itself (None while OFF or not syncing).
    pub next_run_at: Option<i64>,
    /// The run queued or in progress.
    pub active: Option<RunView>,
    /// The last finished run.
    pub last: Option<RunView>,
    /// What the last run would have deleted when it stopped at the delete cap, while no
    /// admin has decided yet.
    pub held: Option<HeldDeletions>,
}

/// The records a run stopped at the delete cap would have deleted: an admin confirms them
/// for one run or keeps them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldDeletions {
    /// The stopped run.
    pub run: String,
    /// When it stopped (UTC unix seconds).
    pub stopped_at: i64,
    /// How many it would have deleted.
    pub count: u32,
    /// Of those, how many here because Procore no longer has them.
    pub here: u32,
    /// Of those, how many in Procore because they were removed here.
    pub in_procore: u32,
    /// Their names (the first [`HELD_NAMES_SHOWN`]).
    pub names: Vec<String>,
}

/// How many names of held deletions a page lists (the log has all of them).
pub const HELD_NAMES_SHOWN: usize = 50;

/// The project's settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SyncOverview {
    /// Procore project id.
    pub project: ProjectId,
    /// Procore project name.
    pub project_name: String,
    /// The project has Planner.
    pub planner: bool,
    /// The project has Safety.
    pub safety: bool,
    /// The saved settings.
    pub settings: SettingsForm,
    /// Each resource's schedule and runs.
    pub resources: Vec<ResourceStatus>,
    /// The caller may change settings and entries (company admins).
    pub can_edit: bool,
    /// Why the project does not sync now (Inactive, Cancelled, no connection), if so.
    pub paused_reason: Option<String>,
    /// Whose Procore connection background runs use.
    pub connection_name: Option<String>,
    /// Sync is on but background runs have no usable admin connection: an admin's Save
    /// (even with nothing changed) gives them theirs.
    #[serde(default)]
    pub needs_connection: bool,
    /// The most records one run may delete before it stops and asks.
    pub delete_cap: u32,
}

/// One entry of a directory page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntryView {
    /// Our id.
    pub id: String,
    /// What lists show.
    pub label: String,
    /// The fields.
    pub fields: Fields,
    /// Linked with a Procore record.
    pub in_procore: bool,
    /// Last changed here or by a sync (UTC unix seconds).
    pub updated_at: i64,
}

/// One page of a resource's entries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DirectoryPage {
    /// Which resource.
    pub resource: Resource,
    /// Procore project name.
    pub project_name: String,
    /// Entries on this page.
    pub entries: Vec<EntryView>,
    /// All entries matching the search.
    pub total: u64,
    /// This page (1-based).
    pub page: u32,
    /// Entries per page.
    pub per_page: u32,
    /// The caller may add, edit and remove.
    pub can_edit: bool,
    /// Procore sync is ON for the project.
    pub procore_on: bool,
    /// Why the project does not sync now, if so.
    pub paused_reason: Option<String>,
    /// The resource's schedule and runs.
    pub sync: ResourceStatus,
    /// What the Add / Edit form offers (and the server accepts).
    pub choices: EntryChoices,
}

/// What a directory form may hold: a person's Company is one of the project's companies in
/// Procore, a role one of the company's roles, its holder one of the project's people.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct EntryChoices {
    /// The project's companies linked with Procore (Project Team), by name.
    pub companies: Vec<String>,
    /// The company's Procore role catalogue, as the last Roles sync read it (empty: unknown).
    pub roles: Vec<String>,
    /// The project's people.
    pub people: Vec<PersonChoice>,
}

/// One of the project's people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonChoice {
    /// Their email (the key of a role's holder).
    pub email: String,
    /// Their name.
    pub name: String,
}

/// Entries per directory page.
pub const ENTRIES_PER_PAGE: u32 = 25;

/// One line of a run's log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogLine {
    /// When (UTC unix seconds).
    pub at: i64,
    /// `info`, `warn` or `error`.
    pub level: String,
    /// The record concerned (its key), if any.
    pub record: Option<String>,
    /// What happened.
    pub message: String,
}

/// The project's Procore settings and each resource's runs.
#[server(endpoint = "sync_settings", output = crate::codec::JsonText)]
pub async fn load_sync_settings(project: ProjectId) -> Result<SyncOverview, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.sync.overview(&caller, project).await }).await
}

/// Saves the Procore settings (admins only) and schedules the next runs.
#[server(endpoint = "save_sync_settings", input = Json, output = crate::codec::JsonText)]
pub async fn save_sync_settings(
    project: ProjectId,
    form: SettingsForm,
) -> Result<SyncOverview, AppError> {
    use crate::ports::{reply, serve};
    let form = reply(form.validated().map_err(AppError::Invalid))?;
    serve(|s, caller| async move { s.sync.save_settings(&caller, project, form).await }).await
}

/// One page of a resource's entries.
#[server(endpoint = "directory_entries", output = crate::codec::JsonText)]
pub async fn directory_entries(
    project: ProjectId,
    resource: Resource,
    search: String,
    page: u32,
) -> Result<DirectoryPage, AppError> {
    use crate::ports::{reply, serve};
    let query = reply(crate::projects::ProjectQuery::parse(&search, page))?;
    serve(|s, caller| async move {
        s.sync
            .entries(&caller, project, resource, &query.search, query.page)
            .await
    })
    .await
}

/// Adds (no `id`) or edits an entry (admins only).
#[server(endpoint = "save_directory_entry", input = Json, output = crate::codec::JsonText)]
pub async fn save_directory_entry(
    project: ProjectId,
    resource: Resource,
    id: Option<String>,
    fields: Fields,
) -> Result<EntryView, AppError> {
    use crate::ports::{reply, serve};
    let entry = reply(super::entries::check(resource, &fields).map_err(AppError::Invalid))?;
    serve(|s, caller| async move {
        s.sync
            .save_entry(&caller, project, resource, id, entry)
            .await
    })
    .await
}

/// Removes an entry (admins only); a linked one is removed from Procore by the next sync
/// that sends changes there.
#[server(endpoint = "remove_directory_entry", output = crate::codec::JsonText)]
pub async fn remove_directory_entry(
    project: ProjectId,
    resource: Resource,
    id: String,
) -> Result<(), AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.sync.remove_entry(&caller, project, resource, &id).await })
        .await
}

/// Queues a sync of one resource now (admins only; 409 while one is queued or running).
#[server(endpoint = "start_sync", output = crate::codec::JsonText)]
pub async fn start_sync(project: ProjectId, resource: Resource) -> Result<RunView, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.sync.start(&caller, project, resource).await }).await
}

/// One resource's schedule and current run (polled by the progress bar).
#[server(endpoint = "sync_progress", output = crate::codec::JsonText)]
pub async fn sync_progress(
    project: ProjectId,
    resource: Resource,
) -> Result<ResourceStatus, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.sync.status(&caller, project, resource).await }).await
}

/// The project's recent runs (of one resource, if named), newest first.
#[server(endpoint = "sync_runs", output = crate::codec::JsonText)]
pub async fn sync_runs(
    project: ProjectId,
    resource: Option<Resource>,
) -> Result<Vec<RunView>, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.sync.runs(&caller, project, resource).await }).await
}

/// Confirms the deletions a run stopped at the delete cap would have made (admins only):
/// the next run of the resource, queued now, may make them (once).
#[server(endpoint = "confirm_held_deletions", output = crate::codec::JsonText)]
pub async fn confirm_held_deletions(
    project: ProjectId,
    resource: Resource,
    run: String,
) -> Result<RunView, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move {
        s.sync
            .confirm_deletions(&caller, project, resource, &run)
            .await
    })
    .await
}

/// Keeps the records a run stopped at the delete cap would have deleted (admins only):
/// each stays here, so later runs do not stop over them again.
#[server(endpoint = "keep_held_deletions", output = crate::codec::JsonText)]
pub async fn keep_held_deletions(
    project: ProjectId,
    resource: Resource,
    run: String,
) -> Result<ResourceStatus, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move {
        s.sync
            .keep_deletions(&caller, project, resource, &run)
            .await
    })
    .await
}

/// The first lines of one run's log (the CSV download has all of them).
#[server(endpoint = "sync_log", output = crate::codec::JsonText)]
pub async fn sync_log(project: ProjectId, run: String) -> Result<Vec<LogLine>, AppError> {
    use crate::ports::serve;
    serve(|s, caller| async move { s.sync.log(&caller, project, &run).await }).await
}
