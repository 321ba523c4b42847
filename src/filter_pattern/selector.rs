//! Property selectors (`$.a.b`, `$.a[0]`, `$.a[*]`, `$.*`, `$.['a.b']`): their syntax and
//! the JSON nodes they select.

use std::fmt;

use serde_json::Value;

use super::error::{ParseError, ParseErrorKind};

/// A property selector: the path from the root of a JSON log event (`$`) to the nodes a test
/// looks at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Selector {
    steps: Vec<Step>,
}

/// One step of a [`Selector`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// An object's property (`.name` or `['name']`).
    Field(String),
    /// An array's element, counted from 0 (`[0]`).
    Index(usize),
    /// Every element of an array or every property of an object (`[*]` or `.*`).
    Any,
}

impl Selector {
    /// The steps after `$`, in order.
    pub fn steps(&self) -> &[Step] {
        &self.steps
    }

    /// Whether a step is the wildcard.
    pub fn has_wildcard(&self) -> bool {
        self.steps.contains(&Step::Any)
    }

    /// The nodes this selector reaches in `event`: none when a step finds nothing (a missing
    /// property, an index past the end, a property of a non-object); several only through the
    /// wildcard. Arrays are never searched implicitly: `$.a.b` on `{"a": [{"b": 1}]}` selects
    /// nothing, as AWS documents for `$.objectList[1].id` ("if objectList is not an array this
    /// will be false").
    pub fn select<'v>(&self, event: &'v Value) -> Vec<&'v Value> {
        let mut nodes = vec![event];
        for step in &self.steps {
            nodes = nodes.into_iter().flat_map(|n| step.children(n)).collect();
        }
        nodes
    }
}

impl Step {
    fn children<'v>(&self, node: &'v Value) -> Vec<&'v Value> {
        match (self, node) {
            (Step::Field(name), Value::Object(map)) => map.get(name).into_iter().collect(),
            (Step::Index(i), Value::Array(items)) => items.get(*i).into_iter().collect(),
            (Step::Any, Value::Object(map)) => map.values().collect(),
            (Step::Any, Value::Array(items)) => items.iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// Characters of a bare property name: "alphanumeric strings that also support '-' and '_'".
fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || c == '-' || c == '_'
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("$")?;
        for (i, step) in self.steps.iter().enumerate() {
            match step {
                Step::Field(name) if !name.is_empty() && name.chars().all(is_name_char) => {
                    write!(f, ".{name}")?;
                }
                Step::Field(name) if name.contains('\'') => write!(f, ".[\"{name}\"]")?,
                Step::Field(name) => write!(f, ".['{name}']")?,
                Step::Index(index) => write!(f, "[{index}]")?,
                Step::Any if i == 0 => f.write_str(".*")?,
                Step::Any => f.write_str("[*]")?,
            }
        }
        Ok(())
    }
}

/// Reads the selector starting with the `$` at byte `start` of `text`; returns it and the
/// offset just past it. The selector ends at the first character that cannot continue it
/// (whitespace, an operator, a parenthesis).
pub(super) fn lex_selector(text: &str, start: usize) -> Result<(Selector, usize), ParseError> {
    let bad = |offset, reason| ParseError::at(text, offset, ParseErrorKind::BadSelector { reason });
    let mut steps = Vec::new();
    let mut pos = start + 1;
    loop {
        let rest = &text[pos..];
        let (step, len) = if let Some(after_dot) = rest.strip_prefix('.') {
            let (step, len) = dotted_step(after_dot).map_err(|reason| bad(pos, reason))?;
            (step, len + 1)
        } else if rest.starts_with('[') {
            if steps.is_empty() {
                return Err(bad(
                    pos,
                    "an array element must follow a property, as in `$.a[0]`",
                ));
            }
            bracket_step(rest).map_err(|reason| bad(pos, reason))?
        } else {
            break;
        };
        if step == Step::Any && steps.contains(&Step::Any) {
            let kind = ParseErrorKind::TooManyWildcardsInSelector;
            return Err(ParseError::at(text, pos, kind));
        }
        steps.push(step);
        pos += len;
    }
    if steps.is_empty() {
        return Err(bad(
            start,
            "`$` must be followed by a property, as in `$.eventName`",
        ));
    }
    Ok((Selector { steps }, pos))
}

/// The step after a `.`: a name, `*`, or a bracketed quoted name. Returns the step and the
/// bytes it took (without the dot).
fn dotted_step(rest: &str) -> Result<(Step, usize), &'static str> {
    if rest.starts_with('*') {
        return Ok((Step::Any, 1));
    }
    if rest.starts_with('[') {
        return match bracket_step(rest)? {
            (step @ Step::Field(_), len) => Ok((step, len)),
            _ => Err("`.[…]` takes a quoted property name, as in `$.['cluster.name']`"),
        };
    }
    let len = rest.find(|c| !is_name_char(c)).unwrap_or(rest.len());
    if len == 0 {
        return Err("expected a property name (letters, digits, `-`, `_`) after `.`");
    }
    Ok((Step::Field(rest[..len].to_owned()), len))
}

/// A bracketed step: `[0]`, `[*]`, `['name']` or `["name"]`. Returns the step and the bytes
/// it took, brackets included.
fn bracket_step(rest: &str) -> Result<(Step, usize), &'static str> {
    let inner = &rest[1..];
    let (step, len) = if inner.starts_with('*') {
        (Step::Any, 1)
    } else if let Some(quote @ ('\'' | '"')) = inner.chars().next() {
        let body = &inner[1..];
        let end = body
            .find(quote)
            .ok_or("a quoted property name is not closed")?;
        (Step::Field(body[..end].to_owned()), end + 2)
    } else {
        let digits = inner
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(inner.len());
        if digits == 0 {
            return Err("expected an array index, `*` or a quoted name inside `[…]`");
        }
        let index = inner[..digits]
            .parse()
            .map_err(|_| "array index too large")?;
        (Step::Index(index), digits)
    };
    if !inner[len..].starts_with(']') {
        return Err("expected `]`");
    }
    Ok((step, len + 2))
}
