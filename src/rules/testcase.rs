//! Embedded test cases: `tests:` of a rule, with subjects checked against the scope's types.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::inventory::Timestamp;
use crate::vocabulary::Status;

use super::fields::{self, FieldType, Kind};
use super::model::{Parameter, TestCase};
use super::params::declared_value;
use super::parse::{DEFAULT_TEST_NOW, Fields};
use crate::document::{Diagnostic, Node, ProblemKind, SourceFile, Value, did_you_mean};

impl Fields<'_, '_> {
    pub(super) fn tests(
        &mut self,
        subject_type: &FieldType,
        parameters: &BTreeMap<String, Parameter>,
    ) -> Vec<TestCase> {
        let mut out = Vec::new();
        let Some((key, v)) = self.get("tests") else {
            self.missing(
                "tests",
                "missing required key `tests` (at least one case)".into(),
            );
            return out;
        };
        let Some(items) = v.as_seq().filter(|i| !i.is_empty()) else {
            self.report(
                ProblemKind::InvalidTest,
                key.pos,
                "`tests` is a non-empty list of cases",
            );
            return out;
        };
        let mut names = BTreeSet::new();
        let default_now = Timestamp::parse(DEFAULT_TEST_NOW);
        for item in items {
            let Some(entries) = item.as_map() else {
                self.report(
                    ProblemKind::InvalidTest,
                    item.pos,
                    "a test case is a mapping `{name, expect, subject, params?, now?}`",
                );
                continue;
            };
            let mut sub = Fields {
                file: self.file,
                entries,
                problems: self.problems,
                whole: item.pos,
            };
            sub.check_keys(&["name", "expect", "subject", "params", "now"], "test case");
            let name = sub.string("name", true);
            if let Some(n) = &name
                && !names.insert(n.clone())
            {
                let pos = item.pos;
                sub.report(
                    ProblemKind::InvalidTest,
                    pos,
                    format!("two test cases are named `{n}`"),
                );
            }
            let expect = sub.enumerated(
                "expect",
                ["pass", "fail", "error", "not_applicable"].into_iter(),
                Status::parse_lower,
            );
            let now = match sub.get("now") {
                None => default_now,
                Some((_, n)) => match n.as_str().and_then(Timestamp::parse) {
                    Some(t) => Some(t),
                    None => {
                        sub.report(
                            ProblemKind::InvalidTest,
                            n.pos,
                            "`now` is an RFC 3339 timestamp, e.g. \"2026-01-01T00:00:00Z\"",
                        );
                        None
                    }
                },
            };
            let mut params = BTreeMap::new();
            if let Some((_, pnode)) = sub.get("params") {
                match pnode.as_map() {
                    None => {
                        sub.report(
                            ProblemKind::InvalidTest,
                            pnode.pos,
                            "`params` maps parameter names to values",
                        );
                    }
                    Some(pentries) => {
                        for (pk, pv) in pentries {
                            match parameters.get(&pk.name) {
                                None => {
                                    let help = did_you_mean(
                                        &pk.name,
                                        parameters.keys().map(String::as_str),
                                    );
                                    sub.report(
                                        ProblemKind::BadParameter,
                                        pk.pos,
                                        format!("the rule declares no parameter `{}`", pk.name),
                                    )
                                    .help = help;
                                }
                                Some(decl) => match declared_value(pv, decl) {
                                    Ok(val) => {
                                        params.insert(pk.name.clone(), val);
                                    }
                                    Err(e) => {
                                        sub.report(
                                            ProblemKind::BadParameter,
                                            pv.pos,
                                            format!("`{}`: {e}", pk.name),
                                        );
                                    }
                                },
                            }
                        }
                    }
                }
            }
            let subject = match sub.get("subject") {
                None => {
                    let pos = item.pos;
                    sub.report(
                        ProblemKind::MissingKey,
                        pos,
                        "a test case needs a `subject`",
                    );
                    None
                }
                Some((_, s)) => {
                    let before = sub.problems.len();
                    check_subject(sub.file, s, subject_type, "", sub.problems);
                    (sub.problems.len() == before).then(|| s.to_json())
                }
            };
            if let (Some(name), Some(expect), Some(subject), Some(now)) =
                (name, expect, subject, now)
            {
                out.push(TestCase {
                    name,
                    expect,
                    subject,
                    params,
                    now,
                    pos: item.pos,
                });
            }
        }
        out
    }
}

/// Checks a test subject (or part of one) against the subject type.
fn check_subject(
    file: &Arc<SourceFile>,
    node: &Node,
    t: &FieldType,
    path: &str,
    problems: &mut Vec<Diagnostic>,
) {
    let at = if path.is_empty() {
        "the subject".to_owned()
    } else {
        format!("`{path}`")
    };
    let mut bad = |node: &Node, msg: String| {
        problems.push(Diagnostic::new(
            ProblemKind::InvalidTest,
            file,
            node.pos,
            msg,
        ))
    };
    if matches!(node.value, Value::Null) {
        return;
    }
    if let Some(entries) = node.as_map() {
        let is_error = entries.len() == 1 && entries[0].0.name == "error";
        let is_partial = entries.len() == 2
            && entries.iter().any(|(k, _)| k.name == "error")
            && entries.iter().any(|(k, _)| k.name == "items");
        if (is_error && (t.collected || matches!(t.kind, Kind::List(_))))
            || (is_partial && matches!(t.kind, Kind::List(_)))
        {
            for (k, v) in entries {
                let sub = if path.is_empty() {
                    k.name.clone()
                } else {
                    format!("{path}.{}", k.name)
                };
                if k.name == "error" {
                    check_subject(file, v, fields::collect_error(), &sub, problems);
                } else {
                    check_subject(file, v, t, &sub, problems);
                }
            }
            return;
        }
    }
    match (&t.kind, &node.value) {
        (Kind::Any, _) => {}
        (Kind::Object(fields), Value::Map(entries)) => {
            for (k, v) in entries {
                let sub = if path.is_empty() {
                    k.name.clone()
                } else {
                    format!("{path}.{}", k.name)
                };
                match fields.get(&k.name) {
                    Some(ft) => check_subject(file, v, ft, &sub, problems),
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
        (Kind::Bool, Value::Bool(_))
        | (Kind::Integer, Value::Int(_))
        | (Kind::Number, Value::Int(_) | Value::Float(_))
        | (Kind::String, Value::Str(_)) => {}
        (Kind::Timestamp, Value::Str(s)) => {
            if Timestamp::parse(s).is_none() {
                bad(node, format!("{at} is a timestamp; `{s}` is not RFC 3339"));
            }
        }
        (Kind::Enum(values), Value::Str(s)) => {
            if !values.contains(s) {
                let help = did_you_mean(s, values.iter().map(String::as_str));
                problems.push(
                    Diagnostic::new(
                        ProblemKind::InvalidTest,
                        file,
                        node.pos,
                        format!("{at} is one of: {}", values.join(", ")),
                    )
                    .help_opt(help),
                );
            }
        }
        (kind, _) => bad(
            node,
            format!("{at} is a {kind}, found {}", node.type_name()),
        ),
    }
}
