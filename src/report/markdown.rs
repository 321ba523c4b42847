//! Markdown for `$GITHUB_STEP_SUMMARY`, PR comments and audit write-ups.
//!
//! The gate verdict first, then the summary tables (status counts, FAIL by severity), failures
//! grouped by rule, most severe first, each with the rule's message, one row per resource with
//! its decisive evidence line, and the remediation (text, the command in a code block, and
//! `trailguard rules explain ID` for a built-in rule or `file:line` for the user's own); errors
//! with their reasons, the per-framework coverage of controls, and baseline and waiver notes.
//! Tables of more than [`FOLD_ROWS`] rows are folded in `<details>`; times are shown to the
//! second. Table cells go through [`cell`]: `|`, line breaks and HTML-significant characters
//! are escaped.

use std::collections::BTreeMap;
use std::io::{self, Write};

use super::describe::{
    SEVERITIES_DESC, decisive_line, error_reason, gates, resource_label, status_word,
};
use super::{BaselineState, Report, ReportFinding, RuleInfo};
use crate::inventory::Timestamp;
use crate::vocabulary::Status;

/// Rows per rule in the failures tables: a job summary is limited to 1 MiB, and the JSON
/// report has every finding.
const MAX_ROWS: usize = 100;
/// Tables longer than this are folded in `<details>`.
const FOLD_ROWS: usize = 10;

/// Writes the Markdown document.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    let mut md = String::new();
    header(&mut md, report);
    summary(&mut md, report);
    failures(&mut md, report);
    errors(&mut md, report);
    coverage(&mut md, report);
    notes(&mut md, report);
    out.write_all(md.as_bytes())
}

fn header(md: &mut String, report: &Report) {
    let gate = &report.gate;
    let verdict = if gate.failed {
        "gate failed"
    } else {
        "gate passed"
    };
    md.push_str(&format!(
        "## trailguard: {verdict} (exit {})\n\n> {}\n\n",
        gate.exit_code,
        inline(&gate.reason)
    ));
    let run = &report.run;
    let mode = match run.mode {
        super::Mode::Live => "live scan",
        super::Mode::Offline => "offline check",
    };
    md.push_str(&format!(
        "{mode} of {} ({}) in {} · {} rules · {} → {}",
        plural(run.accounts.len(), "account"),
        inline(&listed(&run.accounts, 10)),
        plural(run.regions.len(), "region"),
        report.rule_pack.count,
        to_the_second(run.started_at),
        to_the_second(run.finished_at)
    ));
    if let Some(fw) = &run.framework {
        md.push_str(&format!(" · framework `{}`", inline(fw)));
    }
    md.push_str("\n\n");
}

fn summary(md: &mut String, report: &Report) {
    let s = &report.summary;
    md.push_str("| Status | Findings |\n| --- | ---: |\n");
    let fail = if s.waived > 0 {
        format!("{} ({} waived)", s.fail, s.waived)
    } else {
        s.fail.to_string()
    };
    for (status, count) in [
        ("FAIL", fail),
        ("ERROR", s.error.to_string()),
        ("PASS", s.pass.to_string()),
        ("N/A", s.not_applicable.to_string()),
        ("total", s.total.to_string()),
    ] {
        md.push_str(&format!("| {status} | {count} |\n"));
    }
    md.push_str("\n| Severity | FAIL | not waived |\n| --- | ---: | ---: |\n");
    for sev in SEVERITIES_DESC {
        md.push_str(&format!(
            "| {sev} | {} | {} |\n",
            s.fail_by_severity.get(sev),
            s.unwaived_fail_by_severity.get(sev)
        ));
    }
    md.push('\n');
    if s.new > 0 || s.resolved > 0 {
        md.push_str(&format!(
            "Against the baseline: **{} new**, {} resolved.\n\n",
            s.new, s.resolved
        ));
    }
}

/// The findings of one status, grouped by rule, most severe rule first.
fn grouped(report: &Report, status: Status) -> Vec<(&str, Vec<&ReportFinding>)> {
    let mut by_rule: BTreeMap<&str, Vec<&ReportFinding>> = BTreeMap::new();
    for f in report.findings.iter().filter(|f| f.status == status) {
        by_rule.entry(&f.rule_id).or_default().push(f);
    }
    let mut groups: Vec<(&str, Vec<&ReportFinding>)> = by_rule.into_iter().collect();
    groups.sort_by(|a, b| b.1[0].severity.cmp(&a.1[0].severity).then(a.0.cmp(b.0)));
    groups
}

fn failures(md: &mut String, report: &Report) {
    let groups = grouped(report, Status::Fail);
    if groups.is_empty() {
        return;
    }
    md.push_str("### Failures\n\n");
    md.push_str("✖ counts toward the gate · report-only otherwise (waived, below `--fail-on`, or not new)\n\n");
    for (rule_id, findings) in groups {
        let head = findings[0];
        md.push_str(&format!(
            "#### {rule_id} · {} · {}\n\n",
            head.severity,
            inline(&head.title)
        ));
        // A rule's FAILs share its message: said once, the rows show what differs.
        let shared = findings.iter().all(|f| f.message == head.message);
        if shared {
            md.push_str(&format!("{}\n\n", inline(&head.message)));
        }
        let mut table = String::from(
            "| | Resource | Account | Region | Evidence |\n| --- | --- | --- | --- | --- |\n",
        );
        let hidden = findings.len().saturating_sub(MAX_ROWS);
        let rows = findings.len().min(MAX_ROWS);
        for f in findings.into_iter().take(MAX_ROWS) {
            table.push_str(&failure_row(f, report, shared));
        }
        if hidden > 0 {
            table.push_str(&format!(
                "| | … and {hidden} more (see the JSON report) | | | |\n"
            ));
        }
        folded(md, &table, rows, &plural(rows + hidden, "finding"));
        if let Some(rule) = report.rule(rule_id) {
            remediation(md, rule);
        }
    }
}

/// One FAIL's row: gate marker, resource, account, region, and its decisive evidence line
/// (after the message when the rule's FAILs do not share one), waiver and baseline notes.
fn failure_row(f: &ReportFinding, report: &Report, shared: bool) -> String {
    let mut note = Vec::new();
    if !shared {
        note.push(cell(&f.message));
    }
    if let Some(line) = decisive_line(&f.evidence) {
        note.push(code(&line));
    }
    if let Some(w) = &f.waiver {
        note.push(format!(
            "waived by {} until {}: {}",
            cell(&w.id),
            cell(&w.expires),
            cell(&w.reason)
        ));
    }
    let mut note = note.join("<br>");
    if f.baseline == Some(BaselineState::New) {
        note.push_str(" **(new)**");
    }
    format!(
        "| {} | {} | {} | {} | {note} |\n",
        if gates(f, &report.gate) { "✖" } else { "·" },
        code(
            &f.resource
                .arn
                .clone()
                .unwrap_or_else(|| f.resource.id.clone())
        ),
        cell(&f.resource.account_id),
        cell(f.resource.region.as_deref().unwrap_or("–")),
    )
}

/// The fix: remediation text, the command, the link, and where to read the whole rule — the
/// `rules explain` command for a built-in rule (its file is not in the user's repository),
/// the file and line for the user's own.
fn remediation(md: &mut String, rule: &RuleInfo) {
    md.push_str(&format!("**Fix.** {}\n\n", inline(&rule.remediation.text)));
    if let Some(cli) = &rule.remediation.cli {
        let fence = fence(cli);
        md.push_str(&format!("{fence}sh\n{}\n{fence}\n\n", cli.trim()));
    }
    let mut more = Vec::new();
    if let Some(url) = &rule.remediation.url {
        more.push(format!("See <{url}>."));
    }
    if rule.builtin {
        more.push(format!(
            "The whole rule: `trailguard rules explain {}`.",
            inline(&rule.id)
        ));
    } else {
        more.push(format!(
            "Rule: `{}:{}`.",
            inline(&rule.source.path),
            rule.source.line
        ));
    }
    md.push_str(&format!("{}\n\n", more.join(" ")));
}

/// A table, folded in `<details>` when it is longer than [`FOLD_ROWS`] rows so that a step
/// summary or PR comment stays short; GitHub renders Markdown inside `<details>` when blank
/// lines surround it.
pub(super) fn folded(md: &mut String, table: &str, rows: usize, summary: &str) {
    if rows > FOLD_ROWS {
        md.push_str(&format!(
            "<details><summary>{}</summary>\n\n{table}\n</details>\n\n",
            inline(summary)
        ));
    } else {
        md.push_str(table);
        md.push('\n');
    }
}

fn errors(md: &mut String, report: &Report) {
    let groups = grouped(report, Status::Error);
    if groups.is_empty() {
        return;
    }
    let count: usize = groups.iter().map(|(_, g)| g.len()).sum();
    md.push_str("### Errors\n\nThese rules could not be evaluated on these resources.\n\n");
    let mut table =
        String::from("| Rule | Severity | Resource | Reason |\n| --- | --- | --- | --- |\n");
    for f in groups.iter().flat_map(|(_, g)| g) {
        table.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell(&f.rule_id),
            f.severity,
            cell(&resource_label(&f.resource)),
            cell(&error_reason(&f.evidence, &f.message))
        ));
    }
    let summary = format!(
        "{} in {}",
        plural(count, "error"),
        plural(groups.len(), "rule")
    );
    folded(md, &table, count, &summary);
}

fn coverage(md: &mut String, report: &Report) {
    if report.frameworks.is_empty() {
        return;
    }
    md.push_str("### Framework coverage\n\n");
    md.push_str("| Framework | Controls | PASS | FAIL | ERROR | N/A |\n| --- | ---: | ---: | ---: | ---: | ---: |\n");
    for fw in &report.frameworks {
        let count = |s: Status| fw.controls.iter().filter(|c| c.status == s).count();
        md.push_str(&format!(
            "| {} | {} | {} | {} | {} | {} |\n",
            cell(&fw.framework),
            fw.controls.len(),
            count(Status::Pass),
            count(Status::Fail),
            count(Status::Error),
            count(Status::NotApplicable)
        ));
    }
    md.push('\n');
    for fw in &report.frameworks {
        md.push_str(&format!(
            "<details><summary>{}</summary>\n\n| Control | Status | Rules | Findings |\n| --- | --- | --- | --- |\n",
            cell(&fw.framework)
        ));
        for c in &fw.controls {
            let mut counts = Vec::new();
            for (n, word) in [
                (c.fail, "FAIL"),
                (c.error, "ERROR"),
                (c.waived, "waived"),
                (c.pass, "PASS"),
                (c.not_applicable, "N/A"),
            ] {
                if n > 0 {
                    counts.push(format!("{n} {word}"));
                }
            }
            md.push_str(&format!(
                "| {} | {} | {} | {} |\n",
                cell(&c.control),
                status_word(c.status),
                cell(&c.rules.join(", ")),
                if counts.is_empty() {
                    "–".to_owned()
                } else {
                    counts.join(", ")
                }
            ));
        }
        md.push_str("\n</details>\n\n");
    }
}

fn notes(md: &mut String, report: &Report) {
    let mut lines = Vec::new();
    for r in &report.resolved {
        lines.push(format!(
            "- resolved: {} on {} ({} in the baseline, {})",
            inline(&r.rule_id),
            inline(&resource_label(&r.resource)),
            r.previous_status,
            r.current_status.map_or_else(
                || "gone now".to_owned(),
                |s| format!("{} now", status_word(s))
            )
        ));
    }
    let w = &report.waivers;
    for e in &w.applied {
        lines.push(format!(
            "- waiver {} applied to {} ({}, until {})",
            inline(&e.id),
            plural(e.matched, "finding"),
            inline(&e.owner),
            inline(&e.expires)
        ));
    }
    for e in &w.expired {
        lines.push(format!(
            "- ⚠ waiver {} expired on {} and no longer applies (`{}`)",
            inline(&e.id),
            inline(&e.expires),
            inline(&e.location)
        ));
    }
    for e in &w.unused {
        lines.push(format!(
            "- ⚠ waiver {} matched no FAIL or ERROR finding (`{}`)",
            inline(&e.id),
            inline(&e.location)
        ));
    }
    if !report.collection_errors.is_empty() {
        lines.push(format!(
            "- {} failed during collection (listed in the JSON report)",
            plural(report.collection_errors.len(), "read")
        ));
    }
    if lines.is_empty() {
        return;
    }
    md.push_str("### Notes\n\n");
    for l in lines {
        md.push_str(&l);
        md.push('\n');
    }
}

/// A time as a person reads it in a summary: RFC 3339 without the fraction of a second.
fn to_the_second(t: Timestamp) -> Timestamp {
    Timestamp(t.0.replace_nanosecond(0).unwrap_or(t.0))
}

/// Text for a table cell: `|` escaped, line breaks as `<br>`, `<`, `>` and `&` as entities.
pub fn cell(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.trim().chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '|' => out.push_str("\\|"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '\r' if chars.peek() == Some(&'\n') => {}
            '\n' | '\r' => out.push_str("<br>"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Running text (outside tables): line breaks become spaces, HTML-significant characters
/// entities.
pub(super) fn inline(text: &str) -> String {
    cell(text).replace("<br>", " ").replace("\\|", "|")
}

/// A code span for a table cell.
pub(super) fn code(text: &str) -> String {
    let text = text.replace('|', "\\|").replace(['\n', '\r', '`'], " ");
    format!("`{text}`")
}

/// A code fence longer than any run of backticks in the text.
fn fence(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    "`".repeat(longest.max(2) + 1)
}

/// `a, b, c` or, past `max`, `a, b, … and 7 more`.
fn listed(items: &[String], max: usize) -> String {
    if items.len() <= max {
        return items.join(", ");
    }
    format!(
        "{}, … and {} more",
        items[..max].join(", "),
        items.len() - max
    )
}

fn plural(n: usize, word: &str) -> String {
    super::describe::plural(n, word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_line_breaks() {
        assert_eq!(
            cell("a | b\nc\r\nd <e> & f"),
            "a \\| b<br>c<br>d &lt;e&gt; &amp; f"
        );
        assert_eq!(code("x|y"), "`x\\|y`");
        assert_eq!(fence("no ticks"), "```");
        assert_eq!(fence("a ```` b"), "`````");
    }
}
