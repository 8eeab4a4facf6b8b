//! The functions an expression may call, with their arity.

/// A callable function. The built-ins are always available; the status
/// functions and `hashFiles` only where [`ParseOptions`](super::ParseOptions)
/// allow them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Function {
    Contains,
    StartsWith,
    EndsWith,
    Format,
    Join,
    ToJson,
    FromJson,
    Case,
    HashFiles,
    Success,
    Failure,
    Cancelled,
    Always,
}

/// The runner's limit on arguments for variadic functions.
pub(crate) const MAX_ARGS: usize = 255;

impl Function {
    /// Every function, built-in ones first.
    pub const ALL: [Function; 13] = [
        Function::Contains,
        Function::StartsWith,
        Function::EndsWith,
        Function::Format,
        Function::Join,
        Function::ToJson,
        Function::FromJson,
        Function::Case,
        Function::HashFiles,
        Function::Success,
        Function::Failure,
        Function::Cancelled,
        Function::Always,
    ];

    /// Looks a name up, ignoring case (`toJSON`, `tojson` and `ToJson` are
    /// the same function).
    pub fn from_name(name: &str) -> Option<Function> {
        Self::ALL.into_iter().find(|f| f.name().eq_ignore_ascii_case(name))
    }

    /// The documented spelling.
    pub fn name(self) -> &'static str {
        match self {
            Function::Contains => "contains",
            Function::StartsWith => "startsWith",
            Function::EndsWith => "endsWith",
            Function::Format => "format",
            Function::Join => "join",
            Function::ToJson => "toJSON",
            Function::FromJson => "fromJSON",
            Function::Case => "case",
            Function::HashFiles => "hashFiles",
            Function::Success => "success",
            Function::Failure => "failure",
            Function::Cancelled => "cancelled",
            Function::Always => "always",
        }
    }

    /// `success`, `failure`, `cancelled` and `always`.
    pub fn is_status(self) -> bool {
        matches!(
            self,
            Function::Success | Function::Failure | Function::Cancelled | Function::Always
        )
    }

    /// (min, max) argument count. Status functions take no arguments except
    /// `success(job ids…)` / `failure(job ids…)` in a job-level `if:`.
    pub(crate) fn arity(self, status_job_ids: bool) -> (usize, usize) {
        match self {
            Function::Contains | Function::StartsWith | Function::EndsWith => (2, 2),
            Function::Format => (1, MAX_ARGS),
            Function::Join => (1, 2),
            Function::ToJson | Function::FromJson => (1, 1),
            Function::Case => (3, MAX_ARGS),
            Function::HashFiles => (1, MAX_ARGS),
            Function::Success | Function::Failure if status_job_ids => (0, MAX_ARGS),
            Function::Success | Function::Failure | Function::Cancelled | Function::Always => (0, 0),
        }
    }
}
