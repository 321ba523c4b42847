//! `events:` and `matches_events`: a filter pattern is judged by the CloudTrail records it
//! matches, so reordered, respaced, requoted and multi-line filters pass and a filter that
//! misses one required event, or matches an excluded one, fails with that event named.

use trailguard::evaluate::run_tests;
use trailguard::finding::{Evidence, Status};
use trailguard::rules::{self, ProblemKind};

/// A trail-scope rule whose `name` field stands in for a filter pattern (the operator fits
/// any string field), with two event sets.
fn rule(check: &str, tests: &str) -> String {
    format!(
        r#"id: T-1
title: t
severity: low
scope: trail
rationale: r
remediation: {{ text: x }}
events:
  required:
    - why: StopLogging by an IAM user in eu-west-1
      record: {{ eventSource: cloudtrail.amazonaws.com, eventName: StopLogging, awsRegion: eu-west-1, userIdentity: {{ type: IAMUser }} }}
    - why: DeleteTrail by an assumed role in us-east-1
      record: {{ eventSource: cloudtrail.amazonaws.com, eventName: DeleteTrail, awsRegion: us-east-1, userIdentity: {{ type: AssumedRole }} }}
  excluded:
    - why: StartLogging (not a change that stops logging)
      record: {{ eventSource: cloudtrail.amazonaws.com, eventName: StartLogging, awsRegion: us-east-1 }}
check: {check}
message: m
tests:
{tests}"#
    )
}

const CHECK: &str = "{ path: name, matches_events: { all_of: required, none_of: excluded } }";

fn case(name: &str, expect: &str, pattern: &str) -> String {
    let quoted = serde_json::to_string(pattern).expect("a string");
    format!("  - {{ name: {name:?}, expect: {expect}, subject: {{ name: {quoted} }} }}\n")
}

fn kinds(text: &str) -> Vec<ProblemKind> {
    match rules::parse_str("T-1.yaml", text) {
        Ok(_) => Vec::new(),
        Err(p) => p.problems.iter().map(|d| d.kind).collect(),
    }
}

#[test]
fn filters_are_judged_by_what_they_match() {
    let cases = [
        case("both, CIS style", "pass", r#"{ ($.eventName = "StopLogging") || ($.eventName = "DeleteTrail") }"#),
        case("reordered, unquoted", "pass", "{($.eventName=DeleteTrail)||($.eventName=StopLogging)}"),
        case("multi-line superset", "pass", "{\n  $.eventName = \"DeleteTrail\" ||\n  $.eventName = \"StopLogging\" ||\n  $.eventName = \"UpdateTrail\"\n}"),
        case("wildcard", "pass", "{ $.eventName = Stop* || $.eventName = Delete* }"),
        case("one event missing", "fail", r#"{ $.eventName = "StopLogging" }"#),
        case("narrowed to a region", "fail", r#"{ ($.eventName = "StopLogging" || $.eventName = "DeleteTrail") && $.awsRegion = "us-east-1" }"#),
        case("wrong field", "fail", r#"{ $.eventSource = "StopLogging" || $.eventSource = "DeleteTrail" }"#),
        case("matches an excluded event", "fail", "{ $.eventSource = cloudtrail.amazonaws.com }"),
        case("a term pattern", "fail", "StopLogging DeleteTrail"),
        case("does not parse", "fail", "{ $.eventName = }"),
        "  - { name: no pattern, expect: fail, subject: {} }\n".to_owned(),
    ]
    .concat();
    let rule = rules::parse_str("T-1.yaml", &rule(CHECK, &cases)).expect("the rule loads");
    let results = run_tests(&rule);
    assert_eq!(results.len(), 11);
    for r in &results {
        assert!(
            r.passed(),
            "{}: expected {:?}, got {:?}",
            r.name,
            r.expected,
            r.verdict
        );
    }
}

/// The evidence of a failing filter names the first event it misses (or wrongly matches).
#[test]
fn evidence_names_the_event_that_decides() {
    let cases = [
        case("missing", "fail", r#"{ $.eventName = "StopLogging" }"#),
        case("excluded", "fail", "{ $.eventName = * }"),
        case("terms", "fail", "StopLogging"),
        case("parse", "fail", "{ $.eventName = }"),
    ]
    .concat();
    let rule = rules::parse_str("T-1.yaml", &rule(CHECK, &cases)).expect("the rule loads");
    let expected: Vec<String> = run_tests(&rule)
        .iter()
        .map(|r| {
            assert_eq!(r.verdict.status, Status::Fail, "{}", r.name);
            match r.verdict.evidence.as_slice() {
                [
                    Evidence::Leaf {
                        path,
                        expected,
                        holds: Some(false),
                        ..
                    },
                ] => {
                    assert_eq!(path, "name");
                    expected.clone()
                }
                other => panic!("{}: one failing leaf expected, got {other:?}", r.name),
            }
        })
        .collect();
    let head =
        "is a filter pattern matching every event of `required` and no event of `excluded`; it ";
    assert_eq!(
        expected,
        [
            format!(
                "{head}does not match DeleteTrail by an assumed role in us-east-1 (`required`)"
            ),
            format!(
                "{head}also matches StartLogging (not a change that stops logging) (`excluded`)"
            ),
            format!(
                "{head}a term pattern matches raw text, not CloudTrail's JSON fields (a JSON pattern `{{ … }}` is required)"
            ),
            format!(
                "{head}does not parse: filter pattern at 1:17: expected a value after the operator, found `}}`"
            ),
        ]
    );
}

#[test]
fn event_sets_and_references_are_checked_at_load() {
    use ProblemKind::*;
    let ok = |check: &str| {
        rule(
            check,
            "  - { name: n, expect: fail, subject: { name: x } }\n",
        )
    };
    assert_eq!(kinds(&ok(CHECK)), []);
    assert_eq!(
        kinds(&ok("{ path: name, matches_events: { all_of: required } }")),
        []
    );
    assert_eq!(
        kinds(&ok("{ path: name, matches_events: { all_of: requird } }")),
        [InvalidValue],
        "an unknown set"
    );
    assert_eq!(
        kinds(&ok("{ path: name, matches_events: { none_of: excluded } }")),
        [MissingKey]
    );
    assert_eq!(
        kinds(&ok(
            "{ path: name, matches_events: { all_of: required, any_of: x } }"
        )),
        [UnknownKey]
    );
    assert_eq!(
        kinds(&ok("{ path: name, matches_events: required }")),
        [InvalidValue]
    );
    assert_eq!(
        kinds(&ok(
            "{ path: is_multi_region, matches_events: { all_of: required } }"
        )),
        [OperatorType],
        "a bool field is no filter pattern"
    );
    let bad_set = ok(CHECK).replace(
        "  excluded:\n    - why: StartLogging (not a change that stops logging)\n",
        "  excluded:\n    - why: ''\n",
    );
    assert!(
        kinds(&bad_set).contains(&InvalidValue),
        "an event without `why`"
    );
    let not_a_list = ok(CHECK).replace("  excluded:\n", "  excluded: {}\n  unused:\n");
    assert!(
        kinds(&not_a_list).contains(&InvalidValue),
        "a set that is not a list"
    );
}
