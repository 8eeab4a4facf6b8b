//! Shared helpers for the integration tests.

mod test;

pub use test::{shared, Test};
