//! A whole workflow file, read into the typed model.

use super::job::{read_job, Job};
use super::reader::Reader;
use super::shared::{read_concurrency, read_defaults, read_permissions, Concurrency, Defaults};
use super::triggers::{read_triggers, Triggers};
use super::{Spanned, Text};
use crate::diag::{Diagnostic, SourceFile, Span};
use crate::load::parse_yaml;
use indexmap::IndexMap;
use serde::Serialize;
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone, Debug, Serialize)]
pub struct Workflow {
    #[serde(skip)]
    pub source: Arc<SourceFile>,
    pub path: PathBuf,
    pub name: Option<Text>,
    pub run_name: Option<Text>,
    pub on: Triggers,
    pub env: IndexMap<String, Text>,
    pub defaults: Option<Defaults>,
    pub concurrency: Option<Concurrency>,
    pub permissions: Option<serde_json::Value>,
    pub jobs: Vec<Job>,
    /// Where `on:` was written, for errors about the triggers as a whole.
    #[serde(skip)]
    pub on_span: Span,
}

const WORKFLOW_KEYS: &[&str] = &[
    "name",
    "run-name",
    "on",
    "env",
    "defaults",
    "concurrency",
    "permissions",
    "jobs",
];

impl Workflow {
    /// What GitHub calls the workflow: its `name`, else its file path.
    pub fn display_name(&self) -> String {
        match &self.name {
            Some(name) if !name.value.is_empty() => name.value.clone(),
            _ => self.path.display().to_string(),
        }
    }

    pub fn job(&self, id: &str) -> Option<&Job> {
        self.jobs.iter().find(|j| j.id.value == id)
    }
}

/// Reads a workflow file's text into the model. The model is returned
/// whenever the YAML itself parsed, even with errors in it, so that later
/// checks can still report what they find; callers decide by the errors.
pub fn read_workflow(source: Arc<SourceFile>) -> (Option<Workflow>, Vec<Diagnostic>) {
    let loaded = parse_yaml(&source.text);
    let mut r = Reader {
        diagnostics: loaded.diagnostics,
    };
    let Some(root) = loaded.root else {
        if r.diagnostics.is_empty() {
            r.error(Span::file_start(), "the workflow file is empty");
        }
        return (None, r.diagnostics);
    };
    let Some(mapping) = r.mapping(&root, "a workflow") else {
        return (None, r.diagnostics);
    };
    r.check_keys(mapping, WORKFLOW_KEYS, "the workflow");
    r.require_keys(mapping, &["on", "jobs"], Span::file_start(), "the workflow");
    let get = |key| mapping.get(key);
    let mut workflow = Workflow {
        path: source.path.clone(),
        name: get("name").and_then(|n| r.text(n, "`name`")),
        run_name: get("run-name").and_then(|n| r.text(n, "`run-name`")),
        on: get("on").map(|n| read_triggers(&mut r, n)).unwrap_or_default(),
        env: get("env").map(|n| r.text_map(n, "workflow `env`")).unwrap_or_default(),
        defaults: get("defaults").and_then(|n| read_defaults(&mut r, n, "the workflow")),
        concurrency: get("concurrency").and_then(|n| read_concurrency(&mut r, n)),
        permissions: get("permissions").and_then(|n| read_permissions(&mut r, n)),
        jobs: Vec::new(),
        on_span: mapping.entry("on").map_or(Span::file_start(), |(k, _)| k.span),
        source: source.clone(),
    };
    if let Some(jobs) = get("jobs").and_then(|n| r.mapping(n, "`jobs`")) {
        if jobs.entries.is_empty() {
            r.error(
                get("jobs").map_or(Span::file_start(), |n| n.span),
                "the workflow has no jobs",
            );
        }
        for (id, key, node) in jobs.iter() {
            if let Some(job) = read_job(&mut r, Spanned::new(id.to_string(), key.span), node) {
                workflow.jobs.push(job);
            }
        }
    }
    (Some(workflow), r.diagnostics)
}
