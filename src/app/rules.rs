//! `trailguard rules`: list, explain, validate, test, fields.

use std::io::IsTerminal;
use std::path::PathBuf;

use super::{EXIT_ERROR, EXIT_FAIL, EXIT_OK, RunError};
use crate::cli::{Cli, ColorChoice, RulesArgs};
use crate::evaluate;
use crate::rules::{
    self, FRAMEWORKS, Loaded, Rule, Scope, diagnostic::did_you_mean, explain, fields,
};

/// Writes to stdout; a closed pipe (`| head`) ends the output quietly, any other write error
/// is exit 2.
fn emit(text: &str) -> Result<(), RunError> {
    super::output::to_stdout("the output", |out| out.write_all(text.as_bytes()))
}

macro_rules! out {
    ($($arg:tt)*) => { $crate::app::rules::emit(&format!($($arg)*))? };
}
macro_rules! outln {
    ($($arg:tt)*) => { $crate::app::rules::emit(&format!("{}\n", format!($($arg)*)))? };
}

/// Runs `trailguard rules`.
pub fn run(cli: &Cli, args: &RulesArgs) -> Result<u8, RunError> {
    args.dispatch(
        |(dirs, no_builtin), framework, severity, json| {
            list(cli, dirs, no_builtin, framework, severity, json)
        },
        |id, (dirs, no_builtin)| explain_rule(cli, id, dirs, no_builtin),
        |dirs| validate(cli, dirs),
        |dir| test(cli, dir),
        print_fields,
    )
}

/// Whether stderr gets colour.
pub(super) fn stderr_color(cli: &Cli) -> bool {
    match cli.color {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
        }
    }
}

/// Loads rules; on problems prints them all on stderr and returns the exit status 2.
pub(super) fn load_or_report(cli: &Cli, builtin: bool, dirs: &[PathBuf]) -> Result<Loaded, u8> {
    report_problems(cli, rules::load(builtin, dirs))
}

/// [`load_or_report`] for `scan` and `check`, which never run test cases: the embedded pack
/// is loaded without them ([`rules::load_for_evaluation`]).
pub(super) fn load_for_evaluation_or_report(
    cli: &Cli,
    builtin: bool,
    dirs: &[PathBuf],
) -> Result<Loaded, u8> {
    report_problems(cli, rules::load_for_evaluation(builtin, dirs))
}

fn report_problems(cli: &Cli, loaded: Result<Loaded, rules::Problems>) -> Result<Loaded, u8> {
    match loaded {
        Ok(loaded) => {
            for warning in &loaded.warnings {
                eprintln!("{warning}");
            }
            if !cli.quiet {
                for note in &loaded.notes {
                    eprintln!("{note}");
                }
            }
            Ok(loaded)
        }
        Err(problems) => {
            eprint!("{}", problems.render(stderr_color(cli)));
            Err(EXIT_ERROR)
        }
    }
}

fn list(
    cli: &Cli,
    dirs: &[PathBuf],
    no_builtin: bool,
    framework: Option<&str>,
    severity: Option<&str>,
    json: bool,
) -> Result<u8, RunError> {
    if let Some(f) = framework
        && !FRAMEWORKS.iter().any(|(id, _)| *id == f)
    {
        let help = did_you_mean(f, FRAMEWORKS.iter().map(|(id, _)| *id))
            .map(|h| format!("; {h}"))
            .unwrap_or_default();
        return Err(RunError(format!("unknown framework id `{f}`{help}")));
    }
    let loaded = match load_or_report(cli, !no_builtin, dirs) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let selected: Vec<&Rule> = loaded
        .rules
        .iter()
        .filter(|r| framework.is_none_or(|f| r.frameworks.contains_key(f)))
        .filter(|r| severity.is_none_or(|s| r.severity.as_str() == s))
        .collect();
    if json {
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
        outln!(
            "{}",
            serde_json::to_string_pretty(&items).map_err(|e| RunError(e.to_string()))?
        );
        return Ok(EXIT_OK);
    }
    let id_w = selected
        .iter()
        .map(|r| r.id.len())
        .max()
        .unwrap_or(2)
        .max(2);
    outln!("{:<id_w$}  {:<8}  {:<7}  TITLE", "ID", "SEVERITY", "SCOPE");
    for r in &selected {
        outln!(
            "{:<id_w$}  {:<8}  {:<7}  {}",
            r.id,
            r.severity.as_str(),
            r.scope.as_str(),
            r.title
        );
    }
    outln!(
        "\n{} rule{}",
        selected.len(),
        if selected.len() == 1 { "" } else { "s" }
    );
    Ok(EXIT_OK)
}

fn explain_rule(cli: &Cli, id: &str, dirs: &[PathBuf], no_builtin: bool) -> Result<u8, RunError> {
    let loaded = match load_or_report(cli, !no_builtin, dirs) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let Some(rule) = loaded.rules.get(id) else {
        let ids: Vec<&str> = loaded.rules.iter().map(|r| r.id.as_str()).collect();
        let help = did_you_mean(id, ids)
            .map(|h| format!("; {h}"))
            .unwrap_or_default();
        return Err(RunError(format!("unknown rule id `{id}`{help}")));
    };
    out!("{}", render_explain(rule));
    Ok(EXIT_OK)
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
            out.push_str(&format!(
                "  {name} ({}, default {}{range}, in force {}): {}\n",
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

fn validate(cli: &Cli, dirs: &[PathBuf]) -> Result<u8, RunError> {
    let loaded = match load_or_report(cli, false, dirs) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
    let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
    outln!(
        "{} rule{} in {}: no problems",
        loaded.rules.len(),
        if loaded.rules.len() == 1 { "" } else { "s" },
        names.join(", ")
    );
    Ok(EXIT_OK)
}

fn test(cli: &Cli, dir: Option<&PathBuf>) -> Result<u8, RunError> {
    let dirs: Vec<PathBuf> = dir.into_iter().cloned().collect();
    let loaded = match load_or_report(cli, dir.is_none(), &dirs) {
        Ok(l) => l,
        Err(code) => return Ok(code),
    };
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
    Ok(if failed > 0 { EXIT_FAIL } else { EXIT_OK })
}

fn print_fields(scope: &str, json: bool) -> Result<u8, RunError> {
    let scope = Scope::parse(scope).ok_or_else(|| RunError(format!("unknown scope `{scope}`")))?;
    let rows = fields::table(scope);
    if json {
        outln!(
            "{}",
            serde_json::to_string_pretty(&rows).map_err(|e| RunError(e.to_string()))?
        );
        return Ok(EXIT_OK);
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
    Ok(EXIT_OK)
}
