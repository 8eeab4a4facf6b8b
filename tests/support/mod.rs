//! Shared helpers for the integration tests.

pub mod daemon;
pub mod docker;
pub mod git;
mod test;

pub use test::{shared, unindent, Test};
