//! Findings: what evaluation produces and every report renders.
//!
//! Plain serde data with no presentation in it, so that the text listing, the JSON output and
//! the later report formats (SARIF, JUnit, Markdown) all render the same values.

use std::cmp::Ordering;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use crate::vocabulary::{ResourceType, Severity};
pub use crate::vocabulary::{Status, fingerprint};

/// What a finding is about.
///
/// Read back from reports (`--baseline`, `diff`) as leniently as reports are written within
/// `v1`: a report without `partition` is read as `aws`. The `schemars` descriptions are the
/// published text of `report-v1.schema.json`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema)]
#[schemars(description = "[`Resource`] as the report reads and describes it.")]
pub struct Resource {
    /// The audited account.
    pub account_id: String,
    /// The region, for regional resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `AWS::::Account`, `AWS::::Region`, `AWS::CloudTrail::Trail`, `AWS::S3::Bucket`, `AWS::KMS::Key`.
    #[serde(rename = "type")]
    #[schemars(with = "String")]
    pub resource_type: ResourceType,
    /// The account id, region name, trail ARN, bucket name or key id.
    pub id: String,
    /// The ARN, when the resource has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// The partition.
    #[serde(default = "aws_partition")]
    #[schemars(!default)]
    pub partition: String,
}

/// The partition of a resource whose report did not record one.
fn aws_partition() -> String {
    "aws".to_owned()
}

/// One piece of evidence: why the verdict is what it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[schemars(description = "[`Evidence`] as the report reads and describes it.")]
pub enum Evidence {
    /// A leaf: the value found and what was expected.
    Leaf {
        /// The path, prefixed with the element inside quantifiers (`trails[arn…].status.is_logging`).
        #[schemars(description = "The path, prefixed with the element inside quantifiers.")]
        path: String,
        /// The expectation in words, e.g. `equals true`.
        expected: String,
        /// The value found (`null` when absent).
        actual: serde_json::Value,
        /// Whether it held: `true`, `false`, or `null` when it could not be decided.
        holds: Option<bool>,
        /// The rule language's operator (`equals`, `one_of`, `exists`, …): with
        /// `expected_value`, the machine form of `expected`. Absent in reports written before
        /// it was added.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        operator: Option<String>,
        /// The operand as JSON, parameters and the clock resolved (`true`, `["COMPLIANCE"]`,
        /// `"2025-12-31T00:00:00Z"`); absent when it could not be resolved (a missing parameter).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        expected_value: Option<serde_json::Value>,
        /// The rule parameter the operand comes from, when it is one.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        parameter: Option<String>,
    },
    /// A quantifier: which elements matched.
    Quantifier {
        /// The list's path.
        path: String,
        /// `any`, `all` or `none`.
        quantifier: String,
        /// Elements for which `where` held.
        matched: Vec<String>,
        /// Elements for which it did not.
        not_matched: Vec<String>,
        /// Elements for which it could not be decided.
        unknown: Vec<String>,
        /// How an empty list was judged, when it was empty.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        if_empty: Option<String>,
    },
    /// A read that failed, so the data is unknown.
    ReadError {
        /// Where the failed read sits in the subject.
        path: String,
        /// The API operation.
        operation: String,
        /// The classification (`access_denied`, `method_not_allowed`, …).
        error_kind: String,
        /// The AWS error code.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        /// The AWS error message.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        message: Option<String>,
    },
    /// A note, e.g. why a trail is not applicable.
    Note {
        /// The text.
        text: String,
    },
}

/// One verdict of one rule on one resource.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// The rule id.
    pub rule_id: String,
    /// The rule title.
    pub title: String,
    /// The severity.
    pub severity: Severity,
    /// The verdict.
    pub status: Status,
    /// The resource.
    pub resource: Resource,
    /// One line: the rule's message for FAIL, the reason for ERROR / NOT_APPLICABLE.
    pub message: String,
    /// Why.
    pub evidence: Vec<Evidence>,
    /// Stable across runs and platforms: FNV-1a 64 of rule id, account, region and resource id.
    pub fingerprint: String,
}

impl Finding {
    /// The sort key: (rule id, account, region, resource id).
    pub fn sort_key(&self) -> (&str, &str, &str, &str) {
        (
            &self.rule_id,
            &self.resource.account_id,
            self.resource.region.as_deref().unwrap_or(""),
            &self.resource.id,
        )
    }
}

/// The order of findings in every report: by [`Finding::sort_key`], then by status.
pub fn order(a: &Finding, b: &Finding) -> Ordering {
    a.sort_key()
        .cmp(&b.sort_key())
        .then(a.status.cmp(&b.status))
}

/// Sorts findings into report [`order`].
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(order);
}

/// Whether findings are in report [`order`].
pub fn is_sorted(findings: &[Finding]) -> bool {
    findings.is_sorted_by(|a, b| order(a, b).is_le())
}
