//! The framework view: `--framework ID` limits the rules to those mapped to one compliance
//! framework, and reports show each of its controls with a status folded from the findings of
//! the rules mapped to it.
//!
//! Framework ids come from the rules module's closed registry ([`FRAMEWORKS`]); control ids are
//! whatever the rule files map (`3.1`, `CloudTrail.5`, `cloudtrail-enabled`).

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::document::did_you_mean;
use crate::finding::Finding;
use crate::rules::{FRAMEWORKS, RuleSet};
use crate::vocabulary::Status;

/// A framework id outside the registry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown framework `{id}`{}; valid ids: {}", suggestion.as_ref().map(|s| format!(" ({s})")).unwrap_or_default(), valid_ids().join(", "))]
pub struct UnknownFramework {
    /// The id given.
    pub id: String,
    /// "did you mean …?", when one is close.
    pub suggestion: Option<String>,
}

/// The ids of the registry, in registry order.
pub fn valid_ids() -> Vec<&'static str> {
    FRAMEWORKS.iter().map(|(id, _)| *id).collect()
}

/// The framework's display name, or an error listing the valid ids.
pub fn name(framework_id: &str) -> Result<&'static str, UnknownFramework> {
    FRAMEWORKS
        .iter()
        .find(|(id, _)| *id == framework_id)
        .map(|(_, name)| *name)
        .ok_or_else(|| UnknownFramework {
            id: framework_id.to_owned(),
            suggestion: did_you_mean(framework_id, valid_ids()),
        })
}

/// Keeps only the rules mapped to the framework; returns how many remain (possibly 0: the
/// caller decides whether an empty selection is worth a warning).
pub fn filter(rules: &mut RuleSet, framework_id: &str) -> Result<usize, UnknownFramework> {
    name(framework_id)?;
    rules.retain(|r| r.frameworks.contains_key(framework_id));
    Ok(rules.len())
}

/// A control's folded status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ControlState {
    /// Every counted finding passed (waived FAIL / ERROR findings count as accepted).
    Pass,
    /// At least one unwaived finding failed.
    Fail,
    /// None failed, but at least one unwaived finding could not be evaluated.
    Error,
    /// Every finding was NOT_APPLICABLE, or the control's rules produced none.
    NotApplicable,
}

/// Finding counts behind a control's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct StatusCounts {
    /// PASS findings.
    pub pass: usize,
    /// Unwaived FAIL findings.
    pub fail: usize,
    /// Unwaived ERROR findings.
    pub error: usize,
    /// NOT_APPLICABLE findings.
    pub not_applicable: usize,
    /// FAIL and ERROR findings a waiver covers.
    pub waived: usize,
}

/// One control of a framework and how it fares.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ControlStatus {
    /// The control id, e.g. `3.1`.
    pub control_id: String,
    /// The loaded rules mapped to it, sorted.
    pub rules: Vec<String>,
    /// The folded status.
    pub status: ControlState,
    /// The findings behind it.
    pub counts: StatusCounts,
}

/// Every control of the framework that a loaded rule maps to, in control order (`3.2` before
/// `3.10`), with a status folded from its rules' findings:
/// fail if any unwaived finding fails; else error if one errors; else pass if one passes
/// (waived FAIL / ERROR findings count as passing: the risk is accepted, and `counts.waived`
/// says so); else not applicable.
pub fn control_status(
    findings: &[Finding],
    rules: &RuleSet,
    framework_id: &str,
    waived: &BTreeSet<String>,
) -> Result<Vec<ControlStatus>, UnknownFramework> {
    name(framework_id)?;
    let mut controls: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for rule in rules.iter() {
        for control in rule.frameworks.get(framework_id).into_iter().flatten() {
            controls.entry(control).or_default().insert(&rule.id);
        }
    }
    let mut by_rule: BTreeMap<&str, StatusCounts> = BTreeMap::new();
    for f in findings {
        let c = by_rule.entry(&f.rule_id).or_default();
        match f.status {
            Status::Fail | Status::Error if waived.contains(&f.fingerprint) => c.waived += 1,
            Status::Fail => c.fail += 1,
            Status::Error => c.error += 1,
            Status::Pass => c.pass += 1,
            Status::NotApplicable => c.not_applicable += 1,
        }
    }
    let mut out: Vec<ControlStatus> = controls
        .into_iter()
        .map(|(control, rule_ids)| {
            let mut counts = StatusCounts::default();
            for id in &rule_ids {
                if let Some(c) = by_rule.get(id) {
                    counts.pass += c.pass;
                    counts.fail += c.fail;
                    counts.error += c.error;
                    counts.not_applicable += c.not_applicable;
                    counts.waived += c.waived;
                }
            }
            let status = if counts.fail > 0 {
                ControlState::Fail
            } else if counts.error > 0 {
                ControlState::Error
            } else if counts.pass + counts.waived > 0 {
                ControlState::Pass
            } else {
                ControlState::NotApplicable
            };
            ControlStatus {
                control_id: control.to_owned(),
                rules: rule_ids.into_iter().map(str::to_owned).collect(),
                status,
                counts,
            }
        })
        .collect();
    out.sort_by(|a, b| control_order(&a.control_id, &b.control_id));
    Ok(out)
}

/// Natural order: dot-separated parts, numbers compared as numbers.
fn control_order(a: &str, b: &str) -> Ordering {
    let mut pa = a.split('.');
    let mut pb = b.split('.');
    loop {
        match (pa.next(), pb.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(n), Ok(m)) => n.cmp(&m),
                    _ => x.cmp(y),
                };
                if ord != Ordering::Equal {
                    return ord;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Resource;
    use crate::rules::parse_str;
    use crate::vocabulary::{Severity, fingerprint};

    fn rule(id: &str, frameworks: &str) -> crate::rules::Rule {
        let text = format!(
            "id: {id}\ntitle: t\nseverity: high\nscope: account\nframeworks:\n{frameworks}\n\
             rationale: r\nremediation: {{ text: x }}\n\
             check: {{ path: account_id, equals: \"1\" }}\nmessage: m\n\
             tests:\n  - {{ name: one, expect: pass, subject: {{ account_id: \"1\" }} }}\n"
        );
        match parse_str(&format!("{id}.yaml"), &text) {
            Ok(r) => r,
            Err(p) => panic!("{}", p.render(false)),
        }
    }

    fn rules() -> RuleSet {
        RuleSet::new(vec![
            rule(
                "CT-A01",
                "  cis-aws-foundations-v5.0.0: [\"3.1\", \"3.10\"]",
            ),
            rule(
                "CT-A02",
                "  cis-aws-foundations-v5.0.0: [\"3.1\"]\n  aws-config: [x]",
            ),
            rule("CT-A03", "  cis-aws-foundations-v5.0.0: [\"3.2\"]"),
            rule("CT-A04", "  cis-aws-foundations-v5.0.0: [\"3.4\"]"),
            rule("CT-A05", "  aws-config: [y]"),
        ])
    }

    fn finding(rule: &str, status: Status, id: &str) -> Finding {
        Finding {
            rule_id: rule.into(),
            title: String::new(),
            severity: Severity::High,
            status,
            resource: Resource {
                account_id: id.into(),
                region: None,
                resource_type: "AWS::::Account".into(),
                id: id.into(),
                arn: None,
                partition: "aws".into(),
            },
            message: String::new(),
            evidence: Vec::new(),
            fingerprint: fingerprint(rule, id, None, id),
        }
    }

    #[test]
    fn filter_keeps_mapped_rules_and_refuses_unknown_ids() {
        let mut set = rules();
        assert_eq!(filter(&mut set, "aws-config"), Ok(2));
        let ids: Vec<&str> = set.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["CT-A02", "CT-A05"]);
        let mut set = rules();
        let err = filter(&mut set, "cis-aws-foundations-v5").expect_err("unknown");
        assert_eq!(set.len(), 5, "nothing removed on error");
        let text = err.to_string();
        assert!(
            text.starts_with(
                "unknown framework `cis-aws-foundations-v5` (did you mean `cis-aws-foundations-v"
            ),
            "{text}"
        );
        assert!(
            text.contains("valid ids: cis-aws-foundations-v1.5.0, "),
            "{text}"
        );
        assert!(text.contains("aws-config"), "{text}");
        assert_eq!(
            filter(&mut set, "hipaa").map_err(|e| e.suggestion),
            Err(None)
        );
    }

    #[test]
    fn controls_fold_their_rules_findings() {
        let set = rules();
        let findings = vec![
            finding("CT-A01", Status::Pass, "1"),
            finding("CT-A01", Status::Error, "2"),
            finding("CT-A02", Status::Fail, "1"),
            finding("CT-A03", Status::Fail, "1"),
            finding("CT-A03", Status::Pass, "2"),
            finding("CT-A05", Status::Fail, "1"),
        ];
        let waived: BTreeSet<String> = [fingerprint("CT-A03", "1", None, "1")].into();
        let view = control_status(&findings, &set, "cis-aws-foundations-v5.0.0", &waived)
            .expect("known framework");
        let got: Vec<(&str, Vec<&str>, ControlState, StatusCounts)> = view
            .iter()
            .map(|c| {
                (
                    c.control_id.as_str(),
                    c.rules.iter().map(String::as_str).collect(),
                    c.status,
                    c.counts,
                )
            })
            .collect();
        let counts = |pass, fail, error, not_applicable, waived| StatusCounts {
            pass,
            fail,
            error,
            not_applicable,
            waived,
        };
        assert_eq!(
            got,
            [
                // A02 fails: the control fails although A01 only errors.
                (
                    "3.1",
                    vec!["CT-A01", "CT-A02"],
                    ControlState::Fail,
                    counts(1, 1, 1, 0, 0)
                ),
                // A03's FAIL is waived: accepted, so the control passes and says so.
                (
                    "3.2",
                    vec!["CT-A03"],
                    ControlState::Pass,
                    counts(1, 0, 0, 0, 1)
                ),
                // No findings at all (A04 not run on anything): not applicable.
                (
                    "3.4",
                    vec!["CT-A04"],
                    ControlState::NotApplicable,
                    counts(0, 0, 0, 0, 0)
                ),
                // Natural order: 3.10 after 3.4; A01's ERROR alone makes it error.
                (
                    "3.10",
                    vec!["CT-A01"],
                    ControlState::Error,
                    counts(1, 0, 1, 0, 0)
                ),
            ]
        );
        let na = vec![finding("CT-A04", Status::NotApplicable, "1")];
        let view = control_status(&na, &set, "cis-aws-foundations-v5.0.0", &BTreeSet::new())
            .expect("known");
        assert!(
            view.iter()
                .all(|c| c.status == ControlState::NotApplicable || c.control_id != "3.4")
        );
        assert!(control_status(&na, &set, "nope", &BTreeSet::new()).is_err());
    }

    #[test]
    fn control_order_is_natural() {
        let mut ids = vec![
            "3.10",
            "3.2",
            "CloudTrail.10",
            "3.1",
            "CloudTrail.9",
            "10.1",
            "3",
        ];
        ids.sort_by(|a, b| control_order(a, b));
        assert_eq!(
            ids,
            [
                "3",
                "3.1",
                "3.2",
                "3.10",
                "10.1",
                "CloudTrail.9",
                "CloudTrail.10"
            ]
        );
    }

    #[test]
    fn the_builtin_pack_maps_to_known_frameworks() {
        let Ok(mut set) = crate::rules::load_builtin() else {
            panic!("built-in pack loads");
        };
        let all = set.len();
        let kept = filter(&mut set, "cis-aws-foundations-v5.0.0").unwrap_or(0);
        assert!(kept > 0 && kept < all, "{kept} of {all}");
    }
}
