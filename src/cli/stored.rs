//! What `runs`, `show` and `logs` share: the `--store` flag, opening the run
//! store for reading, and how times, durations and results read.

use crate::exit;
use crate::report::events::Outcome;
use crate::store::{default_store_dir, AbandonedRun, Status, Store, StoreError};
use chrono::DateTime;
use std::io::Write;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct StoreArg {
    /// The run store (default: .mlci at the root of the git repository).
    #[arg(long, value_name = "DIR")]
    pub store: Option<PathBuf>,
}

impl StoreArg {
    pub fn dir(&self) -> PathBuf {
        self.store.clone().unwrap_or_else(default_store_dir)
    }
}

/// Opens the store in `dir` for reading: None if there is none yet (reading
/// never creates one). Runs whose mlci died are marked `interrupted` first,
/// so no run shows `running` forever. On an error, prints it and gives the
/// exit code.
pub fn open(dir: &std::path::Path) -> Result<Option<Store>, i32> {
    if !Store::exists(dir) {
        return Ok(None);
    }
    match Store::open(dir) {
        Ok(store) => {
            // A read-only store still reads; its runs keep their status.
            say_abandoned(store.mark_abandoned_runs());
            Ok(Some(store))
        }
        Err(e) => Err(failure(&e)),
    }
}

/// Says on standard error which Slurm jobs the runs of a dead mlci left
/// were cancelled (the runs themselves are now `interrupted`).
pub fn say_abandoned(abandoned: Result<Vec<AbandonedRun>, StoreError>) {
    for run in abandoned.unwrap_or_default() {
        if let Some(note) = run.note() {
            eprintln!("{note}");
        }
    }
}

/// Prints an error with its causes (`error: failed to …: cause`) and gives
/// the exit code of a failure at run time.
pub fn failure(error: &dyn std::error::Error) -> i32 {
    let mut message = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        message.push_str(&format!(": {cause}"));
        source = cause.source();
    }
    eprintln!("error: {message}");
    exit::FAILURE
}

/// Prints a usage error (an unknown run or job) and gives its exit code.
pub fn usage(message: &str) -> i32 {
    eprintln!("error: {message}");
    exit::USAGE
}

/// Writes `text` to stdout; a closed pipe (`| head`) is not an error.
pub fn print(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

/// What happened to a run, job or step, in one word: its result once
/// finished, else its status.
pub fn state(status: Status, result: Option<Outcome>) -> &'static str {
    match (status, result) {
        (Status::Finished, Some(result)) => result.as_str(),
        (status, _) => status.as_str(),
    }
}

/// `2025-01-02 03:04:05`, in UTC like the store.
pub fn time(timestamp: &str) -> String {
    match DateTime::parse_from_rfc3339(timestamp) {
        Ok(time) => time.naive_utc().format("%Y-%m-%d %H:%M:%S").to_string(),
        Err(_) => timestamp.to_string(),
    }
}

/// `4.2s`, `3m 05s`, `2h 03m`; `-` when not finished.
pub fn duration(seconds: Option<f64>) -> String {
    let Some(seconds) = seconds else { return "-".to_string() };
    if seconds < 60.0 {
        return format!("{seconds:.1}s");
    }
    let whole = seconds as u64;
    if whole < 3600 {
        format!("{}m {:02}s", whole / 60, whole % 60)
    } else {
        format!("{}h {:02}m", whole / 3600, whole % 3600 / 60)
    }
}

/// The first 7 characters of a commit sha, as git shows it.
pub fn short_sha(sha: &str) -> String {
    sha.chars().take(7).collect()
}

/// A branch or tag name without `refs/heads/` or `refs/tags/`.
pub fn short_ref(git_ref: &str) -> &str {
    git_ref
        .strip_prefix("refs/heads/")
        .or_else(|| git_ref.strip_prefix("refs/tags/"))
        .unwrap_or(git_ref)
}

/// Lines of cells padded into columns two spaces apart, each line's
/// trailing blanks trimmed.
pub fn columns(rows: &[Vec<String>], indent: &str) -> String {
    let mut widths: Vec<usize> = Vec::new();
    for row in rows {
        for (i, cell) in row.iter().enumerate() {
            let width = cell.chars().count();
            match widths.get_mut(i) {
                Some(w) => *w = (*w).max(width),
                None => widths.push(width),
            }
        }
    }
    let mut out = String::new();
    for row in rows {
        let mut line = indent.to_string();
        for (cell, width) in row.iter().zip(&widths) {
            line.push_str(cell);
            line.extend(std::iter::repeat_n(' ', width - cell.chars().count() + 2));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_a_clock() {
        assert_eq!(duration(None), "-");
        assert_eq!(duration(Some(0.0)), "0.0s");
        assert_eq!(duration(Some(4.25)), "4.2s");
        assert_eq!(duration(Some(65.9)), "1m 05s");
        assert_eq!(duration(Some(7384.0)), "2h 03m");
    }

    #[test]
    fn columns_line_up_and_trim() {
        let rows = vec![
            vec!["ID".to_string(), "NAME".to_string(), "X".to_string()],
            vec!["10".to_string(), "é".to_string(), String::new()],
        ];
        assert_eq!(columns(&rows, "  "), "  ID  NAME  X\n  10  é\n");
    }

    #[test]
    fn refs_and_shas_are_shortened() {
        assert_eq!(short_ref("refs/heads/main"), "main");
        assert_eq!(short_ref("refs/tags/v1"), "v1");
        assert_eq!(short_ref("refs/pull/3/merge"), "refs/pull/3/merge");
        assert_eq!(short_sha("0123456789"), "0123456");
        assert_eq!(short_sha("abc"), "abc");
        assert_eq!(time("2025-01-02T03:04:05.678Z"), "2025-01-02 03:04:05");
        assert_eq!(time("garbage"), "garbage");
    }
}
