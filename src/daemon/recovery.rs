//! Recovery at start: the runs a killed daemon left behind. Their
//! containers are removed, their unfinished jobs marked interrupted, and
//! each is run again from the jobs that did not succeed (as `mlci rerun
//! --failed` does). Runs the last shutdown cancelled are resumed the same way.

use super::queue::RunState;
use super::runner::Daemon;
use crate::report::events::Outcome;
use crate::store::Status;
use std::sync::Arc;
use tokio::task::JoinSet;
use tracing::{info, warn};

impl Daemon {
    pub(super) async fn recover(self: &Arc<Daemon>, runs: &mut JoinSet<()>) {
        let Ok(store) = self.store() else { return };
        let interrupted = store.mark_abandoned().unwrap_or_default();
        if let Some(docker) = &self.docker {
            match docker.sweep_leftovers().await {
                Ok(0) => {}
                Ok(n) => info!(removed = n, "removed {n} containers and networks left by a dead mlci"),
                Err(e) => warn!(error = %e, "failed to remove containers left by a dead mlci"),
            }
        }
        let Ok(left) = self.queue.runs_in(RunState::Running) else {
            return;
        };
        for queued in left {
            let detail = queued.run_id.and_then(|id| store.run(id).ok().flatten());
            let resume = match &detail {
                // The daemon died before it could record the run itself.
                None => None,
                Some(d) if d.run.status == Status::Interrupted || d.run.result == Some(Outcome::Cancelled) => {
                    Some(d.run.id)
                }
                // It finished; only the queue's mark was lost.
                Some(_) => {
                    let _ = self.queue.mark_finished(queued.id, None);
                    continue;
                }
            };
            if let Some(id) = resume {
                // Its status, not who marked it: `mlci runs` or `runner
                // status` may have found the dead process first.
                let killed = detail.as_ref().is_some_and(|d| d.run.status == Status::Interrupted);
                let why = if killed || interrupted.contains(&id) {
                    "interrupted"
                } else {
                    "cancelled by a shutdown"
                };
                info!(
                    run_id = id,
                    repo = %queued.repo,
                    workflow = %queued.workflow,
                    "run {id} was {why}: running it again from its unfinished jobs"
                );
            }
            self.spawn_run(runs, queued, resume);
        }
    }
}
