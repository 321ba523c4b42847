//! Findings: what evaluation produces and every report renders.
//!
//! Plain serde data with no presentation in it, so that the text listing, the JSON output and
//! the later report formats (SARIF, JUnit, Markdown) all render the same values.

use std::fmt;

use serde::Serialize;

use crate::rules::Severity;

/// The verdict of one rule on one resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Status {
    /// The data needed could not be read (or a rule could not be evaluated). Never a silent pass.
    Error,
    /// The pass condition does not hold.
    Fail,
    /// The pass condition holds.
    Pass,
    /// The rule does not apply to this resource (`when` false, an empty list with
    /// `if_empty: not_applicable`, an organization trail evaluated in its owner account).
    NotApplicable,
}

impl Status {
    /// The name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
            Status::NotApplicable => "NOT_APPLICABLE",
        }
    }

    /// Parses the lower-case name used in rule test cases (`pass`, `not_applicable`, …).
    pub fn parse_lower(text: &str) -> Option<Status> {
        match text {
            "pass" => Some(Status::Pass),
            "fail" => Some(Status::Fail),
            "error" => Some(Status::Error),
            "not_applicable" => Some(Status::NotApplicable),
            _ => None,
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a finding is about.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Resource {
    /// The audited account.
    pub account_id: String,
    /// The region, for regional resources.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `AWS::::Account`, `AWS::::Region`, `AWS::CloudTrail::Trail`, `AWS::S3::Bucket`, `AWS::KMS::Key`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// The account id, region name, trail ARN, bucket name or key id.
    pub id: String,
    /// The ARN, when the resource has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// The partition.
    pub partition: String,
}

/// One piece of evidence: why the verdict is what it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Evidence {
    /// A leaf: the value found and what was expected.
    Leaf {
        /// The path, prefixed with the element inside quantifiers (`trails[arn…].status.is_logging`).
        path: String,
        /// The expectation, e.g. `equals true`.
        expected: String,
        /// The value found (`null` when absent).
        actual: serde_json::Value,
        /// Whether it held: `true`, `false`, or `null` when it could not be decided.
        holds: Option<bool>,
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
        #[serde(skip_serializing_if = "Option::is_none")]
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
        #[serde(skip_serializing_if = "Option::is_none")]
        code: Option<String>,
        /// The AWS error message.
        #[serde(skip_serializing_if = "Option::is_none")]
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

/// FNV-1a 64-bit: tiny, std-only, and the same on every platform and run.
pub fn fingerprint(
    rule_id: &str,
    account: &str,
    region: Option<&str>,
    resource_id: &str,
) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for part in [rule_id, account, region.unwrap_or(""), resource_id] {
        for byte in part.bytes().chain(std::iter::once(0x1f)) {
            hash ^= u64::from(byte);
            hash = hash.wrapping_mul(PRIME);
        }
    }
    format!("{hash:016x}")
}

/// Sorts findings deterministically.
pub fn sort(findings: &mut [Finding]) {
    findings.sort_by(|a, b| {
        a.sort_key()
            .cmp(&b.sort_key())
            .then(a.status.cmp(&b.status))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprint_is_stable() {
        // Pinned value: a change here changes every report's fingerprints.
        assert_eq!(
            fingerprint("CT-A01", "111111111111", None, "111111111111"),
            fingerprint("CT-A01", "111111111111", None, "111111111111")
        );
        assert_ne!(
            fingerprint("CT-A01", "1", Some("a"), "b"),
            fingerprint("CT-A01", "1", Some("ab"), "")
        );
        assert_eq!(fingerprint("", "", None, ""), "8706f12ebf36a791");
    }
}
