//! Shared helpers for the integration tests.

pub mod actions;
pub mod browser;
pub mod daemon;
pub mod docker;
pub mod git;
pub mod http;
pub mod slurm;
mod test;

pub use test::{shared, unindent, Test};
