//! A filter pattern of any kind, and what it says of one event.

use std::fmt;

use serde_json::Value;

use super::ast::JsonPattern;
use super::error::{ParseError, ParseErrorKind};
use super::limits::MAX_PATTERN_CHARS;
use super::parser;

/// A parsed filter pattern, of one of the three kinds CloudWatch Logs knows.
#[derive(Debug, Clone, PartialEq)]
pub enum FilterPattern {
    /// `{ … }`: tests of JSON properties, evaluated by this module.
    Json(JsonPattern),
    /// Terms, phrases, a standalone regular expression, or the empty pattern: they match the
    /// raw text of a log line. Kept as written.
    Terms(String),
    /// `[field, field = value, …]`: fields of a space-delimited line. Kept as written.
    SpaceDelimited(String),
}

/// What a pattern says of one event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// The pattern matches the event.
    Match,
    /// It does not.
    NoMatch,
    /// The pattern is of a kind that does not select JSON fields; it is judged as not
    /// matching, for the reason given.
    Unsupported(Unsupported),
}

/// Why a pattern is not evaluated against JSON fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unsupported {
    /// The empty pattern: it matches every log line, whatever it records.
    Empty,
    /// A term pattern.
    Terms,
    /// A space-delimited pattern.
    SpaceDelimited,
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Unsupported::Empty => {
                "an empty filter pattern matches every log line, not the control's events \
                 (a JSON pattern `{ … }` on CloudTrail's fields is required)"
            }
            Unsupported::Terms => {
                "a term pattern matches raw text, not CloudTrail's JSON fields \
                 (a JSON pattern `{ … }` is required)"
            }
            Unsupported::SpaceDelimited => {
                "a space-delimited pattern `[…]` matches fields of a space-separated line, \
                 not CloudTrail's JSON fields (a JSON pattern `{ … }` is required)"
            }
        })
    }
}

impl FilterPattern {
    /// Parses `text` as CloudWatch Logs does: a JSON pattern when it starts with `{`, a
    /// space-delimited one with `[`, a term pattern otherwise (leading whitespace aside).
    /// Only JSON patterns are parsed in full; the other kinds are only recognised.
    pub fn parse(text: &str) -> Result<FilterPattern, ParseError> {
        if let Some((offset, _)) = text.char_indices().nth(MAX_PATTERN_CHARS) {
            let chars = text.chars().count();
            return Err(ParseError::at(
                text,
                offset,
                ParseErrorKind::TooLong { chars },
            ));
        }
        let start = text.len() - text.trim_start().len();
        let trimmed = text.trim();
        if trimmed.starts_with('{') {
            parser::parse_json(text, start).map(FilterPattern::Json)
        } else if trimmed.starts_with('[') {
            if !trimmed.ends_with(']') {
                let kind = ParseErrorKind::UnclosedSpaceDelimited;
                return Err(ParseError::at(text, start, kind));
            }
            Ok(FilterPattern::SpaceDelimited(text.to_owned()))
        } else {
            Ok(FilterPattern::Terms(text.to_owned()))
        }
    }

    /// What the pattern says of `event` (one CloudTrail record as JSON).
    pub fn evaluate(&self, event: &Value) -> Verdict {
        match self {
            FilterPattern::Json(json) if json.matches(event) => Verdict::Match,
            FilterPattern::Json(_) => Verdict::NoMatch,
            FilterPattern::Terms(text) if text.trim().is_empty() => {
                Verdict::Unsupported(Unsupported::Empty)
            }
            FilterPattern::Terms(_) => Verdict::Unsupported(Unsupported::Terms),
            FilterPattern::SpaceDelimited(_) => Verdict::Unsupported(Unsupported::SpaceDelimited),
        }
    }

    /// Whether the pattern matches `event`: only a JSON pattern ever does.
    pub fn matches(&self, event: &Value) -> bool {
        self.evaluate(event) == Verdict::Match
    }

    /// The JSON pattern, if this is one.
    pub fn as_json(&self) -> Option<&JsonPattern> {
        match self {
            FilterPattern::Json(json) => Some(json),
            _ => None,
        }
    }
}

impl fmt::Display for FilterPattern {
    /// A JSON pattern in its canonical form; the other kinds as written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FilterPattern::Json(json) => write!(f, "{json}"),
            FilterPattern::Terms(text) | FilterPattern::SpaceDelimited(text) => f.write_str(text),
        }
    }
}
