//! What a `workflow_dispatch` may ask, as GitHub answers it: the workflow
//! must exist, be valid and declare `workflow_dispatch`, and every input
//! given must be declared and fit its type. The endpoint checks this before
//! it answers (404 or 422, nothing queued), and intake checks it again at
//! the dispatched commit, so a dispatch that got past the endpoint (a mirror
//! not fetched yet) still runs nothing.

use super::workflows_at::first_error;
use crate::check::Analysis;
use crate::model::Workflow;
use crate::plan::dispatch_inputs;
use serde_json::{Map, Value};

/// Why a dispatch is refused.
#[derive(Debug, PartialEq, thiserror::Error)]
pub enum Refusal {
    /// No workflow file of that name (GitHub: 404).
    #[error("there is no workflow `{0}`")]
    NoWorkflow(String),
    /// The workflow cannot be dispatched with these inputs (GitHub: 422).
    #[error("{0}")]
    Unprocessable(String),
}

/// A dispatch or schedule names its workflow by file name or path.
pub fn names_workflow(path: &str, wanted: &str) -> bool {
    path == wanted || path.rsplit('/').next() == Some(wanted)
}

/// The inputs the run gets (declared ones with their defaults, given ones
/// typed), when `wanted` among `analyses` may be dispatched with the
/// `{"inputs": …}` of `payload`.
pub fn check_dispatch(
    analyses: &[Analysis],
    wanted: &str,
    payload: Option<&Value>,
) -> Result<Map<String, Value>, Refusal> {
    let analysis = analyses
        .iter()
        .find(|a| names_workflow(&a.source.path.display().to_string(), wanted))
        .ok_or_else(|| Refusal::NoWorkflow(wanted.to_string()))?;
    let path = analysis.source.path.display();
    let workflow: &Workflow = analysis
        .valid_workflow()
        .ok_or_else(|| Refusal::Unprocessable(first_error(analysis)))?;
    if workflow.on.event("workflow_dispatch").is_none() {
        return Err(Refusal::Unprocessable(format!(
            "{path} does not have a `workflow_dispatch` trigger"
        )));
    }
    dispatch_inputs(workflow, &[], payload).map_err(|why| Refusal::Unprocessable(format!("{path}: {why}")))
}

#[cfg(test)]
#[path = "dispatch_tests.rs"]
mod dispatch_tests;
