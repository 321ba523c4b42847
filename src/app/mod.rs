//! Wiring: the only module that knows every stage. Turns a parsed command line into a run and
//! an exit status.

mod check;
#[cfg(feature = "aws")]
mod collect;
mod diff;
mod output;
mod pipeline;
mod rules;
#[cfg(feature = "aws")]
mod scan;

use std::process::ExitCode;

use clap::Parser;

use crate::cli::{Cli, Command};

/// Exit status: the gate passed.
pub const EXIT_OK: u8 = 0;
/// Exit status: the gate failed (non-compliant).
pub const EXIT_FAIL: u8 = 1;
/// Exit status: trailguard could not run (bad input, no credentials, nothing collected).
pub const EXIT_ERROR: u8 = 2;

/// An error that stops the run: printed as one line on stderr, exit status 2.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct RunError(pub String);

/// Parses the command line, runs the command, and returns the exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_ERROR } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    if let Some(limit) = cli.max_input_size {
        crate::files::read::set_max_input_size(limit);
    }
    let result = match &cli.command {
        #[cfg(feature = "aws")]
        Command::Collect(args) => collect::run(&cli, args),
        #[cfg(feature = "aws")]
        Command::Scan(args) => scan::run(&cli, args),
        #[cfg(not(feature = "aws"))]
        Command::Scan(_) => Err(RunError(
            "this trailguard was built without the `aws` feature; rebuild with default features to scan".into(),
        )),
        #[cfg(not(feature = "aws"))]
        Command::Collect(_) => Err(RunError(
            "this trailguard was built without the `aws` feature; rebuild with default features to collect".into(),
        )),
        Command::Check(args) => check::run(&cli, args),
        Command::Rules(args) => rules::run(&cli, args),
        Command::Diff(args) => diff::run(&cli, args),
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(EXIT_ERROR)
        }
    }
}
