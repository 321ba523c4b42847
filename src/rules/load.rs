//! Finding rule files, parsing them all, and checking ids across files.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use super::model::{Rule, RuleSet};
use super::parse::{TestCases, parse_rule, parse_rule_with};
use super::{builtin, walk};
use crate::document::{Diagnostic, ProblemKind, Problems, SourceFile};
use crate::files::read::InputKind;

/// A loaded rule set and notes for the user (e.g. a built-in rule replaced by a user rule).
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    /// The rules.
    pub rules: RuleSet,
    /// Notes to print on stderr.
    pub notes: Vec<String>,
    /// Warnings to print on stderr: entries of the rule folders that were skipped.
    pub warnings: Vec<String>,
}

/// Loads only the embedded pack.
pub fn load_builtin() -> Result<RuleSet, Problems> {
    load(true, &[]).map(|l| l.rules)
}

/// Parses one rule from text (`name` is shown in diagnostics and must match the id).
pub fn parse_str(name: &str, text: &str) -> Result<Rule, Problems> {
    let file = Arc::new(SourceFile {
        name: name.to_owned(),
        text: text.to_owned(),
    });
    let mut problems = Vec::new();
    match parse_rule(&file, false, &mut problems) {
        Some(rule) if problems.is_empty() => Ok(rule),
        _ => Err(Problems { problems }),
    }
}

/// Loads the embedded pack (when `builtin`) and every rule file under `dirs`, reporting every
/// problem of every file. A user rule with a built-in rule's id replaces it; two user rules
/// with one id, or two built-in ones, are an error.
pub fn load(builtin: bool, dirs: &[PathBuf]) -> Result<Loaded, Problems> {
    load_with(builtin, TestCases::Parse, dirs)
}

/// [`load`] for evaluating rules (`scan`, `check`): the embedded pack is read without its test
/// cases, which `cargo test` runs and a scan never does. Rule files under `dirs` are read in
/// full, so a mistake in a user's test case is still reported when the rules load.
pub fn load_for_evaluation(builtin: bool, dirs: &[PathBuf]) -> Result<Loaded, Problems> {
    load_with(builtin, TestCases::Skip, dirs)
}

fn load_with(
    builtin: bool,
    builtin_cases: TestCases,
    dirs: &[PathBuf],
) -> Result<Loaded, Problems> {
    let mut problems = Vec::new();
    let mut builtin_rules = Vec::new();
    if builtin {
        for (name, text) in builtin::FILES {
            let file = Arc::new(SourceFile {
                name: format!("rules/{name}"),
                text: (*text).to_owned(),
            });
            if let Some(rule) = parse_rule_with(&file, true, builtin_cases, &mut problems) {
                builtin_rules.push(rule);
            }
        }
    }
    let mut user_rules = Vec::new();
    let mut warnings = Vec::new();
    for dir in dirs {
        let found = match walk::rule_files(dir) {
            Ok(found) => found,
            Err(e) => {
                let file = Arc::new(SourceFile {
                    name: dir.display().to_string(),
                    text: String::new(),
                });
                problems.push(Diagnostic::whole_file(
                    ProblemKind::Io,
                    &file,
                    format!("cannot read rule folder: {e}"),
                ));
                continue;
            }
        };
        warnings.extend(found.warnings);
        for path in found.files {
            match SourceFile::read(&path, InputKind::RuleFile) {
                Ok(file) => {
                    if let Some(rule) = parse_rule(&file, false, &mut problems) {
                        user_rules.push(rule);
                    }
                }
                Err(unreadable) => problems.extend(unreadable.problems),
            }
        }
    }
    check_duplicates(&builtin_rules, &mut problems);
    check_duplicates(&user_rules, &mut problems);
    if !problems.is_empty() {
        problems.sort_by(|a, b| {
            let key = |d: &Diagnostic| (d.file.name.clone(), d.pos.map(|p| (p.line, p.column)));
            key(a).cmp(&key(b))
        });
        return Err(Problems { problems });
    }
    let mut notes = Vec::new();
    let mut by_id: BTreeMap<String, Rule> = BTreeMap::new();
    for rule in builtin_rules {
        by_id.insert(rule.id.clone(), rule);
    }
    for rule in user_rules {
        if by_id.contains_key(&rule.id) {
            notes.push(format!(
                "note: {} replaces the built-in rule {}",
                rule.source.name, rule.id
            ));
        }
        by_id.insert(rule.id.clone(), rule);
    }
    Ok(Loaded {
        rules: RuleSet::new(by_id.into_values().collect()),
        notes,
        warnings,
    })
}

fn check_duplicates(rules: &[Rule], problems: &mut Vec<Diagnostic>) {
    let mut first: BTreeMap<&str, &Rule> = BTreeMap::new();
    for rule in rules {
        match first.get(rule.id.as_str()) {
            Some(prev) => {
                let mut d = Diagnostic::new(
                    ProblemKind::DuplicateId,
                    &rule.source,
                    rule.id_pos,
                    format!("duplicate rule id `{}`", rule.id),
                )
                .label("defined again here")
                .help(
                    "rule ids are unique across the rule folders; rename one, or remove the copy",
                );
                d.related = Some((
                    Arc::clone(&prev.source),
                    prev.id_pos,
                    "first defined here".to_owned(),
                ));
                problems.push(d);
            }
            None => {
                first.insert(&rule.id, rule);
            }
        }
    }
}

#[cfg(test)]
mod evaluation_load_tests {
    use super::*;

    #[test]
    fn the_pack_loaded_for_evaluation_is_the_pack_without_its_test_cases() {
        let full = load(true, &[]).expect("the embedded pack loads");
        let lean = load_for_evaluation(true, &[]).expect("the embedded pack loads without cases");
        assert_eq!(full.rules.len(), lean.rules.len());
        for (with_cases, without) in full.rules.iter().zip(lean.rules.iter()) {
            // Proves the cut happened: every pack rule has cases, and none were read.
            assert!(!with_cases.tests.is_empty(), "{}", with_cases.id);
            assert!(without.tests.is_empty(), "{}", without.id);
            let mut expected = with_cases.clone();
            expected.tests.clear();
            assert_eq!(
                format!("{expected:?}"),
                format!("{without:?}"),
                "{}: a key after `tests:`, or one the cut changed",
                with_cases.id
            );
        }
    }
}
