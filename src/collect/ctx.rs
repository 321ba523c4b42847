//! What every call and task needs: the account's clients, the one concurrency budget, the
//! progress observer; and how a set of tasks is joined.

use std::sync::Arc;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::task::{JoinError, JoinSet};

use super::clients::Clients;
use super::options::ProgressSink;

/// One account's clients and the shared concurrency budget.
#[derive(Clone)]
pub struct Ctx {
    pub(super) clients: Clients,
    limit: Arc<Semaphore>,
    progress: ProgressSink,
}

impl Ctx {
    /// The first account's context: a fresh budget of `concurrency` calls in flight.
    pub(super) fn new(clients: Clients, concurrency: usize, progress: ProgressSink) -> Self {
        Ctx {
            clients,
            limit: Arc::new(Semaphore::new(concurrency.max(1))),
            progress,
        }
    }

    /// Another account's context: its own clients, under the same budget and observer.
    pub(super) fn with_clients(&self, clients: Clients) -> Self {
        Ctx {
            clients,
            limit: Arc::clone(&self.limit),
            progress: self.progress.clone(),
        }
    }

    /// Waits for a slot in the concurrency budget. The semaphore is never closed, so this
    /// only returns `None` if that invariant is broken — the call then runs unthrottled.
    pub(super) async fn permit(&self) -> Option<SemaphorePermit<'_>> {
        let permit = self.limit.acquire().await.ok();
        if let Some(p) = &self.progress.0 {
            p.call();
        }
        permit
    }
}

/// A joined task's value; `None` if it was cancelled. A task only fails otherwise by
/// panicking; that is a bug, and losing one resource silently would be worse than stopping,
/// so the panic is propagated.
pub(super) fn joined<T>(joined: Result<T, JoinError>) -> Option<T> {
    match joined {
        Ok(v) => Some(v),
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => None,
    }
}

/// Waits for every task (see [`joined`] for cancelled and panicked ones).
pub(super) async fn join_all<T: 'static>(mut set: JoinSet<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(set.len());
    while let Some(next) = set.join_next().await {
        out.extend(joined(next));
    }
    out
}
