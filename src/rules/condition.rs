//! The condition tree: a closed set of nodes, each one enum variant and one match arm.

use std::fmt;
use std::sync::Arc;

use crate::inventory::Timestamp;

use super::events::EventRecord;
use super::filter_texts::FilterTexts;
use super::params::Duration;

/// A condition of a rule's `when` or `check`.
#[derive(Debug, Clone)]
pub enum Condition {
    /// Every item holds.
    All(Vec<Condition>),
    /// At least one item holds.
    Any(Vec<Condition>),
    /// The item does not hold.
    Not(Box<Condition>),
    /// A quantifier over a list.
    Quantified(Box<Quantified>),
    /// A test of one value.
    Leaf(Leaf),
    /// A shared condition (`{ use: NAME }`), expanded where it is used.
    Use(Box<Used>),
}

impl Condition {
    /// The paths of the subject whose values the condition's leaves test, dotted from the
    /// subject's root (a leaf inside a quantifier over `trails` testing `status.is_logging`
    /// reads `trails.status.is_logging`). A quantifier's list itself is only walked: its
    /// elements are read by the leaves below it. Parameters are not paths.
    pub fn paths(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.paths_under("", &mut out);
        out
    }

    fn paths_under(&self, prefix: &str, out: &mut Vec<String>) {
        let under = |path: &str| match (prefix.is_empty(), path.is_empty()) {
            (true, _) => path.to_owned(),
            (false, true) => prefix.to_owned(),
            (false, false) => format!("{prefix}.{path}"),
        };
        match self {
            Condition::All(items) | Condition::Any(items) => {
                items.iter().for_each(|c| c.paths_under(prefix, out));
            }
            Condition::Not(inner) => inner.paths_under(prefix, out),
            Condition::Quantified(q) => q.condition.paths_under(&under(&q.path), out),
            Condition::Leaf(Leaf {
                subject: LeafSubject::Path(path),
                ..
            }) => out.push(under(path)),
            Condition::Leaf(_) => {}
            Condition::Use(used) => used.condition.paths_under(prefix, out),
        }
    }
}

/// A shared condition where a rule uses it: its name and meaning (for `rules explain`) and
/// its condition, parsed at the place of use.
#[derive(Debug, Clone)]
pub struct Used {
    /// The condition's name.
    pub name: String,
    /// What it means.
    pub description: String,
    /// The file it comes from.
    pub source: String,
    /// The condition.
    pub condition: Condition,
}

/// `any` / `all` / `none` over the elements of a list.
#[derive(Debug, Clone)]
pub struct Quantified {
    /// Which quantifier.
    pub quantifier: Quantifier,
    /// The list, relative to the current subject or element.
    pub path: String,
    /// The condition each element is tested with.
    pub condition: Condition,
    /// For `any`: how many elements must hold (default 1).
    pub at_least: u32,
    /// For `all` / `none`: what an empty list means.
    pub if_empty: Option<IfEmpty>,
}

/// A quantifier.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    /// ∃ (at least N).
    Any,
    /// ∀.
    All,
    /// ¬∃.
    None,
}

impl Quantifier {
    /// The YAML key.
    pub fn as_str(self) -> &'static str {
        match self {
            Quantifier::Any => "any",
            Quantifier::All => "all",
            Quantifier::None => "none",
        }
    }
}

/// What an empty list means for `all` / `none`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IfEmpty {
    /// The quantifier holds.
    Pass,
    /// The quantifier does not hold.
    Fail,
    /// The rule does not apply.
    NotApplicable,
}

impl IfEmpty {
    /// The YAML value.
    pub fn as_str(self) -> &'static str {
        match self {
            IfEmpty::Pass => "pass",
            IfEmpty::Fail => "fail",
            IfEmpty::NotApplicable => "not_applicable",
        }
    }
}

/// What a leaf tests: a field of the subject or element, or a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LeafSubject {
    /// A dotted path.
    Path(String),
    /// A rule parameter.
    Param(String),
}

impl fmt::Display for LeafSubject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LeafSubject::Path(p) => f.write_str(p),
            LeafSubject::Param(p) => write!(f, "param {p}"),
        }
    }
}

/// A leaf operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// Present and equal.
    Equals,
    /// Absent or different.
    NotEquals,
    /// Present and equal to one of a list.
    OneOf,
    /// Present (`true`) / absent (`false`).
    Exists,
    /// Null, `""`, `[]` or `{}` (`true`) / the opposite.
    Empty,
    /// A list has the element, a map the key, a string the substring.
    Contains,
    /// The whole string matches a regex.
    Matches,
    /// Greater than.
    Gt,
    /// Greater than or equal.
    Gte,
    /// Less than.
    Lt,
    /// Less than or equal.
    Lte,
    /// A CloudWatch Logs filter pattern that matches every record of one event set (and
    /// none of another).
    MatchesEvents,
    /// A filter pattern that is, whitespace aside, one of the rule's `filter_texts` of a key.
    EqualsFilterText,
}

impl Op {
    /// Every operator.
    pub const ALL: &'static [Op] = &[
        Op::Equals,
        Op::NotEquals,
        Op::OneOf,
        Op::Exists,
        Op::Empty,
        Op::Contains,
        Op::Matches,
        Op::Gt,
        Op::Gte,
        Op::Lt,
        Op::Lte,
        Op::MatchesEvents,
        Op::EqualsFilterText,
    ];

    /// The YAML key.
    pub fn as_str(self) -> &'static str {
        match self {
            Op::Equals => "equals",
            Op::NotEquals => "not_equals",
            Op::OneOf => "one_of",
            Op::Exists => "exists",
            Op::Empty => "empty",
            Op::Contains => "contains",
            Op::Matches => "matches",
            Op::Gt => "gt",
            Op::Gte => "gte",
            Op::Lt => "lt",
            Op::Lte => "lte",
            Op::MatchesEvents => "matches_events",
            Op::EqualsFilterText => "equals_filter_text",
        }
    }

    /// Parses a YAML key.
    pub fn parse(text: &str) -> Option<Op> {
        Self::ALL.iter().copied().find(|o| o.as_str() == text)
    }

    /// Words for `rules explain` and evidence.
    pub fn words(self) -> &'static str {
        match self {
            Op::Equals => "equals",
            Op::NotEquals => "does not equal",
            Op::OneOf => "is one of",
            Op::Exists => "exists",
            Op::Empty => "is empty",
            Op::Contains => "contains",
            Op::Matches => "matches",
            Op::Gt => ">",
            Op::Gte => ">=",
            Op::Lt => "<",
            Op::Lte => "<=",
            Op::MatchesEvents => "is a filter pattern matching",
            Op::EqualsFilterText => "is, whitespace aside, the filter text of",
        }
    }
}

/// A literal value in a rule.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// A bool.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A number.
    Number(f64),
    /// A string (or enum value).
    String(String),
    /// A point in time.
    Timestamp(Timestamp),
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::Int(i) => write!(f, "{i}"),
            Literal::Number(n) => write!(f, "{n}"),
            // An empty string would print as nothing (`equals `).
            Literal::String(s) if s.is_empty() => f.write_str("\"\""),
            Literal::String(s) => write!(f, "{s}"),
            Literal::Timestamp(t) => write!(f, "{t}"),
        }
    }
}

/// A duration, written or from a parameter.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DurationRef {
    /// Written in the rule.
    Fixed(Duration),
    /// A `duration` parameter.
    Param(String),
}

/// The right-hand side of a leaf.
#[derive(Debug, Clone)]
pub enum Operand {
    /// `true` / `false` of `exists` / `empty`.
    Flag(bool),
    /// One literal.
    Literal(Literal),
    /// The literals of `one_of`.
    List(Vec<Literal>),
    /// `{param: NAME}`.
    Param(String),
    /// `{now_minus: DURATION}`.
    NowMinus(DurationRef),
    /// A compiled, anchored regex, with its text.
    Regex(regex_lite::Regex, String),
    /// The event sets of `matches_events`.
    Events(EventsOperand),
    /// The texts of `equals_filter_text`.
    FilterText(FilterTextOperand),
}

/// `equals_filter_text`: which of the rule's filter texts a pattern must be.
#[derive(Debug, Clone)]
pub struct FilterTextOperand {
    /// The key (e.g. `5.0.0`), or the `string` parameter that holds it.
    pub key: TextKey,
    /// Every filter text of the rule, by key, whitespace-normalised.
    pub texts: Arc<FilterTexts>,
}

/// The key of `equals_filter_text`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextKey {
    /// Written in the rule.
    Literal(String),
    /// A `string` parameter (`{param: cis_version}`).
    Param(String),
}

/// `matches_events`: the rule's event sets a filter pattern is judged against.
#[derive(Debug, Clone)]
pub struct EventsOperand {
    /// The set every record of which the pattern must match, by name.
    pub all_of: (String, Arc<[EventRecord]>),
    /// The set no record of which it may match, by name.
    pub none_of: Option<(String, Arc<[EventRecord]>)>,
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Flag(b) => write!(f, "{b}"),
            Operand::Literal(l) => write!(f, "{l}"),
            Operand::List(items) => {
                let parts: Vec<String> = items.iter().map(ToString::to_string).collect();
                write!(f, "[{}]", parts.join(", "))
            }
            Operand::Param(p) => write!(f, "{{param: {p}}}"),
            Operand::NowMinus(DurationRef::Fixed(d)) => write!(f, "now - {}", d.text),
            Operand::NowMinus(DurationRef::Param(p)) => write!(f, "now - {{param: {p}}}"),
            Operand::Regex(_, text) => write!(f, "/{text}/"),
            Operand::FilterText(t) => match &t.key {
                TextKey::Literal(key) => write!(f, "`{key}`"),
                TextKey::Param(p) => write!(f, "{{param: {p}}}"),
            },
            Operand::Events(e) => {
                write!(f, "every event of `{}`", e.all_of.0)?;
                match &e.none_of {
                    Some((name, _)) => write!(f, " and no event of `{name}`"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// A test of one value.
#[derive(Debug, Clone)]
pub struct Leaf {
    /// What is tested.
    pub subject: LeafSubject,
    /// How.
    pub op: Op,
    /// Against what.
    pub operand: Operand,
}

impl Leaf {
    /// The expectation as shown in evidence, e.g. `equals true`.
    pub fn expected(&self) -> String {
        match (&self.op, &self.operand) {
            (Op::Exists, Operand::Flag(false)) => "absent".to_owned(),
            (Op::Exists, Operand::Flag(true)) => "present".to_owned(),
            (Op::Empty, Operand::Flag(true)) => "empty".to_owned(),
            (Op::Empty, Operand::Flag(false)) => "not empty".to_owned(),
            (op, operand) => format!("{} {operand}", op.words()),
        }
    }
}
