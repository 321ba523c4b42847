//! Rules: loading the built-in pack (embedded at compile time) and user rule folders, in two
//! layers — raw located YAML ([`crate::document::yaml`]) → validated domain types ([`Rule`],
//! [`Condition`]) — with every problem reported at `file:line:col`
//! ([`crate::document::diagnostic`]). Field paths are validated
//! against the subject types of [`view`], generated from the inventory types ([`fields`]).
//!
//! The language itself is documented in `docs/rule-language.md`.

mod builtin;
mod condition;
pub mod config;
pub mod explain;
pub mod fields;
mod load;
mod model;
mod operand;
mod params;
mod parse;
mod parse_condition;
mod testcase;
pub mod view;
mod walk;

/// The diagnostics of rule files, re-exported for callers that name them through the rules.
pub use crate::document::{Diagnostic, ProblemKind, Problems, SourceFile};
/// The located YAML and diagnostics now live in [`crate::document`]; these paths are kept for
/// callers not yet moved (`collect/profile.rs`, `app/pipeline.rs`).
pub use crate::document::{diagnostic, yaml};
/// A rule's severity and scope, re-exported for callers that name them through the rules.
pub use crate::vocabulary::{Scope, Severity};
pub use condition::{
    Condition, DurationRef, IfEmpty, Leaf, LeafSubject, Literal, Op, Operand, Quantified,
    Quantifier,
};
pub use config::Config;
pub use load::{Loaded, load, load_builtin, load_for_evaluation, parse_str};
pub use model::{
    Duration, FRAMEWORKS, ParamType, ParamValue, Parameter, Remediation, Rule, TestCase,
};
pub use parse::DEFAULT_TEST_NOW;

/// A set of loaded rules, sorted by id.
#[derive(Debug, Clone, Default)]
pub struct RuleSet {
    rules: Vec<Rule>,
}

impl RuleSet {
    /// A rule set from rules (sorted by id).
    pub fn new(mut rules: Vec<Rule>) -> Self {
        rules.sort_by(|a, b| a.id.cmp(&b.id));
        RuleSet { rules }
    }

    /// The rules, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Rule> {
        self.rules.iter()
    }

    /// Mutable access, for applying parameter overrides.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Rule> {
        self.rules.iter_mut()
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }

    /// How many rules.
    pub fn len(&self) -> usize {
        self.rules.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// Keeps the rules that pass `keep`.
    pub fn retain(&mut self, keep: impl FnMut(&Rule) -> bool) {
        self.rules.retain(keep);
    }
}
