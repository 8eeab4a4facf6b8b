//! Job-level `concurrency:` groups (gha-semantics, `concurrency`): in a group, at most
//! one job runs and one waits. A newer job that arrives replaces the waiting
//! one, which is cancelled; with `cancel-in-progress` it also cancels the
//! running one. The groups live as long as whoever shares them: one
//! `mlci run`, or the whole runner daemon, where each repository has its own
//! names so that two repositories never share a group.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use tokio::sync::oneshot;
use tokio_util::sync::CancellationToken;

/// The groups of one runner (or one `mlci run`); cheap to clone.
#[derive(Clone, Default)]
pub struct ConcurrencyGroups {
    inner: Arc<Inner>,
    /// Prepended to every name: the repository, in the daemon.
    scope: String,
}

#[derive(Default)]
struct Inner {
    groups: Mutex<HashMap<String, Group>>,
    next_id: AtomicU64,
}

#[derive(Default)]
struct Group {
    running: Option<Member>,
    waiting: Option<Waiter>,
}

struct Member {
    id: u64,
    cancel: CancellationToken,
}

struct Waiter {
    member: Member,
    admit: oneshot::Sender<()>,
}

/// How a job's wait for its group ended.
pub enum Admission {
    /// It may run; the group is free again when this is dropped.
    Admitted(GroupSlot),
    /// A newer job of the group replaced it while it waited.
    Superseded,
    /// The job itself was cancelled while it waited.
    Cancelled,
}

impl ConcurrencyGroups {
    /// The same groups, with names of their own (one repository's).
    pub fn scoped(&self, scope: &str) -> ConcurrencyGroups {
        ConcurrencyGroups {
            inner: self.inner.clone(),
            scope: scope.to_string(),
        }
    }

    /// Joins group `name`: at once if nothing runs in it, else after the
    /// running job ends. `cancel` is the joining job's: cancelling it stops
    /// the wait, and a newer job with `cancel-in-progress` cancels it.
    pub async fn enter(&self, name: &str, cancel_in_progress: bool, cancel: &CancellationToken) -> Admission {
        // Group names are case-insensitive, as on GitHub.
        let key = format!("{}\u{1f}{}", self.scope, name.to_lowercase());
        let id = self.inner.next_id.fetch_add(1, Ordering::Relaxed);
        let member = Member {
            id,
            cancel: cancel.clone(),
        };
        let admitted = {
            let mut groups = self.lock();
            let group = groups.entry(key.clone()).or_default();
            match &group.running {
                None => {
                    group.running = Some(member);
                    None
                }
                Some(running) => {
                    if cancel_in_progress {
                        running.cancel.cancel();
                    }
                    // Dropping the older waiter's sender tells it so.
                    let (admit, admitted) = oneshot::channel();
                    group.waiting = Some(Waiter { member, admit });
                    Some(admitted)
                }
            }
        };
        let slot = GroupSlot {
            groups: self.clone(),
            key,
            id,
        };
        let Some(admitted) = admitted else {
            return Admission::Admitted(slot);
        };
        tokio::select! {
            result = admitted => match result {
                Ok(()) => Admission::Admitted(slot),
                Err(_) => Admission::Superseded,
            },
            // Dropping the slot frees the group, should it have been handed
            // over at the same moment.
            _ = cancel.cancelled() => Admission::Cancelled,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<String, Group>> {
        self.inner.groups.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A job's place in its group.
pub struct GroupSlot {
    groups: ConcurrencyGroups,
    key: String,
    id: u64,
}

impl Drop for GroupSlot {
    fn drop(&mut self) {
        let mut groups = self.groups.lock();
        let Some(group) = groups.get_mut(&self.key) else { return };
        if group.waiting.as_ref().is_some_and(|w| w.member.id == self.id) {
            group.waiting = None;
        }
        if group.running.as_ref().is_some_and(|r| r.id == self.id) {
            group.running = None;
            if let Some(waiter) = group.waiting.take() {
                group.running = Some(waiter.member);
                if waiter.admit.send(()).is_err() {
                    group.running = None;
                }
            }
        }
        if group.running.is_none() && group.waiting.is_none() {
            groups.remove(&self.key);
        }
    }
}

#[cfg(test)]
#[path = "concurrency_tests.rs"]
mod tests;
