//! `mlci slurm-agent DIR` (hidden): runs inside a Slurm job and runs the
//! steps `mlci run --backend slurm` hands it through DIR.

use super::exit;
use crate::backend::slurm::agent;
use crate::report::error_chain;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    /// The job's shared directory (`job.json` says what to start).
    dir: PathBuf,
}

pub fn run(args: Args) -> i32 {
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return exit::FAILURE;
        }
    };
    match runtime.block_on(agent::run(&args.dir)) {
        Ok(()) => exit::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", error_chain(&e));
            exit::FAILURE
        }
    }
}
