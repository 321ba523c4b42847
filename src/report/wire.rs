//! Serde and schemars adapters for the finding and rule types the report embeds.
//!
//! [`Finding`](crate::finding::Finding), [`Resource`], [`Evidence`], [`Status`] and [`Severity`]
//! serialise themselves (that impl is the single source of the output shape); the report also
//! has to be read back (`--baseline`, `diff`) and described by a JSON Schema. These remote
//! definitions add exactly that without touching the evaluation types. A field added to one of
//! them breaks the build here (remote `Deserialize` constructs the value), and the round-trip test
//! in `tests/report_json.rs` catches any difference in names.

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer};

use crate::finding::{Evidence, Resource, Status};
use crate::rules::Severity;

/// [`Status`] as the report reads and describes it.
#[derive(Deserialize, JsonSchema)]
#[serde(remote = "Status", rename_all = "SCREAMING_SNAKE_CASE")]
pub enum StatusDef {
    /// The data needed could not be read (or a rule could not be evaluated).
    Error,
    /// The pass condition does not hold.
    Fail,
    /// The pass condition holds.
    Pass,
    /// The rule does not apply to this resource.
    NotApplicable,
}

/// [`Severity`] as the report reads and describes it.
#[derive(Deserialize, JsonSchema)]
#[serde(remote = "Severity", rename_all = "snake_case")]
pub enum SeverityDef {
    /// For information.
    Info,
    /// Hardening beyond the common baselines.
    Low,
    /// A baseline control is missing.
    Medium,
    /// Activity can go unrecorded or logs can be tampered with.
    High,
    /// Logs are exposed or can be silently destroyed.
    Critical,
}

/// [`Resource`] as the report reads and describes it.
#[derive(Deserialize, JsonSchema)]
#[serde(remote = "Resource")]
pub struct ResourceDef {
    /// The audited account.
    pub account_id: String,
    /// The region, for regional resources.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// `AWS::::Account`, `AWS::::Region`, `AWS::CloudTrail::Trail`, `AWS::S3::Bucket`, `AWS::KMS::Key`.
    #[serde(rename = "type")]
    pub resource_type: String,
    /// The account id, region name, trail ARN, bucket name or key id.
    pub id: String,
    /// The ARN, when the resource has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub arn: Option<String>,
    /// The partition.
    pub partition: String,
}

/// [`Evidence`] as the report reads and describes it.
#[derive(Deserialize, JsonSchema)]
#[serde(remote = "Evidence", tag = "kind", rename_all = "snake_case")]
pub enum EvidenceDef {
    /// A leaf: the value found and what was expected.
    Leaf {
        /// The path, prefixed with the element inside quantifiers.
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

/// Reads a list of evidence (the remote definition works on one value at a time).
pub fn evidence_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<Evidence>, D::Error> {
    #[derive(Deserialize)]
    struct One(#[serde(with = "EvidenceDef")] Evidence);
    let list = Vec::<One>::deserialize(d)?;
    Ok(list.into_iter().map(|One(e)| e).collect())
}

/// Reads an optional severity (`null` allowed).
pub fn option_severity<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Severity>, D::Error> {
    #[derive(Deserialize)]
    struct One(#[serde(with = "SeverityDef")] Severity);
    Ok(Option::<One>::deserialize(d)?.map(|One(s)| s))
}

/// Reads an optional status (`null` allowed).
pub fn option_status<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Status>, D::Error> {
    #[derive(Deserialize)]
    struct One(#[serde(with = "StatusDef")] Status);
    Ok(Option::<One>::deserialize(d)?.map(|One(s)| s))
}
