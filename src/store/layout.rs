//! Where a run's log files go inside the store directory. The sink writes
//! there and the queries read there, so both name files through here.

use std::path::PathBuf;

/// `runs/<run>/<job>-<leg>`, relative to the store directory. Characters
/// other than letters, digits, `_`, `-` and `.` in the job id become `_`
/// (GitHub job ids never have them; the `-<leg>` suffix keeps `..` harmless).
pub(crate) fn leg_dir(run_id: i64, job: &str, leg: usize) -> PathBuf {
    let job: String = job
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect();
    PathBuf::from("runs")
        .join(run_id.to_string())
        .join(format!("{job}-{leg}"))
}

/// `<step>.log` or, for job-level messages, `job.log`; attempts after the
/// first add `.attemptN` so a retry never overwrites the log of the attempt
/// before it.
pub(crate) fn log_name(step: Option<usize>, attempt: u32) -> String {
    let stem = match step {
        Some(step) => step.to_string(),
        None => "job".to_string(),
    };
    if attempt > 1 {
        format!("{stem}.attempt{attempt}.log")
    } else {
        format!("{stem}.log")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn legs_and_attempts_have_their_own_files() {
        assert_eq!(leg_dir(7, "test", 1), PathBuf::from("runs/7/test-1"));
        assert_eq!(leg_dir(7, "../x y", 0), PathBuf::from("runs/7/.._x_y-0"));
        assert_eq!(log_name(Some(3), 1), "3.log");
        assert_eq!(log_name(Some(3), 2), "3.attempt2.log");
        assert_eq!(log_name(None, 0), "job.log");
        assert_eq!(log_name(None, 3), "job.attempt3.log");
    }
}
