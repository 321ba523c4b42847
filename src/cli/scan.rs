//! `trailguard scan` options.

use std::path::PathBuf;

use clap::Args;

use super::TargetArgs;
use super::run::{GateArgs, OutputArgs, RuleArgs};

/// `trailguard scan`: collect, evaluate and report in one run.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:
  trailguard scan
  trailguard scan --fail-on high --output sarif=trailguard.sarif --output text
  trailguard scan --org --output json=org.json --output sarif=org.sarif
  trailguard scan --region eu-west-1 --save-inventory evidence.json --output markdown=summary.md

Exit status: 0 the gate passed, 1 the gate failed, 2 could not run (bad flags, invalid rules,
config or waivers, no credentials, nothing could be collected). A partial collection failure
is not exit 2: it shows up as ERROR findings in a complete report.")]
pub struct ScanArgs {
    /// Which account(s) and regions.
    #[command(flatten)]
    pub target: TargetArgs,
    /// Which rules.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// The gate.
    #[command(flatten)]
    pub gate: GateArgs,
    /// The outputs.
    #[command(flatten)]
    pub output: OutputArgs,
    /// Also write the collected inventory (evidence to re-check offline with `check`).
    #[arg(long, value_name = "FILE")]
    pub save_inventory: Option<PathBuf>,
}
