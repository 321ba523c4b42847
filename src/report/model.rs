//! The report: everything one run found, in one value that every format renders.
//!
//! `Report` is a product like the inventory: `--output json` writes it as it is (schema
//! `trailguard.report/v1`, described by `src/report/report-v1.schema.json`), `--baseline` and
//! `diff` read it back. It is built once by [`Report::build`] from the evaluation's findings,
//! the rule metadata, the inventory, and the annotations (waivers, baseline) and gate verdict
//! that other stages compute; renderers only read it, and never read a clock.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use crate::baseline::{BaselineState, ResolvedFinding};
use crate::finding::{Evidence, Finding, Resource};
use crate::inventory::{ErrorKind, Inventory, Timestamp};
use crate::rules::RuleSet;
use crate::vocabulary::{Severity, Status};

/// The `schema` value of this report format. The major version changes only on a breaking
/// change; fields may be added within v1 and readers ignore fields they do not know.
pub const SCHEMA: &str = "trailguard.report/v1";

/// One run's report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct Report {
    /// Always [`SCHEMA`].
    pub schema: String,
    /// The tool that wrote the report.
    pub tool: Tool,
    /// The rules that were evaluated.
    pub rule_pack: RulePack,
    /// What was audited, how and when.
    pub run: RunInfo,
    /// The exit code and why.
    pub gate: GateSummary,
    /// Counts.
    pub summary: Summary,
    /// The metadata of every evaluated rule, by id.
    pub rules: Vec<RuleInfo>,
    /// Every finding, PASS included (evidence that a control operates), sorted by rule id,
    /// account, region and resource id.
    pub findings: Vec<ReportFinding>,
    /// Findings of the baseline report that this run no longer has.
    #[serde(default)]
    pub resolved: Vec<ResolvedFinding>,
    /// Which waivers applied, expired or matched nothing.
    #[serde(default)]
    pub waivers: WaiverReport,
    /// Every read that failed during collection, as recorded in the inventory.
    #[serde(default)]
    pub collection_errors: Vec<CollectionError>,
    /// Per framework (only the `--framework` one when given): each control the evaluated rules
    /// map to, with a status folded from their findings.
    #[serde(default)]
    pub frameworks: Vec<FrameworkCoverage>,
}

/// The tool that wrote a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Tool {
    /// Always `trailguard`.
    pub name: String,
    /// The trailguard version.
    pub version: String,
}

/// The evaluated rule pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RulePack {
    /// How many rules were evaluated.
    pub count: usize,
    /// `fnv1a64:<hex>` over every rule's id, file path and file text: equal digests mean the
    /// same rules were run.
    pub digest: String,
}

/// How the inventory was obtained.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Mode {
    /// Collected from AWS in this run (`trailguard scan`).
    Live,
    /// Read from saved inventory files (`trailguard check --inventory`).
    Offline,
}

/// What was audited, how and when. The caller fills what it knows; [`Report::build`] adds the
/// accounts and in-scope regions of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RunInfo {
    /// Live scan or offline check.
    pub mode: Mode,
    /// When the run started (from the injected clock).
    pub started_at: Timestamp,
    /// When the run finished (from the injected clock).
    pub finished_at: Timestamp,
    /// The audited account ids, sorted.
    #[serde(default)]
    pub accounts: Vec<String>,
    /// The regions in scope, sorted.
    #[serde(default)]
    pub regions: Vec<String>,
    /// The inventory files read (offline mode), as given.
    #[serde(default)]
    pub inventory_files: Vec<String>,
    /// The `--framework` filter, when one limited the rules.
    #[serde(default)]
    pub framework: Option<String>,
}

/// The gate's verdict, as the gate computed it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct GateSummary {
    /// The process exit code: 0 passed, 1 failed, 2 could not run.
    pub exit_code: u8,
    /// Whether the gate failed, whatever `--exit-zero` made of the exit code.
    pub failed: bool,
    /// Why the exit code is what it is, in one line (printed last by the text format).
    pub reason: String,
    /// `--fail-on`: the lowest severity whose unwaived FAILs gate; `null` when every FAIL gates.
    pub fail_on: Option<Severity>,
    /// `--allow-errors`: ERROR findings do not gate.
    pub allow_errors: bool,
    /// `--exit-zero`: a failed gate exits 0 (never hides exit code 2).
    pub exit_zero: bool,
    /// `--fail-on-new-only`: only findings new since the baseline gate.
    pub fail_on_new_only: bool,
}

/// Counts over the findings.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Every finding.
    pub total: usize,
    /// PASS findings.
    pub pass: usize,
    /// FAIL findings (waived ones included).
    pub fail: usize,
    /// ERROR findings.
    pub error: usize,
    /// NOT_APPLICABLE findings.
    pub not_applicable: usize,
    /// Findings with a waiver attached.
    pub waived: usize,
    /// FAIL findings by severity (waived ones included).
    pub fail_by_severity: SeverityCounts,
    /// Unwaived FAIL findings by severity: what a severity gate looks at.
    pub unwaived_fail_by_severity: SeverityCounts,
    /// Findings marked `new` against the baseline.
    pub new: usize,
    /// Baseline findings no longer present.
    pub resolved: usize,
    /// Audited accounts.
    pub accounts: usize,
}

/// A count per severity.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct SeverityCounts {
    /// Critical.
    pub critical: usize,
    /// High.
    pub high: usize,
    /// Medium.
    pub medium: usize,
    /// Low.
    pub low: usize,
    /// Info.
    pub info: usize,
}

impl SeverityCounts {
    /// The count for one severity.
    pub fn get(&self, severity: Severity) -> usize {
        match severity {
            Severity::Critical => self.critical,
            Severity::High => self.high,
            Severity::Medium => self.medium,
            Severity::Low => self.low,
            Severity::Info => self.info,
        }
    }

    pub(super) fn add(&mut self, severity: Severity) {
        let slot = match severity {
            Severity::Critical => &mut self.critical,
            Severity::High => &mut self.high,
            Severity::Medium => &mut self.medium,
            Severity::Low => &mut self.low,
            Severity::Info => &mut self.info,
        };
        *slot += 1;
    }
}

/// Rule metadata that SARIF, Markdown and auditors need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RuleInfo {
    /// The rule id, e.g. `CT-A02`.
    pub id: String,
    /// What a PASS means.
    pub title: String,
    /// The severity.
    pub severity: Severity,
    /// What one finding is about (`account`, `region`, `trail`, `bucket`, `key`).
    pub scope: String,
    /// Why it matters.
    pub rationale: String,
    /// How to fix a failure.
    pub remediation: RemediationInfo,
    /// Links.
    pub references: Vec<String>,
    /// Framework id → control ids.
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// Where the rule is defined.
    pub source: RuleSource,
    /// Whether it comes from the built-in pack.
    pub builtin: bool,
}

/// How to fix a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RemediationInfo {
    /// What to do, in words.
    pub text: String,
    /// A command that does it.
    #[serde(default)]
    pub cli: Option<String>,
    /// Where to read more.
    #[serde(default)]
    pub url: Option<String>,
}

/// Where a rule is defined: the anchor of its SARIF results.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct RuleSource {
    /// The rule file, relative and with `/` separators (`rules/CT-A02.yaml` for the built-in
    /// pack; the path as given for `--rules DIR`).
    pub path: String,
    /// The 1-based line of the rule's `id:`.
    pub line: usize,
}

/// A finding as reported: the evaluation's finding plus its compliance mapping and annotations.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReportFinding {
    /// The rule id.
    pub rule_id: String,
    /// The rule title.
    pub title: String,
    /// The severity.
    pub severity: Severity,
    /// The verdict. A waiver never changes it.
    pub status: Status,
    /// The resource.
    pub resource: Resource,
    /// One line: the rule's message for FAIL, the reason for ERROR / NOT_APPLICABLE.
    pub message: String,
    /// Why.
    pub evidence: Vec<Evidence>,
    /// Stable identity: FNV-1a 64 of rule id, account, region and resource id.
    pub fingerprint: String,
    /// Framework id → control ids, from the rule.
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// The waiver that covers this finding, if any.
    #[serde(default)]
    pub waiver: Option<AppliedWaiver>,
    /// Against `--baseline`: new or unchanged; `null` without a baseline.
    #[serde(default)]
    pub baseline: Option<BaselineState>,
}

impl ReportFinding {
    /// Whether a waiver covers the finding.
    pub fn is_waived(&self) -> bool {
        self.waiver.is_some()
    }
}

/// The waiver attached to a finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct AppliedWaiver {
    /// The waiver id, e.g. `W-003`.
    pub id: String,
    /// The rule id or pattern it names.
    pub rule: String,
    /// Why the finding is accepted.
    pub reason: String,
    /// Who accepted it.
    pub owner: String,
    /// The last day it applies (`YYYY-MM-DD`).
    pub expires: String,
}

/// One entry of the waivers file, as the waiver report lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct WaiverEntry {
    /// The waiver id.
    pub id: String,
    /// The rule id or glob it names.
    pub rule: String,
    /// The resource matcher it names (account, region, ARN or glob).
    pub resource: String,
    /// Why the exception is accepted.
    pub reason: String,
    /// Who owns it.
    pub owner: String,
    /// The last day it applies (`YYYY-MM-DD`).
    pub expires: String,
    /// Where it is written (`file:line:col`).
    pub location: String,
    /// How many findings it covers (applied), would cover (expired), or matched while they
    /// passed (unused).
    pub matched: usize,
}

/// What happened to each waiver.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
pub struct WaiverReport {
    /// Waivers that cover at least one finding.
    pub applied: Vec<WaiverEntry>,
    /// Waivers past their expiry: they no longer apply.
    pub expired: Vec<WaiverEntry>,
    /// Waivers that matched nothing.
    pub unused: Vec<WaiverEntry>,
}

/// One failed read recorded in the inventory.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct CollectionError {
    /// The account it was read for.
    pub account_id: String,
    /// Where in the account's inventory, e.g. `trails[arn:…].status` or `buckets[logs].policy`.
    pub path: String,
    /// The API operation, as `service:Operation`.
    pub operation: String,
    /// The classification.
    pub kind: ErrorKind,
    /// The AWS error code.
    #[serde(default)]
    pub code: Option<String>,
    /// The AWS error message.
    #[serde(default)]
    pub message: Option<String>,
}

/// Waiver and baseline results computed elsewhere (`waivers`, `baseline`), keyed by finding
/// fingerprint.
#[derive(Debug, Clone, Default)]
pub struct Annotations {
    /// Fingerprint → the waiver that covers that finding.
    pub waivers: BTreeMap<String, AppliedWaiver>,
    /// Fingerprint → new / unchanged.
    pub baseline: BTreeMap<String, BaselineState>,
    /// Baseline findings that are gone, sorted ([`ResolvedFinding::sort_key`]).
    pub resolved: Vec<ResolvedFinding>,
    /// Applied / expired / unused waivers.
    pub waiver_report: WaiverReport,
}

/// Everything [`Report::build`] needs.
#[derive(Debug)]
pub struct ReportInput<'a> {
    /// The evaluated rules.
    pub rules: &'a RuleSet,
    /// The evaluation's findings, in report order ([`crate::finding::sort`]) as
    /// [`crate::evaluate::evaluate`] returns them.
    pub findings: Vec<Finding>,
    /// The inventory, for the scope.
    pub inventory: Option<&'a Inventory>,
    /// Every read that failed during collection ([`super::collection_errors`] of the
    /// inventory), computed once: the gate counts them too.
    pub collection_errors: Vec<CollectionError>,
    /// What the caller knows about the run.
    pub run: RunInfo,
    /// Waivers and baseline.
    pub annotations: Annotations,
    /// The gate's verdict.
    pub gate: GateSummary,
}

/// How one compliance framework fares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FrameworkCoverage {
    /// The framework id, e.g. `cis-aws-foundations-v5.0.0`.
    pub framework: String,
    /// Its controls that an evaluated rule maps to, in control order (`3.2` before `3.10`).
    pub controls: Vec<ControlCoverage>,
}

/// One control and the findings behind its status.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ControlCoverage {
    /// The control id, e.g. `3.1`.
    pub control: String,
    /// The evaluated rules mapped to it, sorted.
    pub rules: Vec<String>,
    /// Folded: FAIL if an unwaived finding fails; else ERROR if one could not be evaluated;
    /// else PASS if one passes or is waived (the risk is accepted); else NOT_APPLICABLE.
    pub status: Status,
    /// PASS findings.
    pub pass: usize,
    /// Unwaived FAIL findings.
    pub fail: usize,
    /// Unwaived ERROR findings.
    pub error: usize,
    /// NOT_APPLICABLE findings.
    pub not_applicable: usize,
    /// Waived FAIL and ERROR findings.
    pub waived: usize,
}
