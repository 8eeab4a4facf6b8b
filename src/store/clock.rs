//! Where the store's timestamps come from: the system clock, or a clock a
//! test (or a replay) controls, so recorded times can be asserted exactly.

use chrono::{DateTime, SecondsFormat, Utc};
use std::sync::Arc;

/// A source of the current time in UTC.
pub type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The system clock.
pub fn system_clock() -> Clock {
    Arc::new(Utc::now)
}

/// How every timestamp is stored: RFC 3339, UTC, milliseconds (`2025-01-02T03:04:05.678Z`).
pub(crate) fn timestamp(clock: &Clock) -> String {
    clock().to_rfc3339_opts(SecondsFormat::Millis, true)
}
