//! Runs one sync: claims it (a lease in the database, so another process takes over a run
//! whose process died), reads both sides, plans, checks the delete cap, then applies one
//! record at a time, committing progress and the log after each, so a resumed run starts
//! from its last committed record (the plan of what is left). No database transaction or
//! pooled connection is held across a call to Procore.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use app::ids::{CompanyId, ProjectId, UserId};
use app::sync::api::RunState;
use app::sync::entries::label_of;
use app::sync::{Direction, Resource};

use super::held::HeldDelete;
use super::plan::{plan, Op};
use super::resources::{adapter, Adapter, Cx};
use super::standing::{app_reason, connection_reason, licence, standing_reason};
use super::store::{Counts, RunRow};
use super::words::{self, Known};
use crate::db::{now, Db};
use crate::error::{ServerError, ServerResult};
use crate::procore::{ProcoreAccess, ProcoreError, TokenError};

/// How runs behave.
#[derive(Debug, Clone)]
pub struct SyncConfig {
    /// The most deletions (on either side) one run may make; more stops the run.
    pub delete_cap: u32,
    /// A claim lasts this long unless renewed (each record renews it).
    pub lease_secs: i64,
    /// Attempts per record when Procore fails without an answer.
    pub attempts: u32,
    /// First wait between attempts (doubles).
    pub retry_base: Duration,
}

impl Default for SyncConfig {
    fn default() -> Self {
        Self {
            delete_cap: 100,
            lease_secs: 60,
            attempts: 4,
            retry_base: Duration::from_millis(500),
        }
    }
}

/// Runs syncs.
pub struct SyncEngine {
    db: Db,
    procore: Arc<ProcoreAccess>,
    config: SyncConfig,
}

/// How a run ended.
type Ending = (RunState, String);

/// What one applied operation counts as.
enum Counted {
    Created,
    Updated,
    Deleted,
    Unchanged,
}

impl SyncEngine {
    /// An engine.
    pub fn new(db: Db, procore: Arc<ProcoreAccess>, config: SyncConfig) -> Self {
        Self {
            db,
            procore,
            config,
        }
    }

    /// The settings.
    pub fn config(&self) -> &SyncConfig {
        &self.config
    }

    /// Runs (or resumes) run `id` as `worker`; returns when it is closed, or when another
    /// live worker holds it.
    pub async fn execute(&self, id: &str, worker: &str) -> ServerResult<()> {
        let run = loop {
            let at = now();
            if let Some(run) = self
                .db
                .claim_run(id, worker, at, at + self.config.lease_secs)
                .await?
            {
                break run;
            }
            match self.db.run(id).await? {
                Some(r) if r.finished_at.is_none() => {
                    // Held by another worker: wait for its lease (it renews while alive).
                    let wait = r.lease_until.unwrap_or(at) - at + 1;
                    tokio::time::sleep(Duration::from_secs(
                        wait.clamp(1, self.config.lease_secs) as u64
                    ))
                    .await;
                    if self.db.run(id).await?.is_some_and(|r| {
                        r.claimed_by.as_deref() != Some(worker)
                            && r.lease_until.unwrap_or(0) >= now()
                    }) {
                        return Ok(());
                    }
                }
                _ => return Ok(()),
            }
        };
        if run.counts.done > 0 || run.counts.total > 0 {
            self.log(
                &run,
                "info",
                None,
                &format!(
                    "Resumed by {worker} after record {} of {}.",
                    run.counts.done, run.counts.total
                ),
            )
            .await;
        }
        let ending = match self.work(&run, worker).await {
            Ok(Some(ending)) => {
                if ending.0 == RunState::Succeeded {
                    // Procore answered this connection: clears a "not connected" state.
                    self.note_install_state(run.company_id, run.project_id, true)
                        .await?;
                }
                ending
            }
            Ok(None) => return Ok(()), // the lease went to another worker
            Err(error) => {
                if let ServerError::Procore(ProcoreError::Forbidden(message)) = &error {
                    if message.contains(crate::installs::NOT_CONNECTED) {
                        self.note_install_state(run.company_id, run.project_id, false)
                            .await?;
                    }
                }
                (RunState::Failed, failure_words(&error))
            }
        };
        let mut closed = run.clone();
        if let Some(latest) = self.db.run(id).await? {
            closed.full_run = latest.full_run;
        }
        self.log(
            &run,
            if ending.0 == RunState::Succeeded {
                "info"
            } else {
                "error"
            },
            None,
            &ending.1,
        )
        .await;
        self.db
            .finish_run(&closed, ending.0, &ending.1, now())
            .await?;
        // Deletions an admin confirmed were for this one run, whatever its outcome.
        if let Some(resource) = Resource::parse(&run.resource) {
            let (company, project) = (CompanyId(run.company_id), ProjectId(run.project_id));
            if self
                .db
                .confirmed_deletes(company, project, resource)
                .await?
                .is_some()
            {
                self.db
                    .set_confirmed_deletes(company, project, resource, None)
                    .await?;
            }
        }
        Ok(())
    }

    /// Records what Procore's answer to a run says of the app its connection belongs to:
    /// connected after a run that succeeded, not connected after "App is not connected to
    /// this company". A project without a connection records nothing.
    async fn note_install_state(
        &self,
        company: i64,
        project: i64,
        connected: bool,
    ) -> ServerResult<()> {
        let company = CompanyId(company);
        let settings = self.db.sync_settings(company, ProjectId(project)).await?;
        let Some(user) = settings.and_then(|s| s.connection_user_id) else {
            return Ok(());
        };
        if connected {
            self.db.record_connected_via(company, user).await
        } else {
            self.db
                .record_not_connected(company, user)
                .await
                .map(|_| ())
        }
    }

    async fn work(&self, run: &RunRow, worker: &str) -> ServerResult<Option<Ending>> {
        let bad = |what: &str| ServerError::Corrupt(format!("sync run {}: {what}", run.id));
        let resource = Resource::parse(&run.resource).ok_or_else(|| bad("resource"))?;
        let direction = Direction::parse(&run.direction).ok_or_else(|| bad("direction"))?;
        let (company, project) = (CompanyId(run.company_id), ProjectId(run.project_id));
        match licence(&self.db, company, project).await? {
            None => {
                return Ok(Some((
                    RunState::Failed,
                    "This project is not licensed, so it does not sync.".into(),
                )))
            }
            Some((terms, standing)) => {
                if let Some(reason) = standing_reason(&standing) {
                    return Ok(Some((RunState::Failed, reason)));
                }
                if let Some(reason) = app_reason(&self.db, company, &terms).await? {
                    return Ok(Some((RunState::Failed, reason)));
                }
            }
        }
        let settings = self.db.sync_settings(company, project).await?;
        let user = settings.as_ref().and_then(|s| s.connection_user_id);
        if let Some(reason) = connection_reason(&self.db, company, user).await? {
            return Ok(Some((RunState::Failed, reason)));
        }
        let cx = Cx {
            procore: self.procore.clone(),
            db: self.db.clone(),
            user: UserId(user.unwrap_or_default()),
            company,
            project,
        };
        let adapter = adapter(resource);
        let schedule = self.db.sync_resources(company, project).await?;
        let last = schedule
            .iter()
            .find(|r| r.resource == resource)
            .and_then(|r| r.last_success_at);
        let since = if run.full_run == 1 || adapter.always_full() {
            None
        } else {
            last
        };
        if since.is_none() && run.full_run == 0 {
            sqlx::query("UPDATE sync_runs SET full_run = 1 WHERE id = $1")
                .bind(run.id.clone())
                .execute(self.db.pool())
                .await?;
        }
        self.log(
            run,
            "info",
            None,
            &format!(
                "{} sync started: {}, {}.",
                resource.label(),
                direction.label(),
                if since.is_none() {
                    "full run"
                } else {
                    "changes since the last run"
                }
            ),
        )
        .await;

        let mut counts = run.counts;
        let remote = match self
            .paused(run, worker, &mut counts, || adapter.list(&cx, since))
            .await?
        {
            Some(remote) => remote,
            None => return Ok(None),
        };
        let locals = self.db.directory_locals(company, project, resource).await?;
        let changed_at: HashMap<String, i64> = locals
            .iter()
            .map(|l| (l.id.clone(), l.changed_at))
            .collect();
        let planned = plan(&locals, &remote, direction);
        let known = Known::new(resource, direction, &locals, &remote.records);
        let confirmed = self
            .db
            .confirmed_deletes(company, project, resource)
            .await?;
        let cap = confirmed.map_or(self.config.delete_cap, |n| {
            self.config
                .delete_cap
                .max(u32::try_from(n).unwrap_or(u32::MAX))
        });
        if let Some(deletions) = planned.over_cap(cap) {
            let held: Vec<HeldDelete> = planned
                .ops
                .iter()
                .filter_map(|op| HeldDelete::of(op, known.name(op)))
                .collect();
            self.db.hold_deletions(&run.id, &held).await?;
            for h in &held {
                self.log(run, "warn", Some(&h.name), h.words()).await;
            }
            return Ok(Some((RunState::Stopped, format!(
                "Stopped before changing anything: this run would delete {deletions} records, more than the limit of {cap} per run. They are listed on the settings page and in this log: a company admin confirms the deletions for one run, or keeps the records."
            ))));
        }
        for conflict in &planned.conflicts {
            let (name, words) = known.conflict(conflict);
            self.log(run, "warn", Some(&name), &words).await;
        }
        let resumed = run.counts.total > 0;
        counts.total = counts.done + planned.ops.len() as i64;
        if !resumed {
            counts.unchanged = i64::from(planned.unchanged);
        }
        if !self
            .progress(run, worker, counts, RunState::Running, None)
            .await?
        {
            return Ok(None);
        }
        for op in &planned.ops {
            let seen = op_local(op)
                .and_then(|l| changed_at.get(l))
                .copied()
                .unwrap_or_else(now);
            match self
                .apply_with_retries(
                    run,
                    worker,
                    &mut counts,
                    &cx,
                    adapter.as_ref(),
                    resource,
                    op,
                    seen,
                )
                .await
            {
                Ok(Some(counted)) => {
                    match counted {
                        Counted::Created => counts.created += 1,
                        Counted::Updated => counts.updated += 1,
                        Counted::Deleted => counts.deleted += 1,
                        Counted::Unchanged => counts.unchanged += 1,
                    }
                    if let Some(words) = known.done(op) {
                        self.log(run, "info", Some(&known.name(op)), &words).await;
                    }
                }
                Ok(None) => return Ok(None),
                Err(error) if is_fatal(&error) => return Err(error),
                Err(error) => {
                    counts.failed += 1;
                    let words = format!("{} {}", known.refused(op), record_words(&error));
                    self.log(run, "error", Some(&known.name(op)), &words).await;
                }
            }
            counts.done += 1;
            if !self
                .progress(run, worker, counts, RunState::Running, None)
                .await?
            {
                return Ok(None);
            }
        }
        let summary = format!(
            "Done: {} created, {} updated, {} deleted, {} unchanged, {} failed.",
            counts.created, counts.updated, counts.deleted, counts.unchanged, counts.failed
        );
        Ok(Some((RunState::Succeeded, summary)))
    }

    /// Applies one operation, retrying when Procore fails without an answer; creates look
    /// up before creating, so a retry never makes a second record.
    #[allow(clippy::too_many_arguments)]
    async fn apply_with_retries(
        &self,
        run: &RunRow,
        worker: &str,
        counts: &mut Counts,
        cx: &Cx,
        adapter: &dyn Adapter,
        resource: Resource,
        op: &Op,
        seen: i64,
    ) -> ServerResult<Option<Counted>> {
        let mut attempt = 0;
        loop {
            let outcome = self
                .paused(run, worker, counts, || {
                    self.apply(cx, adapter, resource, op, seen)
                })
                .await;
            match outcome {
                Err(ServerError::Procore(
                    ProcoreError::Unavailable(_) | ProcoreError::Decode(_),
                )) if attempt + 1 < self.config.attempts => {
                    attempt += 1;
                    tokio::time::sleep(self.config.retry_base * 2u32.pow(attempt - 1)).await;
                }
                other => return other,
            }
        }
    }

    async fn apply(
        &self,
        cx: &Cx,
        adapter: &dyn Adapter,
        resource: Resource,
        op: &Op,
        seen: i64,
    ) -> ServerResult<Counted> {
        let db = &self.db;
        let (company, project) = (cx.company, cx.project);
        Ok(match op {
            Op::Pull { local, remote } => {
                let label = label_of(resource, &remote.fields);
                db.pull_entry(
                    company,
                    project,
                    resource,
                    local.as_deref(),
                    remote,
                    &label,
                    now(),
                )
                .await?;
                if local.is_some() {
                    Counted::Updated
                } else {
                    Counted::Created
                }
            }
            Op::Link { local, remote } => {
                db.mark_synced(local, remote.id, remote.updated_at, seen)
                    .await?;
                Counted::Unchanged
            }
            Op::DropLocal { local, .. } => {
                db.forget_entry(local).await?;
                Counted::Deleted
            }
            Op::Create { local, fields, .. } => {
                let made = adapter.create(cx, local, fields).await?;
                db.mark_synced(local, made.id, made.updated_at, seen)
                    .await?;
                Counted::Created
            }
            Op::Update {
                local,
                procore_id,
                fields,
                ..
            } => {
                let sent = adapter.update(cx, *procore_id, fields).await?;
                db.mark_synced(local, sent.id, sent.updated_at, seen)
                    .await?;
                Counted::Updated
            }
            Op::DeleteRemote {
                local, procore_id, ..
            } => {
                adapter.delete(cx, *procore_id).await?;
                db.forget_entry(local).await?;
                Counted::Deleted
            }
            Op::Forget { local, .. } => {
                db.forget_entry(local).await?;
                Counted::Deleted
            }
        })
    }

    /// Runs `call`; while Procore's rate limit (or our shared budget) says wait, the run is
    /// Paused with the time it resumes, then tries again. None: the lease was lost.
    async fn paused<T, F, Fut>(
        &self,
        run: &RunRow,
        worker: &str,
        counts: &mut Counts,
        call: F,
    ) -> ServerResult<Option<T>>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = ServerResult<T>>,
    {
        loop {
            match call().await {
                Err(ServerError::Procore(ProcoreError::RateLimited { retry_after })) => {
                    let until = now() + retry_after.as_secs().max(1) as i64;
                    self.log(
                        run,
                        "warn",
                        None,
                        &format!(
                            "Paused by Procore's rate limit; resumes at {}.",
                            super::resources::iso(until)
                        ),
                    )
                    .await;
                    if !self
                        .progress(run, worker, *counts, RunState::Paused, Some(until))
                        .await?
                    {
                        return Ok(None);
                    }
                    tokio::time::sleep(retry_after.max(Duration::from_secs(1))).await;
                    if !self
                        .progress(run, worker, *counts, RunState::Running, None)
                        .await?
                    {
                        return Ok(None);
                    }
                }
                other => return other.map(Some),
            }
        }
    }

    async fn progress(
        &self,
        run: &RunRow,
        worker: &str,
        counts: Counts,
        state: RunState,
        paused_until: Option<i64>,
    ) -> ServerResult<bool> {
        let lease = paused_until.unwrap_or_else(now) + self.config.lease_secs;
        self.db
            .run_progress(&run.id, worker, counts, state, paused_until, lease)
            .await
    }

    /// Appends a log line; a line about the whole run names the resource ("Users (whole run)"),
    /// so the Record column is never empty.
    async fn log(&self, run: &RunRow, level: &str, record: Option<&str>, message: &str) {
        let whole = Resource::parse(&run.resource).map(words::whole_run);
        let record = record.or(whole.as_deref());
        if let Err(error) = self
            .db
            .log_run(&run.id, level, record, message, now())
            .await
        {
            tracing::warn!(%error, run = run.id, "writing a sync log line failed");
        }
    }
}

fn op_local(op: &Op) -> Option<&String> {
    match op {
        Op::Pull { local, .. } => local.as_ref(),
        Op::Link { local, .. }
        | Op::DropLocal { local, .. }
        | Op::Create { local, .. }
        | Op::Update { local, .. }
        | Op::DeleteRemote { local, .. }
        | Op::Forget { local, .. } => Some(local),
    }
}

/// Errors that stop the whole run (nothing else would succeed either).
fn is_fatal(error: &ServerError) -> bool {
    matches!(
        error,
        ServerError::Token(_)
            | ServerError::Db(_)
            | ServerError::Procore(ProcoreError::Unauthorized | ProcoreError::Forbidden(_))
    )
}

/// A failed record in the log: Procore's own message where it gave one.
fn record_words(error: &ServerError) -> String {
    match error {
        ServerError::Procore(ProcoreError::Rejected { status, message }) => {
            format!("Procore refused it ({status}): {message}")
        }
        ServerError::Procore(ProcoreError::NotFound) => {
            "Procore no longer has it, or it is hidden from this connection (404).".into()
        }
        ServerError::App(app) => app.to_string(),
        other => format!("Failed after retries: {other}"),
    }
}

/// Why a whole run failed, in words an admin can act on.
fn failure_words(error: &ServerError) -> String {
    match error {
        ServerError::Token(TokenError::ReauthRequired) | ServerError::Procore(ProcoreError::Unauthorized) => {
            "Sync needs a new admin connection: the Procore connection it used has ended. A company admin signs in with Procore and saves these settings again.".into()
        }
        ServerError::Procore(ProcoreError::Forbidden(message)) => format!(
            "Procore refused access ({message}). Either the app is not connected to this company in Procore (App Management), or the connection lacks permission on this project's directory."
        ),
        ServerError::Procore(ProcoreError::NotFound) => "Procore does not show this project to the connection any more (404: deleted, or hidden from this user).".into(),
        ServerError::Procore(error) => format!("Procore could not be reached: {error}. The next scheduled run tries again."),
        other => {
            tracing::error!(error = %other, "sync run failed");
            "The run failed on our side; the next scheduled run tries again.".into()
        }
    }
}
