//! Raw YAML → [`Rule`]: every top-level key, the metadata, the parameters and the test cases.
//! Conditions are in [`super::parse_condition`]. All problems are collected.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use crate::finding::Status;
use crate::inventory::Timestamp;

use super::diagnostic::{Diagnostic, ProblemKind, SourceFile, did_you_mean};
use super::fields::{self, FieldType, Kind};
use super::model::{
    Duration, FRAMEWORKS, ParamType, ParamValue, Parameter, Remediation, Rule, Scope, Severity,
    TestCase,
};
use super::parse_condition::{self, Ctx};
use super::yaml::{self, Key, Node, Pos, Value};

/// The clock of a test case without `now:`.
pub const DEFAULT_TEST_NOW: &str = "2026-01-01T00:00:00Z";

const RULE_KEYS: &[&str] = &[
    "id",
    "title",
    "severity",
    "scope",
    "frameworks",
    "rationale",
    "remediation",
    "references",
    "parameters",
    "when",
    "check",
    "message",
    "tests",
];

/// Every key of every mapping of the rule format (a key in this list is never a misspelling).
const KNOWN_KEYS: &[&str] = &[
    "id",
    "title",
    "severity",
    "scope",
    "frameworks",
    "rationale",
    "remediation",
    "references",
    "parameters",
    "when",
    "check",
    "message",
    "tests",
    "text",
    "cli",
    "url",
    "type",
    "default",
    "description",
    "name",
    "expect",
    "subject",
    "params",
    "now",
];

/// Parses and validates one rule file. Problems go to `problems`; a rule is returned only when
/// its file has none.
pub fn parse_rule(
    file: &Arc<SourceFile>,
    builtin: bool,
    problems: &mut Vec<Diagnostic>,
) -> Option<Rule> {
    let start = problems.len();
    let doc = match yaml::parse(&file.text) {
        Ok(doc) => doc,
        Err(e) => {
            problems.push(syntax_diagnostic(file, &e));
            return None;
        }
    };
    let Some(entries) = doc.as_map() else {
        problems.push(Diagnostic::new(
            ProblemKind::InvalidValue,
            file,
            doc.pos,
            format!("a rule file is a mapping, found {}", doc.type_name()),
        ));
        return None;
    };
    let mut p = Fields {
        file,
        entries,
        problems,
        whole: doc.pos,
    };
    p.check_keys(RULE_KEYS, "rule");

    let id_entry = p.get("id");
    let id = p.string("id", true);
    if let (Some(id), Some((key, value))) = (&id, id_entry) {
        if !valid_id(id) {
            p.report(ProblemKind::InvalidValue, value.pos, format!("rule id `{id}` must look like `CT-A01` (upper-case letters and digits, dash-separated)"));
        } else if !file_matches_id(&file.name, id) {
            p.report(
                ProblemKind::FileName,
                key.pos,
                format!("the file name does not start with the rule id `{id}`"),
            )
            .help = Some(format!("name the file `{id}.yaml` or `{id}-<slug>.yaml`"));
        }
    }
    let id_pos = id_entry.map_or(doc.pos, |(k, _)| k.pos);
    let title = p.string("title", true);
    let rationale = p.string("rationale", true);
    let message = p.string("message", true);
    let severity = p.enumerated(
        "severity",
        Severity::ALL.iter().map(|s| s.as_str()),
        Severity::parse,
    );
    let scope = p.enumerated("scope", Scope::ALL.iter().map(|s| s.as_str()), Scope::parse);
    let frameworks = p.frameworks();
    let remediation = p.remediation();
    let references = p.string_list("references");
    let parameters = p.parameters();

    let param_types: BTreeMap<String, ParamType> = parameters
        .iter()
        .map(|(k, v)| (k.clone(), v.kind))
        .collect();
    let when_node = p.get("when").map(|(_, v)| v);
    let check_node = p.get("check").map(|(_, v)| v);
    if check_node.is_none() {
        p.missing("check", "missing required key `check`".into());
    }
    let (when, check, used) = match scope {
        Some(scope) => {
            let here = fields::subject(scope);
            let mut ctx = Ctx {
                file,
                params: &param_types,
                used: BTreeSet::new(),
                problems: p.problems,
            };
            let when = when_node.and_then(|n| parse_condition::parse(n, here, &mut ctx));
            let check = check_node.and_then(|n| parse_condition::parse(n, here, &mut ctx));
            (when, check, ctx.used)
        }
        None => (None, None, BTreeSet::new()),
    };
    if let Some((_, params_node)) = p.get("parameters")
        && let Some(entries) = params_node.as_map()
    {
        for (key, _) in entries {
            if parameters.contains_key(&key.name) && !used.contains(&key.name) && scope.is_some() {
                p.report(
                    ProblemKind::BadParameter,
                    key.pos,
                    format!("parameter `{}` is declared but never used", key.name),
                )
                .help = Some("use it as `{param: NAME}` in `check`/`when`, or remove it".into());
            }
        }
    }
    let tests = match scope {
        Some(scope) => p.tests(fields::subject(scope), &parameters),
        None => Vec::new(),
    };
    if p.problems.len() > start {
        return None;
    }
    Some(Rule {
        id: id?,
        title: title?,
        severity: severity?,
        scope: scope?,
        frameworks,
        rationale: rationale?,
        remediation: remediation?,
        references,
        parameters,
        when,
        check: check?,
        message: message?,
        tests,
        source: Arc::clone(file),
        id_pos,
        builtin,
    })
}

/// A YAML parse failure as a diagnostic (duplicate keys get their own kind).
pub fn syntax_diagnostic(file: &Arc<SourceFile>, e: &yaml::SyntaxError) -> Diagnostic {
    let kind = if e.message.starts_with("duplicate mapping key") {
        ProblemKind::DuplicateKey
    } else {
        ProblemKind::Syntax
    };
    let d = match e.pos {
        Some(pos) => Diagnostic::new(kind, file, pos, e.message.clone()),
        None => Diagnostic::whole_file(kind, file, e.message.clone()),
    };
    if kind == ProblemKind::DuplicateKey {
        d.label("given a second time here")
            .help("each key may appear once in a mapping")
    } else {
        d
    }
}

fn valid_id(id: &str) -> bool {
    let mut parts = id.split('-');
    let first_ok = parts.next().is_some_and(|p| {
        p.starts_with(|c: char| c.is_ascii_uppercase())
            && p.chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
    });
    let mut rest = parts.peekable();
    first_ok
        && rest.peek().is_some()
        && rest.all(|p| {
            !p.is_empty()
                && p.chars()
                    .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
        })
}

fn file_matches_id(name: &str, id: &str) -> bool {
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let stem = base
        .strip_suffix(".yaml")
        .or_else(|| base.strip_suffix(".yml"))
        .unwrap_or(base);
    stem == id
        || stem
            .strip_prefix(id)
            .is_some_and(|rest| rest.starts_with('-'))
}

/// Parses a parameter value of a declared type.
pub fn param_value(node: &Node, kind: ParamType) -> Result<ParamValue, String> {
    let err = || {
        format!(
            "expected a {} value, found {}",
            kind.as_str(),
            node.type_name()
        )
    };
    match (kind, &node.value) {
        (ParamType::Bool, Value::Bool(b)) => Ok(ParamValue::Bool(*b)),
        (ParamType::Integer, Value::Int(i)) => Ok(ParamValue::Integer(*i)),
        (ParamType::String, Value::Str(s)) => Ok(ParamValue::String(s.clone())),
        (ParamType::StringList, Value::Seq(items)) => items
            .iter()
            .map(|i| {
                i.as_str().map(str::to_owned).ok_or_else(|| {
                    format!(
                        "expected a list of strings; an item is {} (quote account ids)",
                        i.type_name()
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(ParamValue::StringList),
        (ParamType::Duration, Value::Str(s)) => Duration::parse(s)
            .map(ParamValue::Duration)
            .ok_or_else(|| format!("`{s}` is not a duration (`<integer><s|m|h|d>`, e.g. `24h`)")),
        _ => Err(err()),
    }
}

struct Fields<'a, 'p> {
    file: &'a Arc<SourceFile>,
    entries: &'a [(Key, Node)],
    problems: &'p mut Vec<Diagnostic>,
    whole: Pos,
}

impl<'a> Fields<'a, '_> {
    fn report(
        &mut self,
        kind: ProblemKind,
        pos: Pos,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        self.problems
            .push(Diagnostic::new(kind, self.file, pos, message));
        let last = self.problems.len() - 1;
        &mut self.problems[last]
    }

    fn check_keys(&mut self, allowed: &[&str], what: &str) {
        let entries = self.entries;
        check_keys(self.file, entries, allowed, what, self.problems);
    }

    fn get(&self, name: &str) -> Option<(&'a Key, &'a Node)> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(k, v)| (k, v))
    }

    /// Reports a missing required key, unless a misspelt key already stands for it (the
    /// unknown-key diagnostic says "did you mean" then).
    fn missing(&mut self, name: &str, message: String) {
        let misspelt = self
            .entries
            .iter()
            .filter(|(k, _)| !KNOWN_KEYS.contains(&k.name.as_str()))
            .any(|(k, _)| super::diagnostic::closest(&k.name, [name]).is_some());
        if !misspelt {
            let pos = self.whole;
            self.report(ProblemKind::MissingKey, pos, message);
        }
    }

    fn string(&mut self, name: &str, required: bool) -> Option<String> {
        match self.get(name) {
            None => {
                if required {
                    self.missing(name, format!("missing required key `{name}`"));
                }
                None
            }
            Some((_, v)) => match &v.value {
                Value::Str(s) if !s.trim().is_empty() => Some(s.trim_end().to_owned()),
                _ => {
                    self.report(
                        ProblemKind::InvalidValue,
                        v.pos,
                        format!("`{name}` is a non-empty string, found {}", v.type_name()),
                    );
                    None
                }
            },
        }
    }

    fn enumerated<'v, T>(
        &mut self,
        name: &str,
        values: impl Iterator<Item = &'v str> + Clone,
        parse: impl Fn(&str) -> Option<T>,
    ) -> Option<T> {
        let Some((_, v)) = self.get(name) else {
            self.missing(name, format!("missing required key `{name}`"));
            return None;
        };
        if let Some(t) = v.as_str().and_then(&parse) {
            return Some(t);
        }
        let list: Vec<&str> = values.clone().collect();
        let help = v.as_str().and_then(|s| did_you_mean(s, values));
        self.report(
            ProblemKind::InvalidValue,
            v.pos,
            format!("`{name}` is one of: {}", list.join(", ")),
        )
        .help = help;
        None
    }

    fn string_list(&mut self, name: &str) -> Vec<String> {
        let Some((_, v)) = self.get(name) else {
            return Vec::new();
        };
        match v.as_seq() {
            Some(items) => items
                .iter()
                .filter_map(|i| match i.as_str() {
                    Some(s) => Some(s.to_owned()),
                    None => {
                        self.report(
                            ProblemKind::InvalidValue,
                            i.pos,
                            format!("`{name}` items are strings"),
                        );
                        None
                    }
                })
                .collect(),
            None => {
                self.report(
                    ProblemKind::InvalidValue,
                    v.pos,
                    format!("`{name}` is a list of strings"),
                );
                Vec::new()
            }
        }
    }

    fn frameworks(&mut self) -> BTreeMap<String, Vec<String>> {
        let mut out = BTreeMap::new();
        let Some((_, v)) = self.get("frameworks") else {
            return out;
        };
        let Some(entries) = v.as_map() else {
            self.report(
                ProblemKind::InvalidValue,
                v.pos,
                "`frameworks` maps framework ids to lists of control ids",
            );
            return out;
        };
        for (key, value) in entries {
            if !FRAMEWORKS.iter().any(|(id, _)| *id == key.name) {
                let help =
                    did_you_mean(&key.name, FRAMEWORKS.iter().map(|(id, _)| *id)).or_else(|| {
                        Some(format!(
                            "known frameworks: {}",
                            FRAMEWORKS
                                .iter()
                                .map(|(id, _)| *id)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ))
                    });
                self.report(
                    ProblemKind::UnknownFramework,
                    key.pos,
                    format!("unknown framework id `{}`", key.name),
                )
                .help = help;
                continue;
            }
            let mut controls = Vec::new();
            match value.as_seq() {
                Some(items) if !items.is_empty() => {
                    for item in items {
                        match item.as_str() {
                            Some(s) => controls.push(s.to_owned()),
                            None => {
                                self.report(
                                    ProblemKind::InvalidValue,
                                    item.pos,
                                    format!(
                                        "control ids are strings; found {} (quote it: \"3.1\")",
                                        item.type_name()
                                    ),
                                );
                            }
                        }
                    }
                }
                _ => {
                    self.report(
                        ProblemKind::InvalidValue,
                        value.pos,
                        "a framework maps to a non-empty list of control ids",
                    );
                }
            }
            out.insert(key.name.clone(), controls);
        }
        out
    }

    fn remediation(&mut self) -> Option<Remediation> {
        let Some((_, v)) = self.get("remediation") else {
            self.missing("remediation", "missing required key `remediation`".into());
            return None;
        };
        let Some(entries) = v.as_map() else {
            self.report(
                ProblemKind::InvalidValue,
                v.pos,
                "`remediation` is a mapping `{text, cli?, url?}`",
            );
            return None;
        };
        let mut sub = Fields {
            file: self.file,
            entries,
            problems: self.problems,
            whole: v.pos,
        };
        sub.check_keys(&["text", "cli", "url"], "remediation");
        let text = sub.string("text", true);
        let cli = sub.string("cli", false);
        let url = sub.string("url", false);
        Some(Remediation {
            text: text?,
            cli,
            url,
        })
    }

    fn parameters(&mut self) -> BTreeMap<String, Parameter> {
        let mut out = BTreeMap::new();
        let Some((_, v)) = self.get("parameters") else {
            return out;
        };
        let Some(entries) = v.as_map() else {
            self.report(
                ProblemKind::InvalidValue,
                v.pos,
                "`parameters` maps names to `{type, default, description}`",
            );
            return out;
        };
        for (key, decl) in entries {
            if !key.name.starts_with(|c: char| c.is_ascii_lowercase())
                || !key
                    .name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            {
                self.report(
                    ProblemKind::BadParameter,
                    key.pos,
                    format!("parameter name `{}` must be snake_case", key.name),
                );
                continue;
            }
            let Some(decl_entries) = decl.as_map() else {
                self.report(
                    ProblemKind::BadParameter,
                    decl.pos,
                    "a parameter is `{type, default, description}`",
                );
                continue;
            };
            let mut sub = Fields {
                file: self.file,
                entries: decl_entries,
                problems: self.problems,
                whole: key.pos,
            };
            sub.check_keys(&["type", "default", "description"], "parameter");
            let kind = sub.enumerated("type", ParamType::ALL.iter().map(|t| t.as_str()), |s| {
                ParamType::ALL.iter().copied().find(|t| t.as_str() == s)
            });
            let description = sub.string("description", true);
            let default = match (sub.get("default"), kind) {
                (None, _) => {
                    sub.report(
                        ProblemKind::MissingKey,
                        key.pos,
                        format!("parameter `{}` needs a `default`", key.name),
                    );
                    None
                }
                (Some((_, d)), Some(kind)) => match param_value(d, kind) {
                    Ok(v) => Some(v),
                    Err(e) => {
                        sub.report(
                            ProblemKind::BadParameter,
                            d.pos,
                            format!("default of `{}`: {e}", key.name),
                        );
                        None
                    }
                },
                (Some(_), None) => None,
            };
            if let (Some(kind), Some(default), Some(description)) = (kind, default, description) {
                out.insert(
                    key.name.clone(),
                    Parameter {
                        kind,
                        value: default.clone(),
                        default,
                        description,
                    },
                );
            }
        }
        out
    }

    fn tests(
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
                                Some(decl) => match param_value(pv, decl.kind) {
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

/// Reports keys outside `allowed`, with a "did you mean".
pub fn check_keys(
    file: &Arc<SourceFile>,
    entries: &[(Key, Node)],
    allowed: &[&str],
    what: &str,
    problems: &mut Vec<Diagnostic>,
) {
    for (key, _) in entries {
        if !allowed.contains(&key.name.as_str()) {
            let help = did_you_mean(&key.name, allowed.iter().copied())
                .or_else(|| Some(format!("the keys of a {what} are: {}", allowed.join(", "))));
            problems.push(
                Diagnostic::new(
                    ProblemKind::UnknownKey,
                    file,
                    key.pos,
                    format!("unknown key `{}` in {what}", key.name),
                )
                .help_opt(help),
            );
        }
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
