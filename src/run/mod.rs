//! Running a planned workflow: jobs in containers (or on the host), steps
//! inside them, in dependency order with GPUs leased per job.
//!
//! The engine never prints. Everything it does is told as [`events::RunEvent`]s
//! to an [`events::EventSink`]; the terminal, `--json` and the run store are
//! all sinks of the same stream.

pub mod attempt;
pub mod backend;
pub mod builtins;
pub mod commands;
pub mod composite;
pub mod composite_run;
pub mod default_env;
pub mod docker;
pub mod dotenv;
pub mod events;
pub mod files;
pub mod gpu;
pub mod host;
pub mod job;
pub mod launch;
pub mod leg;
pub mod mask;
pub mod options;
pub mod scheduler;
pub mod scope;
pub mod shared;
pub mod shell;
pub mod step;
pub mod step_files;
pub mod step_output;

#[cfg(test)]
mod fake_backend;
#[cfg(test)]
mod scheduler_tests;
