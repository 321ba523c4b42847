//! One property test per parser, on mutated real files and on arbitrary text: it never panics,
//! and it answers Ok or a typed error whose location (when it gives one) is inside the file and
//! whose rendering names the file. What the parser accepts goes on down the pipeline the way
//! the CLI would use it (evaluation, waivers, diff, baseline), so a value that parses but breaks
//! a later stage is found too.

use std::path::Path;
use std::sync::OnceLock;

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::RngSeed;
use trailguard::baseline::{Baseline, ReportFile};
use trailguard::finding::Finding;
use trailguard::inventory::{Inventory, LoadError};
use trailguard::rules::{Config, Problems, RuleSet};
use trailguard::waivers::{Glob, Waivers};
use trailguard::{diff, evaluate, rules};

use super::corpus::{self, Seed};
use super::mutate::{TOKENS, apply, edit_tree, mutation, tree_edit};

/// Bounded and reproducible: a fixed seed and case count unless `PROPTEST_RNG_SEED` /
/// `PROPTEST_CASES` ask for another run; failures are shrunk but never written to the tree.
fn config(cases: u32) -> ProptestConfig {
    let mut c = ProptestConfig::default();
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = cases;
    }
    if std::env::var_os("PROPTEST_RNG_SEED").is_none() {
        c.rng_seed = RngSeed::Fixed(0x7261_696C_6775_6172);
    }
    c.failure_persistence = None;
    c.max_shrink_iters = 2_000;
    c
}

/// Runs `check` on a thread with the stack the binary parses on (its main thread's, 8 MiB by
/// default), not the test harness's 2 MiB: YAML nested to the parser's depth limit needs more
/// than that in a debug build. A panic is carried over to proptest, which shrinks it.
fn on_main_stack(check: impl FnOnce() + Send) {
    std::thread::scope(|scope| {
        let worker = std::thread::Builder::new()
            .stack_size(8 << 20)
            .spawn_scoped(scope, check);
        match worker.map(|w| w.join()) {
            Ok(Ok(())) => {}
            Ok(Err(panic)) => std::panic::resume_unwind(panic),
            Err(e) => panic!("cannot start a checking thread: {e}"),
        }
    });
}

/// The tree of a seed, when it has one: JSON as is, YAML through trailguard's own reader.
fn as_tree(text: &str, yaml: bool) -> Option<serde_json::Value> {
    if yaml {
        rules::yaml::parse(text).ok().map(|node| node.to_json())
    } else {
        serde_json::from_str(text).ok()
    }
}

/// A seed with up to two tree edits (written back as JSON, which is also flow YAML), then up
/// to five text mutations. Yields (file name, text).
fn mutated(seeds: Vec<Seed>, yaml: bool) -> impl Strategy<Value = (String, String)> {
    (
        any::<Index>(),
        vec(tree_edit(), 0..3),
        vec(mutation(), 0..6),
    )
        .prop_map(move |(seed, edits, mutations)| {
            let seed = &seeds[seed.index(seeds.len())];
            let mut text = seed.text.clone();
            if !edits.is_empty()
                && let Some(mut tree) = as_tree(&text, yaml)
            {
                edits.iter().for_each(|e| edit_tree(&mut tree, e));
                text = serde_json::to_string_pretty(&tree).unwrap_or(text);
            }
            let mut bytes = text.into_bytes();
            mutations.iter().for_each(|m| apply(&mut bytes, m));
            (
                seed.name.clone(),
                String::from_utf8_lossy(&bytes).into_owned(),
            )
        })
}

/// Text with no seed: any unicode, a soup of syntax tokens, or bytes read as UTF-8.
fn arbitrary() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        vec(select(TOKENS), 0..64).prop_map(|t| t.concat()),
        vec(any::<u8>(), 0..512).prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
    ]
}

fn demo() -> &'static Inventory {
    static DEMO: OnceLock<Inventory> = OnceLock::new();
    DEMO.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/demo-inventory.json");
        Inventory::load(&path).unwrap_or_else(|e| panic!("the demo inventory loads: {e}"))
    })
}

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

/// Every problem is in the file given, at a position inside it, and renders naming it.
fn check_problems(origin: &str, text: &str, problems: &Problems) {
    assert!(!problems.problems.is_empty(), "an error without a problem");
    let lines = line_count(text);
    for d in &problems.problems {
        assert_eq!(d.file.name, origin, "{d}");
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

fn check_rule(name: &str, text: &str) {
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

fn check_config(text: &str) {
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

fn check_waivers(text: &str) {
    let origin = "waivers.yaml";
    match Waivers::parse(origin, text) {
        Ok(waivers) => {
            let today = time::macros::date!(2026 - 06 - 01);
            let _ = waivers.apply(demo_findings(), today);
        }
        Err(problems) => check_problems(origin, text, &problems),
    }
}

fn check_inventory(text: &str) {
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
                assert!(*line <= lines, "line {line} of {lines}: {e}");
            }
            assert!(e.to_string().starts_with(origin), "{e}");
        }
    }
}

fn check_report(text: &str) {
    static OLD: OnceLock<ReportFile> = OnceLock::new();
    let old = OLD.get_or_init(|| {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/reports/old.json");
        ReportFile::load(&path).unwrap_or_else(|e| panic!("the old report loads: {e}"))
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
fn check_glob(pattern: &str, text: &str) {
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

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn rule_files_mutated((name, text) in mutated(corpus::rules(), true)) {
        on_main_stack(|| check_rule(&name, &text));
    }

    #[test]
    fn config_files_mutated((_name, text) in mutated(corpus::configs(), true)) {
        on_main_stack(|| check_config(&text));
    }

    #[test]
    fn waivers_files_mutated((_name, text) in mutated(corpus::waivers(), true)) {
        on_main_stack(|| check_waivers(&text));
    }

    #[test]
    fn inventories_mutated((_name, text) in mutated(corpus::inventories(), false)) {
        on_main_stack(|| check_inventory(&text));
    }

    #[test]
    fn reports_mutated((_name, text) in mutated(corpus::reports(), false)) {
        on_main_stack(|| check_report(&text));
    }

    #[test]
    fn every_parser_on_arbitrary_text(text in arbitrary()) {
        check_rule("ANY-1.yaml", &text);
        check_config(&text);
        check_waivers(&text);
        check_inventory(&text);
        on_main_stack(|| check_report(&text));
    }

    #[test]
    fn waiver_globs(pattern in arbitrary(), text in arbitrary()) {
        check_glob(&pattern, &text);
        check_glob(&pattern, &pattern);
    }
}
