//! `mlci logs RUN [JOB]`: the recorded output of a run's steps, each block
//! headed by its job leg and step, in the order `mlci show` lists them.
//! Works while the run goes on: it prints what has been written so far;
//! with `-f` it keeps printing until the run ends (see [`super::logs_follow`]).
//!
//! Exit codes: 0; 2 (USAGE) when the store has no run RUN or the run no job
//! or leg JOB (the message lists what there is); 1 when the store or a log
//! file cannot be read.

use super::show::find_run;
use super::stored::{self, StoreArg};
use crate::exit;
use crate::store::{copy_as_text, LogFile, RunDetail};
use std::collections::BTreeSet;
use std::io::Write;

#[derive(clap::Args)]
pub struct Args {
    /// The run's id (see `mlci runs`).
    run: i64,
    /// Only this job's legs: a job id (`test`) or a leg name (`test (3.11)`).
    job: Option<String>,
    #[command(flatten)]
    store: StoreArg,
    /// Keep printing new lines and new steps' logs until the run ends.
    #[arg(short, long)]
    follow: bool,
}

pub fn run(args: Args) -> i32 {
    let dir = args.store.dir();
    if args.follow {
        return super::logs_follow::follow(&dir, args.run, args.job.as_deref());
    }
    let detail = match find_run(&dir, args.run) {
        Ok(detail) => detail,
        Err(code) => return code,
    };
    if let Some(job) = &args.job {
        if detail.legs(Some(job)).is_empty() {
            return stored::usage(&unknown_job(&detail, job));
        }
    }
    let files = detail.log_files(&dir, args.job.as_deref());
    let retried = retried_legs(&detail);
    let mut stdout = std::io::stdout().lock();
    let mut code = exit::SUCCESS;
    for (i, file) in files.iter().enumerate() {
        let separator = if i == 0 { "" } else { "\n" };
        let heading = heading(file, retried.contains(&(file.job.as_str(), file.leg)));
        if writeln!(stdout, "{separator}==> {heading} <==").is_err() {
            return code;
        }
        match std::fs::File::open(&file.path) {
            Ok(log) => {
                // Marks are for the web view; print what the steps printed.
                if copy_as_text(log, &mut stdout).is_err() {
                    return code;
                }
            }
            Err(e) => {
                let _ = stdout.flush();
                eprintln!("error: failed to read {}: {e}", file.path.display());
                code = exit::FAILURE;
            }
        }
    }
    code
}

/// The legs (job id, leg index) that ran more than once: their headings name
/// the attempt.
pub(super) fn retried_legs(detail: &RunDetail) -> BTreeSet<(&str, usize)> {
    detail
        .jobs
        .iter()
        .filter(|j| j.attempts > 1)
        .map(|j| (j.job.as_str(), j.leg))
        .collect()
}

/// `test (3.11) / pytest`; `Train, attempt 2 / fit` for a retried leg; the
/// leg alone for its own messages.
pub(super) fn heading(file: &LogFile, retried: bool) -> String {
    let mut heading = file.leg_name.clone();
    if retried {
        heading.push_str(&format!(", attempt {}", file.attempt));
    }
    if let Some(step) = &file.step_name {
        heading.push_str(&format!(" / {step}"));
    }
    heading
}

pub(super) fn unknown_job(detail: &RunDetail, job: &str) -> String {
    let mut ids: Vec<&str> = Vec::new();
    let mut legs: Vec<&str> = Vec::new();
    for leg in &detail.jobs {
        if !ids.contains(&leg.job.as_str()) {
            ids.push(&leg.job);
        }
        if leg.name != leg.job {
            legs.push(&leg.name);
        }
    }
    if ids.is_empty() {
        return format!("run {} has no job `{job}`: it has no jobs", detail.run.id);
    }
    let mut message = format!("run {} has no job `{job}`; its jobs: {}", detail.run.id, ids.join(", "));
    if !legs.is_empty() {
        message.push_str(&format!("; legs: {}", legs.join(", ")));
    }
    message
}
