//! What the evaluator asks the outside world for: context values, the job or
//! step status behind `success()` and friends, and the workspace that
//! `hashFiles()` reads. [`JsonContext`] is a ready-made host over JSON.

use std::path::{Path, PathBuf};

use super::error::ExprError;
use super::object::Object;
use super::value::Value;

/// The status functions of an `if:` condition.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StatusFunction {
    Success,
    Failure,
    Cancelled,
    Always,
}

/// The evaluator's view of the world.
pub trait EvalHost {
    /// The value of a context (`github`, `env`, `matrix`, …). `name` is as
    /// written; implementations should match it ignoring case. `None` (an
    /// absent context) evaluates to null.
    fn named_value(&self, name: &str) -> Option<Value>;

    /// Evaluates a status function. `args` are the evaluated arguments (job
    /// ids for `success()`/`failure()` in a job-level `if:`). The default is
    /// a job that is running fine: `success()` and `always()` are true.
    fn status(&self, function: StatusFunction, args: &[Value]) -> Result<bool, ExprError> {
        let _ = args;
        Ok(matches!(function, StatusFunction::Success | StatusFunction::Always))
    }

    /// The directory `hashFiles()` patterns are relative to
    /// (`GITHUB_WORKSPACE`); `None` makes `hashFiles()` an evaluation error.
    fn workspace(&self) -> Option<&Path> {
        None
    }

    /// Whether `hashFiles()` must stop now: the step's time is up or it was
    /// cancelled. Checked between files and every megabyte.
    fn hashing_stopped(&self) -> bool {
        false
    }
}

/// A host over a JSON object whose keys are context names.
#[derive(Clone, Debug, Default)]
pub struct JsonContext {
    contexts: Object,
    workspace: Option<PathBuf>,
}

impl JsonContext {
    pub fn new(contexts: serde_json::Map<String, serde_json::Value>) -> Self {
        JsonContext {
            contexts: contexts.iter().map(|(k, v)| (k.clone(), Value::from_json(v))).collect(),
            workspace: None,
        }
    }

    /// Lets `hashFiles()` read files under `workspace`.
    pub fn with_workspace(mut self, workspace: impl Into<PathBuf>) -> Self {
        self.workspace = Some(workspace.into());
        self
    }

    /// Adds or replaces one context. Cheap: values share their contents, so a
    /// host built once can be cloned and extended per matrix leg.
    pub fn insert(&mut self, name: &str, value: &serde_json::Value) {
        self.contexts.insert(name.to_string(), Value::from_json(value));
    }

    /// The context names, as written.
    pub fn names(&self) -> Vec<String> {
        self.contexts.iter().map(|(k, _)| k.to_string()).collect()
    }
}

impl EvalHost for JsonContext {
    fn named_value(&self, name: &str) -> Option<Value> {
        self.contexts.get(name).cloned()
    }

    fn workspace(&self) -> Option<&Path> {
        self.workspace.as_deref()
    }
}
