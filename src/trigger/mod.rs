//! Trigger rules: whether an event runs a workflow.
//!
//! [`pattern`] is GitHub's filter-pattern syntax, [`filters`] the push /
//! pull_request decision built on it, [`cron`] the `schedule` event
//! (parsing, validation, next fire times in a time zone), [`git`] the
//! changed files of a push read from a real repository, [`github_context`]
//! the `github` context of a local run, and [`decide`] puts them together
//! for one workflow. See reference §2.2–§2.4.

pub mod cron;
pub mod decide;
pub mod filters;
pub mod git;
pub mod github_context;
pub mod pattern;

pub use cron::{parse_timezone, CronError, CronField, CronSchedule, Schedule, TimezoneError};
pub use decide::{decide, Event};
pub use filters::{ChangedFiles, Decision, PullRequestFilter, PushFilter, RefKind};
pub use pattern::{FilterPattern, PatternKind, PatternProblem, Severity};
