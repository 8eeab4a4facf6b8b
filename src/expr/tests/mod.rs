//! Unit tests across the stages: template scanning, `if:` conditions,
//! analysis of parsed expressions, limits, `hashFiles()`, and robustness on
//! arbitrary input.

mod analysis;
mod condition;
mod hash_files;
mod lexer;
mod limits;
mod robustness;
mod semantics;
mod template;

use super::{EvalHost, ExprError, StatusFunction, Value};

/// A host with fixed contexts and a chosen job status.
pub(super) struct TestHost {
    pub contexts: super::JsonContext,
    pub status: &'static str,
}

impl TestHost {
    pub fn new(contexts: serde_json::Value) -> Self {
        TestHost {
            contexts: super::JsonContext::new(contexts.as_object().cloned().unwrap_or_default()),
            status: "success",
        }
    }

    pub fn with_status(mut self, status: &'static str) -> Self {
        self.status = status;
        self
    }
}

impl EvalHost for TestHost {
    fn named_value(&self, name: &str) -> Option<Value> {
        self.contexts.named_value(name)
    }

    fn status(&self, function: StatusFunction, _args: &[Value]) -> Result<bool, ExprError> {
        Ok(match function {
            StatusFunction::Success => self.status == "success",
            StatusFunction::Failure => self.status == "failure",
            StatusFunction::Cancelled => self.status == "cancelled",
            StatusFunction::Always => true,
        })
    }
}
