//! Shared helpers for the integration tests.

pub mod daemon;
pub mod docker;
mod test;

pub use test::{shared, Test};
