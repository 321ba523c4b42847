//! JUnit XML for CI test tabs (Jenkins, GitLab, Azure DevOps).
//!
//! One `<testsuite>` per rule (name `CT-A02 <title>`): a CI test tab then reads as the list of
//! controls, and a rule's history stays in one suite however many accounts come and go (a suite
//! per account would split every control across suites). One `<testcase>` per finding:
//! classname = the rule id, name = `<account>[/<region|global>[/<resource id>]]` — unique per
//! rule, because Jenkins and GitLab key a case's history by (classname, name), and an
//! organization trail or bucket is a finding in every account that uses it.
//! FAIL → `<failure>` with the evidence as its text, ERROR → `<error>`, NOT_APPLICABLE and
//! waived findings → `<skipped>`, PASS → an empty case.
//! `time`: `0` on cases and suites — rules are not timed (evaluating one takes microseconds;
//! collection, the slow part, is shared by every rule) — and the run's duration on
//! `<testsuites>`; both come from the report, so the same report gives the same bytes.
//! Written by hand (a few dozen lines) rather than with a JUnit crate; every attribute and text
//! goes through [`escape`].

use std::io::{self, Write};

use super::describe::{error_reason, evidence_lines, resource_label};
use super::{Report, ReportFinding};
use crate::finding::Evidence;
use crate::vocabulary::{ResourceType, Status};

/// Writes the JUnit XML document.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let groups = by_rule(&report.findings);
    let total = Counts::of(&report.findings);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="trailguard" tests="{}" failures="{}" errors="{}" skipped="{}" time="{}" timestamp="{}">"#,
        total.tests,
        total.failures,
        total.errors,
        total.skipped,
        run_seconds(report),
        report.run.finished_at
    )?;
    for group in groups {
        let head = &group[0];
        let c = Counts::of(group);
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="{}" skipped="{}" time="0" timestamp="{}">"#,
            escape(&format!("{} {}", head.rule_id, head.title)),
            c.tests,
            c.failures,
            c.errors,
            c.skipped,
            report.run.finished_at
        )?;
        writeln!(out, "    <properties>")?;
        let mut properties = vec![
            ("rule", head.rule_id.clone()),
            ("severity", head.severity.as_str().to_owned()),
        ];
        // A built-in rule's file is not in the user's repository: point at `rules explain`.
        match report.rule(&head.rule_id) {
            Some(rule) if rule.builtin => {
                properties.push(("explain", format!("trailguard rules explain {}", rule.id)));
            }
            Some(rule) => properties.push((
                "source",
                format!("{}:{}", rule.source.path, rule.source.line),
            )),
            None => {}
        }
        for (name, value) in properties {
            writeln!(
                out,
                r#"      <property name="{name}" value="{}"/>"#,
                escape(&value)
            )?;
        }
        writeln!(out, "    </properties>")?;
        for f in group {
            case(out, f)?;
        }
        writeln!(out, "  </testsuite>")?;
    }
    writeln!(out, "</testsuites>")
}

/// One test case.
fn case(out: &mut dyn Write, f: &ReportFinding) -> io::Result<()> {
    let open = format!(
        r#"    <testcase name="{}" classname="{}" time="0""#,
        escape(&case_name(f)),
        escape(&f.rule_id)
    );
    if let Some(w) = &f.waiver
        && matches!(f.status, Status::Fail | Status::Error)
    {
        let message = format!(
            "waived: {} {} ({}, until {}); status {}",
            w.id, w.reason, w.owner, w.expires, f.status
        );
        writeln!(out, "{open}>")?;
        writeln!(out, r#"      <skipped message="{}"/>"#, escape(&message))?;
        return writeln!(out, "    </testcase>");
    }
    match f.status {
        Status::Pass => writeln!(out, "{open}/>"),
        Status::NotApplicable => {
            writeln!(out, "{open}>")?;
            writeln!(out, r#"      <skipped message="{}"/>"#, escape(&f.message))?;
            writeln!(out, "    </testcase>")
        }
        Status::Fail => {
            writeln!(out, "{open}>")?;
            let mut body = format!("{}: {}\n", resource_label(&f.resource), f.message);
            for line in evidence_lines(&f.evidence, true) {
                body.push_str(&format!("  {line}\n"));
            }
            writeln!(
                out,
                r#"      <failure message="{}" type="{}">{}</failure>"#,
                escape(&f.message),
                f.severity,
                escape_text(&body)
            )?;
            writeln!(out, "    </testcase>")
        }
        Status::Error => {
            writeln!(out, "{open}>")?;
            let kind = f
                .evidence
                .iter()
                .find_map(|e| match e {
                    Evidence::ReadError { error_kind, .. } => Some(error_kind.as_str()),
                    _ => None,
                })
                .unwrap_or("error");
            let reason = error_reason(&f.evidence, &f.message);
            let body = evidence_lines(&f.evidence, true).join("\n");
            writeln!(
                out,
                r#"      <error message="{}" type="{}">{}</error>"#,
                escape(&reason),
                escape(kind),
                escape_text(&body)
            )?;
            writeln!(out, "    </testcase>")
        }
    }
}

/// `<account>` for an account, `<account>/<region>` for a region,
/// `<account>/<region|global>/<resource id>` otherwise: the finding's identity, so that the
/// organization trail (or bucket, or key) of several accounts gives one case per account.
fn case_name(f: &ReportFinding) -> String {
    let r = &f.resource;
    let region = r.region.as_deref().unwrap_or("global");
    match r.resource_type {
        ResourceType::Account => r.account_id.clone(),
        ResourceType::Region => format!("{}/{}", r.account_id, r.id),
        _ => format!("{}/{region}/{}", r.account_id, r.id),
    }
}

/// The run's duration in seconds (millisecond precision), from the report's clock.
fn run_seconds(report: &Report) -> String {
    let seconds = (report.run.finished_at.0 - report.run.started_at.0).as_seconds_f64();
    format!("{:.3}", seconds.max(0.0))
}

/// Consecutive findings of one rule (findings are sorted by rule id).
fn by_rule(findings: &[ReportFinding]) -> Vec<&[ReportFinding]> {
    let mut groups = Vec::new();
    let mut start = 0;
    for i in 1..=findings.len() {
        if i == findings.len() || findings[i].rule_id != findings[start].rule_id {
            groups.push(&findings[start..i]);
            start = i;
        }
    }
    groups
}

/// The counts JUnit readers expect on suites.
struct Counts {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Counts {
    fn of(findings: &[ReportFinding]) -> Counts {
        let mut c = Counts {
            tests: findings.len(),
            failures: 0,
            errors: 0,
            skipped: 0,
        };
        for f in findings {
            match (f.status, f.is_waived()) {
                (Status::Fail | Status::Error, true) | (Status::NotApplicable, _) => c.skipped += 1,
                (Status::Fail, false) => c.failures += 1,
                (Status::Error, false) => c.errors += 1,
                (Status::Pass, _) => {}
            }
        }
        c
    }
}

/// Escapes text for an XML attribute or element: the five markup characters, line breaks and
/// tabs as references (so attributes keep them), and characters XML 1.0 forbids dropped.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if is_xml_char(c) => out.push(c),
            _ => {}
        }
    }
    out
}

/// Escapes element text: like [`escape`], but line breaks stay as they are.
fn escape_text(text: &str) -> String {
    escape(text).replace("&#10;", "\n")
}

/// XML 1.0 `Char`.
fn is_xml_char(c: char) -> bool {
    matches!(c, '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..='\u{10FFFF}')
}

#[cfg(test)]
mod tests {
    use super::escape;

    #[test]
    fn escapes_markup_and_drops_forbidden_characters() {
        assert_eq!(
            escape("a<b>&\"c'\n\u{1b}[0m\u{0}"),
            "a&lt;b&gt;&amp;&quot;c&apos;&#10;[0m"
        );
    }
}
