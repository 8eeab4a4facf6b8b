//! `mlci validate [PATHS...]`: check workflow files, report every problem.

use super::action_args::ActionArgs;
use super::{exit, output, workflows};
use crate::actions::pull::{check_inputs, resolve_workflow};
use crate::actions::settings::ActionSettings;
use crate::check::analyze_file;
use crate::diag::Diagnostic;
use crate::store::default_store_dir;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Workflow files or folders (default: .github/workflows/).
    paths: Vec<PathBuf>,
    /// Also refuse mlci's own extension keys (`retries`, `retry-delay`), which GitHub would reject.
    #[arg(long)]
    github: bool,
    /// Also resolve every published action and check each step's `with:`
    /// against its action.yml (a missing required input is an error, an
    /// unknown one a warning).
    #[arg(long = "actions")]
    check_actions: bool,
    #[command(flatten)]
    action_args: ActionArgs,
}

pub fn run(args: Args) -> i32 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".github/workflows")]
    } else {
        args.paths
    };
    let files = match workflows::find_all(&paths) {
        Ok(files) => files,
        Err(code) => return code,
    };
    let mut analyses: Vec<_> = files.iter().map(|f| analyze_file(f)).collect();
    if args.github {
        analyses.iter_mut().for_each(flag_extensions);
    }
    if args.check_actions {
        let settings = match args.action_args.settings(&default_store_dir(), &mut Vec::new()) {
            Ok(settings) => settings,
            Err(e) => {
                eprintln!("error: {e}");
                return exit::USAGE;
            }
        };
        for analysis in &mut analyses {
            check_actions(analysis, &settings);
        }
    }
    let errors = output::print_diagnostics(&analyses);
    if errors > 0 {
        eprintln!(
            "{errors} error{} in {} file{}",
            if errors == 1 { "" } else { "s" },
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        );
        return exit::INVALID;
    }
    println!(
        "{} workflow file{} valid",
        files.len(),
        if files.len() == 1 { "" } else { "s" }
    );
    exit::SUCCESS
}

/// Under `--actions`: each published action resolved, each step's `with:`
/// checked against its inputs; an action that cannot be resolved is an
/// error at its `uses:`.
fn check_actions(analysis: &mut crate::check::Analysis, settings: &ActionSettings) {
    let Some(workflow) = &analysis.workflow else { return };
    let mut found = Vec::new();
    for (needed, step) in resolve_workflow(workflow, settings) {
        match (&needed.resolved, step) {
            (Err(e), _) => found.push(Diagnostic::error(needed.span, e.clone())),
            (Ok((_, action)), Some(step)) => found.extend(check_inputs(step, action, &needed.action.to_string())),
            (Ok(_), None) => {}
        }
    }
    analysis.diagnostics.extend(found);
    analysis.diagnostics.sort_by_key(|d| d.span);
}

/// Under `--github`, mlci's own job keys are errors: GitHub rejects them.
fn flag_extensions(analysis: &mut crate::check::Analysis) {
    let Some(workflow) = &analysis.workflow else { return };
    for job in &workflow.jobs {
        let spans = job
            .retries
            .as_ref()
            .map(|r| ("retries", r.span))
            .into_iter()
            .chain(job.retry_delay.as_ref().map(|d| ("retry-delay", d.span)));
        for (key, span) in spans {
            let message = format!(
                "`{key}` in job `{}` is an mlci extension; GitHub rejects it",
                job.id.value
            );
            analysis.diagnostics.push(crate::diag::Diagnostic::error(span, message));
        }
    }
    analysis.diagnostics.sort_by_key(|d| d.span);
}
