//! The stages every reporting command shares: load rules and the gate's inputs, evaluate,
//! apply waivers and the baseline, decide the gate, build one report, render every output.
//! `check` feeds it saved inventories; `scan` feeds it a live collection.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::Write;

use super::output;
use super::rules::load_for_evaluation;
use crate::baseline::{Baseline, BaselineOutcome};
use crate::evaluate;
use crate::exit::{Error, ExitStatus, NothingToJudge, Usage};
use crate::files::write::FileSet;
use crate::finding::Finding;
use crate::frameworks;
use crate::gate::{self, GateDecision, GatePolicy};
use crate::inventory::{Inventory, Timestamp};
use crate::report::{
    self, Annotations, CollectionError, GateSummary, Mode, Report, ReportInput, RunInfo,
};
use crate::rules::{RuleSet, diagnostic::did_you_mean};
use crate::settings::{Gate, Outputs, ReportOutput, Selection, Ui};
use crate::waivers::{WaiverOutcome, Waivers};

/// Everything loaded and checked before any evaluation (and, for `scan`, before any AWS call),
/// so bad input is exit 2 without collecting anything.
pub struct Plan {
    rules: RuleSet,
    framework: Option<String>,
    waivers: Option<Waivers>,
    baseline: Option<Baseline>,
    policy: GatePolicy,
}

/// Loads and selects the rules, and loads the waivers and the baseline.
pub fn plan(ui: &Ui, selection: &Selection, gate: &Gate) -> Result<Plan, Error> {
    let rules = select_rules(ui, selection)?;
    let waivers = gate.waivers.as_deref().map(Waivers::load).transpose()?;
    let baseline =
        (gate.baseline.as_deref().map(Baseline::load).transpose()).map_err(Error::Baseline)?;
    Ok(Plan {
        rules,
        framework: selection.framework.clone(),
        waivers,
        baseline,
        policy: gate.policy,
    })
}

/// Loads the rules, applies the config's parameters, then `--only`, `--skip` (with the
/// config's `rules.only` / `rules.skip`), `--severity-min` and `--framework`. An unknown id in
/// a flag is an error naming the flag; the config's ids were checked, at their lines, by
/// [`crate::config::Config::apply`].
fn select_rules(ui: &Ui, selection: &Selection) -> Result<RuleSet, Error> {
    let mut rules = load_for_evaluation(ui, &selection.folders)?.rules;
    if let Some(config) = &selection.config {
        config.apply(&mut rules)?;
    }
    let known: BTreeSet<String> = rules.iter().map(|r| r.id.clone()).collect();
    if let Some((flag, id)) = selection
        .flag_ids
        .iter()
        .find(|(_, id)| !known.contains(id))
    {
        return Err(Usage::UnknownRuleInFlag {
            flag,
            id: id.clone(),
            suggestion: did_you_mean(id, known.iter().map(String::as_str)),
        }
        .into());
    }
    let (only, skip) = (&selection.only, &selection.skip);
    rules.retain(|r| {
        (only.is_empty() || only.contains(&r.id))
            && !skip.contains(&r.id)
            && r.severity >= selection.severity_min
    });
    if let Some(id) = &selection.framework {
        frameworks::filter(&mut rules, id).map_err(Usage::Framework)?;
    }
    if rules.is_empty() {
        // Judging nothing would pass the gate.
        return Err(NothingToJudge::NoRules.into());
    }
    if ui.verbose {
        eprintln!("note: {} rules selected", rules.len());
    }
    Ok(rules)
}

/// One inventory to evaluate, and the clock to judge it by.
pub struct Source {
    /// The inventory.
    pub inventory: Inventory,
    /// The file it came from (offline runs).
    pub file: Option<String>,
    /// The evaluation clock.
    pub now: Timestamp,
}

/// Evaluates, gates, reports; returns the exit status.
pub fn evaluate_and_report(
    ui: &Ui,
    plan: &Plan,
    sources: &[Source],
    mode: Mode,
    outputs: &Outputs,
) -> Result<ExitStatus, Error> {
    check_scope(sources)?;
    let findings: Vec<Finding> =
        evaluate::evaluate_all(&plan.rules, sources.iter().map(|s| (&s.inventory, s.now)));
    let now = sources
        .iter()
        .map(|s| s.now)
        .max()
        .unwrap_or(Timestamp(time::OffsetDateTime::UNIX_EPOCH));

    let waiver_outcome: Option<WaiverOutcome> = plan
        .waivers
        .as_ref()
        .map(|w| w.apply(&findings, now.0.date()));
    // Each line already starts with `warning:` (like the rule loader's).
    for warning in waiver_outcome.iter().flat_map(|w| &w.warnings) {
        eprintln!("{warning}");
    }
    let baseline_outcome: Option<BaselineOutcome> =
        plan.baseline.as_ref().map(|b| b.compare(&findings));
    let merged = merge(sources);
    let collection_errors = merged
        .as_deref()
        .map(report::collection_errors)
        .unwrap_or_default();
    let decision = decide(
        plan,
        &findings,
        waiver_outcome.as_ref(),
        baseline_outcome.as_ref(),
        &collection_errors,
    );
    let report = Report::build(ReportInput {
        rules: &plan.rules,
        findings,
        inventory: merged.as_deref(),
        collection_errors,
        run: run_info(plan, sources, mode, now),
        annotations: Annotations::from_outcomes(waiver_outcome.as_ref(), baseline_outcome.as_ref()),
        gate: GateSummary::from_decision(&decision, &plan.policy),
    });
    write_reports(outputs, &report)?;
    if !outputs.text_on_stdout() && !ui.quiet {
        // The text report ends with the gate line; otherwise say it on stderr.
        eprintln!("{}", decision.reason);
    }
    leave_to_exit(report);
    Ok(ExitStatus::from(&decision))
}

/// The gate, over the findings the waivers leave (and, with `--fail-on-new-only`, the new
/// ones) and the reads that failed.
fn decide(
    plan: &Plan,
    findings: &[Finding],
    waivers: Option<&WaiverOutcome>,
    baseline: Option<&BaselineOutcome>,
    collection_errors: &[CollectionError],
) -> GateDecision {
    let waived: BTreeSet<String> = waivers.map(WaiverOutcome::waived).unwrap_or_default();
    let new = baseline.map(BaselineOutcome::new_fingerprints);
    // A failed `ListTrails` is replaced by asking `DescribeTrails` in every region, whose own
    // failures are recorded (and cited) where they happen: the listing alone hides nothing.
    let failed_reads: Vec<gate::FailedRead> = collection_errors
        .iter()
        .filter(|e| e.path != "listed_trails")
        .map(|e| gate::FailedRead {
            account_id: &e.account_id,
            operation: &e.operation,
        })
        .collect();
    gate::decide(findings, &waived, new.as_ref(), &plan.policy, &failed_reads)
}

/// What the report says about the run itself.
fn run_info(plan: &Plan, sources: &[Source], mode: Mode, now: Timestamp) -> RunInfo {
    RunInfo {
        mode,
        started_at: sources
            .iter()
            .map(|s| s.inventory.collection.started_at)
            .min()
            .unwrap_or(now),
        finished_at: sources
            .iter()
            .map(|s| s.inventory.collection.finished_at)
            .max()
            .unwrap_or(now),
        accounts: Vec::new(),
        regions: Vec::new(),
        inventory_files: sources.iter().filter_map(|s| s.file.clone()).collect(),
        framework: plan.framework.clone(),
    }
}

/// Renders every output. Every file is replaced only once every output is written: a report
/// set stays consistent.
fn write_reports(outputs: &Outputs, report: &Report) -> Result<(), Error> {
    write_outputs(outputs, |spec, out| {
        report::render(spec.format, report, &spec.options, out)
    })
}

/// Renders every output with `render` (`scan` and `check`'s report, `verify-logs`' report):
/// to stdout, or to files replaced together once every output is written.
pub fn write_outputs<R>(outputs: &Outputs, render: R) -> Result<(), Error>
where
    R: Fn(&ReportOutput, &mut dyn Write) -> std::io::Result<()>,
{
    let mut files = FileSet::new();
    for spec in &outputs.reports {
        let render_to = |out: &mut dyn Write| render(spec, out);
        let what = format!("the {} report", spec.format.as_str());
        // Streamed either way: a report of a large organization is megabytes.
        match &spec.path {
            None => output::to_stdout(&what, render_to),
            Some(path) => output::to_file(&mut files, &what, path, render_to),
        }?;
    }
    Ok(output::commit(files)?)
}

/// Nothing to judge is "could not run" (exit 2), never a passing gate: an inventory without
/// accounts (or an organization scan in which no account could be collected), or no region in
/// scope in any account.
fn check_scope(sources: &[Source]) -> Result<(), NothingToJudge> {
    for s in sources {
        if !s.inventory.accounts.is_empty() {
            continue;
        }
        let origin = s
            .file
            .as_ref()
            .map_or_else(|| "the scan".to_owned(), |f| format!("inventory {f}"));
        let why = s
            .inventory
            .organization
            .iter()
            .flat_map(|o| &o.accounts)
            .find_map(|a| {
                a.error
                    .as_ref()
                    .map(|e| format!(" (account {}: {e})", a.account_id))
            });
        return Err(NothingToJudge::NoAccounts { origin, why });
    }
    let regions = sources
        .iter()
        .flat_map(|s| &s.inventory.accounts)
        .flat_map(|a| &a.regions)
        .any(|r| r.in_scope);
    if !regions {
        return Err(NothingToJudge::NoRegions);
    }
    Ok(())
}

/// One inventory covering every source, for the report's scope and collection errors. A
/// single source (the usual case) is borrowed as it is: it is already normalized, and a copy
/// of a large inventory would sit in memory next to the report.
fn merge(sources: &[Source]) -> Option<Cow<'_, Inventory>> {
    if let [only] = sources {
        return Some(Cow::Borrowed(&only.inventory));
    }
    let mut merged = sources.first()?.inventory.clone();
    for s in &sources[1..] {
        merged.accounts.extend(s.inventory.accounts.iter().cloned());
        if merged.organization.is_none() {
            merged.organization = s.inventory.organization.clone();
        }
    }
    merged.normalize();
    Some(Cow::Owned(merged))
}

/// Leaves a large value (an inventory, its findings, their report) for the process's exit to
/// reclaim: `scan` and `check` end right after, and freeing tens of thousands of small
/// allocations one by one took ~10 ms of a 20-account scan's wall time.
pub(super) fn leave_to_exit<T>(value: T) {
    std::mem::forget(value);
}
