//! How a run looks: on the terminal (live lines prefixed by the job leg,
//! `::group::` as a heading, a summary table at the end) or as JSON Lines.
//! Both are sinks of the engine's event stream.

use crate::report::events::{EventSink, JobKey, LineKind, Outcome, RunEvent};
use std::io::{BufWriter, Stdout, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Output is buffered and flushed every 100 ms (and at each step's end), so
/// a step printing a million lines costs one write per buffer, not per line.
#[derive(Clone)]
pub struct Buffered {
    out: Arc<Mutex<BufWriter<Stdout>>>,
}

impl Buffered {
    pub fn stdout() -> Buffered {
        let out = Arc::new(Mutex::new(BufWriter::with_capacity(1 << 16, std::io::stdout())));
        let weak = Arc::downgrade(&out);
        std::thread::spawn(move || loop {
            std::thread::sleep(Duration::from_millis(100));
            let Some(out) = weak.upgrade() else { return };
            let mut guard = match out.lock() {
                Ok(guard) => guard,
                Err(_) => return,
            };
            let _ = guard.flush();
        });
        Buffered { out }
    }

    fn write(&self, text: std::fmt::Arguments, flush: bool) {
        if let Ok(mut out) = self.out.lock() {
            let _ = out.write_fmt(text);
            if flush {
                let _ = out.flush();
            }
        }
    }

    /// Writes the pieces of one line as they are (the hot path of output).
    fn write_parts(&self, parts: &[&str]) {
        if let Ok(mut out) = self.out.lock() {
            for part in parts {
                let _ = out.write_all(part.as_bytes());
            }
        }
    }

    pub fn flush(&self) {
        if let Ok(mut out) = self.out.lock() {
            let _ = out.flush();
        }
    }
}

/// JSON Lines: one event per line.
pub struct JsonLines(pub Buffered);

impl EventSink for JsonLines {
    fn emit(&self, event: &RunEvent) {
        // One JSON object per line of output, even when lines come batched.
        if let RunEvent::Output { job, step, kind, line } = event {
            if line.contains('\n') {
                for line in line.split('\n') {
                    let one = RunEvent::Output {
                        job: job.clone(),
                        step: *step,
                        kind: *kind,
                        line: line.to_string(),
                    };
                    let text = serde_json::to_string(&one).unwrap_or_default();
                    self.0.write(format_args!("{text}\n"), false);
                }
                return;
            }
        }
        let text = serde_json::to_string(event).unwrap_or_default();
        let flush = !matches!(event, RunEvent::Output { .. });
        self.0.write(format_args!("{text}\n"), flush);
    }
}

/// The terminal view, with a summary table at the end of each run.
pub struct Terminal {
    out: Buffered,
    rows: Mutex<Vec<Row>>,
    show_debug: bool,
}

struct Row {
    job: String,
    leg: String,
    result: String,
    seconds: f64,
    attempts: u32,
}

impl Terminal {
    pub fn new(out: Buffered, show_debug: bool) -> Terminal {
        Terminal {
            out,
            rows: Mutex::new(Vec::new()),
            show_debug,
        }
    }

    fn line(&self, job: &JobKey, text: std::fmt::Arguments, flush: bool) {
        self.out.write(format_args!("[{}] {text}\n", job.name), flush);
    }

    fn row(&self, job: &JobKey, result: &str, seconds: f64, attempts: u32) {
        if let Ok(mut rows) = self.rows.lock() {
            rows.push(Row {
                job: job.job.clone(),
                leg: if job.name == job.job {
                    String::new()
                } else {
                    job.name.clone()
                },
                result: result.to_string(),
                seconds,
                attempts,
            });
        }
    }

    fn table(&self) -> String {
        let Ok(rows) = self.rows.lock() else {
            return String::new();
        };
        let header = ["job", "leg", "result", "duration", "attempts"];
        let cells: Vec<[String; 5]> = rows
            .iter()
            .map(|r| {
                [
                    r.job.clone(),
                    r.leg.clone(),
                    r.result.clone(),
                    format!("{:.1}s", r.seconds),
                    r.attempts.to_string(),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &cells {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let format = |row: &[String]| {
            let padded: Vec<String> = row.iter().zip(widths).map(|(c, w)| format!("{c:<w$}")).collect();
            format!("{}\n", padded.join("  ").trim_end())
        };
        let mut text = format(&header.map(String::from));
        for row in &cells {
            text.push_str(&format(row));
        }
        text
    }
}

fn mark(outcome: Outcome) -> &'static str {
    match outcome {
        Outcome::Success => "✓",
        Outcome::Failure => "✗",
        Outcome::Cancelled => "⊘",
        Outcome::Skipped => "-",
    }
}

impl EventSink for Terminal {
    fn emit(&self, event: &RunEvent) {
        match event {
            RunEvent::RunStarted {
                run_id,
                workflow,
                event,
                ..
            } => {
                self.out
                    .write(format_args!("run {run_id}: {workflow} (on {event})\n"), true);
            }
            RunEvent::JobWaiting { job, reason } => self.line(job, format_args!("{reason}"), true),
            RunEvent::JobStarted {
                job,
                attempt,
                attempts,
                backend,
                image,
                gpus,
            } => {
                let mut text = match image {
                    Some(image) => format!("starting in {image}"),
                    None if backend == "slurm" => "submitting to Slurm".to_string(),
                    None => format!("starting on the {backend}"),
                };
                if *attempts > 1 {
                    text.push_str(&format!(" (attempt {attempt} of {attempts})"));
                }
                if !gpus.is_empty() {
                    text.push_str(&format!(" with GPUs {}", gpus.join(",")));
                }
                self.line(job, format_args!("{text}"), true);
            }
            RunEvent::SlurmJob {
                job,
                message: Some(message),
                ..
            } => self.line(job, format_args!("{message}"), true),
            // Running and ended: the leg's own lines say so.
            RunEvent::SlurmJob { .. } => {}
            RunEvent::JobSkipped { job, reason } => {
                self.line(job, format_args!("skipped: {reason}"), true);
                self.row(job, "skipped", 0.0, 0);
            }
            RunEvent::StepStarted { job, name, .. } => self.line(job, format_args!("▶ {name}"), false),
            // The step's log has said it already ("Download action repository …").
            RunEvent::ActionResolved { .. } => {}
            RunEvent::StepSkipped { job, name, reason, .. } => {
                self.line(job, format_args!("- {name} (skipped: {reason})"), false)
            }
            RunEvent::Output { job, kind, line, .. } => match kind {
                // Plain output comes in batches of lines.
                LineKind::Output => {
                    for line in line.split('\n') {
                        self.out.write_parts(&["[", &job.name, "]   ", line, "\n"]);
                    }
                }
                LineKind::Group => self.line(job, format_args!("  ▼ {line}"), false),
                LineKind::EndGroup => {}
                LineKind::Error => self.line(job, format_args!("  Error: {line}"), false),
                LineKind::Warning => self.line(job, format_args!("  Warning: {line}"), false),
                LineKind::Notice => self.line(job, format_args!("  Notice: {line}"), false),
                LineKind::Debug if self.show_debug => self.line(job, format_args!("  Debug: {line}"), false),
                LineKind::Debug => {}
                LineKind::Runner => self.line(job, format_args!("{line}"), false),
            },
            RunEvent::StepSummary { .. } => {}
            RunEvent::StepFinished {
                job,
                name,
                outcome,
                conclusion,
                seconds,
                ..
            } => {
                let note = if outcome != conclusion {
                    format!(" ({}, continue-on-error)", outcome.as_str())
                } else {
                    String::new()
                };
                let text = format_args!("{} {name} ({seconds:.1}s){note}", mark(*conclusion));
                self.line(job, text, true);
            }
            RunEvent::JobFinished {
                job,
                result,
                attempts,
                seconds,
                ..
            } => {
                self.line(job, format_args!("{} job {}", mark(*result), result.as_str()), true);
                self.row(job, result.as_str(), *seconds, *attempts);
            }
            RunEvent::RunFinished {
                run_id,
                result,
                seconds,
            } => {
                let table = self.table();
                self.out.write(
                    format_args!("\n{table}\nrun {run_id}: {} in {seconds:.1}s\n", result.as_str()),
                    true,
                );
            }
        }
    }
}
