//! `trailguard diff` through the binary, on two hand-written reports.

use crate::support::cli::{code, run, stderr, stdout, transcript};

const OLD: &str = "tests/fixtures/reports/old.json";
const NEW: &str = "tests/fixtures/reports/new.json";

#[test]
fn text_drift_between_two_audits() {
    let o = run(&["diff", OLD, NEW]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stdout(&o).contains('\u{1b}'), "NO_COLOR: no escapes");
    insta::assert_snapshot!("diff_text", stdout(&o));
}

#[test]
fn json_drift_between_two_audits() {
    let o = run(&["diff", OLD, NEW, "--output", "json"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_str(&stdout(&o)).expect("JSON on stdout");
    assert_eq!(v["schema"], "trailguard.diff/v1");
    let rules = |key: &str| -> Vec<String> {
        v[key]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| format!("{} {}→{}", c["rule_id"], c["before"], c["after"]))
            .collect()
    };
    assert_eq!(
        rules("new_failures"),
        [r#""CT-A07" "PASS"→"FAIL""#, r#""CT-C03" null→"FAIL""#]
    );
    assert_eq!(
        rules("resolved"),
        [
            r#""CT-A01" "FAIL"→"PASS""#,
            r#""CT-A02" "FAIL"→null"#,
            r#""CT-B08" "FAIL"→"NOT_APPLICABLE""#,
            r#""CT-Z01" "FAIL"→null"#
        ]
    );
    assert_eq!(
        rules("status_changes"),
        [
            r#""CT-D03" "PASS"→"NOT_APPLICABLE""#,
            r#""CT-D06" "ERROR"→"FAIL""#
        ]
    );
    assert_eq!(v["rules_added"], serde_json::json!(["CT-C03"]));
    assert_eq!(v["rules_removed"], serde_json::json!(["CT-Z01"]));
    assert_eq!(v["accounts"].as_array().map(Vec::len), Some(3));
    insta::assert_snapshot!("diff_json", stdout(&o));
}

#[test]
fn colour_follows_the_color_flag() {
    let o = run(&["--color", "always", "diff", OLD, NEW]);
    assert_eq!(code(&o), 0);
    assert!(stdout(&o).contains("\u{1b}["), "{}", stdout(&o));
    insta::assert_snapshot!("diff_text_color", transcript(&o, &[]));
    let o = run(&["--color", "never", "diff", OLD, NEW]);
    assert!(!stdout(&o).contains('\u{1b}'));
}

#[test]
fn outputs_to_files_and_stdout_together() {
    let dir = std::env::temp_dir().join(format!("trailguard-diff-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let json = dir.join("drift.json");
    let json_arg = format!("json={}", json.display());
    let o = run(&["diff", OLD, NEW, "--output", "text", "--output", &json_arg]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("drift from "), "{}", stdout(&o));
    let written = std::fs::read_to_string(&json).expect("json written");
    assert!(written.contains("\"schema\": \"trailguard.diff/v1\""));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn no_drift_against_itself() {
    let o = run(&["diff", NEW, NEW]);
    assert_eq!(code(&o), 0);
    assert!(
        stdout(&o).ends_with("\nno drift: the same findings with the same statuses\n"),
        "{}",
        stdout(&o)
    );
    insta::assert_snapshot!("diff_no_drift", transcript(&o, &[]));
}

#[test]
fn unreadable_input_exits_2_naming_the_file() {
    let cases = [
        (
            "missing",
            "tests/fixtures/reports/missing.json",
            "cannot read report `tests/fixtures/reports/missing.json`",
        ),
        (
            "v2",
            "tests/fixtures/reports/v2.json",
            "tests/fixtures/reports/v2.json:2:13: schema `trailguard.report/v2`",
        ),
        (
            "truncated",
            "tests/fixtures/reports/truncated.json",
            "tests/fixtures/reports/truncated.json:4:26: not a readable trailguard report",
        ),
        (
            "inventory_like",
            "tests/fixtures/reports/inventory-like.json",
            "it has no `schema` field",
        ),
    ];
    for (name, file, want) in cases {
        let o = run(&["diff", OLD, file]);
        assert_eq!(code(&o), 2, "{file}");
        assert!(stderr(&o).contains(want), "{file}: {}", stderr(&o));
        assert!(stdout(&o).is_empty(), "{file}: nothing on stdout");
        insta::assert_snapshot!(format!("diff_unreadable_{name}"), transcript(&o, &[]));
    }
}

#[test]
fn bad_output_flags_exit_2() {
    let o = run(&["diff", OLD, NEW, "--output", "text", "--output", "json"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("at most one --output may go to stdout"),
        "{}",
        stderr(&o)
    );
    insta::assert_snapshot!("diff_two_outputs_on_stdout", transcript(&o, &[]));
    let o = run(&["diff", OLD, NEW, "--output", "sarif"]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("unknown diff format `sarif`"),
        "{}",
        stderr(&o)
    );
    insta::assert_snapshot!("diff_unknown_format", transcript(&o, &[]));
    let o = run(&["diff", OLD]);
    assert_eq!(code(&o), 2);
    insta::assert_snapshot!("diff_missing_argument", transcript(&o, &[]));
}
