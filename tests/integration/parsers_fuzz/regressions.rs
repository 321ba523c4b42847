//! Inputs the fuzzers found, kept as plain tests: each once crashed a parser.

use trailguard::rules;

/// A rule with `check` replaced by `condition` (a condition's YAML, indented under `check:`).
fn rule_with_check(condition: &str) -> String {
    format!(
        "id: FUZZ-1\ntitle: t\nseverity: high\nscope: account\nrationale: r\n\
         remediation: {{ text: x }}\nmessage: m\ncheck: {condition}\n"
    )
}

#[test]
fn an_empty_condition_is_a_located_problem_not_a_panic() {
    // `check: {}` indexed past the end of the condition's keys (exit 101 from `rules validate`).
    for (condition, line) in [
        ("{}", 8),
        ("{ not: {} }", 8),
        (
            "{ all: [ { path: is_organization_admin, equals: true }, {} ] }",
            8,
        ),
        ("\n  any:\n    - {}\n", 10),
    ] {
        let text = rule_with_check(condition);
        let problems = match rules::parse_str("FUZZ-1.yaml", &text) {
            Ok(_) => panic!("an empty condition was accepted: {text}"),
            Err(p) => p.problems,
        };
        let shown: Vec<String> = problems.iter().map(ToString::to_string).collect();
        assert!(
            shown
                .iter()
                .any(|d| d.contains(&format!("FUZZ-1.yaml:{line}:"))
                    && d.contains("a condition cannot be empty")),
            "{condition}: {shown:?}"
        );
    }
}
