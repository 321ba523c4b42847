//! CloudWatch Logs filter patterns, parsed and evaluated against JSON log events (CloudTrail
//! records) — so that a metric filter is judged by what it matches, never by its text.
//!
//! Pure: no I/O, no AWS types. [`FilterPattern::parse`] reads a pattern; a JSON pattern
//! (`{ … }`) is then run against events with [`FilterPattern::evaluate`]. Term patterns
//! (`ERROR -WARN`, `"exact phrase"`, `%regex%`, the empty pattern) and space-delimited
//! patterns (`[ip, user, …]`) are recognised but not evaluated: they match the raw text of
//! a log line, not CloudTrail's JSON fields, so they can never meet a control that names
//! fields; evaluating them gives [`Verdict::Unsupported`] with the reason.
//!
//! # Syntax (as AWS documents it)
//!
//! Sources: "Filter pattern syntax for metric filters, subscription filters, filter log
//! events, and Live Tail" — <https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html>
//! (sections "Supported regular expressions (regex) syntax" and "Using filter patterns to
//! match terms in JSON log events"); its 2020 and 2022 revisions in
//! <https://github.com/awsdocs/amazon-cloudwatch-logs-user-guide> (`doc_source/FilterAndPatternSyntax.md`);
//! the `MetricFilter` API reference for the length limit.
//!
//! * A JSON pattern is enclosed in `{ }` ("Enclose filter patterns in curly braces").
//! * Property selectors start with `$.`; names are "alphanumeric strings that support hyphen
//!   ("-") and underscore ("_")"; array elements follow a property as `[N]`, counted from 0
//!   (`$.users[0].id`, `$.coordinates[0][1]`); a name with other characters is written
//!   `$.['cluster.name']`; `[*]` and `.*` select any element or property ("You can use the
//!   JSON wildcard to select any array element or any JSON object field"), at most one per
//!   selector and three per pattern (AWS quotas, enforced).
//! * `=` and `!=` compare with a string, quoted or not ("Strings that contain types other
//!   than alphanumeric characters and the underscore symbol must be placed in double
//!   quotation marks"), with `*` as wildcard, or with a number; `<`, `<=`, `>`, `>=` with a
//!   number only: "an integer with an optional + or - sign, a decimal with an optional + or
//!   - sign, or a number in scientific notation".
//! * `*`: "to match any text at, before, or after a search term … *Event will match
//!   PutEvent and GetEvent. Event* will match EventId and EventName. Ev*ent will only match
//!   the actual string Ev*ent" (2020 revision; the current page only says "Use the asterisk
//!   as a wild card to match text"). `*` alone matches any value (`{ $.latency = * }`).
//!   Matching is case-sensitive ("Filter patterns are case sensitive").
//! * `%…%` is a regular expression, searched for anywhere in the value (`{ $.eventType =
//!   %Trail% }` matches `UpdateTrail`), of the documented characters only (no parentheses,
//!   no multi-byte characters), at most two per pattern (AWS quota, enforced).
//! * `IS NULL`, `IS TRUE`, `IS FALSE`, `NOT EXISTS`; "The variables IS NOT and EXISTS
//!   currently aren't supported" (refused with that reason).
//! * `&&` and `||` with parentheses: "Compound expressions support the use of parentheses
//!   ("()") and the following standard order of operations: () > && > ||". So `A && B || C`
//!   is `(A && B) || C`, and CIS 4.1's `{ (A) || (B) && (C) && (D) }` is
//!   `A || (B && C && D)`: AWS's own example `{ $.user.email = "John.Stiles@example.com" ||
//!   $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }` "Matches".
//! * Whitespace, newlines included, may stand between any two tokens.
//! * At most [`MAX_PATTERN_CHARS`] characters (`filterPattern`, "Maximum length of 1024",
//!   <https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricFilter.html>):
//!   a longer pattern cannot exist in an account.
//!
//! # Where the documentation is silent, and what this module does
//!
//! * **A missing property** matches neither `=` nor `!=` (nor `<`…): only `NOT EXISTS`
//!   matches it. AWS documents this for arrays and objects ("both {$.users = 1} and
//!   {$.users != 1} will fail to match a log event where users is an array"); for a missing
//!   property the console's "Test pattern" shows the same — `($.userIdentity.invokedBy !=
//!   "cloudfront.amazonaws.com")` gives "no match" on an event without `invokedBy`
//!   (<https://github.com/DataBiosphere/azul/issues/5884>). CIS 4.1's `$.sourceIPAddress !=
//!   "delivery.logs.amazonaws.com"` is unaffected: every CloudTrail record has a
//!   `sourceIPAddress`.
//! * **`null` and booleans** are not value nodes ("Value nodes can be strings or numbers"):
//!   they match no comparison; use `IS NULL`, `IS TRUE`, `IS FALSE`.
//! * **Strings and numbers**: a string property compares with text, a wildcard or a regular
//!   expression; a number property with a number (by value: `1e3` equals `1000`), a
//!   wildcard (`4*` on `404`, by its JSON text) or a regular expression. A string property
//!   against a number (`$.errorCode = 400` on `"400"`), or a number property against text
//!   without a wildcard, matches neither `=` nor `!=`, like any other type mismatch.
//! * **Wildcard selectors** hold when the test holds for any one selected node; `NOT EXISTS`
//!   when none is selected. Arrays are never searched without `[*]`.
//! * **Quoted strings** take `\"` for `"` and `\\` for `\`; other backslashes stay as
//!   written. A quoted `*` is still a wildcard (CIS writes `"*UnauthorizedOperation"`).
//! * **Keywords** (`IS`, `NULL`, `TRUE`, `FALSE`, `NOT`, `EXISTS`) are read in any case.
//! * **Regular expressions** also match a number property by its JSON text; `{,n}` is read
//!   as `{0,n}` ("Either m or n can be omitted").
//! * **Nesting** of parentheses is limited to [`MAX_NESTING`] levels, far beyond any real
//!   filter, so that no input can exhaust the stack.

mod ast;
mod error;
mod eval;
mod lexer;
mod limits;
mod normalize;
mod operand;
mod parser;
mod pattern;
mod selector;

#[cfg(test)]
mod tests;

pub use ast::{Check, Expr, JsonPattern, Operator, Test};
pub use error::{ParseError, ParseErrorKind};
pub use limits::{MAX_NESTING, MAX_PATTERN_CHARS, MAX_REGEXES, MAX_WILDCARD_SELECTORS};
pub use normalize::normalize_whitespace;
pub use operand::{NumberValue, Operand, RegexValue};
pub use pattern::{FilterPattern, Unsupported, Verdict};
pub use selector::{Selector, Step};
