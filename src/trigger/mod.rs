//! Trigger rules: whether an event runs a workflow.
//!
//! Pure and synchronous. [`pattern`] is GitHub's filter-pattern syntax,
//! [`filters`] the push / pull_request decision built on it, and [`cron`]
//! the `schedule` event (parsing, validation, next fire times in a time
//! zone). See reference §2.2–§2.4.

pub mod cron;
pub mod filters;
pub mod pattern;

pub use cron::{CronError, CronField, CronSchedule, Schedule, TimezoneError};
pub use filters::{ChangedFiles, Decision, PullRequestFilter, PushFilter, RefKind};
pub use pattern::{FilterPattern, PatternKind, PatternProblem, Severity};
