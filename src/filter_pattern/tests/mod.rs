//! The examples of AWS's filter-pattern documentation, the CIS texts, precedence, variants and
//! errors.

use serde_json::Value;

use super::*;

mod aws_docs;
mod cis;
mod errors;
mod fuzz;

fn parse(text: &str) -> FilterPattern {
    FilterPattern::parse(text).unwrap_or_else(|e| panic!("{text:?} does not parse: {e}"))
}

fn error(text: &str) -> ParseError {
    match FilterPattern::parse(text) {
        Ok(p) => panic!("{text:?} parsed as {p:?}"),
        Err(e) => e,
    }
}

/// Asserts what `pattern` says of `event`, and that its canonical text parses back to it.
fn assert_matches(pattern: &str, event: &Value, expected: bool) {
    let parsed = parse(pattern);
    assert_eq!(parsed.matches(event), expected, "{pattern} on {event}");
    let again = parse(&parsed.to_string());
    assert_eq!(again, parsed, "{pattern} prints as {parsed}");
}
