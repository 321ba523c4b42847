//! Building the report: findings + rule metadata + inventory + annotations → [`Report`].

use std::collections::BTreeSet;

use super::model::{
    Annotations, BaselineState, ControlCoverage, FrameworkCoverage, RemediationInfo, Report,
    ReportFinding, ReportInput, RuleInfo, RulePack, RuleSource, RunInfo, SCHEMA, Summary, Tool,
    WaiverReport,
};
use crate::finding::{self, Finding};
use crate::frameworks::{self, ControlState};
use crate::inventory::Inventory;
use crate::rules::{Rule, RuleSet};
use crate::vocabulary::{Fnv1a64, Status};

impl Report {
    /// Builds the report: attaches compliance mappings and annotations to each finding,
    /// completes the run scope from the inventory, and counts. Findings keep the order they
    /// come in (evaluation sorts them, once).
    pub fn build(input: ReportInput<'_>) -> Report {
        let ReportInput {
            rules,
            findings,
            inventory,
            collection_errors,
            mut run,
            annotations,
            gate,
        } = input;
        debug_assert!(
            finding::is_sorted(&findings),
            "findings come sorted from evaluation"
        );
        let waived: BTreeSet<String> = annotations.waivers.keys().cloned().collect();
        let frameworks = coverage(rules, &findings, &waived, run.framework.as_deref());
        let findings = annotate(rules, findings, &annotations);
        complete_scope(&mut run, inventory, &findings);
        let resolved = annotations.resolved;
        let waivers = sorted_by_id(annotations.waiver_report);
        let summary = Summary::of(&findings, resolved.len(), run.accounts.len());
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
            collection_errors,
            frameworks,
        }
    }

    /// The metadata of the rule with this id.
    pub fn rule(&self, id: &str) -> Option<&RuleInfo> {
        self.rules.iter().find(|r| r.id == id)
    }
}

/// Each finding with its compliance mappings, waiver and baseline state.
fn annotate(
    rules: &RuleSet,
    findings: Vec<Finding>,
    annotations: &Annotations,
) -> Vec<ReportFinding> {
    findings
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
        .collect()
}

/// Completes the run's accounts and regions, sorted and unique: what the caller gave, the
/// inventory's accounts and in-scope regions, and every account a finding is about.
fn complete_scope(run: &mut RunInfo, inventory: Option<&Inventory>, findings: &[ReportFinding]) {
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
}

/// The waiver lists, each sorted by waiver id.
fn sorted_by_id(mut waivers: WaiverReport) -> WaiverReport {
    for list in [
        &mut waivers.applied,
        &mut waivers.expired,
        &mut waivers.unused,
    ] {
        list.sort_by(|a, b| a.id.cmp(&b.id));
    }
    waivers
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

/// A rule file's name as a relative, `/`-separated path (`./rules/x.yaml` → `rules/x.yaml`;
/// `--rules /abs/dir` under the working directory → `dir/x.yaml`, as a reader at that
/// directory would name it).
fn relative_path(name: &str) -> String {
    let under_cwd = std::env::current_dir().ok().and_then(|cwd| {
        let rest = std::path::Path::new(name).strip_prefix(cwd).ok()?;
        Some(rest.to_string_lossy().into_owned())
    });
    let mut path = under_cwd
        .unwrap_or_else(|| name.to_owned())
        .replace('\\', "/");
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
    let hash = rules.iter().fold(Fnv1a64::new(), |hash, rule| {
        hash.part(&rule.id)
            .part(&rule.source.name)
            .part(&rule.source.text)
    });
    format!("fnv1a64:{}", hash.hex())
}

/// Per-framework control status, folded by [`frameworks::control_status`] (the one place
/// that decides what a control's status is).
fn coverage(
    rules: &RuleSet,
    findings: &[Finding],
    waived: &BTreeSet<String>,
    only: Option<&str>,
) -> Vec<FrameworkCoverage> {
    let ids: BTreeSet<&str> = rules
        .iter()
        .flat_map(|r| r.frameworks.keys().map(String::as_str))
        .filter(|f| only.is_none_or(|o| o == *f))
        .collect();
    ids.into_iter()
        .filter_map(|id| {
            let controls = frameworks::control_status(findings, rules, id, waived).ok()?;
            Some(FrameworkCoverage {
                framework: id.to_owned(),
                controls: controls
                    .into_iter()
                    .map(|c| ControlCoverage {
                        control: c.control_id,
                        rules: c.rules,
                        status: match c.status {
                            ControlState::Pass => Status::Pass,
                            ControlState::Fail => Status::Fail,
                            ControlState::Error => Status::Error,
                            ControlState::NotApplicable => Status::NotApplicable,
                        },
                        pass: c.counts.pass,
                        fail: c.counts.fail,
                        error: c.counts.error,
                        not_applicable: c.counts.not_applicable,
                        waived: c.counts.waived,
                    })
                    .collect(),
            })
        })
        .collect()
}
