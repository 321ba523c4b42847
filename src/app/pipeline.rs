//! The stages every reporting command shares: load rules and the gate's inputs, evaluate,
//! apply waivers and the baseline, decide the gate, build one report, render every output.
//! `check` feeds it saved inventories; `scan` feeds it a live collection.

use std::borrow::Cow;
use std::collections::BTreeSet;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};

use super::output;
use super::rules::{load_for_evaluation_or_report, stderr_color};
use super::{EXIT_ERROR, RunError};
use crate::baseline::{Baseline, BaselineOutcome};
use crate::cli::{Cli, ColorChoice, GateArgs, OutputArgs, OutputSpec, RuleArgs};
use crate::config::Config;
use crate::evaluate;
use crate::files::write::FileSet;
use crate::finding::{self, Finding};
use crate::frameworks;
use crate::gate::{self, GatePolicy};
use crate::inventory::{Inventory, Timestamp};
use crate::report::{
    self, Annotations, Format, GateSummary, Mode, RenderOptions, Report, ReportInput, RunInfo,
};
use crate::rules::{RuleSet, Severity, diagnostic::did_you_mean};
use crate::waivers::{WaiverOutcome, Waivers};

/// Everything loaded and checked before any evaluation (and, for `scan`, before any AWS call),
/// so bad input is exit 2 without collecting anything.
pub struct Plan {
    /// The config file, when there is one (defaults for targets too).
    // Only `scan` reads it (target defaults), and `scan` needs the `aws` feature.
    #[cfg_attr(not(feature = "aws"), allow(dead_code))]
    pub config: Option<Config>,
    rules: RuleSet,
    framework: Option<String>,
    waivers: Option<Waivers>,
    baseline: Option<Baseline>,
    policy: GatePolicy,
    outputs: Vec<OutputSpec>,
}

/// Loads rules, config, waivers and baseline and checks the outputs. `Err(Ok(code))` means the
/// problems were already printed (rich diagnostics) and the run ends with `code`.
pub fn plan(
    cli: &Cli,
    rule_args: &RuleArgs,
    gate_args: &GateArgs,
    output_args: &OutputArgs,
) -> Result<Plan, Result<u8, RunError>> {
    let config = load_config(cli, rule_args.config.as_deref()).map_err(Ok)?;
    let mut dirs = rule_args.rules.clone();
    let (mut only, mut skip) = (rule_args.only.clone(), rule_args.skip.clone());
    let mut builtin = !rule_args.no_builtin;
    if let Some(c) = &config {
        dirs.extend(c.rule_dirs.iter().cloned());
        only.extend(c.only.iter().cloned());
        skip.extend(c.skip.iter().cloned());
        builtin &= !c.no_builtin;
    }
    let mut rules = load_for_evaluation_or_report(cli, builtin, &dirs)
        .map_err(Ok)?
        .rules;
    if let Some(c) = &config
        && let Err(problems) = c.apply(&mut rules)
    {
        eprint!("{}", problems.render(stderr_color(cli)));
        return Err(Ok(EXIT_ERROR));
    }
    select(
        &mut rules,
        (&rule_args.only, &rule_args.skip),
        &only,
        &skip,
        rule_args.severity_min.map(|s| s.as_str()),
    )
    .map_err(Err)?;
    if let Some(id) = &rule_args.framework {
        frameworks::filter(&mut rules, id)
            .map_err(|e| Err(RunError(format!("--framework {id}: {e}"))))?;
    }
    if rules.is_empty() {
        // Judging nothing would pass the gate.
        return Err(Err(RunError(
            "0 rules selected: --no-builtin, --only, --skip, --severity-min, --framework and the config's `rules:` left no rule to evaluate".to_owned(),
        )));
    }
    let waivers_path = gate_args
        .waivers
        .clone()
        .or_else(|| config.as_ref().and_then(|c| c.waivers.clone()));
    let waivers = match &waivers_path {
        None => None,
        Some(path) => match Waivers::load(path) {
            Ok(w) => Some(w),
            Err(problems) => {
                eprint!("{}", problems.render(stderr_color(cli)));
                return Err(Ok(EXIT_ERROR));
            }
        },
    };
    let baseline = match &gate_args.baseline {
        None => None,
        Some(path) => {
            Some(Baseline::load(path).map_err(|e| Err(RunError(format!("--baseline: {e}"))))?)
        }
    };
    let outputs = if output_args.outputs.is_empty() {
        vec![OutputSpec {
            format: Format::Text,
            path: None,
        }]
    } else {
        output_args.outputs.clone()
    };
    let on_stdout: Vec<&OutputSpec> = outputs.iter().filter(|o| o.path.is_none()).collect();
    if on_stdout.len() > 1 {
        return Err(Err(RunError(format!(
            "--output: {} formats on stdout ({}); give all but one a file with FORMAT=PATH",
            on_stdout.len(),
            on_stdout
                .iter()
                .map(|o| o.format.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        ))));
    }
    // Flags win over the config file's `gate:` defaults.
    let gate_config = config.as_ref().map(|c| c.gate.clone()).unwrap_or_default();
    let policy = GatePolicy {
        fail_on: gate_args
            .fail_on
            .and_then(|s| Severity::parse(s.as_str()))
            .or(gate_config.fail_on),
        allow_errors: gate_args.allow_errors || gate_config.allow_errors.unwrap_or(false),
        exit_zero: gate_args.exit_zero || gate_config.exit_zero.unwrap_or(false),
        fail_on_new_only: gate_args.fail_on_new_only,
    };
    Ok(Plan {
        config,
        rules,
        framework: rule_args.framework.clone(),
        waivers,
        baseline,
        policy,
        outputs,
    })
}

/// The config file: `--config FILE`, else `./trailguard.yaml` when present. Its problems are
/// printed as diagnostics; `Err` is then the exit status (2).
pub fn load_config(cli: &Cli, explicit: Option<&Path>) -> Result<Option<Config>, u8> {
    let path = match explicit {
        Some(p) => Some(p.to_path_buf()),
        None => Some(PathBuf::from("trailguard.yaml")).filter(|p| p.is_file()),
    };
    match path.as_deref().map(Config::load) {
        None => Ok(None),
        Some(Ok(c)) => Ok(Some(c)),
        Some(Err(problems)) => {
            eprint!("{}", problems.render(stderr_color(cli)));
            Err(EXIT_ERROR)
        }
    }
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
    cli: &Cli,
    plan: &Plan,
    sources: &[Source],
    mode: Mode,
    output_args: &OutputArgs,
) -> Result<u8, RunError> {
    check_scope(sources)?;
    let mut findings: Vec<Finding> = Vec::new();
    for s in sources {
        findings.extend(evaluate::evaluate(&plan.rules, &s.inventory, s.now));
    }
    finding::sort(&mut findings);
    let now = sources
        .iter()
        .map(|s| s.now)
        .max()
        .unwrap_or(Timestamp(time::OffsetDateTime::UNIX_EPOCH));

    let waiver_outcome: Option<WaiverOutcome> = plan
        .waivers
        .as_ref()
        .map(|w| w.apply(&findings, now.0.date()));
    for warning in waiver_outcome.iter().flat_map(|w| &w.warnings) {
        eprintln!("warning: {warning}");
    }
    let baseline_outcome: Option<BaselineOutcome> =
        plan.baseline.as_ref().map(|b| b.compare(&findings));
    let waived: BTreeSet<String> = waiver_outcome
        .as_ref()
        .map(WaiverOutcome::waived)
        .unwrap_or_default();
    let new = baseline_outcome
        .as_ref()
        .map(BaselineOutcome::new_fingerprints);
    let merged = merge(sources);
    let collection_errors = merged
        .as_deref()
        .map(report::collection_errors)
        .unwrap_or_default();
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
    let decision = gate::decide(
        &findings,
        &waived,
        new.as_ref(),
        &plan.policy,
        &failed_reads,
    );

    let report = Report::build(ReportInput {
        rules: &plan.rules,
        findings,
        inventory: merged.as_deref(),
        collection_errors,
        run: RunInfo {
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
        },
        annotations: Annotations::from_outcomes(waiver_outcome.as_ref(), baseline_outcome.as_ref()),
        gate: GateSummary::from_decision(&decision, &plan.policy),
    });

    // Every file is replaced only once every output is written: a report set stays consistent.
    let mut files = FileSet::new();
    for spec in &plan.outputs {
        write_output(cli, spec, &report, output_args, &mut files)?;
    }
    output::commit(files)?;
    if !matches!(plan.outputs.iter().find(|o| o.path.is_none()), Some(o) if o.format == Format::Text)
        && !cli.quiet
    {
        // The text report ends with the gate line; otherwise say it on stderr.
        eprintln!("{}", decision.reason);
    }
    Ok(decision.exit_code)
}

/// Renders one output: to stdout, or to a file of `files` (committed with the others).
fn write_output(
    cli: &Cli,
    spec: &OutputSpec,
    report: &Report,
    args: &OutputArgs,
    files: &mut FileSet,
) -> Result<(), RunError> {
    let color = match (cli.color, &spec.path) {
        (ColorChoice::Always, _) => true,
        (ColorChoice::Never, _) | (ColorChoice::Auto, Some(_)) => false,
        (ColorChoice::Auto, None) => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stdout().is_terminal()
        }
    };
    let options = RenderOptions {
        color: color && spec.format == Format::Text,
        verbose: args.list_all || cli.verbose,
        sarif_include_waived: args.sarif_include_waived,
    };
    let render_to = |out: &mut dyn Write| report::render(spec.format, report, &options, out);
    let what = format!("the {} report", spec.format.as_str());
    // Streamed either way: a report of a large organization is megabytes.
    match &spec.path {
        None => output::to_stdout(&what, render_to),
        Some(path) => output::to_file(files, &what, path, render_to),
    }
}

/// Nothing to judge is "could not run" (exit 2), never a passing gate: an inventory without
/// accounts (or an organization scan in which no account could be collected), or no region in
/// scope in any account.
fn check_scope(sources: &[Source]) -> Result<(), RunError> {
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
            })
            .map_or_else(String::new, |e| {
                format!(": no account could be collected{e}")
            });
        return Err(RunError(format!("{origin} has 0 accounts to judge{why}")));
    }
    let regions = sources
        .iter()
        .flat_map(|s| &s.inventory.accounts)
        .flat_map(|a| &a.regions)
        .any(|r| r.in_scope);
    if !regions {
        return Err(RunError(
            "0 regions in scope: no account has an enabled region in the scan's scope".to_owned(),
        ));
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

/// Applies `--only`, `--skip` (with the config's `rules.only` / `rules.skip`) and
/// `--severity-min`. An unknown id in a flag is an error naming the flag; the config's ids
/// were checked, at their lines, by [`Config::apply`].
fn select(
    rules: &mut RuleSet,
    flags: (&[String], &[String]),
    only: &[String],
    skip: &[String],
    severity_min: Option<&str>,
) -> Result<(), RunError> {
    let known: BTreeSet<String> = rules.iter().map(|r| r.id.clone()).collect();
    for (flag, id) in flags
        .0
        .iter()
        .map(|id| ("--only", id))
        .chain(flags.1.iter().map(|id| ("--skip", id)))
    {
        if !known.contains(id) {
            let help = did_you_mean(id, known.iter().map(String::as_str))
                .map(|h| format!("; {h}"))
                .unwrap_or_default();
            return Err(RunError(format!("unknown rule id `{id}` in {flag}{help}")));
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
