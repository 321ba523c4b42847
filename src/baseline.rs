//! Baselines: the previous run's JSON report is the baseline. `--baseline prev.json` marks each
//! FAIL / ERROR finding new or unchanged and lists the ones that were resolved since;
//! `--fail-on-new-only` then gates only on regressions. `trailguard diff` reads reports through
//! the same [`ReportFile`].
//!
//! Only what comparisons need is read (schema, findings with rule, severity, status, resource,
//! message, fingerprint, and the rule ids); every other field is ignored, so reports may grow
//! within `v1`. Findings are matched by fingerprint alone.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::files::read::{InputKind, ReadError, read_text};
use crate::finding::{Finding, Resource};
use crate::json_error::{self, TextPos};
use crate::vocabulary::{Severity, Status};

/// The report schema family this trailguard reads.
pub const REPORT_SCHEMA: &str = "trailguard.report";
/// The major version it reads.
pub const REPORT_MAJOR: u32 = 1;

/// Why a report file could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ReportFileError {
    /// The file could not be read: missing, too large, or not UTF-8.
    #[error(transparent)]
    Read(#[from] ReadError),
    /// Not JSON, or not the shape of a report.
    #[error("{path}:{line}:{column}: not a readable trailguard report: {message}")]
    Invalid {
        /// The file.
        path: String,
        /// Line of the problem (1-based).
        line: usize,
        /// Column of the problem (1-based, in characters).
        column: usize,
        /// What is wrong.
        message: String,
    },
    /// A report of another schema or major version.
    #[error(
        "{path}:{line}:{column}: schema `{found}`: this trailguard reads `{REPORT_SCHEMA}/v{REPORT_MAJOR}` reports{hint}"
    )]
    Schema {
        /// The file.
        path: String,
        /// Line of the `schema` value (1-based).
        line: usize,
        /// Column of the `schema` value (1-based, in characters).
        column: usize,
        /// The `schema` it declares.
        found: String,
        /// What to do about it.
        hint: String,
    },
}

/// One finding as a report recorded it: the report's own types, read leniently (a missing
/// `title` or `message` is empty, a missing `partition` is `aws`), with the waiver reduced to
/// whether there was one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecordedFinding {
    /// The rule id.
    pub rule_id: String,
    /// The rule title.
    #[serde(default)]
    pub title: String,
    /// The severity.
    pub severity: Severity,
    /// The verdict.
    pub status: Status,
    /// The resource.
    pub resource: Resource,
    /// The one-line message.
    #[serde(default)]
    pub message: String,
    /// The identity findings are matched by.
    pub fingerprint: String,
    /// Whether a waiver covered it (a `waiver` that is present and not `null`).
    #[serde(rename(deserialize = "waiver"), default, deserialize_with = "present")]
    pub waived: bool,
}

/// Whether an optional value is there and not `null`, whatever its shape.
fn present<'de, D: serde::Deserializer<'de>>(d: D) -> Result<bool, D::Error> {
    Option::<serde::de::IgnoredAny>::deserialize(d).map(|v| v.is_some())
}

impl RecordedFinding {
    /// Whether the status is FAIL or ERROR.
    pub fn is_problem(&self) -> bool {
        self.status.is_problem()
    }
}

/// A report read back: the parts comparisons need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportFile {
    /// The path as given.
    pub path: String,
    /// The declared schema.
    pub schema: String,
    /// The evaluated rule ids, sorted (from `rules`, or from the findings when absent).
    pub rules: Vec<String>,
    /// The findings, in file order.
    pub findings: Vec<RecordedFinding>,
}

#[derive(Deserialize)]
struct RawHead {
    schema: Option<serde_json::Value>,
}

#[derive(Deserialize)]
struct RawReport {
    #[serde(default)]
    rules: Option<Vec<RawRule>>,
    findings: Vec<RecordedFinding>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawRule {
    Id(String),
    Info { id: String },
}

impl ReportFile {
    /// Reads a report written by `--output json=FILE`.
    pub fn load(path: &Path) -> Result<ReportFile, ReportFileError> {
        let text = read_text(path, InputKind::Report)?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses report text; `name` is shown in errors, with the line and column of the problem.
    pub fn parse(name: &str, text: &str) -> Result<ReportFile, ReportFileError> {
        let invalid = |pos: TextPos, message: String| ReportFileError::Invalid {
            path: name.to_owned(),
            line: pos.line,
            column: pos.column,
            message,
        };
        let from_serde = |e: serde_json::Error| {
            let (pos, message) = json_error::describe(text, &e);
            invalid(pos, message)
        };
        let start = match json_error::top_level(text) {
            None => return Err(invalid(TextPos::START, "the file is empty".into())),
            Some((pos, "an object" | "not JSON")) => pos,
            Some((pos, kind)) => {
                return Err(invalid(
                    pos,
                    format!("a report is a JSON object, not {kind}"),
                ));
            }
        };
        let head: RawHead = serde_json::from_str(text).map_err(from_serde)?;
        let schema_at = || json_error::top_level_value_position(text, "schema");
        let schema = match head.schema {
            Some(serde_json::Value::String(s)) => s,
            Some(other) => {
                return Err(invalid(
                    schema_at(),
                    format!("`schema` is {other}, not a string"),
                ));
            }
            None => return Err(invalid(start, "it has no `schema` field".into())),
        };
        check_schema(name, &schema, schema_at)?;
        let raw: RawReport = serde_json::from_str(text).map_err(from_serde)?;
        let findings = raw.findings;
        let rules: BTreeSet<String> = match raw.rules {
            Some(rules) => rules
                .into_iter()
                .map(|r| match r {
                    RawRule::Id(id) | RawRule::Info { id } => id,
                })
                .collect(),
            None => findings.iter().map(|f| f.rule_id.clone()).collect(),
        };
        Ok(ReportFile {
            path: name.to_owned(),
            schema,
            rules: rules.into_iter().collect(),
            findings,
        })
    }

    /// The findings by fingerprint; when one appears twice, a FAIL / ERROR record wins.
    pub fn by_fingerprint(&self) -> BTreeMap<&str, &RecordedFinding> {
        let mut map: BTreeMap<&str, &RecordedFinding> = BTreeMap::new();
        for f in &self.findings {
            let slot = map.entry(f.fingerprint.as_str()).or_insert(f);
            if !slot.is_problem() && f.is_problem() {
                *slot = f;
            }
        }
        map
    }
}

/// Accepts `trailguard.report/v1` (and `v1.N`); refuses other majors and other documents.
fn check_schema(path: &str, schema: &str, at: impl Fn() -> TextPos) -> Result<(), ReportFileError> {
    let refuse = |hint: &str| {
        let pos = at();
        ReportFileError::Schema {
            path: path.to_owned(),
            line: pos.line,
            column: pos.column,
            found: schema.to_owned(),
            hint: hint.to_owned(),
        }
    };
    let Some(version) = schema
        .strip_prefix(REPORT_SCHEMA)
        .and_then(|rest| rest.strip_prefix("/v"))
    else {
        return Err(refuse(
            " (is it an inventory or another tool's file? write a report with `--output json=FILE`)",
        ));
    };
    let major = version
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok());
    match major {
        Some(REPORT_MAJOR) => Ok(()),
        Some(m) if m > REPORT_MAJOR => Err(refuse(
            "; it was written by a newer trailguard: upgrade to read it",
        )),
        _ => Err(refuse("")),
    }
}

/// A FAIL / ERROR finding's state against the baseline. The `schemars` descriptions are the
/// published text of `report-v1.schema.json`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "A finding's state against the baseline report.")]
pub enum BaselineState {
    /// FAIL or ERROR now, but not in the baseline (absent, PASS or NOT_APPLICABLE there): a
    /// regression.
    #[schemars(description = "Not in the baseline (or not failing there): a regression.")]
    New,
    /// FAIL or ERROR in the baseline and still (a FAIL that became an ERROR stays unchanged).
    #[schemars(description = "In the baseline with the same status.")]
    Unchanged,
}

/// A FAIL or ERROR finding of the baseline report that this run no longer has (fixed, or its
/// resource or rule is gone).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ResolvedFinding {
    /// The rule id.
    pub rule_id: String,
    /// The rule title, as the baseline recorded it.
    pub title: String,
    /// The severity, as the baseline recorded it.
    pub severity: Severity,
    /// The resource, as the baseline recorded it.
    pub resource: Resource,
    /// The fingerprint.
    pub fingerprint: String,
    /// The status in the baseline (FAIL or ERROR).
    #[schemars(description = "The status in the baseline.")]
    pub previous_status: Status,
    /// The status now (PASS or NOT_APPLICABLE), or `None` when the finding is gone (resource
    /// deleted, rule no longer run).
    #[serde(default)]
    #[schemars(
        description = "The status now (PASS or NOT_APPLICABLE); `null` when the finding is gone."
    )]
    pub current_status: Option<Status>,
}

impl ResolvedFinding {
    /// The order reports list resolved findings in: (rule id, account, region, resource id),
    /// as findings.
    pub fn sort_key(&self) -> (&str, &str, &str, &str) {
        (
            &self.rule_id,
            &self.resource.account_id,
            self.resource.region.as_deref().unwrap_or(""),
            &self.resource.id,
        )
    }
}

/// What comparing a run with its baseline found.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct BaselineOutcome {
    /// Fingerprint → state, for every FAIL / ERROR finding of this run (PASS and
    /// NOT_APPLICABLE findings get none).
    pub state: BTreeMap<String, BaselineState>,
    /// Baseline FAIL / ERROR findings that are now PASS, NOT_APPLICABLE or absent, sorted by
    /// rule, account, region and resource.
    pub resolved: Vec<ResolvedFinding>,
}

impl BaselineOutcome {
    /// The fingerprints marked new (what `--fail-on-new-only` gates on).
    pub fn new_fingerprints(&self) -> BTreeSet<String> {
        self.state
            .iter()
            .filter(|(_, s)| **s == BaselineState::New)
            .map(|(fp, _)| fp.clone())
            .collect()
    }
}

/// A previous report, as a baseline.
#[derive(Debug, Clone)]
pub struct Baseline {
    /// The report.
    pub report: ReportFile,
}

impl Baseline {
    /// Reads the report given to `--baseline`.
    pub fn load(path: &Path) -> Result<Baseline, ReportFileError> {
        ReportFile::load(path).map(|report| Baseline { report })
    }

    /// Compares this run's findings with the baseline.
    pub fn compare(&self, findings: &[Finding]) -> BaselineOutcome {
        let before = self.report.by_fingerprint();
        let mut now: BTreeMap<&str, Status> = BTreeMap::new();
        for f in findings {
            let slot = now.entry(f.fingerprint.as_str()).or_insert(f.status);
            if f.status.is_problem() {
                *slot = f.status;
            }
        }
        let mut outcome = BaselineOutcome::default();
        for (fp, status) in &now {
            if !status.is_problem() {
                continue;
            }
            let was = before.get(fp).is_some_and(|b| b.is_problem());
            let state = if was {
                BaselineState::Unchanged
            } else {
                BaselineState::New
            };
            outcome.state.insert((*fp).to_owned(), state);
        }
        for (fp, b) in before {
            let current = now.get(fp).copied();
            if b.is_problem() && !current.is_some_and(Status::is_problem) {
                outcome.resolved.push(ResolvedFinding {
                    rule_id: b.rule_id.clone(),
                    title: b.title.clone(),
                    severity: b.severity,
                    resource: b.resource.clone(),
                    fingerprint: b.fingerprint.clone(),
                    previous_status: b.status,
                    current_status: current,
                });
            }
        }
        outcome
            .resolved
            .sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        outcome
    }
}
