//! Semantic checks on a read workflow, beyond its structure: the job graph,
//! expressions and where each context may be used, trigger patterns, cron
//! schedules. `analyze` is the one entry point: file in, model plus every
//! diagnostic out, sorted by position.

mod expressions;
mod graph;
mod locate;
mod matrix;
pub mod sites;
mod triggers;
mod walk;

pub use locate::locate;

use crate::diag::{Diagnostic, SourceFile, Span};
use crate::model::{read_workflow, Workflow};
use std::path::Path;
use std::sync::Arc;

/// One workflow file after reading and checking.
pub struct Analysis {
    pub source: Arc<SourceFile>,
    /// None when the file could not be read as a workflow at all.
    pub workflow: Option<Workflow>,
    pub diagnostics: Vec<Diagnostic>,
}

impl Analysis {
    pub fn has_errors(&self) -> bool {
        self.diagnostics.iter().any(Diagnostic::is_error)
    }

    /// The workflow, when it has no errors.
    pub fn valid_workflow(&self) -> Option<&Workflow> {
        self.workflow.as_ref().filter(|_| !self.has_errors())
    }
}

/// Reads and checks the workflow file at `path` (shown to the user as given).
pub fn analyze_file(path: &Path) -> Analysis {
    match std::fs::read(path) {
        Ok(bytes) => {
            let text = String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            analyze(Arc::new(SourceFile::new(path, text)))
        }
        Err(e) => {
            let source = Arc::new(SourceFile::new(path, String::new()));
            let message = format!("failed to read the workflow file: {e}");
            Analysis {
                source,
                workflow: None,
                diagnostics: vec![Diagnostic::error(Span::file_start(), message)],
            }
        }
    }
}

pub fn analyze(source: Arc<SourceFile>) -> Analysis {
    let (workflow, mut diagnostics) = read_workflow(source.clone());
    if let Some(workflow) = &workflow {
        graph::check_graph(workflow, &mut diagnostics);
        triggers::check_triggers(workflow, &mut diagnostics);
        expressions::check_expressions(workflow, &mut diagnostics);
        matrix::check_matrices(workflow, &mut diagnostics);
    }
    diagnostics.sort_by_key(|d| d.span);
    diagnostics.dedup();
    Analysis {
        source,
        workflow,
        diagnostics,
    }
}

/// The job graph of a workflow that passed its checks.
pub fn graph_of(workflow: &Workflow) -> Option<crate::plan::JobGraph> {
    graph::check_graph(workflow, &mut Vec::new())
}
