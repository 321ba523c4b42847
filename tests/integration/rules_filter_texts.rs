//! `filter_texts:` and `equals_filter_text`: the exact reading of a metric filter (Security
//! Hub's), which accepts the reference text of the selected key, whitespace aside, and nothing
//! else — and is never a PASS for a key that has no text.

use trailguard::evaluate::run_tests;
use trailguard::rules::{self, ProblemKind};

const CIS_4_5: &str = "{ ($.eventSource = cloudtrail.amazonaws.com) && (($.eventName = CreateTrail) || ($.eventName = StopLogging)) }";

fn rule(texts: &str, operand: &str, cases: &str) -> String {
    format!(
        r#"id: T-1
title: t
severity: low
scope: trail
rationale: r
remediation: {{ text: x }}
parameters:
  cis_version: {{ type: string, default: "5.0.0", allowed: ["1.2.0", "5.0.0"], description: v }}
filter_texts:
{texts}check:
  all:
    - {{ param: cis_version, one_of: ["1.2.0", "5.0.0"] }}
    - any:
        in: log_group.metric_filters
        where: {{ path: pattern, equals_filter_text: {operand} }}
message: m
tests:
{cases}"#
    )
}

const TEXTS: &str = "  \"5.0.0\":\n    - \"{ ($.eventSource = cloudtrail.amazonaws.com) && (($.eventName = CreateTrail) || ($.eventName = StopLogging)) }\"\n";

fn case(name: &str, expect: &str, pattern: &str, params: &str) -> String {
    format!(
        "  - name: {name:?}\n    expect: {expect}\n    params: {{ {params} }}\n    subject:\n      log_group:\n        arn: arn:aws:logs:us-east-1:111111111111:log-group:ct\n        account_id: '111111111111'\n        region: us-east-1\n        name: ct\n        metric_filters: [ {{ name: cis-4-5, pattern: {pattern:?}, transformations: [] }} ]\n"
    )
}

#[test]
fn the_exact_text_passes_whitespace_aside_and_nothing_else_does() {
    let respaced = "{($.eventSource=cloudtrail.amazonaws.com)&&\n  (($.eventName=CreateTrail)||($.eventName=StopLogging))}";
    let reordered = "{ (($.eventName = CreateTrail) || ($.eventName = StopLogging)) && ($.eventSource = cloudtrail.amazonaws.com) }";
    let cases = [
        case("the CIS text", "pass", CIS_4_5, ""),
        case("respaced over lines", "pass", respaced, ""),
        case("reordered", "fail", reordered, ""),
        case(
            "a version without a text",
            "fail",
            CIS_4_5,
            "cis_version: \"1.2.0\"",
        ),
    ]
    .concat();
    for operand in ["{ param: cis_version }", "\"5.0.0\""] {
        let text = rule(TEXTS, operand, &cases);
        let rule =
            rules::parse_str("T-1.yaml", &text).unwrap_or_else(|p| panic!("{}", p.render(false)));
        let results = run_tests(&rule);
        assert_eq!(results.len(), 4);
        for r in &results {
            if operand.starts_with('"') && r.name.contains("without") {
                continue; // a written key does not follow the parameter
            }
            assert!(
                r.passed(),
                "{operand} {}: expected {}, got {} {:?}",
                r.name,
                r.expected,
                r.verdict.status,
                r.verdict.evidence
            );
        }
        let evidence = |i: usize| format!("{:?}", results[i].verdict.evidence);
        assert!(
            evidence(0).contains("is the `5.0.0` filter text, whitespace aside"),
            "{}",
            evidence(0)
        );
        assert!(
            evidence(2).contains("it differs from the `5.0.0` text beyond whitespace"),
            "{}",
            evidence(2)
        );
        if operand.starts_with('{') {
            assert!(evidence(3).contains("is the `1.2.0` filter text, whitespace aside; the rule has no filter text for `1.2.0`"), "{}", evidence(3));
        }
    }
}

#[test]
fn filter_texts_are_checked_when_the_rule_loads() {
    let one = case("n", "pass", CIS_4_5, "");
    let problems = |texts: &str, operand: &str| match rules::parse_str(
        "T-1.yaml",
        &rule(texts, operand, &one),
    ) {
        Ok(_) => Vec::new(),
        Err(p) => p
            .problems
            .iter()
            .map(|d| (d.kind, d.location(), d.message.clone(), d.help.clone()))
            .collect(),
    };
    // A text that does not parse, at its line.
    let broken = "  \"5.0.0\":\n    - \"{ $.eventName = StopLogging\"\n";
    let found = problems(broken, "{ param: cis_version }");
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(
        (found[0].0, found[0].1.as_str()),
        (ProblemKind::InvalidValue, "T-1.yaml:11:7")
    );
    assert!(
        found[0]
            .2
            .starts_with("filter text `5.0.0` does not parse: "),
        "{found:?}"
    );
    // An unknown written key, with a suggestion.
    let found = problems(TEXTS, "\"5.0\"");
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(found[0].2.contains("no filter text `5.0`"), "{found:?}");
    assert_eq!(found[0].3.as_deref(), Some("did you mean `5.0.0`?"));
    // An empty list; a parameter that is not a string.
    assert_eq!(
        problems("  \"5.0.0\": []\n", "{ param: cis_version }").len(),
        1
    );
    let bool_param = rule(TEXTS, "{ param: cis_version }", &one).replace(
        "cis_version: { type: string, default: \"5.0.0\", allowed: [\"1.2.0\", \"5.0.0\"], description: v }",
        "cis_version: { type: string, default: \"5.0.0\", description: v }\n  flag: { type: bool, default: true, description: f }",
    ).replace("equals_filter_text: { param: cis_version }", "equals_filter_text: { param: flag }");
    let kinds: Vec<ProblemKind> = match rules::parse_str("T-1.yaml", &bool_param) {
        Ok(_) => Vec::new(),
        Err(p) => p.problems.iter().map(|d| d.kind).collect(),
    };
    assert_eq!(kinds, [ProblemKind::BadParameter]);
}
