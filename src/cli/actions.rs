//! `mlci actions pull [-W PATH]`: fetch every published action the
//! workflows need into the action cache, so that a machine can then run
//! them with `--offline`.
//!
//! Exit codes: 0 when every action resolved; 1 when one did not; 3 when a
//! workflow file is invalid.

use super::action_args::ActionArgs;
use super::{exit, workflows};
use crate::actions::pull::resolve_workflow;
use crate::store::default_store_dir;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: Command,
}

#[derive(clap::Subcommand)]
enum Command {
    /// Fetch every action the workflows use into the action cache.
    Pull(PullArgs),
}

#[derive(clap::Args)]
struct PullArgs {
    /// A workflow file or folder (default: .github/workflows/).
    #[arg(short = 'W', long = "workflows")]
    workflows: Option<PathBuf>,
    #[command(flatten)]
    actions: ActionArgs,
}

pub fn run(args: Args) -> i32 {
    let Command::Pull(args) = args.command;
    let loaded = match workflows::load_valid(args.workflows.as_deref()) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    let mut secrets = Vec::new();
    if let Ok(token) = std::env::var("GITHUB_TOKEN") {
        secrets.push(("GITHUB_TOKEN".to_string(), token));
    }
    let settings = match args.actions.settings(&default_store_dir(), &mut secrets) {
        Ok(settings) => settings,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::USAGE;
        }
    };
    let mut failed = 0;
    let mut rows = Vec::new();
    for analysis in &loaded.valid {
        let Some(workflow) = &analysis.workflow else { continue };
        for (needed, _) in resolve_workflow(workflow, &settings) {
            match needed.resolved {
                Ok(_) if rows.iter().any(|r: &Vec<String>| r[0] == needed.action.to_string()) => {}
                Ok((resolved, _)) => rows.push(vec![
                    needed.action.to_string(),
                    resolved.sha,
                    if resolved.fetched { "fetched" } else { "cached" }.to_string(),
                ]),
                Err(e) => {
                    eprintln!("error: {e}");
                    failed += 1;
                }
            }
        }
    }
    print!("{}", super::stored::columns(&rows, ""));
    println!(
        "{} action{} in {}",
        rows.len(),
        if rows.len() == 1 { "" } else { "s" },
        settings.resolver.cache().display()
    );
    let code = if failed > 0 { exit::FAILURE } else { exit::SUCCESS };
    workflows::Loaded::exit_code(loaded.invalid_files, code)
}
