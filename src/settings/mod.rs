//! The run, resolved once: the command line, `trailguard.yaml` and the environment (`NO_COLOR`,
//! the terminals) become typed [`Settings`] before any work starts (ripgrep's `LowArgs →
//! HiArgs`). Flags win over `TRAILGUARD_*` variables, those over the config file (the nearest
//! `trailguard.yaml`, [`locate`]), and the config file over the defaults
//! ([`crate::cli::defaults`]). Below `app`'s entry, nothing reads the command line.

mod config_file;
mod evaluation;
mod rules;
mod target;
mod ui;
#[cfg(feature = "aws")]
mod window;

use std::path::{Path, PathBuf};

pub use config_file::{Located, locate};
pub use evaluation::{Folders, Gate, Outputs, ReportOutput, Selection};
pub use rules::RulesTask;
pub use target::{OrgTarget, Target};
pub use ui::{Colors, Ui};
#[cfg(feature = "aws")]
pub use window::{DEFAULT_PERIOD, check_trail, parse_time, resolve_window};

use crate::cli::diff::{DiffArgs, DiffFormat};
use crate::cli::{CheckArgs, Command as CliCommand};
use crate::config::Config;
use crate::exit::{Error, Usage};
use crate::inventory::Timestamp;
use crate::verify::Period;

/// Everything a run needs to know, resolved.
#[derive(Debug)]
pub struct Settings {
    /// How to talk to the person: colour, progress, verbosity.
    pub ui: Ui,
    /// What to do.
    pub command: Command,
    /// How the settings were found (which config file, which `TRAILGUARD_*` variables), for
    /// `-v`.
    pub notes: Vec<String>,
}

/// A command with its settings.
#[derive(Debug)]
pub enum Command {
    /// `collect`.
    #[cfg(feature = "aws")]
    Collect(Collect),
    /// `scan`.
    #[cfg(feature = "aws")]
    Scan(Scan),
    /// `check`.
    Check(Check),
    /// `rules …`.
    Rules(RulesTask),
    /// `diff`.
    Diff(Diff),
    /// `verify-logs`.
    #[cfg(feature = "aws")]
    VerifyLogs(VerifyLogs),
}

/// `collect`: read live AWS, write the inventory.
#[derive(Debug)]
pub struct Collect {
    /// Which accounts and regions.
    pub target: Target,
    /// The inventory file; `None` is stdout.
    pub output: Option<PathBuf>,
}

/// `scan`: collect, evaluate and report in one run.
#[derive(Debug)]
pub struct Scan {
    /// Which accounts and regions.
    pub target: Target,
    /// Which rules.
    pub selection: Selection,
    /// The gate and what it excuses.
    pub gate: Gate,
    /// The reports.
    pub outputs: Outputs,
    /// Where to also write the collected inventory.
    pub save_inventory: Option<PathBuf>,
}

/// `verify-logs`: verify the digest chains of the delivered logs in a period.
#[derive(Debug)]
pub struct VerifyLogs {
    /// Which accounts and source regions.
    pub target: Target,
    /// `--trail` (ARNs or names, each once); empty: every trail with log file validation.
    pub trails: Vec<String>,
    /// The period verified.
    pub window: Period,
    /// `--now` (hidden, for tests): one fixed clock for the whole run, the report's run times
    /// included; `None` reads the system clock.
    pub clock: Option<Timestamp>,
    /// The reports.
    pub outputs: Outputs,
    /// `--fail-on-gaps`: a gap fails the run too.
    pub fail_on_gaps: bool,
    /// `--list-all` or `-v`: the reports also list every valid digest and log file.
    pub list_valid: bool,
}

/// `check`: evaluate saved inventories.
#[derive(Debug)]
pub struct Check {
    /// The inventory files.
    pub inventories: Vec<PathBuf>,
    /// `--now`: one evaluation clock for every inventory (default: when each was collected).
    pub now: Option<Timestamp>,
    /// Which rules.
    pub selection: Selection,
    /// The gate and what it excuses.
    pub gate: Gate,
    /// The reports.
    pub outputs: Outputs,
}

/// `diff`: the drift between two reports.
#[derive(Debug)]
pub struct Diff {
    /// The earlier report.
    pub old: PathBuf,
    /// The later report.
    pub new: PathBuf,
    /// The drift outputs; at most one on stdout.
    pub outputs: Vec<DriftOutput>,
}

/// One `diff --output`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DriftOutput {
    /// The format.
    pub format: DiffFormat,
    /// The file; `None` is stdout.
    pub path: Option<PathBuf>,
    /// ANSI colours (text on a colour terminal only: a drift file is always plain).
    pub color: bool,
}

impl Settings {
    /// Resolves a parsed command line. Reads the config file (for `collect`, `scan` and
    /// `check`); its problems are [`Error::Diagnostics`], impossible flags [`Error::Usage`].
    pub fn resolve(ui: Ui, command: &CliCommand) -> Result<Settings, Error> {
        let located = reads_config(command).then(|| {
            locate(
                explicit_config(command),
                std::env::current_dir().ok().as_deref(),
            )
        });
        let config = match located.as_ref().and_then(|l| l.path.as_deref()) {
            Some(path) => Some(Config::load(path)?),
            None => None,
        };
        let command = match command {
            #[cfg(feature = "aws")]
            CliCommand::Collect(args) => Command::Collect(collect(args, config)),
            #[cfg(feature = "aws")]
            CliCommand::Scan(args) => Command::Scan(scan(args, &ui, config)?),
            // Stopped before anything is read.
            #[cfg(not(feature = "aws"))]
            CliCommand::Collect(_) => return Err(Usage::NoAws("collect").into()),
            #[cfg(not(feature = "aws"))]
            CliCommand::Scan(_) => return Err(Usage::NoAws("scan").into()),
            CliCommand::Check(args) => Command::Check(check(args, &ui, config)?),
            CliCommand::Rules(args) => Command::Rules(RulesTask::from(&args.command)),
            CliCommand::Diff(args) => Command::Diff(diff(args, &ui)?),
            #[cfg(feature = "aws")]
            CliCommand::VerifyLogs(args) => Command::VerifyLogs(verify_logs(args, &ui, config)?),
            #[cfg(not(feature = "aws"))]
            CliCommand::VerifyLogs(_) => return Err(Usage::NoAws("verify-logs").into()),
        };
        let notes = located.map(|l| l.note).into_iter().collect();
        Ok(Settings { ui, command, notes })
    }
}

/// `collect`, `scan`, `verify-logs` and `check` read the config file (`collect` and
/// `verify-logs` for its target defaults); without the `aws` feature, the live commands stop
/// before anything is read.
fn reads_config(command: &CliCommand) -> bool {
    match command {
        CliCommand::Collect(_) | CliCommand::Scan(_) | CliCommand::VerifyLogs(_) => {
            cfg!(feature = "aws")
        }
        CliCommand::Check(_) => true,
        CliCommand::Rules(_) | CliCommand::Diff(_) => false,
    }
}

/// `--config FILE` (of `scan` and `check`).
fn explicit_config(command: &CliCommand) -> Option<&Path> {
    match command {
        CliCommand::Scan(args) => args.rules.config.as_deref(),
        CliCommand::Check(args) => args.rules.config.as_deref(),
        _ => None,
    }
}

#[cfg(feature = "aws")]
fn collect(args: &crate::cli::CollectArgs, config: Option<Config>) -> Collect {
    Collect {
        target: Target::resolve(&args.target, config.as_ref()),
        output: args.output.clone(),
    }
}

#[cfg(feature = "aws")]
fn scan(args: &crate::cli::ScanArgs, ui: &Ui, config: Option<Config>) -> Result<Scan, Error> {
    Ok(Scan {
        target: Target::resolve(&args.target, config.as_ref()),
        gate: Gate::resolve(&args.gate, config.as_ref()),
        outputs: Outputs::resolve(&args.output, ui)?,
        selection: Selection::resolve(&args.rules, config),
        save_inventory: args.save_inventory.clone(),
    })
}

#[cfg(feature = "aws")]
fn verify_logs(
    args: &crate::cli::VerifyLogsArgs,
    ui: &Ui,
    config: Option<Config>,
) -> Result<VerifyLogs, Error> {
    let clock = args.now.as_deref().map(parse_now).transpose()?;
    let now = clock.map_or_else(system_now, |t| t.0);
    let window = resolve_window(args.start_time.as_deref(), args.end_time.as_deref(), now)?;
    let mut trails: Vec<String> = Vec::new();
    for text in &args.trails {
        let trail = check_trail(text)?;
        if !trails.contains(&trail) {
            trails.push(trail);
        }
    }
    let output = crate::cli::OutputArgs {
        outputs: args.outputs.clone(),
        list_all: args.list_all || ui.verbose,
        sarif_include_waived: false,
        sarif_category: None,
    };
    Ok(VerifyLogs {
        target: Target::resolve(&args.target, config.as_ref()),
        trails,
        window,
        clock,
        outputs: Outputs::resolve(&output, ui)?,
        fail_on_gaps: args.fail_on_gaps,
        list_valid: args.list_all || ui.verbose,
    })
}

/// The system clock to the second: a default window reads as a person would type it.
#[cfg(feature = "aws")]
fn system_now() -> time::OffsetDateTime {
    let now = time::OffsetDateTime::now_utc();
    now.replace_nanosecond(0).unwrap_or(now)
}

/// `--now` as a timestamp, or the usage error naming it.
fn parse_now(text: &str) -> Result<Timestamp, Usage> {
    Timestamp::parse(text).ok_or_else(|| Usage::Now(text.to_owned()))
}

fn check(args: &CheckArgs, ui: &Ui, config: Option<Config>) -> Result<Check, Error> {
    let now = args.now.as_deref().map(parse_now).transpose()?;
    Ok(Check {
        inventories: args.inventory.clone(),
        now,
        gate: Gate::resolve(&args.gate, config.as_ref()),
        outputs: Outputs::resolve(&args.output, ui)?,
        selection: Selection::resolve(&args.rules, config),
    })
}

fn diff(args: &DiffArgs, ui: &Ui) -> Result<Diff, Error> {
    let outputs: Vec<DriftOutput> = if args.output.is_empty() {
        vec![DriftOutput {
            format: DiffFormat::Text,
            path: None,
            color: ui.color.stdout,
        }]
    } else {
        args.output
            .iter()
            .map(|o| DriftOutput {
                format: o.format,
                path: o.path.clone(),
                color: o.path.is_none() && ui.color.stdout,
            })
            .collect()
    };
    if outputs.iter().filter(|o| o.path.is_none()).count() > 1 {
        return Err(Usage::DriftsOnStdout.into());
    }
    Ok(Diff {
        old: args.old.clone(),
        new: args.new.clone(),
        outputs,
    })
}

#[cfg(test)]
mod tests {
    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, ListFormat};
    use crate::rules::{Scope, Severity};

    const COLOR_UI: Ui = Ui {
        color: Colors {
            stdout: true,
            stderr: true,
            files: true,
        },
        quiet: false,
        verbose: false,
        progress: false,
        progress_lines: None,
    };

    fn resolve(args: &[&str]) -> Result<Settings, Error> {
        let cli = Cli::try_parse_from(std::iter::once("trailguard").chain(args.iter().copied()))
            .unwrap_or_else(|e| panic!("{e}"));
        Settings::resolve(COLOR_UI, &cli.command)
    }

    fn task(args: &[&str]) -> RulesTask {
        match resolve(args).map(|s| s.command) {
            Ok(Command::Rules(task)) => task,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rules_sub_commands_carry_domain_enums() {
        assert_eq!(
            task(&["rules", "list", "--severity", "high", "--no-builtin"]),
            RulesTask::List {
                folders: Folders {
                    builtin: false,
                    dirs: Vec::new()
                },
                framework: None,
                severity_min: None,
                severity: Some(Severity::High),
                format: ListFormat::Text,
            }
        );
        assert_eq!(
            task(&["rules", "fields", "key", "--output", "json"]),
            RulesTask::Fields {
                scope: Scope::Key,
                format: ListFormat::Json,
            }
        );
        assert_eq!(task(&["rules", "test"]), RulesTask::Test { dir: None });
    }

    #[test]
    fn a_bad_now_is_a_usage_error_naming_the_flag() {
        let e = resolve(&["check", "--inventory", "x.json", "--now", "soon"]).err();
        assert_eq!(
            e.map(|e| e.to_string()).as_deref(),
            Some("--now `soon` is not an RFC 3339 timestamp")
        );
    }

    #[cfg(feature = "aws")]
    #[test]
    fn verify_logs_resolves_its_window_trails_and_outputs_once() {
        let v = match resolve(&[
            "verify-logs",
            "--now",
            "2026-03-10T12:30:00Z",
            "--start-time",
            "7d",
            "--trail",
            "main",
            "--trail",
            "main",
            "--list-all",
            "--output",
            "json=v.json",
            "--fail-on-gaps",
        ])
        .map(|s| s.command)
        {
            Ok(Command::VerifyLogs(v)) => v,
            other => panic!("{other:?}"),
        };
        let at = |text| Timestamp::parse(text).map(|t| t.0);
        assert_eq!(Some(v.window.start), at("2026-03-03T12:30:00Z"));
        assert_eq!(Some(v.window.end), at("2026-03-10T12:30:00Z"));
        assert_eq!(v.clock, Timestamp::parse("2026-03-10T12:30:00Z"));
        assert_eq!(v.trails, ["main"], "each trail once");
        assert!(v.list_valid && v.fail_on_gaps);
        assert_eq!(v.outputs.reports.len(), 1);
        assert!(v.outputs.reports[0].options.verbose);
        // Defaults: the last 24 hours, problems only, text on stdout.
        let v = match resolve(&["verify-logs", "--now", "2026-03-10T12:30:00Z"]).map(|s| s.command)
        {
            Ok(Command::VerifyLogs(v)) => v,
            other => panic!("{other:?}"),
        };
        assert_eq!(Some(v.window.start), at("2026-03-09T12:30:00Z"));
        assert!(!v.list_valid && !v.fail_on_gaps && v.trails.is_empty());
        assert!(v.outputs.text_on_stdout());
    }

    #[test]
    fn drift_files_are_never_coloured_and_one_output_at_most_on_stdout() {
        let outputs = match resolve(&[
            "diff",
            "a",
            "b",
            "--output",
            "text=d.txt",
            "--output",
            "text",
        ])
        .map(|s| s.command)
        {
            Ok(Command::Diff(d)) => d.outputs,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            outputs.iter().map(|o| o.color).collect::<Vec<_>>(),
            [false, true]
        );
        let e = resolve(&["diff", "a", "b", "--output", "json", "--output", "text"]).err();
        assert!(
            matches!(e, Some(Error::Usage(Usage::DriftsOnStdout))),
            "{e:?}"
        );
    }
}
