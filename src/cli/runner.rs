//! `mlci runner start|check|status`: the self-hosted runner daemon.

use super::logging::{self, LogFormat};
use super::{runner_check, runner_status};
use crate::daemon::config::load_config;
use crate::daemon::runner::{Daemon, StartError};
use crate::daemon::stop::Stop;
use crate::exit;
use crate::store::system_clock;
use clap::Subcommand;
use std::path::PathBuf;

#[derive(clap::Args)]
pub struct Args {
    #[command(subcommand)]
    command: RunnerCommand,
}

#[derive(Subcommand)]
enum RunnerCommand {
    /// Run the daemon in the foreground (Ctrl-C or SIGTERM stops it).
    Start(StartArgs),
    /// Check the configuration file, the repositories and Docker, without starting.
    Check(runner_check::Args),
    /// Show the daemon's queue, its running jobs with their GPUs, and its capacity.
    Status(runner_status::Args),
}

#[derive(clap::Args)]
struct StartArgs {
    /// The runner's configuration file (see docs/runner.md).
    #[arg(long, short)]
    config: PathBuf,
    /// How the daemon's log lines are written to standard error (the
    /// level comes from RUST_LOG, default info).
    #[arg(long, value_enum, default_value_t = LogFormat::Text)]
    log_format: LogFormat,
}

pub fn run(args: Args) -> i32 {
    match args.command {
        RunnerCommand::Start(args) => start(args),
        RunnerCommand::Check(args) => runner_check::run(args),
        RunnerCommand::Status(args) => runner_status::run(args),
    }
}

fn start(args: StartArgs) -> i32 {
    logging::init(args.log_format);
    let config = match load_config(&args.config) {
        Ok(config) => config,
        Err(errors) => {
            eprint!("{errors}");
            return exit::INVALID;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: failed to start the async runtime: {e}");
            return exit::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let stop = Stop::on_signals().map_err(|e| (exit::FAILURE, format!("failed to listen for signals: {e}")))?;
        let daemon = Daemon::open(config, system_clock()).await.map_err(start_error)?;
        daemon.run(stop).await.map_err(start_error)
    });
    // Intake still fetching from a hung remote must not hold the exit: what
    // it had not finished stays queued for the next start.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => exit::SUCCESS,
        Err((code, message)) => {
            eprintln!("error: {message}");
            code
        }
    }
}

fn start_error(error: StartError) -> (i32, String) {
    let code = match error {
        StartError::Docker(_) => exit::BACKEND_UNREACHABLE,
        _ => exit::FAILURE,
    };
    (code, error.to_string())
}
