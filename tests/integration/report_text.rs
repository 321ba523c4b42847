//! The text format over the shared fixture: plain, coloured, verbose; and the properties a
//! reader relies on (problems first, PASS not listed by default, the gate line last).

use crate::support::report_fixture as fixture;

use trailguard::report::{Format, RenderOptions};

fn text(options: RenderOptions) -> String {
    fixture::render(&fixture::report(), Format::Text, &options)
}

#[test]
fn plain_snapshot() {
    insta::assert_snapshot!("report_text_plain", text(RenderOptions::default()));
}

#[test]
fn colour_snapshot() {
    let out = text(RenderOptions {
        color: true,
        ..RenderOptions::default()
    });
    assert!(out.contains("\u{1b}["), "colour was asked for");
    insta::assert_snapshot!("report_text_color", out);
}

#[test]
fn verbose_snapshot() {
    insta::assert_snapshot!(
        "report_text_verbose",
        text(RenderOptions {
            verbose: true,
            ..RenderOptions::default()
        })
    );
}

#[test]
fn plain_has_no_escape_codes_and_ends_with_the_gate_line() {
    let out = text(RenderOptions::default());
    assert!(!out.contains('\u{1b}'));
    let last = out.lines().last().expect("output");
    assert_eq!(
        last,
        format!("exit 1: {}", fixture::report().gate.reason),
        "the last line says why the exit code is what it is"
    );
}

#[test]
fn lists_problems_not_passes() {
    let report = fixture::report();
    let out = text(RenderOptions::default());
    for f in &report.findings {
        let label = match f.status {
            trailguard::finding::Status::Pass => "PASS ",
            trailguard::finding::Status::NotApplicable => "N/A  ",
            _ => continue,
        };
        assert!(!out.contains(label), "{label} listed without verbose");
    }
    let count = |status: &str| {
        out.lines()
            .filter(|l| l.starts_with("  ✖ ") || l.starts_with("  · "))
            .filter(|l| l[l.char_indices().nth(4).map_or(0, |(i, _)| i)..].starts_with(status))
            .count()
    };
    let (fails, errors) = (count("FAIL "), count("ERROR "));
    assert_eq!(fails, report.summary.fail, "one line per FAIL");
    assert_eq!(errors, report.summary.error, "one line per ERROR");
    assert!(out.contains("waived by W-001"));
    assert!(out.contains("[new]"));
}

#[test]
fn verbose_lists_every_finding() {
    let report = fixture::report();
    let out = text(RenderOptions {
        verbose: true,
        ..RenderOptions::default()
    });
    let count = |word: &str| {
        out.lines()
            .filter(|l| l.starts_with("    ") && l[4..].starts_with(word))
            .count()
    };
    assert_eq!(count("PASS "), report.summary.pass);
    assert_eq!(count("N/A  "), report.summary.not_applicable);
}

/// Worst first: the rule lines come critical before high before medium before low, whatever
/// their ids, so the first thing a reader sees is the most severe failure.
#[test]
fn rules_are_listed_most_severe_first() {
    let report = fixture::report();
    let out = text(RenderOptions::default());
    let rank = |word: &str| {
        ["critical", "high", "medium", "low", "info"]
            .iter()
            .position(|s| *s == word)
    };
    let severities: Vec<usize> = out
        .lines()
        .filter(|l| l.starts_with("CT-"))
        .filter_map(|l| rank(l.split(' ').nth(1)?))
        .collect();
    assert!(severities.len() > 2, "{out}");
    assert!(severities.is_sorted(), "not worst first:\n{out}");
    // And the fixture does mix them, so the order proves something.
    let by_id: Vec<&str> = {
        let mut ids: Vec<&str> = out.lines().filter(|l| l.starts_with("CT-")).collect();
        ids.sort();
        ids
    };
    let listed: Vec<&str> = out.lines().filter(|l| l.starts_with("CT-")).collect();
    assert_ne!(
        listed, by_id,
        "the fixture's rules happen to be in id order"
    );
    assert!(
        report
            .findings
            .iter()
            .any(|f| f.severity.as_str() == "critical")
    );
}
