//! `trailguard check` options.

use std::path::PathBuf;

use clap::Args;

use super::run::{GateArgs, OutputArgs, RuleArgs};

/// `trailguard check`: evaluate saved inventories offline.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:
  trailguard check --inventory inventory.json
  trailguard check --inventory a.json --inventory b.json --output json=report.json --output text
  trailguard check --inventory inventory.json --rules ./policies --skip CT-B08
  trailguard check --inventory inventory.json --framework cis-aws-foundations-v5.0.0 --output markdown
  trailguard check --inventory inventory.json --fail-on high --waivers waivers.yaml

Exit status: 0 the gate passed, 1 the gate failed (a FAIL at or above --fail-on, or an
ERROR without --allow-errors), 2 could not run (bad flags, invalid rules, config, waivers or
inventory).")]
pub struct CheckArgs {
    /// Inventory file written by `trailguard collect` (repeatable; several files may follow
    /// one flag).
    #[arg(long, required = true, value_name = "FILE", num_args = 1..)]
    pub inventory: Vec<PathBuf>,
    /// Which rules.
    #[command(flatten)]
    pub rules: RuleArgs,
    /// The gate.
    #[command(flatten)]
    pub gate: GateArgs,
    /// The outputs.
    #[command(flatten)]
    pub output: OutputArgs,
    /// The evaluation clock for freshness checks, RFC 3339 (default: when each inventory was
    /// collected, so re-checking an archived inventory gives the same verdicts).
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
}
