//! `trailguard check`: evaluate saved inventories offline and print the findings.

use std::collections::BTreeSet;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use owo_colors::OwoColorize;

use super::rules::{load_or_report, out, outln, stderr_color};
use super::{EXIT_ERROR, EXIT_FAIL, EXIT_OK, RunError};
use crate::cli::{CheckArgs, Cli, ColorChoice};
use crate::evaluate;
use crate::finding::{self, Evidence, Finding, Status};
use crate::inventory::{Inventory, Timestamp};
use crate::rules::{Config, RuleSet, Severity, diagnostic::did_you_mean};

/// Runs `trailguard check`.
pub fn run(cli: &Cli, args: &CheckArgs) -> Result<u8, RunError> {
    let config_path = match &args.config {
        Some(p) => Some(p.clone()),
        None => Some(PathBuf::from("trailguard.yaml")).filter(|p| p.is_file()),
    };
    let config = match config_path.as_deref().map(Config::load) {
        None => None,
        Some(Ok(c)) => Some(c),
        Some(Err(problems)) => {
            eprint!("{}", problems.render(stderr_color(cli)));
            return Ok(EXIT_ERROR);
        }
    };
    let mut dirs = args.rules.clone();
    let (mut only, mut skip) = (args.only.clone(), args.skip.clone());
    let mut builtin = !args.no_builtin;
    if let Some(c) = &config {
        dirs.extend(c.rule_dirs.iter().cloned());
        only.extend(c.only.iter().cloned());
        skip.extend(c.skip.iter().cloned());
        builtin &= !c.no_builtin;
    }
    let mut rules = match load_or_report(cli, builtin, &dirs) {
        Ok(l) => l.rules,
        Err(code) => return Ok(code),
    };
    if let Some(c) = &config
        && let Err(problems) = c.apply(&mut rules)
    {
        eprint!("{}", problems.render(stderr_color(cli)));
        return Ok(EXIT_ERROR);
    }
    select(&mut rules, &only, &skip, args.severity_min_name())?;
    let fixed_now = match &args.now {
        None => None,
        Some(text) => Some(
            Timestamp::parse(text)
                .ok_or_else(|| RunError(format!("--now `{text}` is not an RFC 3339 timestamp")))?,
        ),
    };
    let mut findings = Vec::new();
    let mut clocks = Vec::new();
    for path in &args.inventory {
        let inventory = Inventory::load(path).map_err(|e| RunError(e.to_string()))?;
        let now = fixed_now.unwrap_or(inventory.collection.finished_at);
        clocks.push(Clock {
            inventory: path.display().to_string(),
            now,
        });
        findings.extend(evaluate::evaluate(&rules, &inventory, now));
    }
    finding::sort(&mut findings);
    if args.json() {
        let envelope = Envelope {
            schema: "trailguard.findings/v1",
            tool_version: env!("CARGO_PKG_VERSION"),
            inventories: clocks,
            rules: rules.iter().map(|r| r.id.as_str()).collect(),
            summary: Summary::of(&findings),
            findings: &findings,
        };
        outln!(
            "{}",
            serde_json::to_string_pretty(&envelope).map_err(|e| RunError(e.to_string()))?
        );
    } else {
        let color = match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => {
                std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
            }
        };
        out!(
            "{}",
            render_text(&findings, rules.len(), &args.inventory, cli.verbose, color)
        );
    }
    let failing = findings
        .iter()
        .any(|f| matches!(f.status, Status::Fail | Status::Error));
    Ok(if failing { EXIT_FAIL } else { EXIT_OK })
}

/// Applies `--only`, `--skip` and `--severity-min`; an unknown id is an error.
fn select(
    rules: &mut RuleSet,
    only: &[String],
    skip: &[String],
    severity_min: Option<&str>,
) -> Result<(), RunError> {
    let known: BTreeSet<String> = rules.iter().map(|r| r.id.clone()).collect();
    for id in only.iter().chain(skip) {
        if !known.contains(id) {
            let help = did_you_mean(id, known.iter().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            return Err(RunError(format!(
                "unknown rule id `{id}` in --only/--skip{help}"
            )));
        }
    }
    let min = severity_min
        .and_then(Severity::parse)
        .unwrap_or(Severity::Info);
    rules.retain(|r| {
        (only.is_empty() || only.contains(&r.id)) && !skip.contains(&r.id) && r.severity >= min
    });
    Ok(())
}

/// `check --output json`: fields in this order, for people reading the file.
#[derive(serde::Serialize)]
struct Envelope<'a> {
    schema: &'static str,
    tool_version: &'static str,
    inventories: Vec<Clock>,
    rules: Vec<&'a str>,
    summary: Summary,
    findings: &'a [Finding],
}

/// Which clock judged which inventory.
#[derive(serde::Serialize)]
struct Clock {
    inventory: String,
    now: Timestamp,
}

/// Counts by status.
#[derive(serde::Serialize)]
struct Summary {
    total: usize,
    pass: usize,
    fail: usize,
    error: usize,
    not_applicable: usize,
}

impl Summary {
    fn of(findings: &[Finding]) -> Summary {
        let count = |s: Status| findings.iter().filter(|f| f.status == s).count();
        Summary {
            total: findings.len(),
            pass: count(Status::Pass),
            fail: count(Status::Fail),
            error: count(Status::Error),
            not_applicable: count(Status::NotApplicable),
        }
    }
}

fn resource_label(f: &Finding) -> String {
    let r = &f.resource;
    match r.resource_type.as_str() {
        "AWS::::Account" => format!("account {}", r.account_id),
        "AWS::::Region" => format!("region {} (account {})", r.id, r.account_id),
        "AWS::CloudTrail::Trail" => format!("trail {}", r.id),
        "AWS::S3::Bucket" => format!("bucket {} (account {})", r.id, r.account_id),
        "AWS::KMS::Key" => format!("key {} (account {})", r.id, r.account_id),
        other => format!("{other} {}", r.id),
    }
}

/// Evidence as short lines; `problems_only` keeps what explains a FAIL or ERROR.
pub(super) fn evidence_lines(evidence: &[Evidence], problems_only: bool) -> Vec<String> {
    evidence
        .iter()
        .filter_map(|e| match e {
            Evidence::Leaf {
                path,
                expected,
                actual,
                holds,
            } => {
                // Mode switches (`{param: …}` leaves) explain nothing about the resource.
                if problems_only && (*holds == Some(true) || path.starts_with("param ")) {
                    return None;
                }
                let found = match (holds, actual.is_null()) {
                    (None, true) => "nothing readable".to_owned(),
                    (_, true) => "absent".to_owned(),
                    _ => actual.to_string(),
                };
                let mark = match holds {
                    Some(true) => "ok",
                    Some(false) => "no",
                    None => "??",
                };
                Some(format!(
                    "[{mark}] {path}: expected {expected}, found {found}"
                ))
            }
            Evidence::Quantifier {
                path,
                quantifier,
                matched,
                not_matched,
                unknown,
                if_empty,
            } => {
                let mut s = format!("{quantifier} in {path}: {} matched", matched.len());
                if !matched.is_empty() && matched.len() <= 3 {
                    s.push_str(&format!(" ({})", matched.join(", ")));
                }
                s.push_str(&format!(", {} did not", not_matched.len()));
                if !unknown.is_empty() {
                    s.push_str(&format!(
                        ", {} unknown ({})",
                        unknown.len(),
                        unknown.join(", ")
                    ));
                }
                if let Some(e) = if_empty {
                    s.push_str(&format!("; empty list → {e}"));
                }
                Some(s)
            }
            Evidence::ReadError {
                path,
                operation,
                error_kind,
                code,
                message,
            } => {
                let mut s = format!(
                    "read error at {path}: {operation} {}",
                    error_kind.replace('_', " ")
                );
                if let Some(c) = code {
                    s.push_str(&format!(" ({c})"));
                }
                if let Some(m) = message {
                    s.push_str(&format!(": {m}"));
                }
                Some(s)
            }
            Evidence::Note { text } => Some(text.clone()),
        })
        .collect()
}

fn status_word(status: Status, color: bool) -> String {
    let word = format!(
        "{:<5}",
        match status {
            Status::NotApplicable => "N/A",
            other => other.as_str(),
        }
    );
    if !color {
        return word;
    }
    match status {
        Status::Fail => word.red().bold().to_string(),
        Status::Error => word.yellow().bold().to_string(),
        Status::Pass => word.green().to_string(),
        Status::NotApplicable => word.dimmed().to_string(),
    }
}

/// The plain listing: FAIL and ERROR first (with evidence), PASS / N/A with `-v`, a summary.
pub fn render_text(
    findings: &[Finding],
    rule_count: usize,
    inventories: &[PathBuf],
    verbose: bool,
    color: bool,
) -> String {
    let mut out = String::new();
    let mut shown = 0;
    for status in [
        Status::Fail,
        Status::Error,
        Status::Pass,
        Status::NotApplicable,
    ] {
        let problem = matches!(status, Status::Fail | Status::Error);
        if !problem && !verbose {
            continue;
        }
        for f in findings.iter().filter(|f| f.status == status) {
            shown += 1;
            out.push_str(&format!(
                "{} {} [{}] {}: {}\n",
                status_word(status, color),
                f.rule_id,
                f.severity,
                resource_label(f),
                f.message
            ));
            if problem {
                let lines = evidence_lines(&f.evidence, true);
                let more = lines.len().saturating_sub(8);
                for l in lines.iter().take(8) {
                    out.push_str(&format!("      {l}\n"));
                }
                if more > 0 {
                    out.push_str(&format!("      … {more} more (see --output json)\n"));
                }
            }
        }
    }
    if shown > 0 {
        out.push('\n');
    }
    let count = |s: Status| findings.iter().filter(|f| f.status == s).count();
    let accounts: BTreeSet<&str> = findings
        .iter()
        .map(|f| f.resource.account_id.as_str())
        .collect();
    let names: Vec<String> = inventories.iter().map(|p| display(p)).collect();
    out.push_str(&format!(
        "{} FAIL, {} ERROR, {} PASS, {} NOT_APPLICABLE — {} findings from {} rules over {} account{} ({})\n",
        count(Status::Fail),
        count(Status::Error),
        count(Status::Pass),
        count(Status::NotApplicable),
        findings.len(),
        rule_count,
        accounts.len(),
        if accounts.len() == 1 { "" } else { "s" },
        names.join(", ")
    ));
    let verdict = if count(Status::Fail) + count(Status::Error) > 0 {
        "exit 1: at least one FAIL or ERROR"
    } else {
        "exit 0: no FAIL or ERROR"
    };
    out.push_str(verdict);
    out.push('\n');
    out
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
