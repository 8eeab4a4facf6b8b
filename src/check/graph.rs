//! The job graph: every `needs` names a job, and no cycle.

use crate::diag::{Diagnostic, Span};
use crate::model::Workflow;
use crate::plan::graph::{self, JobGraph};
use crate::plan::graph_error::cycle_text;
use crate::plan::GraphError;

/// Builds the graph, reporting each problem at the `needs` entry behind it.
pub fn check_graph(workflow: &Workflow, out: &mut Vec<Diagnostic>) -> Option<JobGraph> {
    let jobs: Vec<(String, Vec<String>)> = workflow
        .jobs
        .iter()
        .map(|j| (j.id.value.clone(), j.needs.iter().map(|n| n.value.clone()).collect()))
        .collect();
    let errors = match graph::build(&jobs) {
        Ok(graph) => return Some(graph),
        Err(errors) => errors,
    };
    let needs_span = |job: &str, index: usize| {
        workflow
            .job(job)
            .and_then(|j| j.needs.get(index))
            .map_or(Span::file_start(), |n| n.span)
    };
    // A cycle already explains why no job can start.
    let has_cycle = errors.iter().any(|e| matches!(e, GraphError::Cycle { .. }));
    for error in errors.into_iter().filter(|e| !(has_cycle && *e == GraphError::NoRoot)) {
        out.push(match error {
            GraphError::UnknownJob {
                job,
                index,
                unknown,
                suggestion,
            } => Diagnostic::error(
                needs_span(&job, index),
                format!("job `{job}` needs `{unknown}`, but there is no such job"),
            )
            .with_optional_help(suggestion.map(|s| format!("did you mean `{s}`?"))),
            GraphError::Cycle { cycle, .. } => {
                // Point at the first job of the cycle's own `needs` entry
                // that leads into it, so the caret sits on the edge to cut.
                let first = cycle.first().cloned().unwrap_or_default();
                let next = cycle.get(1).cloned().unwrap_or_default();
                let index = workflow
                    .job(&first)
                    .and_then(|j| j.needs.iter().position(|n| n.value.eq_ignore_ascii_case(&next)))
                    .unwrap_or(0);
                Diagnostic::error(
                    needs_span(&first, index),
                    format!("the `needs` of these jobs form a cycle: {}", cycle_text(&cycle)),
                )
                .with_help("remove one of the `needs` entries along the cycle")
            }
            GraphError::NoRoot => Diagnostic::error(
                workflow.jobs.first().map_or(Span::file_start(), |j| j.id.span),
                "every job needs another job, so none can start; at least one job must have no `needs`",
            ),
        });
    }
    None
}
