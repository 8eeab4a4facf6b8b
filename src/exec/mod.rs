//! The executor: runs a planned workflow's jobs in dependency order, their
//! matrix legs, attempts and steps, with GPUs leased per leg.
//!
//! One dispatcher ([`dispatcher`]) owns scheduling, cancellation, fail-fast
//! and failures, panics included. The engine never prints: everything it
//! does is told as [`crate::report::RunEvent`]s, sent over a channel to the
//! reporters (terminal, JSON, store, forge), so a slow reader never stalls it.
//! Where steps run is a [`crate::backend::Backend`]; what a `uses:` step
//! does is [`crate::actions`].

pub mod attempt;
pub mod commands;
pub mod concurrency;
pub mod decide;
pub mod default_env;
pub mod dir_copy;
pub mod dispatcher;
pub mod dotenv;
pub mod files;
pub mod gpu;
pub mod job;
pub mod job_dir;
pub mod launch;
pub mod leg;
mod leg_error;
pub mod mask;
mod mask_encodings;
mod mask_finder;
pub mod program;
pub mod scope;
pub mod shared;
pub mod shell;
mod slurm_leg;
pub mod stages;
pub mod step;
pub mod step_files;
pub mod step_output;
pub mod step_summary;

#[cfg(test)]
mod dispatcher_tests;
#[cfg(test)]
mod fake_backend;
