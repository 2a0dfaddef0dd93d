//! Background jobs on apalis 1.0 over our own database (its PostgreSQL or SQLite backend,
//! on a typed pool beside the app's `AnyPool`). Periodic work is enqueued by a scanner
//! ([`periodic`]) under our own unique key `task:period_start`, so several server processes
//! never enqueue one period twice; apalis's heartbeats hand a task whose process died to
//! another worker. Beside them runs the Stripe webhook inbox worker ([`crate::webhooks`]),
//! whose claims are leases in the database.

pub mod periodic;
mod store;
pub mod sync_task;

use std::sync::Arc;
use std::time::Duration;

use apalis::prelude::*;
use apalis_postgres::PostgresStorage;
use apalis_sqlite::SqliteStorage;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::db::Db;
use crate::licensing::LicensingService;
use crate::subscriptions::SubscriptionService;
use crate::sync::SyncEngine;
use crate::webhooks::{WebhookInbox, WebhookWorker, WorkerConfig};
use periodic::{PeriodicKind, PeriodicTask};
pub use store::JobStore;

/// The one queue periodic tasks travel on.
pub const PERIODIC_QUEUE: &str = "periodic";

/// How jobs are paced. The defaults suit production; tests shorten them.
#[derive(Debug, Clone)]
pub struct JobsConfig {
    /// How often the scanner looks for due periodic work.
    pub scan_every: Duration,
    /// How often an idle worker asks for work.
    pub poll_every: Duration,
    /// Worker heartbeat; a worker silent for two of them is presumed dead.
    pub heartbeat: Duration,
    /// The period of each periodic task, in seconds.
    pub periods: Vec<(PeriodicKind, i64)>,
    /// Testing aid: hold each run this long before doing its work.
    pub run_delay: Duration,
}

impl Default for JobsConfig {
    fn default() -> Self {
        Self {
            scan_every: Duration::from_secs(30),
            poll_every: Duration::from_secs(5),
            heartbeat: Duration::from_secs(30),
            periods: PeriodicKind::ALL
                .iter()
                .map(|k| (*k, k.period_secs()))
                .collect(),
            run_delay: Duration::ZERO,
        }
    }
}

/// The job system of one server process.
#[derive(Clone)]
pub struct Jobs {
    store: JobStore,
    db: Db,
    config: JobsConfig,
    worker: String,
    webhooks: Option<WebhookWorker>,
    reconciler: Option<Reconciler>,
    sync: Option<Arc<SyncEngine>>,
    sync_wake: Option<crate::sync::SyncWake>,
    installs: Option<Arc<crate::installs::InstallService>>,
}

/// What the hourly reconciliation uses.
#[derive(Clone)]
pub struct Reconciler {
    /// Open orders and double payments.
    pub licensing: Arc<LicensingService>,
    /// Subscriptions, quantities, statuses.
    pub subscriptions: Arc<SubscriptionService>,
}

/// Resolves when `token` is cancelled (a worker's stop signal).
type StopSignal = futures::future::BoxFuture<'static, Result<(), std::io::Error>>;

/// Runs `run` until `token` is cancelled, starting it again 5 s after it stops on an error.
fn supervise<F, Fut>(label: &'static str, token: CancellationToken, run: F) -> JoinHandle<()>
where
    F: Fn(StopSignal) -> Fut + Send + 'static,
    Fut: std::future::Future<Output = Result<(), WorkerError>> + Send,
{
    tokio::spawn(async move {
        loop {
            let stop: StopSignal = {
                let token = token.clone();
                Box::pin(async move {
                    token.cancelled().await;
                    Ok::<(), std::io::Error>(())
                })
            };
            let outcome = run(stop).await;
            if token.is_cancelled() {
                break;
            }
            if let Err(error) = outcome {
                tracing::error!(%error, label, "worker stopped; restarting in 5 s");
            }
            tokio::select! {
                _ = token.cancelled() => break,
                _ = tokio::time::sleep(std::time::Duration::from_secs(5)) => {}
            }
        }
    })
}

/// Running workers and scanner; stop them on shutdown.
pub struct JobsHandle {
    token: CancellationToken,
    tasks: Vec<JoinHandle<()>>,
}

impl JobsHandle {
    /// Finishes in-flight work, then stops.
    pub async fn stop(self) {
        self.token.cancel();
        for task in self.tasks {
            let _ = task.await;
        }
    }

    /// Stops at once, as if the process died (tests of crash recovery).
    pub fn abort(self) {
        for task in &self.tasks {
            task.abort();
        }
    }
}

/// What a job run may use.
#[derive(Clone)]
struct JobContext {
    db: Db,
    worker: String,
    run_delay: Duration,
    reconciler: Option<Reconciler>,
    installs: Option<Arc<crate::installs::InstallService>>,
}

impl Jobs {
    /// Opens the job storage on the database at `url` and runs apalis's migrations.
    pub async fn connect(url: &str, db: Db, config: JobsConfig) -> anyhow::Result<Self> {
        let store = JobStore::connect(url).await?;
        let worker = format!(
            "pc-{}-{}",
            std::process::id(),
            &uuid::Uuid::new_v4().simple().to_string()[..8]
        );
        Ok(Self {
            store,
            db,
            config,
            worker,
            webhooks: None,
            reconciler: None,
            sync: None,
            sync_wake: None,
            installs: None,
        })
    }

    /// Adds the worker that applies the Stripe webhook inbox (named like this process's
    /// job worker).
    pub fn with_webhooks(
        mut self,
        inbox: WebhookInbox,
        licensing: Arc<LicensingService>,
        config: WorkerConfig,
    ) -> Self {
        self.webhooks = Some(WebhookWorker::new(
            inbox,
            licensing,
            config,
            self.worker.clone(),
        ));
        self
    }

    /// Adds the hourly reconciliation with Stripe.
    pub fn with_reconciler(mut self, reconciler: Reconciler) -> Self {
        self.reconciler = Some(reconciler);
        self
    }

    /// Adds the worker that runs Procore syncs (and the scan for due ones).
    pub fn with_sync(mut self, engine: Arc<SyncEngine>) -> Self {
        self.sync = Some(engine);
        self
    }

    /// Wakes the sync worker at once when `wake` is woken (a run queued in this process);
    /// it polls as well, for runs other processes queue.
    pub fn with_sync_wake(mut self, wake: crate::sync::SyncWake) -> Self {
        self.sync_wake = Some(wake);
        self
    }

    /// Adds the hourly check of app installations.
    pub fn with_installs(mut self, installs: Arc<crate::installs::InstallService>) -> Self {
        self.installs = Some(installs);
        self
    }

    /// The job storage (for queuing sync runs).
    pub fn store(&self) -> &JobStore {
        &self.store
    }

    /// This process's worker name.
    pub fn worker_name(&self) -> &str {
        &self.worker
    }

    /// Enqueues the current period of every periodic task not yet enqueued (by anyone).
    pub async fn scan(&self) -> anyhow::Result<usize> {
        let now = crate::db::now();
        let mut enqueued = 0;
        for (kind, period) in &self.config.periods {
            let task = PeriodicTask {
                kind: *kind,
                period_start: now - now.rem_euclid(*period),
            };
            if self.store.enqueue_once(&task).await? {
                enqueued += 1;
            }
        }
        if self.sync.is_some() {
            enqueued += sync_task::scan_syncs(&self.db, &self.store).await?;
        }
        Ok(enqueued)
    }

    /// Starts the worker and the scanner on the current tokio runtime.
    pub fn start(&self) -> JobsHandle {
        let token = CancellationToken::new();
        let context = JobContext {
            db: self.db.clone(),
            worker: self.worker.clone(),
            run_delay: self.config.run_delay,
            reconciler: self.reconciler.clone(),
            installs: self.installs.clone(),
        };
        let worker = self.spawn_worker(context, token.clone());
        let scanner = {
            let jobs = self.clone();
            let token = token.clone();
            tokio::spawn(async move {
                let mut every = tokio::time::interval(jobs.config.scan_every);
                loop {
                    tokio::select! {
                        _ = token.cancelled() => break,
                        _ = every.tick() => {
                            if let Err(error) = jobs.scan().await {
                                tracing::warn!(%error, "periodic job scan failed; next scan retries");
                            }
                        }
                    }
                }
            })
        };
        let mut tasks = vec![worker, scanner];
        if let Some(engine) = &self.sync {
            let context = sync_task::SyncContext {
                engine: engine.clone(),
                worker: format!("{}-sync", self.worker),
            };
            tasks.push(self.spawn_sync_worker(context, token.clone()));
        }
        tasks.extend(self.webhooks.as_ref().map(|w| w.spawn(token.clone())));
        JobsHandle { token, tasks }
    }

    /// Starts only the webhook inbox worker (tests that leave periodic work alone).
    pub fn start_webhooks(&self) -> JobsHandle {
        let token = CancellationToken::new();
        let tasks = self
            .webhooks
            .iter()
            .map(|w| w.spawn(token.clone()))
            .collect();
        JobsHandle { token, tasks }
    }

    /// Runs the worker until `token` is cancelled; a worker stopped by a database error
    /// is started again after a pause.
    fn spawn_worker(&self, context: JobContext, token: CancellationToken) -> JoinHandle<()> {
        let jobs = self.clone();
        supervise("job worker", token, move |stop| {
            let (jobs, context) = (jobs.clone(), context.clone());
            async move { jobs.run_worker(context, stop).await }
        })
    }

    /// The sync worker, supervised the same way.
    fn spawn_sync_worker(
        &self,
        context: sync_task::SyncContext,
        token: CancellationToken,
    ) -> JoinHandle<()> {
        let jobs = self.clone();
        supervise("sync worker", token, move |stop| {
            let (jobs, context) = (jobs.clone(), context.clone());
            async move { jobs.run_sync_worker(context, stop).await }
        })
    }

    async fn run_sync_worker(
        &self,
        context: sync_task::SyncContext,
        stop: impl std::future::Future<Output = Result<(), std::io::Error>> + Send + 'static,
    ) -> Result<(), WorkerError> {
        let name = context.worker.clone();
        let (poll, heartbeat) = (self.config.poll_every, self.config.heartbeat);
        let wake = self.sync_wake.clone();
        macro_rules! run_on {
            ($storage:ident, $config:path, $pool:expr) => {{
                let config = <$config>::default()
                    .queue(sync_task::SYNC_QUEUE)
                    .heartbeat_interval(heartbeat)
                    .missed_heartbeats(2);
                // Woken at once by a run queued here; the interval finds the others.
                let strategy = match &wake {
                    Some(wake) => Strategy::new().stream(wake.stream()).interval(poll),
                    None => Strategy::new().interval(poll),
                };
                let backend = $storage::<sync_task::SyncTask>::new($pool)
                    .with_config(config)
                    .poll_with_strategy(strategy);
                let worker = WorkerBuilder::new(name).backend(backend).data(context);
                worker.build(sync_task::run).run_until(stop).await
            }};
        }
        match &self.store {
            JobStore::Postgres(pool) => run_on!(PostgresStorage, apalis_postgres::Config, pool),
            JobStore::Sqlite(pool) => run_on!(SqliteStorage, apalis_sqlite::Config, pool),
        }
    }

    async fn run_worker(
        &self,
        context: JobContext,
        stop: impl std::future::Future<Output = Result<(), std::io::Error>> + Send + 'static,
    ) -> Result<(), WorkerError> {
        let name = self.worker.clone();
        let (poll, heartbeat) = (self.config.poll_every, self.config.heartbeat);
        // The same worker on either backend (their storage and config types differ).
        macro_rules! run_on {
            ($storage:ident, $config:path, $pool:expr) => {{
                let config = <$config>::default()
                    .queue(PERIODIC_QUEUE)
                    .heartbeat_interval(heartbeat)
                    .missed_heartbeats(2);
                let backend = $storage::<PeriodicTask>::new($pool)
                    .with_config(config)
                    .poll_with_interval(poll);
                let worker = WorkerBuilder::new(name).backend(backend).data(context);
                worker.build(periodic::run).run_until(stop).await
            }};
        }
        match &self.store {
            JobStore::Postgres(pool) => run_on!(PostgresStorage, apalis_postgres::Config, pool),
            JobStore::Sqlite(pool) => run_on!(SqliteStorage, apalis_sqlite::Config, pool),
        }
    }
}
