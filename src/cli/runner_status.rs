//! `mlci runner status --config runner.yml`: whether the daemon runs, how
//! many of its job slots and GPUs are in use, the runs it is running with
//! their job legs and GPU leases, and what waits in its queue. Read from
//! the store, so it works whether the daemon is up or not.
//!
//! Exit codes: 0; 3 (INVALID) when the configuration cannot be read; 1 when
//! the store cannot be read.

use super::stored::{self, short_sha};
use crate::daemon::config::load_config;
use crate::daemon::queue::{EventRow, Queue, QueuedRun, RunState, RunningJob};
use crate::exit;
use crate::store::{system_clock, timestamp, Store, StoreError};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// Queued runs listed by the text report; `--json` lists them all.
const QUEUED_SHOWN: usize = 20;
/// The handled events shown, newest first, and how many are read to find
/// them among the ones still waiting.
const EVENTS_SHOWN: usize = 10;
const EVENTS_READ: usize = 200;

#[derive(clap::Args)]
pub struct Args {
    /// The daemon's configuration file.
    #[arg(long, short)]
    pub config: PathBuf,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: Args) -> i32 {
    let settings = match load_config(&args.config) {
        Ok(settings) => settings,
        Err(errors) => {
            eprint!("{errors}");
            return exit::INVALID;
        }
    };
    let report = match status_report(&settings.store, settings.capacity, &settings.gpus) {
        Ok(report) => report,
        Err(e) => return stored::failure(&e),
    };
    if args.json {
        let json = serde_json::to_string_pretty(&report).unwrap_or_default();
        stored::print(&format!("{json}\n"));
    } else {
        stored::print(&render(&report));
    }
    exit::SUCCESS
}

/// What `mlci runner status` shows.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct StatusReport {
    /// When it was read (RFC 3339, UTC).
    pub as_of: String,
    /// None when no daemon is running on the store.
    pub daemon: Option<DaemonRecord>,
    /// Job slots: jobs at once across all runs.
    pub capacity: usize,
    /// Job legs running in the daemon's runs.
    pub slots_in_use: usize,
    /// The GPU inventory.
    pub gpus: Vec<String>,
    /// The GPUs leased to running job legs, in inventory order.
    pub gpus_leased: Vec<String>,
    /// The queue's started runs, oldest first, each with its running legs.
    /// Without a daemon these are interrupted: it resumes them when it starts.
    pub running: Vec<RunningRun>,
    /// Runs waiting for capacity or their concurrency group, oldest first.
    pub queued: Vec<QueuedRun>,
    /// Events stored but not yet turned into runs.
    pub events_waiting: usize,
    /// The events intake handled last, newest first, with what it decided
    /// (`note`): what ran, what was invalid and why, what no filter matched.
    pub recent_events: Vec<EventRow>,
}

/// The daemon process, as it recorded itself.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DaemonRecord {
    pub pid: i64,
    pub listen: String,
    pub started_at: String,
}

#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct RunningRun {
    pub run: QueuedRun,
    pub jobs: Vec<RunningJob>,
}

/// Reads the status from the store in `store_dir` (an empty report when
/// there is no store yet; none is created). Runs whose mlci died are marked
/// interrupted first, as `mlci runs` does, so their legs hold no slot.
pub fn status_report(store_dir: &Path, capacity: usize, gpus: &[String]) -> Result<StatusReport, StoreError> {
    let mut report = StatusReport {
        as_of: timestamp(&system_clock()),
        daemon: None,
        capacity,
        slots_in_use: 0,
        gpus: gpus.to_vec(),
        gpus_leased: Vec::new(),
        running: Vec::new(),
        queued: Vec::new(),
        events_waiting: 0,
        recent_events: Vec::new(),
    };
    if !Store::exists(store_dir) {
        return Ok(report);
    }
    let _ = Store::open(store_dir)?.mark_abandoned();
    let queue = Queue::open(store_dir)?;
    report.daemon = queue.daemon()?.map(|record| DaemonRecord {
        pid: record.get("pid").and_then(Value::as_i64).unwrap_or(0),
        listen: record
            .get("listen")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
        started_at: record
            .get("started_at")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string(),
    });
    let mut jobs = queue.running_jobs()?;
    for run in queue.runs_in(RunState::Running)? {
        let (own, others): (Vec<RunningJob>, Vec<RunningJob>) =
            jobs.into_iter().partition(|job| Some(job.run_id) == run.run_id);
        jobs = others;
        report.running.push(RunningRun { run, jobs: own });
    }
    // Legs left in `jobs` belong to runs outside the daemon (an `mlci run`
    // on the same store): they hold none of its slots.
    let legs = report.running.iter().flat_map(|run| &run.jobs);
    report.slots_in_use = legs.clone().count();
    let mut leased: Vec<String> = legs.flat_map(|job| job.gpus.iter().cloned()).collect();
    leased.sort_by_key(|gpu| gpus.iter().position(|g| g == gpu).unwrap_or(usize::MAX));
    leased.dedup();
    report.gpus_leased = leased;
    report.queued = queue.runs_in(RunState::Queued)?;
    report.events_waiting = queue.waiting_events()?;
    let handled = queue.events(EVENTS_READ)?.into_iter().filter(|e| e.status != "queued");
    report.recent_events = handled.take(EVENTS_SHOWN).collect();
    Ok(report)
}

/// The report as text, times of day in UTC (with the date when it is not
/// the report's day).
pub fn render(report: &StatusReport) -> String {
    let time = |at: &str| clock_time(at, &report.as_of);
    let mut out = match &report.daemon {
        Some(d) => format!(
            "daemon: running (pid {}, listening on {}, up since {})\n",
            d.pid,
            d.listen,
            instant(&d.started_at)
        ),
        None => "daemon: not running\n".to_string(),
    };
    let gpus = match (report.gpus.len(), report.gpus_leased.as_slice()) {
        (0, []) => "none".to_string(),
        (total, []) => format!("0 of {total} leased"),
        (total, leased) => format!("{} of {total} leased ({})", leased.len(), leased.join(", ")),
    };
    out.push_str(&format!(
        "capacity: {} of {} job slots in use; GPUs: {gpus}\n",
        report.slots_in_use, report.capacity
    ));
    let heading = match (report.running.is_empty(), report.daemon.is_some()) {
        (true, _) => "running: none",
        (false, true) => "running:",
        (false, false) => "interrupted (the daemon resumes them when it starts):",
    };
    out.push_str(&format!("{heading}\n"));
    for running in &report.running {
        let id = running.run.run_id.map_or("-".to_string(), |id| id.to_string());
        out.push_str(&format!("  run {id}  {}\n", describe(&running.run)));
        for job in &running.jobs {
            let mut parts = vec![format!("{} (leg {})", job.name, job.leg)];
            parts.push(match (&job.backend, &job.image) {
                (Some(backend), Some(image)) => format!("{backend} {image}"),
                (backend, image) => backend.clone().or(image.clone()).unwrap_or_default(),
            });
            if !job.gpus.is_empty() {
                parts.push(format!("gpus {}", job.gpus.join(",")));
            }
            if let Some(slurm) = &job.slurm {
                parts.push(slurm.describe());
            }
            if let Some(at) = &job.started_at {
                parts.push(format!("since {}", time(at)));
            }
            parts.retain(|part| !part.is_empty());
            out.push_str(&format!("    {}\n", parts.join("  ")));
        }
    }
    let runs = match report.queued.first() {
        None => "no runs".to_string(),
        Some(oldest) => format!(
            "{} (oldest {})",
            count(report.queued.len(), "run"),
            time(&oldest.queued_at)
        ),
    };
    let events = match report.events_waiting {
        0 => "no events".to_string(),
        n => count(n, "event"),
    };
    out.push_str(&format!("queued: {runs}, {events} waiting for intake\n"));
    for run in report.queued.iter().take(QUEUED_SHOWN) {
        out.push_str(&format!("  #{}  {}\n", run.id, describe(run)));
    }
    if report.queued.len() > QUEUED_SHOWN {
        out.push_str(&format!("  … and {} more\n", report.queued.len() - QUEUED_SHOWN));
    }
    if report.recent_events.is_empty() {
        out.push_str("recent events: none\n");
    } else {
        out.push_str("recent events:\n");
    }
    for event in &report.recent_events {
        // A ref comes from outside (a dispatch, a webhook): shown escaped.
        out.push_str(&format!(
            "  #{}  {}  {} {}  {}  {}: {}\n",
            event.id,
            event.repo,
            event.name,
            event.git_ref.escape_debug(),
            time(&event.received_at),
            event.status,
            event.note.as_deref().unwrap_or("")
        ));
    }
    out
}

/// `vision  train.yml  refs/heads/main  3f2a1c9`
fn describe(run: &QueuedRun) -> String {
    let workflow = Path::new(&run.workflow)
        .file_name()
        .map_or(run.workflow.clone(), |name| name.to_string_lossy().into_owned());
    format!("{}  {workflow}  {}  {}", run.repo, run.git_ref, short_sha(&run.sha))
}

fn count(n: usize, what: &str) -> String {
    if n == 1 {
        format!("1 {what}")
    } else {
        format!("{n} {what}s")
    }
}

fn parse(at: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(at).ok().map(|t| t.with_timezone(&Utc))
}

/// `2026-11-23T10:00:00Z`
fn instant(at: &str) -> String {
    parse(at).map_or(at.to_string(), |t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
}

/// `10:01:02` on the day of `today`, else `2026-11-22 10:01:02`.
fn clock_time(at: &str, today: &str) -> String {
    match (parse(at), parse(today)) {
        (Some(at), Some(today)) if at.date_naive() == today.date_naive() => at.format("%H:%M:%S").to_string(),
        (Some(at), _) => at.format("%Y-%m-%d %H:%M:%S").to_string(),
        (None, _) => at.to_string(),
    }
}

#[cfg(test)]
#[path = "runner_status_tests.rs"]
mod runner_status_tests;
