//! The whole built-in pack over the fixture inventories: the verdicts CHECKS.md defines per rule,
//! the subtle cases of CHECKS.md §2 at pack level, and a snapshot of every fixture's findings.
//!
//! The clock is the inventory's `collection.finished_at`, as `trailguard check` uses it.

use std::collections::BTreeMap;
use std::path::Path;

use trailguard::config::Config;
use trailguard::evaluate::evaluate;
use trailguard::finding::{Evidence, Finding, Status};
use trailguard::inventory::{
    Collected, DefaultRetention, EventSelectors, Inventory, ObjectLock, SelectorKind,
};
use trailguard::rules::{RuleSet, load_builtin};

use crate::support::fixtures::inventory as fixture;
use crate::support::repo_root;
use Status::{Error as E, Fail as F, NotApplicable as NA, Pass as P};

fn pack() -> RuleSet {
    load_builtin().unwrap_or_else(|p| panic!("built-in pack does not load:\n{}", p.render(false)))
}

fn pack_with(config: &str) -> RuleSet {
    let mut rules = pack();
    let config = Config::parse("trailguard.yaml", config, &repo_root())
        .unwrap_or_else(|p| panic!("{}", p.render(false)));
    config
        .apply(&mut rules)
        .unwrap_or_else(|p| panic!("{}", p.render(false)));
    rules
}

fn run(rules: &RuleSet, inv: &Inventory) -> Vec<Finding> {
    evaluate(rules, inv, inv.collection.finished_at)
}

/// `rule id -> statuses` (one per resource, in finding order).
fn by_rule(findings: &[Finding]) -> BTreeMap<String, Vec<Status>> {
    let mut map: BTreeMap<String, Vec<Status>> = BTreeMap::new();
    for f in findings {
        map.entry(f.rule_id.clone()).or_default().push(f.status);
    }
    map
}

/// Asserts the exact statuses of every rule: `expected` lists `(rule, [status per resource])`,
/// and every rule of the pack must appear.
fn assert_table(fixture: &str, findings: &[Finding], expected: &[(&str, &[Status])]) {
    let actual = by_rule(findings);
    let expected: BTreeMap<String, Vec<Status>> = expected
        .iter()
        .map(|(id, s)| ((*id).to_owned(), s.to_vec()))
        .collect();
    let mut diffs = Vec::new();
    for id in actual.keys().chain(expected.keys()) {
        let (a, e) = (actual.get(id), expected.get(id));
        if a != e
            && !diffs
                .iter()
                .any(|d: &String| d.starts_with(&format!("{id}:")))
        {
            let detail: Vec<String> = findings
                .iter()
                .filter(|f| &f.rule_id == id)
                .map(|f| format!("    {} {}: {}", f.status, f.resource.id, f.message))
                .collect();
            diffs.push(format!(
                "{id}: expected {e:?}, got {a:?}\n{}",
                detail.join("\n")
            ));
        }
    }
    assert!(
        diffs.is_empty(),
        "{fixture}: verdicts differ from CHECKS.md:\n{}",
        diffs.join("\n")
    );
}

/// The 15 CIS monitoring rules (metric filter -> alarm -> notified topic).
const MONITORING: [&str; 15] = [
    "CT-F01", "CT-F02", "CT-F03", "CT-F04", "CT-F05", "CT-F06", "CT-F07", "CT-F08", "CT-F09",
    "CT-F10", "CT-F11", "CT-F12", "CT-F13", "CT-F14", "CT-F15",
];

/// [`assert_table`] with one more row per monitoring rule, each `monitoring` (the 15 rules
/// follow one chain per trail, so on these fixtures they agree).
fn assert_monitored_table(
    fixture: &str,
    findings: &[Finding],
    monitoring: &[Status],
    rows: &[(&str, &[Status])],
) {
    let mut all = rows.to_vec();
    all.extend(MONITORING.iter().map(|id| (*id, monitoring)));
    assert_table(fixture, findings, &all);
}

fn find<'a>(findings: &'a [Finding], rule: &str) -> Vec<&'a Finding> {
    findings.iter().filter(|f| f.rule_id == rule).collect()
}

fn find_prefix<'a>(findings: &'a [Finding], prefix: &str) -> Vec<&'a Finding> {
    findings
        .iter()
        .filter(|f| f.rule_id.starts_with(prefix))
        .collect()
}

fn only<'a>(findings: &'a [Finding], rule: &str) -> &'a Finding {
    let found = find(findings, rule);
    assert_eq!(
        found.len(),
        1,
        "{rule}: expected one finding, got {found:#?}"
    );
    found[0]
}

/// The elements a quantifier in the evidence matched.
fn matched(f: &Finding) -> Vec<String> {
    f.evidence
        .iter()
        .filter_map(|e| match e {
            Evidence::Quantifier { matched, .. } => Some(matched.clone()),
            _ => None,
        })
        .flatten()
        .collect()
}

/// The operations of the read errors in the evidence.
fn read_errors(f: &Finding) -> Vec<(String, String)> {
    f.evidence
        .iter()
        .filter_map(|e| match e {
            Evidence::ReadError {
                operation,
                error_kind,
                ..
            } => Some((operation.clone(), error_kind.clone())),
            _ => None,
        })
        .collect()
}

/// A compact, reviewable rendering of the findings for snapshots.
fn render(findings: &[Finding]) -> String {
    let mut out = String::new();
    for f in findings {
        let region = f.resource.region.as_deref().unwrap_or("-");
        out.push_str(&format!(
            "{} {:<14} {} {} {}\n    {}\n",
            f.rule_id, f.status, f.resource.account_id, region, f.resource.id, f.message
        ));
    }
    out
}

fn snapshot(name: &str, findings: &[Finding]) {
    insta::assert_snapshot!(name, render(findings));
}

// ---------------------------------------------------------------------------------------------
// The pack itself

#[test]
fn pack_loads_and_has_every_rule_of_checks_md() {
    let rules = pack();
    let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    let mut want = vec![];
    for i in 1..=9 {
        want.push(format!("CT-A0{i}"));
    }
    for i in 1..=8 {
        want.push(format!("CT-B0{i}"));
    }
    for i in 1..=3 {
        want.push(format!("CT-C0{i}"));
    }
    for i in 1..=7 {
        want.push(format!("CT-D0{i}"));
    }
    want.push("CT-E01".into());
    want.extend(MONITORING.iter().map(|id| (*id).to_owned()));
    want.sort();
    assert_eq!(ids, want);
}

#[test]
fn every_rule_file_is_named_after_its_id() {
    for entry in std::fs::read_dir(repo_root().join("rules")).expect("rules/") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            // `rules/conditions/`: shared conditions, named after their `condition:`.
            continue;
        }
        let stem = path
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("file name")
            .to_owned();
        let text = std::fs::read_to_string(&path).expect("read");
        assert!(
            text.lines().any(|l| l == format!("id: {stem}")),
            "{}: file name is not the rule id",
            path.display()
        );
    }
}

#[test]
fn every_embedded_test_case_passes() {
    let rules = pack();
    let mut failures = Vec::new();
    for rule in rules.iter() {
        for case in trailguard::evaluate::run_tests(rule) {
            if !case.passed() {
                failures.push(format!(
                    "{} / {}: expected {}, got {} ({})",
                    rule.id, case.name, case.expected, case.verdict.status, case.verdict.message
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Test subjects state the normalised selector coverage next to the raw selectors (rules read
/// only the coverage). Both must agree with what the inventory model computes from the raw
/// selectors, or a test would exercise a state the collector can never produce.
#[test]
fn selector_coverage_in_test_subjects_is_what_the_model_computes() {
    fn walk(v: &serde_json::Value, label: &str, out: &mut Vec<(String, serde_json::Value)>) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(sel) = map.get("event_selectors")
                    && sel.get("classic").is_some()
                {
                    out.push((label.to_owned(), sel.clone()));
                }
                for child in map.values() {
                    walk(child, label, out);
                }
            }
            serde_json::Value::Array(items) => {
                for child in items {
                    walk(child, label, out);
                }
            }
            _ => {}
        }
    }
    let mut found = Vec::new();
    for entry in std::fs::read_dir(repo_root().join("rules")).expect("rules/") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            continue; // `rules/conditions/` has no test cases
        }
        let text = std::fs::read_to_string(&path).expect("read");
        // The rule loader's own YAML reading (its alias budget; `<<` merges resolved).
        let doc = trailguard::document::yaml::parse(&text)
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
            .to_json();
        for case in doc["tests"].as_array().expect("tests") {
            let label = format!("{} / {}", path.display(), case["name"]);
            walk(&case["subject"], &label, &mut found);
        }
    }
    assert!(
        found.len() > 40,
        "expected many selector subjects, found {}",
        found.len()
    );
    for (label, value) in found {
        let stated: EventSelectors = serde_json::from_value(value)
            .unwrap_or_else(|e| panic!("{label}: not a complete EventSelectors: {e}"));
        let computed = EventSelectors::from_raw(stated.classic.clone(), stated.advanced.clone());
        assert_eq!(
            stated, computed,
            "{label}: stated coverage differs from the model"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// The fixtures

#[test]
fn compliant_account_passes_everything_that_applies() {
    let inv = fixture("compliant.json");
    let findings = run(&pack(), &inv);
    for f in &findings {
        assert!(
            matches!(f.status, P | NA),
            "{} {} on {}: {}",
            f.rule_id,
            f.status,
            f.resource.id,
            f.message
        );
    }
    assert_monitored_table(
        "compliant",
        &findings,
        &[P], // CT-F: the CIS 5.0 filters, alarms and a subscribed topic
        &[
            ("CT-A01", &[P]),
            ("CT-A02", &[P]),
            ("CT-A03", &[P, P, P]),
            ("CT-A04", &[P]),
            ("CT-A05", &[P]),
            ("CT-A06", &[P]),
            ("CT-A07", &[P]),
            ("CT-A08", &[NA]), // in no organization
            ("CT-A09", &[NA]), // event data stores not collected
            ("CT-B01", &[P]),
            ("CT-B02", &[P]),
            ("CT-B03", &[P]),
            ("CT-B04", &[P]),
            ("CT-B05", &[P]),
            ("CT-B06", &[P]),
            ("CT-B07", &[P]),
            ("CT-B08", &[P]),
            ("CT-C01", &[P]),
            ("CT-C02", &[P]),
            ("CT-C03", &[P]),
            ("CT-D01", &[P]),
            ("CT-D02", &[P]),
            ("CT-D03", &[P]),
            ("CT-D04", &[P]),
            ("CT-D05", &[P]),
            ("CT-D06", &[P]),
            ("CT-D07", &[P]),
            ("CT-E01", &[NA]),
        ],
    );
    snapshot("compliant", &findings);
}

#[test]
fn legacy_account_fails_what_checks_md_says() {
    let inv = fixture("legacy.json");
    let findings = run(&pack(), &inv);
    assert_monitored_table(
        "legacy",
        &findings,
        &[F], // CT-F: the trail is single-region and stopped
        &[
            ("CT-A01", &[F]),       // the only trail is stopped
            ("CT-A02", &[F]),       // single-region, stopped, write-only
            ("CT-A03", &[F, F, F]), // eu-central-1, us-east-1, us-west-2
            ("CT-A04", &[NA]),      // not a multi-region logging trail
            ("CT-A05", &[F]),       // kms.amazonaws.com excluded
            ("CT-A06", &[F]),
            ("CT-A07", &[F]), // logging stopped
            ("CT-A08", &[NA]),
            ("CT-A09", &[NA]),
            ("CT-B01", &[F]),
            ("CT-B02", &[F]),
            ("CT-B05", &[F]),
            ("CT-B06", &[NA]), // Insights only judged on logging trails
            ("CT-B07", &[F]),
            ("CT-B08", &[F]),
            ("CT-C01", &[F]),
            ("CT-C02", &[F]),
            ("CT-C03", &[F]),
            ("CT-D01", &[P]), // the bucket exists
            ("CT-D02", &[F]), // public policy + AllUsers READ, no PAB
            ("CT-D03", &[F]),
            ("CT-D04", &[F]),
            ("CT-D05", &[F]),
            ("CT-D06", &[F]),
            ("CT-D07", &[F]),
            ("CT-E01", &[NA]),
        ],
    );
    // No KMS key: no key-scope findings at all (B03/B04 absent above).
    snapshot("legacy", &findings);
}

#[test]
fn org_member_is_covered_by_the_organization_trail_and_never_fails() {
    let inv = fixture("org-member.json");
    let findings = run(&pack(), &inv);
    let org_trail = "arn:aws:cloudtrail:eu-west-1:617283940516:trail/organization-trail";
    for f in &findings {
        assert_ne!(
            f.status, F,
            "{} must not FAIL in a member account: {}",
            f.rule_id, f.message
        );
    }
    assert_monitored_table(
        "org-member",
        &findings,
        &[E], // CT-F: the org trail's log group is not in this 1.1 inventory
        &[
            ("CT-A01", &[P]),
            ("CT-A02", &[P]),
            ("CT-A03", &[P, P, P]),
            ("CT-A04", &[NA]), // trail scope: evaluated in the owner account
            ("CT-A05", &[NA]),
            ("CT-A06", &[E]), // needs the org trail's selectors, unreadable from the member
            ("CT-A07", &[NA]),
            ("CT-A08", &[P]),
            ("CT-A09", &[NA]),
            ("CT-B01", &[NA]),
            ("CT-B02", &[NA]),
            ("CT-B03", &[NA]), // key used only by the organization trail
            ("CT-B04", &[NA]),
            ("CT-B05", &[NA]),
            ("CT-B06", &[NA]),
            ("CT-B07", &[NA]),
            ("CT-B08", &[NA]),
            ("CT-C01", &[E]),
            ("CT-C02", &[E]),
            ("CT-C03", &[E]),
            ("CT-D01", &[NA]), // bucket used only by the organization trail
            ("CT-D02", &[NA]),
            ("CT-D03", &[NA]),
            ("CT-D04", &[NA]),
            ("CT-D05", &[NA]),
            ("CT-D06", &[NA]),
            ("CT-D07", &[NA]),
            ("CT-E01", &[NA]),
        ],
    );
    for rule in ["CT-A01", "CT-A02", "CT-A08"] {
        assert_eq!(
            matched(only(&findings, rule)),
            vec![org_trail.to_owned()],
            "{rule} evidence"
        );
    }
    for f in find(&findings, "CT-A03") {
        assert_eq!(
            matched(f),
            vec![org_trail.to_owned()],
            "CT-A03 {}",
            f.resource.id
        );
    }
    for rule in ["CT-A06", "CT-C01", "CT-C02", "CT-C03"] {
        let errors = read_errors(only(&findings, rule));
        assert!(
            errors.contains(&(
                "cloudtrail:GetEventSelectors".into(),
                "access_denied".into()
            )),
            "{rule}: the reason names the unreadable selectors: {errors:?}"
        );
    }
    assert_eq!(find_prefix(&findings, "CT-D0").len(), 7);
    for f in find_prefix(&findings, "CT-D0") {
        assert!(
            f.message.contains("617283940516"),
            "{}: {}",
            f.rule_id,
            f.message
        );
    }
    snapshot("org_member", &findings);
}

#[test]
fn org_member_fails_only_when_the_user_refuses_organization_trails() {
    let inv = fixture("org-member.json");
    let rules = pack_with("parameters:\n  accept_organization_trail: false\n");
    let findings = run(&rules, &inv);
    // A01: the organization trail no longer counts, so no trail is logging for this account.
    assert_eq!(only(&findings, "CT-A01").status, F);
    // A02/A03: coverage would need the unreadable selectors: ERROR with the reason, not FAIL.
    assert_eq!(only(&findings, "CT-A02").status, E);
    assert!(find(&findings, "CT-A03").iter().all(|f| f.status == E));
}

#[test]
fn cross_account_bucket_and_key_give_errors_with_a_reason() {
    let inv = fixture("cross-account-bucket.json");
    let findings = run(&pack(), &inv);
    assert_monitored_table(
        "cross-account-bucket",
        &findings,
        &[E], // CT-F: a 1.1 inventory: its filters were not recorded
        &[
            ("CT-A01", &[P]),
            ("CT-A02", &[P]), // one advanced selector on eventCategory Management
            ("CT-A03", &[P, P, P]),
            ("CT-A04", &[P]),
            ("CT-A05", &[P]),
            ("CT-A06", &[P]),
            ("CT-A07", &[P]),
            ("CT-A08", &[NA]),
            ("CT-A09", &[NA]),
            ("CT-B01", &[P]),
            ("CT-B02", &[P]),
            ("CT-B03", &[E]),
            ("CT-B04", &[E]),
            ("CT-B05", &[P]),
            ("CT-B06", &[P]),
            ("CT-B07", &[F]),
            ("CT-B08", &[P]),
            ("CT-C01", &[P]), // separate readOnly=false and readOnly=true selectors add up
            ("CT-C02", &[P]),
            ("CT-C03", &[F]),
            ("CT-D01", &[E]),
            ("CT-D02", &[E]),
            ("CT-D03", &[E]),
            ("CT-D04", &[E]),
            ("CT-D05", &[E]),
            ("CT-D06", &[E]),
            ("CT-D07", &[E]),
            ("CT-E01", &[NA]),
        ],
    );
    assert_eq!(find_prefix(&findings, "CT-D0").len(), 7);
    for f in find_prefix(&findings, "CT-D0") {
        // D01 is about the owner: no scanned account owns the bucket. The configuration rules
        // name the S3 read the bucket owner's account refused (403, or 405 for the policy).
        let errors = read_errors(f);
        let named = if f.rule_id == "CT-D01" {
            errors.contains(&("s3:ListBuckets".into(), "out_of_scope".into()))
        } else {
            errors.iter().any(|(op, kind)| {
                op.starts_with("s3:") && (kind == "access_denied" || kind == "method_not_allowed")
            })
        };
        assert!(named, "{}: {:?}", f.rule_id, f.evidence);
        assert!(f.message.contains("s3:"), "{}: {}", f.rule_id, f.message);
    }
    for rule in ["CT-B03", "CT-B04"] {
        assert!(
            read_errors(only(&findings, rule))
                .contains(&("kms:DescribeKey".into(), "access_denied".into()))
        );
    }
    snapshot("cross_account_bucket", &findings);
}

#[test]
fn empty_account_fails_the_account_rules() {
    let inv = fixture("empty.json");
    let findings = run(&pack(), &inv);
    assert_monitored_table(
        "empty",
        &findings,
        &[F], // CT-F: no trail
        &[
            ("CT-A01", &[F]),
            ("CT-A02", &[F]),
            ("CT-A03", &[F, F, F]),
            ("CT-A06", &[F]),
            ("CT-A08", &[NA]),
            ("CT-A09", &[NA]),
            ("CT-C01", &[F]),
            ("CT-C02", &[F]),
            ("CT-C03", &[F]),
            ("CT-E01", &[NA]),
        ],
    );
    snapshot("empty", &findings);
}

#[test]
fn denied_account_is_error_never_pass() {
    let inv = fixture("denied.json");
    let findings = run(&pack(), &inv);
    for f in &findings {
        assert_ne!(
            f.status, P,
            "{} passed on unreadable data: {}",
            f.rule_id, f.message
        );
    }
    assert_monitored_table(
        "denied",
        &findings,
        &[E], // CT-F: no trail could be read
        &[
            ("CT-A01", &[E]),
            ("CT-A02", &[E]),
            ("CT-A03", &[E, E, E]),
            ("CT-A06", &[E]),
            ("CT-A08", &[E]), // DescribeOrganization denied
            ("CT-A09", &[NA]),
            ("CT-C01", &[E]),
            ("CT-C02", &[E]),
            ("CT-C03", &[E]),
            ("CT-E01", &[NA]),
            // The trails of the three regions could not be discovered: every trail, bucket
            // and key rule is ERROR for each region, never silently absent.
            ("CT-A04", &[E, E, E]),
            ("CT-A05", &[E, E, E]),
            ("CT-A07", &[E, E, E]),
            ("CT-B01", &[E, E, E]),
            ("CT-B02", &[E, E, E]),
            ("CT-B03", &[E, E, E]),
            ("CT-B04", &[E, E, E]),
            ("CT-B05", &[E, E, E]),
            ("CT-B06", &[E, E, E]),
            ("CT-B07", &[E, E, E]),
            ("CT-B08", &[E, E, E]),
            ("CT-D01", &[E, E, E]),
            ("CT-D02", &[E, E, E]),
            ("CT-D03", &[E, E, E]),
            ("CT-D04", &[E, E, E]),
            ("CT-D05", &[E, E, E]),
            ("CT-D06", &[E, E, E]),
            ("CT-D07", &[E, E, E]),
        ],
    );
    let a01 = only(&findings, "CT-A01");
    assert!(
        read_errors(a01).contains(&("cloudtrail:DescribeTrails".into(), "access_denied".into())),
        "{:?}",
        a01.evidence
    );
    snapshot("denied", &findings);
}

#[test]
fn demo_inventory_has_a_clean_and_a_dirty_account() {
    let inv = Inventory::load(&repo_root().join("examples/demo-inventory.json"))
        .unwrap_or_else(|e| panic!("{e}"));
    let findings = run(&pack(), &inv);
    // The demo inventory (schema 1.1) has no monitoring chain yet: the CT-F rules are judged
    // on it once the demo gains its monitoring set-ups (issue 16, another part).
    let good: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.resource.account_id == "123456789012" && !f.rule_id.starts_with("CT-F"))
        .collect();
    assert!(
        good.iter().all(|f| matches!(f.status, P | NA)),
        "{:#?}",
        good
    );
    let bad_fails: Vec<&str> = findings
        .iter()
        .filter(|f| f.resource.account_id == "234567890123" && f.status == F)
        .map(|f| f.rule_id.as_str())
        .collect();
    for rule in ["CT-A05", "CT-A07", "CT-B01", "CT-B02", "CT-D02", "CT-D06"] {
        assert!(
            bad_fails.contains(&rule),
            "{rule} should fail for the member: {bad_fails:?}"
        );
    }
    // The member is covered by the management account's organization trail.
    for rule in ["CT-A01", "CT-A02"] {
        let f = findings
            .iter()
            .find(|f| f.rule_id == rule && f.resource.account_id == "234567890123")
            .expect("member finding");
        assert_eq!(f.status, P, "{rule}");
    }
    // CT-A08 is judged once for the organization, attributed to its management account.
    let a08: Vec<&Finding> = findings.iter().filter(|f| f.rule_id == "CT-A08").collect();
    assert_eq!(a08.len(), 1, "{a08:?}");
    assert_eq!(
        a08[0].resource.resource_type,
        "AWS::Organizations::Organization"
    );
    assert_eq!(a08[0].resource.account_id, "123456789012");
    assert_eq!(a08[0].status, P);
}

// ---------------------------------------------------------------------------------------------
// Subtle cases of CHECKS.md §2 at pack level: variations of the compliant fixture

fn compliant_with(change: impl FnOnce(&mut Inventory)) -> Inventory {
    let mut inv = fixture("compliant.json");
    change(&mut inv);
    inv.normalize();
    inv
}

fn status_of(findings: &[Finding], rule: &str) -> Status {
    only(findings, rule).status
}

#[test]
fn logging_trail_with_a_deleted_bucket_is_not_healthy() {
    let inv = compliant_with(|inv| {
        let acct = &mut inv.accounts[0];
        if let Collected::Ok(status) = &mut acct.trails[0].status {
            status.latest_delivery_error = Some("NoSuchBucket".into());
        }
        let bucket = &mut acct.buckets[0];
        bucket.exists = Collected::Ok(false);
    });
    let findings = run(&pack(), &inv);
    assert_eq!(status_of(&findings, "CT-A01"), P, "still logging");
    assert_eq!(status_of(&findings, "CT-A07"), F, "but not delivering");
    assert_eq!(status_of(&findings, "CT-D01"), F, "bucket gone");
    for rule in ["CT-D02", "CT-D03", "CT-D04", "CT-D05", "CT-D06", "CT-D07"] {
        // A deleted bucket is never reported as public, unversioned, … (Prowler PR #1505).
        assert_eq!(status_of(&findings, rule), NA, "{rule}");
    }
}

#[test]
fn stale_delivery_fails_the_freshness_window_and_a_wider_window_passes() {
    let inv = compliant_with(|inv| {
        if let Collected::Ok(status) = &mut inv.accounts[0].trails[0].status {
            // 50 hours before the collection finished.
            status.latest_delivery_time =
                trailguard::inventory::Timestamp::parse("2026-11-18T07:14:41Z");
        }
    });
    assert_eq!(status_of(&run(&pack(), &inv), "CT-A07"), F);
    let wide = pack_with("parameters:\n  CT-A07: { max_delivery_age: 72h }\n");
    assert_eq!(status_of(&run(&wide, &inv), "CT-A07"), P);
}

#[test]
fn object_lock_without_default_retention_is_not_enough() {
    let inv = compliant_with(|inv| {
        inv.accounts[0].buckets[0].object_lock = Collected::Ok(ObjectLock {
            enabled: true,
            default_retention: None,
        });
    });
    assert_eq!(status_of(&run(&pack(), &inv), "CT-D06"), F);

    let short = compliant_with(|inv| {
        inv.accounts[0].buckets[0].object_lock = Collected::Ok(ObjectLock {
            enabled: true,
            default_retention: Some(DefaultRetention {
                mode: "GOVERNANCE".into(),
                period_days: 90,
            }),
        });
    });
    assert_eq!(
        status_of(&run(&pack(), &short), "CT-D06"),
        F,
        "90 < 365 days"
    );
    let lowered = pack_with("parameters:\n  CT-D06: { min_retention_days: 90 }\n");
    assert_eq!(status_of(&run(&lowered, &short), "CT-D06"), P);
}

#[test]
fn public_bucket_is_detected_through_policy_status_acl_and_public_access_block() {
    // Policy status alone.
    let policy = compliant_with(|inv| {
        let b = &mut inv.accounts[0].buckets[0];
        b.policy_is_public = Collected::Ok(true);
        b.public_access_block = Collected::Ok(None);
    });
    assert_eq!(status_of(&run(&pack(), &policy), "CT-D02"), F);
    // ACL grant alone, with ACLs in force.
    let acl = compliant_with(|inv| {
        let b = &mut inv.accounts[0].buckets[0];
        b.acl_public_grants = Collected::Ok(vec![trailguard::inventory::AclGrant {
            grantee: "AuthenticatedUsers".into(),
            permission: "READ".into(),
        }]);
        b.object_ownership = Collected::Ok(Some("ObjectWriter".into()));
        b.public_access_block = Collected::Ok(None);
    });
    assert_eq!(status_of(&run(&pack(), &acl), "CT-D02"), F);
    // The same public policy, neutralised by the bucket's public access block.
    let blocked = compliant_with(|inv| {
        inv.accounts[0].buckets[0].policy_is_public = Collected::Ok(true);
    });
    assert_eq!(status_of(&run(&pack(), &blocked), "CT-D02"), P);
    // Strict reading: all four flags required.
    let no_pab = compliant_with(|inv| {
        inv.accounts[0].buckets[0].public_access_block = Collected::Ok(None);
    });
    assert_eq!(status_of(&run(&pack(), &no_pab), "CT-D02"), P);
    let strict = pack_with("parameters:\n  CT-D02: { require_public_access_block: true }\n");
    assert_eq!(status_of(&run(&strict, &no_pab), "CT-D02"), F);
}

#[test]
fn multi_region_means_multi_region_and_logging_and_all_management_events() {
    let single = compliant_with(|inv| inv.accounts[0].trails[0].is_multi_region = false);
    let f = run(&pack(), &single);
    assert_eq!(status_of(&f, "CT-A02"), F);
    // The regional trail still covers its home region only.
    let a03: Vec<(String, Status)> = find(&f, "CT-A03")
        .iter()
        .map(|x| (x.resource.id.clone(), x.status))
        .collect();
    assert_eq!(
        a03,
        vec![
            ("ap-southeast-2".to_owned(), F),
            ("eu-west-1".to_owned(), F),
            ("us-east-1".to_owned(), P)
        ]
    );

    let stopped = compliant_with(|inv| {
        if let Collected::Ok(s) = &mut inv.accounts[0].trails[0].status {
            s.is_logging = false;
        }
    });
    assert_eq!(status_of(&run(&pack(), &stopped), "CT-A02"), F);

    let write_only = compliant_with(|inv| {
        let t = &mut inv.accounts[0].trails[0];
        if let Collected::Ok(sel) = &t.event_selectors {
            let mut classic = sel.classic.clone();
            classic[0].read_write_type = trailguard::inventory::ReadWriteType::WriteOnly;
            t.event_selectors = Collected::Ok(EventSelectors::from_raw(classic, vec![]));
        }
    });
    let f = run(&pack(), &write_only);
    assert_eq!(status_of(&f, "CT-A02"), F);
    assert_eq!(
        status_of(&f, "CT-C02"),
        F,
        "write-only S3 selector records no reads"
    );
    assert_eq!(status_of(&f, "CT-C01"), P);
}

#[test]
fn advanced_selectors_are_judged_by_fields_and_strict_cis_by_one_selector() {
    use trailguard::inventory::{AdvancedSelector, FieldSelector};
    let field = |name: &str, equals: &[&str]| FieldSelector {
        field: name.into(),
        equals: equals.iter().map(|s| (*s).to_owned()).collect(),
        ..Default::default()
    };
    // Two management selectors (reads, writes) under names that say nothing, plus S3 with the
    // console's name but a single-bucket ARN condition.
    let advanced = vec![
        AdvancedSelector {
            name: Some("Management events selector".into()),
            field_selectors: vec![
                field("eventCategory", &["Management"]),
                field("readOnly", &["true"]),
            ],
        },
        AdvancedSelector {
            name: Some("x".into()),
            field_selectors: vec![
                field("eventCategory", &["Management"]),
                field("readOnly", &["false"]),
            ],
        },
        AdvancedSelector {
            name: Some("Log all S3 data events".into()),
            field_selectors: vec![
                field("eventCategory", &["Data"]),
                field("resources.type", &["AWS::S3::Object"]),
                FieldSelector {
                    field: "resources.ARN".into(),
                    starts_with: vec!["arn:aws:s3:::payments-prod/".into()],
                    ..Default::default()
                },
            ],
        },
    ];
    let inv = compliant_with(|inv| {
        let sel = EventSelectors::from_raw(vec![], advanced);
        assert_eq!(sel.kind, SelectorKind::Advanced);
        inv.accounts[0].trails[0].event_selectors = Collected::Ok(sel);
    });
    let union = run(&pack(), &inv);
    assert_eq!(
        status_of(&union, "CT-A02"),
        P,
        "union of read and write selectors"
    );
    assert_eq!(
        status_of(&union, "CT-C01"),
        F,
        "one bucket is not all buckets"
    );
    assert_eq!(status_of(&union, "CT-C02"), F);
    assert_eq!(
        status_of(&union, "CT-C03"),
        F,
        "no Lambda selector any more"
    );
    let strict = run(&pack_with("parameters:\n  strict_cis: true\n"), &inv);
    assert_eq!(
        status_of(&strict, "CT-A02"),
        F,
        "strict CIS needs one complete selector"
    );
    assert!(find(&strict, "CT-A03").iter().all(|f| f.status == F));
    assert_eq!(status_of(&strict, "CT-A06"), F);
}

#[test]
fn every_fixture_is_covered_by_a_test_here() {
    let dir: &Path = &repo_root().join("tests/fixtures/inventories");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("fixtures")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "compliant.json",
            "cross-account-bucket.json",
            "denied.json",
            "empty.json",
            "legacy.json",
            "org-member.json"
        ]
    );
}

// ---------------------------------------------------------------------------------------------
// Discovery gaps: what trail discovery could not see is ERROR, never absent (issue 14)
// ---------------------------------------------------------------------------------------------

const BASELINE: &str = "arn:aws:cloudtrail:us-east-1:210987654321:trail/security-baseline";

/// The compliant fixture, edited as JSON (the inventory's own format) and loaded back.
fn compliant_json(edit: impl FnOnce(&mut serde_json::Value)) -> Inventory {
    let path = repo_root().join("tests/fixtures/inventories/compliant.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{e}"));
    let mut value: serde_json::Value = serde_json::from_str(&text).expect("fixture is JSON");
    edit(&mut value);
    Inventory::from_json(&value.to_string(), "edited compliant.json")
        .unwrap_or_else(|e| panic!("{e}"))
}

fn throttled(operation: &str) -> serde_json::Value {
    serde_json::json!({"error": {"operation": operation, "kind": "throttled", "code": "ThrottlingException"}})
}

/// `ListTrails` names `extra` (homed in eu-west-1) but DescribeTrails there was throttled.
fn with_undescribed(extra: &str) -> Inventory {
    compliant_json(|inv| {
        let account = &mut inv["accounts"][0];
        account["listed_trails"] = serde_json::json!([
            {"arn": BASELINE, "home_region": "us-east-1"},
            {"arn": extra, "home_region": "eu-west-1"},
        ]);
        for region in account["regions"].as_array_mut().expect("regions") {
            if region["region"] == "eu-west-1" {
                region["discovered_trails"] = throttled("cloudtrail:DescribeTrails");
            }
        }
    })
}

fn statuses_of<'a>(findings: &'a [Finding], resource_id: &str) -> BTreeMap<&'a str, Status> {
    findings
        .iter()
        .filter(|f| f.resource.id == resource_id)
        .map(|f| (f.rule_id.as_str(), f.status))
        .collect()
}

#[test]
fn an_undescribed_trail_is_error_for_every_trail_bucket_and_key_rule() {
    let rules = pack();
    let extra = "arn:aws:cloudtrail:eu-west-1:210987654321:trail/regional";
    let clean = run(&rules, &fixture("compliant.json"));
    let findings = run(&rules, &with_undescribed(extra));
    let about_extra = statuses_of(&findings, extra);
    for rule in rules.iter() {
        let per_resource = matches!(rule.scope.as_str(), "trail" | "bucket" | "key");
        assert_eq!(
            about_extra.get(rule.id.as_str()).copied(),
            per_resource.then_some(E),
            "{} ({})",
            rule.id,
            rule.scope.as_str()
        );
    }
    let error = findings
        .iter()
        .find(|f| f.resource.id == extra && f.rule_id == "CT-D02")
        .expect("CT-D02 about the undescribed trail's bucket");
    assert!(
        error.message.contains("the bucket of trail") && error.message.contains("throttled"),
        "{}",
        error.message
    );
    // Nothing about the described trail vanished, and the account and region rules that find
    // the compliant multi-region trail still pass: the unread trail cannot change that.
    let clean_keys: Vec<(&str, &str)> = clean
        .iter()
        .map(|f| (f.rule_id.as_str(), f.resource.id.as_str()))
        .collect();
    for key in &clean_keys {
        assert!(
            findings
                .iter()
                .any(|f| (f.rule_id.as_str(), f.resource.id.as_str()) == *key),
            "{key:?} vanished"
        );
    }
    assert_eq!(statuses_of(&findings, "210987654321")["CT-A02"], P);
    assert_eq!(statuses_of(&findings, "eu-west-1")["CT-A03"], P);
    // CT-A06 asks for one trail that meets the whole baseline: the compliant one was read.
    assert_eq!(statuses_of(&findings, "210987654321")["CT-A06"], P);
}

#[test]
fn an_undescribed_trail_of_another_account_is_judged_in_its_owner() {
    let extra = "arn:aws:cloudtrail:eu-west-1:999999999999:trail/org";
    let findings = run(&pack(), &with_undescribed(extra));
    let about_extra = statuses_of(&findings, extra);
    assert!(!about_extra.is_empty());
    assert!(about_extra.values().all(|s| *s == NA), "{about_extra:?}");
}

#[test]
fn unknown_enabled_regions_are_judged_as_default_regions_and_opt_in_ones_are_error() {
    let inv = compliant_json(|inv| {
        inv["accounts"][0]["enabled_regions"] = throttled("ec2:DescribeRegions");
        inv["accounts"][0]["listed_trails"] =
            serde_json::json!([{"arn": BASELINE, "home_region": "us-east-1"}]);
    });
    let findings = run(&pack(), &inv);
    let opt_in: Vec<&Finding> = findings
        .iter()
        .filter(|f| f.resource.id == "opt-in-regions")
        .collect();
    assert_eq!(
        opt_in
            .iter()
            .map(|f| f.rule_id.as_str())
            .collect::<Vec<_>>(),
        ["CT-A03"],
        "one ERROR per region rule"
    );
    assert_eq!(opt_in[0].status, E);
    assert!(opt_in[0].message.contains("ec2:DescribeRegions"));
    // The regions that were judged say why.
    let us_east = findings
        .iter()
        .find(|f| f.rule_id == "CT-A03" && f.resource.id == "us-east-1")
        .expect("us-east-1 judged");
    assert!(
        us_east.evidence.iter().any(|e| matches!(e, Evidence::Note { text }
            if text.contains("enabled regions could not be read") && text.contains("default region"))),
        "{:?}",
        us_east.evidence
    );
    // With a listing, the trails are all known: no trail, bucket or key rule is ERROR.
    assert!(
        findings
            .iter()
            .filter(|f| f.status == E)
            .all(|f| f.resource.id == "opt-in-regions"),
        "{:?}",
        findings
            .iter()
            .filter(|f| f.status == E)
            .collect::<Vec<_>>()
    );
}

#[test]
fn a_requested_region_not_enabled_in_an_account_is_not_applicable_there() {
    let inv = compliant_json(|inv| {
        inv["collection"]["requested_regions"] = serde_json::json!(["us-east-1", "af-south-1"]);
    });
    let findings = run(&pack(), &inv);
    let cape_town = statuses_of(&findings, "af-south-1");
    assert_eq!(cape_town.get("CT-A03"), Some(&NA), "{cape_town:?}");
}

// ---------------------------------------------------------------------------------------------
// The CIS monitoring rules (CT-F) on the compliant fixture's chain: filters judged by what they
// match, every other link by what was read.

/// `pattern` (`{ A || B … }` or `{ A && B … }`) with its top-level clauses in reverse order and
/// one clause per line: the same filter, written as no CIS text is.
fn reordered(pattern: &str) -> String {
    let body = pattern.trim().trim_start_matches('{').trim_end_matches('}');
    let split = |op: &str| {
        let (mut parts, mut depth, mut quoted, mut start) = (Vec::new(), 0i32, false, 0);
        for (i, c) in body.char_indices() {
            match c {
                '"' => quoted = !quoted,
                '(' if !quoted => depth += 1,
                ')' if !quoted => depth -= 1,
                _ if !quoted && depth == 0 && body[i..].starts_with(op) && i >= start => {
                    parts.push(body[start..i].trim());
                    start = i + op.len();
                }
                _ => {}
            }
        }
        parts.push(body[start..].trim());
        parts
    };
    let (mut parts, op) = match split("||") {
        p if p.len() > 1 => (p, "||"),
        _ => (split("&&"), "&&"),
    };
    parts.reverse();
    format!("{{\n  {}\n}}", parts.join(&format!("\n  {op} ")))
}

/// The compliant fixture with every metric filter's pattern (or one link of every chain)
/// changed by `edit`.
fn compliant_filters(edit: impl Fn(&mut serde_json::Value)) -> Inventory {
    compliant_json(|inv| {
        let filters = inv["accounts"][0]["log_groups"][0]["metric_filters"]
            .as_array_mut()
            .expect("the compliant fixture has metric filters");
        assert_eq!(filters.len(), MONITORING.len());
        filters.iter_mut().for_each(edit);
    })
}

fn monitoring_statuses(findings: &[Finding]) -> Vec<Status> {
    MONITORING
        .iter()
        .map(|id| only(findings, id).status)
        .collect()
}

#[test]
fn monitoring_filters_are_judged_by_what_they_match_not_their_text() {
    let rewritten = compliant_filters(|f| {
        let pattern = f["pattern"].as_str().expect("pattern").to_owned();
        f["pattern"] = reordered(&pattern).into();
    });
    // Reordered and split over lines: PASS by default, as Prowler's regular expressions would
    // not have it; the exact reading (Security Hub's) refuses them and accepts the CIS texts.
    let semantic = run(&pack(), &rewritten);
    assert_eq!(monitoring_statuses(&semantic), [P; 15]);
    let exact = pack_with("parameters:\n  match: exact\n");
    assert_eq!(monitoring_statuses(&run(&exact, &rewritten)), [F; 15]);
    assert_eq!(
        monitoring_statuses(&run(&exact, &fixture("compliant.json"))),
        [P; 15]
    );
}

#[test]
fn every_monitoring_chain_link_is_checked_and_unread_links_are_errors() {
    let pending = compliant_json(|inv| {
        inv["accounts"][0]["sns_topics"][0]["subscriptions"] = serde_json::json!({"confirmed": 0, "pending": 1, "list": [
                {"subscription_arn": "PendingConfirmation", "protocol": "email"}]});
    });
    assert_eq!(monitoring_statuses(&run(&pack(), &pending)), [F; 15]);
    let silenced = compliant_filters(|f| {
        f["transformations"][0]["alarms"][0]["actions_enabled"] = false.into();
    });
    assert_eq!(monitoring_statuses(&run(&pack(), &silenced)), [F; 15]);
    let other_namespace = compliant_filters(|f| {
        f["transformations"][0]["alarms"][0]["namespace"] = "Other".into();
    });
    assert_eq!(
        monitoring_statuses(&run(&pack(), &other_namespace)),
        [F; 15]
    );
    let denied = compliant_json(|inv| {
        inv["accounts"][0]["log_groups"][0]["metric_filters"] = serde_json::json!({"error": {
            "operation": "logs:DescribeMetricFilters", "kind": "access_denied",
            "code": "AccessDeniedException"}});
    });
    let findings = run(&pack(), &denied);
    assert_eq!(monitoring_statuses(&findings), [E; 15]);
    for id in MONITORING {
        assert!(
            read_errors(only(&findings, id))
                .contains(&("logs:DescribeMetricFilters".into(), "access_denied".into())),
            "{id}: {:?}",
            only(&findings, id).evidence
        );
    }
}
