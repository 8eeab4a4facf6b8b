//! The command line: one file per command, each returning an exit code.
//! Only this module prints or maps errors to exit codes.

pub mod exit;
mod output;
mod validate;

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
}

pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() { exit::USAGE } else { exit::SUCCESS };
        }
    };
    match cli.command {
        Command::Validate(args) => validate::run(args),
    }
}
