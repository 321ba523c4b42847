//! The small promises of the command line (issue 17, item 6): each diagnostic, flag and help
//! text says what the program does, and the program does what they say.

use crate::support::cli::{code, run, stderr, stdout};

const COMPLIANT: &str = "tests/fixtures/inventories/compliant.json";
const WAIVERS: &str = "tests/fixtures/waivers/valid.yaml";

/// Waiver warnings carry one `warning:` prefix, like every other warning.
#[test]
fn waiver_warnings_have_one_prefix() {
    let o = run(&[
        "check",
        "--inventory",
        COMPLIANT,
        "--waivers",
        WAIVERS,
        "--now",
        "2026-06-01T00:00:00Z",
    ]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains("warning: warning:"), "{err}");
    let expired = format!("warning: {WAIVERS}:16:5: waiver `old-exception` expired on 2025-06-30");
    assert!(
        err.lines().any(|l| l.starts_with(&expired)),
        "{expired} in:\n{err}"
    );
}

/// The ids of a `rules list --output json`.
fn listed(args: &[&str]) -> Vec<(String, String)> {
    let mut argv = vec!["rules", "list", "--output", "json"];
    argv.extend_from_slice(args);
    let o = run(&argv);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    (json.as_array().expect("array").iter())
        .map(|r| {
            let field = |k: &str| r[k].as_str().expect(k).to_owned();
            (field("id"), field("severity"))
        })
        .collect()
}

/// `--severity-min` means what it means for `check` and `scan`: at least; `--severity` stays
/// an exact match; the two together are a usage error.
#[test]
fn rules_list_severity_min_is_a_threshold_and_severity_exact() {
    let at_least_high = listed(&["--severity-min", "high"]);
    let severities: std::collections::BTreeSet<&str> =
        at_least_high.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        severities,
        ["critical", "high"].into_iter().collect(),
        "{at_least_high:?}"
    );
    let exactly_high = listed(&["--severity", "high"]);
    assert!(exactly_high.iter().all(|(_, s)| s == "high"));
    assert!(exactly_high.len() < at_least_high.len());
    // The same selection as `check --severity-min high` evaluates.
    let o = run(&[
        "check",
        "--inventory",
        COMPLIANT,
        "--severity-min",
        "high",
        "--output",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let mut evaluated: Vec<&str> = (report["findings"].as_array().expect("findings").iter())
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    evaluated.dedup();
    let mut ids: Vec<&str> = at_least_high.iter().map(|(id, _)| id.as_str()).collect();
    ids.sort_unstable();
    evaluated.sort_unstable();
    evaluated.dedup();
    assert_eq!(evaluated, ids);
    let o = run(&[
        "rules",
        "list",
        "--severity",
        "high",
        "--severity-min",
        "low",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
}

/// The help promises what the table prints: no frameworks column without `--framework`; with
/// it, each rule's controls in that framework.
#[test]
fn rules_list_prints_what_its_help_promises() {
    let help = stdout(&run(&["rules", "list", "--help"]));
    assert!(
        help.starts_with(
            "A table of the rules: id, severity, scope, title (with --framework, its controls)"
        ),
        "{help}"
    );
    let plain = stdout(&run(&["rules", "list"]));
    let header: Vec<&str> = plain
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    assert_eq!(header, ["ID", "SEVERITY", "SCOPE", "TITLE"]);
    let o = run(&["rules", "list", "--framework", "cis-aws-foundations-v5.0.0"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    let header: Vec<&str> = text
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    assert_eq!(header, ["ID", "SEVERITY", "SCOPE", "CONTROLS", "TITLE"]);
    let a02 = text
        .lines()
        .find(|l| l.starts_with("CT-A02 "))
        .expect("CT-A02");
    assert_eq!(a02.split_whitespace().nth(3), Some("3.1"), "{a02}");
}

/// An unknown `--framework` lists the valid ids, with "did you mean", for `rules list` as for
/// `check`.
#[test]
fn an_unknown_framework_lists_the_valid_ids() {
    for argv in [
        &["rules", "list", "--framework", "cis-aws-foundations-v5.00"][..],
        &[
            "check",
            "--inventory",
            COMPLIANT,
            "--framework",
            "cis-aws-foundations-v5.00",
        ],
    ] {
        let o = run(argv);
        assert_eq!(code(&o), 2, "{argv:?}");
        let err = stderr(&o);
        assert!(
            err.contains("did you mean `cis-aws-foundations-v5.0.0`?"),
            "{err}"
        );
        for id in trailguard::frameworks::valid_ids() {
            assert!(err.contains(id), "{id} missing from {err}");
        }
    }
}

/// Rule ids are accepted in any case and printed in their canonical (upper) case.
#[test]
fn rule_ids_in_any_case() {
    let o = run(&[
        "check",
        "--inventory",
        COMPLIANT,
        "--only",
        "ct-a01,Ct-B01",
        "--skip",
        "ct-b01",
        "--output",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let mut ids: Vec<&str> = (report["findings"].as_array().expect("findings").iter())
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    ids.dedup();
    assert_eq!(ids, ["CT-A01"]);

    let o = run(&["check", "--inventory", COMPLIANT, "--only", "ct-a99"]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "error: unknown rule id `CT-A99` in --only; did you mean `CT-A09`?\n"
    );
    let o = run(&["rules", "explain", "ct-a02"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("CT-A02  "), "{}", stdout(&o));
}
