//! Shared helpers for the integration tests.

pub mod actions;
pub mod browser;
pub mod daemon;
pub mod docker;
pub mod git;
pub mod http;
mod test;

pub use test::{shared, Test};
