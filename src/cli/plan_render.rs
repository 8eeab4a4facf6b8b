//! How a plan reads: on a terminal, and as Graphviz DOT.

use crate::plan::PlannedJob;
use serde::Serialize;
use std::fmt::Write;

#[derive(Serialize)]
pub struct WorkflowPlan {
    pub workflow: String,
    pub path: String,
    pub triggered: bool,
    pub reason: String,
    pub jobs: Vec<PlannedJob>,
}

pub fn render_text(event: &str, note: Option<&str>, plans: &[WorkflowPlan]) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "event: {event}");
    if let Some(note) = note {
        let _ = writeln!(out, "note: {note}");
    }
    for plan in plans {
        let verdict = if plan.triggered { "runs" } else { "skipped" };
        let _ = writeln!(
            out,
            "\n{} ({}): {verdict}\n  why: {}",
            plan.workflow, plan.path, plan.reason
        );
        for job in &plan.jobs {
            let mut line = format!("  job {}", job.id);
            if !job.needs.is_empty() {
                let _ = write!(line, "  needs: {}", job.needs.join(", "));
            }
            if let Some(condition) = &job.condition {
                let _ = write!(line, "  if: {condition}");
            }
            let _ = writeln!(out, "{line}");
            if let Some(matrix) = &job.deferred_matrix {
                let _ = writeln!(
                    out,
                    "    matrix: {matrix} (expanded once the jobs it needs have finished)"
                );
            }
            for leg in &job.legs {
                let place = match (&leg.image, leg.slurm) {
                    (Some(image), true) if image != "slurm" => format!("on Slurm, image: {image}"),
                    (_, true) => "on Slurm".to_string(),
                    (Some(image), false) => format!("image: {image}"),
                    (None, false) => "image: no image for these labels (map one with -P LABEL=IMAGE)".to_string(),
                };
                let _ = writeln!(out, "    - {}  runs-on: {}  {place}", leg.name, leg.runs_on.join(", "));
            }
        }
    }
    out
}

pub fn render_dot(plans: &[WorkflowPlan]) -> String {
    let mut out = String::from("digraph jobs {\n  rankdir=LR;\n  node [shape=box];\n");
    for (index, plan) in plans.iter().filter(|p| p.triggered).enumerate() {
        let _ = writeln!(
            out,
            "  subgraph cluster_{index} {{\n    label={};",
            quote(&plan.workflow)
        );
        for job in &plan.jobs {
            let legs = match (job.legs.len(), &job.deferred_matrix) {
                (_, Some(_)) => " (matrix from needs)".to_string(),
                (1, None) => String::new(),
                (n, None) => format!(" ({n} legs)"),
            };
            let _ = writeln!(
                out,
                "    {} [label={}];",
                node(index, &job.id),
                quote(&format!("{}{legs}", job.id))
            );
            for need in &job.needs {
                let _ = writeln!(out, "    {} -> {};", node(index, need), node(index, &job.id));
            }
        }
        out.push_str("  }\n");
    }
    out.push_str("}\n");
    out
}

fn node(workflow: usize, job: &str) -> String {
    quote(&format!("{workflow}:{job}"))
}

fn quote(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}
