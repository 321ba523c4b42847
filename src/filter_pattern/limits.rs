//! The bounds of a filter pattern: AWS's quotas, and this parser's nesting limit.

/// The longest pattern CloudWatch Logs accepts, in characters.
pub const MAX_PATTERN_CHARS: usize = 1024;

/// How deep parentheses may nest (CloudWatch Logs documents no limit; real filters use 2).
pub const MAX_NESTING: usize = 64;

/// Regular expressions allowed in one JSON pattern ("a limit of 2 regex for each filter
/// pattern when creating a delimited or JSON filter pattern").
pub const MAX_REGEXES: usize = 2;

/// Selectors with a wildcard allowed in one pattern ("up to three wildcard selectors in a
/// filter pattern with compound expressions").
pub const MAX_WILDCARD_SELECTORS: usize = 3;
