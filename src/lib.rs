//! mlci: reads GitHub Actions workflows and runs them on your own machines.
//!
//! Data flows one way: workflow file → spanned YAML (`load`) → typed model
//! (`model`) → checks (`check`) → trigger decision (`trigger`) → plan
//! (`plan`). Each stage is a module with one entry point.

pub mod actions;
pub mod artifacts;
pub mod backend;
pub mod check;
pub mod cli;
pub mod daemon;
pub mod diag;
pub mod exec;
pub mod exit;
pub mod expr;
pub mod gate;
mod glob;
pub mod load;
pub mod mirror;
pub mod model;
pub mod plan;
pub mod report;
pub mod store;
pub mod trigger;
pub mod ui;
