//! One property test per parser, on mutated real files and on arbitrary text, checking the
//! properties of `checks`.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::{Index, select};
use proptest::test_runner::RngSeed;
use trailguard::rules;

use super::checks::{
    check_config, check_glob, check_inventory, check_report, check_rule, check_waivers,
};
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

/// Mutations start from files each parser accepts, or they would only ever test rejection.
#[test]
fn every_corpus_has_files_its_parser_accepts() {
    use std::path::Path;
    use trailguard::baseline::ReportFile;
    use trailguard::config::Config;
    use trailguard::inventory::Inventory;
    use trailguard::waivers::Waivers;

    let accepted = |seeds: Vec<corpus::Seed>, ok: &dyn Fn(&corpus::Seed) -> bool| {
        seeds.iter().filter(|s| ok(s)).count()
    };
    let counts = [
        accepted(corpus::rules(), &|s| {
            rules::parse_str(&s.name, &s.text).is_ok()
        }),
        accepted(corpus::configs(), &|s| {
            Config::parse(&s.name, &s.text, Path::new(".")).is_ok()
        }),
        accepted(corpus::waivers(), &|s| {
            Waivers::parse(&s.name, &s.text).is_ok()
        }),
        accepted(corpus::inventories(), &|s| {
            Inventory::from_json(&s.text, &s.name).is_ok()
        }),
        accepted(corpus::reports(), &|s| {
            ReportFile::parse(&s.name, &s.text).is_ok()
        }),
    ];
    // The pack's 43 rules; the full config; valid.yaml and the docs' example; 7 inventories;
    // old.json and new.json.
    assert!(counts[0] >= 43, "{counts:?}");
    assert!(
        counts[1] >= 1 && counts[2] >= 2 && counts[3] >= 7 && counts[4] >= 2,
        "{counts:?}"
    );
}
