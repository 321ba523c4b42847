//! Building the report: findings + rule metadata + inventory + annotations → [`Report`].

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

use super::collection::collection_errors;
use super::model::{
    BaselineState, ControlCoverage, FrameworkCoverage, RemediationInfo, Report, ReportFinding,
    ReportInput, ResolvedFinding, RuleInfo, RulePack, RuleSource, SCHEMA, Summary, Tool,
};
use crate::finding::{self, Status};
use crate::rules::{Rule, RuleSet};

impl Report {
    /// Builds the report: attaches compliance mappings and annotations to each finding,
    /// completes the run scope from the inventory, counts, and sorts everything.
    pub fn build(input: ReportInput<'_>) -> Report {
        let ReportInput {
            rules,
            mut findings,
            inventory,
            mut run,
            annotations,
            gate,
        } = input;
        finding::sort(&mut findings);
        let findings: Vec<ReportFinding> = findings
            .into_iter()
            .map(|f| {
                let frameworks = rules
                    .get(&f.rule_id)
                    .map(|r| r.frameworks.clone())
                    .unwrap_or_default();
                ReportFinding {
                    waiver: annotations.waivers.get(&f.fingerprint).cloned(),
                    baseline: annotations.baseline.get(&f.fingerprint).copied(),
                    rule_id: f.rule_id,
                    title: f.title,
                    severity: f.severity,
                    status: f.status,
                    resource: f.resource,
                    message: f.message,
                    evidence: f.evidence,
                    fingerprint: f.fingerprint,
                    frameworks,
                }
            })
            .collect();

        let mut accounts: BTreeSet<String> = run.accounts.drain(..).collect();
        let mut regions: BTreeSet<String> = run.regions.drain(..).collect();
        if let Some(inv) = inventory {
            for account in &inv.accounts {
                accounts.insert(account.account_id.to_string());
                regions.extend(
                    account
                        .regions
                        .iter()
                        .filter(|r| r.in_scope)
                        .map(|r| r.region.to_string()),
                );
            }
        }
        accounts.extend(findings.iter().map(|f| f.resource.account_id.clone()));
        run.accounts = accounts.into_iter().collect();
        run.regions = regions.into_iter().collect();

        let mut resolved = annotations.resolved;
        resolved.sort_by(|a, b| {
            let key = |r: &ResolvedFinding| {
                (
                    r.rule_id.clone(),
                    r.resource.account_id.clone(),
                    r.resource.region.clone().unwrap_or_default(),
                    r.resource.id.clone(),
                )
            };
            key(a).cmp(&key(b))
        });
        let mut waivers = annotations.waiver_report;
        for list in [
            &mut waivers.applied,
            &mut waivers.expired,
            &mut waivers.unused,
        ] {
            list.sort_by(|a, b| a.id.cmp(&b.id));
        }

        let summary = Summary::of(&findings, resolved.len(), run.accounts.len());
        let frameworks = coverage(rules, &findings, run.framework.as_deref());
        Report {
            schema: SCHEMA.to_owned(),
            tool: Tool {
                name: "trailguard".to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            rule_pack: RulePack {
                count: rules.len(),
                digest: digest(rules),
            },
            run,
            gate,
            summary,
            rules: rules.iter().map(RuleInfo::of).collect(),
            findings,
            resolved,
            waivers,
            collection_errors: inventory.map(collection_errors).unwrap_or_default(),
            frameworks,
        }
    }

    /// The metadata of the rule with this id.
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }
}

impl Summary {
    /// Counts over sorted findings.
    pub fn of(findings: &[ReportFinding], resolved: usize, accounts: usize) -> Summary {
        let mut s = Summary {
            total: findings.len(),
            resolved,
            accounts,
            ..Summary::default()
        };
        for f in findings {
            match f.status {
                Status::Pass => s.pass += 1,
                Status::Fail => {
                    s.fail += 1;
                    s.fail_by_severity.add(f.severity);
                    if !f.is_waived() {
                        s.unwaived_fail_by_severity.add(f.severity);
                    }
                }
                Status::Error => s.error += 1,
                Status::NotApplicable => s.not_applicable += 1,
            }
            s.waived += usize::from(f.is_waived());
            s.new += usize::from(f.baseline == Some(BaselineState::New));
        }
        s
    }
}

impl RuleInfo {
    /// The report's view of a loaded rule.
    pub fn of(rule: &Rule) -> RuleInfo {
        RuleInfo {
            id: rule.id.clone(),
            title: rule.title.clone(),
            severity: rule.severity,
            scope: rule.scope.as_str().to_owned(),
            rationale: rule.rationale.trim().to_owned(),
            remediation: RemediationInfo {
                text: rule.remediation.text.trim().to_owned(),
                cli: rule.remediation.cli.clone(),
                url: rule.remediation.url.clone(),
            },
            references: rule.references.clone(),
            frameworks: rule.frameworks.clone(),
            source: RuleSource {
                path: relative_path(&rule.source.name),
                line: id_line(rule),
            },
            builtin: rule.builtin,
        }
    }
}

/// A rule file's name as a relative, `/`-separated path (`./rules/x.yaml` → `rules/x.yaml`).
fn relative_path(name: &str) -> String {
    let mut path = name.replace('\\', "/");
    if let Some(rest) = path.strip_prefix("builtin:") {
        path = rest.to_owned();
    }
    while let Some(rest) = path.strip_prefix("./") {
        path = rest.to_owned();
    }
    path
}

/// The line of the rule's `id:`: from the parser, or found in the text.
fn id_line(rule: &Rule) -> usize {
    if rule.id_pos.line > 0 {
        return rule.id_pos.line;
    }
    rule.source
        .text
        .lines()
        .position(|l| l.starts_with("id:"))
        .map_or(1, |i| i + 1)
}

/// FNV-1a 64 over every rule's id, file name and text, in id order.
fn digest(rules: &RuleSet) -> String {
    const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut hash = OFFSET;
    for rule in rules.iter() {
        for part in [&rule.id, &rule.source.name, &rule.source.text] {
            for byte in part.bytes().chain(std::iter::once(0x1f)) {
                hash ^= u64::from(byte);
                hash = hash.wrapping_mul(PRIME);
            }
        }
    }
    format!("fnv1a64:{hash:016x}")
}

/// Every framework the rules map to (or only `only`), each control with its folded status.
fn coverage(
    rules: &RuleSet,
    findings: &[ReportFinding],
    only: Option<&str>,
) -> Vec<FrameworkCoverage> {
    // framework → control → rule ids
    let mut map: BTreeMap<&str, BTreeMap<&str, BTreeSet<&str>>> = BTreeMap::new();
    for rule in rules.iter() {
        for (framework, controls) in &rule.frameworks {
            if only.is_some_and(|o| o != framework) {
                continue;
            }
            for control in controls {
                map.entry(framework)
                    .or_default()
                    .entry(control)
                    .or_default()
                    .insert(&rule.id);
            }
        }
    }
    map.into_iter()
        .map(|(framework, controls)| {
            let mut controls: Vec<ControlCoverage> = controls
                .into_iter()
                .map(|(control, rule_ids)| control_coverage(control, &rule_ids, findings))
                .collect();
            controls.sort_by(|a, b| control_order(&a.control, &b.control));
            FrameworkCoverage {
                framework: framework.to_owned(),
                controls,
            }
        })
        .collect()
}

fn control_coverage(
    control: &str,
    rule_ids: &BTreeSet<&str>,
    findings: &[ReportFinding],
) -> ControlCoverage {
    let mut c = ControlCoverage {
        control: control.to_owned(),
        rules: rule_ids.iter().map(|r| (*r).to_owned()).collect(),
        status: Status::NotApplicable,
        pass: 0,
        fail: 0,
        error: 0,
        not_applicable: 0,
        waived: 0,
    };
    for f in findings
        .iter()
        .filter(|f| rule_ids.contains(f.rule_id.as_str()))
    {
        match f.status {
            Status::Fail | Status::Error if f.is_waived() => c.waived += 1,
            Status::Fail => c.fail += 1,
            Status::Error => c.error += 1,
            Status::Pass => c.pass += 1,
            Status::NotApplicable => c.not_applicable += 1,
        }
    }
    c.status = if c.fail > 0 {
        Status::Fail
    } else if c.error > 0 {
        Status::Error
    } else if c.pass + c.waived > 0 {
        Status::Pass
    } else {
        Status::NotApplicable
    };
    c
}

/// Natural order of control ids: dot-separated parts, numbers compared as numbers.
fn control_order(a: &str, b: &str) -> Ordering {
    let (mut pa, mut pb) = (a.split('.'), b.split('.'));
    loop {
        match (pa.next(), pb.next()) {
            (None, None) => return a.cmp(b),
            (None, Some(_)) => return Ordering::Less,
            (Some(_), None) => return Ordering::Greater,
            (Some(x), Some(y)) => {
                let ord = match (x.parse::<u64>(), y.parse::<u64>()) {
                    (Ok(m), Ok(n)) => m.cmp(&n),
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
    use super::control_order;

    #[test]
    fn controls_in_natural_order() {
        let mut ids = vec!["3.10", "3.2", "CloudTrail.10", "CloudTrail.9", "3.1", "a"];
        ids.sort_by(|a, b| control_order(a, b));
        assert_eq!(
            ids,
            ["3.1", "3.2", "3.10", "CloudTrail.9", "CloudTrail.10", "a"]
        );
    }
}
