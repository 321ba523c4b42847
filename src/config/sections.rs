//! The sections of the config file and their readers: a wrongly typed value is a problem at
//! its position, and reading goes on, so every problem is reported in one run.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::document::check_keys;
use crate::document::yaml::{self, Key, Node, Pos};
use crate::document::{Diagnostic, ProblemKind, SourceFile};
use crate::vocabulary::Severity;

const RULES_KEYS: &[&str] = &["dirs", "only", "skip", "no_builtin"];
const ORG_KEYS: &[&str] = &[
    "role_name",
    "role_arn_template",
    "external_id",
    "accounts",
    "exclude_accounts",
];
const GATE_KEYS: &[&str] = &["fail_on", "allow_errors", "exit_zero"];

/// The `gate:` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GateConfig {
    /// `fail_on`: a severity name.
    pub fail_on: Option<Severity>,
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

/// The `rules:` section.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(super) struct RulesConfig {
    /// `dirs`, resolved against the config file's folder.
    pub dirs: Vec<PathBuf>,
    /// `only`.
    pub only: Vec<String>,
    /// `skip`.
    pub skip: Vec<String>,
    /// `no_builtin`.
    pub no_builtin: bool,
    /// Every id `only` and `skip` name, where, and which key named it.
    pub ids: Vec<(String, Pos, &'static str)>,
}

/// Reads values of one file, collecting its problems.
pub(super) struct Reader<'a> {
    pub file: &'a Arc<SourceFile>,
    pub problems: &'a mut Vec<Diagnostic>,
}

impl Reader<'_> {
    fn invalid(&mut self, value: &Node, message: impl Into<String>) {
        self.problems.push(Diagnostic::new(
            ProblemKind::InvalidValue,
            self.file,
            value.pos,
            message,
        ));
    }

    /// The entries of a mapping section; anything else is a problem.
    fn section<'n>(&mut self, value: &'n Node, allowed: &[&str], what: &str) -> &'n [(Key, Node)] {
        match value.as_map() {
            Some(entries) => {
                check_keys(self.file, entries, allowed, what, self.problems);
                entries
            }
            None => {
                self.invalid(value, format!("{what} is a mapping"));
                &[]
            }
        }
    }

    /// A list of strings (account ids must be quoted: YAML reads 012… as a number).
    pub fn string_list(&mut self, value: &Node, what: &str) -> Option<Vec<String>> {
        let list = value.as_seq().and_then(|items| {
            items
                .iter()
                .map(|i| i.as_str().map(str::to_owned))
                .collect()
        });
        if list.is_none() {
            self.invalid(value, what);
        }
        list
    }

    /// A path, resolved against `base`.
    pub fn path(&mut self, value: &Node, base: &Path, what: &str) -> Option<PathBuf> {
        let path = value.as_str().map(|p| base.join(p));
        if path.is_none() {
            self.invalid(value, what);
        }
        path
    }

    fn bool(&mut self, value: &Node, what: &str) -> Option<bool> {
        match value.value {
            yaml::Value::Bool(b) => Some(b),
            _ => {
                self.invalid(value, what);
                None
            }
        }
    }

    /// `gate: {fail_on, allow_errors, exit_zero}`.
    pub fn gate(&mut self, value: &Node) -> GateConfig {
        let mut gate = GateConfig::default();
        for (key, v) in self.section(value, GATE_KEYS, "`gate`") {
            match key.name.as_str() {
                "fail_on" => match v.as_str().and_then(Severity::parse) {
                    Some(sev) => gate.fail_on = Some(sev),
                    None => self.invalid(
                        v,
                        "`gate.fail_on` is a severity: info, low, medium, high or critical",
                    ),
                },
                "allow_errors" => {
                    gate.allow_errors = self.bool(v, "`gate.allow_errors` is true or false");
                }
                "exit_zero" => gate.exit_zero = self.bool(v, "`gate.exit_zero` is true or false"),
                _ => {}
            }
        }
        gate
    }

    /// `org: {role_name, role_arn_template, external_id, accounts, exclude_accounts}`.
    pub fn org(&mut self, value: &Node) -> OrgConfig {
        let mut org = OrgConfig::default();
        for (key, v) in self.section(value, ORG_KEYS, "`org`") {
            let name = key.name.as_str();
            let list = format!("`org.{name}` is a list of quoted account ids");
            match name {
                "role_name" => org.role_name = self.string(v, name),
                "role_arn_template" => org.role_arn_template = self.string(v, name),
                "external_id" => org.external_id = self.string(v, name),
                "accounts" => org.accounts = self.string_list(v, &list).unwrap_or_default(),
                "exclude_accounts" => {
                    org.exclude_accounts = self.string_list(v, &list).unwrap_or_default();
                }
                _ => {}
            }
        }
        org
    }

    fn string(&mut self, value: &Node, name: &str) -> Option<String> {
        let text = value.as_str().map(str::to_owned);
        if text.is_none() {
            self.invalid(value, format!("`org.{name}` is a string"));
        }
        text
    }

    /// `rules: {dirs, only, skip, no_builtin}`; `dirs` are resolved against `base`.
    pub fn rules(&mut self, value: &Node, base: &Path) -> RulesConfig {
        let mut rules = RulesConfig::default();
        let Some(entries) = value.as_map() else {
            self.invalid(
                value,
                "`rules` is a mapping `{dirs, only, skip, no_builtin}`",
            );
            return rules;
        };
        check_keys(self.file, entries, RULES_KEYS, "`rules`", self.problems);
        for (key, v) in entries {
            let name = key.name.as_str();
            let what = format!("`rules.{name}` is a list of strings");
            match name {
                "dirs" => {
                    let dirs = self.string_list(v, &what).unwrap_or_default();
                    rules.dirs = dirs.into_iter().map(|d| base.join(d)).collect();
                }
                "only" | "skip" => {
                    // Any case, like `--only` (`crate::cli::run::rule_id`): ids are upper case.
                    let ids: Vec<String> = (self.string_list(v, &what).unwrap_or_default())
                        .iter()
                        .map(|id| id.to_ascii_uppercase())
                        .collect();
                    let which = if name == "only" {
                        "rules.only"
                    } else {
                        "rules.skip"
                    };
                    let nodes = v.as_seq().unwrap_or_default();
                    rules.ids.extend(
                        ids.iter()
                            .zip(nodes)
                            .map(|(id, node)| (id.clone(), node.pos, which)),
                    );
                    *(if name == "only" {
                        &mut rules.only
                    } else {
                        &mut rules.skip
                    }) = ids;
                }
                "no_builtin" => {
                    let flag = self.bool(v, "`rules.no_builtin` is true or false");
                    rules.no_builtin = flag.unwrap_or(false);
                }
                _ => {}
            }
        }
        rules
    }
}
