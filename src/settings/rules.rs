//! `trailguard rules …`: the sub-command, with its enums already domain types.

use std::path::PathBuf;

use crate::cli::{ListFormat, RuleSource, RulesCommand};
use crate::rules::{Scope, Severity};

use super::evaluation::Folders;

/// A `rules` sub-command, resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RulesTask {
    /// A table of the rules.
    List {
        /// Where the rules come from.
        folders: Folders,
        /// Only rules mapped to this framework id.
        framework: Option<String>,
        /// `--severity-min`: only rules of at least this severity.
        severity_min: Option<Severity>,
        /// `--severity`: only rules of exactly this severity.
        severity: Option<Severity>,
        /// Table or JSON.
        format: ListFormat,
    },
    /// Everything about one rule.
    Explain {
        /// The rule id.
        id: String,
        /// Where the rules come from.
        folders: Folders,
    },
    /// Load rule folders and report every problem.
    Validate {
        /// The folders (the built-in pack is not loaded).
        dirs: Vec<PathBuf>,
    },
    /// Run the test cases embedded in rules.
    Test {
        /// A rule folder; `None` is the built-in pack.
        dir: Option<PathBuf>,
    },
    /// The paths a rule of a scope may use.
    Fields {
        /// The scope.
        scope: Scope,
        /// Table or JSON.
        format: ListFormat,
    },
}

impl From<&RulesCommand> for RulesTask {
    fn from(command: &RulesCommand) -> RulesTask {
        match command {
            RulesCommand::List {
                source,
                framework,
                severity_min,
                severity,
                output,
            } => RulesTask::List {
                folders: source.into(),
                framework: framework.clone(),
                severity_min: *severity_min,
                severity: *severity,
                format: *output,
            },
            RulesCommand::Explain { id, source } => RulesTask::Explain {
                id: id.clone(),
                folders: source.into(),
            },
            RulesCommand::Validate { dirs } => RulesTask::Validate { dirs: dirs.clone() },
            RulesCommand::Test { dir } => RulesTask::Test { dir: dir.clone() },
            RulesCommand::Fields { scope, output } => RulesTask::Fields {
                scope: *scope,
                format: *output,
            },
        }
    }
}

impl From<&RuleSource> for Folders {
    fn from(source: &RuleSource) -> Folders {
        Folders {
            builtin: !source.no_builtin,
            dirs: source.rules.clone(),
        }
    }
}
