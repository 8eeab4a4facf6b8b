//! Reporting a run: the event stream every consumer sees ([`events`]), and
//! the terminal and JSON Lines views of it ([`terminal`]). The run store
//! (`crate::store`) and the daemon's forge reporter are sinks of the same
//! stream.

pub mod channel;
mod error_chain;
pub mod events;
pub mod terminal;

pub use channel::{EventSender, Reporter, ReporterCrashed};
pub use error_chain::error_chain;
pub use events::{EventSink, Fanout, JobKey, LineKind, Outcome, RunEvent};
