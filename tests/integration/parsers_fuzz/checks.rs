//! The properties every parser must keep, shared by the property tests (`props`) and the
//! cargo-fuzz targets (`fuzz/`, which include this file): no panic; an error whose location,
//! when it gives one, is inside the file and whose rendering names the file; and what a parser
//! accepts goes on down the pipeline as the CLI would use it (evaluation, waivers, diff,
//! baseline, the inventory's save/read-back), so a value that parses but breaks a later stage
//! is found too. Fixtures are compiled in so both packages read the same ones.

use std::path::Path;
use std::sync::OnceLock;

use trailguard::baseline::{Baseline, ReportFile};
use trailguard::config::Config;
use trailguard::finding::Finding;
use trailguard::inventory::{Inventory, LoadError};
use trailguard::rules::{Problems, RuleSet};
use trailguard::waivers::{Glob, Waivers};
use trailguard::{diff, evaluate, rules};

/// The demo organization's inventory: what accepted rules are evaluated on.
fn demo() -> &'static Inventory {
    static DEMO: OnceLock<Inventory> = OnceLock::new();
    DEMO.get_or_init(|| {
        let text = include_str!("../../../examples/demo-inventory.json");
        Inventory::from_json(text, "demo-inventory.json")
            .unwrap_or_else(|e| panic!("the demo inventory loads: {e}"))
    })
}

/// The embedded rule pack.
fn builtin() -> &'static RuleSet {
    static PACK: OnceLock<RuleSet> = OnceLock::new();
    PACK.get_or_init(|| rules::load_builtin().unwrap_or_else(|e| panic!("the pack loads: {e}")))
}

/// The pack's findings on the demo organization: what waivers and baselines are matched to.
fn demo_findings() -> &'static [Finding] {
    static FINDINGS: OnceLock<Vec<Finding>> = OnceLock::new();
    FINDINGS.get_or_init(|| evaluate::evaluate(builtin(), demo(), demo().collection.finished_at))
}

/// Lines as YAML and JSON count them: `\n`, `\r\n` and a lone `\r` each end one.
fn line_count(text: &str) -> usize {
    1 + text.replace("\r\n", "\n").matches(['\n', '\r']).count()
}

/// Every problem is in the file given, at a position inside it — only a document with
/// nothing in it has no node to point at — and renders naming it.
fn check_problems(origin: &str, text: &str, problems: &Problems) {
    assert!(!problems.problems.is_empty(), "an error without a problem");
    let lines = line_count(text);
    let empty =
        matches!(rules::yaml::parse(text), Ok(node) if node.value == rules::yaml::Value::Null);
    for d in &problems.problems {
        assert_eq!(d.file.name, origin, "{d}");
        assert!(
            d.pos.is_some() || empty,
            "a problem without a location: {d}"
        );
        if let Some(p) = d.pos {
            assert!(
                p.line >= 1 && p.line <= lines,
                "line {} of {lines}: {d}",
                p.line
            );
            assert!(
                p.offset <= text.len(),
                "offset {} of {}: {d}",
                p.offset,
                text.len()
            );
        }
        assert!(d.render(false).contains(origin), "{d}");
    }
    assert!(problems.render(false).contains("problem"));
}

pub fn check_rule(name: &str, text: &str) {
    match rules::parse_str(name, text) {
        Ok(rule) => {
            // Accepted rules are run: on their own test cases and on the demo organization.
            let _ = evaluate::run_tests(&rule);
            let set = RuleSet::new(vec![rule]);
            let _ = evaluate::evaluate(&set, demo(), demo().collection.finished_at);
        }
        Err(problems) => check_problems(name, text, &problems),
    }
}

pub fn check_config(text: &str) {
    let origin = "trailguard.yaml";
    match Config::parse(origin, text, Path::new("/nonexistent/config-dir")) {
        Ok(config) => {
            // Overrides are checked against the pack's declared parameters.
            let mut pack = builtin().clone();
            if let Err(problems) = config.apply(&mut pack) {
                assert!(!problems.problems.is_empty(), "an error without a problem");
                let _ = problems.render(false);
            }
        }
        Err(problems) => check_problems(origin, text, &problems),
    }
}

pub fn check_waivers(text: &str) {
    let origin = "waivers.yaml";
    match Waivers::parse(origin, text) {
        Ok(waivers) => {
            let today = demo().collection.finished_at.0.date();
            let _ = waivers.apply(demo_findings(), today);
        }
        Err(problems) => check_problems(origin, text, &problems),
    }
}

pub fn check_inventory(text: &str) {
    let origin = "inventory.json";
    match Inventory::from_json(text, origin) {
        Ok(inventory) => {
            let now = inventory.collection.finished_at;
            let _ = evaluate::evaluate(builtin(), &inventory, now);
            // What `--save-inventory` writes, `check --inventory` must read back.
            let again = Inventory::from_json(&inventory.to_json(), origin);
            assert!(again.is_ok(), "a saved inventory is refused: {again:?}");
        }
        Err(e) => {
            if let LoadError::Parse { line, .. } = &e {
                let lines = line_count(text);
                assert!(*line >= 1 && *line <= lines, "line {line} of {lines}: {e}");
            }
            assert!(e.to_string().starts_with(origin), "{e}");
        }
    }
}

pub fn check_report(text: &str) {
    static OLD: OnceLock<ReportFile> = OnceLock::new();
    let old = OLD.get_or_init(|| {
        let text = include_str!("../../fixtures/reports/old.json");
        ReportFile::parse("old.json", text).unwrap_or_else(|e| panic!("the old report loads: {e}"))
    });
    let origin = "report.json";
    match ReportFile::parse(origin, text) {
        Ok(report) => {
            // `diff OLD NEW` both ways, and `--baseline`.
            for drift in [diff::compare(old, &report), diff::compare(&report, old)] {
                let _ = diff::render_text(&drift, false);
                assert!(diff::render_json(&drift).is_ok());
            }
            let _ = Baseline { report }.compare(demo_findings());
        }
        Err(e) => assert!(e.to_string().contains(origin), "{e}"),
    }
}

/// A glob matches its own text (`*` and `?` match themselves too); without a wildcard it
/// matches nothing else.
pub fn check_glob(pattern: &str, text: &str) {
    if let Ok(glob) = Glob::new(pattern) {
        assert!(glob.matches(pattern), "`{pattern}` does not match itself");
        if !glob.is_wildcard() {
            assert_eq!(
                glob.matches(text),
                text == pattern,
                "`{pattern}` vs `{text}`"
            );
        }
    }
}
