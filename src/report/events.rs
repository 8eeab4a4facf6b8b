//! The event stream of a run. Every consumer (terminal, JSON Lines, the run
//! store) sees the same events in the same order.

use serde::Serialize;
use serde_json::{Map, Value};
use std::sync::Arc;

/// One job leg: the job id, the leg's index in its matrix (0 without a
/// matrix) and its display name (`test (ubuntu-latest, 3.11)`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct JobKey {
    pub job: String,
    pub leg: usize,
    pub name: String,
}

impl JobKey {
    /// The key of a whole job (before its matrix is known): its id, leg 0,
    /// and its `name:` as written, else its id.
    pub fn of_job(job: &crate::model::Job) -> JobKey {
        JobKey {
            job: job.id.value.clone(),
            leg: 0,
            name: job.name.as_ref().map_or(job.id.value.clone(), |n| n.value.clone()),
        }
    }
}

/// A step's or job's result, as GitHub names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    Success,
    Failure,
    Cancelled,
    Skipped,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Success => "success",
            Outcome::Failure => "failure",
            Outcome::Cancelled => "cancelled",
            Outcome::Skipped => "skipped",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Some(match s {
            "success" => Outcome::Success,
            "failure" => Outcome::Failure,
            "cancelled" => Outcome::Cancelled,
            "skipped" => Outcome::Skipped,
            _ => return None,
        })
    }
}

/// What a line of step output is, once workflow commands are read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LineKind {
    /// Ordinary output.
    Output,
    /// `::group::title`: a heading; output until `EndGroup` belongs to it.
    Group,
    EndGroup,
    /// `::error::`, `::warning::`, `::notice::`, `::debug::` annotations.
    Error,
    Warning,
    Notice,
    Debug,
    /// A message from mlci itself (an attempt starting, a timeout, a wait).
    Runner,
}

/// One thing that happened in a run. Output lines are already masked.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum RunEvent {
    RunStarted {
        run_id: i64,
        workflow: String,
        path: String,
        event: String,
        git_ref: String,
        sha: String,
        /// The run this one reruns, if any.
        #[serde(skip_serializing_if = "Option::is_none")]
        rerun_of: Option<i64>,
    },
    /// A job leg waits for something (GPUs, a free slot) before it starts.
    JobWaiting {
        job: JobKey,
        reason: String,
    },
    JobStarted {
        job: JobKey,
        attempt: u32,
        attempts: u32,
        backend: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        image: Option<String>,
        #[serde(skip_serializing_if = "Vec::is_empty")]
        gpus: Vec<String>,
    },
    JobSkipped {
        job: JobKey,
        reason: String,
    },
    /// A leg's job in Slurm: its id once submitted, then each change of
    /// its state or pending reason, and the state it ended in.
    SlurmJob {
        job: JobKey,
        attempt: u32,
        /// Slurm's job id.
        id: String,
        /// `PENDING`, `RUNNING`, `COMPLETED`, `CANCELLED`, …
        state: String,
        /// Why it waits or ended (`Resources`, `Priority`, `None`).
        reason: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        node: Option<String>,
        /// The line the leg's log shows, when there is one
        /// (`waiting for GPUs: Resources (Slurm job 42)`).
        #[serde(skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    StepStarted {
        job: JobKey,
        step: usize,
        name: String,
    },
    StepSkipped {
        job: JobKey,
        step: usize,
        name: String,
        reason: String,
    },
    /// A published action a step uses, resolved to its commit: the
    /// supply-chain record of the run.
    ActionResolved {
        job: JobKey,
        step: usize,
        /// `OWNER/REPO[/PATH]@REF`, as the workflow names it.
        action: String,
        sha: String,
        /// Where it came from (the URL without credentials).
        source: String,
    },
    /// Output; `step` is None for job-level messages. Plain step output
    /// (`kind: output`) comes in batches: `line` may hold several lines
    /// joined by `\n` (the JSON view still prints one event per line). The
    /// key is shared: a step may print millions of lines.
    Output {
        job: Arc<JobKey>,
        #[serde(skip_serializing_if = "Option::is_none")]
        step: Option<usize>,
        kind: LineKind,
        line: String,
    },
    /// What the step wrote to `$GITHUB_STEP_SUMMARY` (Markdown, masked).
    StepSummary {
        job: JobKey,
        step: usize,
        markdown: String,
    },
    StepFinished {
        job: JobKey,
        step: usize,
        name: String,
        outcome: Outcome,
        conclusion: Outcome,
        #[serde(skip_serializing_if = "Option::is_none")]
        exit_code: Option<i64>,
        seconds: f64,
    },
    JobFinished {
        job: JobKey,
        result: Outcome,
        attempts: u32,
        seconds: f64,
        outputs: Map<String, Value>,
        /// Why the job failed or was cancelled, when mlci knows better than
        /// the step output (image missing, timeout, GPUs).
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
    },
    RunFinished {
        run_id: i64,
        result: Outcome,
        seconds: f64,
    },
}

impl RunEvent {
    /// Rewrites every text of the event that a workflow or a step can fill
    /// (names, reasons, outputs, summaries), so that one function, the
    /// engine's masker, sees all of them before any sink does. Output lines
    /// are left alone: they are masked as they are read, in their order
    /// with `::add-mask::` (a line printed before a value was added as a
    /// mask stays as it was, as on GitHub), and only once.
    pub fn map_text(&mut self, f: &dyn Fn(&str) -> String) {
        let key = |job: &mut JobKey| job.name = f(&job.name);
        let outputs = |outputs: &mut Map<String, Value>| {
            for value in outputs.values_mut() {
                if let Value::String(text) = value {
                    *text = f(text);
                }
            }
        };
        match self {
            RunEvent::RunStarted { workflow, git_ref, .. } => {
                *workflow = f(workflow);
                *git_ref = f(git_ref);
            }
            RunEvent::JobWaiting { job, reason } | RunEvent::JobSkipped { job, reason } => {
                key(job);
                *reason = f(reason);
            }
            RunEvent::SlurmJob { job, message, .. } => {
                key(job);
                if let Some(message) = message {
                    *message = f(message);
                }
            }
            RunEvent::JobStarted { job, image, .. } => {
                key(job);
                if let Some(image) = image {
                    *image = f(image);
                }
            }
            RunEvent::StepStarted { job, name, .. } | RunEvent::StepFinished { job, name, .. } => {
                key(job);
                *name = f(name);
            }
            RunEvent::StepSkipped { job, name, reason, .. } => {
                key(job);
                *name = f(name);
                *reason = f(reason);
            }
            RunEvent::Output { job, .. } => {
                let name = f(&job.name);
                if name != job.name {
                    Arc::make_mut(job).name = name;
                }
            }
            RunEvent::StepSummary { job, markdown, .. } => {
                key(job);
                *markdown = f(markdown);
            }
            RunEvent::ActionResolved {
                job, action, source, ..
            } => {
                key(job);
                *action = f(action);
                *source = f(source);
            }
            RunEvent::JobFinished {
                job,
                outputs: out,
                reason,
                ..
            } => {
                key(job);
                outputs(out);
                if let Some(reason) = reason {
                    *reason = f(reason);
                }
            }
            RunEvent::RunFinished { .. } => {}
        }
    }
}

/// Something that consumes the event stream. Called from many tasks at
/// once, in the order events happen; must not block for long.
pub trait EventSink: Send + Sync {
    fn emit(&self, event: &RunEvent);
}

/// Sends every event to each sink in turn.
#[derive(Clone, Default)]
pub struct Fanout {
    sinks: Vec<Arc<dyn EventSink>>,
}

impl Fanout {
    pub fn new() -> Fanout {
        Fanout::default()
    }

    pub fn push(&mut self, sink: Arc<dyn EventSink>) {
        self.sinks.push(sink);
    }
}

impl EventSink for Fanout {
    fn emit(&self, event: &RunEvent) {
        for sink in &self.sinks {
            sink.emit(event);
        }
    }
}
