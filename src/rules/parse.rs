//! Raw YAML → [`Rule`]: every top-level key, the metadata, the parameters and the test cases.
//! Conditions are in [`super::parse_condition`]. All problems are collected.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::condition::Condition;
use super::context::Ctx;
use super::events::EventSets;
use super::filter_texts::FilterTexts;
use super::library::{Library, inherited, merge};
use super::mapping::{Mapping, REMEDIATION_KEYS, RULE_KEYS};
use super::model::{FRAMEWORKS, Remediation, Rule, TestCase};
use super::params::{ParamType, Parameter};
use super::{declare, events, fields, filter_texts, parse_condition, shared, testcase};
use crate::document::yaml;
use crate::document::{Diagnostic, Pos, ProblemKind, SourceFile, did_you_mean, syntax_diagnostic};
use crate::filter_pattern::FilterPattern;
use crate::vocabulary::{Scope, Severity};

/// Parses and validates one rule file. Problems go to `problems`; a rule is returned only when
/// its file has none.
pub fn parse_rule(
    file: &Arc<SourceFile>,
    builtin: bool,
    library: &Library,
    problems: &mut Vec<Diagnostic>,
) -> Option<Rule> {
    parse_rule_with(file, builtin, TestCases::Parse, library, problems)
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
    library: &Library,
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
    let mut p = Mapping {
        file,
        entries,
        problems,
        whole: doc.pos,
    };
    p.check_keys(RULE_KEYS, "rule");
    let rule = read_rule(&mut p, cases, library);
    if p.problems.len() > start {
        return None;
    }
    let (id, id_pos) = rule.id;
    Some(Rule {
        id: id?,
        title: rule.title?,
        severity: rule.severity?,
        scope: rule.scope?,
        frameworks: rule.frameworks,
        rationale: rule.rationale?,
        remediation: rule.remediation?,
        references: rule.references,
        parameters: rule.parameters,
        when: rule.when,
        check: rule.check?,
        message: rule.message?,
        tests: rule.tests,
        source: Arc::clone(file),
        id_pos: id_pos.unwrap_or(doc.pos),
        builtin,
    })
}

/// Every part of a rule file that could be read; a `None` has been reported.
struct RuleParts {
    id: (Option<String>, Option<Pos>),
    title: Option<String>,
    severity: Option<Severity>,
    scope: Option<Scope>,
    frameworks: BTreeMap<String, Vec<String>>,
    rationale: Option<String>,
    remediation: Option<Remediation>,
    references: Vec<String>,
    parameters: BTreeMap<String, Parameter>,
    when: Option<Condition>,
    check: Option<Condition>,
    message: Option<String>,
    tests: Vec<TestCase>,
}

/// Reads every key of a rule file's top mapping, reporting each problem and carrying on.
fn read_rule(p: &mut Mapping<'_, '_>, cases: TestCases, library: &Library) -> RuleParts {
    let id = rule_id(p);
    let title = p.string("title", true);
    let rationale = p.string("rationale", true);
    let message = p.string("message", true);
    let severity = p.enumerated(
        "severity",
        Severity::ALL.iter().map(|s| s.as_str()),
        Severity::parse,
    );
    let scope = p.enumerated("scope", Scope::ALL.iter().map(|s| s.as_str()), Scope::parse);
    let frameworks = frameworks(p);
    let remediation = remediation(p);
    let references = p.string_list("references");
    let declared = declare::parameters(p);
    let (parameters, param_types) = with_inherited(p, declared, library);
    let events = events::event_sets(p);
    let texts = filter_texts::filter_texts(p);
    let sets = (&events, &texts);
    let (when, check) = conditions(p, scope, &param_types, sets, library);
    let tests = match (scope, cases) {
        (Some(scope), TestCases::Parse) => testcase::tests(p, fields::subject(scope), &parameters),
        _ => Vec::new(),
    };
    RuleParts {
        id,
        title,
        severity,
        scope,
        frameworks,
        rationale,
        remediation,
        references,
        parameters,
        when,
        check,
        message,
        tests,
    }
}

/// `id:`, checked for its shape and against the file name, and where its key is.
fn rule_id(p: &mut Mapping<'_, '_>) -> (Option<String>, Option<Pos>) {
    let entry = p.get("id");
    let id = p.string("id", true);
    if let (Some(id), Some((key, value))) = (&id, entry) {
        if !valid_id(id) {
            p.report(ProblemKind::InvalidValue, value.pos, format!("rule id `{id}` must look like `CT-A01` (upper-case letters and digits, dash-separated)"));
        } else if !file_matches_id(&p.file.name, id) {
            p.report(
                ProblemKind::FileName,
                key.pos,
                format!("the file name does not start with the rule id `{id}`"),
            )
            .help = Some(format!("name the file `{id}.yaml` or `{id}-<slug>.yaml`"));
        }
    }
    (id, entry.map(|(k, _)| k.pos))
}

/// The rule's own parameter declarations and those of the shared conditions its `when` and
/// `check` use (its own win; see [`merge`]).
fn with_inherited(
    p: &mut Mapping<'_, '_>,
    (mut parameters, mut types): (BTreeMap<String, Parameter>, BTreeMap<String, ParamType>),
    library: &Library,
) -> (BTreeMap<String, Parameter>, BTreeMap<String, ParamType>) {
    let roots: Vec<&yaml::Node> = ["when", "check"]
        .iter()
        .filter_map(|k| p.get(k).map(|(_, v)| v))
        .collect();
    let own_at = shared::declared_at(p);
    let brought = inherited(library, &roots);
    merge(
        p.file,
        &own_at,
        brought,
        &mut parameters,
        &mut types,
        p.problems,
    );
    (parameters, types)
}

/// `when:` and `check:`, parsed against the scope's subject (when the scope is known), and a
/// problem for every declared parameter neither uses.
fn conditions(
    p: &mut Mapping<'_, '_>,
    scope: Option<Scope>,
    param_types: &BTreeMap<String, ParamType>,
    (events, filter_texts): (&EventSets, &FilterTexts),
    library: &Library,
) -> (Option<Condition>, Option<Condition>) {
    let when_node = p.get("when").map(|(_, v)| v);
    let check_node = p.get("check").map(|(_, v)| v);
    if check_node.is_none() {
        p.missing("check", "missing required key `check`".into());
    }
    let Some(scope) = scope else {
        return (None, None);
    };
    let here = fields::subject(scope);
    let mut ctx = Ctx {
        file: p.file,
        params: param_types,
        events,
        filter_texts,
        used: BTreeSet::new(),
        problems: p.problems,
        library,
        expanding: Vec::new(),
    };
    let when = when_node.and_then(|n| parse_condition::parse(n, here, &mut ctx));
    let check = check_node.and_then(|n| parse_condition::parse(n, here, &mut ctx));
    let used = ctx.used;
    if let Some((_, params_node)) = p.get("parameters")
        && let Some(entries) = params_node.as_map()
    {
        for (key, _) in entries {
            if param_types.contains_key(&key.name) && !used.contains(&key.name) {
                p.report(
                    ProblemKind::BadParameter,
                    key.pos,
                    format!("parameter `{}` is declared but never used", key.name),
                )
                .help = Some("use it as `{param: NAME}` in `check`/`when`, or remove it".into());
            }
        }
    }
    (when, check)
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

fn frameworks(p: &mut Mapping<'_, '_>) -> BTreeMap<String, Vec<String>> {
    let mut out = BTreeMap::new();
    let Some((_, v)) = p.get("frameworks") else {
        return out;
    };
    let Some(entries) = v.as_map() else {
        p.report(
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
            p.report(
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
                            p.report(
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
                p.report(
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

fn remediation(p: &mut Mapping<'_, '_>) -> Option<Remediation> {
    let Some((_, v)) = p.get("remediation") else {
        p.missing("remediation", "missing required key `remediation`".into());
        return None;
    };
    let Some(entries) = v.as_map() else {
        p.report(
            ProblemKind::InvalidValue,
            v.pos,
            "`remediation` is a mapping `{text, cli?, url?, filter_pattern?}`",
        );
        return None;
    };
    let mut sub = Mapping {
        file: p.file,
        entries,
        problems: p.problems,
        whole: v.pos,
    };
    sub.check_keys(REMEDIATION_KEYS, "remediation");
    let text = sub.string("text", true);
    let cli = sub.string("cli", false);
    let url = sub.string("url", false);
    let filter_pattern = remediation_filter_pattern(&mut sub);
    Some(Remediation {
        text: text?,
        cli,
        url,
        filter_pattern,
    })
}

/// `remediation.filter_pattern`: a ready-to-paste metric filter pattern, so it must be one
/// CloudWatch Logs accepts and that can match CloudTrail's JSON fields (a JSON pattern).
fn remediation_filter_pattern(sub: &mut Mapping<'_, '_>) -> Option<String> {
    let text = sub.string("filter_pattern", false)?;
    let pos = sub.get("filter_pattern").map(|(_, v)| v.pos)?;
    let problem = match FilterPattern::parse(&text) {
        Ok(FilterPattern::Json(_)) => return Some(text),
        Ok(_) => "is not a JSON pattern `{ … }`: it cannot match CloudTrail's fields".to_owned(),
        Err(e) => format!("does not parse: {e}"),
    };
    sub.report(
        ProblemKind::InvalidValue,
        pos,
        format!("`filter_pattern` {problem}"),
    );
    None
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
