//! `trailguard diff` options.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

use clap::Args;

/// `trailguard diff`: what changed between two audits.
#[derive(Debug, Clone, Args)]
#[command(after_help = "Examples:
  trailguard diff last-month.json today.json
  trailguard diff old.json new.json --output json > drift.json
  trailguard diff old.json new.json --output text --output json=drift.json

Both files are reports written by `--output json=FILE` (schema trailguard.report/v1).
Exit status: 0 the drift was printed (diff reports, it does not gate), 2 a report could not be
read.")]
pub struct DiffArgs {
    /// The earlier report.
    #[arg(value_name = "OLD.json")]
    pub old: PathBuf,
    /// The later report.
    #[arg(value_name = "NEW.json")]
    pub new: PathBuf,
    /// Output format, optionally to a file: `text`, `json`, `json=drift.json` (repeatable; at
    /// most one without a path; default: text on stdout).
    #[arg(long, value_name = "FORMAT[=PATH]")]
    pub output: Vec<DiffOutput>,
}

/// A `diff` output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DiffFormat {
    /// For people: sections, one line per change, coloured per `--color`.
    Text,
    /// The drift as JSON (`trailguard.diff/v1`).
    Json,
}

/// One `--output FORMAT[=PATH]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiffOutput {
    /// The format.
    pub format: DiffFormat,
    /// The file, or `None` for stdout.
    pub path: Option<PathBuf>,
}

impl FromStr for DiffOutput {
    type Err = String;

    fn from_str(s: &str) -> Result<DiffOutput, String> {
        let (name, path) = match s.split_once('=') {
            Some((name, path)) if !path.is_empty() => (name, Some(PathBuf::from(path))),
            Some(_) => return Err(format!("`{s}`: the path after `=` is empty")),
            None => (s, None),
        };
        let format = match name {
            "text" => DiffFormat::Text,
            "json" => DiffFormat::Json,
            other => {
                return Err(format!(
                    "unknown diff format `{other}` (expected text or json)"
                ));
            }
        };
        Ok(DiffOutput { format, path })
    }
}

impl fmt::Display for DiffFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            DiffFormat::Text => "text",
            DiffFormat::Json => "json",
        })
    }
}
