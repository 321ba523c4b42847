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
    for f in report
        .findings
        .iter_mut()
        .filter(|f| f.status == Status::Fail)
    {
        f.message = "one | two\nthree".into();
    }
    let md = markdown(&report);
    for line in md
        .lines()
        .filter(|l| l.starts_with("| ✖") || l.starts_with("| ·"))
    {
        let unescaped = line.replace("\\|", "");
        assert_eq!(unescaped.matches('|').count(), 6, "{line}");
        assert!(line.contains("one \\| two<br>three"));
    }
}
