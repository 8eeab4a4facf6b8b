//! The exit codes of every mlci command (documented in docs/exit-codes.md).
//! The engine records a run's code in the store; only the CLI exits with it.

use crate::report::Outcome;

/// Everything asked for was done (a workflow ran and passed, files are valid).
pub const SUCCESS: i32 = 0;
/// A job failed (for `run`), or an expression failed to evaluate (for `eval`).
pub const FAILURE: i32 = 1;
/// The command line itself was wrong (clap's own code for usage errors).
pub const USAGE: i32 = 2;
/// A workflow file is invalid, or an expression does not parse.
pub const INVALID: i32 = 3;
/// No workflow is triggered by the event.
pub const NOTHING_TRIGGERED: i32 = 4;
/// The run was cancelled (Ctrl-C).
pub const CANCELLED: i32 = 5;
/// The Docker Engine does not answer (`run`, `images ls`).
pub const BACKEND_UNREACHABLE: i32 = 6;

/// The run ran, but its record in the store is incomplete: a write failed
/// (the database locked or damaged, the disk full) or the database file was
/// deleted while the run went on. What the run did may not be in `mlci show`.
pub const RECORD_FAILED: i32 = 7;

/// A run's result as the exit code of `mlci run` (also recorded in the store).
pub fn of_outcome(result: Outcome) -> i32 {
    match result {
        Outcome::Success | Outcome::Skipped => SUCCESS,
        Outcome::Failure => FAILURE,
        Outcome::Cancelled => CANCELLED,
    }
}
