//! Finding rule files, parsing them all, and checking ids across files.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::library::{ConditionDef, Library};
use super::model::{Rule, RuleSet};
use super::parse::{TestCases, parse_rule, parse_rule_with};
use super::{builtin, shared, walk};
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
    let library = builtin_library();
    match parse_rule(&file, false, &library, &mut problems) {
        Some(rule) if problems.is_empty() => Ok(rule),
        _ => Err(Problems { problems }),
    }
}

/// The shared conditions of the embedded pack, for rules parsed on their own ([`parse_str`]);
/// their problems are reported when the pack loads.
fn builtin_library() -> Library {
    let mut problems = Vec::new();
    let defs = builtin_files(true)
        .filter_map(|file| shared::definition(&file, &mut problems))
        .collect();
    shared::library(defs, Vec::new(), &mut Vec::new(), &mut problems)
}

/// The embedded pack's condition files (`conditions`) or rule files (not).
fn builtin_files(conditions: bool) -> impl Iterator<Item = Arc<SourceFile>> {
    builtin::FILES
        .iter()
        .filter(move |(name, _)| shared::is_condition_file(name) == conditions)
        .map(|(name, text)| {
            Arc::new(SourceFile {
                name: format!("rules/{name}"),
                text: (*text).to_owned(),
            })
        })
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
    // The built-in shared conditions are a library, not rules: they are there for user rules
    // even without the built-in pack (`--no-builtin`, `rules test DIR`).
    let builtin_defs: Vec<ConditionDef> = builtin_files(true)
        .filter_map(|file| shared::definition(&file, &mut problems))
        .collect();
    let (mut warnings, mut notes) = (Vec::new(), Vec::new());
    let mut user_files = Vec::new();
    let mut user_defs = Vec::new();
    for dir in dirs {
        user_files.extend(folder(dir, &mut user_defs, &mut warnings, &mut problems));
    }
    let library = shared::library(builtin_defs, user_defs, &mut notes, &mut problems);
    let mut builtin_rules = Vec::new();
    if builtin {
        // The pack's files are independent of each other: parsed on every core, since a scan
        // sends its first call only once they are (problems are sorted below).
        let files: Vec<Arc<SourceFile>> = builtin_files(false).collect();
        let parsed = crate::parallel::map(&files, |file| {
            let mut found = Vec::new();
            let rule = parse_rule_with(file, true, builtin_cases, &library, &mut found);
            (rule, found)
        });
        for (rule, found) in parsed {
            builtin_rules.extend(rule);
            problems.extend(found);
        }
    }
    let user_rules: Vec<Rule> = user_files
        .iter()
        .filter_map(|file| parse_rule(file, false, &library, &mut problems))
        .collect();
    check_duplicates(&builtin_rules, &mut problems);
    check_duplicates(&user_rules, &mut problems);
    if !problems.is_empty() {
        return Err(Problems {
            problems: sorted(problems),
        });
    }
    Ok(combine(builtin_rules, user_rules, notes, warnings))
}

/// The rule files of one `--rules` folder, read; its shared conditions go to `defs`.
fn folder(
    dir: &Path,
    defs: &mut Vec<ConditionDef>,
    warnings: &mut Vec<String>,
    problems: &mut Vec<Diagnostic>,
) -> Vec<Arc<SourceFile>> {
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
            return Vec::new();
        }
    };
    warnings.extend(found.warnings);
    let mut rules = Vec::new();
    for path in found.files {
        let relative = path
            .strip_prefix(dir)
            .map(|r| r.to_string_lossy().replace('\\', "/"))
            .unwrap_or_default();
        match SourceFile::read(&path, InputKind::RuleFile) {
            Ok(file) if shared::is_condition_file(&relative) => {
                defs.extend(shared::definition(&file, problems));
            }
            Ok(file) => rules.push(file),
            Err(unreadable) => problems.extend(unreadable.problems),
        }
    }
    rules
}

/// Problems in file and position order, each once: a shared condition is expanded at every
/// use, so a problem inside one would otherwise be reported once per use.
fn sorted(problems: Vec<Diagnostic>) -> Vec<Diagnostic> {
    let key = |d: &Diagnostic| (d.file.name.clone(), d.pos.map(|p| (p.line, p.column)));
    let mut seen = std::collections::BTreeSet::new();
    let mut problems: Vec<Diagnostic> = problems
        .into_iter()
        .filter(|d| seen.insert((key(d), d.message.clone())))
        .collect();
    problems.sort_by_key(key);
    problems
}

/// The built-in rules with the user's on top (a user rule replaces a built-in one of its id).
fn combine(
    builtin_rules: Vec<Rule>,
    user_rules: Vec<Rule>,
    mut notes: Vec<String>,
    warnings: Vec<String>,
) -> Loaded {
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
    Loaded {
        rules: RuleSet::new(by_id.into_values().collect()),
        notes,
        warnings,
    }
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
