//! `TRAILGUARD_*` environment variables: defaults for the common flags, for CI jobs that set
//! the environment once (clap's `env`, already compiled in). Precedence: a flag given on the
//! command line, then its variable, then the config file, then the built-in default. An empty
//! variable counts as unset (as `NO_COLOR` does), so `TRAILGUARD_FAIL_ON: ${{ inputs.x }}` with
//! no input changes nothing.

use std::collections::BTreeSet;

use clap::error::{ContextKind, ContextValue};
use clap::parser::ValueSource;
use clap::{ArgMatches, Command, CommandFactory, FromArgMatches};

use super::Cli;

/// A command line or variable clap refused, and the variable that held the bad value (clap's
/// message names only the flag).
#[derive(Debug)]
pub struct ParseError {
    /// clap's error (also `--help` and `--version`).
    pub error: clap::Error,
    /// `note: the value came from TRAILGUARD_FAIL_ON=…`, when it did.
    pub note: Option<String>,
}

/// Parses the process's command line and `TRAILGUARD_*` variables; also returns a `-v` note per
/// flag a variable set.
pub fn parse() -> Result<(Cli, Vec<String>), ParseError> {
    let command = without_empty_variables(Cli::command());
    let parsed = (command.clone().try_get_matches())
        .and_then(|m| Cli::from_arg_matches(&m).map(|cli| (cli, m)));
    match parsed {
        Ok((cli, matches)) => Ok((cli, set_by_variables(&command, &matches))),
        Err(error) => Err(ParseError {
            note: blamed_variable(&command, &error),
            error,
        }),
    }
}

/// The variable behind an invalid value: the flag clap names has a variable that is set,
/// and the flag itself is not on the command line.
fn blamed_variable(command: &Command, error: &clap::Error) -> Option<String> {
    let Some(ContextValue::String(arg)) = error.get(ContextKind::InvalidArg) else {
        return None;
    };
    let long = arg.strip_prefix("--")?.split([' ', '=']).next()?;
    let flag = format!("--{long}");
    let on_command_line = std::env::args().any(|a| a == flag || a.starts_with(&format!("{flag}=")));
    let name = find_variable(command, long).filter(|_| !on_command_line)?;
    let value = std::env::var_os(&name)?;
    Some(format!(
        "note: the value came from {}={}",
        name.to_string_lossy(),
        value.to_string_lossy()
    ))
}

/// The variable of the flag `--long` anywhere in the command tree.
fn find_variable(command: &Command, long: &str) -> Option<std::ffi::OsString> {
    (command.get_arguments())
        .find(|a| a.get_long() == Some(long))
        .and_then(|a| a.get_env().map(ToOwned::to_owned))
        .or_else(|| (command.get_subcommands()).find_map(|sub| find_variable(sub, long)))
}

/// The command with every arg whose variable is set but empty treated as having none.
fn without_empty_variables(command: Command) -> Command {
    command
        .mut_args(|arg| {
            let empty = (arg.get_env())
                .is_some_and(|name| std::env::var_os(name).is_some_and(|value| value.is_empty()));
            if empty { arg.env(None::<&str>) } else { arg }
        })
        .mut_subcommands(without_empty_variables)
}

/// `note: --fail-on from TRAILGUARD_FAIL_ON=high`, for each flag its variable set, in the
/// command's and then its subcommands' order.
fn set_by_variables(command: &Command, matches: &ArgMatches) -> Vec<String> {
    let (mut command, mut matches) = (command, matches);
    let (mut notes, mut seen) = (Vec::new(), BTreeSet::new());
    loop {
        for arg in command.get_arguments() {
            let (Some(name), id) = (arg.get_env(), arg.get_id().as_str()) else {
                continue;
            };
            let from_env = matches!(
                matches.try_get_raw(id).map(|_| matches.value_source(id)),
                Ok(Some(ValueSource::EnvVariable))
            );
            if from_env && seen.insert(name.to_owned()) {
                let value = std::env::var_os(name).unwrap_or_default();
                notes.push(format!(
                    "note: --{} from {}={}",
                    arg.get_long().unwrap_or(id),
                    name.to_string_lossy(),
                    value.to_string_lossy()
                ));
            }
        }
        let Some((name, sub)) = matches.subcommand() else {
            return notes;
        };
        let Some(next) = command.find_subcommand(name) else {
            return notes;
        };
        (command, matches) = (next, sub);
    }
}
