//! `trailguard rules`: list, explain, validate, test, fields.

use std::path::PathBuf;

use crate::cli::ListFormat;
use crate::exit::{Error, ExitStatus, OutputError, Usage};
use crate::rules::{
    self, Loaded, Rule, Scope, Severity, diagnostic::did_you_mean, explain, fields,
};
use crate::settings::{Folders, RulesTask, Ui};
use crate::{evaluate, frameworks};

/// Writes to stdout; a closed pipe (`| head`) ends the output quietly, any other write error
/// is exit 2.
fn emit(text: &str) -> Result<(), OutputError> {
    super::output::to_stdout("the output", |out| out.write_all(text.as_bytes()))
}

macro_rules! out {
    ($($arg:tt)*) => { $crate::app::rules::emit(&format!($($arg)*))? };
}
macro_rules! outln {
    ($($arg:tt)*) => { $crate::app::rules::emit(&format!("{}\n", format!($($arg)*)))? };
}

/// Runs `trailguard rules`.
pub fn run(ui: &Ui, task: &RulesTask) -> Result<ExitStatus, Error> {
    match task {
        RulesTask::List {
            folders,
            framework,
            severity_min,
            severity,
            format,
        } => {
            let filter = ListFilter {
                framework: framework.as_deref(),
                severity_min: *severity_min,
                severity: *severity,
            };
            list(ui, folders, &filter, *format)
        }
        RulesTask::Explain { id, folders } => explain_rule(ui, id, folders),
        RulesTask::Validate { dirs } => validate(ui, dirs),
        RulesTask::Test { dir } => test(ui, dir.as_ref()),
        RulesTask::Fields { scope, format } => print_fields(*scope, *format),
    }
}

/// Loads rules; their warnings (and, without `-q`, notes) go to stderr.
pub(super) fn load(ui: &Ui, builtin: bool, dirs: &[PathBuf]) -> Result<Loaded, Error> {
    Ok(announce(ui, rules::load(builtin, dirs)?))
}

/// [`load`] for `scan` and `check`, which never run test cases: the embedded pack is loaded
/// without them ([`rules::load_for_evaluation`]).
pub(super) fn load_for_evaluation(ui: &Ui, folders: &Folders) -> Result<Loaded, Error> {
    Ok(announce(
        ui,
        rules::load_for_evaluation(folders.builtin, &folders.dirs)?,
    ))
}

fn announce(ui: &Ui, loaded: Loaded) -> Loaded {
    for warning in &loaded.warnings {
        eprintln!("{warning}");
    }
    if !ui.quiet {
        for note in &loaded.notes {
            eprintln!("{note}");
        }
    }
    loaded
}

/// Which rules `rules list` shows.
struct ListFilter<'a> {
    framework: Option<&'a str>,
    severity_min: Option<Severity>,
    severity: Option<Severity>,
}

impl ListFilter<'_> {
    fn keeps(&self, r: &Rule) -> bool {
        self.framework.is_none_or(|f| r.frameworks.contains_key(f))
            && self.severity_min.is_none_or(|s| r.severity >= s)
            && self.severity.is_none_or(|s| r.severity == s)
    }
}

fn list(
    ui: &Ui,
    folders: &Folders,
    filter: &ListFilter<'_>,
    format: ListFormat,
) -> Result<ExitStatus, Error> {
    // The same error as `check --framework`: it lists the valid ids.
    if let Some(f) = filter.framework {
        frameworks::name(f).map_err(Usage::Framework)?;
    }
    let loaded = load(ui, folders.builtin, &folders.dirs)?;
    let selected: Vec<&Rule> = loaded.rules.iter().filter(|r| filter.keeps(r)).collect();
    if format == ListFormat::Json {
        let items: Vec<serde_json::Value> = selected
            .iter()
            .map(|r| {
                serde_json::json!({
                    "id": r.id,
                    "title": r.title,
                    "severity": r.severity,
                    "scope": r.scope,
                    "frameworks": r.frameworks,
                    "parameters": r.parameters,
                    "source": r.source.name,
                    "builtin": r.builtin,
                })
            })
            .collect();
        outln!("{}", serde_json::to_string_pretty(&items)?);
        return Ok(ExitStatus::Success);
    }
    out!("{}", list_table(&selected, filter.framework));
    Ok(ExitStatus::Success)
}

/// The `rules list` table; with a framework, a CONTROLS column holds each rule's controls in
/// it (every framework of every rule would not fit a line: JSON and `explain` have them).
fn list_table(selected: &[&Rule], framework: Option<&str>) -> String {
    let controls = |r: &Rule| -> Option<String> {
        framework.map(|f| {
            r.frameworks
                .get(f)
                .map(|c| c.join(", "))
                .unwrap_or_default()
        })
    };
    let id_w = selected
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    let controls_w = (selected.iter())
        .filter_map(|r| controls(r).map(|c| c.len()))
        .max()
        .unwrap_or(0)
        .max("CONTROLS".len());
    let row = |id: &str, severity: &str, scope: &str, controls: Option<String>, title: &str| {
        let controls = controls
            .map(|c| format!("{c:<controls_w$}  "))
            .unwrap_or_default();
        format!("{id:<id_w$}  {severity:<8}  {scope:<7}  {controls}{title}\n")
    };
    let header = framework.map(|_| "CONTROLS".to_owned());
    let mut text = row("ID", "SEVERITY", "SCOPE", header, "TITLE");
    for r in selected {
        let (severity, scope) = (r.severity.as_str(), r.scope.as_str());
        text.push_str(&row(&r.id, severity, scope, controls(r), &r.title));
    }
    let n = selected.len();
    text.push_str(&format!("\n{n} rule{}\n", if n == 1 { "" } else { "s" }));
    text
}

fn explain_rule(ui: &Ui, id: &str, folders: &Folders) -> Result<ExitStatus, Error> {
    let loaded = load(ui, folders.builtin, &folders.dirs)?;
    let Some(rule) = loaded.rules.get(id) else {
        let ids: Vec<&str> = loaded.rules.iter().map(|r| r.id.as_str()).collect();
        return Err(Usage::UnknownRule {
            id: id.to_owned(),
            suggestion: did_you_mean(id, ids),
        }
        .into());
    };
    out!("{}", render_explain(rule));
    Ok(ExitStatus::Success)
}

/// The text of `rules explain`.
pub fn render_explain(rule: &Rule) -> String {
    let mut out = format!("{}  {}\n", rule.id, rule.title);
    out.push_str(&format!(
        "severity: {}   scope: {}   source: {}:{}\n",
        rule.severity, rule.scope, rule.source.name, rule.id_pos.line
    ));
    let indent = |text: &str| -> String {
        text.lines()
            .map(|l| format!("  {}\n", l.trim_end()))
            .collect()
    };
    out.push_str("\nRationale:\n");
    out.push_str(&indent(&rule.rationale));
    out.push_str("\nRemediation:\n");
    out.push_str(&indent(&rule.remediation.text));
    if let Some(cli) = &rule.remediation.cli {
        out.push_str(&format!("  cli: {cli}\n"));
    }
    if let Some(url) = &rule.remediation.url {
        out.push_str(&format!("  url: {url}\n"));
    }
    if let Some(pattern) = &rule.remediation.filter_pattern {
        out.push_str(&format!("  filter pattern: {pattern}\n"));
    }
    if !rule.frameworks.is_empty() {
        out.push_str("\nFrameworks:\n");
        for (f, controls) in &rule.frameworks {
            out.push_str(&format!("  {f}: {}\n", controls.join(", ")));
        }
    }
    if !rule.references.is_empty() {
        out.push_str("\nReferences:\n");
        for r in &rule.references {
            out.push_str(&format!("  - {r}\n"));
        }
    }
    if !rule.parameters.is_empty() {
        out.push_str("\nParameters:\n");
        for (name, p) in &rule.parameters {
            let range = p.range_text().map(|r| format!(", {r}")).unwrap_or_default();
            let allowed = p
                .allowed
                .as_ref()
                .map(|values| format!(", allowed: {}", values.join(" | ")))
                .unwrap_or_default();
            out.push_str(&format!(
                "  {name} ({}, default {}{range}{allowed}, in force {}): {}\n",
                p.kind.as_str(),
                p.default,
                p.value,
                p.description.trim()
            ));
        }
    }
    if let Some(when) = &rule.when {
        out.push_str("\nApplies when:\n");
        out.push_str(&explain::condition(when, 1));
    }
    out.push_str(&format!("\nPasses when (for each {}):\n", rule.scope));
    out.push_str(&explain::condition(&rule.check, 1));
    out.push_str("  Data that could not be read gives ERROR, never PASS.\n");
    out.push_str(&format!("\nOn failure: {}\n", rule.message));
    out.push_str(&format!(
        "Tests: {} embedded case{}\n",
        rule.tests.len(),
        if rule.tests.len() == 1 { "" } else { "s" }
    ));
    out
}

fn validate(ui: &Ui, dirs: &[PathBuf]) -> Result<ExitStatus, Error> {
    let loaded = load(ui, false, dirs)?;
    let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    outln!(
        "{} rule{} in {}: no problems",
        loaded.rules.len(),
        if loaded.rules.len() == 1 { "" } else { "s" },
        names.join(", ")
    );
    Ok(ExitStatus::Success)
}

fn test(ui: &Ui, dir: Option<&PathBuf>) -> Result<ExitStatus, Error> {
    let dirs: Vec<PathBuf> = dir.into_iter().cloned().collect();
    let loaded = load(ui, dir.is_none(), &dirs)?;
    let (mut passed, mut failed, mut rules_failed) = (0usize, 0usize, 0usize);
    for rule in loaded.rules.iter() {
        let results = evaluate::run_tests(rule);
        let bad: Vec<&evaluate::CaseResult> = results.iter().filter(|r| !r.passed()).collect();
        passed += results.len() - bad.len();
        failed += bad.len();
        if bad.is_empty() {
            outln!(
                "ok      {} ({} case{})",
                rule.id,
                results.len(),
                if results.len() == 1 { "" } else { "s" }
            );
            continue;
        }
        rules_failed += 1;
        outln!(
            "FAILED  {} ({} of {} cases failed)",
            rule.id,
            bad.len(),
            results.len()
        );
        for case in bad {
            let line = rule
                .tests
                .iter()
                .find(|t| t.name == case.name)
                .map_or(0, |t| t.pos.line);
            outln!(
                "        {}:{line}: `{}`: expected {}, got {}: {}",
                rule.source.name,
                case.name,
                case.expected,
                case.verdict.status,
                case.verdict.message
            );
            for e in crate::report::evidence_lines(&case.verdict.evidence, true)
                .iter()
                .take(6)
            {
                outln!("          {e}");
            }
        }
    }
    outln!(
        "\n{} rule{}, {rules_failed} with failures; {passed} passed, {failed} failed",
        loaded.rules.len(),
        if loaded.rules.len() == 1 { "" } else { "s" }
    );
    Ok(if failed > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

fn print_fields(scope: Scope, format: ListFormat) -> Result<ExitStatus, Error> {
    let rows = fields::table(scope);
    if format == ListFormat::Json {
        outln!("{}", serde_json::to_string_pretty(&rows)?);
        return Ok(ExitStatus::Success);
    }
    let path_w = rows.iter().map(|r| r.path.len()).max().unwrap_or(4);
    let type_w = rows
        .iter()
        .map(|r| r.type_name.len())
        .max()
        .unwrap_or(4)
        .min(40);
    outln!(
        "Fields of the `{scope}` subject (paths inside `[]` are list elements: use a quantifier)\n"
    );
    outln!(
        "{:<path_w$}  {:<type_w$}  {:<9}  DESCRIPTION",
        "PATH",
        "TYPE",
        "NOTES"
    );
    for r in rows {
        let notes = match (r.nullable, r.collected) {
            (true, true) => "null,read",
            (true, false) => "null",
            (false, true) => "read",
            (false, false) => "",
        };
        outln!(
            "{:<path_w$}  {:<type_w$}  {notes:<9}  {}",
            r.path,
            r.type_name,
            r.description
        );
    }
    outln!(
        "\nnull: may be absent; read: read from AWS, may be a read error (the rule then gives ERROR)"
    );
    Ok(ExitStatus::Success)
}
