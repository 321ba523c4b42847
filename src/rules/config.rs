//! `trailguard.yaml`: strict like rule files. This module reads the parts that rules need —
//! `rules:` (extra folders, skip / only) and `parameters:` (overrides) — and checks the keys of
//! the rest so a typo anywhere is an error at `file:line:col`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::RuleSet;
use super::params::declared_value;
use crate::document::yaml::{self, Key, Node, Pos};
use crate::document::{
    Diagnostic, ProblemKind, Problems, SourceFile, check_keys, did_you_mean, syntax_diagnostic,
};
use crate::files::read::InputKind;

const TOP_KEYS: &[&str] = &["regions", "org", "rules", "parameters", "gate", "waivers"];
const RULES_KEYS: &[&str] = &["dirs", "only", "skip", "no_builtin"];
const ORG_KEYS: &[&str] = &[
    "role_name",
    "role_arn_template",
    "external_id",
    "accounts",
    "exclude_accounts",
];
const GATE_KEYS: &[&str] = &["fail_on", "allow_errors", "exit_zero"];

/// A parsed config file.
#[derive(Debug, Clone)]
pub struct Config {
    /// The file.
    pub file: Arc<SourceFile>,
    /// `rules.dirs`, relative to the config file's folder.
    pub rule_dirs: Vec<PathBuf>,
    /// `rules.only`.
    pub only: Vec<String>,
    /// `rules.skip`.
    pub skip: Vec<String>,
    /// `rules.no_builtin`.
    pub no_builtin: bool,
    /// `gate:` defaults for the CI gate (flags win).
    pub gate: GateConfig,
    /// `waivers:`, relative to the config file's folder.
    pub waivers: Option<PathBuf>,
    /// `regions:` — the default scan scope.
    pub regions: Vec<String>,
    /// `org:` — defaults for organization scans.
    pub org: OrgConfig,
    parameters: Vec<(Key, Node)>,
    /// Every id `rules.only` and `rules.skip` name, where, and which key named it.
    rule_ids: Vec<(String, Pos, &'static str)>,
}

/// The `gate:` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GateConfig {
    /// `fail_on`: a severity name.
    pub fail_on: Option<super::Severity>,
    /// `allow_errors`.
    pub allow_errors: Option<bool>,
    /// `exit_zero`.
    pub exit_zero: Option<bool>,
}

/// The `org:` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OrgConfig {
    /// `role_name`.
    pub role_name: Option<String>,
    /// `role_arn_template`.
    pub role_arn_template: Option<String>,
    /// `external_id`.
    pub external_id: Option<String>,
    /// `accounts`.
    pub accounts: Vec<String>,
    /// `exclude_accounts`.
    pub exclude_accounts: Vec<String>,
}

impl Config {
    /// Reads and checks a config file.
    pub fn load(path: &Path) -> Result<Config, Problems> {
        let file = SourceFile::read(path, InputKind::Config)?;
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        Self::parse(&file.name, &file.text, &base)
    }

    /// Parses config text; relative folders are resolved against `base`.
    pub fn parse(name: &str, text: &str, base: &Path) -> Result<Config, Problems> {
        let file = Arc::new(SourceFile {
            name: name.to_owned(),
            text: text.to_owned(),
        });
        let mut problems = Vec::new();
        let doc = yaml::parse(text).map_err(|e| Problems {
            problems: vec![syntax_diagnostic(&file, &e)],
        })?;
        let mut config = Config {
            file: Arc::clone(&file),
            rule_dirs: Vec::new(),
            only: Vec::new(),
            skip: Vec::new(),
            no_builtin: false,
            gate: GateConfig::default(),
            waivers: None,
            regions: Vec::new(),
            org: OrgConfig::default(),
            parameters: Vec::new(),
            rule_ids: Vec::new(),
        };
        let entries: &[(Key, Node)] = match &doc.value {
            yaml::Value::Null => &[],
            yaml::Value::Map(m) => m,
            _ => {
                problems.push(Diagnostic::new(
                    ProblemKind::InvalidValue,
                    &file,
                    doc.pos,
                    "the config file is a mapping",
                ));
                return Err(Problems { problems });
            }
        };
        check_keys(&file, entries, TOP_KEYS, "config file", &mut problems);
        for (key, value) in entries {
            match key.name.as_str() {
                "rules" => config.read_rules(value, base, &mut problems),
                "org" => {
                    sub_keys(&file, value, ORG_KEYS, "`org`", &mut problems);
                    config.read_org(value, &mut problems);
                }
                "gate" => {
                    sub_keys(&file, value, GATE_KEYS, "`gate`", &mut problems);
                    config.read_gate(value, &mut problems);
                }
                "waivers" => match value.as_str() {
                    Some(path) => config.waivers = Some(base.join(path)),
                    None => problems.push(Diagnostic::new(
                        ProblemKind::InvalidValue,
                        &file,
                        value.pos,
                        "`waivers` is the path of a waivers file",
                    )),
                },
                "regions" => match string_list(value) {
                    Some(list) => config.regions = list,
                    None => problems.push(Diagnostic::new(
                        ProblemKind::InvalidValue,
                        &file,
                        value.pos,
                        "`regions` is a list of region names",
                    )),
                },
                "parameters" => match value.as_map() {
                    Some(m) => config.parameters = m.to_vec(),
                    None => problems.push(Diagnostic::new(
                        ProblemKind::InvalidValue,
                        &file,
                        value.pos,
                        "`parameters` maps rule ids (or shared parameter names) to values",
                    )),
                },
                _ => {}
            }
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(Problems { problems })
        }
    }

    fn read_gate(&mut self, value: &Node, problems: &mut Vec<Diagnostic>) {
        for (key, v) in value.as_map().unwrap_or_default() {
            let flag = || match v.value {
                yaml::Value::Bool(b) => Some(b),
                _ => None,
            };
            let bad =
                |what: &str| Diagnostic::new(ProblemKind::InvalidValue, &self.file, v.pos, what);
            match key.name.as_str() {
                "fail_on" => match v.as_str().and_then(super::Severity::parse) {
                    Some(sev) => self.gate.fail_on = Some(sev),
                    None => problems.push(bad(
                        "`gate.fail_on` is a severity: info, low, medium, high or critical",
                    )),
                },
                "allow_errors" => match flag() {
                    Some(b) => self.gate.allow_errors = Some(b),
                    None => problems.push(bad("`gate.allow_errors` is true or false")),
                },
                "exit_zero" => match flag() {
                    Some(b) => self.gate.exit_zero = Some(b),
                    None => problems.push(bad("`gate.exit_zero` is true or false")),
                },
                _ => {}
            }
        }
    }

    fn read_org(&mut self, value: &Node, problems: &mut Vec<Diagnostic>) {
        for (key, v) in value.as_map().unwrap_or_default() {
            let bad =
                |what: &str| Diagnostic::new(ProblemKind::InvalidValue, &self.file, v.pos, what);
            match key.name.as_str() {
                "role_name" | "role_arn_template" | "external_id" => match v.as_str() {
                    Some(text) => {
                        let slot = match key.name.as_str() {
                            "role_name" => &mut self.org.role_name,
                            "role_arn_template" => &mut self.org.role_arn_template,
                            _ => &mut self.org.external_id,
                        };
                        *slot = Some(text.to_owned());
                    }
                    None => problems.push(bad(&format!("`org.{}` is a string", key.name))),
                },
                "accounts" | "exclude_accounts" => match string_list(v) {
                    Some(list) if key.name == "accounts" => self.org.accounts = list,
                    Some(list) => self.org.exclude_accounts = list,
                    None => problems.push(bad(&format!(
                        "`org.{}` is a list of quoted account ids",
                        key.name
                    ))),
                },
                _ => {}
            }
        }
    }

    fn read_rules(&mut self, value: &Node, base: &Path, problems: &mut Vec<Diagnostic>) {
        let Some(entries) = value.as_map() else {
            problems.push(Diagnostic::new(
                ProblemKind::InvalidValue,
                &self.file,
                value.pos,
                "`rules` is a mapping `{dirs, only, skip, no_builtin}`",
            ));
            return;
        };
        check_keys(&self.file, entries, RULES_KEYS, "`rules`", problems);
        for (key, v) in entries {
            let list = || -> Option<Vec<String>> {
                v.as_seq()?
                    .iter()
                    .map(|i| i.as_str().map(str::to_owned))
                    .collect()
            };
            match key.name.as_str() {
                "dirs" | "only" | "skip" => match list() {
                    Some(items) => match key.name.as_str() {
                        "dirs" => {
                            self.rule_dirs = items.into_iter().map(|d| base.join(d)).collect()
                        }
                        name => {
                            let which = if name == "only" {
                                "rules.only"
                            } else {
                                "rules.skip"
                            };
                            let nodes = v.as_seq().unwrap_or_default();
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
                    },
                    None => problems.push(Diagnostic::new(
                        ProblemKind::InvalidValue,
                        &self.file,
                        v.pos,
                        format!("`rules.{}` is a list of strings", key.name),
                    )),
                },
                "no_builtin" => match v.value {
                    yaml::Value::Bool(b) => self.no_builtin = b,
                    _ => problems.push(Diagnostic::new(
                        ProblemKind::InvalidValue,
                        &self.file,
                        v.pos,
                        "`rules.no_builtin` is true or false",
                    )),
                },
                _ => {}
            }
        }
    }

    /// Applies `parameters:` to the loaded rules (per rule id, or shared by parameter name)
    /// and checks the ids `rules.only` / `rules.skip` name. Every unknown id, undeclared
    /// parameter or wrongly typed value is a problem at its line in this file.
    pub fn apply(&self, rules: &mut RuleSet) -> Result<(), Problems> {
        let mut problems = Vec::new();
        let ids: Vec<String> = rules.iter().map(|r| r.id.clone()).collect();
        self.check_rule_ids(&ids, &mut problems);
        for (key, value) in &self.parameters {
            if looks_like_rule_id(&key.name) {
                let Some(rule) = rules.iter_mut().find(|r| r.id == key.name) else {
                    let help = did_you_mean(&key.name, ids.iter().map(String::as_str));
                    problems.push(
                        Diagnostic::new(
                            ProblemKind::BadParameter,
                            &self.file,
                            key.pos,
                            format!("no loaded rule has the id `{}`", key.name),
                        )
                        .help_opt(help),
                    );
                    continue;
                };
                let Some(entries) = value.as_map() else {
                    problems.push(Diagnostic::new(
                        ProblemKind::BadParameter,
                        &self.file,
                        value.pos,
                        format!("`{}` maps parameter names to values", key.name),
                    ));
                    continue;
                };
                for (pk, pv) in entries {
                    let declared: Vec<String> = rule.parameters.keys().cloned().collect();
                    match rule.parameters.get_mut(&pk.name) {
                        None => {
                            let help = did_you_mean(&pk.name, declared.iter().map(String::as_str))
                                .or_else(|| {
                                    Some(if declared.is_empty() {
                                        format!("{} declares no parameters", rule.id)
                                    } else {
                                        format!("{} declares: {}", rule.id, declared.join(", "))
                                    })
                                });
                            problems.push(
                                Diagnostic::new(
                                    ProblemKind::BadParameter,
                                    &self.file,
                                    pk.pos,
                                    format!("rule {} has no parameter `{}`", rule.id, pk.name),
                                )
                                .help_opt(help),
                            );
                        }
                        Some(param) => match declared_value(pv, param) {
                            Ok(v) => param.value = v,
                            Err(e) => problems.push(Diagnostic::new(
                                ProblemKind::BadParameter,
                                &self.file,
                                pv.pos,
                                format!("{}.{}: {e}", rule.id, pk.name),
                            )),
                        },
                    }
                }
            } else {
                let mut declared_anywhere = false;
                for rule in rules.iter_mut() {
                    if let Some(param) = rule.parameters.get_mut(&key.name) {
                        declared_anywhere = true;
                        match declared_value(value, param) {
                            Ok(v) => param.value = v,
                            Err(e) => {
                                problems.push(Diagnostic::new(
                                    ProblemKind::BadParameter,
                                    &self.file,
                                    value.pos,
                                    format!(
                                        "`{}` (shared, declared by {}): {e}",
                                        key.name, rule.id
                                    ),
                                ));
                                break;
                            }
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
                    problems.push(
                        Diagnostic::new(
                            ProblemKind::BadParameter,
                            &self.file,
                            key.pos,
                            format!("no loaded rule declares a parameter `{}`", key.name),
                        )
                        .help_opt(help),
                    );
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(Problems { problems })
        }
    }

    /// Every id `rules.only` / `rules.skip` names must be a loaded rule's.
    fn check_rule_ids(&self, ids: &[String], problems: &mut Vec<Diagnostic>) {
        for (id, pos, which) in &self.rule_ids {
            if !ids.contains(id) {
                let help = did_you_mean(id, ids.iter().map(String::as_str));
                problems.push(
                    Diagnostic::new(
                        ProblemKind::UnknownRuleId,
                        &self.file,
                        *pos,
                        format!("`{which}` names `{id}`, but no loaded rule has that id"),
                    )
                    .help_opt(help),
                );
            }
        }
    }
}

fn looks_like_rule_id(name: &str) -> bool {
    name.contains('-') && name.starts_with(|c: char| c.is_ascii_uppercase())
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_and_gate_sections() {
        let text = "regions: [us-east-1, eu-west-1]\norg:\n  role_name: Audit\n  exclude_accounts: [\"111111111111\"]\ngate: { fail_on: high, allow_errors: true }\nwaivers: w.yaml\n";
        let c = Config::parse("t.yaml", text, Path::new("/etc/tg")).expect("valid");
        assert_eq!(c.regions, ["us-east-1", "eu-west-1"]);
        assert_eq!(c.org.role_name.as_deref(), Some("Audit"));
        assert_eq!(c.org.exclude_accounts, ["111111111111"]);
        assert_eq!(c.gate.fail_on, Some(crate::rules::Severity::High));
        assert_eq!(c.gate.allow_errors, Some(true));
        assert_eq!(c.waivers, Some(PathBuf::from("/etc/tg/w.yaml")));
        let bad = Config::parse(
            "t.yaml",
            "org: { accounts: [111111111111] }\nregions: eu\n",
            Path::new("."),
        );
        let problems = bad.expect_err("invalid").problems;
        assert_eq!(problems.len(), 2, "{problems:?}");
    }
}
