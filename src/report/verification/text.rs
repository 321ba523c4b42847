//! The text format of `verify-logs`: for a person at a terminal.
//!
//! One block per chain (trail × account × source region, `backfill` for backfill digests):
//! the trail's ARN and where its digests are, digests and log files valid · invalid · missing,
//! unexpected digests, each gap with its times, a cut with its times, the chain's error; then
//! each problem with its S3 URI and reason, worst first (invalid, missing, cut, unexpected,
//! error, then gaps), and with [`RenderOptions::verbose`] the valid objects the report lists.
//! Problems of no chain (an account or trail that could not be read) follow. Last, one line
//! with the verdict over every chain, as the AWS CLI's `validate-logs` ends with the period
//! and its counts (`Results requested for <start> to <end>`, `3/3 digest files valid`,
//! `15/15 log files valid`: aws-cli `awscli/examples/cloudtrail/validate-logs.rst`) — but for
//! every chain at once, naming what is not valid. A problem line carries what the CLI's does
//! (`Log file <s3 URI> INVALID: hash value doesn't match`): status, kind, URI, reason.

use std::io::{self, Write};

use owo_colors::Style;

use super::view::{
    ChainView, Outcome, View, chain_label, kind_words, location, outcome, owner_label,
    to_the_second, verdict,
};
use crate::report::RenderOptions;
use crate::report::text::styled;
use crate::verify::{Counts, ItemKind, ReportItem, Status, Verification};

/// Width of the label column (`log files `).
const LABEL: usize = 10;
/// Width of the status column (`UNEXPECTED`).
const STATUS: usize = 10;
/// Width of the kind column (`log file`).
const KIND: usize = 8;

/// Writes the text report.
pub fn render(
    report: &Verification,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    let paint = Paint {
        color: options.color,
    };
    let view = View::of(report);
    for chain in &view.chains {
        chain_block(out, &paint, chain, options.verbose)?;
        writeln!(out)?;
    }
    orphans(out, &paint, &view.orphans)?;
    let style = match outcome(&view) {
        Outcome::Valid => Style::new().green().bold(),
        Outcome::Gaps => Style::new().yellow().bold(),
        Outcome::Problems => Style::new().red().bold(),
    };
    writeln!(out, "{}", paint.apply(&verdict(report), style))
}

/// A chain's counts, gaps, cut and error, then its problems (and valid objects with `-v`).
fn chain_block(
    out: &mut dyn Write,
    paint: &Paint,
    view: &ChainView<'_>,
    verbose: bool,
) -> io::Result<()> {
    let c = view.chain;
    writeln!(out, "{}", paint.apply(&chain_label(c), Style::new().bold()))?;
    let location = format!("{} → s3://{}/{}", c.trail_arn, c.bucket, c.prefix);
    writeln!(out, "  {}", paint.apply(&location, Style::new().dimmed()))?;
    let mut digests = counts(paint, c.digests);
    if c.unexpected > 0 {
        digests.push_str(&format!(
            " · {}",
            paint.status_text(Status::Unexpected, &format!("{} unexpected", c.unexpected))
        ));
    }
    line(out, "digests", &digests)?;
    line(out, "log files", &counts(paint, c.log_files))?;
    for p in view.problems.iter().filter(|p| p.kind == ItemKind::Gap) {
        line(out, "gap", &paint.status_text(Status::Gap, &span(p)))?;
    }
    if c.cut {
        let cut = view.problems.iter().find(|p| p.status == Status::Cut);
        let text = cut.map_or_else(
            || "newer digests were deleted".to_owned(),
            |p| {
                format!(
                    "{} (newest digest found → CloudTrail's last delivery)",
                    span(p)
                )
            },
        );
        line(out, "cut", &paint.status_text(Status::Cut, &text))?;
    }
    if let Some(error) = &c.error {
        line(out, "error", &paint.status_text(Status::Error, error))?;
    }
    for p in &view.problems {
        item(out, paint, p)?;
    }
    if verbose {
        for v in &view.valid {
            item(out, paint, v)?;
        }
    }
    Ok(())
}

/// The problems of no chain, under what they are about.
fn orphans(out: &mut dyn Write, paint: &Paint, items: &[&ReportItem]) -> io::Result<()> {
    let mut current: Option<String> = None;
    for i in items {
        let owner = owner_label(i);
        if current.as_ref() != Some(&owner) {
            if current.is_some() {
                writeln!(out)?;
            }
            writeln!(out, "{}", paint.apply(&owner, Style::new().bold()))?;
            current = Some(owner);
        }
        item(out, paint, i)?;
    }
    if current.is_some() {
        writeln!(out)?;
    }
    Ok(())
}

/// `  digests    20 valid · 1 invalid · 1 missing`.
fn line(out: &mut dyn Write, label: &str, text: &str) -> io::Result<()> {
    writeln!(out, "  {label:<LABEL$} {text}")
}

/// `20 valid · 1 invalid · 1 missing`, the non-zero problems coloured.
fn counts(paint: &Paint, c: Counts) -> String {
    let part = |n: u64, status: Status| {
        let text = format!("{n} {}", status.as_str());
        if n > 0 {
            paint.status_text(status, &text)
        } else {
            text
        }
    };
    format!(
        "{} · {} · {}",
        part(c.valid, Status::Valid),
        part(c.invalid, Status::Invalid),
        part(c.missing, Status::Missing)
    )
}

/// `2026-03-01T04:00:00Z → 2026-03-01T06:00:00Z` (`?` for a time the item lacks).
fn span(i: &ReportItem) -> String {
    let time = |t: Option<time::OffsetDateTime>| t.map_or_else(|| "?".to_owned(), to_the_second);
    format!("{} → {}", time(i.start), time(i.end))
}

/// `  INVALID    log file s3://…` and, below it, the reason.
fn item(out: &mut dyn Write, paint: &Paint, i: &ReportItem) -> io::Result<()> {
    let status = format!("{:<STATUS$}", i.status.as_str().to_ascii_uppercase());
    writeln!(
        out,
        "  {} {:<KIND$} {}",
        paint.status_text(i.status, &status),
        kind_words(i.kind),
        location(i)
    )?;
    if !i.reason.is_empty() {
        writeln!(out, "  {:STATUS$} {}", "", i.reason)?;
    }
    Ok(())
}

/// Colour only when asked: every styled piece goes through here.
struct Paint {
    color: bool,
}

impl Paint {
    fn apply(&self, text: &str, style: Style) -> String {
        styled(self.color, text, style)
    }

    /// Red for what breaks the proof, yellow for what to look at, green for valid.
    fn status_text(&self, status: Status, text: &str) -> String {
        let style = match status {
            Status::Invalid | Status::Missing | Status::Cut => Style::new().red().bold(),
            Status::Unexpected | Status::Error => Style::new().yellow().bold(),
            Status::Gap => Style::new().yellow(),
            Status::Valid => Style::new().green(),
        };
        self.apply(text, style)
    }
}
