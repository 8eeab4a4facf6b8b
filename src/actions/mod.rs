//! What a `uses:` step does, in one place: the built-in actions (checkout,
//! cache, setup-python, artifacts, the gate) and local composite actions.
//!
//! The built-ins run without downloading anything: `actions/checkout`,
//! `actions/cache`, `actions/setup-python`, `actions/upload-artifact`,
//! `actions/download-artifact` and `mlci/gate`. Each is a plain library
//! function over paths and strings; [`builtins`] turns a step's `with:` map
//! into their options and their results into log lines, outputs and
//! warnings.

pub mod action_file;
pub mod action_source;
pub mod builtin_paths;
pub mod builtins;
pub mod cache;
pub mod checkout;
pub mod composite_run;
pub mod docker_action;
pub mod javascript;
pub mod job_files;
pub mod job_paths;
pub mod located;
pub mod pull;
pub mod resolve;
pub mod run_uses;
pub mod settings;
pub mod setup_python;

mod cache_entry;
mod cache_scope;
mod checkout_clone;
mod checkout_target;
mod python_version;
mod workspace_path;
