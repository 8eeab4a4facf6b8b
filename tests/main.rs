//! mlci's integration tests: one binary that runs the real `mlci` against
//! real files in temporary directories and asserts whole outputs.

mod support;

mod actions;
mod artifacts;
mod broken_pipe;
mod corpus;
mod eval;
mod folder;
mod fuzz;
mod gate;
mod host_leftovers;
mod isolation;
mod labels;
mod logs_follow;
mod ml_example;
mod numbers;
mod plan;
mod run;
mod run_act;
mod runner_config;
mod runner_daemon;
mod runner_policy;
mod secret_sinks;
mod slurm;
mod slurm_containers;
mod slurm_daemon;
mod slurm_nodes;
mod step_summary;
mod store;
mod store_faults;
mod ui;
mod ui_daemon;
mod ui_ml_example;
mod validate;
