//! `mlci validate [PATHS...]`: check workflow files, report every problem.

use super::{exit, output, workflows};
use crate::check::analyze_file;
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
    let files = match workflows::find_all(&paths) {
        Ok(files) => files,
        Err(code) => return code,
    };
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
