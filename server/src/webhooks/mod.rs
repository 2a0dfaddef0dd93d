//! Stripe webhooks, inbox style. The HTTP edge (`http::webhooks`) verifies the signature,
//! stores the event's id, kind and object ids here once per event id (through a writer that
//! commits concurrent deliveries together, [`intake`]) and answers 200 once committed; the
//! [`worker`] of any server process claims stored events under a lease, applies each through
//! `LicensingService::apply_stripe_event` (which re-fetches the object, so arrival order does
//! not matter) and marks it applied, or backs off and retries. All state is in the database
//! ([`store`]); the in-process wake-up only shortens the wait.

mod intake;
pub mod store;
pub mod worker;

use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Mutex, MutexGuard, Notify};

use crate::db::{Db, DbKind};
use crate::licensing::events::StripeEventRef;
pub use worker::{WebhookWorker, WorkerConfig};

/// Stripe retries a webhook for up to three days; an event id older than this cannot come
/// back, so its applied row may go.
pub const STRIPE_RETRY_WINDOW_SECS: i64 = 3 * 24 * 3600;

/// A verified event as received: what fulfilment reads, and Stripe's `created`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReceivedEvent {
    /// Id, kind and object ids.
    pub event: StripeEventRef,
    /// When Stripe created the event (UTC unix seconds), if it said.
    pub created: Option<i64>,
}

/// The inbox of one server process: the table, its writer ([`intake`]) and the wake-up of
/// this process's worker. Cheap to clone.
#[derive(Clone)]
pub struct WebhookInbox {
    db: Db,
    wake: Arc<Notify>,
    intake: mpsc::Sender<intake::Pending>,
    turns: WriteTurns,
}

/// SQLite has one writer at a time, and a connection that finds it busy sleeps for growing
/// spells (1, 2, 5 … 100 ms) before trying again: the writer and the worker, hitting it
/// together, would add those sleeps to webhook answers. Within a process they take turns in
/// arrival order instead (tokio's fair mutex). Not a guard: every statement is atomic on its
/// own, and on PostgreSQL they run side by side.
#[derive(Clone)]
struct WriteTurns(Option<Arc<Mutex<()>>>);

impl WriteTurns {
    fn for_db(db: &Db) -> Self {
        Self((db.kind() == DbKind::Sqlite).then(|| Arc::new(Mutex::new(()))))
    }

    async fn take(&self) -> Option<MutexGuard<'_, ()>> {
        match &self.0 {
            Some(turns) => Some(turns.lock().await),
            None => None,
        }
    }
}

impl WebhookInbox {
    /// The inbox on `db`; starts its writer on the current tokio runtime.
    pub fn new(db: Db) -> Self {
        let wake = Arc::new(Notify::new());
        let turns = WriteTurns::for_db(&db);
        let intake = intake::spawn_writer(db.clone(), wake.clone(), turns.clone());
        Self {
            db,
            wake,
            intake,
            turns,
        }
    }

    /// Stores a verified event unless its id is already stored (a duplicate delivery), and
    /// wakes this process's worker; true when it is new. Returns once the row is committed.
    pub async fn receive(&self, event: &ReceivedEvent) -> Result<bool, Arc<sqlx::Error>> {
        let (answer, answered) = oneshot::channel();
        let pending = intake::Pending {
            event: event.clone(),
            answer,
        };
        let gone = || Arc::new(sqlx::Error::WorkerCrashed);
        self.intake.send(pending).await.map_err(|_| gone())?;
        answered.await.map_err(|_| gone())?
    }

    /// The database the inbox lives in.
    pub fn db(&self) -> &Db {
        &self.db
    }

    /// Waits for this process's turn to write to the inbox (SQLite only; see [`WriteTurns`]).
    async fn write_turn(&self) -> Option<MutexGuard<'_, ()>> {
        self.turns.take().await
    }

    /// Resolves after the next store (or at once if one happened since the last wait).
    async fn woken(&self) {
        self.wake.notified().await;
    }
}
