//! Options shared by the commands that evaluate rules and report: `check` and `scan`.

use std::path::PathBuf;

use clap::Args;

use crate::report::Format;
use crate::vocabulary::Severity;

/// Which rules to evaluate.
#[derive(Debug, Clone, Args)]
pub struct RuleArgs {
    /// Rules folder to add to the built-in pack; a rule with a built-in id replaces it
    /// (repeatable).
    #[arg(long = "rules", value_name = "DIR", env = "TRAILGUARD_RULES")]
    pub rules: Vec<PathBuf>,
    /// Do not load the built-in rule pack.
    #[arg(long)]
    pub no_builtin: bool,
    /// Evaluate only these rule ids (comma-separated, any case; an unknown id is an error).
    #[arg(long, value_name = "ID,...", value_delimiter = ',', value_parser = rule_id)]
    pub only: Vec<String>,
    /// Do not evaluate these rule ids (comma-separated, any case; an unknown id is an error).
    #[arg(long, value_name = "ID,...", value_delimiter = ',', value_parser = rule_id)]
    pub skip: Vec<String>,
    /// Evaluate only rules of at least this severity.
    #[arg(
        long,
        value_enum,
        value_name = "SEVERITY",
        env = "TRAILGUARD_SEVERITY_MIN"
    )]
    pub severity_min: Option<Severity>,
    /// Evaluate only the rules mapped to this framework and report per-control status, e.g.
    /// `cis-aws-foundations-v5.0.0`, `aws-foundational-security-best-practices`.
    #[arg(long, value_name = "ID", env = "TRAILGUARD_FRAMEWORK")]
    pub framework: Option<String>,
    /// Config file with parameter overrides (default: the nearest trailguard.yaml from the
    /// working directory up to the git repository root; outside a repository, ./trailguard.yaml).
    #[arg(long, value_name = "FILE", env = "TRAILGUARD_CONFIG")]
    pub config: Option<PathBuf>,
}

/// When the run fails, and what is excused.
#[derive(Debug, Clone, Args)]
pub struct GateArgs {
    /// Fail only on FAIL findings at or above this severity (default: any FAIL).
    #[arg(long, value_enum, value_name = "SEVERITY", env = "TRAILGUARD_FAIL_ON")]
    pub fail_on: Option<Severity>,
    /// Do not fail on ERROR findings (data that could not be read).
    #[arg(long)]
    pub allow_errors: bool,
    /// Exit 0 even when the gate fails (audits); never hides exit 2.
    #[arg(long)]
    pub exit_zero: bool,
    /// Waivers file: accepted exceptions with reason, owner and expiry.
    #[arg(long, value_name = "FILE", env = "TRAILGUARD_WAIVERS")]
    pub waivers: Option<PathBuf>,
    /// A previous JSON report: mark findings new or unchanged and list resolved ones.
    #[arg(long, value_name = "REPORT.json")]
    pub baseline: Option<PathBuf>,
    /// Gate only on findings that are new since --baseline.
    #[arg(long, requires = "baseline")]
    pub fail_on_new_only: bool,
}

/// Where the report goes.
#[derive(Debug, Clone, Args)]
pub struct OutputArgs {
    /// Output format, and a file to write it to (repeatable): text, json, sarif, junit,
    /// markdown; without `=PATH` it goes to stdout (one format at most). The variable holds
    /// one FORMAT[=PATH].
    #[arg(long = "output", value_name = "FORMAT[=PATH]", value_parser = parse_output, env = "TRAILGUARD_OUTPUT")]
    pub outputs: Vec<OutputSpec>,
    /// The text report also lists PASS and NOT_APPLICABLE findings.
    #[arg(long)]
    pub list_all: bool,
    /// SARIF also carries waived results (as suppressed).
    #[arg(long)]
    pub sarif_include_waived: bool,
    /// Prefix of the SARIF runs' code scanning categories (default `trailguard/aws`); each
    /// run is `NAME/accounts-ending-<digit>`. Use it instead of upload-sarif's `category:`
    /// input, which trailguard's SARIF overrides.
    #[arg(long, value_name = "NAME", value_parser = parse_sarif_category)]
    pub sarif_category: Option<String>,
}

/// One `--output FORMAT[=PATH]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputSpec {
    /// The format.
    pub format: Format,
    /// The file; `None` is stdout.
    pub path: Option<PathBuf>,
}

/// A rule id as typed, in its canonical form: rule files may only use upper-case ids
/// (`CT-A01`), so `ct-a01` names the same rule and is printed as `CT-A01`.
pub fn rule_id(text: &str) -> Result<String, String> {
    Ok(text.trim().to_ascii_uppercase())
}

/// Parses `FORMAT[=PATH]`.
pub fn parse_output(text: &str) -> Result<OutputSpec, String> {
    let (name, path) = match text.split_once('=') {
        Some((name, "")) => return Err(format!("`{text}`: no file after `{name}=`")),
        Some((name, path)) => (name, Some(PathBuf::from(path))),
        None => (text, None),
    };
    let format: Format = name
        .parse()
        .map_err(|e: crate::report::UnknownFormat| e.to_string())?;
    Ok(OutputSpec { format, path })
}

/// Checks a `--sarif-category`: not empty, no whitespace or control characters; trailing `/`
/// dropped (trailguard adds the account group after one).
pub fn parse_sarif_category(text: &str) -> Result<String, String> {
    let name = text.trim_end_matches('/');
    if name.is_empty() {
        return Err("empty category".to_owned());
    }
    if name.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "`{text}` contains whitespace or control characters"
        ));
    }
    Ok(name.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn output_specs() {
        assert_eq!(
            parse_output("json"),
            Ok(OutputSpec {
                format: Format::Json,
                path: None
            })
        );
        assert_eq!(
            parse_output("sarif=out/x.sarif"),
            Ok(OutputSpec {
                format: Format::Sarif,
                path: Some(PathBuf::from("out/x.sarif"))
            })
        );
        assert!(parse_output("xml").is_err());
        assert!(parse_output("json=").is_err());
    }

    #[test]
    fn sarif_categories() {
        assert_eq!(
            parse_sarif_category("cloud/prod/"),
            Ok("cloud/prod".to_owned())
        );
        assert_eq!(parse_sarif_category("/"), Err("empty category".to_owned()));
        assert!(parse_sarif_category("a b").is_err());
        assert!(parse_sarif_category("a\tb").is_err());
    }

    #[test]
    fn rule_ids_are_canonical_whatever_the_case() {
        assert_eq!(rule_id("ct-a01"), Ok("CT-A01".to_owned()));
        assert_eq!(rule_id("Ct-F12 "), Ok("CT-F12".to_owned()));
    }
}
