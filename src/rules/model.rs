//! The validated domain layer: what a rule is once it has loaded without problems.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use serde::Serialize;

use super::condition::Condition;
use crate::document::{Pos, SourceFile};
use crate::vocabulary::{Scope, Severity, Status};

/// The closed registry of framework ids a rule may map to.
pub const FRAMEWORKS: &[(&str, &str)] = &[
    (
        "cis-aws-foundations-v1.5.0",
        "CIS AWS Foundations Benchmark v1.5.0",
    ),
    (
        "cis-aws-foundations-v2.0.0",
        "CIS AWS Foundations Benchmark v2.0.0",
    ),
    (
        "cis-aws-foundations-v3.0.0",
        "CIS AWS Foundations Benchmark v3.0.0",
    ),
    (
        "cis-aws-foundations-v4.0.0",
        "CIS AWS Foundations Benchmark v4.0.0",
    ),
    (
        "cis-aws-foundations-v5.0.0",
        "CIS AWS Foundations Benchmark v5.0.0",
    ),
    (
        "aws-foundational-security-best-practices",
        "AWS Foundational Security Best Practices (Security Hub controls)",
    ),
    ("aws-config", "AWS Config managed rules"),
];

/// How to fix a failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remediation {
    /// What to do, in words.
    pub text: String,
    /// A command that does it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cli: Option<String>,
    /// Where to read more.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// The type of a rule parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    /// `true` / `false`.
    Bool,
    /// A whole number.
    Integer,
    /// Text.
    String,
    /// A list of strings.
    StringList,
    /// A duration such as `24h`.
    Duration,
}

impl ParamType {
    /// Every type.
    pub const ALL: &'static [ParamType] = &[
        ParamType::Bool,
        ParamType::Integer,
        ParamType::String,
        ParamType::StringList,
        ParamType::Duration,
    ];

    /// The name used in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::Bool => "bool",
            ParamType::Integer => "integer",
            ParamType::String => "string",
            ParamType::StringList => "string_list",
            ParamType::Duration => "duration",
        }
    }
}

/// A parameter value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A bool.
    Bool(bool),
    /// An integer.
    Integer(i64),
    /// A string.
    String(String),
    /// A list of strings.
    StringList(Vec<String>),
    /// A duration, in seconds (shown as written).
    Duration(Duration),
}

/// A duration as written in a rule (`24h`), kept with its text for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct Duration {
    /// Seconds.
    pub seconds: i64,
    /// As written.
    pub text: String,
}

impl From<Duration> for String {
    fn from(d: Duration) -> String {
        d.text
    }
}

impl Duration {
    /// Parses `<integer><s|m|h|d>`.
    pub fn parse(text: &str) -> Option<Duration> {
        let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
        let (n, unit) = text.split_at(unit_at);
        let n: i64 = n.parse().ok()?;
        let mult = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return None,
        };
        Some(Duration {
            seconds: n.checked_mul(mult)?,
            text: text.to_owned(),
        })
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Integer(i) => write!(f, "{i}"),
            ParamValue::String(s) => write!(f, "{s}"),
            ParamValue::StringList(l) => write!(f, "[{}]", l.join(", ")),
            ParamValue::Duration(d) => f.write_str(&d.text),
        }
    }
}

/// A declared parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// The type.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// The default value.
    pub default: ParamValue,
    /// What it means.
    pub description: String,
    /// The value in force (the default, or a config override).
    pub value: ParamValue,
    /// The smallest value allowed (`minimum:`; integer and duration parameters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<ParamValue>,
    /// The largest value allowed (`maximum:`; integer and duration parameters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<ParamValue>,
}

impl Parameter {
    /// Whether a parameter of this type may declare a range.
    pub fn ranged(kind: ParamType) -> bool {
        matches!(kind, ParamType::Integer | ParamType::Duration)
    }

    /// The declared range as words (`at least 1`, `from 1 to 36500`), when there is one.
    pub fn range_text(&self) -> Option<String> {
        match (&self.minimum, &self.maximum) {
            (None, None) => None,
            (Some(min), None) => Some(format!("at least {min}")),
            (None, Some(max)) => Some(format!("at most {max}")),
            (Some(min), Some(max)) => Some(format!("from {min} to {max}")),
        }
    }

    /// Checks a value against the declared range.
    pub fn check_range(&self, value: &ParamValue) -> Result<(), String> {
        let Some(v) = value.magnitude() else {
            return Ok(());
        };
        let magnitude = |bound: &Option<ParamValue>| bound.as_ref().and_then(ParamValue::magnitude);
        if let (Some(min), Some(m)) = (&self.minimum, magnitude(&self.minimum))
            && v < m
        {
            return Err(format!("{value} is below the parameter's minimum {min}"));
        }
        if let (Some(max), Some(m)) = (&self.maximum, magnitude(&self.maximum))
            && v > m
        {
            return Err(format!("{value} is above the parameter's maximum {max}"));
        }
        Ok(())
    }
}

impl ParamValue {
    /// The number ranges compare: an integer, or a duration in seconds.
    pub fn magnitude(&self) -> Option<i64> {
        match self {
            ParamValue::Integer(i) => Some(*i),
            ParamValue::Duration(d) => Some(d.seconds),
            _ => None,
        }
    }
}

/// One embedded test case.
#[derive(Debug, Clone, PartialEq)]
pub struct TestCase {
    /// Its name.
    pub name: String,
    /// The expected status.
    pub expect: Status,
    /// The subject, as JSON.
    pub subject: serde_json::Value,
    /// Parameter values for this case.
    pub params: BTreeMap<String, ParamValue>,
    /// The clock for this case.
    pub now: crate::inventory::Timestamp,
    /// Where the case starts.
    pub pos: Pos,
}

/// A rule, validated.
#[derive(Debug, Clone)]
pub struct Rule {
    /// The id, e.g. `CT-A02`.
    pub id: String,
    /// What a PASS means.
    pub title: String,
    /// The severity.
    pub severity: Severity,
    /// What one finding is about.
    pub scope: Scope,
    /// Framework id → control ids.
    pub frameworks: BTreeMap<String, Vec<String>>,
    /// Why it matters.
    pub rationale: String,
    /// How to fix it.
    pub remediation: Remediation,
    /// Links.
    pub references: Vec<String>,
    /// Declared parameters by name.
    pub parameters: BTreeMap<String, Parameter>,
    /// Applicability.
    pub when: Option<Condition>,
    /// The pass condition.
    pub check: Condition,
    /// Shown with a FAIL.
    pub message: String,
    /// The embedded test cases.
    pub tests: Vec<TestCase>,
    /// The file it came from.
    pub source: Arc<SourceFile>,
    /// Where `id:` is (for SARIF locations).
    pub id_pos: Pos,
    /// Whether it comes from the embedded pack.
    pub builtin: bool,
}

impl Rule {
    /// The parameter values in force.
    pub fn param_values(&self) -> BTreeMap<String, ParamValue> {
        self.parameters
            .iter()
            .map(|(k, p)| (k.clone(), p.value.clone()))
            .collect()
    }
}
