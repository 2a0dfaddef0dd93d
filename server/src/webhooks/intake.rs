//! Group commit of received events. Handlers hand their event to one writer task per
//! process and wait for its answer; the writer stores whatever has queued up meanwhile in one
//! multi-row `INSERT … ON CONFLICT (id) DO NOTHING` and then answers each handler. Under load
//! this turns hundreds of one-row transactions (and, on SQLite, writers queueing for its one
//! write lock) into a few larger ones; alone, an event is written at once. A handler answers
//! Stripe only after the commit, so nothing rests in memory alone.

use std::collections::HashSet;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot, Notify};

use super::{ReceivedEvent, WriteTurns};
use crate::db::{now, Db};

/// The most events one write stores.
const MAX_BATCH: usize = 128;

/// What a handler is told: whether its event was new, or why it could not be stored.
pub(super) type Stored = Result<bool, Arc<sqlx::Error>>;

/// An event waiting to be written, and where its answer goes.
pub(super) struct Pending {
    pub(super) event: ReceivedEvent,
    pub(super) answer: oneshot::Sender<Stored>,
}

/// Starts the writer; it stops when every sender is gone.
pub(super) fn spawn_writer(db: Db, wake: Arc<Notify>, turns: WriteTurns) -> mpsc::Sender<Pending> {
    let (sender, mut queue) = mpsc::channel::<Pending>(4 * MAX_BATCH);
    tokio::spawn(async move {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while queue.recv_many(&mut batch, MAX_BATCH).await > 0 {
            let _turn = turns.take().await;
            write(&db, &wake, std::mem::take(&mut batch)).await;
        }
    });
    sender
}

async fn write(db: &Db, wake: &Notify, batch: Vec<Pending>) {
    // Two deliveries of one event in one batch: the first stores it, the second is a duplicate.
    let mut ids = HashSet::new();
    let unique: Vec<&ReceivedEvent> = batch
        .iter()
        .map(|p| &p.event)
        .filter(|e| ids.insert(e.event.id.as_str()))
        .collect();
    match db.store_stripe_events(&unique, now()).await {
        Ok(stored) => {
            if !stored.is_empty() {
                wake.notify_one();
            }
            let mut new: HashSet<String> = stored.into_iter().collect();
            for pending in batch {
                let first = new.remove(&pending.event.event.id);
                let _ = pending.answer.send(Ok(first));
            }
        }
        Err(error) => {
            let error = Arc::new(error);
            for pending in batch {
                let _ = pending.answer.send(Err(error.clone()));
            }
        }
    }
}
