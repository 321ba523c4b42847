//! Judging one rule on one subject: the verdict, its evidence, and the finding it becomes.

use std::collections::BTreeMap;

use serde_json::Value;

use super::logic::{Env, Truth, eval};
use crate::finding::{Evidence, Finding, Resource};
use crate::inventory::{CollectError, Timestamp};
use crate::rules::{ParamValue, Rule};
use crate::vocabulary::{Scope, Status, fingerprint};

/// The verdict of one rule on one subject.
#[derive(Debug, Clone, PartialEq)]
pub struct Verdict {
    /// The status.
    pub status: Status,
    /// One line saying why.
    pub message: String,
    /// The evidence.
    pub evidence: Vec<Evidence>,
}

/// The finding of a rule's verdict on a resource.
pub(super) fn to_finding(rule: &Rule, resource: &Resource, verdict: Verdict) -> Finding {
    Finding {
        fingerprint: fingerprint(
            &rule.id,
            &resource.account_id,
            resource.region.as_deref(),
            &resource.id,
        ),
        rule_id: rule.id.clone(),
        title: rule.title.clone(),
        severity: rule.severity,
        status: verdict.status,
        resource: resource.clone(),
        message: verdict.message,
        evidence: verdict.evidence,
    }
}

/// The evidence of a failed read found at `path`.
pub(super) fn error_evidence(path: &str, error: &CollectError) -> Evidence {
    Evidence::ReadError {
        path: path.to_owned(),
        operation: error.operation.clone(),
        error_kind: serde_json::to_value(error.kind)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default(),
        code: error.code.clone(),
        message: error.message.clone(),
    }
}

/// Why a subject is not applicable before its rule is even read: an organization trail (or a
/// bucket / key used only by such trails) seen from a member account (CHECKS.md §2.4).
fn owned_elsewhere(scope: Scope, subject: &Value) -> Option<String> {
    let foreign = |t: &Value| t.get("owned_by_audited_account") == Some(&Value::Bool(false));
    let owner = |t: &Value| {
        t.get("owner_account")
            .and_then(Value::as_str)
            .unwrap_or("another account")
            .to_owned()
    };
    match scope {
        Scope::Trail if foreign(subject) => Some(format!(
            "trail owned by {} (an organization trail seen from a member account); evaluated in its owner account",
            owner(subject)
        )),
        Scope::Bucket | Scope::Key => {
            let trails = subject.get("trails").and_then(Value::as_array)?;
            (!trails.is_empty() && trails.iter().all(foreign)).then(|| {
                format!(
                    "used only by trails owned by {}; evaluated in the owner account",
                    owner(&trails[0])
                )
            })
        }
        _ => None,
    }
}

/// Judges one rule on one subject with the given parameter values and clock.
pub fn judge(
    rule: &Rule,
    subject: &Value,
    params: &BTreeMap<String, ParamValue>,
    now: Timestamp,
) -> Verdict {
    judge_in(
        rule,
        subject,
        &Env {
            params,
            now,
            patterns: None,
        },
    )
}

/// [`judge`] in an environment (with the evaluation's shared pattern judgements).
pub(super) fn judge_in(rule: &Rule, subject: &Value, env: &Env<'_>) -> Verdict {
    let mut evidence = Vec::new();
    if let Some(reason) = owned_elsewhere(rule.scope, subject) {
        evidence.push(Evidence::Leaf {
            path: "owned_by_audited_account".into(),
            expected: "equals true".into(),
            actual: Value::Bool(false),
            holds: Some(false),
            operator: Some("equals".into()),
            expected_value: Some(Value::Bool(true)),
            parameter: None,
        });
        evidence.push(Evidence::Note {
            text: reason.clone(),
        });
        return Verdict {
            status: Status::NotApplicable,
            message: format!("not applicable: {reason}"),
            evidence,
        };
    }
    if let Some(when) = &rule.when {
        match eval(when, subject, env, "", &mut evidence) {
            Truth::True => {}
            Truth::False | Truth::NotApplicable => {
                return Verdict {
                    status: Status::NotApplicable,
                    message: "not applicable: `when` does not hold".into(),
                    evidence,
                };
            }
            Truth::Unknown => {
                let message = error_message(&evidence);
                return Verdict {
                    status: Status::Error,
                    message,
                    evidence,
                };
            }
        }
        evidence.clear();
    }
    let (status, message) = match eval(&rule.check, subject, env, "", &mut evidence) {
        Truth::True => (Status::Pass, rule.title.clone()),
        Truth::False => (Status::Fail, rule.message.clone()),
        Truth::Unknown => (Status::Error, error_message(&evidence)),
        Truth::NotApplicable => (
            Status::NotApplicable,
            "not applicable: nothing to check (empty list)".to_owned(),
        ),
    };
    Verdict {
        status,
        message,
        evidence,
    }
}

fn error_message(evidence: &[Evidence]) -> String {
    evidence
        .iter()
        .find_map(|e| match e {
            Evidence::ReadError {
                path,
                operation,
                error_kind,
                code,
                ..
            } => Some(format!(
                "could not evaluate: {operation} failed ({}{}) reading `{path}`",
                error_kind.replace('_', " "),
                code.as_deref()
                    .map(|c| format!(", {c}"))
                    .unwrap_or_default()
            )),
            _ => None,
        })
        .unwrap_or_else(|| "could not evaluate: some data could not be read".to_owned())
}

/// The outcome of one embedded test case.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseResult {
    /// The case name.
    pub name: String,
    /// What the case expects.
    pub expected: Status,
    /// What the rule gave.
    pub verdict: Verdict,
}

impl CaseResult {
    /// Whether the rule gave the expected status.
    pub fn passed(&self) -> bool {
        self.expected == self.verdict.status
    }
}

/// Runs a rule's embedded test cases (the same code path as real evaluation).
pub fn run_tests(rule: &Rule) -> Vec<CaseResult> {
    rule.tests
        .iter()
        .map(|case| {
            let mut params = rule.param_values();
            params.extend(case.params.clone());
            CaseResult {
                name: case.name.clone(),
                expected: case.expect,
                verdict: judge(rule, &case.subject, &params, case.now),
            }
        })
        .collect()
}
