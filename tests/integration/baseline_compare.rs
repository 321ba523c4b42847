//! Baselines: reading report files (tolerant of extra fields, strict about the schema) and
//! marking findings new / unchanged / resolved.

use std::path::Path;

use trailguard::baseline::{Baseline, BaselineState, ReportFile, ReportFileError};
use trailguard::finding::{Finding, Status};

use crate::support::fixtures::report_findings;
use crate::support::repo_root;

const OLD: &str = "tests/fixtures/reports/old.json";
const NEW: &str = "tests/fixtures/reports/new.json";

fn key(findings: &[Finding], fp: &str) -> String {
    findings
        .iter()
        .find(|f| f.fingerprint == fp)
        .map(|f| format!("{} {}", f.rule_id, f.resource.id))
        .unwrap_or_else(|| fp.to_owned())
}

#[test]
fn reads_only_what_it_needs() {
    let r = ReportFile::load(&repo_root().join(OLD)).expect("loads");
    assert_eq!(r.schema, "trailguard.report/v1");
    assert_eq!(r.findings.len(), 10);
    assert_eq!(r.rules.len(), 8);
    let d02 = r
        .findings
        .iter()
        .find(|f| f.rule_id == "CT-D02")
        .expect("present");
    assert_eq!(
        d02.resource.arn.as_deref(),
        Some("arn:aws:s3:::legacy-logs")
    );
    assert!(!d02.waived);
    let new = ReportFile::load(&repo_root().join(NEW)).expect("loads");
    assert!(
        new.findings.iter().any(|f| f.waived),
        "the waiver object is noticed"
    );
    // A minimal report: no rules list, no titles, no partition.
    let minimal = r#"{"schema": "trailguard.report/v1.3", "future": {"x": 1}, "findings": [
        {"rule_id": "CT-A01", "severity": "high", "status": "FAIL", "fingerprint": "ab",
         "resource": {"account_id": "1", "type": "AWS::::Account", "id": "1", "extra": true}}]}"#;
    let m = ReportFile::parse("m.json", minimal).expect("minimal report");
    assert_eq!(m.rules, ["CT-A01"]);
    assert_eq!(m.findings[0].resource.partition, "aws");
}

#[test]
fn compare_marks_new_unchanged_and_resolved() {
    let baseline = Baseline::load(&repo_root().join(OLD)).expect("loads");
    let now = report_findings(NEW);
    let out = baseline.compare(&now);
    let states: Vec<(String, BaselineState)> = out
        .state
        .iter()
        .map(|(fp, s)| (key(&now, fp), *s))
        .collect::<std::collections::BTreeMap<_, _>>()
        .into_iter()
        .collect();
    let arn = "arn:aws:cloudtrail:us-east-1";
    assert_eq!(
        states,
        [
            ("CT-A02 us-east-1".to_owned(), BaselineState::Unchanged),
            (
                format!("CT-A07 {arn}:222222222222:trail/legacy"),
                BaselineState::New
            ),
            (
                format!("CT-C03 {arn}:333333333333:trail/plain"),
                BaselineState::New
            ),
            ("CT-D02 legacy-logs".to_owned(), BaselineState::Unchanged),
            // ERROR → FAIL stays a problem: unchanged.
            ("CT-D06 legacy-logs".to_owned(), BaselineState::Unchanged),
        ]
    );
    assert_eq!(out.new_fingerprints().len(), 2);
    let resolved: Vec<(&str, &str, Status, Option<Status>)> = out
        .resolved
        .iter()
        .map(|r| {
            (
                r.rule_id.as_str(),
                r.resource.id.as_str(),
                r.previous_status,
                r.current_status,
            )
        })
        .collect();
    assert_eq!(
        resolved,
        [
            ("CT-A01", "222222222222", Status::Fail, Some(Status::Pass)),
            ("CT-A02", "eu-west-1", Status::Fail, None),
            (
                "CT-B08",
                "arn:aws:cloudtrail:us-east-1:111111111111:trail/main",
                Status::Fail,
                Some(Status::NotApplicable)
            ),
            ("CT-Z01", "111111111111", Status::Fail, None),
        ]
    );
}

#[test]
fn a_run_against_itself_has_nothing_new_or_resolved() {
    let baseline = Baseline::load(&repo_root().join(NEW)).expect("loads");
    let out = baseline.compare(&report_findings(NEW));
    assert!(out.new_fingerprints().is_empty());
    assert!(out.resolved.is_empty());
    assert!(out.state.values().all(|s| *s == BaselineState::Unchanged));
    assert_eq!(
        out.state.len(),
        5,
        "one state per FAIL / ERROR finding, none for PASS"
    );
}

#[test]
fn the_gate_counts_only_new_findings_with_fail_on_new_only() {
    use trailguard::gate::{GatePolicy, decide};
    let baseline = Baseline::load(&repo_root().join(OLD)).expect("loads");
    let now = report_findings(NEW);
    let out = baseline.compare(&now);
    let policy = GatePolicy {
        fail_on_new_only: true,
        ..GatePolicy::default()
    };
    let new = out.new_fingerprints();
    let d = decide(&now, &Default::default(), Some(&new), &policy, &[]);
    assert_eq!(d.exit_code, 1);
    assert_eq!(
        d.reason,
        "exit 1: 2 new FAIL in 2 rules: CT-A07 high, CT-C03 medium (not counted: 3 already in the baseline)"
    );
}

fn error(p: &str) -> String {
    match ReportFile::load(Path::new(p)) {
        Ok(_) => panic!("{p} should not load"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn unusable_files_are_refused_with_the_file_named() {
    let cases = [
        (
            "tests/fixtures/reports/v2.json",
            "tests/fixtures/reports/v2.json:2:13: schema `trailguard.report/v2`: this trailguard reads `trailguard.report/v1` reports; it was written by a newer trailguard: upgrade to read it",
        ),
        (
            "tests/fixtures/reports/inventory-like.json",
            "tests/fixtures/reports/inventory-like.json:1:1: not a readable trailguard report: it has no `schema` field",
        ),
        (
            "tests/fixtures/reports/truncated.json",
            "tests/fixtures/reports/truncated.json:4:26: not a readable trailguard report: EOF while parsing",
        ),
        (
            "tests/fixtures/reports/bad-status.json",
            "tests/fixtures/reports/bad-status.json:7:17: not a readable trailguard report: unknown status `BROKEN`",
        ),
        (
            "tests/fixtures/reports/missing.json",
            "cannot read report `tests/fixtures/reports/missing.json`:",
        ),
    ];
    for (file, want) in cases {
        let got = error(file);
        assert!(got.starts_with(want), "{file}:\n got {got}\nwant {want}");
    }
    let other = ReportFile::parse(
        "f.json",
        r#"{"schema": "trailguard.findings/v1", "findings": []}"#,
    );
    assert!(matches!(other, Err(ReportFileError::Schema { .. })));
    let other = other.map(|_| ()).expect_err("refused").to_string();
    assert!(
        other.contains("write a report with `--output json=FILE`"),
        "{other}"
    );
}
