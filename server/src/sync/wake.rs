//! Wakes this process's sync worker as soon as a run is queued (a manual Sync, a confirmed
//! deletion), as the Stripe webhook handler wakes its inbox worker: without it, the run
//! waits for the worker's next poll (5 s). Runs queued by another process are still found
//! by that poll.

use std::pin::Pin;
use std::sync::Arc;

use futures::Stream;
use tokio::sync::Notify;

/// The wake-up of one process's sync worker.
#[derive(Clone, Default)]
pub struct SyncWake(Arc<Notify>);

impl SyncWake {
    /// A run was queued: the worker asks for work now (or as soon as it next waits).
    pub fn wake(&self) {
        self.0.notify_one();
    }

    /// One item per wake-up, for the worker's poll strategy.
    pub fn stream(&self) -> Pin<Box<dyn Stream<Item = ()> + Send + Sync>> {
        Box::pin(futures::stream::unfold(
            self.0.clone(),
            |notify| async move {
                notify.notified().await;
                Some(((), notify))
            },
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::StreamExt;

    #[tokio::test]
    async fn a_wake_before_the_wait_is_not_lost() {
        let wake = SyncWake::default();
        let mut woken = wake.stream();
        wake.wake();
        let got = tokio::time::timeout(std::time::Duration::from_millis(200), woken.next()).await;
        assert_eq!(got, Ok(Some(())));
    }
}
