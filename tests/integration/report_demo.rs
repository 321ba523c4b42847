//! The demo organisation (examples/demo-inventory.json) as a reader meets it: snapshots of the
//! text report, the Markdown summary and the SARIF results' messages, from the real binary with
//! a fixed clock. Only each SARIF result's rule, level and message text are snapshotted: the
//! rest of the SARIF structure has its own tests (`report_sarif`).

use crate::support::cli::{code, run, stderr, stdout};

const DEMO: &str = "examples/demo-inventory.json";
const NOW: &str = "2026-01-01T00:00:00Z";

fn demo(format: &str) -> String {
    let o = run(&[
        "check",
        "--inventory",
        DEMO,
        "--now",
        NOW,
        "--output",
        format,
    ]);
    assert_eq!(code(&o), 1, "the demo is non-compliant: {}", stderr(&o));
    stdout(&o)
}

/// The lines the issue found confusing, gone from every human format.
fn assert_plain(out: &str) {
    for confusing in [
        "expected contains ,",
        "does not equal false",
        "is one of []",
        "expected Enabled,",
        "matched, ",
        " and 9 more)",
    ] {
        assert!(!out.contains(confusing), "`{confusing}` in:\n{out}");
    }
}

#[test]
fn demo_text() {
    let out = demo("text");
    assert_plain(&out);
    // Worst first: the critical rule leads, and the verdict names it first.
    assert!(out.starts_with("CT-D02 critical "), "{out}");
    let verdict = out.lines().last().expect("a verdict line");
    assert!(
        verdict.starts_with("exit 1: 13 FAIL in 13 rules: CT-D02 critical, CT-A07 high, "),
        "{verdict}"
    );
    insta::assert_snapshot!("demo_text", out);
}

#[test]
fn demo_markdown() {
    let out = demo("markdown");
    assert_plain(&out);
    assert!(out.contains("`trailguard rules explain CT-D02`"), "{out}");
    insta::assert_snapshot!("demo_markdown", out);
}

#[test]
fn demo_sarif_messages() {
    let log: serde_json::Value = serde_json::from_str(&demo("sarif")).expect("SARIF is JSON");
    let mut lines = Vec::new();
    for run in log["runs"].as_array().expect("runs") {
        for r in run["results"].as_array().expect("results") {
            lines.push(format!(
                "{} {}: {}",
                r["ruleId"].as_str().unwrap_or("?"),
                r["level"].as_str().unwrap_or("?"),
                r["message"]["text"].as_str().unwrap_or("?")
            ));
        }
    }
    let text = lines.join("\n");
    assert!(!lines.is_empty());
    assert_plain(&text);
    insta::assert_snapshot!("demo_sarif_messages", text);
}
