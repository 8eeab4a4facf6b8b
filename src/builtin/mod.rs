//! Built-in versions of the actions ML workflows lean on most, so they run
//! without downloading anything: `actions/checkout`, `actions/cache` and
//! `actions/setup-python`.
//!
//! Each is a plain library function over paths and strings; the step runner
//! turns a step's `with:` map into the options here and the results into log
//! lines, outputs and warnings.

pub mod cache;
pub mod checkout;
pub mod setup_python;

mod cache_copy;
mod cache_entry;
mod checkout_clone;
mod checkout_target;
mod python_version;
mod workspace_path;
