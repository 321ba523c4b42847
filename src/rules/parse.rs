//! Raw YAML → [`Rule`]: every top-level key, the metadata, the parameters and the test cases.
//! Conditions are in [`super::parse_condition`]. All problems are collected.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::fields;
use super::model::{FRAMEWORKS, Remediation, Rule};
use super::parse_condition::{self, Ctx};
use crate::document::yaml::{self, Key, Node, Pos, Value};
use crate::document::{
    Diagnostic, ProblemKind, SourceFile, check_keys, did_you_mean, syntax_diagnostic,
};
use crate::vocabulary::{Scope, Severity};

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
    parse_rule_with(file, builtin, TestCases::Parse, problems)
}

/// Whether a rule's `tests` are read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestCases {
    /// Parsed and checked like the rest of the rule.
    Parse,
    /// Not read: the text from the top-level `tests:` key on is not parsed, and the rule has
    /// no test cases. Only for files whose cases are checked elsewhere (the embedded pack's,
    /// by `cargo test`): a scan never runs test cases, and they are 60 % of the pack's text.
    Skip,
}

/// The text before a rule file's top-level `tests:` key (all of it when there is none). A key
/// at column 0 is a key of the file's top mapping: block scalars and nested keys are indented.
fn before_tests(text: &str) -> &str {
    if text.starts_with("tests:") {
        return "";
    }
    text.find("\ntests:").map_or(text, |at| &text[..=at])
}

/// [`parse_rule`], reading the test cases or not.
pub fn parse_rule_with(
    file: &Arc<SourceFile>,
    builtin: bool,
    cases: TestCases,
    problems: &mut Vec<Diagnostic>,
) -> Option<Rule> {
    let start = problems.len();
    let text = match cases {
        TestCases::Parse => file.text.as_str(),
        TestCases::Skip => before_tests(&file.text),
    };
    let doc = match yaml::parse(text) {
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
    let (parameters, param_types) = p.parameters();
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
            if param_types.contains_key(&key.name) && !used.contains(&key.name) && scope.is_some() {
                p.report(
                    ProblemKind::BadParameter,
                    key.pos,
                    format!("parameter `{}` is declared but never used", key.name),
                )
                .help = Some("use it as `{param: NAME}` in `check`/`when`, or remove it".into());
            }
        }
    }
    let tests = match (scope, cases) {
        (Some(scope), TestCases::Parse) => p.tests(fields::subject(scope), &parameters),
        _ => Vec::new(),
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

/// The entries of one mapping being validated, and where problems go.
pub(super) struct Fields<'a, 'p> {
    pub(super) file: &'a Arc<SourceFile>,
    pub(super) entries: &'a [(Key, Node)],
    pub(super) problems: &'p mut Vec<Diagnostic>,
    pub(super) whole: Pos,
}

impl<'a> Fields<'a, '_> {
    pub(super) fn report(
        &mut self,
        kind: ProblemKind,
        pos: Pos,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        Diagnostic::new(kind, self.file, pos, message).push_into(self.problems)
    }

    pub(super) fn check_keys(&mut self, allowed: &[&str], what: &str) {
        let entries = self.entries;
        check_keys(self.file, entries, allowed, what, self.problems);
    }

    pub(super) fn get(&self, name: &str) -> Option<(&'a Key, &'a Node)> {
        self.entries
            .iter()
            .find(|(k, _)| k.name == name)
            .map(|(k, v)| (k, v))
    }

    /// Reports a missing required key, unless a misspelt key already stands for it (the
    /// unknown-key diagnostic says "did you mean" then).
    pub(super) fn missing(&mut self, name: &str, message: String) {
        let misspelt = self
            .entries
            .iter()
            .filter(|(k, _)| !KNOWN_KEYS.contains(&k.name.as_str()))
            .any(|(k, _)| crate::document::closest(&k.name, [name]).is_some());
        if !misspelt {
            let pos = self.whole;
            self.report(ProblemKind::MissingKey, pos, message);
        }
    }

    pub(super) fn string(&mut self, name: &str, required: bool) -> Option<String> {
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

    pub(super) fn enumerated<'v, T>(
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

    pub(super) fn string_list(&mut self, name: &str) -> Vec<String> {
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
}

#[cfg(test)]
mod tests {
    use super::before_tests;

    #[test]
    fn the_text_is_cut_at_the_top_level_tests_key_only() {
        let text =
            "id: X-1\ncheck:\n  tests: nested\nmessage: |\n  tests: quoted\ntests:\n  - name: a\n";
        assert_eq!(
            before_tests(text),
            "id: X-1\ncheck:\n  tests: nested\nmessage: |\n  tests: quoted\n"
        );
        assert_eq!(before_tests("tests:\n  - name: a\n"), "");
        assert_eq!(before_tests("id: X-1\n"), "id: X-1\n");
    }
}
