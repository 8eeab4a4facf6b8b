//! The dispatcher: one loop that owns a run's jobs and legs. A job starts
//! as soon as every job it needs has finished (by the graph, not level by
//! level); its legs start within `strategy.max-parallel`; `fail-fast`
//! cancels a job's other legs when one fails (gha-semantics §3.1, §3.2).
//!
//! Every leg runs as one task, and every task ends here as a result: a leg
//! that panicked is a failed leg with its reason, recorded and reported like
//! any other failure. This is the one place where a crash is turned into a
//! result, so a crash can never read as success (nor leave a job "running").

use super::decide::{decide, reuse, skip, wanted_jobs, Decision};
use super::job::{combine, fail_before_start, plan_legs, JobResult, PendingLeg};
use super::leg::{run_leg, LegResult};
use super::shared::RunShared;
use crate::plan::JobGraph;
use crate::report::events::{JobKey, LineKind, Outcome, RunEvent};
use serde_json::Map;
use std::collections::{HashMap, VecDeque};
use std::sync::Arc;
use tokio::task::{Id, JoinError, JoinSet};
use tokio_util::sync::CancellationToken;

/// Runs every wanted job of the workflow and returns the run's result.
pub async fn dispatch(shared: Arc<RunShared>, graph: &JobGraph) -> Outcome {
    let mut dispatcher = Dispatcher::new(shared, graph);
    dispatcher.run().await;
    dispatcher.result()
}

enum JobState {
    Waiting,
    Running(RunningJob),
    Done(JobResult),
}

struct RunningJob {
    pending: VecDeque<PendingLeg>,
    running: usize,
    max_parallel: usize,
    fail_fast: bool,
    /// Cancelled by fail-fast; a child of the run's graceful cancel.
    cancel: CancellationToken,
    results: Vec<LegResult>,
}

struct Dispatcher<'g> {
    shared: Arc<RunShared>,
    graph: &'g JobGraph,
    wanted: Vec<usize>,
    jobs: Vec<JobState>,
    legs: JoinSet<LegResult>,
    /// Which job and leg each task runs, so a crashed one is known.
    tasks: HashMap<Id, (usize, JobKey)>,
}

impl<'g> Dispatcher<'g> {
    fn new(shared: Arc<RunShared>, graph: &'g JobGraph) -> Dispatcher<'g> {
        let wanted = wanted_jobs(&shared, graph);
        Dispatcher {
            jobs: (0..graph.len()).map(|_| JobState::Waiting).collect(),
            shared,
            graph,
            wanted,
            legs: JoinSet::new(),
            tasks: HashMap::new(),
        }
    }

    async fn run(&mut self) {
        loop {
            self.start_ready_jobs();
            self.start_legs();
            let Some(joined) = self.legs.join_next_with_id().await else {
                break;
            };
            match joined {
                Ok((id, result)) => self.leg_finished(id, result),
                Err(error) => self.leg_crashed(error),
            }
        }
    }

    /// The run fails if a wanted job failed (and was not allowed to) or never
    /// ended; it is cancelled if Ctrl-C or a concurrency group cancelled it.
    fn result(&self) -> Outcome {
        let results: Vec<Option<&JobResult>> = self.wanted.iter().map(|&i| self.result_of(i)).collect();
        let failed = results
            .iter()
            .any(|r| r.is_none_or(|r| r.result == Outcome::Failure && !r.continue_on_error));
        let cancelled = results.iter().flatten().any(|r| r.result == Outcome::Cancelled);
        if self.shared.cancel.graceful.is_cancelled() {
            Outcome::Cancelled
        } else if failed {
            Outcome::Failure
        } else if cancelled {
            Outcome::Cancelled
        } else {
            Outcome::Success
        }
    }

    fn result_of(&self, index: usize) -> Option<&JobResult> {
        match &self.jobs[index] {
            JobState::Done(result) => Some(result),
            _ => None,
        }
    }

    /// Decides every waiting job whose needs have all finished. One pass in
    /// graph order settles whole chains of skipped jobs.
    fn start_ready_jobs(&mut self) {
        for &index in self.graph.order() {
            if !matches!(self.jobs[index], JobState::Waiting) || !self.wanted.contains(&index) {
                continue;
            }
            let needs_done = self
                .graph
                .needs(index)
                .iter()
                .all(|n| matches!(self.jobs[*n], JobState::Done(_)));
            if !needs_done {
                continue;
            }
            let shared = &self.shared;
            let job = &shared.workflow.jobs[index];
            if let Some(outputs) = shared.settings.reused.get(&job.id.value) {
                reuse(shared, index, outputs);
                self.jobs[index] = JobState::Done(JobResult {
                    result: Outcome::Success,
                    outputs: outputs.clone(),
                    continue_on_error: false,
                });
                continue;
            }
            let decision = decide(shared, self.graph, index, &|i| self.result_of(i));
            self.jobs[index] = match decision {
                Decision::Skip(reason) => {
                    skip(shared, index, &reason);
                    JobState::Done(JobResult::skipped())
                }
                Decision::Run(scope) => match plan_legs(shared, index, &scope) {
                    Ok(planned) => JobState::Running(RunningJob {
                        pending: planned.legs.into(),
                        running: 0,
                        max_parallel: planned.max_parallel,
                        fail_fast: planned.fail_fast,
                        cancel: shared.cancel.graceful.child_token(),
                        results: Vec::new(),
                    }),
                    Err(message) => JobState::Done(fail_before_start(shared, JobKey::of_job(job), &message)),
                },
            };
        }
    }

    /// Starts legs of running jobs up to each job's `max-parallel`.
    fn start_legs(&mut self) {
        for (index, state) in self.jobs.iter_mut().enumerate() {
            let JobState::Running(job) = state else { continue };
            while job.running < job.max_parallel {
                let Some(pending) = job.pending.pop_front() else { break };
                job.running += 1;
                let key = pending.key.clone();
                let leg = run_leg(
                    self.shared.clone(),
                    index,
                    pending.key,
                    pending.leg,
                    pending.scope,
                    job.cancel.child_token(),
                );
                let handle = self.legs.spawn(leg);
                self.tasks.insert(handle.id(), (index, key));
            }
        }
    }

    fn leg_finished(&mut self, id: Id, result: LegResult) {
        let Some((index, _)) = self.tasks.remove(&id) else {
            return;
        };
        self.record(index, result);
    }

    /// A leg task that panicked (a bug in mlci, or in what it ran): its leg
    /// failed, and says why. Its GPUs and slot were released as it unwound;
    /// the run's safety net removes its containers.
    fn leg_crashed(&mut self, error: JoinError) {
        let Some((index, key)) = self.tasks.remove(&error.id()) else {
            return;
        };
        let reason = format!("mlci crashed while running this job: {}", panic_message(error));
        self.shared.say(&key, None, LineKind::Error, &reason);
        self.shared.emit(RunEvent::JobFinished {
            job: key,
            result: Outcome::Failure,
            attempts: 0,
            seconds: 0.0,
            outputs: Map::new(),
            reason: Some(self.shared.mask(&reason)),
        });
        self.record(
            index,
            LegResult {
                result: Outcome::Failure,
                outputs: Map::new(),
                continue_on_error: false,
            },
        );
    }

    fn record(&mut self, index: usize, result: LegResult) {
        let JobState::Running(job) = &mut self.jobs[index] else {
            return;
        };
        job.running -= 1;
        if job.fail_fast && result.result == Outcome::Failure && !result.continue_on_error {
            job.cancel.cancel();
        }
        job.results.push(result);
        if job.running == 0 && job.pending.is_empty() {
            let done = combine(&job.results);
            self.jobs[index] = JobState::Done(done);
        }
    }
}

fn panic_message(error: JoinError) -> String {
    if !error.is_panic() {
        return "its task was cancelled".to_string();
    }
    let payload = error.into_panic();
    if let Some(text) = payload.downcast_ref::<&str>() {
        text.to_string()
    } else if let Some(text) = payload.downcast_ref::<String>() {
        text.clone()
    } else {
        "a panic".to_string()
    }
}
