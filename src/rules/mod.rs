//! Rules: loading the built-in pack (embedded at compile time) and user rule folders, in two
//! layers — raw located YAML ([`crate::document::yaml`]) → validated domain types ([`Rule`],
//! [`Condition`]) — with every problem reported at `file:line:col`
//! ([`crate::document::diagnostic`]). Field paths are validated
//! against the subject types of [`view`], generated from the inventory types ([`fields`]).
//!
//! The language itself is documented in `docs/rule-language.md`.

mod builtin;
mod condition;
mod context;
mod declare;
mod events;
pub mod explain;
pub mod fields;
mod filter_texts;
mod library;
mod load;
mod mapping;
mod model;
mod operand;
mod overrides;
mod params;
mod parse;
mod parse_condition;
mod shared;
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
    Condition, DurationRef, EventsOperand, FilterTextOperand, IfEmpty, Leaf, LeafSubject, Literal,
    Op, Operand, Quantified, Quantifier, TextKey, Used,
};
pub use events::{EventRecord, EventSets};
pub use filter_texts::FilterTexts;
pub use load::{Loaded, load, load_builtin, load_for_evaluation, parse_str};
pub use model::{FRAMEWORKS, Remediation, Rule, RuleSet, TestCase};
pub use overrides::apply_overrides;
pub use params::{Duration, ParamType, ParamValue, Parameter};
pub use testcase::DEFAULT_TEST_NOW;
