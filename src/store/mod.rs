//! The run store: every `mlci run` is recorded in a SQLite database
//! (`mlci.db`) under a store directory, with each step's log in a file
//! beside it, so runs can be listed, shown and their logs read later —
//! while they run, too.
//!
//! Layout of a store directory (default: `.mlci/` at the repository root):
//!
//! ```text
//! .mlci/
//!   .gitignore                     `*`, so the store never shows in `git status`
//!   mlci.db                        runs, jobs and steps (WAL journal)
//!   runs/<run>/<job>-<leg>/
//!     <step>.log                   a step's output, as the engine emitted it (masked)
//!     <step>.attempt2.log          the same step in the job's second attempt
//!     job.log, job.attempt2.log    the job's own messages (not from a step)
//! ```
//!
//! A log line may carry a mark: a group heading, an annotation, a group's
//! end (see [`GROUP_END`]).
//!
//! [`Store`] opens the database, begins and finishes runs and answers
//! queries; [`StoreSink`] records a run's events as they happen. Every state
//! change is committed at once, so a killed mlci loses nothing it reported;
//! [`Store::mark_abandoned`] later marks its runs `interrupted`.

mod actions;
mod browse;
mod clock;
mod error;
mod layout;
mod leg_logs;
mod location;
mod log_marks;
mod process;
mod queries;
mod recorder;
mod rows;
mod schema;
mod sink;
mod slurm_jobs;
#[allow(clippy::module_inception)]
mod store;

pub use actions::ActionRow;
pub use browse::{FilterChoices, RunFilter, RunPage};
pub(crate) use clock::timestamp;
pub use clock::{system_clock, Clock};
pub(crate) use error::sql;
pub use error::StoreError;
pub use location::{default_store_dir, store_dir_for};
pub use log_marks::{
    as_text, copy_as_text, is_group_end, AS_WRITTEN, DEBUG, ERROR, GROUP_END, GROUP_HEADING, NOTICE, WARNING,
};
pub(crate) use process::{is_alive, start_time};
pub use rows::{JobNeeds, JobRow, LogFile, RunDetail, RunRow, Status, StepRow};
pub(crate) use schema::connect;
pub use sink::StoreSink;
pub use slurm_jobs::{AbandonedRun, SlurmJobRow};
pub use store::{run_dir, NewRun, Store};

#[cfg(test)]
#[path = "sink_tests.rs"]
mod sink_tests;
#[cfg(test)]
#[path = "slurm_jobs_tests.rs"]
mod slurm_jobs_tests;
#[cfg(test)]
#[path = "store_tests.rs"]
mod store_tests;
