//! The command line: one file per command, each returning an exit code.
//! Only this module prints or maps errors to exit codes.

mod action_args;
mod actions;
mod artifacts;
mod broken_pipe;
mod eval;
mod evaluate;
mod event;
mod gate;
mod hook;
mod images;
mod list;
mod logging;
mod logs;
mod logs_follow;
mod metrics;
mod output;
mod plan;
mod plan_render;
mod rerun;
mod run;
mod run_checks;
mod run_secrets;
mod runner;
mod runner_check;
mod runner_status;
mod runs;
mod show;
mod slurm_agent;
mod stored;
mod ui;
mod validate;
mod workflows;

// Every command returns one of these codes; the engine uses them too.
pub(crate) use crate::exit;
use clap::{Parser, Subcommand};

#[derive(Parser)]
#[command(
    name = "mlci",
    version,
    about = "Run GitHub Actions workflows for ML projects on your own machines"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Check workflow files and report every error with its line and column.
    Validate(validate::Args),
    /// Show which workflows an event triggers and why, and their jobs in order.
    Plan(plan::Args),
    /// Run the workflows an event triggers, each job in its own container.
    Run(Box<run::Args>),
    /// Run a recorded run again (`--failed`: only the jobs that did not succeed).
    Rerun(Box<rerun::Args>),
    /// List workflows and their jobs, one per line.
    List(list::Args),
    /// Evaluate one ${{ }} expression and print the result as JSON.
    Eval(eval::Args),
    /// List recorded runs, newest first.
    Runs(runs::Args),
    /// Show a recorded run: its jobs, their attempts and steps.
    Show(show::Args),
    /// Print a recorded run's step logs, or only one job's.
    Logs(logs::Args),
    /// Build mlci's runner images, or list them.
    Images(images::Args),
    /// Check a metrics file against quality rules (thresholds, and regressions against a baseline).
    Gate(gate::Args),
    /// List the metrics recorded by quality gates, oldest first.
    Metrics(metrics::Args),
    /// List a run's artifacts, or extract one.
    Artifacts(artifacts::Args),
    /// Fetch the published actions the workflows use into the action cache.
    Actions(actions::Args),
    /// The self-hosted runner daemon: start it, check its configuration, or show its queue.
    Runner(runner::Args),
    /// Install the git hook that hands pushes to the runner.
    Hook(hook::Args),
    /// Serve the web view of the run store: runs, logs, the job graph, metrics over time.
    Ui(ui::Args),
    /// Runs a job's steps inside a Slurm job (started by `--backend slurm`).
    #[command(hide = true)]
    SlurmAgent(slurm_agent::Args),
}

pub fn main() -> i32 {
    broken_pipe::exit_quietly_when_stdout_closes();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { exit::USAGE } else { exit::SUCCESS };
        }
    };
    match cli.command {
        Command::Validate(args) => validate::run(args),
        Command::Plan(args) => plan::run(args),
        Command::Run(args) => run::run(*args),
        Command::Rerun(args) => rerun::run(*args),
        Command::List(args) => list::run(args),
        Command::Eval(args) => eval::run(args),
        Command::Runs(args) => runs::run(args),
        Command::Show(args) => show::run(args),
        Command::Logs(args) => logs::run(args),
        Command::Images(args) => images::run(args),
        Command::Gate(args) => gate::run(args),
        Command::Metrics(args) => metrics::run(args),
        Command::Artifacts(args) => artifacts::run(args),
        Command::Runner(args) => runner::run(args),
        Command::Actions(args) => actions::run(args),
        Command::Hook(args) => hook::run(args),
        Command::Ui(args) => ui::run(args),
        Command::SlurmAgent(args) => slurm_agent::run(args),
    }
}
