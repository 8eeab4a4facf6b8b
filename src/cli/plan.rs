//! `mlci plan`: which workflows an event triggers and why, then the jobs in
//! dependency order with their matrix legs, labels, images and needs.

use super::event::{inputs_declared, local_event, plan_contexts, workflow_inputs};
use super::plan_render::{render_dot, render_text, WorkflowPlan};
use super::{exit, workflows};
use crate::plan::{plan_jobs, LabelMap};
use crate::trigger::decide;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// A workflow file or folder (default: .github/workflows/).
    #[arg(short = 'W', long = "workflows")]
    workflows: Option<PathBuf>,
    /// The event to plan for.
    #[arg(short, long, default_value = "push")]
    event: String,
    /// Plan only this job and the jobs it needs.
    #[arg(short, long)]
    job: Option<String>,
    /// A JSON file with the event payload (`github.event`).
    #[arg(long)]
    eventpath: Option<PathBuf>,
    /// A workflow_dispatch input, NAME=VALUE (repeatable).
    #[arg(long = "input", value_name = "NAME=VALUE")]
    inputs: Vec<String>,
    /// Map a runs-on label to an image, LABEL=IMAGE (repeatable).
    #[arg(short = 'P', long = "platform", value_name = "LABEL=IMAGE")]
    platforms: Vec<String>,
    /// Print the plan as JSON.
    #[arg(long, conflicts_with = "dot")]
    json: bool,
    /// Print the job graph as Graphviz DOT.
    #[arg(long)]
    dot: bool,
}

pub fn run(args: Args) -> i32 {
    let loaded = match workflows::load_valid(args.workflows.as_deref()) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    workflows::Loaded::exit_code(loaded.invalid_files, plan(args, &loaded.valid))
}

fn plan(args: Args, analyses: &[crate::check::Analysis]) -> i32 {
    let mut labels = LabelMap::default();
    // The same mappings as `mlci run -P` (images, GPU profiles, `host`, Slurm).
    for platform in &args.platforms {
        if let Err(e) = labels.parse_and_set(platform) {
            return usage(&e);
        }
    }
    let payload = match &args.eventpath {
        None => None,
        Some(path) => match std::fs::read_to_string(path)
            .map_err(|e| e.to_string())
            .and_then(|t| serde_json::from_str(&t).map_err(|e| e.to_string()))
        {
            Ok(value) => Some(value),
            Err(e) => return usage(&format!("failed to read the event payload {}: {e}", path.display())),
        },
    };
    let workflows: Vec<_> = analyses.iter().filter_map(|a| a.workflow.as_ref()).collect();
    if let Err(message) = inputs_declared(&workflows, &args.inputs) {
        return usage(&message);
    }
    let cwd = std::env::current_dir().unwrap_or_default();
    let local = local_event(&cwd, &args.event);
    let mut plans = Vec::new();
    for analysis in analyses {
        let Some(workflow) = &analysis.workflow else { continue };
        let decision = decide(workflow, &local.event);
        let mut plan = WorkflowPlan {
            workflow: workflow.display_name(),
            path: workflow.path.display().to_string(),
            triggered: decision.runs(),
            reason: decision.reason().to_string(),
            jobs: Vec::new(),
        };
        if plan.triggered {
            let inputs = match workflow_inputs(workflow, &args.event, &args.inputs, payload.as_ref()) {
                Ok(inputs) => inputs,
                Err(message) => return usage(&message),
            };
            let contexts = plan_contexts(
                &local,
                &plan.workflow,
                payload.clone(),
                args.eventpath.as_deref(),
                inputs,
            );
            let graph = match crate::check::graph_of(workflow) {
                Some(graph) => graph,
                None => return exit::INVALID,
            };
            match plan_jobs(
                workflow,
                &graph,
                &contexts,
                &labels,
                args.job.as_deref(),
                &super::evaluate::evaluate_text,
            ) {
                Ok(jobs) => plan.jobs = jobs,
                Err(message) => {
                    eprintln!("error: {}: {message}", workflow.path.display());
                    return exit::INVALID;
                }
            }
        }
        plans.push(plan);
    }
    if let Some(job) = &args.job {
        if !plans.iter().any(|p| p.jobs.iter().any(|j| &j.id == job)) && plans.iter().any(|p| p.triggered) {
            eprintln!("error: no triggered workflow has a job `{job}`");
            return exit::INVALID;
        }
    }
    if args.json {
        let document = serde_json::json!({ "event": args.event, "note": local.note, "workflows": plans });
        println!("{}", serde_json::to_string_pretty(&document).unwrap_or_default());
    } else if args.dot {
        print!("{}", render_dot(&plans));
    } else {
        print!("{}", render_text(&args.event, local.note.as_deref(), &plans));
    }
    if plans.iter().any(|p| p.triggered) {
        exit::SUCCESS
    } else {
        exit::NOTHING_TRIGGERED
    }
}

fn usage(message: &str) -> i32 {
    eprintln!("error: {message}");
    exit::USAGE
}
