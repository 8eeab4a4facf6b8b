//! The web view (`mlci ui`, and the daemon's pages at `/`): a read-only
//! app over a run store — the runs list, one run with its job graph, step
//! logs, gate tables, summaries and artifacts, and the gate's metrics over
//! time (docs/ui.md).
//!
//! Pages are HTML rendered here, every value escaped ([`html`]); the one
//! script and the style sheet are built into the binary ([`assets`]) and a
//! Content-Security-Policy allows nothing else. Live parts (a running run,
//! a running step's log) are server-sent events ([`live`]). Every route is
//! a GET: nothing here starts, cancels or deletes anything.

mod ansi;
mod artifacts;
mod assets;
mod auth;
pub mod chart;
mod dag;
mod error;
mod gate_view;
mod html;
mod live;
mod log_index;
mod log_page;
mod log_render;
mod markdown;
mod metrics_page;
mod query;
mod run_page;
mod runs_page;
mod server;
mod workflow_graph;

pub use auth::UiToken;
pub use server::{router, serve, UiState};

#[cfg(test)]
mod tests;
