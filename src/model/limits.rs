//! The ranges GitHub accepts for the workflow's numeric keys, and the one
//! checked conversion from a `timeout-minutes` value to a deadline. The
//! reader refuses a literal out of range at its position; a value that comes
//! from an expression (`timeout-minutes: ${{ matrix.t }}`) is only known when
//! the leg runs, so the run converts it here (`timeout_duration`) and fails the leg with the error
//! instead of overflowing a `Duration` or an `Instant`.

use std::time::Duration;
use thiserror::Error;

/// The longest `timeout-minutes` a job or step may ask for: 5 days, the most
/// a job may run on a self-hosted runner. GitHub-hosted runners stop a job
/// at 6 hours (360 minutes), but a GPU box is self-hosted.
pub const MAX_TIMEOUT_MINUTES: f64 = 7200.0;

/// A `timeout-minutes` that cannot become a deadline.
#[derive(Debug, Clone, PartialEq, Error)]
#[error(
    "`timeout-minutes` must be a number greater than 0 and at most {MAX_TIMEOUT_MINUTES}, but it is {}",
    short(*minutes)
)]
pub struct TimeoutError {
    pub minutes: f64,
}

/// A number as a person writes it: `1e300`, not three hundred digits.
fn short(n: f64) -> String {
    if n.is_finite() && n.abs() >= 1e15 {
        format!("{n:e}")
    } else {
        n.to_string()
    }
}

/// Whether `minutes` is a timeout GitHub accepts.
pub fn timeout_in_range(minutes: f64) -> bool {
    minutes > 0.0 && minutes <= MAX_TIMEOUT_MINUTES
}

/// `minutes` as a duration; never panics. At most 5 days, so adding it to
/// the current instant cannot overflow.
pub fn timeout_duration(minutes: f64) -> Result<Duration, TimeoutError> {
    if !timeout_in_range(minutes) {
        return Err(TimeoutError { minutes });
    }
    Duration::try_from_secs_f64(minutes * 60.0).map_err(|_| TimeoutError { minutes })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_in_range_become_durations() {
        assert_eq!(timeout_duration(1.5), Ok(Duration::from_secs(90)));
        assert_eq!(timeout_duration(7200.0), Ok(Duration::from_secs(7200 * 60)));
    }

    #[test]
    fn minutes_out_of_range_are_errors_not_panics() {
        for minutes in [0.0, -1.0, 7200.5, 1e300, f64::INFINITY, f64::NAN, f64::MAX] {
            let error = timeout_duration(minutes).expect_err("out of range");
            assert!(error
                .to_string()
                .starts_with("`timeout-minutes` must be a number greater than 0"));
        }
    }
}
