//! `mlci rerun RUN [--failed]`: runs a recorded run's workflow again for the
//! same event, as a new run linked to the old one. With `--failed`, only
//! the jobs that failed, were cancelled or were skipped because of them run
//! again; the jobs that succeeded keep their results, outputs and artifacts.

use super::run::{run_with, Args as RunArgs, Rerun};
use super::{exit, stored};
use crate::store::Store;
use std::collections::HashMap;
use std::path::PathBuf;

#[derive(clap::Args)]
#[group(id = "rerun")]
pub struct Args {
    /// The run to run again (see `mlci runs`).
    run: i64,
    /// Run again only the jobs that did not succeed.
    #[arg(long)]
    failed: bool,
    #[command(flatten)]
    options: RunArgs,
}

pub fn run(args: Args) -> i32 {
    let store_dir = args.options.store_dir();
    let store = match Store::open(&store_dir) {
        Ok(store) => store,
        Err(e) => return stored::failure(&e),
    };
    let detail = match store.run(args.run) {
        Ok(Some(detail)) => detail,
        Ok(None) => {
            eprintln!("error: there is no run {} in {}", args.run, store_dir.display());
            return exit::USAGE;
        }
        Err(e) => return stored::failure(&e),
    };
    let earlier_runs = store.rerun_chain(&detail);
    let rerun = Rerun {
        of: detail.run.id,
        reused: if args.failed {
            detail.succeeded_jobs()
        } else {
            HashMap::new()
        },
        earlier_runs,
    };
    let mut options = args.options;
    options.workflows = Some(PathBuf::from(&detail.run.path));
    options.event = detail.run.event.clone();
    run_with(options, Some(rerun))
}
