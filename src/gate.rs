//! The CI gate: findings (plus waivers and a baseline) → exit status 0 or 1 and one sentence
//! saying why.
//!
//! Pure: no I/O, no clock. Exit status 2 ("could not run") is decided before the gate ever runs,
//! so nothing here can produce or hide it. The rules, from `OUTPUTS.md`:
//!
//! - an unwaived FAIL at or above `--fail-on` (default: any severity) fails the gate;
//! - an unwaived ERROR fails it unless `--allow-errors`;
//! - `--fail-on-new-only` counts only findings the baseline marks new;
//! - a read that failed during collection and is cited by no finding fails it unless
//!   `--allow-errors` (fail closed: a failed read must never be silently dropped; one that a
//!   finding cites gates, or is waived, through that finding);
//! - `--exit-zero` turns 1 into 0, and the reason still says it would have failed.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::finding::{Evidence, Finding};
use crate::vocabulary::{Severity, Status};

/// Exit status when the gate passes.
pub const PASSED: u8 = 0;
/// Exit status when the gate fails.
pub const FAILED: u8 = 1;

/// How many rule ids (or operations) a reason lists before it says "and N more rules".
const MAX_RULES_IN_REASON: usize = 6;

/// What makes the gate fail: the resolved `--fail-on`, `--allow-errors`, `--exit-zero` and
/// `--fail-on-new-only` (flags or the config's `gate:`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct GatePolicy {
    /// The lowest severity of FAIL that gates; `None` means every FAIL gates.
    pub fail_on: Option<Severity>,
    /// ERROR findings do not gate.
    pub allow_errors: bool,
    /// Report a failed gate but exit 0 (audits). Never affects exit status 2.
    pub exit_zero: bool,
    /// Count only findings the baseline marks new. Without a baseline every finding counts
    /// (fail closed): the command line should refuse the flag without `--baseline`.
    pub fail_on_new_only: bool,
}

/// What the gate counted, for the reason line and the JSON report's `run.gate`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct GateCounts {
    /// FAIL findings that gate.
    pub fail: usize,
    /// Their rules, the most severe first ([`GatedRule::worst_first`]).
    pub fail_rules: Vec<GatedRule>,
    /// ERROR findings that gate.
    pub error: usize,
    /// Their rules, the most severe first.
    pub error_rules: Vec<GatedRule>,
    /// ERROR findings that would gate without `--allow-errors`.
    pub errors_allowed: usize,
    /// FAIL findings below `--fail-on` (report-only).
    pub below_threshold: usize,
    /// FAIL and ERROR findings covered by a waiver.
    pub waived: usize,
    /// FAIL and ERROR findings left out because the baseline already had them
    /// (`--fail-on-new-only`).
    pub not_new: usize,
    /// Failed reads that no finding cites, and that gate.
    pub uncited_reads: usize,
    /// Their operations, sorted, unique.
    pub uncited_operations: Vec<String>,
    /// Failed reads no finding cites that would gate without `--allow-errors`.
    pub reads_allowed: usize,
}

/// A rule whose findings gate, as the reason names it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GatedRule {
    /// The rule id.
    pub id: String,
    /// Its severity.
    pub severity: Severity,
    /// How many of its findings gate.
    pub findings: usize,
}

impl GatedRule {
    /// The reason's order: the most severe first, then by id.
    fn worst_first(a: &GatedRule, b: &GatedRule) -> std::cmp::Ordering {
        b.severity.cmp(&a.severity).then_with(|| a.id.cmp(&b.id))
    }

    /// Tallies findings by rule, worst first.
    fn tally(findings: &[&Finding]) -> Vec<GatedRule> {
        let mut by_id: BTreeMap<&str, GatedRule> = BTreeMap::new();
        for f in findings {
            by_id
                .entry(&f.rule_id)
                .or_insert_with(|| GatedRule {
                    id: f.rule_id.clone(),
                    severity: f.severity,
                    findings: 0,
                })
                .findings += 1;
        }
        let mut rules: Vec<GatedRule> = by_id.into_values().collect();
        rules.sort_by(GatedRule::worst_first);
        rules
    }
}

/// A read that failed during collection (an entry of the report's `collection_errors`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FailedRead<'a> {
    /// The account the read was made for.
    pub account_id: &'a str,
    /// The API operation, as `service:Operation`.
    pub operation: &'a str,
}

/// The gate's verdict.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct GateDecision {
    /// 0 or 1 (after `--exit-zero`).
    pub exit_code: u8,
    /// Whether the gate failed, whatever `--exit-zero` made of the exit status.
    pub failed: bool,
    /// One sentence: why the exit status is what it is.
    pub reason: String,
    /// What was counted.
    pub counted: GateCounts,
}

impl GateDecision {
    /// `"pass"` or `"fail"`, as the JSON report's `run.gate.result`.
    pub fn result(&self) -> &'static str {
        if self.failed { "fail" } else { "pass" }
    }
}

/// Decides the exit status.
///
/// `waived` holds the fingerprints of findings a waiver covers; `baseline_new` the fingerprints
/// the baseline marks new (`None` without `--baseline`).
///
/// `failed_reads` are the reads that failed during collection. One that some finding of the
/// same account cites (as a read error in its evidence) counts through that finding; one that
/// none cites — the rule that needed it was not selected, or no rule reads it — gates by
/// itself unless `--allow-errors`.
pub fn decide(
    findings: &[Finding],
    waived: &BTreeSet<String>,
    baseline_new: Option<&BTreeSet<String>>,
    policy: &GatePolicy,
    failed_reads: &[FailedRead],
) -> GateDecision {
    let mut counted = GateCounts::default();
    let mut fail_rules = Vec::new();
    let mut error_rules = Vec::new();
    for f in findings {
        if !matches!(f.status, Status::Fail | Status::Error) {
            continue;
        }
        if waived.contains(&f.fingerprint) {
            counted.waived += 1;
            continue;
        }
        if policy.fail_on_new_only
            && let Some(new) = baseline_new
            && !new.contains(&f.fingerprint)
        {
            counted.not_new += 1;
            continue;
        }
        match f.status {
            Status::Fail if policy.fail_on.is_some_and(|min| f.severity < min) => {
                counted.below_threshold += 1;
            }
            Status::Fail => {
                counted.fail += 1;
                fail_rules.push(f);
            }
            _ if policy.allow_errors => counted.errors_allowed += 1,
            _ => {
                counted.error += 1;
                error_rules.push(f);
            }
        }
    }
    counted.fail_rules = GatedRule::tally(&fail_rules);
    counted.error_rules = GatedRule::tally(&error_rules);
    let uncited = uncited(findings, failed_reads);
    if policy.allow_errors {
        counted.reads_allowed = uncited.len();
    } else {
        counted.uncited_reads = uncited.len();
        let operations: BTreeSet<String> = uncited.iter().map(|r| r.operation.to_owned()).collect();
        counted.uncited_operations = operations.into_iter().collect();
    }
    let failed = counted.fail + counted.error + counted.uncited_reads > 0;
    let exit_code = if failed && !policy.exit_zero {
        FAILED
    } else {
        PASSED
    };
    GateDecision {
        exit_code,
        failed,
        reason: reason(&counted, policy, failed, baseline_new.is_some()),
        counted,
    }
}

/// The failed reads no finding of their account cites.
fn uncited<'a>(findings: &[Finding], reads: &[FailedRead<'a>]) -> Vec<FailedRead<'a>> {
    let cited: BTreeSet<(&str, &str)> = findings
        .iter()
        .flat_map(|f| {
            f.evidence.iter().filter_map(move |e| match e {
                Evidence::ReadError { operation, .. } => {
                    Some((f.resource.account_id.as_str(), operation.as_str()))
                }
                _ => None,
            })
        })
        .collect();
    reads
        .iter()
        .filter(|r| !cited.contains(&(r.account_id, r.operation)))
        .copied()
        .collect()
}

/// The gate's one-line verdict: why it failed (or passed), then what it did not count.
fn reason(c: &GateCounts, policy: &GatePolicy, failed: bool, has_baseline: bool) -> String {
    let new = if policy.fail_on_new_only && has_baseline {
        "new "
    } else {
        ""
    };
    let threshold = match policy.fail_on {
        Some(s) => format!(" at or above {s}"),
        None => String::new(),
    };
    let (head, parts) = if failed {
        let head = if policy.exit_zero {
            "exit 0 (--exit-zero): the gate would have failed on "
        } else {
            "exit 1: "
        };
        (head, failed_parts(c, new, &threshold))
    } else {
        ("exit 0: ", passed_parts(c, new, &threshold))
    };
    let mut text = format!("{head}{}", join_and(&parts, failed));
    let notes = not_counted(c, policy, failed);
    if !notes.is_empty() {
        text.push_str(&format!(" (not counted: {})", notes.join(", ")));
    }
    text
}

/// What made the gate fail: the FAIL and ERROR findings, each with its rules worst first
/// (`23 FAIL in 15 rules: CT-D02 critical, CT-A07 high, … and 9 more rules`), and the failed
/// reads no finding cites.
fn failed_parts(c: &GateCounts, new: &str, threshold: &str) -> Vec<String> {
    let mut parts = Vec::new();
    if c.fail > 0 {
        parts.push(format!(
            "{} {new}FAIL{threshold} in {}: {}",
            c.fail,
            counted(c.fail_rules.len(), "rule"),
            rule_list(&c.fail_rules)
        ));
    }
    if c.error > 0 {
        parts.push(format!(
            "{} {new}ERROR in {}: {} (use --allow-errors to ignore)",
            c.error,
            counted(c.error_rules.len(), "rule"),
            rule_list(&c.error_rules)
        ));
    }
    if c.uncited_reads > 0 {
        parts.push(format!(
            "{} failed {} that no finding reflects: {} (use --allow-errors to ignore)",
            c.uncited_reads,
            reads(c.uncited_reads),
            listed(&c.uncited_operations, "operation")
        ));
    }
    parts
}

/// Why the gate passed: no FAIL, no ERROR (or only allowed ones), and the allowed failed reads.
fn passed_parts(c: &GateCounts, new: &str, threshold: &str) -> Vec<String> {
    let mut parts = vec![format!("no {new}FAIL{threshold}")];
    if c.errors_allowed > 0 {
        parts.push(format!(
            "{} ERROR ignored by --allow-errors",
            c.errors_allowed
        ));
    } else {
        parts.push(format!("no {new}ERROR"));
    }
    if c.reads_allowed > 0 {
        parts.push(format!(
            "{} failed {} ignored by --allow-errors",
            c.reads_allowed,
            reads(c.reads_allowed)
        ));
    }
    parts
}

/// What the gate left out: waived, already in the baseline, below the threshold, and (when it
/// failed anyway) the errors and reads --allow-errors ignored.
fn not_counted(c: &GateCounts, policy: &GatePolicy, failed: bool) -> Vec<String> {
    let mut notes = Vec::new();
    if c.waived > 0 {
        notes.push(format!("{} waived", c.waived));
    }
    if c.not_new > 0 {
        notes.push(format!("{} already in the baseline", c.not_new));
    }
    if c.below_threshold > 0
        && let Some(min) = policy.fail_on
    {
        notes.push(format!("{} FAIL below {min}", c.below_threshold));
    }
    if failed && c.errors_allowed > 0 {
        notes.push(format!(
            "{} ERROR ignored by --allow-errors",
            c.errors_allowed
        ));
    }
    if failed && c.reads_allowed > 0 {
        notes.push(format!(
            "{} failed {} ignored by --allow-errors",
            c.reads_allowed,
            reads(c.reads_allowed)
        ));
    }
    notes
}

fn reads(n: usize) -> &'static str {
    if n == 1 { "read" } else { "reads" }
}

/// The parts of a reason: `;` between the reasons a gate failed (each may hold its own
/// "and N more"), `,` between the facts of one that passed.
fn join_and(parts: &[String], failed: bool) -> String {
    if failed {
        parts.join("; ")
    } else {
        parts.join(", ")
    }
}

/// `1 rule`, `15 rules`.
fn counted(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `CT-D02 critical, CT-A07 high and 9 more rules`: the first few, worst first.
fn rule_list(rules: &[GatedRule]) -> String {
    let named: Vec<String> = rules
        .iter()
        .map(|r| format!("{} {}", r.id, r.severity))
        .collect();
    listed(&named, "rule")
}

/// `a, b and 9 more <word>s`: the first [`MAX_RULES_IN_REASON`] items, and what the rest count.
fn listed(items: &[String], word: &str) -> String {
    let shown = items[..items.len().min(MAX_RULES_IN_REASON)].join(", ");
    let more = items.len().saturating_sub(MAX_RULES_IN_REASON);
    if more > 0 {
        let what = if more == 1 {
            word.to_owned()
        } else {
            format!("{word}s")
        };
        format!("{shown} and {more} more {what}")
    } else {
        shown
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Resource;
    use crate::vocabulary::fingerprint;

    fn finding(rule: &str, severity: Severity, status: Status, id: &str) -> Finding {
        Finding {
            rule_id: rule.into(),
            title: String::new(),
            severity,
            status,
            resource: Resource {
                account_id: "111111111111".into(),
                region: None,
                resource_type: "AWS::S3::Bucket".into(),
                id: id.into(),
                arn: None,
                partition: "aws".into(),
            },
            message: String::new(),
            evidence: Vec::new(),
            fingerprint: fingerprint(rule, "111111111111", None, id),
        }
    }

    /// FAIL high (CT-A02), FAIL low (CT-B08), ERROR medium (CT-A01), PASS critical (CT-D02).
    fn sample() -> Vec<Finding> {
        vec![
            finding("CT-A02", Severity::High, Status::Fail, "a"),
            finding("CT-B08", Severity::Low, Status::Fail, "b"),
            finding("CT-A01", Severity::Medium, Status::Error, "c"),
            finding("CT-D02", Severity::Critical, Status::Pass, "d"),
            finding("CT-D03", Severity::Critical, Status::NotApplicable, "e"),
        ]
    }

    fn fp(findings: &[Finding], rule: &str) -> String {
        findings
            .iter()
            .find(|f| f.rule_id == rule)
            .map(|f| f.fingerprint.clone())
            .unwrap_or_default()
    }

    struct Case {
        name: &'static str,
        policy: GatePolicy,
        waive: &'static [&'static str],
        new: Option<&'static [&'static str]>,
        exit: u8,
        failed: bool,
        reason: &'static str,
    }

    const fn policy(
        fail_on: Option<Severity>,
        allow_errors: bool,
        exit_zero: bool,
        fail_on_new_only: bool,
    ) -> GatePolicy {
        GatePolicy {
            fail_on,
            allow_errors,
            exit_zero,
            fail_on_new_only,
        }
    }

    const HIGH: Option<Severity> = Some(Severity::High);
    const CRIT: Option<Severity> = Some(Severity::Critical);

    #[test]
    fn every_combination() {
        let cases = [
            Case {
                name: "defaults: every FAIL and ERROR gate",
                policy: policy(None, false, false, false),
                waive: &[],
                new: None,
                exit: 1,
                failed: true,
                reason: "exit 1: 2 FAIL in 2 rules: CT-A02 high, CT-B08 low; 1 ERROR in 1 rule: CT-A01 medium (use --allow-errors to ignore)",
            },
            Case {
                name: "threshold high leaves the low FAIL report-only",
                policy: policy(HIGH, false, false, false),
                waive: &[],
                new: None,
                exit: 1,
                failed: true,
                reason: "exit 1: 1 FAIL at or above high in 1 rule: CT-A02 high; 1 ERROR in 1 rule: CT-A01 medium (use --allow-errors to ignore) (not counted: 1 FAIL below high)",
            },
            Case {
                name: "threshold high, errors allowed",
                policy: policy(HIGH, true, false, false),
                waive: &[],
                new: None,
                exit: 1,
                failed: true,
                reason: "exit 1: 1 FAIL at or above high in 1 rule: CT-A02 high (not counted: 1 FAIL below high, 1 ERROR ignored by --allow-errors)",
            },
            Case {
                name: "threshold critical, errors allowed: passes",
                policy: policy(CRIT, true, false, false),
                waive: &[],
                new: None,
                exit: 0,
                failed: false,
                reason: "exit 0: no FAIL at or above critical, 1 ERROR ignored by --allow-errors (not counted: 2 FAIL below critical)",
            },
            Case {
                name: "threshold critical: only the ERROR gates",
                policy: policy(CRIT, false, false, false),
                waive: &[],
                new: None,
                exit: 1,
                failed: true,
                reason: "exit 1: 1 ERROR in 1 rule: CT-A01 medium (use --allow-errors to ignore) (not counted: 2 FAIL below critical)",
            },
            Case {
                name: "exit-zero turns 1 into 0 and says so",
                policy: policy(None, false, true, false),
                waive: &[],
                new: None,
                exit: 0,
                failed: true,
                reason: "exit 0 (--exit-zero): the gate would have failed on 2 FAIL in 2 rules: CT-A02 high, CT-B08 low; 1 ERROR in 1 rule: CT-A01 medium (use --allow-errors to ignore)",
            },
            Case {
                name: "exit-zero on a passing gate changes nothing",
                policy: policy(CRIT, true, true, false),
                waive: &[],
                new: None,
                exit: 0,
                failed: false,
                reason: "exit 0: no FAIL at or above critical, 1 ERROR ignored by --allow-errors (not counted: 2 FAIL below critical)",
            },
            Case {
                name: "waived FAIL and ERROR do not gate",
                policy: policy(HIGH, false, false, false),
                waive: &["CT-A02", "CT-A01"],
                new: None,
                exit: 0,
                failed: false,
                reason: "exit 0: no FAIL at or above high, no ERROR (not counted: 2 waived, 1 FAIL below high)",
            },
            Case {
                name: "waiving a PASS changes nothing",
                policy: policy(None, false, false, false),
                waive: &["CT-D02", "CT-A01"],
                new: None,
                exit: 1,
                failed: true,
                reason: "exit 1: 2 FAIL in 2 rules: CT-A02 high, CT-B08 low (not counted: 1 waived)",
            },
            Case {
                name: "new-only: only what the baseline marks new",
                policy: policy(None, false, false, true),
                waive: &[],
                new: Some(&["CT-B08"]),
                exit: 1,
                failed: true,
                reason: "exit 1: 1 new FAIL in 1 rule: CT-B08 low (not counted: 2 already in the baseline)",
            },
            Case {
                name: "new-only with nothing new passes",
                policy: policy(None, false, false, true),
                waive: &[],
                new: Some(&[]),
                exit: 0,
                failed: false,
                reason: "exit 0: no new FAIL, no new ERROR (not counted: 3 already in the baseline)",
            },
            Case {
                name: "new-only and threshold: a new low FAIL is below it",
                policy: policy(HIGH, false, false, true),
                waive: &[],
                new: Some(&["CT-B08"]),
                exit: 0,
                failed: false,
                reason: "exit 0: no new FAIL at or above high, no new ERROR (not counted: 2 already in the baseline, 1 FAIL below high)",
            },
            Case {
                name: "new-only: a new ERROR gates",
                policy: policy(None, false, false, true),
                waive: &[],
                new: Some(&["CT-A01"]),
                exit: 1,
                failed: true,
                reason: "exit 1: 1 new ERROR in 1 rule: CT-A01 medium (use --allow-errors to ignore) (not counted: 2 already in the baseline)",
            },
            Case {
                name: "new-only and waiver: the waiver wins",
                policy: policy(None, false, false, true),
                waive: &["CT-B08"],
                new: Some(&["CT-B08"]),
                exit: 0,
                failed: false,
                reason: "exit 0: no new FAIL, no new ERROR (not counted: 1 waived, 2 already in the baseline)",
            },
            Case {
                name: "new-only without a baseline counts everything (fail closed)",
                policy: policy(None, true, false, true),
                waive: &[],
                new: None,
                exit: 1,
                failed: true,
                reason: "exit 1: 2 FAIL in 2 rules: CT-A02 high, CT-B08 low (not counted: 1 ERROR ignored by --allow-errors)",
            },
            Case {
                name: "a baseline without new-only changes nothing",
                policy: policy(HIGH, true, false, false),
                waive: &[],
                new: Some(&[]),
                exit: 1,
                failed: true,
                reason: "exit 1: 1 FAIL at or above high in 1 rule: CT-A02 high (not counted: 1 FAIL below high, 1 ERROR ignored by --allow-errors)",
            },
        ];
        let findings = sample();
        for case in cases {
            let waived: BTreeSet<String> = case.waive.iter().map(|r| fp(&findings, r)).collect();
            let new: Option<BTreeSet<String>> = case
                .new
                .map(|rules| rules.iter().map(|r| fp(&findings, r)).collect());
            let d = decide(&findings, &waived, new.as_ref(), &case.policy, &[]);
            assert_eq!(d.exit_code, case.exit, "{}", case.name);
            assert_eq!(d.failed, case.failed, "{}", case.name);
            assert_eq!(d.reason, case.reason, "{}", case.name);
            assert_eq!(d.result(), if case.failed { "fail" } else { "pass" });
        }
    }

    #[test]
    fn nothing_to_report_passes() {
        let d = decide(&[], &BTreeSet::new(), None, &GatePolicy::default(), &[]);
        assert_eq!(d.exit_code, 0);
        assert_eq!(d.reason, "exit 0: no FAIL, no ERROR");
        let high = policy(HIGH, false, false, false);
        let d = decide(&[], &BTreeSet::new(), None, &high, &[]);
        assert_eq!(d.reason, "exit 0: no FAIL at or above high, no ERROR");
    }

    #[test]
    fn counts_and_long_rule_lists() {
        // Ids ascending, severities rising: the reason must not follow the ids.
        let severity = |i: usize| match i {
            0..=2 => Severity::Low,
            3..=6 => Severity::High,
            _ => Severity::Critical,
        };
        let findings: Vec<Finding> = (0..8)
            .flat_map(|i| {
                let rule = format!("CT-X{i:02}");
                [
                    finding(&rule, severity(i), Status::Fail, "a"),
                    finding(&rule, severity(i), Status::Fail, "b"),
                ]
            })
            .collect();
        let d = decide(
            &findings,
            &BTreeSet::new(),
            None,
            &GatePolicy::default(),
            &[],
        );
        assert_eq!(d.counted.fail, 16);
        assert_eq!(d.counted.fail_rules.len(), 8);
        assert_eq!(
            d.reason,
            "exit 1: 16 FAIL in 8 rules: CT-X07 critical, CT-X03 high, CT-X04 high, CT-X05 high, CT-X06 high, CT-X00 low and 2 more rules"
        );
    }
}
