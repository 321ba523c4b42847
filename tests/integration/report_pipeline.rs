//! The report wired to the real waiver, baseline and gate stages (through `report`'s
//! conversions): a JSON report is readable as a baseline, and waivers, baseline states,
//! resolved findings and the gate verdict land where the renderers look for them.

use crate::support::repo_root;
use crate::support::report_fixture as fixture;

use trailguard::baseline::{Baseline, ReportFile};
use trailguard::evaluate::evaluate;
use trailguard::finding::Status;
use trailguard::gate::{GatePolicy, decide};
use trailguard::inventory::Inventory;
use trailguard::report::{
    Annotations, BaselineState, Format, GateSummary, Mode, RenderOptions, Report, ReportInput,
    RunInfo,
};
use trailguard::rules::Severity;
use trailguard::waivers::Waivers;

const WAIVERS: &str = r#"
schema: trailguard.waivers/v1
waivers:
  - id: W-legacy-sns
    rule: CT-B07
    resource: "arn:aws:cloudtrail:us-east-1:345678901234:trail/legacy-*"
    reason: "Legacy trail | retired in Q4"
    owner: platform-security
    expires: 2026-12-31
  - id: W-old
    rule: CT-D0*
    resource: "*"
    reason: Old exception
    owner: platform-security
    expires: 2025-01-31
  - id: W-unused
    rule: CT-A09
    resource: "*"
    reason: Nothing to cover
    owner: platform-security
    expires: 2026-12-31
"#;

fn run_info(inv: &Inventory) -> RunInfo {
    RunInfo {
        mode: Mode::Offline,
        started_at: inv.collection.started_at,
        finished_at: inv.collection.finished_at,
        accounts: Vec::new(),
        regions: Vec::new(),
        inventory_files: Vec::new(),
        framework: None,
    }
}

fn json(report: &Report) -> String {
    fixture::render(report, Format::Json, &RenderOptions::default())
}

#[test]
fn waivers_baseline_and_gate_flow_into_every_format() {
    let rules = fixture::rules();
    let now = fixture::ts("2026-11-20T09:14:41Z");

    // Last month: only the legacy account was audited.
    let legacy = Inventory::load(&repo_root().join(fixture::INVENTORIES[0]))
        .unwrap_or_else(|e| panic!("{e}"));
    let before = Report::build(ReportInput {
        rules: &rules,
        findings: evaluate(&rules, &legacy, now),
        inventory: Some(&legacy),
        collection_errors: trailguard::report::collection_errors(&legacy),
        run: run_info(&legacy),
        annotations: Annotations::default(),
        gate: GateSummary {
            exit_code: 1,
            failed: true,
            reason: "earlier run".into(),
            fail_on: None,
            allow_errors: false,
            exit_zero: false,
            fail_on_new_only: false,
        },
    });
    let file = ReportFile::parse("before.json", &json(&before))
        .unwrap_or_else(|e| panic!("the JSON report is not readable as a baseline: {e}"));
    let baseline = Baseline { report: file };

    // Today: both accounts.
    let inventory = fixture::inventory();
    let findings = evaluate(&rules, &inventory, now);
    let waivers =
        Waivers::parse("waivers.yaml", WAIVERS).unwrap_or_else(|p| panic!("{}", p.render(false)));
    let today = time::macros::date!(2026 - 11 - 20);
    let waived = waivers.apply(&findings, today);
    let compared = baseline.compare(&findings);
    let policy = GatePolicy {
        fail_on: Some(Severity::Medium),
        allow_errors: false,
        exit_zero: false,
        fail_on_new_only: true,
    };
    let decision = decide(
        &findings,
        &waived.waived(),
        Some(&compared.new_fingerprints()),
        &policy,
        &[],
    );
    let report = Report::build(ReportInput {
        rules: &rules,
        findings,
        inventory: Some(&inventory),
        collection_errors: trailguard::report::collection_errors(&inventory),
        run: run_info(&inventory),
        annotations: Annotations::from_outcomes(Some(&waived), Some(&compared)),
        gate: GateSummary::from_decision(&decision, &policy),
    });

    // Waivers: one applied (with its reason), one expired, one unused.
    let ids = |l: &[trailguard::report::WaiverEntry]| -> Vec<String> {
        l.iter().map(|w| w.id.clone()).collect()
    };
    assert_eq!(ids(&report.waivers.applied), ["W-legacy-sns"]);
    assert_eq!(ids(&report.waivers.expired), ["W-old"]);
    assert_eq!(ids(&report.waivers.unused), ["W-unused"]);
    assert_eq!(
        report.waivers.applied[0].reason,
        "Legacy trail | retired in Q4"
    );
    let covered: Vec<_> = report.findings.iter().filter(|f| f.is_waived()).collect();
    assert_eq!(covered.len(), 1);
    assert_eq!(covered[0].status, Status::Fail, "a waiver keeps the status");
    assert_eq!(
        covered[0].waiver.as_ref().map(|w| w.expires.as_str()),
        Some("2026-12-31")
    );

    // Baseline: the second account's problems are new, the legacy account's unchanged.
    for f in report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error))
    {
        let want = if f.resource.account_id == "345678901234" {
            BaselineState::Unchanged
        } else {
            BaselineState::New
        };
        assert_eq!(f.baseline, Some(want), "{} {}", f.rule_id, f.resource.id);
    }
    assert!(report.resolved.is_empty(), "nothing was fixed");

    // The gate: its verdict and policy, recorded and printed last.
    assert_eq!(report.gate.exit_code, decision.exit_code);
    assert_eq!(report.gate.reason, decision.reason);
    assert!(report.gate.fail_on_new_only);
    let text = fixture::render(&report, Format::Text, &RenderOptions::default());
    // The gate's reason already names the exit code; the text's last line is that reason.
    assert!(
        decision
            .reason
            .starts_with(&format!("exit {}", decision.exit_code))
    );
    assert_eq!(text.lines().last(), Some(decision.reason.as_str()));
    // Every format renders it.
    for format in Format::ALL {
        assert!(!fixture::render(&report, *format, &RenderOptions::default()).is_empty());
    }
    // And the report reads back.
    let back: Report = serde_json::from_str(&json(&report)).expect("reads back");
    assert_eq!(back, report);
}
