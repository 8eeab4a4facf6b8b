//! Where the baseline comes from: a branch's last passing gate in the
//! store, or a JSON (or YAML) file.

use super::history::History;
use super::metrics::{load_metrics, Metrics};
use chrono::DateTime;
use std::path::{Path, PathBuf};

/// What the candidate is compared with.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BaselineSource {
    /// The last passing gate recorded on this branch.
    Branch(String),
    /// A metrics file.
    File(PathBuf),
}

/// The baseline found, or why there is none.
pub enum Resolved {
    /// `record`: the history record it is (None for a file).
    Found {
        metrics: Metrics,
        label: String,
        record: Option<i64>,
    },
    Absent {
        why: String,
    },
}

/// Finds the baseline. A file that cannot be read is an error (the user
/// named it); a branch without a passing gate is simply no baseline yet.
pub fn resolve(store_dir: &Path, source: &BaselineSource) -> Result<Resolved, String> {
    match source {
        BaselineSource::File(path) => Ok(Resolved::Found {
            metrics: load_metrics(path)?,
            label: format!("file {}", path.display()),
            record: None,
        }),
        BaselineSource::Branch(branch) => {
            let record = match History::open_existing(store_dir)? {
                Some(history) => history.last_passing(branch)?,
                None => None,
            };
            let Some(record) = record else {
                return Ok(Resolved::Absent {
                    why: format!("no passing gate recorded on branch `{branch}` yet"),
                });
            };
            let Some(metrics) = record.metrics.as_object().cloned() else {
                return Err(format!(
                    "the baseline of branch `{branch}` (record {}) is not an object",
                    record.id
                ));
            };
            let when = readable_time(&record.recorded_at);
            let label = match record.run_id {
                Some(run) => format!("branch {branch} (run {run}, {when})"),
                None => format!("branch {branch} ({when})"),
            };
            Ok(Resolved::Found {
                metrics,
                label,
                record: Some(record.id),
            })
        }
    }
}

/// `2025-01-02 03:04:05 UTC`.
pub fn readable_time(timestamp: &str) -> String {
    match DateTime::parse_from_rfc3339(timestamp) {
        Ok(time) => time.naive_utc().format("%Y-%m-%d %H:%M:%S UTC").to_string(),
        Err(_) => timestamp.to_string(),
    }
}
