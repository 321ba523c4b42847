//! A parsed JSON filter pattern, and how it prints.
//!
//! Printing gives one canonical text per meaning-preserving spelling: strings are always
//! quoted, spacing is fixed, and parentheses appear only where precedence needs them (an `||`
//! inside an `&&`). Parsing that text gives the same tree back.

use std::fmt;

use super::operand::Operand;
use super::selector::Selector;

/// A JSON filter pattern: the expression between `{` and `}`.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonPattern {
    /// The expression.
    pub expr: Expr,
}

/// A boolean expression over property tests. Nested groups of the same operator are
/// flattened (`(a || b) || c` is `Or[a, b, c]`); every `Or` and `And` has two or more terms.
#[derive(Debug, Clone, PartialEq)]
pub enum Expr {
    /// `a || b || …`: true when any term is.
    Or(Vec<Expr>),
    /// `a && b && …`: true when every term is.
    And(Vec<Expr>),
    /// One test of one property.
    Test(Test),
}

/// One test of the nodes a selector reaches.
#[derive(Debug, Clone, PartialEq)]
pub struct Test {
    /// Which property.
    pub selector: Selector,
    /// What must hold of it.
    pub check: Check,
}

/// What a [`Test`] checks.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// `SELECTOR OPERATOR VALUE`.
    Compare(Operator, Operand),
    /// `IS NULL`: the property is present and JSON `null`.
    IsNull,
    /// `IS TRUE`: the property is JSON `true`.
    IsTrue,
    /// `IS FALSE`: the property is JSON `false`.
    IsFalse,
    /// `NOT EXISTS`: the property is absent.
    NotExists,
}

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
}

impl Operator {
    /// The operator as written.
    pub fn symbol(self) -> &'static str {
        match self {
            Operator::Eq => "=",
            Operator::Ne => "!=",
            Operator::Lt => "<",
            Operator::Le => "<=",
            Operator::Gt => ">",
            Operator::Ge => ">=",
        }
    }

    /// Whether the operator only compares numbers (`<`, `<=`, `>`, `>=`).
    pub fn is_numeric_only(self) -> bool {
        !matches!(self, Operator::Eq | Operator::Ne)
    }
}

impl fmt::Display for Operator {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.symbol())
    }
}

impl fmt::Display for JsonPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{ {} }}", self.expr)
    }
}

impl fmt::Display for Expr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expr::Or(terms) => join(f, terms, " || ", |_| false),
            Expr::And(terms) => join(f, terms, " && ", |t| matches!(t, Expr::Or(_))),
            Expr::Test(test) => write!(f, "{test}"),
        }
    }
}

/// Writes `terms` separated by `separator`, each in parentheses when `needs_parens` says so.
fn join(
    f: &mut fmt::Formatter<'_>,
    terms: &[Expr],
    separator: &str,
    needs_parens: impl Fn(&Expr) -> bool,
) -> fmt::Result {
    for (i, term) in terms.iter().enumerate() {
        if i > 0 {
            f.write_str(separator)?;
        }
        if needs_parens(term) {
            write!(f, "({term})")?;
        } else {
            write!(f, "{term}")?;
        }
    }
    Ok(())
}

impl fmt::Display for Test {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let selector = &self.selector;
        match &self.check {
            Check::Compare(op, value) => write!(f, "{selector} {op} {value}"),
            Check::IsNull => write!(f, "{selector} IS NULL"),
            Check::IsTrue => write!(f, "{selector} IS TRUE"),
            Check::IsFalse => write!(f, "{selector} IS FALSE"),
            Check::NotExists => write!(f, "{selector} NOT EXISTS"),
        }
    }
}
