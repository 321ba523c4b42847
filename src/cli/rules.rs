//! `trailguard rules` options (owned by the rules work).

use std::path::PathBuf;

use clap::{Args, Subcommand, ValueEnum};

use crate::vocabulary::{Scope, Severity};

/// `trailguard rules`: list, explain, validate and test rules.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:
  trailguard rules list
  trailguard rules list --framework cis-aws-foundations-v5.0.0 --severity-min high
  trailguard rules explain CT-A02
  trailguard rules validate ./policies
  trailguard rules test              # the built-in pack's embedded test cases
  trailguard rules test ./policies
  trailguard rules fields trail")]
pub struct RulesArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: RulesCommand,
}

/// Which rules to load for `list` and `explain`.
#[derive(Debug, Clone, Args)]
pub struct RuleSource {
    /// Rules folder to add to the built-in pack (repeatable).
    #[arg(long = "rules", value_name = "DIR")]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in rule pack.
    #[arg(long)]
    pub no_builtin: bool,
}

/// The `rules` subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum RulesCommand {
    /// A table of the rules: id, severity, scope, title (with --framework, its controls).
    ///
    /// Every framework mapping of every rule: `--output json`, or `rules explain ID`.
    List {
        /// Which rules.
        #[command(flatten)]
        source: RuleSource,
        /// Only rules mapped to this framework id (e.g. `cis-aws-foundations-v5.0.0`); the
        /// table then shows each rule's controls in it.
        #[arg(long, value_name = "ID")]
        framework: Option<String>,
        /// Only rules of at least this severity, as `check` and `scan` select them.
        #[arg(long, value_enum, value_name = "SEVERITY", conflicts_with = "severity")]
        severity_min: Option<Severity>,
        /// Only rules of exactly this severity.
        #[arg(long, value_enum, value_name = "SEVERITY")]
        severity: Option<Severity>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        output: ListFormat,
    },
    /// Everything about one rule: rationale, remediation, frameworks, parameters, and its
    /// condition in words.
    Explain {
        /// The rule id, e.g. `CT-A02` (any case).
        #[arg(value_parser = super::run::rule_id)]
        id: String,
        /// Which rules.
        #[command(flatten)]
        source: RuleSource,
    },
    /// Load rule folders and report every problem (exit 2 on any).
    Validate {
        /// Rule folders.
        #[arg(required = true, value_name = "DIR")]
        dirs: Vec<PathBuf>,
    },
    /// Run the test cases embedded in rules (exit 1 when a case fails, 2 on invalid rules).
    Test {
        /// A rule folder (default: the built-in pack).
        #[arg(value_name = "DIR")]
        dir: Option<PathBuf>,
    },
    /// The paths a rule of a scope may use, with their types.
    Fields {
        /// The scope.
        #[arg(value_enum)]
        scope: Scope,
        /// Output format.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        output: ListFormat,
    },
}

/// Output of `rules list` / `rules fields`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table.
    Text,
    /// JSON.
    Json,
}
