//! The entries of one YAML mapping of a rule file being validated: typed reads of its keys,
//! each problem reported at its place and the reading carried on.

use std::sync::Arc;

use crate::document::{
    Diagnostic, Key, Node, Pos, ProblemKind, SourceFile, Value, check_keys, closest, did_you_mean,
};

/// The keys of a rule file's top mapping.
pub(super) const RULE_KEYS: &[&str] = &[
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
    "events",
    "filter_texts",
    "check",
    "message",
    "tests",
];
/// The keys of a shared condition's file (`conditions/NAME.yaml`).
pub(super) const CONDITION_KEYS: &[&str] =
    &["condition", "description", "element", "parameters", "check"];
/// The keys of `remediation:`.
pub(super) const REMEDIATION_KEYS: &[&str] = &["text", "cli", "url", "filter_pattern"];
/// The keys of one parameter declaration.
pub(super) const PARAMETER_KEYS: &[&str] = &[
    "type",
    "default",
    "description",
    "minimum",
    "maximum",
    "allowed",
];
/// The keys of one test case.
pub(super) const CASE_KEYS: &[&str] = &["name", "expect", "subject", "params", "now"];
/// The keys of one record of an event set.
pub(super) const EVENT_KEYS: &[&str] = &["why", "record"];
/// The keys of a `matches_events` operand.
pub(super) const MATCHES_EVENTS_KEYS: &[&str] = &["all_of", "none_of"];

/// Every key of every mapping of the rule format (a key in one of these is never a
/// misspelling), derived from the lists above so it cannot drift from them.
const KNOWN_KEYS: &[&[&str]] = &[
    RULE_KEYS,
    CONDITION_KEYS,
    REMEDIATION_KEYS,
    PARAMETER_KEYS,
    CASE_KEYS,
    EVENT_KEYS,
    MATCHES_EVENTS_KEYS,
];

fn is_known_key(name: &str) -> bool {
    KNOWN_KEYS.iter().any(|keys| keys.contains(&name))
}

/// The entries of one mapping being validated, and where problems go.
pub(super) struct Mapping<'a, 'p> {
    /// The file.
    pub(super) file: &'a Arc<SourceFile>,
    /// The mapping's entries, in file order.
    pub(super) entries: &'a [(Key, Node)],
    /// Problems found so far.
    pub(super) problems: &'p mut Vec<Diagnostic>,
    /// Where the mapping is: a missing key is reported there.
    pub(super) whole: Pos,
}

impl<'a> Mapping<'a, '_> {
    /// Records a problem at `pos`; returns it for a label or help.
    pub(super) fn report(
        &mut self,
        kind: ProblemKind,
        pos: Pos,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        Diagnostic::new(kind, self.file, pos, message).push_into(self.problems)
    }

    /// Reports keys outside `allowed` (see [`check_keys`]).
    pub(super) fn check_keys(&mut self, allowed: &[&str], what: &str) {
        let entries = self.entries;
        check_keys(self.file, entries, allowed, what, self.problems);
    }

    /// The entry with this key.
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
            .filter(|(k, _)| !is_known_key(&k.name))
            .any(|(k, _)| closest(&k.name, [name]).is_some());
        if !misspelt {
            let pos = self.whole;
            self.report(ProblemKind::MissingKey, pos, message);
        }
    }

    /// A non-empty string (trailing whitespace dropped).
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

    /// One of a closed set of names (`values`), as `parse` reads it; required.
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

    /// A list of strings; empty when absent.
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
}
