//! Markdown over the shared fixture: a snapshot, and the tables a step summary relies on.

use crate::support::report_fixture as fixture;

use trailguard::finding::Status;
use trailguard::report::{Format, RenderOptions};

fn markdown(report: &trailguard::report::Report) -> String {
    fixture::render(report, Format::Markdown, &RenderOptions::default())
}

#[test]
fn markdown_snapshot() {
    insta::assert_snapshot!("report_markdown", markdown(&fixture::report()));
}

#[test]
fn sections_and_remediation() {
    let report = fixture::report();
    let md = markdown(&report);
    for heading in [
        "## trailguard: gate failed (exit 1)",
        "| Status | Findings |",
        "| Severity | FAIL | not waived |",
        "### Failures",
        "### Errors",
        "### Framework coverage",
    ] {
        assert!(md.contains(heading), "missing {heading}");
    }
    for f in report.findings.iter().filter(|f| f.status == Status::Fail) {
        assert!(
            md.contains(&format!("#### {} ", f.rule_id)),
            "{} not listed",
            f.rule_id
        );
        let rule = report.rule(&f.rule_id).expect("rule");
        if let Some(cli) = &rule.remediation.cli {
            assert!(md.contains(&format!("```sh\n{}\n```", cli.trim())));
        }
    }
}

/// A `|` or a line break in a message must not break the table it sits in.
#[test]
fn table_cells_stay_in_their_table() {
    let mut report = fixture::report();
    for (i, f) in report
        .findings
        .iter_mut()
        .filter(|f| f.status == Status::Fail)
        .enumerate()
    {
        // Distinct messages, so that each sits in its row rather than once above the table.
        f.message = format!("one | two\nthree {i}");
    }
    let md = markdown(&report);
    for line in md
        .lines()
        .filter(|l| l.starts_with("| ✖") || l.starts_with("| ·"))
    {
        let unescaped = line.replace("\\|", "");
        assert_eq!(unescaped.matches('|').count(), 6, "{line}");
    }
    // Each message is in its row (escaped) or, alone in its rule, once above the table.
    let fails = report.summary.fail;
    for i in 0..fails {
        assert!(
            md.contains(&format!("one \\| two<br>three {i}<br>"))
                || md.contains(&format!("\none | two three {i}\n")),
            "message {i}: {md}"
        );
    }
}

/// Each FAIL row carries its decisive evidence line; a built-in rule points at
/// `trailguard rules explain`, never at a file the user's repository does not have.
#[test]
fn rows_show_the_decisive_evidence_and_rules_are_explained_by_command() {
    let report = fixture::report();
    let md = markdown(&report);
    let fail_rows: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("| ✖") || l.starts_with("| ·"))
        .collect();
    assert!(!fail_rows.is_empty());
    for row in &fail_rows {
        // The resource's code span, then the evidence line's.
        assert!(row.matches('`').count() >= 4, "no evidence: {row}");
    }
    assert!(
        md.contains("| `policy_is_public: expected false, found true` |"),
        "{md}"
    );
    assert!(md.contains("`trailguard rules explain CT-D02`"), "{md}");
    assert!(
        !md.contains("rules/CT-"),
        "no path to a built-in rule file: {md}"
    );
}

/// A rule of the user's own keeps its file and line.
#[test]
fn a_user_rule_keeps_its_path() {
    let mut report = fixture::report();
    let rule = report
        .rules
        .iter_mut()
        .find(|r| r.id == "CT-D02")
        .expect("CT-D02");
    rule.builtin = false;
    rule.source.path = "policies/CT-D02.yaml".into();
    rule.source.line = 3;
    let md = markdown(&report);
    assert!(md.contains("Rule: `policies/CT-D02.yaml:3`."), "{md}");
}

/// Times to the second, whatever precision the clock had.
#[test]
fn times_are_shown_to_the_second() {
    let mut report = fixture::report();
    report.run.started_at =
        trailguard::inventory::Timestamp::parse("2026-11-20T09:14:03.123456789Z")
            .expect("a timestamp");
    let md = markdown(&report);
    assert!(md.contains("2026-11-20T09:14:03Z →"), "{md}");
    assert!(!md.contains(".123"), "{md}");
}

/// Long tables fold; short ones stay open.
#[test]
fn long_tables_are_folded_in_details() {
    let mut report = fixture::report();
    let error = report
        .findings
        .iter()
        .find(|f| f.status == Status::Error)
        .expect("an ERROR")
        .clone();
    let md = markdown(&report);
    assert!(
        !md.contains("errors in"),
        "a short errors table is not folded: {md}"
    );
    for i in 0..12 {
        let mut e = error.clone();
        e.resource.id = format!("extra-{i}");
        report.findings.push(e);
    }
    let md = markdown(&report);
    let folded = md.find("<details><summary>").expect("folded");
    assert!(
        md[folded..].starts_with(&format!(
            "<details><summary>{} errors in",
            report.summary.error + 12
        )),
        "{md}"
    );
    // Markdown inside <details> renders on GitHub only with blank lines around it.
    assert!(md[folded..].contains("</summary>\n\n| Rule |"), "{md}");
}

/// `--rules` given as an absolute path under the working directory: the Markdown names the
/// rule file relative to it, as a reader of the repository would.
#[test]
fn an_absolute_rules_dir_is_shown_relative_to_the_working_directory() {
    let dir = crate::support::repo_root().join("tests/fixtures/rules/good");
    let dir = dir.to_str().expect("a UTF-8 path");
    let o = crate::support::cli::run(&[
        "check",
        "--inventory",
        "tests/fixtures/inventories/legacy.json",
        "--no-builtin",
        "--rules",
        dir,
        "--output",
        "markdown",
    ]);
    let md = crate::support::cli::stdout(&o);
    assert!(
        md.contains("Rule: `tests/fixtures/rules/good/TG-001-logging-trail.yaml:1`."),
        "{md}"
    );
    assert!(!md.contains(dir), "an absolute path: {md}");
}
