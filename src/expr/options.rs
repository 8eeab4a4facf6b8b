//! What a parse may refer to: which named values (contexts) exist and which
//! of the special functions may be called where the expression appears.

use super::casing;
use super::function::Function;

/// The status functions an `if:` may call.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum StatusFunctions {
    /// Not callable (everywhere except `if:`).
    #[default]
    None,
    /// Step-level `if:`: `success()`, `failure()`, `cancelled()`, `always()`
    /// without arguments.
    Step,
    /// Job-level `if:`: as `Step`, and `success()`/`failure()` may name jobs.
    Job,
}

/// Which functions beyond the built-ins are callable.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct ExtraFunctions {
    pub status: StatusFunctions,
    pub hash_files: bool,
}

impl ExtraFunctions {
    /// Only the built-ins (the conformance suite's setting).
    pub const NONE: ExtraFunctions = ExtraFunctions {
        status: StatusFunctions::None,
        hash_files: false,
    };
    /// Step keys other than `if:` (`run`, `with`, `env`, …).
    pub const STEP: ExtraFunctions = ExtraFunctions {
        status: StatusFunctions::None,
        hash_files: true,
    };
    /// `jobs.<id>.steps[*].if`.
    pub const STEP_IF: ExtraFunctions = ExtraFunctions {
        status: StatusFunctions::Step,
        hash_files: true,
    };
    /// `jobs.<id>.if`.
    pub const JOB_IF: ExtraFunctions = ExtraFunctions {
        status: StatusFunctions::Job,
        hash_files: false,
    };
    /// Everything (for tools such as `mlci eval`).
    pub const ALL: ExtraFunctions = ExtraFunctions {
        status: StatusFunctions::Job,
        hash_files: true,
    };

    pub(crate) fn allows(&self, function: Function) -> bool {
        match function {
            Function::HashFiles => self.hash_files,
            f if f.is_status() => self.status != StatusFunctions::None,
            _ => true,
        }
    }
}

/// Options for [`parse`](super::parse).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ParseOptions {
    /// The legal named values (contexts), compared ignoring case; `None`
    /// accepts any identifier as a named value.
    pub named_values: Option<Vec<String>>,
    pub extra_functions: ExtraFunctions,
}

impl ParseOptions {
    /// Exactly these named values and only the built-in functions.
    pub fn with_named_values<S: Into<String>>(names: impl IntoIterator<Item = S>) -> Self {
        ParseOptions {
            named_values: Some(names.into_iter().map(Into::into).collect()),
            extra_functions: ExtraFunctions::NONE,
        }
    }

    /// Any named value and every function.
    pub fn permissive() -> Self {
        ParseOptions {
            named_values: None,
            extra_functions: ExtraFunctions::ALL,
        }
    }

    pub fn functions(mut self, extra: ExtraFunctions) -> Self {
        self.extra_functions = extra;
        self
    }

    pub(crate) fn allows_named_value(&self, name: &str) -> bool {
        match &self.named_values {
            None => true,
            Some(names) => names.iter().any(|n| casing::eq_ignore_case(n, name)),
        }
    }
}
