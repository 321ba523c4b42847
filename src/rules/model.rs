//! The validated domain layer: what a rule is once it has loaded without problems.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::condition::Condition;
use super::params::{ParamValue, Parameter};
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
        "cis-aws-foundations-v6.0.0",
        "CIS AWS Foundations Benchmark v6.0.0",
    ),
    (
        "cis-aws-foundations-v7.0.0",
        "CIS AWS Foundations Benchmark v7.0.0",
    ),
    (
        "aws-foundational-security-best-practices",
        "AWS Foundational Security Best Practices (Security Hub controls)",
    ),
    ("aws-security-hub", "AWS Security Hub CSPM controls"),
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
    /// A CloudWatch Logs filter pattern to paste into a metric filter (CLI, CloudFormation,
    /// Terraform); checked at load to be a JSON pattern.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub filter_pattern: Option<String>,
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

    /// The subject paths the leaves of the rule's `when` and `check` test (see
    /// [`Condition::paths`]).
    pub fn paths(&self) -> Vec<String> {
        let mut out = self.when.as_ref().map(Condition::paths).unwrap_or_default();
        out.extend(self.check.paths());
        out
    }
}

/// A set of loaded rules, sorted by id.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    /// A rule set from rules (sorted by id).
    pub fn new(mut rules: Vec<Rule>) -> Self {
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        RuleSet { rules }
    }

    /// The rules, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter()
    }

    /// Mutable access, for applying parameter overrides.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Rule> {
        self.rules.iter_mut()
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// How many rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Keeps the rules that pass `keep`.
    pub fn retain(&mut self, keep: impl FnMut(&Rule) -> bool) {
        self.rules.retain(keep);
    }
}
