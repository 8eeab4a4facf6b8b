//! `mlci validate [PATHS...]`: check workflow files, report every problem.

use super::{exit, output};
use crate::check::analyze_file;
use crate::load::discover;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// Workflow files or folders (default: .github/workflows/).
    paths: Vec<PathBuf>,
}

pub fn run(args: Args) -> i32 {
    let paths = if args.paths.is_empty() {
        vec![PathBuf::from(".github/workflows")]
    } else {
        args.paths
    };
    let files = match discover(&paths) {
        Ok(files) => files,
        Err(e) => {
            eprintln!("error: {e}");
            return exit::INVALID;
        }
    };
    if files.is_empty() {
        eprintln!(
            "error: no workflow files (*.yml, *.yaml) in {}",
            paths
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
        return exit::INVALID;
    }
    let analyses: Vec<_> = files.iter().map(|f| analyze_file(f)).collect();
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
