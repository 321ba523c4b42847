//! Markdown of `verify-logs`, for `$GITHUB_STEP_SUMMARY`, PR comments and audit write-ups.
//!
//! A heading with the outcome and the one-line verdict, the window and the run; a table with
//! one row per chain (digests and log files valid · invalid · missing, unexpected digests,
//! gaps, cut, and what to look at) and a total row; the problems, worst first, with their S3
//! URIs, chains and reasons; and the gaps with their times. Tables of more than ten rows are
//! folded in `<details>` and cells escaped as in `scan`'s Markdown; at most [`MAX_ROWS`]
//! problems are listed (a job summary is limited to 1 MiB; the JSON report has every item).

use std::io::{self, Write};

use super::view::{
    ChainView, Outcome, View, chain_label, kind_words, outcome, owner_label, plural, to_the_second,
    verdict,
};
use crate::report::markdown::{cell, code, folded, inline};
use crate::verify::{Chain, Counts, ItemKind, ReportItem, Status, Verification};

/// Problems listed before "… and N more".
const MAX_ROWS: usize = 200;

/// Writes the Markdown document.
pub fn render(report: &Verification, out: &mut dyn Write) -> io::Result<()> {
    let view = View::of(report);
    let mut md = String::new();
    header(&mut md, report, &view);
    chains(&mut md, report, &view);
    problems(&mut md, &view);
    gaps(&mut md, &view);
    out.write_all(md.as_bytes())
}

fn header(md: &mut String, report: &Verification, view: &View<'_>) {
    let problems = view.problems().filter(|p| p.status != Status::Gap).count();
    let title = match outcome(view) {
        Outcome::Valid => "every digest and log file valid".to_owned(),
        Outcome::Gaps => "valid, with gaps".to_owned(),
        Outcome::Problems => {
            let gaps = report.summary.gaps;
            let mut title = plural(problems as u64, "problem");
            if gaps > 0 {
                title.push_str(&format!(", {}", plural(gaps, "gap")));
            }
            title
        }
    };
    md.push_str(&format!(
        "## trailguard verify-logs: {title}\n\n> {}\n\n",
        inline(&verdict(report))
    ));
    md.push_str(&format!(
        "Window {} → {} · verified {} → {} · {} {}\n\n",
        to_the_second(report.window.start),
        to_the_second(report.window.end),
        to_the_second(report.run.start),
        to_the_second(report.run.end),
        inline(&report.tool.name),
        inline(&report.tool.version)
    ));
}

/// One row per chain, and the totals.
fn chains(md: &mut String, report: &Verification, view: &View<'_>) {
    if view.chains.is_empty() {
        md.push_str("No chain was verified.\n\n");
        return;
    }
    md.push_str("### Chains\n\n");
    let mut table = String::from(
        "| Chain | Digests valid · invalid · missing | Unexpected | Log files valid · invalid · missing | Gaps | Cut | Result |\n\
         | --- | ---: | ---: | ---: | ---: | --- | --- |\n",
    );
    for c in &view.chains {
        table.push_str(&chain_row(c));
    }
    let s = &report.summary;
    table.push_str(&format!(
        "| **total** ({}) | {} | {} | {} | {} | {} | |\n",
        plural(s.chains, "chain"),
        counts(s.digests),
        s.unexpected,
        counts(s.log_files),
        s.gaps,
        s.cut
    ));
    folded(
        md,
        &table,
        view.chains.len() + 1,
        &plural(s.chains, "chain"),
    );
}

fn chain_row(view: &ChainView<'_>) -> String {
    let c: &Chain = view.chain;
    let serious = view
        .problems
        .iter()
        .filter(|p| p.status != Status::Gap)
        .count();
    let result = if serious > 0 {
        format!("✖ {}", plural(serious as u64, "problem"))
    } else if c.gaps > 0 {
        "gaps".to_owned()
    } else {
        "✔ valid".to_owned()
    };
    format!(
        "| {} | {} | {} | {} | {} | {} | {result} |\n",
        cell(&chain_label(c)),
        counts(c.digests),
        c.unexpected,
        counts(c.log_files),
        c.gaps,
        if c.cut { "**cut**" } else { "–" }
    )
}

/// `24 · 1 · 0`.
fn counts(c: Counts) -> String {
    format!("{} · {} · {}", c.valid, c.invalid, c.missing)
}

/// Every problem, worst first within its chain, capped at [`MAX_ROWS`].
fn problems(md: &mut String, view: &View<'_>) {
    let all: Vec<(String, &ReportItem)> = view
        .chains
        .iter()
        .flat_map(|c| {
            let label = chain_label(c.chain);
            c.problems.iter().map(move |p| (label.clone(), p.as_ref()))
        })
        .chain(view.orphans.iter().map(|p| (owner_label(p), *p)))
        .collect();
    if all.is_empty() {
        return;
    }
    md.push_str("### Problems\n\n");
    let mut table = String::from(
        "| Status | Kind | Object | Chain | Reason |\n| --- | --- | --- | --- | --- |\n",
    );
    for (label, p) in all.iter().take(MAX_ROWS) {
        table.push_str(&format!(
            "| {} | {} | {} | {} | {} |\n",
            status_cell(p.status),
            kind_words(p.kind),
            if p.bucket.is_empty() {
                "–".to_owned()
            } else {
                code(&p.s3_uri())
            },
            cell(label),
            cell(&p.reason)
        ));
    }
    let hidden = all.len().saturating_sub(MAX_ROWS);
    if hidden > 0 {
        table.push_str(&format!(
            "| | | … and {hidden} more (see the JSON report) | | |\n"
        ));
    }
    let rows = all.len().min(MAX_ROWS);
    folded(md, &table, rows, &plural(all.len() as u64, "problem"));
}

/// `**INVALID**` for what breaks the proof; the others as they are.
fn status_cell(status: Status) -> String {
    let word = status.as_str().to_ascii_uppercase();
    match status {
        Status::Invalid | Status::Missing | Status::Cut => format!("**{word}**"),
        _ => word,
    }
}

/// The gaps with their times and the digest each chain restarts at.
fn gaps(md: &mut String, view: &View<'_>) {
    let gaps: Vec<(&Chain, &ReportItem)> = view
        .chains
        .iter()
        .flat_map(|c| {
            c.problems
                .iter()
                .filter(|p| p.kind == ItemKind::Gap)
                .map(move |p| (c.chain, p.as_ref()))
        })
        .collect();
    if gaps.is_empty() {
        return;
    }
    md.push_str("### Gaps\n\nNo digests were delivered in these periods: logging or log file validation was off.\n\n");
    let mut table =
        String::from("| Chain | From | To | Restarts at |\n| --- | --- | --- | --- |\n");
    let time = |t: Option<time::OffsetDateTime>| t.map_or_else(|| "?".to_owned(), to_the_second);
    for (chain, gap) in &gaps {
        table.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            cell(&chain_label(chain)),
            time(gap.start),
            time(gap.end),
            code(&gap.s3_uri())
        ));
    }
    folded(md, &table, gaps.len(), &plural(gaps.len() as u64, "gap"));
}
