//! What can be wrong with the `needs` of a workflow's jobs.

use thiserror::Error;

/// A problem in the job graph. Positions are a job id and the index of the
/// entry in that job's `needs` list, so the caller can point at the line.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum GraphError {
    /// `needs` names a job that does not exist. GitHub's message, plus a
    /// suggestion when a job id is close.
    #[error("Job '{job}' depends on unknown job '{unknown}'.{}", did_you_mean(.suggestion))]
    UnknownJob {
        job: String,
        index: usize,
        unknown: String,
        suggestion: Option<String>,
    },

    /// A cycle. `cycle` runs along `needs` edges and starts and ends at the
    /// first job, in declaration order, that is on it (where actionlint
    /// reports it); `job` and `index` are the `needs` entry that closes it,
    /// the last edge back to that first job.
    #[error(
        "Job '{job}' depends on job '{}' which creates a cycle in the dependency graph: {}",
        .cycle.first().map_or("", String::as_str),
        cycle_text(.cycle)
    )]
    Cycle {
        job: String,
        index: usize,
        cycle: Vec<String>,
    },

    /// Every job needs another, so none can start.
    #[error("The workflow must contain at least one job with no dependencies.")]
    NoRoot,
}

fn did_you_mean(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|s| format!(" Did you mean '{s}'?"))
        .unwrap_or_default()
}

/// actionlint's rendering: `"a" -> "b" -> "a"`.
pub fn cycle_text(cycle: &[String]) -> String {
    cycle
        .iter()
        .map(|id| format!("{id:?}"))
        .collect::<Vec<_>>()
        .join(" -> ")
}
