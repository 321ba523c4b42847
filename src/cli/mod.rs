//! The command-line surface (clap). Parsing only: `app` turns these into a run.

mod check;
pub mod defaults;
pub mod diff;
pub mod env;
mod rules;
pub mod run;
mod scan;
mod target;
mod verify_logs;

use clap::builder::FalseyValueParser;
use clap::{Parser, Subcommand, ValueEnum};

pub use check::CheckArgs;
pub use rules::{ListFormat, RuleSource, RulesArgs, RulesCommand};
pub use run::{GateArgs, OutputArgs, OutputSpec, RuleArgs};
pub use scan::ScanArgs;
pub use target::{CollectArgs, TargetArgs, parse_duration};
pub use verify_logs::VerifyLogsArgs;

/// Audit AWS CloudTrail set-up against declarative YAML rules.
#[derive(Debug, Parser)]
#[command(
    name = "trailguard",
    version,
    about,
    long_about = None,
    propagate_version = true,
    after_help = "Environment: TRAILGUARD_* variables stand in for the common flags (each flag's help
names its variable, e.g. TRAILGUARD_FAIL_ON=high, TRAILGUARD_OUTPUT=sarif=trailguard.sarif).
Precedence: a flag, then its variable, then trailguard.yaml, then the default; an empty variable
is unset. `-v` prints which variables were used."
)]
pub struct Cli {
    /// When to colour output.
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto, env = "TRAILGUARD_COLOR")]
    pub color: ColorChoice,
    /// Print only findings and errors, no progress.
    #[arg(short, long, global = true, env = "TRAILGUARD_QUIET", value_parser = FalseyValueParser::new())]
    pub quiet: bool,
    /// Print on stderr how the run was set up: the config file, `TRAILGUARD_*` variables, the
    /// rules selected (reports are unchanged; PASS and N/A lines: `--list-all`; for
    /// `verify-logs`, also list every valid digest and log file, as its `--list-all`).
    #[arg(short, long, global = true)]
    pub verbose: bool,
    /// Size limit for every input file, replacing the defaults (rule and config files 1 MiB,
    /// waivers 4 MiB, inventories 1 GiB, reports 2 GiB); e.g. `64MiB`, `2GiB`.
    #[arg(long, global = true, value_name = "SIZE", value_parser = crate::files::read::parse_size)]
    pub max_input_size: Option<u64>,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Read CloudTrail set-up from live AWS and write the inventory (JSON evidence).
    Collect(CollectArgs),
    /// Collect from live AWS, evaluate the rules and report, in one run.
    Scan(ScanArgs),
    /// Evaluate the rules against saved inventories, offline.
    Check(CheckArgs),
    /// List, explain, validate and test rules.
    Rules(RulesArgs),
    /// Show the drift between two JSON reports: new failures, resolved, status changes.
    Diff(diff::DiffArgs),
    /// Prove that the delivered CloudTrail logs were not modified, deleted or forged.
    VerifyLogs(VerifyLogsArgs),
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    /// Colour when writing to a terminal and `NO_COLOR` is unset.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}
