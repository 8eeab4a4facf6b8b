//! The error of a cron expression that does not parse.

use super::field::CronField;

/// Why a cron expression is rejected, and where.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct CronError {
    pub message: String,
    /// 0-based char offset in the cron text.
    pub offset: usize,
    /// The field the problem is in, when it is in one.
    pub field: Option<CronField>,
}

impl CronError {
    pub(crate) fn new(offset: usize, field: Option<CronField>, message: impl Into<String>) -> Self {
        CronError {
            message: message.into(),
            offset,
            field,
        }
    }
}
