//! Reading each section of the config file into [`Config`]; a wrongly typed value is a problem
//! at its position, and reading goes on so every problem is reported in one run.

use std::path::Path;
use std::sync::Arc;

use super::Config;
use crate::rules::diagnostic::{Diagnostic, ProblemKind, SourceFile};
use crate::rules::yaml::{self, Key, Node};
use crate::rules::{Severity, check_keys};

const RULES_KEYS: &[&str] = &["dirs", "only", "skip", "no_builtin"];
const ORG_KEYS: &[&str] = &[
    "role_name",
    "role_arn_template",
    "external_id",
    "accounts",
    "exclude_accounts",
];
const GATE_KEYS: &[&str] = &["fail_on", "allow_errors", "exit_zero"];

impl Config {
    /// Reads one top-level entry (unknown keys were reported by the caller).
    pub(super) fn read_section(
        &mut self,
        key: &Key,
        value: &Node,
        base: &Path,
        problems: &mut Vec<Diagnostic>,
    ) {
        match key.name.as_str() {
            "rules" => self.read_rules(value, base, problems),
            "org" => {
                sub_keys(&self.file, value, ORG_KEYS, "`org`", problems);
                self.read_org(value, problems);
            }
            "gate" => {
                sub_keys(&self.file, value, GATE_KEYS, "`gate`", problems);
                self.read_gate(value, problems);
            }
            "waivers" => match value.as_str() {
                Some(path) => self.waivers = Some(base.join(path)),
                None => {
                    problems.push(self.invalid(value, "`waivers` is the path of a waivers file"))
                }
            },
            "regions" => match string_list(value) {
                Some(list) => self.regions = list,
                None => problems.push(self.invalid(value, "`regions` is a list of region names")),
            },
            "parameters" => match value.as_map() {
                Some(m) => self.parameters = m.to_vec(),
                None => problems.push(self.invalid(
                    value,
                    "`parameters` maps rule ids (or shared parameter names) to values",
                )),
            },
            _ => {}
        }
    }

    fn invalid(&self, value: &Node, message: impl Into<String>) -> Diagnostic {
        Diagnostic::new(ProblemKind::InvalidValue, &self.file, value.pos, message)
    }

    fn read_gate(&mut self, value: &Node, problems: &mut Vec<Diagnostic>) {
        for (key, v) in value.as_map().unwrap_or_default() {
            let flag = || match v.value {
                yaml::Value::Bool(b) => Some(b),
                _ => None,
            };
            match key.name.as_str() {
                "fail_on" => match v.as_str().and_then(Severity::parse) {
                    Some(sev) => self.gate.fail_on = Some(sev),
                    None => problems.push(self.invalid(
                        v,
                        "`gate.fail_on` is a severity: info, low, medium, high or critical",
                    )),
                },
                "allow_errors" => match flag() {
                    Some(b) => self.gate.allow_errors = Some(b),
                    None => problems.push(self.invalid(v, "`gate.allow_errors` is true or false")),
                },
                "exit_zero" => match flag() {
                    Some(b) => self.gate.exit_zero = Some(b),
                    None => problems.push(self.invalid(v, "`gate.exit_zero` is true or false")),
                },
                _ => {}
            }
        }
    }

    fn read_org(&mut self, value: &Node, problems: &mut Vec<Diagnostic>) {
        for (key, v) in value.as_map().unwrap_or_default() {
            let name = key.name.as_str();
            let text = match name {
                "role_name" => &mut self.org.role_name,
                "role_arn_template" => &mut self.org.role_arn_template,
                "external_id" => &mut self.org.external_id,
                "accounts" | "exclude_accounts" => {
                    let Some(list) = string_list(v) else {
                        let what = format!("`org.{name}` is a list of quoted account ids");
                        problems.push(self.invalid(v, what));
                        continue;
                    };
                    if name == "accounts" {
                        self.org.accounts = list;
                    } else {
                        self.org.exclude_accounts = list;
                    }
                    continue;
                }
                _ => continue,
            };
            match v.as_str() {
                Some(s) => *text = Some(s.to_owned()),
                None => {
                    let what = format!("`org.{name}` is a string");
                    problems.push(Diagnostic::new(
                        ProblemKind::InvalidValue,
                        &self.file,
                        v.pos,
                        what,
                    ));
                }
            }
        }
    }

    fn read_rules(&mut self, value: &Node, base: &Path, problems: &mut Vec<Diagnostic>) {
        let Some(entries) = value.as_map() else {
            problems.push(self.invalid(
                value,
                "`rules` is a mapping `{dirs, only, skip, no_builtin}`",
            ));
            return;
        };
        check_keys(&self.file, entries, RULES_KEYS, "`rules`", problems);
        for (key, v) in entries {
            match key.name.as_str() {
                name @ ("dirs" | "only" | "skip") => match string_list(v) {
                    Some(items) => self.read_rule_list(name, items, v, base),
                    None => problems
                        .push(self.invalid(v, format!("`rules.{name}` is a list of strings"))),
                },
                "no_builtin" => match v.value {
                    yaml::Value::Bool(b) => self.no_builtin = b,
                    _ => problems.push(self.invalid(v, "`rules.no_builtin` is true or false")),
                },
                _ => {}
            }
        }
    }

    /// `rules.dirs` (folders relative to `base`), or the ids of `rules.only` / `rules.skip`,
    /// whose positions are kept to report an id no loaded rule has.
    fn read_rule_list(&mut self, name: &str, items: Vec<String>, list: &Node, base: &Path) {
        let which = match name {
            "dirs" => {
                self.rule_dirs = items.into_iter().map(|d| base.join(d)).collect();
                return;
            }
            "only" => "rules.only",
            _ => "rules.skip",
        };
        let nodes = list.as_seq().unwrap_or_default();
        self.rule_ids.extend(
            items
                .iter()
                .zip(nodes)
                .map(|(id, node)| (id.clone(), node.pos, which)),
        );
        if name == "only" {
            self.only = items;
        } else {
            self.skip = items;
        }
    }
}

/// A list of strings (account ids must be quoted: YAML reads 012… as a number).
fn string_list(value: &Node) -> Option<Vec<String>> {
    value
        .as_seq()?
        .iter()
        .map(|i| i.as_str().map(str::to_owned))
        .collect()
}

fn sub_keys(
    file: &Arc<SourceFile>,
    value: &Node,
    allowed: &[&str],
    what: &str,
    problems: &mut Vec<Diagnostic>,
) {
    match value.as_map() {
        Some(entries) => check_keys(file, entries, allowed, what, problems),
        None => problems.push(Diagnostic::new(
            ProblemKind::InvalidValue,
            file,
            value.pos,
            format!("{what} is a mapping"),
        )),
    }
}
