//! The order of a run: a job starts as soon as every job it needs has
//! finished (by the graph, not level by level); its `if` decides whether it
//! runs, with `success()` meaning every ancestor succeeded (gha-semantics
//! §3.1). Legs of a matrix run in parallel within `max-parallel`; the run's
//! slots (`--max-parallel`) bound the jobs running at once.

use super::job::{run_job, JobResult};
use super::scope::{Scope, Status};
use super::shared::RunShared;
use crate::expr::{parse_condition, JsonContext, ParseOptions};
use crate::plan::JobGraph;
use crate::report::events::{JobKey, Outcome, RunEvent};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use std::sync::Arc;
use tokio::task::JoinSet;

/// Runs every job of the workflow (or `only_job` and what it needs) and
/// returns the run's result.
pub async fn run_jobs(shared: Arc<RunShared>, graph: &JobGraph) -> Outcome {
    let wanted = wanted_jobs(&shared, graph);
    let mut results: HashMap<usize, JobResult> = HashMap::new();
    let mut started = vec![false; graph.len()];
    let mut running: JoinSet<(usize, JobResult)> = JoinSet::new();
    loop {
        for &index in graph.order() {
            if started[index] || !wanted.contains(&index) {
                continue;
            }
            if !graph.needs(index).iter().all(|n| results.contains_key(n)) {
                continue;
            }
            started[index] = true;
            if let Some(outputs) = shared.settings.reused.get(&shared.workflow.jobs[index].id.value) {
                reuse(&shared, index, outputs);
                results.insert(
                    index,
                    JobResult {
                        result: Outcome::Success,
                        outputs: outputs.clone(),
                        continue_on_error: false,
                    },
                );
                continue;
            }
            match decide(&shared, graph, index, &results) {
                Decision::Run(scope) => {
                    let shared = shared.clone();
                    running.spawn(async move { (index, run_job(shared, index, scope).await) });
                }
                Decision::Skip(reason) => {
                    skip(&shared, index, &reason);
                    results.insert(index, JobResult::skipped());
                }
            }
        }
        match running.join_next().await {
            Some(Ok((index, result))) => {
                results.insert(index, result);
            }
            // A job task panicked: it is a bug, but the run must still end
            // and clean up; the job is counted as failed.
            Some(Err(_)) => {}
            None => break,
        }
    }
    let failed = results
        .values()
        .any(|r| r.result == Outcome::Failure && !r.continue_on_error);
    if shared.cancel.graceful.is_cancelled() {
        Outcome::Cancelled
    } else if failed || results.len() < wanted.len() {
        Outcome::Failure
    } else {
        Outcome::Success
    }
}

fn wanted_jobs(shared: &RunShared, graph: &JobGraph) -> Vec<usize> {
    match shared.settings.only_job.as_deref().and_then(|id| graph.index_of(id)) {
        Some(index) => {
            let mut set = graph.ancestors(index);
            set.push(index);
            set
        }
        None => (0..graph.len()).collect(),
    }
}

enum Decision {
    Run(Scope),
    Skip(String),
}

/// Evaluates the job's `if` against its ancestors' results.
fn decide(shared: &RunShared, graph: &JobGraph, index: usize, results: &HashMap<usize, JobResult>) -> Decision {
    let job = &shared.workflow.jobs[index];
    if shared.cancel.graceful.is_cancelled() {
        return Decision::Skip("the run was cancelled".into());
    }
    let mut status = Status::default();
    for ancestor in graph.ancestors(index) {
        match results.get(&ancestor).map(JobResult::effective) {
            Some(Outcome::Failure) => status.failed = true,
            Some(Outcome::Skipped) | Some(Outcome::Cancelled) => status.skipped = true,
            _ => {}
        }
    }
    let mut contexts = JsonContext::new(shared.settings.contexts.clone());
    contexts.insert("needs", &needs_context(graph, index, results));
    let scope = Scope::new(contexts, status);
    match scope.condition(job.condition.as_ref()) {
        Ok(true) => Decision::Run(scope),
        Ok(false) => {
            let upstream = status.failed || status.skipped;
            // An `if` without a status function means `success() && (…)`.
            let implicit_success = job
                .condition
                .as_ref()
                .is_none_or(|c| parse_condition(&c.value, &ParseOptions::permissive()).is_ok_and(|c| c.is_wrapped()));
            Decision::Skip(match &job.condition {
                _ if upstream && implicit_success => "a job it needs did not succeed".to_string(),
                None => "its `if` is false".to_string(),
                Some(condition) => format!("`if: {}` is false", condition.value),
            })
        }
        Err(e) => Decision::Skip(format!("its `if` failed to evaluate: {e}")),
    }
}

/// `needs.<id>.result` and `needs.<id>.outputs` of the direct needs.
fn needs_context(graph: &JobGraph, index: usize, results: &HashMap<usize, JobResult>) -> Value {
    let mut needs = Map::new();
    for &need in graph.needs(index) {
        let (Some(id), Some(result)) = (graph.id(need), results.get(&need)) else {
            continue;
        };
        needs.insert(
            id.to_string(),
            json!({ "result": result.effective().as_str(), "outputs": result.outputs }),
        );
    }
    Value::Object(needs)
}

/// A job that succeeded in the run this one reruns (`mlci rerun --failed`):
/// its result and outputs stand, and its artifacts stay downloadable.
fn reuse(shared: &RunShared, index: usize, outputs: &Map<String, Value>) {
    let earlier = shared
        .settings
        .earlier_runs
        .first()
        .map_or(String::new(), |r| format!(" {r}"));
    shared.emit(RunEvent::JobFinished {
        job: JobKey::of_job(&shared.workflow.jobs[index]),
        result: Outcome::Success,
        attempts: 0,
        seconds: 0.0,
        outputs: outputs.clone(),
        reason: Some(format!("succeeded in run{earlier}; not run again")),
    });
}

fn skip(shared: &RunShared, index: usize, reason: &str) {
    shared.emit(RunEvent::JobSkipped {
        job: JobKey::of_job(&shared.workflow.jobs[index]),
        reason: reason.to_string(),
    });
}
