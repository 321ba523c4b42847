//! Wiring: the only module that knows every stage. Parses the command line, resolves it into
//! [`Settings`] once, runs the command, and turns the outcome into the process exit code.

mod check;
#[cfg(feature = "aws")]
mod collect;
mod diff;
mod output;
mod pipeline;
#[cfg(feature = "aws")]
mod progress;
mod rules;
#[cfg(feature = "aws")]
mod scan;
#[cfg(feature = "aws")]
mod verify_logs;

use std::process::ExitCode;

use crate::cli::env::ParseError;
use crate::exit::{Error, ExitStatus};
use crate::settings::{Command, Settings, Ui};

/// Parses the command line, runs the command, and returns the exit status.
pub fn main() -> ExitCode {
    let (cli, variables) = match crate::cli::env::parse() {
        Ok(parsed) => parsed,
        Err(ParseError { error, note }) => {
            // `--help` and `--version` come here too, on stdout, with status 0.
            let status = if error.use_stderr() {
                ExitStatus::Error
            } else {
                ExitStatus::Success
            };
            let _ = error.print();
            if let Some(note) = note {
                eprintln!("{note}");
            }
            return status.into();
        }
    };
    if let Some(limit) = cli.max_input_size {
        crate::files::read::set_max_input_size(limit);
    }
    let ui = Ui::new(cli.color, cli.quiet, cli.verbose);
    let settings = Settings::resolve(ui, &cli.command).map(|mut settings| {
        settings.notes.splice(0..0, variables);
        settings
    });
    match settings.and_then(|settings| run(&settings)) {
        Ok(status) => status.into(),
        Err(e) => {
            e.print(ui.color.stderr);
            ExitStatus::Error.into()
        }
    }
}

/// Runs a resolved command.
fn run(settings: &Settings) -> Result<ExitStatus, Error> {
    let ui = &settings.ui;
    if ui.verbose {
        for note in &settings.notes {
            eprintln!("{note}");
        }
    }
    match &settings.command {
        #[cfg(feature = "aws")]
        Command::Collect(s) => collect::run(ui, s),
        #[cfg(feature = "aws")]
        Command::Scan(s) => scan::run(ui, s),
        Command::Check(s) => check::run(ui, s),
        Command::Rules(task) => rules::run(ui, task),
        Command::Diff(s) => diff::run(s),
        #[cfg(feature = "aws")]
        Command::VerifyLogs(s) => verify_logs::run(ui, s),
    }
}
