//! `mlci list`: one line per workflow and per job.

use super::{exit, workflows};
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// A workflow file or folder (default: .github/workflows/).
    #[arg(short = 'W', long = "workflows")]
    workflows: Option<PathBuf>,
}

pub fn run(args: Args) -> i32 {
    let loaded = match workflows::load_valid(args.workflows.as_deref()) {
        Ok(loaded) => loaded,
        Err(code) => return code,
    };
    for workflow in loaded.valid.iter().filter_map(|a| a.workflow.as_ref()) {
        let events: Vec<&str> = workflow.on.events.iter().map(|e| e.name.value.as_str()).collect();
        println!(
            "{}  {}  on: {}",
            workflow.path.display(),
            workflow.display_name(),
            events.join(", ")
        );
        for job in &workflow.jobs {
            let labels: Vec<&str> = job
                .runs_on
                .iter()
                .flat_map(|r| r.labels.iter().map(|l| l.as_str()))
                .collect();
            let mut line = format!("  {}", job.id.value);
            if job.name.is_some() {
                line.push_str(&format!("  ({})", job.display_name()));
            }
            if !labels.is_empty() {
                line.push_str(&format!("  runs-on: {}", labels.join(", ")));
            }
            if !job.needs.is_empty() {
                let needs: Vec<&str> = job.needs.iter().map(|n| n.as_str()).collect();
                line.push_str(&format!("  needs: {}", needs.join(", ")));
            }
            println!("{line}");
        }
    }
    workflows::Loaded::exit_code(loaded.invalid_files, exit::SUCCESS)
}
