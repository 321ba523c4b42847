//! Runs a parsed JSON filter pattern against one JSON log event (a CloudTrail record).

use std::cmp::Ordering;

use serde_json::Value;

use super::ast::{Check, Expr, JsonPattern, Operator, Test};

impl JsonPattern {
    /// Whether the pattern matches `event`.
    pub fn matches(&self, event: &Value) -> bool {
        self.expr.matches(event)
    }
}

impl Expr {
    /// Whether the expression holds for `event`. Recursion is bounded by the parser's
    /// nesting limit.
    pub fn matches(&self, event: &Value) -> bool {
        match self {
            Expr::Or(terms) => terms.iter().any(|t| t.matches(event)),
            Expr::And(terms) => terms.iter().all(|t| t.matches(event)),
            Expr::Test(test) => test.matches(event),
        }
    }
}

impl Test {
    /// Whether the test holds for `event`. With a wildcard selector it holds when it holds
    /// for any one selected node (and `NOT EXISTS` when no node is selected at all).
    pub fn matches(&self, event: &Value) -> bool {
        let nodes = self.selector.select(event);
        match &self.check {
            Check::NotExists => nodes.is_empty(),
            Check::IsNull => nodes.iter().any(|n| n.is_null()),
            Check::IsTrue => nodes.iter().any(|n| **n == Value::Bool(true)),
            Check::IsFalse => nodes.iter().any(|n| **n == Value::Bool(false)),
            Check::Compare(op, operand) => nodes.iter().any(|n| {
                let ordering = || operand.order(n);
                match op {
                    Operator::Eq => operand.equals(n) == Some(true),
                    // A missing property, or one that is not a string or number, does not
                    // match `!=` either (see the module documentation).
                    Operator::Ne => operand.equals(n) == Some(false),
                    Operator::Lt => ordering() == Some(Ordering::Less),
                    Operator::Le => matches!(ordering(), Some(Ordering::Less | Ordering::Equal)),
                    Operator::Gt => ordering() == Some(Ordering::Greater),
                    Operator::Ge => {
                        matches!(ordering(), Some(Ordering::Greater | Ordering::Equal))
                    }
                }
            }),
        }
    }
}
