//! `mlci runs`: the latest recorded runs, newest first.

use super::stored::{self, columns, duration, short_ref, short_sha, state, time, StoreArg};
use crate::exit;

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    store: StoreArg,
    /// How many runs to list.
    #[arg(short = 'n', long = "limit", value_name = "N", default_value_t = 20)]
    limit: usize,
    /// Print the runs as JSON.
    #[arg(long)]
    json: bool,
}

pub fn run(args: Args) -> i32 {
    let dir = args.store.dir();
    let runs = match stored::open(&dir) {
        Err(code) => return code,
        Ok(None) => Vec::new(),
        Ok(Some(store)) => match store.runs(args.limit) {
            Ok(runs) => runs,
            Err(e) => return stored::failure(&e),
        },
    };
    if args.json {
        stored::print(&format!(
            "{}\n",
            serde_json::to_string_pretty(&runs).unwrap_or_default()
        ));
        return exit::SUCCESS;
    }
    if runs.is_empty() {
        eprintln!("no runs recorded in {}", dir.display());
        return exit::SUCCESS;
    }
    let header = [
        "ID",
        "WORKFLOW",
        "EVENT",
        "REF",
        "SHA",
        "RESULT",
        "STARTED (UTC)",
        "DURATION",
    ];
    let mut rows = vec![header.iter().map(|h| h.to_string()).collect()];
    for run in &runs {
        rows.push(vec![
            run.id.to_string(),
            run.workflow.clone(),
            run.event.clone(),
            short_ref(&run.git_ref).to_string(),
            short_sha(&run.sha),
            state(run.status, run.result).to_string(),
            time(&run.started_at),
            duration(run.seconds()),
        ]);
    }
    stored::print(&columns(&rows, ""));
    exit::SUCCESS
}
