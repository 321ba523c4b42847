//! Embedded test cases: `tests:` of a rule, with subjects checked against the scope's types.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::fields::{self, FieldType, Kind};
use super::mapping::{CASE_KEYS, Mapping};
use super::model::TestCase;
use super::params::{ParamValue, Parameter, declared_value};
use crate::document::{Diagnostic, Key, Node, ProblemKind, SourceFile, Value, did_you_mean};
use crate::inventory::Timestamp;
use crate::vocabulary::Status;

/// The clock of a test case without `now:`.
pub const DEFAULT_TEST_NOW: &str = "2026-01-01T00:00:00Z";

/// A rule's `tests:`: at least one case, each named once, with the status it expects and a
/// subject of the scope's type. Cases with problems are reported and left out.
pub(super) fn tests(
    p: &mut Mapping<'_, '_>,
    subject_type: &FieldType,
    parameters: &BTreeMap<String, Parameter>,
) -> Vec<TestCase> {
    let mut out = Vec::new();
    let Some((key, v)) = p.get("tests") else {
        p.missing(
            "tests",
            "missing required key `tests` (at least one case)".into(),
        );
        return out;
    };
    let Some(items) = v.as_seq().filter(|i| !i.is_empty()) else {
        p.report(
            ProblemKind::InvalidTest,
            key.pos,
            "`tests` is a non-empty list of cases",
        );
        return out;
    };
    let mut names = BTreeSet::new();
    for item in items {
        let Some(entries) = item.as_map() else {
            p.report(
                ProblemKind::InvalidTest,
                item.pos,
                "a test case is a mapping `{name, expect, subject, params?, now?}`",
            );
            continue;
        };
        let mut case = Mapping {
            file: p.file,
            entries,
            problems: p.problems,
            whole: item.pos,
        };
        out.extend(test_case(&mut case, &mut names, subject_type, parameters));
    }
    out
}

/// One case; `names` are the names of the cases before it.
fn test_case(
    case: &mut Mapping<'_, '_>,
    names: &mut BTreeSet<String>,
    subject_type: &FieldType,
    parameters: &BTreeMap<String, Parameter>,
) -> Option<TestCase> {
    case.check_keys(CASE_KEYS, "test case");
    let name = case.string("name", true);
    if let Some(n) = &name
        && !names.insert(n.clone())
    {
        let pos = case.whole;
        case.report(
            ProblemKind::InvalidTest,
            pos,
            format!("two test cases are named `{n}`"),
        );
    }
    let expect = case.enumerated(
        "expect",
        ["pass", "fail", "error", "not_applicable"].into_iter(),
        Status::parse_lower,
    );
    let now = case_now(case);
    let params = case_params(case, parameters);
    let subject = case_subject(case, subject_type);
    Some(TestCase {
        name: name?,
        expect: expect?,
        subject: subject?,
        params,
        now: now?,
        pos: case.whole,
    })
}

/// `now:` of a case, [`DEFAULT_TEST_NOW`] without one.
fn case_now(case: &mut Mapping<'_, '_>) -> Option<Timestamp> {
    let Some((_, n)) = case.get("now") else {
        return Timestamp::parse(DEFAULT_TEST_NOW);
    };
    let now = n.as_str().and_then(Timestamp::parse);
    if now.is_none() {
        case.report(
            ProblemKind::InvalidTest,
            n.pos,
            "`now` is an RFC 3339 timestamp, e.g. \"2026-01-01T00:00:00Z\"",
        );
    }
    now
}

/// `params:` of a case: values of declared parameters, checked against their declarations.
fn case_params(
    case: &mut Mapping<'_, '_>,
    parameters: &BTreeMap<String, Parameter>,
) -> BTreeMap<String, ParamValue> {
    let mut params = BTreeMap::new();
    let Some((_, node)) = case.get("params") else {
        return params;
    };
    let Some(entries) = node.as_map() else {
        case.report(
            ProblemKind::InvalidTest,
            node.pos,
            "`params` maps parameter names to values",
        );
        return params;
    };
    for (key, value) in entries {
        let Some(declared) = parameters.get(&key.name) else {
            let help = did_you_mean(&key.name, parameters.keys().map(String::as_str));
            case.report(
                ProblemKind::BadParameter,
                key.pos,
                format!("the rule declares no parameter `{}`", key.name),
            )
            .help = help;
            continue;
        };
        match declared_value(value, declared) {
            Ok(v) => {
                params.insert(key.name.clone(), v);
            }
            Err(e) => {
                case.report(
                    ProblemKind::BadParameter,
                    value.pos,
                    format!("`{}`: {e}", key.name),
                );
            }
        }
    }
    params
}

/// `subject:` of a case as JSON, when it fits the scope's type.
fn case_subject(case: &mut Mapping<'_, '_>, subject_type: &FieldType) -> Option<serde_json::Value> {
    let Some((_, s)) = case.get("subject") else {
        let pos = case.whole;
        case.report(
            ProblemKind::MissingKey,
            pos,
            "a test case needs a `subject`",
        );
        return None;
    };
    let before = case.problems.len();
    check_subject(case.file, s, subject_type, "", case.problems);
    (case.problems.len() == before).then(|| s.to_json())
}

/// Checks a test subject (or part of one) against the subject type.
fn check_subject(
    file: &Arc<SourceFile>,
    node: &Node,
    t: &FieldType,
    path: &str,
    problems: &mut Vec<Diagnostic>,
) {
    if matches!(node.value, Value::Null) || check_read_error(file, node, t, path, problems) {
        return;
    }
    let at = if path.is_empty() {
        "the subject".to_owned()
    } else {
        format!("`{path}`")
    };
    let mut bad = |node: &Node, message: String, help: Option<String>| {
        problems.push(
            Diagnostic::new(ProblemKind::InvalidTest, file, node.pos, message).help_opt(help),
        );
    };
    match (&t.kind, &node.value) {
        (Kind::Any, _)
        | (Kind::Bool, Value::Bool(_))
        | (Kind::Integer, Value::Int(_))
        | (Kind::Number, Value::Int(_) | Value::Float(_))
        | (Kind::String, Value::Str(_)) => {}
        (Kind::Object(fields), Value::Map(entries)) => {
            check_object(file, fields, entries, path, &at, problems);
        }
        (Kind::Map(vt), Value::Map(entries)) => {
            for (k, v) in entries {
                check_subject(file, v, vt, &format!("{path}.{}", k.name), problems);
            }
        }
        (Kind::List(item), Value::Seq(items)) => {
            for i in items {
                check_subject(file, i, item, &format!("{path}[]"), problems);
            }
        }
        (Kind::Timestamp, Value::Str(s)) => {
            if Timestamp::parse(s).is_none() {
                let message = format!("{at} is a timestamp; `{s}` is not RFC 3339");
                bad(node, message, None);
            }
        }
        (Kind::Enum(values), Value::Str(s)) => {
            if !values.contains(s) {
                let help = did_you_mean(s, values.iter().map(String::as_str));
                bad(node, format!("{at} is one of: {}", values.join(", ")), help);
            }
        }
        (kind, _) => {
            let message = format!("{at} is a {kind}, found {}", node.type_name());
            bad(node, message, None);
        }
    }
}

/// A failed read where the type allows one: `{error}` for a collected value or a list, or
/// `{items, error}` for a partly read list. Checks its parts; false when the node is not one.
fn check_read_error(
    file: &Arc<SourceFile>,
    node: &Node,
    t: &FieldType,
    path: &str,
    problems: &mut Vec<Diagnostic>,
) -> bool {
    let Some(entries) = node.as_map() else {
        return false;
    };
    let has = |name: &str| entries.iter().any(|(k, _)| k.name == name);
    let is_list = matches!(t.kind, Kind::List(_));
    let is_error = entries.len() == 1 && has("error");
    let is_partial = entries.len() == 2 && has("error") && has("items");
    if !((is_error && (t.collected || is_list)) || (is_partial && is_list)) {
        return false;
    }
    for (k, v) in entries {
        let sub = child_path(path, &k.name);
        if k.name == "error" {
            check_subject(file, v, fields::collect_error(), &sub, problems);
        } else {
            check_subject(file, v, t, &sub, problems);
        }
    }
    true
}

/// The fields of an object, each against its type; an unknown field is a problem.
fn check_object(
    file: &Arc<SourceFile>,
    fields: &BTreeMap<String, FieldType>,
    entries: &[(Key, Node)],
    path: &str,
    at: &str,
    problems: &mut Vec<Diagnostic>,
) {
    for (k, v) in entries {
        match fields.get(&k.name) {
            Some(ft) => check_subject(file, v, ft, &child_path(path, &k.name), problems),
            None => {
                let help = did_you_mean(&k.name, fields.keys().map(String::as_str));
                problems.push(
                    Diagnostic::new(
                        ProblemKind::InvalidTest,
                        file,
                        k.pos,
                        format!("`{}` is not a field of {at}", k.name),
                    )
                    .help_opt(help),
                );
            }
        }
    }
}

/// `path.name`, or `name` at the top.
fn child_path(path: &str, name: &str) -> String {
    if path.is_empty() {
        name.to_owned()
    } else {
        format!("{path}.{name}")
    }
}
