//! The daemon's logs, through `tracing`: one subscriber, set up once, on
//! standard error; the level from `RUST_LOG` (default `info`), the format
//! text for a terminal or JSON for journald and log shippers. What `mlci
//! run` prints for its user is the run's report, not logs, and stays as is.

use tracing_subscriber::EnvFilter;

/// How log lines are written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// `2026-12-04T13:00:00Z  INFO run started run_id=7 repo=vision`.
    #[default]
    Text,
    /// One JSON object a line, its fields as keys.
    Json,
}

/// Installs the subscriber; a second call (tests) leaves the first one.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_target(false);
    let installed = match format {
        LogFormat::Text => builder.with_ansi(false).try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    // Already installed: the first subscriber keeps the logs.
    drop(installed);
}
