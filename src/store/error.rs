//! What can go wrong opening, writing or reading the run store.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("failed to create the run store {path}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("failed to open the run database {path}")]
    Open {
        path: PathBuf,
        #[source]
        source: rusqlite::Error,
    },
    #[error(
        "the run database {path} has schema version {found}, newer than this mlci knows ({known}); use a newer mlci"
    )]
    NewerSchema { path: PathBuf, found: i64, known: i64 },
    #[error("failed to {action} in the run database")]
    Sql {
        action: &'static str,
        #[source]
        source: rusqlite::Error,
    },
    #[error("the run database {path} was deleted or replaced while mlci was writing to it")]
    Gone { path: PathBuf },
    #[error("failed to record the run: {0}")]
    Record(String),
    #[error("the run database holds an unreadable {what}: `{value}`")]
    Corrupt { what: &'static str, value: String },
}

/// Wraps a SQLite error with what the store was doing.
pub(crate) fn sql(action: &'static str) -> impl FnOnce(rusqlite::Error) -> StoreError {
    move |source| StoreError::Sql { action, source }
}
