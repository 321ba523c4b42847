//! The language's load-time checks, one table row per mistake a rule author can make: each
//! snippet must be rejected with the right problem kind (and valid ones accepted).

use trailguard::rules::{self, ProblemKind};

fn rule(scope: &str, extra: &str, check: &str, tests: &str) -> String {
    format!(
        "id: T-1\ntitle: t\nseverity: low\nscope: {scope}\nrationale: r\nremediation: {{ text: x }}\n{extra}check: {check}\nmessage: m\ntests:\n{tests}"
    )
}

const TESTS: &str = "  - { name: n, expect: pass, subject: {} }\n";

fn kinds(text: &str) -> Vec<ProblemKind> {
    match rules::parse_str("T-1.yaml", text) {
        Ok(_) => Vec::new(),
        Err(p) => p.problems.iter().map(|d| d.kind).collect(),
    }
}

#[test]
fn conditions_are_checked_against_types() {
    use ProblemKind::*;
    let cases: &[(&str, &str, &[ProblemKind])] = &[
        ("trail", "{path: status.is_logging, equals: true}", &[]),
        (
            "trail",
            "{path: status.is_logging, equals: yes}",
            &[InvalidValue],
        ),
        ("trail", "{path: status.is_logging, gt: 1}", &[OperatorType]),
        (
            "trail",
            "{path: status.is_loging, equals: true}",
            &[UnknownPath],
        ),
        ("trail", "{path: status, equals: true}", &[OperatorType]),
        ("trail", "{path: name, matches: '('}", &[InvalidRegex]),
        (
            "trail",
            "{path: event_selectors.kind, equals: advancd}",
            &[InvalidValue],
        ),
        (
            "trail",
            "{path: event_selectors.kind, one_of: [classic, advanced]}",
            &[],
        ),
        ("trail", "{path: tags.Owner, equals: team}", &[]),
        (
            "trail",
            "{path: seen_from_regions, contains: us-east-1}",
            &[],
        ),
        (
            "trail",
            "{path: seen_from_regions.region, equals: x}",
            &[UnknownPath],
        ),
        (
            "trail",
            "{path: status.latest_delivery_time, gte: {now_minus: 24h}}",
            &[],
        ),
        (
            "trail",
            "{path: status.latest_delivery_time, gte: {now_minus: 24 hours}}",
            &[InvalidValue],
        ),
        (
            "trail",
            "{path: status.latest_delivery_time, equals: {now_minus: 24h}}",
            &[OperatorType],
        ),
        (
            "trail",
            "{path: status.latest_delivery_time, gte: yesterday}",
            &[InvalidValue],
        ),
        (
            "trail",
            "{path: bucket.object_lock.default_retention.period_days, gte: 365}",
            &[],
        ),
        (
            "trail",
            "{path: bucket.object_lock.default_retention.period_days, gte: '365'}",
            &[InvalidValue],
        ),
        (
            "trail",
            "{path: name, equals: a, not_equals: b}",
            &[InvalidValue],
        ),
        ("trail", "{path: name}", &[MissingKey]),
        ("trail", "{path: name, equls: a}", &[UnknownKey]),
        ("trail", "{all: []}", &[InvalidValue]),
        (
            "trail",
            "{alll: [{path: name, exists: true}]}",
            &[UnknownKey],
        ),
        (
            "trail",
            "{not: {path: name, exists: true}, any: [{path: name, exists: true}]}",
            &[InvalidValue],
        ),
        (
            "account",
            "{any: {in: trails, where: {path: is_multi_region, equals: true}}}",
            &[],
        ),
        (
            "account",
            "{any: {in: trails, where: {path: is_multi_region, equals: true}, if_empty: pass}}",
            &[UnknownKey],
        ),
        (
            "account",
            "{all: {in: trails, where: {path: is_multi_region, equals: true}}}",
            &[MissingIfEmpty],
        ),
        (
            "account",
            "{none: {in: trails, where: {path: is_multi_region, equals: true}}}",
            &[MissingIfEmpty],
        ),
        (
            "account",
            "{all: {in: trails, where: {path: is_multi_region, equals: true}, if_empty: skip}}",
            &[InvalidValue],
        ),
        (
            "account",
            "{all: {in: trails, where: {path: is_multi_region, equals: true}, if_empty: pass, at_least: 2}}",
            &[UnknownKey],
        ),
        (
            "account",
            "{any: {in: trails, where: {path: is_multi_region, equals: true}, at_least: 0}}",
            &[InvalidValue],
        ),
        (
            "account",
            "{any: {in: enabled_regions, where: {path: x, equals: y}}}",
            &[OperatorType],
        ),
        (
            "account",
            "{any: {in: account_id, where: {path: x, equals: y}}}",
            &[OperatorType],
        ),
        (
            "account",
            "{any: {in: trails, where: {path: status.is_logging, equals: true}}}",
            &[],
        ),
        (
            "account",
            "{any: {in: trails, where: {path: trails, exists: true}}}",
            &[UnknownPath],
        ),
        (
            "account",
            "{any: {in: trails, where: {any: {in: event_selectors.data, where: {path: write.all_resources, equals: true}}}}}",
            &[],
        ),
        (
            "region",
            "{any: {in: trails, where: {path: status.is_logging, equals: true}}}",
            &[],
        ),
        (
            "region",
            "{path: account.organization.management_account_id, exists: true}",
            &[],
        ),
        (
            "bucket",
            "{path: public_access_block.block_public_acls, equals: true}",
            &[],
        ),
        ("key", "{path: metadata.state, equals: Enabled}", &[]),
        ("key", "{path: rotation_enabled, equals: true}", &[]),
    ];
    for (scope, check, want) in cases {
        let got = kinds(&rule(scope, "", check, TESTS));
        assert_eq!(&got, want, "{scope}: {check}");
    }
}

#[test]
fn parameters_are_declared_typed_and_used() {
    use ProblemKind::*;
    let decl = |t: &str, d: &str| {
        format!("parameters:\n  p: {{ type: {t}, default: {d}, description: d }}\n")
    };
    let cases: Vec<(String, &str, &[ProblemKind])> = vec![
        (
            decl("integer", "365"),
            "{path: bucket.object_lock.default_retention.period_days, gte: {param: p}}",
            &[],
        ),
        (
            decl("integer", "'365'"),
            "{path: bucket.object_lock.default_retention.period_days, gte: {param: p}}",
            &[BadParameter],
        ),
        (
            decl("string", "x"),
            "{path: bucket.object_lock.default_retention.period_days, gte: {param: p}}",
            &[BadParameter],
        ),
        (
            decl("integer", "1"),
            "{path: name, exists: true}",
            &[BadParameter],
        ),
        (
            String::new(),
            "{path: name, equals: {param: p}}",
            &[BadParameter],
        ),
        (decl("bool", "true"), "{param: p, equals: true}", &[]),
        (
            decl("bool", "true"),
            "{param: q, equals: true}",
            &[BadParameter, BadParameter],
        ),
        (
            decl("duration", "24h"),
            "{path: status.latest_delivery_time, gte: {now_minus: {param: p}}}",
            &[],
        ),
        (
            decl("duration", "1 day"),
            "{path: status.latest_delivery_time, gte: {now_minus: {param: p}}}",
            &[BadParameter],
        ),
        (
            decl("duration", "24h"),
            "{param: p, equals: true}",
            &[BadParameter],
        ),
        (
            decl("string_list", "['111111111111']"),
            "{path: owner_account, one_of: {param: p}}",
            &[],
        ),
        (
            decl("string_list", "[111111111111]"),
            "{path: owner_account, one_of: {param: p}}",
            &[BadParameter],
        ),
        (
            decl("float", "1"),
            "{path: name, exists: true}",
            &[InvalidValue],
        ),
        (
            "parameters:\n  P: { type: bool, default: true, description: d }\n".to_owned(),
            "{path: name, exists: true}",
            &[BadParameter],
        ),
    ];
    for (extra, check, want) in cases {
        let got = kinds(&rule("trail", &extra, check, TESTS));
        assert_eq!(&got, want, "{extra}{check}");
    }
}

#[test]
fn metadata_and_test_cases_are_strict() {
    use ProblemKind::*;
    let ok = "{path: name, exists: true}";
    assert_eq!(
        kinds(&rule(
            "trail",
            "frameworks:\n  cis-aws-foundations-v5.0.0: [3.1]\n",
            ok,
            TESTS
        )),
        [InvalidValue]
    );
    assert_eq!(
        kinds(&rule(
            "trail",
            "frameworks:\n  cis-aws-foundations-v5.0.0: [\"3.1\"]\n",
            ok,
            TESTS
        )),
        []
    );
    assert_eq!(
        kinds(&rule(
            "trail",
            "frameworks:\n  nist-800-53: [\"AU-2\"]\n",
            ok,
            TESTS
        )),
        [UnknownFramework]
    );
    assert_eq!(kinds(&rule("galaxy", "", ok, TESTS)), [InvalidValue]);
    assert_eq!(
        kinds(&rule(
            "trail",
            "",
            ok,
            "  - { name: n, expect: passes, subject: {} }\n"
        )),
        [InvalidValue]
    );
    assert_eq!(
        kinds(&rule(
            "trail",
            "",
            ok,
            "  - { name: n, expect: pass, subject: { nmae: x } }\n"
        )),
        [InvalidTest]
    );
    assert_eq!(
        kinds(&rule(
            "trail",
            "",
            ok,
            "  - { name: n, expect: pass, subject: { is_multi_region: 1 } }\n"
        )),
        [InvalidTest]
    );
    assert_eq!(
        kinds(&rule(
            "trail",
            "",
            ok,
            "  - { name: n, expect: pass, subject: { status: { error: { operation: x, kind: denied } } } }\n"
        )),
        [InvalidTest]
    );
    assert_eq!(
        kinds(&rule(
            "trail",
            "",
            ok,
            "  - { name: n, expect: pass, subject: { status: { error: { operation: x, kind: access_denied } } } }\n"
        )),
        []
    );
    assert_eq!(
        kinds(&rule(
            "trail",
            "",
            ok,
            "  - { name: n, expect: pass, now: soon, subject: {} }\n"
        )),
        [InvalidTest]
    );
    assert_eq!(
        kinds(&rule(
            "trail",
            "",
            ok,
            "  - { name: n, expect: pass, params: { p: 1 }, subject: {} }\n"
        )),
        [BadParameter]
    );
    assert_eq!(
        kinds(&rule(
            "trail",
            "",
            ok,
            "  - { name: n, expect: pass, subject: {} }\n  - { name: n, expect: fail, subject: {} }\n"
        )),
        [InvalidTest]
    );
    let wrong_name = rule("trail", "", ok, TESTS);
    match rules::parse_str("OTHER.yaml", &wrong_name) {
        Ok(_) => panic!("file name must match the id"),
        Err(p) => assert_eq!(p.problems[0].kind, FileName),
    }
    assert!(rules::parse_str("T-1-a-slug.yaml", &wrong_name).is_ok());
    let bad_id = wrong_name.replace("id: T-1", "id: t_1");
    assert_eq!(kinds(&bad_id), [InvalidValue]);
}

#[test]
fn parameter_ranges_bound_defaults_and_test_case_values() {
    use ProblemKind::*;
    const DAYS: &str = "{path: bucket.object_lock.default_retention.period_days, gte: {param: p}}";
    const AGE: &str = "{path: status.latest_delivery_time, gte: {now_minus: {param: p}}}";
    let decl = |fields: &str| format!("parameters:\n  p: {{ {fields}, description: d }}\n");
    let case = |params: &str| {
        format!("  - {{ name: n, expect: pass, params: {params}, subject: {{}} }}\n")
    };
    let cases: Vec<(String, &str, String, &[ProblemKind])> = vec![
        (
            decl("type: integer, default: 365, minimum: 1"),
            DAYS,
            TESTS.into(),
            &[],
        ),
        (
            decl("type: integer, default: 0, minimum: 1"),
            DAYS,
            TESTS.into(),
            &[BadParameter],
        ),
        (
            decl("type: integer, default: -1, minimum: 1"),
            DAYS,
            TESTS.into(),
            &[BadParameter],
        ),
        (
            decl("type: integer, default: 5, maximum: 4"),
            DAYS,
            TESTS.into(),
            &[BadParameter],
        ),
        (
            decl("type: integer, default: 5, minimum: 1, maximum: 10"),
            DAYS,
            TESTS.into(),
            &[],
        ),
        (
            decl("type: integer, default: 5, minimum: 9, maximum: 3"),
            DAYS,
            TESTS.into(),
            &[BadParameter],
        ),
        (
            decl("type: integer, default: 5, minimum: 1h"),
            DAYS,
            TESTS.into(),
            &[BadParameter],
        ),
        (
            decl("type: duration, default: 24h, minimum: 1h"),
            AGE,
            TESTS.into(),
            &[],
        ),
        (
            decl("type: duration, default: 30m, minimum: 1h"),
            AGE,
            TESTS.into(),
            &[BadParameter],
        ),
        (
            decl("type: duration, default: 24h, maximum: 1d"),
            AGE,
            TESTS.into(),
            &[],
        ),
        (
            decl("type: duration, default: 25h, maximum: 1d"),
            AGE,
            TESTS.into(),
            &[BadParameter],
        ),
        (
            decl("type: bool, default: true, minimum: 1"),
            "{param: p, equals: true}",
            TESTS.into(),
            &[BadParameter],
        ),
        // Test-case values are held to the same range as the default.
        (
            decl("type: integer, default: 365, minimum: 1"),
            DAYS,
            case("{ p: 30 }"),
            &[],
        ),
        (
            decl("type: integer, default: 365, minimum: 1"),
            DAYS,
            case("{ p: 0 }"),
            &[BadParameter],
        ),
        (
            decl("type: duration, default: 24h, minimum: 1h"),
            AGE,
            case("{ p: 0h }"),
            &[BadParameter],
        ),
        // Durations are never negative: the syntax has no sign.
        (
            decl("type: duration, default: 24h"),
            AGE,
            case("{ p: -1h }"),
            &[BadParameter],
        ),
    ];
    for (extra, check, tests, want) in cases {
        let got = kinds(&rule("trail", &extra, check, &tests));
        assert_eq!(&got, want, "{extra}{check}\n{tests}");
    }
    // The problem is at the default, and says the range.
    let text = rule(
        "trail",
        &decl("type: integer, default: -1, minimum: 1"),
        DAYS,
        TESTS,
    );
    let problems = match rules::parse_str("T-1.yaml", &text) {
        Ok(_) => panic!("accepted"),
        Err(p) => p.problems,
    };
    let shown = problems[0].to_string();
    assert!(
        shown.starts_with("T-1.yaml:8:32: default of `p`: -1 is below the parameter's minimum 1"),
        "{shown}"
    );
}

#[test]
fn odd_files_are_problems_not_panics() {
    let inputs = [
        "",
        "---\n",
        "- a\n- b\n",
        "just a string",
        "id: T-1\n\ttitle: x\n",
        "id: [T-1]\ntitle: {a: b}\nseverity: [high]\nscope: {}\ncheck: []\ntests: {}\n",
        "id: T-1\ncheck: {path: [a], equals: {param: [x]}}\n",
        "id: T-1\ncheck: {any: {in: [trails], where: 3}}\n",
        "id: T-1\ncheck: {path: \"ünïcödé.pâth\", equals: 1}\nscope: trail\n",
        "id: T-1\nparameters: {p: 3, q: {type: [x]}}\n",
        "id: T-1\ntests: [1, {name: [x], subject: 3, params: 4, now: 5}]\nscope: account\n",
        "&a [*a]",
    ];
    for input in inputs {
        let result = rules::parse_str("T-1.yaml", input);
        match result {
            Ok(_) => panic!("accepted: {input:?}"),
            Err(p) => {
                assert!(!p.problems.is_empty(), "{input:?}");
                let _ = p.render(false);
            }
        }
    }
}

/// `remediation.filter_pattern` is pasted into metric filters as is, so a pattern that does not
/// parse, or a term pattern that cannot match CloudTrail's JSON fields, is a load error at its
/// place; a JSON pattern loads (`rules explain CT-F05`'s snapshot shows one).
#[test]
fn a_remediation_filter_pattern_must_be_a_json_pattern() {
    let with = |pattern: &str| {
        rule("trail", "", "{path: is_multi_region, equals: true}", TESTS).replace(
            "remediation: { text: x }",
            &format!("remediation: {{ text: x, filter_pattern: {pattern} }}"),
        )
    };
    let good = with("'{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) }'");
    let loaded = rules::parse_str("T-1.yaml", &good).expect("a JSON pattern loads");
    assert_eq!(
        loaded.remediation.filter_pattern.as_deref(),
        Some("{ ($.eventName = StopLogging) || ($.eventName = DeleteTrail) }")
    );
    for bad in ["'{ $.eventName = }'", "StopLogging", "'[a, b'"] {
        let err = rules::parse_str("T-1.yaml", &with(bad)).expect_err(bad);
        let d = &err.problems[0];
        assert_eq!(
            (d.kind, d.pos.map(|p| p.line)),
            (ProblemKind::InvalidValue, Some(6)),
            "{bad}: {}",
            d.message
        );
        assert!(d.message.starts_with("`filter_pattern` "), "{}", d.message);
    }
}

/// `allowed:` values of a string parameter: the default, a test case's `params:` and a config
/// override outside them are each an error at their own `file:line:col`, listing the values.
#[test]
fn allowed_values_bound_defaults_test_cases_and_overrides() {
    const CHECK: &str =
        "{ any: [ { param: mode, equals: semantic }, { param: mode, equals: exact } ] }";
    let decl = |default: &str| {
        format!(
            "parameters:\n  mode: {{ type: string, default: {default}, allowed: [semantic, exact], description: d }}\n"
        )
    };
    let case = |mode: &str| {
        format!("  - {{ name: n, expect: pass, params: {{ mode: {mode} }}, subject: {{}} }}\n")
    };
    let problems = |text: &str| match rules::parse_str("T-1.yaml", text) {
        Ok(_) => Vec::new(),
        Err(p) => p
            .problems
            .iter()
            .map(|d| format!("{:?} {} {}", d.kind, d.location(), d.message))
            .collect::<Vec<_>>(),
    };
    assert_eq!(
        problems(&rule("account", &decl("semantic"), CHECK, &case("exact"))),
        Vec::<String>::new()
    );
    let bad_default = problems(&rule("account", &decl("semantik"), CHECK, TESTS));
    assert_eq!(bad_default.len(), 1, "{bad_default:?}");
    assert!(bad_default[0].starts_with("BadParameter T-1.yaml:8:34 default of `mode`: `semantik` is not an allowed value (allowed: semantic, exact); did you mean `semantic`?"), "{bad_default:?}");
    let bad_case = problems(&rule("account", &decl("semantic"), CHECK, &case("exakt")));
    assert_eq!(bad_case.len(), 1, "{bad_case:?}");
    assert!(bad_case[0].starts_with("BadParameter T-1.yaml:12:46 `mode`: `exakt` is not an allowed value (allowed: semantic, exact); did you mean `exact`?"), "{bad_case:?}");
    // `allowed` belongs to string and string_list parameters, and is a non-empty list.
    let on_bool =
        "parameters:\n  mode: { type: bool, default: true, allowed: [a], description: d }\n";
    assert_eq!(
        kinds(&rule(
            "account",
            on_bool,
            "{ param: mode, equals: true }",
            TESTS
        )),
        [ProblemKind::BadParameter]
    );
    let empty = "parameters:\n  mode: { type: string, default: a, allowed: [], description: d }\n";
    assert_eq!(
        kinds(&rule("account", empty, "{ param: mode, equals: a }", TESTS)),
        [ProblemKind::BadParameter]
    );
    // Each element of a string list.
    let list = "parameters:\n  modes: { type: string_list, default: [a, c], allowed: [a, b], description: d }\n";
    let listed = problems(&rule(
        "account",
        list,
        "{ path: account_id, one_of: { param: modes } }",
        TESTS,
    ));
    assert!(
        listed.len() == 1 && listed[0].contains("`c` is not an allowed value (allowed: a, b)"),
        "{listed:?}"
    );
    // A config override, at its line in the config file.
    let mut set = rules::RuleSet::new(vec![
        rules::parse_str(
            "T-1.yaml",
            &rule("account", &decl("semantic"), CHECK, TESTS),
        )
        .expect("loads"),
    ]);
    let text = "T-1:\n  mode: exakt\n";
    let file = std::sync::Arc::new(rules::SourceFile {
        name: "trailguard.yaml".into(),
        text: text.into(),
    });
    let node = rules::yaml::parse(text).expect("yaml");
    let mut found = Vec::new();
    rules::apply_overrides(&mut set, &file, node.as_map().expect("map"), &mut found);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].location(), "trailguard.yaml:2:9");
    assert!(
        found[0].message.contains(
            "`exakt` is not an allowed value (allowed: semantic, exact); did you mean `exact`?"
        ),
        "{}",
        found[0].message
    );
}
