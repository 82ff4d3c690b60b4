//! Counting tool calls in progress, so an HTTP server that is stopping can let them finish
//! before it closes its sessions and streams.

use std::sync::{
    Arc,
    atomic::{AtomicUsize, Ordering},
};

use tokio::sync::Notify;

/// A shared count of tool calls in progress. Clones share the count.
#[derive(Clone, Default)]
pub(crate) struct InFlight(Arc<Counter>);

#[derive(Default)]
struct Counter {
    calls: AtomicUsize,
    idle: Notify,
}

/// One call in progress; dropping it ends the call.
pub(crate) struct CallGuard(Arc<Counter>);

impl InFlight {
    /// Marks a call as started until the guard is dropped.
    pub(crate) fn start(&self) -> CallGuard {
        self.0.calls.fetch_add(1, Ordering::SeqCst);
        CallGuard(Arc::clone(&self.0))
    }

    /// How many calls are in progress now.
    pub(crate) fn count(&self) -> usize {
        self.0.calls.load(Ordering::SeqCst)
    }

    /// Resolves once no call is in progress.
    pub(crate) async fn idle(&self) {
        loop {
            let notified = self.0.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            if self.count() == 0 {
                return;
            }
            notified.await;
        }
    }
}

impl Drop for CallGuard {
    fn drop(&mut self) {
        if self.0.calls.fetch_sub(1, Ordering::SeqCst) == 1 {
            self.0.idle.notify_waiters();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn idle_waits_for_the_last_call() {
        let in_flight = InFlight::default();
        let first = in_flight.start();
        let second = in_flight.start();
        assert_eq!(in_flight.count(), 2);
        let waiter = tokio::spawn({
            let in_flight = in_flight.clone();
            async move { in_flight.idle().await }
        });
        drop(first);
        tokio::task::yield_now().await;
        assert!(!waiter.is_finished());
        drop(second);
        waiter.await.unwrap();
        assert_eq!(in_flight.count(), 0);
    }
}
