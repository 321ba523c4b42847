//! The shared report fixture of the `report_*` modules: the built-in pack (a handful of rules
//! that give every status) over two fixture inventories, with a fixed clock and hand-set
//! waiver, baseline and gate annotations.

use std::collections::BTreeMap;

use trailguard::evaluate::evaluate;
use trailguard::finding::{Resource, Status};
use trailguard::inventory::{Inventory, Timestamp};
use trailguard::report::{
    Annotations, AppliedWaiver, BaselineState, GateSummary, Mode, Report, ReportInput,
    ResolvedFinding, RunInfo, WaiverEntry, WaiverReport,
};
use trailguard::rules::{RuleSet, Severity, load_builtin};

/// The rules of the fixture: enough for FAIL (several severities), ERROR, PASS and N/A.
pub const RULES: &[&str] = &[
    "CT-A01", "CT-A03", "CT-A04", "CT-A09", "CT-B01", "CT-B03", "CT-B07", "CT-D02", "CT-D03",
];

/// The fixture inventories.
pub const INVENTORIES: &[&str] = &[
    "tests/fixtures/inventories/legacy.json",
    "tests/fixtures/inventories/cross-account-bucket.json",
];

/// The pack, limited to [`RULES`].
pub fn rules() -> RuleSet {
    let mut rules = load_builtin()
        .unwrap_or_else(|p| panic!("built-in pack does not load:\n{}", p.render(false)));
    rules.retain(|r| RULES.contains(&r.id.as_str()));
    rules
}

/// Both inventories as one (their accounts side by side).
pub fn inventory() -> Inventory {
    let mut merged: Option<Inventory> = None;
    for name in INVENTORIES {
        let inv = super::fixtures::load_inventory(name);
        match &mut merged {
            None => merged = Some(inv),
            Some(m) => m.accounts.extend(inv.accounts),
        }
    }
    let mut inv = merged.expect("at least one inventory");
    inv.normalize();
    inv
}

pub fn ts(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("valid timestamp")
}

fn waiver(id: &str, rule: &str, line: usize, matched: usize) -> WaiverEntry {
    WaiverEntry {
        id: id.into(),
        rule: rule.into(),
        resource: "*".into(),
        reason: format!("{id}: accepted while the migration runs (SEC-1423)"),
        owner: "platform-security".into(),
        expires: "2026-12-31".into(),
        location: format!("waivers.yaml:{line}:5"),
        matched,
    }
}

/// The shared report.
pub fn report() -> Report {
    let rules = rules();
    let inventory = inventory();
    let now = ts("2026-11-20T09:14:41Z");
    let findings = evaluate(&rules, &inventory, now);

    let fails: Vec<_> = findings
        .iter()
        .filter(|f| f.status == Status::Fail)
        .collect();
    assert!(fails.len() >= 3, "the fixture needs FAIL findings");
    let waived = fails[0];
    let new = fails[1];
    let mut annotations = Annotations::default();
    annotations.waivers.insert(
        waived.fingerprint.clone(),
        AppliedWaiver {
            id: "W-001".into(),
            rule: waived.rule_id.clone(),
            reason: "Legacy trail is replaced by the organization trail in Q4 | SEC-1423".into(),
            owner: "platform-security".into(),
            expires: "2026-12-31".into(),
        },
    );
    // As the baseline marks them: FAIL and ERROR findings only.
    let baseline: BTreeMap<String, BaselineState> = findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error))
        .map(|f| {
            let state = if f.fingerprint == new.fingerprint {
                BaselineState::New
            } else {
                BaselineState::Unchanged
            };
            (f.fingerprint.clone(), state)
        })
        .collect();
    annotations.baseline = baseline;
    annotations.resolved.push(ResolvedFinding {
        rule_id: "CT-B01".into(),
        title: "Log file validation is enabled".into(),
        severity: Severity::Medium,
        current_status: None,
        resource: Resource {
            account_id: "345678901234".into(),
            region: None,
            resource_type: "AWS::S3::Bucket".into(),
            id: "old-audit-logs".into(),
            arn: Some("arn:aws:s3:::old-audit-logs".into()),
            partition: "aws".into(),
        },
        fingerprint: trailguard::finding::fingerprint(
            "CT-B01",
            "345678901234",
            None,
            "old-audit-logs",
        ),
        previous_status: Status::Fail,
    });
    annotations.waiver_report = WaiverReport {
        applied: vec![waiver("W-001", &waived.rule_id, 3, 1)],
        expired: vec![waiver("W-002", "CT-D0*", 10, 2)],
        unused: vec![waiver("W-003", "CT-A08", 17, 0)],
    };
    let mut report = Report::build(ReportInput {
        rules: &rules,
        findings,
        inventory: Some(&inventory),
        collection_errors: trailguard::report::collection_errors(&inventory),
        run: RunInfo {
            mode: Mode::Offline,
            started_at: ts("2026-11-20T09:14:03Z"),
            finished_at: now,
            accounts: Vec::new(),
            regions: Vec::new(),
            inventory_files: INVENTORIES.iter().map(|s| (*s).to_owned()).collect(),
            framework: None,
        },
        annotations,
        gate: GateSummary {
            exit_code: 1,
            failed: true,
            reason: "8 FAIL at or above low in 5 rules: CT-D02 critical, CT-A03 high, CT-B01 medium, CT-B07 low, CT-D03 low; 3 ERROR in 3 rules: CT-D02 critical, CT-B03 medium, CT-D03 low (use --allow-errors to ignore) (not counted: 1 waived)".into(),
            fail_on: Some(Severity::Low),
            allow_errors: false,
            exit_zero: false,
            fail_on_new_only: false,
        },
    });
    // Pinned so that a version bump does not churn every snapshot.
    report.tool.version = "0.0.0-fixture".into();
    report
}

/// The report rendered in one format.
pub fn render(
    report: &Report,
    format: trailguard::report::Format,
    options: &trailguard::report::RenderOptions,
) -> String {
    let mut out = Vec::new();
    trailguard::report::render(format, report, options, &mut out).expect("renders");
    String::from_utf8(out).expect("UTF-8")
}
