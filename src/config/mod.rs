//! `trailguard.yaml`, the config file: strict like rule files, so a typo anywhere is an error
//! at `file:line:col`. It holds defaults for a run — the scan scope (`regions:`, `org:`), the
//! rule selection (`rules:`), parameter overrides (`parameters:`), the gate (`gate:`) and the
//! waivers file (`waivers:`). The settings merge it with the flags (flags win); the parameter
//! overrides are applied to the loaded rules by [`Config::apply`].

mod sections;

pub use sections::{GateConfig, OrgConfig};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::document::yaml::{self, Key, Node, Pos};
use crate::document::{Diagnostic, ProblemKind, Problems, SourceFile, did_you_mean};
use crate::document::{check_keys, syntax_diagnostic};
use crate::files::read::InputKind;
use crate::rules::{RuleSet, apply_overrides};
use sections::Reader;

const TOP_KEYS: &[&str] = &["regions", "org", "rules", "parameters", "gate", "waivers"];

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
        let doc = yaml::parse(text).map_err(|e| Problems {
            problems: vec![syntax_diagnostic(&file, &e)],
        })?;
        let entries: &[(Key, Node)] = match &doc.value {
            yaml::Value::Null => &[],
            yaml::Value::Map(m) => m,
            _ => {
                let not_a_map = Diagnostic::new(
                    ProblemKind::InvalidValue,
                    &file,
                    doc.pos,
                    "the config file is a mapping",
                );
                return Err(Problems {
                    problems: vec![not_a_map],
                });
            }
        };
        let mut config = Config::empty(Arc::clone(&file));
        let mut problems = Vec::new();
        check_keys(&file, entries, TOP_KEYS, "config file", &mut problems);
        let mut reader = Reader {
            file: &file,
            problems: &mut problems,
        };
        for (key, value) in entries {
            config.read_section(&mut reader, key, value, base);
        }
        if problems.is_empty() {
            Ok(config)
        } else {
            Err(Problems { problems })
        }
    }

    fn empty(file: Arc<SourceFile>) -> Config {
        Config {
            file,
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
        }
    }

    /// Reads one top-level entry (unknown keys were reported by the caller).
    fn read_section(&mut self, reader: &mut Reader<'_>, key: &Key, value: &Node, base: &Path) {
        match key.name.as_str() {
            "rules" => {
                let rules = reader.rules(value, base);
                self.rule_dirs = rules.dirs;
                self.only = rules.only;
                self.skip = rules.skip;
                self.no_builtin = rules.no_builtin;
                self.rule_ids = rules.ids;
            }
            "org" => self.org = reader.org(value),
            "gate" => self.gate = reader.gate(value),
            "waivers" => {
                self.waivers = reader.path(value, base, "`waivers` is the path of a waivers file");
            }
            "regions" => {
                let what = "`regions` is a list of region names";
                self.regions = reader.string_list(value, what).unwrap_or_default();
            }
            "parameters" => match value.as_map() {
                Some(m) => self.parameters = m.to_vec(),
                None => reader.problems.push(Diagnostic::new(
                    ProblemKind::InvalidValue,
                    &self.file,
                    value.pos,
                    "`parameters` maps rule ids (or shared parameter names) to values",
                )),
            },
            _ => {}
        }
    }

    /// Applies `parameters:` to the loaded rules (per rule id, or shared by parameter name)
    /// and checks the ids `rules.only` / `rules.skip` name. Every unknown id, undeclared
    /// parameter or wrongly typed value is a problem at its line in this file.
    pub fn apply(&self, rules: &mut RuleSet) -> Result<(), Problems> {
        let mut problems = Vec::new();
        let ids: Vec<String> = rules.iter().map(|r| r.id.clone()).collect();
        self.check_rule_ids(&ids, &mut problems);
        apply_overrides(rules, &self.file, &self.parameters, &mut problems);
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
        assert_eq!(c.gate.fail_on, Some(crate::vocabulary::Severity::High));
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

    #[test]
    fn rule_selection_section() {
        // Ids in any case name the same rules (printed canonical, upper case).
        let text = "rules:\n  dirs: [policies]\n  only: [CT-A01, ct-a02]\n  skip: [Ct-B08]\n  no_builtin: true\n";
        let c = Config::parse("t.yaml", text, Path::new("/etc/tg")).expect("valid");
        assert_eq!(c.rule_dirs, [PathBuf::from("/etc/tg/policies")]);
        assert_eq!(c.only, ["CT-A01", "CT-A02"]);
        assert_eq!(c.skip, ["CT-B08"]);
        assert!(c.no_builtin);
        let ids: Vec<(&str, usize, &str)> = c
            .rule_ids
            .iter()
            .map(|(id, pos, which)| (id.as_str(), pos.line, *which))
            .collect();
        assert_eq!(
            ids,
            [
                ("CT-A01", 3, "rules.only"),
                ("CT-A02", 3, "rules.only"),
                ("CT-B08", 4, "rules.skip")
            ]
        );
    }
}
