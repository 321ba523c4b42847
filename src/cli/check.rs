//! `trailguard check` options (owned by the rules work).

use std::path::PathBuf;

use clap::{Args, ValueEnum};

/// `trailguard check`: evaluate saved inventories offline.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:
  trailguard check --inventory inventory.json
  trailguard check --inventory a.json --inventory b.json --output json > findings.json
  trailguard check --inventory inventory.json --rules ./policies --skip CT-B08
  trailguard check --inventory inventory.json --only CT-A01,CT-A02 --severity-min high
  trailguard check --inventory inventory.json --config trailguard.yaml

Exit status: 0 no FAIL or ERROR, 1 at least one FAIL or ERROR, 2 could not run
(bad flags, invalid rules, config or inventory).")]
pub struct CheckArgs {
    /// Inventory file written by `trailguard collect` (repeatable; several files may follow
    /// one flag).
    #[arg(long, required = true, value_name = "FILE", num_args = 1..)]
    pub inventory: Vec<PathBuf>,
    /// Rules folder to add to the built-in pack; a rule with a built-in id replaces it
    /// (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in rule pack.
    #[arg(long)]
    pub no_builtin: bool,
    /// Evaluate only these rule ids (comma-separated; an unknown id is an error).
    #[arg(long, value_name = "ID,...", value_delimiter = ',')]
    pub only: Vec<String>,
    /// Do not evaluate these rule ids (comma-separated; an unknown id is an error).
    #[arg(long, value_name = "ID,...", value_delimiter = ',')]
    pub skip: Vec<String>,
    /// Evaluate only rules of at least this severity.
    #[arg(long, value_enum, value_name = "SEVERITY")]
    pub severity_min: Option<SeverityArg>,
    /// Config file with parameter overrides (default: ./trailguard.yaml when present).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Output format on stdout.
    #[arg(long, value_enum, default_value_t = FindingsFormat::Text)]
    pub output: FindingsFormat,
    /// The evaluation clock for freshness checks, RFC 3339 (default: when each inventory was
    /// collected, so re-checking an archived inventory gives the same verdicts).
    #[arg(long, value_name = "RFC3339")]
    pub now: Option<String>,
}

/// A rule severity on the command line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SeverityArg {
    /// Informational.
    Info,
    /// Low.
    Low,
    /// Medium.
    Medium,
    /// High.
    High,
    /// Critical.
    Critical,
}

impl SeverityArg {
    /// The severity name.
    pub fn as_str(self) -> &'static str {
        match self {
            SeverityArg::Info => "info",
            SeverityArg::Low => "low",
            SeverityArg::Medium => "medium",
            SeverityArg::High => "high",
            SeverityArg::Critical => "critical",
        }
    }
}

/// How findings are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FindingsFormat {
    /// A listing for people: FAIL and ERROR first with evidence, then a summary.
    Text,
    /// Every finding (PASS included) as a JSON envelope.
    Json,
}

impl CheckArgs {
    /// `--severity-min` as a severity name.
    pub fn severity_min_name(&self) -> Option<&'static str> {
        self.severity_min.map(SeverityArg::as_str)
    }

    /// Whether `--output json` was asked for.
    pub fn json(&self) -> bool {
        self.output == FindingsFormat::Json
    }
}
