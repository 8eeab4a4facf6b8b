//! Planning: the job graph from `needs`, and matrix legs from `strategy.matrix`.
//!
//! Both are pure functions of the typed model: no I/O, deterministic output,
//! and every problem reported rather than the first.

pub mod build;
mod gpu_request;
pub mod graph;
pub mod graph_error;
mod inputs;
pub mod labels;
pub mod leg_name;
mod loose_eq;
pub mod matrix;
pub mod matrix_error;
mod matrix_filter;
mod matrix_include;
mod matrix_product;
pub mod matrix_spec;
mod slurm_label;

#[cfg(test)]
mod graph_tests;
#[cfg(test)]
mod matrix_tests;
#[cfg(test)]
mod test_yaml;

pub use build::{plan_job, plan_jobs, Evaluate, PlannedJob, PlannedLeg};
pub use gpu_request::{parse_gpus, GpuRequest};
pub use graph::JobGraph;
pub use graph_error::GraphError;
pub use inputs::{declares_input, dispatch_inputs, missing_required_input, resolve_inputs, DispatchInputs};
pub use labels::{LabelMap, RUNNER_IMAGE};
pub use leg_name::leg_name;
pub use matrix::{expand, expand_named, MatrixLeg};
pub use matrix_error::{MatrixError, MAX_LEGS};
pub use matrix_spec::MatrixSpec;
