//! Whether a job whose needs have finished runs: its `if`, with `success()`
//! meaning every ancestor succeeded (gha-semantics §3.1), `needs.<id>`
//! from their results, and the jobs a rerun reuses.

use super::job::JobResult;
use super::scope::{Scope, Status};
use super::shared::RunShared;
use crate::expr::{parse_condition, JsonContext, ParseOptions};
use crate::plan::JobGraph;
use crate::report::events::{JobKey, Outcome, RunEvent};
use serde_json::{json, Map, Value};

/// The jobs to run: all, or `only_job` (`-j`) and the jobs it needs.
pub(super) fn wanted_jobs(shared: &RunShared, graph: &JobGraph) -> Vec<usize> {
    match shared.settings.only_job.as_deref().and_then(|id| graph.index_of(id)) {
        Some(index) => {
            let mut set = graph.ancestors(index);
            set.push(index);
            set
        }
        None => (0..graph.len()).collect(),
    }
}

pub(super) enum Decision {
    Run(Scope),
    Skip(String),
}

/// Evaluates the job's `if` against its ancestors' results.
pub(super) fn decide<'r>(
    shared: &RunShared,
    graph: &JobGraph,
    index: usize,
    result_of: &dyn Fn(usize) -> Option<&'r JobResult>,
) -> Decision {
    let job = &shared.workflow.jobs[index];
    if shared.cancel.graceful.is_cancelled() {
        return Decision::Skip("the run was cancelled".into());
    }
    let mut status = Status::default();
    for ancestor in graph.ancestors(index) {
        match result_of(ancestor).map(JobResult::effective) {
            Some(Outcome::Failure) => status.failed = true,
            Some(Outcome::Skipped) | Some(Outcome::Cancelled) => status.skipped = true,
            _ => {}
        }
    }
    let mut contexts = JsonContext::new(shared.settings.contexts.clone());
    contexts.insert("needs", &needs_context(graph, index, result_of));
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
fn needs_context<'r>(graph: &JobGraph, index: usize, result_of: &dyn Fn(usize) -> Option<&'r JobResult>) -> Value {
    let mut needs = Map::new();
    for &need in graph.needs(index) {
        let (Some(id), Some(result)) = (graph.id(need), result_of(need)) else {
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
pub(super) fn reuse(shared: &RunShared, index: usize, outputs: &Map<String, Value>) {
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

pub(super) fn skip(shared: &RunShared, index: usize, reason: &str) {
    shared.emit(RunEvent::JobSkipped {
        job: JobKey::of_job(&shared.workflow.jobs[index]),
        reason: reason.to_string(),
    });
}
