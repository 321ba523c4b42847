//! The text format: for a person at a terminal.
//!
//! FAIL and ERROR findings first, grouped by rule (id, severity, title), the most severe rule
//! first (critical before low, then by id), each resource with the evidence that explains it,
//! marked `✖` when it counts toward the gate and `·` when it is
//! report-only (waived, below `--fail-on`, allowed error, or not new under
//! `--fail-on-new-only`). Then baseline and waiver notes, the counts, and last the line that
//! says why the exit code is what it is. PASS and NOT_APPLICABLE findings are counted, and
//! listed only with [`RenderOptions::verbose`].

use std::io::{self, Write};

use owo_colors::{OwoColorize, Style};

use super::describe::{
    SEVERITIES_DESC, error_reason, evidence_lines, gates, plural, resource_label, status_word,
};
use super::{BaselineState, RenderOptions, Report, ReportFinding};
use crate::vocabulary::{Severity, Status};

/// Evidence lines shown per finding before "… N more".
const MAX_EVIDENCE: usize = 8;
/// Collection errors listed in the summary before "… N more".
const MAX_COLLECTION_ERRORS: usize = 5;

/// Writes the text listing.
pub fn render(report: &Report, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    let paint = Paint {
        color: options.color,
    };
    let listed =
        |f: &ReportFinding| options.verbose || matches!(f.status, Status::Fail | Status::Error);
    let mut first = true;
    for group in rule_groups(&report.findings) {
        let mut shown: Vec<&ReportFinding> = group.iter().filter(|f| listed(f)).collect();
        if shown.is_empty() {
            continue;
        }
        // FAIL, then ERROR, then (verbose) PASS and N/A; stable within a status.
        shown.sort_by_key(|f| status_rank(f.status));
        if !first {
            writeln!(out)?;
        }
        first = false;
        let head = &group[0];
        writeln!(
            out,
            "{} {} {}",
            paint.apply(&head.rule_id, Style::new().bold()),
            paint.severity(head.severity),
            head.title
        )?;
        for f in shown {
            finding(out, &paint, report, f)?;
        }
    }
    if !first {
        writeln!(out)?;
    }
    notes(out, &paint, report)?;
    summary(out, &paint, report)
}

/// The findings of each rule (they are sorted by rule id), the most severe rule first, as in
/// Markdown: the worst failure is read first, not the alphabetically first.
fn rule_groups(findings: &[ReportFinding]) -> Vec<&[ReportFinding]> {
    let mut groups: Vec<&[ReportFinding]> =
        findings.chunk_by(|a, b| a.rule_id == b.rule_id).collect();
    groups.sort_by(|a, b| {
        b[0].severity
            .cmp(&a[0].severity)
            .then_with(|| a[0].rule_id.cmp(&b[0].rule_id))
    });
    groups
}

fn status_rank(s: Status) -> u8 {
    match s {
        Status::Fail => 0,
        Status::Error => 1,
        Status::Pass => 2,
        Status::NotApplicable => 3,
    }
}

/// One resource under its rule.
fn finding(
    out: &mut dyn Write,
    paint: &Paint,
    report: &Report,
    f: &ReportFinding,
) -> io::Result<()> {
    let problem = matches!(f.status, Status::Fail | Status::Error);
    let marker = match (problem, gates(f, &report.gate)) {
        (false, _) => " ",
        (true, true) => "✖",
        (true, false) => "·",
    };
    let detail = match f.status {
        Status::Error => error_reason(&f.evidence, &f.message),
        _ => f.message.clone(),
    };
    let mut line = format!(
        "  {marker} {} {}: {detail}",
        paint.status(f.status),
        resource_label(&f.resource)
    );
    if f.baseline == Some(BaselineState::New) && problem {
        line.push_str(&format!(
            " {}",
            paint.apply("[new]", Style::new().cyan().bold())
        ));
    }
    writeln!(out, "{line}")?;
    if let Some(w) = &f.waiver {
        writeln!(
            out,
            "          {}",
            paint.apply(
                &format!(
                    "waived by {} until {} ({}): {}",
                    w.id, w.expires, w.owner, w.reason
                ),
                Style::new().cyan()
            )
        )?;
    }
    if f.status == Status::Fail {
        let lines = evidence_lines(&f.evidence, true);
        for l in lines.iter().take(MAX_EVIDENCE) {
            writeln!(out, "          {}", paint.apply(l, Style::new().dimmed()))?;
        }
        if lines.len() > MAX_EVIDENCE {
            writeln!(
                out,
                "          {}",
                paint.apply(
                    &format!("… {} more (see --output json)", lines.len() - MAX_EVIDENCE),
                    Style::new().dimmed()
                )
            )?;
        }
    }
    Ok(())
}

/// Baseline and waiver notes.
fn notes(out: &mut dyn Write, paint: &Paint, report: &Report) -> io::Result<()> {
    let mut any = false;
    for r in &report.resolved {
        any = true;
        writeln!(
            out,
            "{} {} {}: {} in the baseline, {}",
            paint.apply("resolved", Style::new().green().bold()),
            r.rule_id,
            resource_label(&r.resource),
            r.previous_status,
            r.current_status.map_or_else(
                || "gone now".to_owned(),
                |s| format!("{} now", status_word(s))
            )
        )?;
    }
    let warn = Style::new().yellow().bold();
    for w in &report.waivers.expired {
        any = true;
        writeln!(
            out,
            "{} waiver {} ({}) expired on {} and no longer applies",
            paint.apply("warning:", warn),
            w.id,
            w.location,
            w.expires
        )?;
    }
    for w in &report.waivers.unused {
        any = true;
        writeln!(
            out,
            "{} waiver {} ({}) matched no FAIL or ERROR finding",
            paint.apply("warning:", warn),
            w.id,
            w.location
        )?;
    }
    if any {
        writeln!(out)?;
    }
    Ok(())
}

/// The counts and the gate line.
fn summary(out: &mut dyn Write, paint: &Paint, report: &Report) -> io::Result<()> {
    let s = &report.summary;
    let mut fail = format!("{} FAIL", s.fail);
    if s.waived > 0 {
        fail.push_str(&format!(" ({} waived)", s.waived));
    }
    writeln!(
        out,
        "{} from {} over {}: {}, {} ERROR, {} PASS, {} N/A",
        plural(s.total, "finding"),
        plural(report.rule_pack.count, "rule"),
        plural(s.accounts, "account"),
        paint.status_text(Status::Fail, &fail),
        s.error,
        s.pass,
        s.not_applicable
    )?;
    if s.fail > 0 {
        let by: Vec<String> = SEVERITIES_DESC
            .iter()
            .filter(|sev| s.fail_by_severity.get(**sev) > 0)
            .map(|sev| format!("{} {}", s.fail_by_severity.get(*sev), paint.severity(*sev)))
            .collect();
        writeln!(out, "FAIL by severity: {}", by.join(", "))?;
    }
    if let Some(fw) = report
        .run
        .framework
        .as_ref()
        .and_then(|id| report.frameworks.iter().find(|f| &f.framework == id))
    {
        let count = |st: Status| fw.controls.iter().filter(|c| c.status == st).count();
        writeln!(
            out,
            "{}: {}: {} FAIL, {} ERROR, {} PASS, {} N/A",
            fw.framework,
            plural(fw.controls.len(), "control"),
            count(Status::Fail),
            count(Status::Error),
            count(Status::Pass),
            count(Status::NotApplicable)
        )?;
    }
    if s.new > 0 || s.resolved > 0 {
        writeln!(
            out,
            "against the baseline: {} new, {} resolved",
            s.new, s.resolved
        )?;
    }
    collection_errors(out, paint, report)?;
    let gate = &report.gate;
    let style = if gate.exit_code == 0 {
        Style::new().green().bold()
    } else {
        Style::new().red().bold()
    };
    // The gate's reason already starts with its exit code (`exit 1: …`, `exit 0 (--exit-zero): …`);
    // colour that head rather than repeat it.
    let (head, rest) = match gate.reason.split_once(": ") {
        Some((head, rest)) if head.starts_with("exit ") => (format!("{head}:"), rest.to_owned()),
        _ => (format!("exit {}:", gate.exit_code), gate.reason.clone()),
    };
    writeln!(out, "{} {rest}", paint.apply(&head, style))
}

/// The reads that failed during collection: how many, and the first few with where they sit.
fn collection_errors(out: &mut dyn Write, paint: &Paint, report: &Report) -> io::Result<()> {
    let errors = &report.collection_errors;
    if errors.is_empty() {
        return Ok(());
    }
    let head = format!("{} failed during collection:", plural(errors.len(), "read"));
    writeln!(out, "{}", paint.status_text(Status::Error, &head))?;
    for e in errors.iter().take(MAX_COLLECTION_ERRORS) {
        let code = e
            .code
            .as_deref()
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        writeln!(
            out,
            "  {} {}: {} {}{code}",
            e.account_id,
            e.path,
            e.operation,
            e.kind.describe()
        )?;
    }
    if errors.len() > MAX_COLLECTION_ERRORS {
        writeln!(
            out,
            "  … {} more (every one is in --output json)",
            errors.len() - MAX_COLLECTION_ERRORS
        )?;
    }
    Ok(())
}

/// Colour only when asked: every styled piece goes through here.
struct Paint {
    color: bool,
}

/// `text` in `style` when `color`, else as it is.
pub(super) fn styled(color: bool, text: &str, style: Style) -> String {
    if color {
        text.style(style).to_string()
    } else {
        text.to_owned()
    }
}

impl Paint {
    fn apply(&self, text: &str, style: Style) -> String {
        styled(self.color, text, style)
    }

    fn status(&self, s: Status) -> String {
        self.status_text(s, &format!("{:<5}", status_word(s)))
    }

    fn status_text(&self, s: Status, text: &str) -> String {
        let style = match s {
            Status::Fail => Style::new().red().bold(),
            Status::Error => Style::new().yellow().bold(),
            Status::Pass => Style::new().green(),
            Status::NotApplicable => Style::new().dimmed(),
        };
        self.apply(text, style)
    }

    fn severity(&self, s: Severity) -> String {
        let style = match s {
            Severity::Critical => Style::new().magenta().bold(),
            Severity::High => Style::new().red(),
            Severity::Medium => Style::new().yellow(),
            Severity::Low => Style::new().blue(),
            Severity::Info => Style::new().dimmed(),
        };
        self.apply(s.as_str(), style)
    }
}
