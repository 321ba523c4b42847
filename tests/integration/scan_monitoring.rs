//! The fifteen CIS monitoring controls (CT-F01…CT-F15) end to end: the real binary scans
//! accounts seeded in the emulator with a compliant CIS set-up, the same set-up written the
//! way peers' text matchers reject, each link of the chain broken, trails that do not qualify,
//! and a denied read.

use serde_json::Value;

use crate::support::faults::{Fault, FaultProxy};
use crate::support::{Emulator, Seeded, cli, seed, trailguard_with_env, unique_account_id};

const CONTROLS: [&str; 15] = [
    "CT-F01", "CT-F02", "CT-F03", "CT-F04", "CT-F05", "CT-F06", "CT-F07", "CT-F08", "CT-F09",
    "CT-F10", "CT-F11", "CT-F12", "CT-F13", "CT-F14", "CT-F15",
];

/// `scan --only CT-F01,…` in us-east-1 with the JSON report on stdout; (exit code, report).
fn scan_monitoring(emulator: &Emulator, seeded: &Seeded, env: &[(&str, &str)]) -> (i32, Value) {
    scan_monitoring_of(emulator, seeded, &[], env)
}

/// [`scan_monitoring`] of a `target` (`--org`, or nothing for the seeded account).
fn scan_monitoring_of(
    emulator: &Emulator,
    seeded: &Seeded,
    target: &[&str],
    env: &[(&str, &str)],
) -> (i32, Value) {
    let only = CONTROLS.join(",");
    let args = [
        "scan",
        "--region",
        "us-east-1",
        "--color",
        "never",
        "--only",
        &only,
        "--output",
        "json",
    ];
    let args = args.iter().chain(target);
    let out = trailguard_with_env(emulator, seeded, args, env);
    let report = serde_json::from_str(&cli::stdout(&out)).unwrap_or_else(|e| {
        panic!(
            "not JSON ({e}): {}\n{}",
            cli::stdout(&out),
            cli::stderr(&out)
        )
    });
    (out.status.code().unwrap_or(-1), report)
}

/// The one finding of `rule` (account scope: one per account).
fn finding<'a>(report: &'a Value, rule: &str) -> &'a Value {
    let all: Vec<&Value> = report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect();
    assert_eq!(all.len(), 1, "{rule}: {all:#?}");
    all[0]
}

fn status(report: &Value, rule: &str) -> String {
    finding(report, rule)["status"]
        .as_str()
        .unwrap_or_default()
        .to_owned()
}

/// Each of `rules` has exactly one finding, with status `want`.
fn assert_statuses(report: &Value, rules: &[&str], want: &str) {
    for rule in rules {
        let f = finding(report, rule);
        assert_eq!(f["status"], want, "{rule}: {f:#}");
    }
}

/// Every evidence line of a finding as one text, to look for the words that name a link.
fn evidence_text(f: &Value) -> String {
    serde_json::to_string(&f["evidence"]).unwrap_or_default()
}

fn fact<'a>(facts: &'a Value, path: &str) -> &'a str {
    path.split('.')
        .fold(facts, |v, k| &v[k])
        .as_str()
        .unwrap_or_else(|| panic!("seed facts lack {path}"))
}

#[test]
fn every_control_passes_with_the_cis_5_text_and_names_its_chain() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "cis", &unique_account_id());
    let (code, report) = scan_monitoring(emulator, &seeded, &[]);
    assert_statuses(&report, &CONTROLS, "PASS");
    assert_eq!(code, 0, "{report:#}");
    // The evidence of a PASS names the trail, the filter, the alarm and the topic.
    let f05 = evidence_text(finding(&report, "CT-F05"));
    for name in [
        fact(&seeded.facts, "trail_arn"),
        fact(&seeded.facts, "controls.CT-F05.filter"),
        fact(&seeded.facts, "topics.alerts"),
    ] {
        assert!(f05.contains(name), "CT-F05 evidence lacks {name}: {f05}");
    }
}

#[test]
fn set_ups_that_text_matchers_reject_pass_because_filters_are_judged_by_what_they_match() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "cis-variants", &unique_account_id());
    let (code, report) = scan_monitoring(emulator, &seeded, &[]);
    for rule in CONTROLS {
        let pattern = fact(&seeded.facts, &format!("controls.{rule}.pattern"));
        assert!(
            pattern.contains('\n'),
            "{rule}: the variant is multi-line: {pattern}"
        );
        assert_eq!(
            status(&report, rule),
            "PASS",
            "{rule} ({}): {:#}",
            fact(&seeded.facts, &format!("variants.{rule}")),
            finding(&report, rule)
        );
    }
    assert_eq!(code, 0);
}

#[test]
fn each_broken_link_fails_with_evidence_naming_it() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "cis-broken", &unique_account_id());
    let (code, report) = scan_monitoring(emulator, &seeded, &[]);
    let broken = seeded.facts["evidence"]
        .as_object()
        .expect("evidence facts");
    for (rule, words) in broken {
        let f = finding(&report, rule);
        assert_eq!(f["status"], "FAIL", "{rule}: {f:#}");
        let words = words.as_str().expect("words");
        assert!(
            evidence_text(f).contains(words),
            "{rule}: evidence lacks {words:?}: {f:#}"
        );
    }
    assert_statuses(&report, &["CT-F14", "CT-F15"], "PASS");
    assert_eq!(code, 1);
}

#[test]
fn a_stopped_or_single_region_trail_does_not_qualify_its_filters() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "cis-weak-trails", &unique_account_id());
    let (code, report) = scan_monitoring(emulator, &seeded, &[]);
    assert_statuses(&report, &CONTROLS, "FAIL");
    assert_eq!(code, 1);
}

/// The compliant `cis` account scanned with `fault` injected: every control is ERROR naming
/// `operation`, never PASS or FAIL, and the gate fails.
fn every_control_is_an_error_when(fault: Fault, operation: &str) {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "cis", &unique_account_id());
    let proxy = FaultProxy::for_account(emulator, &seeded, vec![fault]);
    let endpoint = proxy.endpoint();
    let (code, report) = scan_monitoring(emulator, &seeded, &[("AWS_ENDPOINT_URL", &endpoint)]);
    proxy.assert_every_fault_fired();
    for rule in CONTROLS {
        let f = finding(&report, rule);
        assert_eq!(f["status"], "ERROR", "{rule}: {f:#}");
        assert!(
            evidence_text(f).contains(operation),
            "{rule}: the evidence names {operation}: {f:#}"
        );
    }
    assert_eq!(code, 1, "an unread chain never passes the gate");
}

#[test]
fn a_denied_describe_metric_filters_is_an_error_for_every_control_never_a_fail() {
    every_control_is_an_error_when(
        Fault::deny("logs:DescribeMetricFilters"),
        "logs:DescribeMetricFilters",
    );
}

#[test]
fn a_throttled_describe_alarms_is_an_error_for_every_control_never_a_fail() {
    every_control_is_an_error_when(
        Fault::throttle("monitoring:DescribeAlarms"),
        "cloudwatch:DescribeAlarms",
    );
}

#[test]
fn a_denied_list_subscriptions_is_an_error_for_every_control_never_a_fail() {
    every_control_is_an_error_when(
        Fault::deny("sns:ListSubscriptionsByTopic"),
        "sns:ListSubscriptionsByTopic",
    );
}

/// CIS monitoring is inherited through the organization trail's log group in the management
/// account (the demo organization): what it breaks fails in every account that relies on it,
/// the rest passes with evidence naming the organization trail and its filter; a member with
/// its own qualifying trail and filters is judged on either, so it passes all fifteen.
#[test]
fn members_inherit_the_organization_trails_monitoring_or_their_own() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "org", &unique_account_id());
    let (code, report) = scan_monitoring_of(emulator, &seeded, &["--org"], &[]);
    assert_eq!(code, 1, "{report:#}");
    let facts = &seeded.facts;
    let broken = facts["monitoring"]["organization"]["broken"]
        .as_object()
        .expect("broken controls");
    let org_trail = fact(facts, "accounts.management.trails.org-trail.arn");
    let verdict = |account: &str, rule: &str| -> Value {
        let found: Vec<&Value> = report["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .filter(|f| f["rule_id"] == rule && f["resource"]["account_id"] == account)
            .collect();
        assert_eq!(found.len(), 1, "{rule} in {account}: {found:#?}");
        found[0].clone()
    };
    let relying = [
        fact(facts, "management_account_id"),
        fact(facts, "members.no-trail"),
        fact(facts, "members.legacy"),
    ];
    for rule in CONTROLS {
        let inherited = if broken.contains_key(rule) {
            "FAIL"
        } else {
            "PASS"
        };
        for account in relying {
            let f = verdict(account, rule);
            assert_eq!(f["status"], inherited, "{rule} in {account}: {f:#}");
            assert!(evidence_text(&f).contains(org_trail), "{rule}: {f:#}");
        }
        let own = verdict(fact(facts, "members.compliant"), rule);
        assert_eq!(own["status"], "PASS", "{rule}: {own:#}");
    }
    // The evidence of a member's inherited PASS names the organization trail's filter.
    let f05 = evidence_text(&verdict(fact(facts, "members.no-trail"), "CT-F05"));
    assert!(f05.contains("metric_filters[org-cis-ct-f05]"), "{f05}");
    // Each broken link of the organization's set-up is named in the members' evidence too.
    for (rule, words) in broken {
        let f = verdict(fact(facts, "members.no-trail"), rule);
        let words = words.as_str().expect("words");
        assert!(
            evidence_text(&f).contains(words),
            "{rule}: lacks {words:?}: {f:#}"
        );
    }
}
