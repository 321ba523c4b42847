//! The gate over the pieces that feed it: a waivers file and a baseline report, applied to the
//! findings of a run (here: the findings recorded in the hand-written `new.json`).

use std::collections::BTreeSet;

use trailguard::baseline::Baseline;
use trailguard::gate::{GatePolicy, decide};
use trailguard::rules::Severity;
use trailguard::waivers::Waivers;

use crate::support::fixtures::report_findings;
use crate::support::repo_root;

const WAIVERS: &str = "waivers:
  - id: legacy-bucket-public
    rule: CT-D0*
    resource: arn:aws:s3:::legacy-*
    account: \"222222222222\"
    reason: Public website bucket, tracked in SEC-123
    owner: platform-team@example.com
    expires: 2027-03-31
";

fn policy(fail_on: Option<Severity>, new_only: bool) -> GatePolicy {
    GatePolicy {
        fail_on,
        allow_errors: false,
        exit_zero: false,
        fail_on_new_only: new_only,
    }
}

#[test]
fn waivers_baseline_and_threshold_together() {
    let findings = report_findings("tests/fixtures/reports/new.json");
    let waivers = Waivers::parse("waivers.yaml", WAIVERS).expect("valid");
    let outcome = waivers.apply(&findings, time::macros::date!(2026 - 11 - 21));
    let waived = outcome.waived();
    assert_eq!(waived.len(), 2, "CT-D02 and CT-D06 on the legacy bucket");
    let baseline =
        Baseline::load(&repo_root().join("tests/fixtures/reports/old.json")).expect("loads");
    let new = baseline.compare(&findings).new_fingerprints();

    let cases: [(GatePolicy, Option<&BTreeSet<String>>, u8, &str); 4] = [
        (
            policy(None, false),
            None,
            1,
            "exit 1: 3 FAIL in 3 rules: CT-A02 high, CT-A07 high, CT-C03 medium (not counted: 2 waived)",
        ),
        (
            policy(Some(Severity::High), false),
            None,
            1,
            "exit 1: 2 FAIL at or above high in 2 rules: CT-A02 high, CT-A07 high (not counted: 2 waived, 1 FAIL below high)",
        ),
        (
            policy(None, true),
            Some(&new),
            1,
            "exit 1: 2 new FAIL in 2 rules: CT-A07 high, CT-C03 medium (not counted: 2 waived, 1 already in the baseline)",
        ),
        (
            policy(Some(Severity::Critical), true),
            Some(&new),
            0,
            "exit 0: no new FAIL at or above critical, no new ERROR (not counted: 2 waived, 1 already in the baseline, 2 FAIL below critical)",
        ),
    ];
    for (policy, baseline_new, exit, reason) in cases {
        let d = decide(&findings, &waived, baseline_new, &policy, &[]);
        assert_eq!((d.exit_code, d.reason.as_str()), (exit, reason));
    }
}

#[test]
fn exit_zero_reports_what_would_have_failed() {
    let findings = report_findings("tests/fixtures/reports/new.json");
    let policy = GatePolicy {
        exit_zero: true,
        ..GatePolicy::default()
    };
    let d = decide(&findings, &BTreeSet::new(), None, &policy, &[]);
    assert_eq!(d.exit_code, 0);
    assert!(d.failed);
    assert_eq!(d.result(), "fail");
    assert_eq!(
        d.reason,
        "exit 0 (--exit-zero): the gate would have failed on 5 FAIL in 5 rules: CT-D02 critical, CT-A02 high, CT-A07 high, CT-C03 medium, CT-D06 medium"
    );
}
