//! Why a filter pattern could not be parsed, and where.

use crate::json_error::TextPos;

use super::limits::{MAX_NESTING, MAX_PATTERN_CHARS, MAX_REGEXES, MAX_WILDCARD_SELECTORS};

/// A filter pattern that could not be parsed: the byte offset and `line:column` of the fault,
/// and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("filter pattern at {position}: {kind}")]
pub struct ParseError {
    /// Byte offset of the fault in the pattern text.
    pub offset: usize,
    /// The same place as a 1-based line and column (in characters).
    pub position: TextPos,
    /// What was wrong.
    pub kind: ParseErrorKind,
}

impl ParseError {
    /// An error at byte `offset` of `text`.
    pub(super) fn at(text: &str, offset: usize, kind: ParseErrorKind) -> ParseError {
        ParseError {
            offset,
            position: TextPos::at_offset(text, offset),
            kind,
        }
    }
}

/// What was wrong with a filter pattern.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ParseErrorKind {
    /// Longer than CloudWatch Logs stores (`PutMetricFilter`'s `filterPattern`).
    #[error(
        "the pattern is {chars} characters long; CloudWatch Logs accepts at most {MAX_PATTERN_CHARS}"
    )]
    TooLong {
        /// The pattern's length in characters.
        chars: usize,
    },
    /// Parentheses nested deeper than this parser follows.
    #[error("parentheses nest deeper than {MAX_NESTING} levels")]
    TooDeep,
    /// A token that cannot stand here.
    #[error("expected {expected}, found {found}")]
    Expected {
        /// What could have stood here.
        expected: &'static str,
        /// What stands here, as a person would name it.
        found: String,
    },
    /// A property selector that does not follow the documented form.
    #[error("bad property selector: {reason}")]
    BadSelector {
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A `"` that is never closed.
    #[error("a quoted string is not closed with `\"`")]
    UnterminatedString,
    /// A `%` (regular expression) that is never closed.
    #[error("a regular expression is not closed with `%`")]
    UnterminatedRegex,
    /// A character CloudWatch Logs refuses in a regular expression.
    #[error("`{character}` is not allowed in a CloudWatch Logs regular expression")]
    RegexCharacter {
        /// The refused character.
        character: char,
    },
    /// A regular expression of allowed characters that still does not compile.
    #[error("invalid regular expression: {reason}")]
    InvalidRegex {
        /// The regular-expression engine's reason.
        reason: String,
    },
    /// More regular expressions than CloudWatch Logs allows in one JSON pattern.
    #[error(
        "more than {MAX_REGEXES} regular expressions in one pattern (the CloudWatch Logs limit)"
    )]
    TooManyRegexes,
    /// More than one wildcard (`*`) step in one property selector.
    #[error("more than one wildcard in one property selector (the CloudWatch Logs limit)")]
    TooManyWildcardsInSelector,
    /// More wildcard selectors than CloudWatch Logs allows in one pattern.
    #[error(
        "more than {MAX_WILDCARD_SELECTORS} wildcard selectors in one pattern (the CloudWatch Logs limit)"
    )]
    TooManyWildcardSelectors,
    /// A numeric comparison (`<`, `<=`, `>`, `>=`) with something other than a number.
    #[error("`{operator}` compares numbers, found {found}")]
    NumberExpected {
        /// The comparison operator.
        operator: &'static str,
        /// What stands where the number should.
        found: String,
    },
    /// `IS NOT` or `EXISTS`, which CloudWatch Logs documents as unsupported.
    #[error("`{keyword}` is not supported by CloudWatch Logs (use `NOT EXISTS`, `IS NULL`, `!=`)")]
    UnsupportedKeyword {
        /// The keyword as CloudWatch Logs names it.
        keyword: &'static str,
    },
    /// A space-delimited pattern (`[…]`) without its closing bracket.
    #[error("a space-delimited pattern starting with `[` must end with `]`")]
    UnclosedSpaceDelimited,
}
