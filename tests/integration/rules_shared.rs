//! Shared conditions (`conditions/NAME.yaml`, used as `{ use: NAME }`): expanded where they are
//! used and judged exactly like the same condition written inline, their parameters inherited
//! by the rules that use them, and every misuse a load error at `file:line:col`.

use std::path::{Path, PathBuf};

use trailguard::evaluate::run_tests;
use trailguard::rules::{self, ProblemKind, Problems};

use crate::support::cli::{code, run, stderr, stdout};

/// A fresh rules folder of this test process's own, holding `files` (relative path, text).
fn folder(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "trailguard-rules-shared-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    for (path, text) in files {
        let path = dir.join(path);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("scratch dir");
        std::fs::write(&path, text).expect("write a rule file");
    }
    dir
}

fn load(dir: &Path) -> Result<rules::RuleSet, Problems> {
    rules::load(false, &[dir.to_path_buf()]).map(|l| l.rules)
}

fn problems(dir: &Path) -> Vec<String> {
    match load(dir) {
        Ok(_) => panic!("{} should not load", dir.display()),
        Err(p) => p
            .problems
            .iter()
            .map(|d| format!("{:?} {} {}", d.kind, d.location(), d.message))
            .collect(),
    }
}

/// A trail condition with a mode parameter, as `rules/conditions/` would hold one.
const LOGGING: &str = "condition: logging_trail
description: the trail is multi-region and, unless `lenient`, logging.
element: trail
parameters:
  lenient: { type: bool, default: false, description: accept a stopped trail }
check:
  all:
    - { path: is_multi_region, equals: true }
    - any:
        - { param: lenient, equals: true }
        - { path: status.is_logging, equals: true }
";

fn rule(id: &str, extra: &str, check: &str, tests: &str) -> String {
    format!(
        "id: {id}\ntitle: t\nseverity: low\nscope: account\nrationale: r\nremediation: {{ text: x }}\n{extra}check: {check}\nmessage: m\ntests:\n{tests}"
    )
}

const INLINE: &str = "{ any: { in: trails, where: { all: [ { path: is_multi_region, equals: true }, { any: [ { param: lenient, equals: true }, { path: status.is_logging, equals: true } ] } ] } } }";
const USED: &str = "{ any: { in: trails, where: { use: logging_trail } } }";
const LENIENT: &str =
    "parameters:\n  lenient: { type: bool, default: false, description: accept a stopped trail }\n";

/// Subjects, each with the status the condition gives it by default and with `lenient`.
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "logging multi-region",
        "{ trails: [ { is_multi_region: true, status: { is_logging: true } } ] }",
        "pass",
        "pass",
    ),
    (
        "stopped multi-region",
        "{ trails: [ { is_multi_region: true, status: { is_logging: false } } ] }",
        "fail",
        "pass",
    ),
    (
        "regional",
        "{ trails: [ { is_multi_region: false, status: { is_logging: true } } ] }",
        "fail",
        "fail",
    ),
    (
        "status unreadable",
        "{ trails: [ { is_multi_region: true, status: { error: { operation: 'cloudtrail:GetTrailStatus', kind: access_denied } } } ] }",
        "error",
        "pass",
    ),
    ("no trails", "{ trails: [] }", "fail", "fail"),
];

fn cases() -> String {
    CASES
        .iter()
        .flat_map(|(name, subject, default, lenient)| {
            [
                format!("  - {{ name: '{name}', expect: {default}, subject: {subject} }}\n"),
                format!("  - {{ name: '{name}, lenient', expect: {lenient}, params: {{ lenient: true }}, subject: {subject} }}\n"),
            ]
        })
        .collect()
}

#[test]
fn a_used_condition_is_judged_like_the_same_condition_inline() {
    let dir = folder(
        "inline",
        &[
            ("conditions/logging_trail.yaml", LOGGING),
            ("U-1.yaml", &rule("U-1", "", USED, &cases())),
            ("I-1.yaml", &rule("I-1", LENIENT, INLINE, &cases())),
        ],
    );
    let set = load(&dir).unwrap_or_else(|p| panic!("{}", p.render(false)));
    // The condition file is not a rule.
    let ids: Vec<&str> = set.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids, ["I-1", "U-1"]);
    let used = run_tests(set.get("U-1").expect("U-1"));
    let inline = run_tests(set.get("I-1").expect("I-1"));
    assert_eq!(used.len(), 2 * CASES.len());
    for (u, i) in used.iter().zip(&inline) {
        assert!(
            u.passed(),
            "{}: expected {}, got {}",
            u.name,
            u.expected,
            u.verdict.status
        );
        assert_eq!(u.verdict.status, i.verdict.status, "{}", u.name);
        assert_eq!(u.verdict.message, i.verdict.message, "{}", u.name);
        assert_eq!(
            format!("{:?}", u.verdict.evidence),
            format!("{:?}", i.verdict.evidence)
        );
    }
    // The inherited parameter is the rule's, as if it declared it itself.
    let param = &set.get("U-1").expect("U-1").parameters["lenient"];
    assert_eq!(param.description, "accept a stopped trail");
    let o = run(&[
        "rules",
        "list",
        "--no-builtin",
        "--rules",
        dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!stdout(&o).contains("logging_trail"), "{}", stdout(&o));
    let o = run(&["rules", "test", dir.to_str().expect("utf-8")]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
}

#[test]
fn inherited_parameters_are_overridden_by_config_and_explained() {
    let dir = folder(
        "inherit",
        &[
            ("conditions/logging_trail.yaml", LOGGING),
            ("U-1.yaml", &rule("U-1", "", USED, &cases())),
        ],
    );
    let mut set = load(&dir).unwrap_or_else(|p| panic!("{}", p.render(false)));
    let config = rules::yaml::parse("U-1: { lenient: true }\n").expect("yaml");
    let file = std::sync::Arc::new(rules::SourceFile {
        name: "trailguard.yaml".into(),
        text: "U-1: { lenient: true }\n".into(),
    });
    let mut found = Vec::new();
    rules::apply_overrides(
        &mut set,
        &file,
        config.as_map().expect("a mapping"),
        &mut found,
    );
    assert!(found.is_empty(), "{found:?}");
    let rule = set.get("U-1").expect("U-1");
    assert_eq!(
        rule.param_values()["lenient"],
        rules::ParamValue::Bool(true)
    );
    let o = run(&[
        "rules",
        "explain",
        "U-1",
        "--no-builtin",
        "--rules",
        dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    assert!(
        text.contains("lenient (bool, default false, in force false): accept a stopped trail"),
        "{text}"
    );
    assert!(
        text.contains("shared condition `logging_trail` ("),
        "{text}"
    );
    assert!(text.contains("`status.is_logging` equals true"), "{text}");
}

#[test]
fn the_builtin_pack_shares_the_qualifying_trail_condition() {
    let pack = rules::load_builtin().unwrap_or_else(|p| panic!("{}", p.render(false)));
    let a02 = pack.get("CT-A02").expect("CT-A02");
    let names: Vec<&str> = a02.parameters.keys().map(String::as_str).collect();
    assert_eq!(names, ["accept_organization_trail", "strict_cis"]);
    assert!(matches!(
        &a02.check,
        rules::Condition::Quantified(q) if matches!(&q.condition, rules::Condition::Use(u) if u.name == "qualifying_trail")
    ));
    assert!(
        pack.get("CT-A06")
            .expect("CT-A06")
            .parameters
            .contains_key("strict_cis")
    );
    assert!(pack.iter().all(|r| !r.id.contains("qualifying")));
}

#[test]
fn a_condition_used_on_the_wrong_element_type_names_both_places() {
    let dir = folder(
        "element",
        &[
            ("conditions/logging_trail.yaml", LOGGING),
            (
                "U-1.yaml",
                &rule(
                    "U-1",
                    "",
                    "{ use: logging_trail }",
                    "  - { name: n, expect: pass, subject: {} }\n",
                ),
            ),
        ],
    );
    let found = problems(&dir);
    assert_eq!(found.len(), 1, "{found:#?}");
    assert!(found[0].starts_with("ElementType "), "{found:?}");
    assert!(found[0].contains("U-1.yaml:7:15"), "{found:?}");
    assert!(found[0].contains("logging_trail.yaml:3:10"), "{found:?}");
    assert!(
        found[0].contains("written for a `trail`") && found[0].contains("on an `account`"),
        "{found:?}"
    );
}

#[test]
fn an_unknown_condition_is_an_error_with_a_suggestion() {
    let dir = folder(
        "unknown",
        &[
            ("conditions/logging_trail.yaml", LOGGING),
            (
                "U-1.yaml",
                &rule(
                    "U-1",
                    "",
                    "{ any: { in: trails, where: { use: loging_trail } } }",
                    "  - { name: n, expect: pass, subject: {} }\n",
                ),
            ),
        ],
    );
    match load(&dir) {
        Ok(_) => panic!("an unknown condition loads"),
        Err(p) => {
            let d = &p.problems[0];
            assert_eq!(d.kind, ProblemKind::UnknownCondition, "{}", p.render(false));
            assert_eq!(d.help.as_deref(), Some("did you mean `logging_trail`?"));
            assert!(d.location().ends_with("U-1.yaml:7:43"), "{}", d.location());
        }
    }
}

#[test]
fn conditions_that_use_each_other_are_a_cycle() {
    let cond = |name: &str, other: &str| {
        format!(
            "condition: {name}\ndescription: d\nelement: trail\ncheck: {{ any: [ {{ path: is_multi_region, equals: true }}, {{ use: {other} }} ] }}\n"
        )
    };
    let dir = folder(
        "cycle",
        &[
            ("conditions/a.yaml", &cond("a", "b")),
            ("conditions/b.yaml", &cond("b", "a")),
        ],
    );
    let found = problems(&dir);
    assert!(!found.is_empty());
    assert!(
        found.iter().all(|f| f.starts_with("ConditionCycle ")),
        "{found:#?}"
    );
    assert!(found.iter().any(|f| f.contains("a → b → a")), "{found:#?}");
}

#[test]
fn a_parameter_declared_with_another_type_is_a_conflict_at_its_declaration() {
    let own = "parameters:\n  lenient: { type: integer, default: 1, description: d }\n";
    let check = "{ all: [ { param: lenient, gte: 0 }, { any: { in: trails, where: { use: logging_trail } } } ] }";
    let dir = folder(
        "conflict",
        &[
            ("conditions/logging_trail.yaml", LOGGING),
            (
                "U-1.yaml",
                &rule(
                    "U-1",
                    own,
                    check,
                    "  - { name: n, expect: pass, subject: {} }\n",
                ),
            ),
        ],
    );
    let found = problems(&dir);
    assert!(
        found.iter().any(|f| f.starts_with("BadParameter ")
            && f.contains("U-1.yaml:8:3")
            && f.contains("is an integer here, but condition `logging_trail`")
            && f.contains("a bool")),
        "{found:#?}"
    );
}

#[test]
fn a_parameter_of_the_same_name_and_type_keeps_the_rules_declaration() {
    let own = "parameters:\n  lenient: { type: bool, default: true, description: mine }\n";
    let subject = "{ trails: [ { is_multi_region: true, status: { is_logging: false } } ] }";
    let tests = format!("  - {{ name: n, expect: pass, subject: {subject} }}\n");
    let dir = folder(
        "same",
        &[
            ("conditions/logging_trail.yaml", LOGGING),
            ("U-1.yaml", &rule("U-1", own, USED, &tests)),
        ],
    );
    let set = load(&dir).unwrap_or_else(|p| panic!("{}", p.render(false)));
    let rule = set.get("U-1").expect("U-1");
    assert_eq!(rule.parameters["lenient"].description, "mine");
    assert!(run_tests(rule).iter().all(|c| c.passed()));
}

#[test]
fn rules_explain_lists_allowed_values() {
    let decl = "parameters:\n  mode: { type: string, default: semantic, allowed: [semantic, exact], description: how }\n";
    let check = "{ any: [ { param: mode, equals: semantic }, { param: mode, equals: exact } ] }";
    let dir = folder(
        "allowed",
        &[(
            "A-1.yaml",
            &rule(
                "A-1",
                decl,
                check,
                "  - { name: n, expect: pass, subject: {} }\n",
            ),
        )],
    );
    let o = run(&[
        "rules",
        "explain",
        "A-1",
        "--no-builtin",
        "--rules",
        dir.to_str().expect("utf-8"),
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stdout(&o).contains(
            "mode (string, default semantic, allowed: semantic | exact, in force semantic): how"
        ),
        "{}",
        stdout(&o)
    );
}
