//! One invalid rule file (or config) per problem kind → a snapshot of the rendered diagnostics.
//! Every user-visible byte of a load error is reviewed here.

use std::path::{Path, PathBuf};

use trailguard::config::Config;
use trailguard::rules;

fn render_dir(dirs: &[&str]) -> String {
    let dirs: Vec<PathBuf> = dirs.iter().map(PathBuf::from).collect();
    match rules::load(false, &dirs) {
        Ok(loaded) => panic!("expected problems, loaded {} rules", loaded.rules.len()),
        Err(problems) => problems.render(false),
    }
}

macro_rules! case {
    ($name:ident, $($dir:expr),+) => {
        #[test]
        fn $name() {
            insta::assert_snapshot!(stringify!($name), render_dir(&[$($dir),+]));
        }
    };
}

case!(unknown_key, "tests/diagnostics/unknown-key");
case!(duplicate_key, "tests/diagnostics/duplicate-key");
case!(unknown_path, "tests/diagnostics/unknown-path");
case!(operator_type, "tests/diagnostics/operator-type");
case!(missing_if_empty, "tests/diagnostics/missing-if-empty");
case!(
    duplicate_id,
    "tests/diagnostics/duplicate-id/a",
    "tests/diagnostics/duplicate-id/b"
);
case!(unknown_framework, "tests/diagnostics/unknown-framework");
case!(invalid_regex, "tests/diagnostics/invalid-regex");
case!(yaml_syntax, "tests/diagnostics/yaml-syntax");
case!(many_problems_in_one_run, "tests/diagnostics/many-problems");

#[test]
fn bad_parameter_override() {
    let path = Path::new("tests/diagnostics/bad-parameter/trailguard.yaml");
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(p) => panic!("{}", p.render(false)),
    };
    let mut loaded = match rules::load(false, &config.rule_dirs) {
        Ok(l) => l,
        Err(p) => panic!("{}", p.render(false)),
    };
    let problems = match config.apply(&mut loaded.rules) {
        Ok(()) => panic!("expected problems"),
        Err(p) => p,
    };
    insta::assert_snapshot!("bad_parameter_override", problems.render(false));
}

#[test]
fn unknown_rule_id_in_config() {
    let path = Path::new("tests/diagnostics/unknown-rule-id/trailguard.yaml");
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(p) => panic!("{}", p.render(false)),
    };
    let mut loaded = match rules::load(true, &config.rule_dirs) {
        Ok(l) => l,
        Err(p) => panic!("{}", p.render(false)),
    };
    let problems = match config.apply(&mut loaded.rules) {
        Ok(()) => panic!("expected problems"),
        Err(p) => p,
    };
    insta::assert_snapshot!("unknown_rule_id_in_config", problems.render(false));
}

#[test]
fn parameter_override_out_of_range() {
    let path = Path::new("tests/diagnostics/parameter-range/trailguard.yaml");
    let config = match Config::load(path) {
        Ok(c) => c,
        Err(p) => panic!("{}", p.render(false)),
    };
    let mut loaded = match rules::load(true, &config.rule_dirs) {
        Ok(l) => l,
        Err(p) => panic!("{}", p.render(false)),
    };
    let problems = match config.apply(&mut loaded.rules) {
        Ok(()) => panic!("expected problems"),
        Err(p) => p,
    };
    insta::assert_snapshot!("parameter_override_out_of_range", problems.render(false));
}

#[test]
fn unknown_config_key() {
    let text = "rules: { dirs: [x] }\nparamters: {}\ngate: { fail_on: high, allow_error: true }\n";
    let problems = match Config::parse("trailguard.yaml", text, Path::new(".")) {
        Ok(_) => panic!("expected problems"),
        Err(p) => p,
    };
    insta::assert_snapshot!("unknown_config_key", problems.render(false));
}

/// Every problem carries a `file:line:col` location.
#[test]
fn every_problem_is_located() {
    let problems = match rules::load(false, &[PathBuf::from("tests/diagnostics/many-problems")]) {
        Ok(_) => panic!("expected problems"),
        Err(p) => p,
    };
    assert!(problems.problems.len() >= 8, "{}", problems.render(false));
    for p in &problems.problems {
        assert!(p.pos.is_some(), "{p}");
        assert!(
            p.to_string()
                .starts_with("tests/diagnostics/many-problems/BAD-9.yaml:"),
            "{p}"
        );
    }
}
