//! Rules: loading the built-in pack (embedded at compile time) and user rule folders, in two
//! layers — raw located YAML ([`yaml`]) → validated domain types ([`Rule`], [`Condition`]) —
//! with every problem reported at `file:line:col` ([`diagnostic`]). Field paths are validated
//! against the subject types of [`view`], generated from the inventory types ([`fields`]).
//!
//! The language itself is documented in `docs/rule-language.md`.

mod builtin;
mod condition;
pub mod diagnostic;
pub mod explain;
pub mod fields;
mod load;
mod model;
mod operand;
mod overrides;
mod params;
mod parse;
mod parse_condition;
mod testcase;
pub mod view;
mod walk;
pub mod yaml;

pub use condition::{
    Condition, DurationRef, IfEmpty, Leaf, LeafSubject, Literal, Op, Operand, Quantified,
    Quantifier,
};
pub use diagnostic::{Diagnostic, ProblemKind, Problems, SourceFile};
pub use load::{Loaded, load, load_builtin, load_for_evaluation, parse_str};
pub use model::{
    Duration, FRAMEWORKS, ParamType, ParamValue, Parameter, Remediation, Rule, Scope, Severity,
    TestCase,
};
pub use overrides::apply_overrides;
pub use parse::DEFAULT_TEST_NOW;
/// Strict-YAML helpers shared by every file trailguard reads (rules, config, waivers).
pub(crate) use parse::{check_keys, syntax_diagnostic};

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
