//! Parameter overrides: values a config file gives to declared rule parameters, per rule id
//! (`CT-A02: { max_delivery_age: 2h }`) or shared by parameter name (`max_delivery_age: 2h`).
//! The file's format is the config module's; this applies its `parameters:` entries to rules.

use std::sync::Arc;

use super::RuleSet;
use super::model::Rule;
use super::params::declared_value;
use crate::document::yaml::{Key, Node, Pos};
use crate::document::{Diagnostic, ProblemKind, SourceFile, did_you_mean};

/// Applies `parameters:` entries to the loaded rules. Every unknown id, undeclared parameter
/// or wrongly typed value is a problem at its line in `file`.
pub fn apply_overrides(
    rules: &mut RuleSet,
    file: &Arc<SourceFile>,
    entries: &[(Key, Node)],
    problems: &mut Vec<Diagnostic>,
) {
    let ids: Vec<String> = rules.iter().map(|r| r.id.clone()).collect();
    let mut at = Located { file, problems };
    for (key, value) in entries {
        if looks_like_rule_id(&key.name) {
            // Any case, like `--only`: rule ids are upper case.
            let id = key.name.to_ascii_uppercase();
            match rules.iter_mut().find(|r| r.id == id) {
                Some(rule) => at.per_rule(rule, value),
                None => at.problem(
                    ProblemKind::BadParameter,
                    key.pos,
                    format!("no loaded rule has the id `{id}`"),
                    did_you_mean(&id, ids.iter().map(String::as_str)),
                ),
            }
        } else {
            at.shared(rules, &ids, key, value);
        }
    }
}

/// Parameter names are snake_case (rules/declare.rs), so a key with a `-` is a rule id, in
/// any case.
fn looks_like_rule_id(name: &str) -> bool {
    name.contains('-') && name.starts_with(|c: char| c.is_ascii_alphabetic())
}

/// Problems at positions of one file.
struct Located<'a> {
    file: &'a Arc<SourceFile>,
    problems: &'a mut Vec<Diagnostic>,
}

impl Located<'_> {
    fn problem(&mut self, kind: ProblemKind, pos: Pos, message: String, help: Option<String>) {
        self.problems
            .push(Diagnostic::new(kind, self.file, pos, message).help_opt(help));
    }

    /// `RULE-ID: { name: value, … }`: each name must be a parameter the rule declares.
    fn per_rule(&mut self, rule: &mut Rule, value: &Node) {
        let Some(entries) = value.as_map() else {
            let message = format!("`{}` maps parameter names to values", rule.id);
            self.problem(ProblemKind::BadParameter, value.pos, message, None);
            return;
        };
        for (pk, pv) in entries {
            let declared: Vec<String> = rule.parameters.keys().cloned().collect();
            let Some(param) = rule.parameters.get_mut(&pk.name) else {
                let help =
                    did_you_mean(&pk.name, declared.iter().map(String::as_str)).or_else(|| {
                        Some(if declared.is_empty() {
                            format!("{} declares no parameters", rule.id)
                        } else {
                            format!("{} declares: {}", rule.id, declared.join(", "))
                        })
                    });
                let message = format!("rule {} has no parameter `{}`", rule.id, pk.name);
                self.problem(ProblemKind::BadParameter, pk.pos, message, help);
                continue;
            };
            match declared_value(pv, param) {
                Ok(v) => param.value = v,
                Err(e) => {
                    let message = format!("{}.{}: {e}", rule.id, pk.name);
                    self.problem(ProblemKind::BadParameter, pv.pos, message, None);
                }
            }
        }
    }

    /// `name: value`: sets the parameter `name` of every rule that declares it.
    fn shared(&mut self, rules: &mut RuleSet, ids: &[String], key: &Key, value: &Node) {
        let mut declared_anywhere = false;
        for rule in rules.iter_mut() {
            let Some(param) = rule.parameters.get_mut(&key.name) else {
                continue;
            };
            declared_anywhere = true;
            match declared_value(value, param) {
                Ok(v) => param.value = v,
                Err(e) => {
                    let message = format!("`{}` (shared, declared by {}): {e}", key.name, rule.id);
                    self.problem(ProblemKind::BadParameter, value.pos, message, None);
                    // One problem for the value, not one per rule declaring the name.
                    break;
                }
            }
        }
        if !declared_anywhere {
            let names: Vec<String> = rules
                .iter()
                .flat_map(|r| r.parameters.keys().cloned())
                .collect();
            let help = did_you_mean(
                &key.name,
                names
                    .iter()
                    .map(String::as_str)
                    .chain(ids.iter().map(String::as_str)),
            );
            let message = format!("no loaded rule declares a parameter `{}`", key.name);
            self.problem(ProblemKind::BadParameter, key.pos, message, help);
        }
    }
}
