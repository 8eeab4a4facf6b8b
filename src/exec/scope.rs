//! The expression scope of a job or step at run time: the contexts known at
//! that point plus what `success()`, `failure()` and `cancelled()` mean there.

use crate::expr::{
    parse_condition, parse_template, EvalHost, ExprError, JsonContext, ParseOptions, StatusFunction, Value,
};
use crate::model::Text;
use serde_json::Value as Json;
use std::path::{Path, PathBuf};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

/// The status the status functions read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Status {
    /// A job: some ancestor failed. A step: an earlier step failed the job.
    pub failed: bool,
    /// A job: some ancestor was skipped (so `success()` is false too).
    pub skipped: bool,
    /// The run (or, for steps, the job) is being cancelled.
    pub cancelled: bool,
}

#[derive(Clone)]
pub struct Scope {
    contexts: JsonContext,
    status: Status,
    workspace: Option<PathBuf>,
    /// When `hashFiles()` must give up: the job's deadline, its cancel.
    stop: Option<(Instant, CancellationToken)>,
}

impl Scope {
    pub fn new(contexts: JsonContext, status: Status) -> Scope {
        Scope {
            contexts,
            status,
            workspace: None,
            stop: None,
        }
    }

    /// Makes `hashFiles()` stop at the job's deadline or when it is
    /// cancelled, however much it has left to read.
    pub fn with_stop(mut self, deadline: Instant, cancel: CancellationToken) -> Scope {
        self.stop = Some((deadline, cancel));
        self
    }

    /// Lets `hashFiles()` read the job's workspace (a host directory).
    pub fn with_workspace(mut self, workspace: &Path) -> Scope {
        self.workspace = Some(workspace.to_path_buf());
        self
    }

    pub fn contexts(&self) -> &JsonContext {
        &self.contexts
    }

    /// One context as JSON (an empty object when absent).
    pub fn json(&self, name: &str) -> Json {
        self.contexts
            .named_value(name)
            .map_or_else(|| Json::Object(Default::default()), |v| v.to_json())
    }

    pub fn insert(&mut self, name: &str, value: &Json) {
        self.contexts.insert(name, value);
    }

    pub fn set_status(&mut self, status: Status) {
        self.status = status;
    }

    /// A workflow string with its `${{ }}` evaluated, as JSON.
    pub fn value(&self, text: &Text) -> Result<Json, String> {
        if !text.has_expression() {
            return Ok(Json::String(text.value.clone()));
        }
        let template = parse_template(&text.value, &ParseOptions::permissive()).map_err(|e| e.to_string())?;
        let evaluate = || template.evaluate(self).map(|v| v.to_json()).map_err(|e| e.to_string());
        off_the_runtime_if_hashing(&text.value, evaluate)
    }

    /// A workflow string with its `${{ }}` evaluated, as the text it reads as.
    pub fn string(&self, text: &Text) -> Result<String, String> {
        self.value(text).map(|v| display(&v))
    }

    /// An `if:` condition; absent means `success()`.
    pub fn condition(&self, text: Option<&Text>) -> Result<bool, String> {
        let source = text.map_or("", |t| t.value.as_str());
        let condition = parse_condition(source, &ParseOptions::permissive()).map_err(|e| e.to_string())?;
        off_the_runtime_if_hashing(source, || condition.evaluate(self).map_err(|e| e.to_string()))
    }
}

/// `hashFiles()` reads files, possibly for long: on the multi-threaded
/// runtime the worker hands its other tasks (timers, other jobs) on first.
fn off_the_runtime_if_hashing<T>(source: &str, evaluate: impl FnOnce() -> T) -> T {
    let hashes = source
        .as_bytes()
        .windows(9)
        .any(|w| w.eq_ignore_ascii_case(b"hashfiles"));
    let threaded = tokio::runtime::Handle::try_current()
        .is_ok_and(|h| h.runtime_flavor() == tokio::runtime::RuntimeFlavor::MultiThread);
    if hashes && threaded {
        tokio::task::block_in_place(evaluate)
    } else {
        evaluate()
    }
}

/// A JSON value as it reads inside a string: strings bare, null empty.
pub fn display(value: &Json) -> String {
    match value {
        Json::String(s) => s.clone(),
        Json::Null => String::new(),
        other => Value::from_json(other).to_display_string(),
    }
}

impl EvalHost for Scope {
    fn named_value(&self, name: &str) -> Option<Value> {
        self.contexts.named_value(name)
    }

    fn status(&self, function: StatusFunction, _args: &[Value]) -> Result<bool, ExprError> {
        let Status {
            failed,
            skipped,
            cancelled,
        } = self.status;
        Ok(match function {
            StatusFunction::Always => true,
            StatusFunction::Cancelled => cancelled,
            StatusFunction::Failure => failed && !cancelled,
            StatusFunction::Success => !failed && !skipped && !cancelled,
        })
    }

    fn workspace(&self) -> Option<&Path> {
        self.workspace.as_deref()
    }

    fn hashing_stopped(&self) -> bool {
        self.stop
            .as_ref()
            .is_some_and(|(deadline, cancel)| cancel.is_cancelled() || Instant::now() >= *deadline)
    }
}
