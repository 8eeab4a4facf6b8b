//! `mlci show RUN`: one recorded run, then each job leg with its result,
//! attempts and duration, and its steps.
//!
//! Exit codes: 0; 2 (USAGE) when the store has no run RUN; 1 when the store
//! cannot be read.

use super::stored::{self, columns, duration, state, time, StoreArg};
use crate::exit;
use crate::store::{ActionRow, JobRow, RunDetail, Status, StepRow, Store};
use std::path::Path;

#[derive(clap::Args)]
pub struct Args {
    /// The run's id (see `mlci runs`).
    run: i64,
    #[command(flatten)]
    store: StoreArg,
    /// Print the run, its jobs and steps as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> i32 {
    let dir = args.store.dir();
    let detail = match find_run(&dir, args.run) {
        Ok(detail) => detail,
        Err(code) => return code,
    };
    if args.json {
        stored::print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&detail).unwrap_or_default()
        ));
    } else {
        let mut text = render(&detail);
        match stored::open(&dir).map(|store| store.map(|s| s.run_actions(args.run))) {
            Ok(Some(Ok(actions))) => text.push_str(&render_actions(&actions)),
            Ok(Some(Err(e))) => return stored::failure(&e),
            _ => {}
        }
        stored::print(&text);
    }
    exit::SUCCESS
}

/// `actions:` then one line per resolved action: where it ran, what it
/// named, the commit, the source (the run's supply-chain record).
fn render_actions(actions: &[ActionRow]) -> String {
    if actions.is_empty() {
        return String::new();
    }
    let rows: Vec<Vec<String>> = actions
        .iter()
        .map(|a| {
            vec![
                if a.leg == 0 {
                    a.job.clone()
                } else {
                    format!("{} (leg {})", a.job, a.leg)
                },
                format!("step {}", a.step),
                a.action.clone(),
                a.sha.clone(),
                a.source.clone(),
            ]
        })
        .collect();
    format!("\nactions:\n{}", columns(&rows, "  "))
}

/// Run `id` of the store in `dir`; an unknown id is a usage error that says
/// which runs there are.
pub(super) fn find_run(dir: &Path, id: i64) -> Result<RunDetail, i32> {
    let Some(store) = stored::open(dir)? else {
        return Err(stored::usage(&format!("no run {id}: {} holds no runs", dir.display())));
    };
    match store.run(id) {
        Ok(Some(detail)) => Ok(detail),
        Ok(None) => Err(stored::usage(&unknown_run(&store, id))),
        Err(e) => Err(stored::failure(&e)),
    }
}

fn unknown_run(store: &Store, id: i64) -> String {
    let latest: Vec<String> = store
        .runs(5)
        .unwrap_or_default()
        .iter()
        .map(|r| r.id.to_string())
        .collect();
    if latest.is_empty() {
        format!("no run {id}: {} holds no runs", store.dir().display())
    } else {
        format!(
            "no run {id} in {}; the latest runs are {}",
            store.dir().display(),
            latest.join(", ")
        )
    }
}

fn render(detail: &RunDetail) -> String {
    let run = &detail.run;
    let result = match (run.status, run.exit_code) {
        (Status::Finished, Some(code)) => format!("{}, exit code {code}", state(run.status, run.result)),
        (Status::Running, _) => format!("running (mlci pid {})", run.pid),
        (Status::Interrupted, _) => "interrupted (mlci stopped before the run finished)".to_string(),
        (status, _) => state(status, run.result).to_string(),
    };
    let mut out = format!("run {}: {} ({})\n", run.id, run.workflow, run.path);
    let mut fields = vec![
        ("event", run.event.clone()),
        ("ref", run.git_ref.clone()),
        ("sha", run.sha.clone()),
        ("result", result),
        ("started", format!("{} UTC", time(&run.started_at))),
        ("duration", duration(run.seconds())),
    ];
    if let Some(rerun_of) = run.rerun_of {
        fields.push(("rerun of", rerun_of.to_string()));
    }
    for (name, value) in fields {
        out.push_str(&format!("{:<10}{value}\n", format!("{name}:")));
    }
    for job in &detail.jobs {
        out.push('\n');
        out.push_str(&job_line(job));
        let attempts = job.steps.iter().map(|s| s.attempt).max().unwrap_or(1);
        if attempts > 1 {
            for attempt in 1..=attempts {
                out.push_str(&format!("  attempt {attempt}\n"));
                out.push_str(&steps(job.steps.iter().filter(|s| s.attempt == attempt), "    "));
            }
        } else {
            out.push_str(&steps(job.steps.iter(), "  "));
        }
    }
    out
}

/// `test (3.10)  success  1 attempt  3.0s  GPUs 0`, then the reason, if any.
fn job_line(job: &JobRow) -> String {
    let mut parts = vec![job.name.clone(), state(job.status, job.result).to_string()];
    match job.attempts {
        0 => {}
        1 => parts.push("1 attempt".to_string()),
        n => parts.push(format!("{n} attempts")),
    }
    if job.seconds().is_some() {
        parts.push(duration(job.seconds()));
    }
    if !job.gpus.is_empty() {
        parts.push(format!("GPUs {}", job.gpus.join(", ")));
    }
    if let Some(slurm) = &job.slurm {
        parts.push(slurm.describe());
    }
    if let Some(reason) = &job.reason {
        parts.push(format!("({reason})"));
    }
    format!("{}\n", parts.join("  "))
}

/// One line per step: index, name, conclusion (and outcome where
/// continue-on-error changed it), exit code, duration, why it was skipped.
fn steps<'a>(steps: impl Iterator<Item = &'a StepRow>, indent: &str) -> String {
    let rows: Vec<Vec<String>> = steps
        .map(|step| {
            let mut result = state(step.status, step.conclusion).to_string();
            if let (Some(outcome), Some(conclusion)) = (step.outcome, step.conclusion) {
                if outcome != conclusion {
                    result.push_str(&format!(" (outcome {})", outcome.as_str()));
                }
            }
            vec![
                step.step.to_string(),
                step.name.clone(),
                result,
                step.exit_code.map(|c| format!("exit {c}")).unwrap_or_default(),
                step.seconds().map(|s| duration(Some(s))).unwrap_or_default(),
                step.reason.as_ref().map(|r| format!("({r})")).unwrap_or_default(),
            ]
        })
        .collect();
    columns(&rows, indent)
}
