//! How a run ends: an [`ExitStatus`] (converted to the process exit code here and nowhere
//! else), or an [`Error`] that ends it with status 2 and says why on stderr.

use std::io;
use std::process::ExitCode;

use crate::baseline::ReportFileError;
use crate::files::write::WriteError;
use crate::frameworks::UnknownFramework;
use crate::gate::GateDecision;
use crate::inventory::LoadError;
use crate::report::Format;
use crate::rules::Problems;

/// What a run decided (ruff's `ExitStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// 0: the gate passed, or the command did what it was asked.
    Success,
    /// 1: the gate failed (non-compliant), or a rule test case failed.
    Failure,
    /// 2: trailguard could not run (bad input, no credentials, nothing to judge).
    Error,
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> ExitCode {
        ExitCode::from(match status {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Error => 2,
        })
    }
}

impl From<&GateDecision> for ExitStatus {
    /// The gate's verdict, after `--exit-zero`.
    fn from(decision: &GateDecision) -> ExitStatus {
        if decision.exit_code == 0 {
            ExitStatus::Success
        } else {
            ExitStatus::Failure
        }
    }
}

/// Why a run could not complete (exit status 2).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Problems in rule, config or waiver files, each at `file:line:col`; printed as
    /// diagnostics, not as one line.
    #[error(transparent)]
    Diagnostics(#[from] Problems),
    /// Flags (or flags and the config file) that cannot be honoured.
    #[error(transparent)]
    Usage(#[from] Usage),
    /// An inventory file could not be read.
    #[error(transparent)]
    Inventory(#[from] LoadError),
    /// A report given to `diff` could not be read.
    #[error(transparent)]
    Report(#[from] ReportFileError),
    /// The `--baseline` report could not be read.
    #[error("--baseline: {0}")]
    Baseline(ReportFileError),
    /// Nothing to judge: judging nothing would pass the gate.
    #[error(transparent)]
    NothingToJudge(#[from] NothingToJudge),
    /// AWS set-up or collection failed as a whole (no credentials, no organization, …).
    #[cfg(feature = "aws")]
    #[error(transparent)]
    Collect(#[from] crate::collect::CollectFailure),
    /// An output could not be written.
    #[error(transparent)]
    Output(#[from] OutputError),
    /// JSON output could not be serialized.
    #[error(transparent)]
    Json(#[from] serde_json::Error),
}

impl Error {
    /// Says why on stderr: diagnostics as they are (coloured per `color`), anything else as
    /// one `error:` line.
    pub fn print(&self, color: bool) {
        match self {
            Error::Diagnostics(problems) => eprint!("{}", problems.render(color)),
            other => eprintln!("error: {other}"),
        }
    }
}

/// A flag, or a combination of flags, that cannot be honoured; the message names the flag.
#[derive(Debug, thiserror::Error)]
pub enum Usage {
    /// Several report formats without a file.
    #[error(
        "--output: {} formats on stdout ({}); give all but one a file with FORMAT=PATH",
        .0.len(),
        .0.iter().map(|f| f.as_str()).collect::<Vec<_>>().join(", ")
    )]
    ReportsOnStdout(Vec<Format>),
    /// Several `diff` formats without a file.
    #[error("at most one --output may go to stdout; give the others a path (json=drift.json)")]
    DriftsOnStdout,
    /// `--now` is not a timestamp.
    #[error("--now `{0}` is not an RFC 3339 timestamp")]
    Now(String),
    /// `--start-time` or `--end-time` is not a time.
    #[error("{flag} `{value}` is not a time: {why}")]
    Time {
        /// The flag.
        flag: &'static str,
        /// The value given.
        value: String,
        /// The forms accepted, or why the value is out of range.
        why: String,
    },
    /// `--start-time` or `--end-time` is after the clock.
    #[error("{flag} `{value}` is in the future (now is {now})")]
    FutureTime {
        /// The flag.
        flag: &'static str,
        /// The value given.
        value: String,
        /// The clock, RFC 3339.
        now: String,
    },
    /// The period is empty or reversed.
    #[error("--start-time {start} is not before --end-time {end}")]
    TimeRange {
        /// The start, RFC 3339.
        start: String,
        /// The end, RFC 3339.
        end: String,
    },
    /// `--trail` is neither a trail ARN nor a trail name.
    #[error(
        "--trail `{0}` is neither a trail ARN (arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME) nor a trail name"
    )]
    Trail(String),
    /// `--only` or `--skip` names no loaded rule.
    #[error("unknown rule id `{id}` in {flag}{}", help(.suggestion))]
    UnknownRuleInFlag {
        /// `--only` or `--skip`.
        flag: &'static str,
        /// The id given.
        id: String,
        /// "did you mean …?", when one is close.
        suggestion: Option<String>,
    },
    /// `rules explain` names no loaded rule.
    #[error("unknown rule id `{id}`{}", help(.suggestion))]
    UnknownRule {
        /// The id given.
        id: String,
        /// "did you mean …?", when one is close.
        suggestion: Option<String>,
    },
    /// `--framework` (of `check`, `scan` or `rules list`) is not in the registry.
    #[error("--framework {id}: {error}", id = .0.id, error = .0)]
    Framework(UnknownFramework),
    /// `collect`, `scan` or `verify-logs` in a build without the AWS SDK.
    #[error(
        "this trailguard was built without the `aws` feature; rebuild with default features to {0}"
    )]
    NoAws(&'static str),
}

/// "; did you mean …?" after a message, or nothing.
fn help(suggestion: &Option<String>) -> String {
    suggestion
        .as_ref()
        .map(|h| format!("; {h}"))
        .unwrap_or_default()
}

/// Nothing to judge is "could not run", never a passing gate.
#[derive(Debug, thiserror::Error)]
pub enum NothingToJudge {
    /// The selection flags and the config's `rules:` left no rule.
    #[error(
        "0 rules selected: --no-builtin, --only, --skip, --severity-min, --framework and the config's `rules:` left no rule to evaluate"
    )]
    NoRules,
    /// An inventory without accounts, or an organization scan that collected none.
    #[error("{origin} has 0 accounts to judge{}", why.as_ref().map(|w| format!(": no account could be collected{w}")).unwrap_or_default())]
    NoAccounts {
        /// `the scan` or `inventory FILE`.
        origin: String,
        /// ` (account ID: why)`: the first member account's error, when there is one.
        why: Option<String>,
    },
    /// No account has a region in scope.
    #[error("0 regions in scope: no account has an enabled region in the scan's scope")]
    NoRegions,
    /// `verify-logs` found no digest chain and no error: nothing was verified.
    #[error(
        "0 digest chains to verify: no trail in scope has log file validation enabled (check --trail, --region and the trails' settings)"
    )]
    NoChains,
    /// `verify-logs` found chains but no digest file in the period: nothing was proven.
    #[error(
        "0 digest files in the period: the trails' digest folders hold none between the start and end times (was log file validation on then? check --start-time and --end-time)"
    )]
    NoDigests,
}

/// An output that could not be written. A reader that closed its pipe is not one: that output
/// ends quietly.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    /// Writing `what` (e.g. "the json report") to stdout failed.
    #[error("cannot write {what} to stdout: {source}")]
    Stdout {
        /// What was being written.
        what: String,
        /// Why.
        source: io::Error,
    },
    /// Writing `what` to its file failed (the error names the file).
    #[error("cannot write {what} to {source}")]
    File {
        /// What was being written.
        what: String,
        /// Why, with the file.
        source: WriteError,
    },
    /// Replacing the files of an output set failed (the error names the file).
    #[error("cannot write {0}")]
    Replace(WriteError),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exit_codes() {
        // ExitCode has no accessor; its Debug shows the code.
        for (status, code) in [
            (ExitStatus::Success, 0u8),
            (ExitStatus::Failure, 1),
            (ExitStatus::Error, 2),
        ] {
            assert_eq!(
                format!("{:?}", ExitCode::from(status)),
                format!("{:?}", ExitCode::from(code))
            );
        }
    }

    #[test]
    fn messages_name_the_flag() {
        let e = Usage::UnknownRuleInFlag {
            flag: "--only",
            id: "CT-A99".into(),
            suggestion: Some("did you mean `CT-A09`?".into()),
        };
        assert_eq!(
            e.to_string(),
            "unknown rule id `CT-A99` in --only; did you mean `CT-A09`?"
        );
        let e = Usage::ReportsOnStdout(vec![Format::Text, Format::Json]);
        assert_eq!(
            e.to_string(),
            "--output: 2 formats on stdout (text, json); give all but one a file with FORMAT=PATH"
        );
        let e = NothingToJudge::NoAccounts {
            origin: "the scan".into(),
            why: Some(" (account 111111111111: denied)".into()),
        };
        assert_eq!(
            e.to_string(),
            "the scan has 0 accounts to judge: no account could be collected (account 111111111111: denied)"
        );
    }
}
