//! trigger (to be filled in).

pub mod git;
pub mod github_context;
