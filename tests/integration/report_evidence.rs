//! Evidence in plain words: the lines every human format prints for a finding, from the
//! built-in rules' own embedded cases, and the machine form beside the prose in JSON.

use trailguard::evaluate::run_tests;
use trailguard::finding::{Evidence, Status};
use trailguard::report::evidence_lines;
use trailguard::rules::load_builtin;

/// The problem lines of one embedded case of a built-in rule.
fn lines(rule_id: &str, case: &str) -> Vec<String> {
    let pack = load_builtin()
        .unwrap_or_else(|p| panic!("built-in pack does not load:\n{}", p.render(false)));
    let rule = pack.get(rule_id).expect("the rule exists");
    let result = run_tests(rule)
        .into_iter()
        .find(|r| r.name == case)
        .unwrap_or_else(|| panic!("{rule_id} has no case `{case}`"));
    assert!(result.passed(), "{rule_id} `{case}`: {:?}", result.verdict);
    evidence_lines(&result.verdict.evidence, true)
}

#[test]
fn a_deleted_bucket_is_said_once_and_first() {
    // Was four lines: `exists: expected true, found false`, then every owner alternative,
    // `owner_account: expected is one of [], found absent` among them.
    // The owner of a bucket that does not exist is absent as a consequence: not a second cause.
    let d01 = lines("CT-D01", "bucket deleted (NoSuchBucket)");
    assert_eq!(d01, ["the bucket does not exist"]);
    // Was `bucket.exists: expected does not equal false, found false`.
    let a07 = lines(
        "CT-A07",
        "the bucket is gone but the status shows no delivery error yet",
    );
    assert_eq!(a07, ["bucket does not exist"]);
    assert!(
        a07.iter().all(|l| !l.contains("does not equal")),
        "{a07:#?}"
    );
}

#[test]
fn a_failed_alternative_gives_one_line_the_first_that_could_hold() {
    // Three alternatives, none nearer than another: the first, in the rule's order.
    let d01 = lines(
        "CT-D01",
        "bucket owned by another scanned account that is not expected",
    );
    assert_eq!(
        d01,
        ["owned_by_audited_account: expected true, found false"]
    );
}

#[test]
fn a_parameter_switch_that_holds_is_not_evidence() {
    // Was `tags: expected not empty, found {}` and `tags: expected contains , found {}`.
    assert_eq!(
        lines("CT-B08", "untagged"),
        ["tags: expected not empty, found none"]
    );
    assert_eq!(
        lines("CT-B08", "tagged but without the required key"),
        ["tags: expected to contain \"owner\", found {Name: \"main-trail\"}"]
    );
}

#[test]
fn both_sides_are_quoted_alike() {
    let pack = load_builtin().expect("pack");
    let rule = pack.get("CT-D04").expect("CT-D04");
    let fail = run_tests(rule)
        .into_iter()
        .find(|r| r.verdict.status == Status::Fail)
        .expect("a failing case");
    let l = evidence_lines(&fail.verdict.evidence, true);
    assert_eq!(l.len(), 1, "{l:#?}");
    assert!(
        l[0].starts_with("versioning.status: expected \"Enabled\", found "),
        "{l:#?}"
    );
}

#[test]
fn json_evidence_has_the_machine_form_beside_the_prose() {
    let pack = load_builtin().expect("pack");
    let rule = pack.get("CT-D06").expect("CT-D06");
    let fail = run_tests(rule)
        .into_iter()
        .find(|r| r.verdict.status == Status::Fail)
        .expect("a failing case");
    let mode = fail
        .verdict
        .evidence
        .iter()
        .find(|e| matches!(e, Evidence::Leaf { path, .. } if path.ends_with("mode")))
        .expect("the mode leaf");
    let json = serde_json::to_value(mode).expect("serialises");
    assert_eq!(json["operator"], "one_of");
    assert_eq!(
        json["expected_value"],
        serde_json::json!(["COMPLIANCE", "GOVERNANCE"])
    );
    assert_eq!(json["parameter"], "allowed_modes");
    assert!(json["expected"].is_string(), "the prose stays: {json}");
    // A report written before the machine form reads back.
    let old = serde_json::json!({"kind": "leaf", "path": "p", "expected": "equals true",
        "actual": false, "holds": false});
    let back: Evidence = serde_json::from_value(old).expect("reads an older report");
    assert_eq!(
        evidence_lines(&[back], true),
        ["p: expected true, found false"]
    );
}
