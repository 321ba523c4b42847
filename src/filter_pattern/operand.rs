//! The right-hand side of a comparison: a string (with `*` wildcards), a number, or a
//! `%regular expression%`; and how each compares with a JSON node.

use std::cmp::Ordering;
use std::fmt;

use serde_json::Value;

/// What a property is compared with.
#[derive(Debug, Clone, PartialEq)]
pub enum Operand {
    /// A string, quoted or not, with its `*` wildcards (a leading and/or trailing `*` matches
    /// any text; `*` alone matches any value; a `*` elsewhere is a literal character).
    Text(String),
    /// An unquoted number: `400`, `-1.5`, `+1000`, `10e-3`.
    Number(NumberValue),
    /// A regular expression between `%` signs, searched for (not anchored) in the value.
    Regex(RegexValue),
}

/// A number as written in the pattern, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct NumberValue {
    /// The text as written (kept so that the pattern prints as written).
    pub text: String,
    /// Its value.
    pub value: f64,
}

/// A compiled regular expression and its source (between the `%` signs).
#[derive(Debug, Clone)]
pub struct RegexValue {
    source: String,
    regex: regex_lite::Regex,
}

impl PartialEq for RegexValue {
    fn eq(&self, other: &RegexValue) -> bool {
        self.source == other.source
    }
}

impl RegexValue {
    /// Compiles `source` (the text between the `%` signs). CloudWatch Logs lets either bound
    /// of `{m,n}` be omitted; `{,n}` is spelt `{0,n}` for the engine.
    pub(super) fn new(source: &str) -> Result<RegexValue, String> {
        let open = char::from(0x7b);
        let spelt = source.replace(&format!("{open},"), &format!("{open}0,"));
        match regex_lite::Regex::new(&spelt) {
            Ok(regex) => Ok(RegexValue {
                source: source.to_owned(),
                regex,
            }),
            Err(e) => Err(e.to_string()),
        }
    }

    /// The source, as written between the `%` signs.
    pub fn source(&self) -> &str {
        &self.source
    }
}

/// Whether `text` is a number as the filter syntax writes one: "an integer with an optional
/// + or - sign, a decimal with an optional + or - sign, or a number in scientific notation".
pub(super) fn as_number(text: &str) -> Option<NumberValue> {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let (mantissa, exponent) = match unsigned.split_once(['e', 'E']) {
        Some((m, e)) => (m, Some(e.strip_prefix(['+', '-']).unwrap_or(e))),
        None => (unsigned, None),
    };
    let (int, frac) = match mantissa.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let ok = digits(int) && frac.is_none_or(digits) && exponent.is_none_or(digits);
    let value = text.parse::<f64>().ok().filter(|_| ok)?;
    Some(NumberValue {
        text: text.to_owned(),
        value,
    })
}

impl Operand {
    /// Whether `node` equals this operand: `None` when the node is not a value node this
    /// operand can be compared with, in which case neither `=` nor `!=` matches (AWS: "both
    /// {$.users = 1} and {$.users != 1} will fail to match a log event where users is an
    /// array"). Value nodes are strings and numbers; a string compares with text and regular
    /// expressions, a number with numbers, regular expressions and wildcard text.
    pub(super) fn equals(&self, node: &Value) -> Option<bool> {
        match (self, node) {
            (Operand::Text(pattern), Value::String(s)) => Some(glob_matches(pattern, s)),
            (Operand::Text(pattern), Value::Number(n)) if pattern.contains('*') => {
                Some(glob_matches(pattern, &n.to_string()))
            }
            (Operand::Number(number), Value::Number(n)) => n
                .as_f64()
                .map(|v| v.partial_cmp(&number.value) == Some(Ordering::Equal)),
            (Operand::Regex(r), Value::String(s)) => Some(r.regex.is_match(s)),
            (Operand::Regex(r), Value::Number(n)) => Some(r.regex.is_match(&n.to_string())),
            _ => None,
        }
    }

    /// How a numeric node orders against this operand: `None` unless both are numbers.
    pub(super) fn order(&self, node: &Value) -> Option<Ordering> {
        match (self, node) {
            (Operand::Number(number), Value::Number(n)) => {
                n.as_f64().and_then(|v| v.partial_cmp(&number.value))
            }
            _ => None,
        }
    }
}

/// `*` at the start and/or end of `pattern` stands for any text; `*` alone for any value.
/// "*Event will match PutEvent and GetEvent. Event* will match EventId and EventName. Ev*ent
/// will only match the actual string Ev*ent" (CloudWatch Logs User Guide, Filter and Pattern
/// Syntax, 2020 revision). Case-sensitive: "Metric filters are case sensitive".
fn glob_matches(pattern: &str, text: &str) -> bool {
    if pattern == "*" {
        return true;
    }
    let (leading, rest) = match pattern.strip_prefix('*') {
        Some(rest) => (true, rest),
        None => (false, pattern),
    };
    let (core, trailing) = match rest.strip_suffix('*') {
        Some(core) => (core, true),
        None => (rest, false),
    };
    match (leading, trailing) {
        (true, true) => text.contains(core),
        (true, false) => text.ends_with(core),
        (false, true) => text.starts_with(core),
        (false, false) => text == core,
    }
}

impl fmt::Display for Operand {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Operand::Text(text) => {
                let escaped = text.replace('\\', "\\\\").replace('"', "\\\"");
                write!(f, "\"{escaped}\"")
            }
            Operand::Number(number) => f.write_str(&number.text),
            Operand::Regex(regex) => write!(f, "%{}%", regex.source),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wildcards_stand_for_text_only_at_the_ends() {
        assert!(glob_matches("*Event", "PutEvent"));
        assert!(!glob_matches("*Event", "PutEvents"));
        assert!(glob_matches("Event*", "EventName"));
        assert!(!glob_matches("Event*", "AnEventName"));
        assert!(glob_matches(
            "*Unauthorized*",
            "Client.UnauthorizedOperation"
        ));
        assert!(glob_matches("Ev*ent", "Ev*ent"));
        assert!(!glob_matches("Ev*ent", "Event"));
        assert!(glob_matches("*", ""));
        assert!(!glob_matches("event", "Event"), "case-sensitive");
    }

    #[test]
    fn numbers_follow_the_documented_grammar() {
        for ok in [
            "400", "-1", "+1000", "55.5", "10e3", "10e-3", "1e+3", "-2.5E4",
        ] {
            assert!(as_number(ok).is_some(), "{ok}");
        }
        for not in [
            "",
            "1.",
            ".5",
            "1e",
            "123.123.*",
            "0x10",
            "inf",
            "NaN",
            "1_000",
            "--1",
        ] {
            assert!(as_number(not).is_none(), "{not}");
        }
    }

    #[test]
    fn only_strings_and_numbers_are_compared() {
        let text = Operand::Text("x".into());
        assert_eq!(text.equals(&Value::from("x")), Some(true));
        assert_eq!(text.equals(&Value::from("y")), Some(false));
        for node in [Value::Null, Value::Bool(true), serde_json::json!(["x"])] {
            assert_eq!(text.equals(&node), None, "{node}");
        }
        let four_hundred = Operand::Number(as_number("400").unwrap_or_else(|| panic!()));
        assert_eq!(four_hundred.equals(&Value::from(400)), Some(true));
        assert_eq!(four_hundred.equals(&Value::from(400.0)), Some(true));
        assert_eq!(four_hundred.equals(&Value::from("400")), None);
        assert_eq!(
            Operand::Text("4*".into()).equals(&Value::from(404)),
            Some(true)
        );
    }

    #[test]
    fn regular_expressions_search_and_allow_an_open_lower_bound() {
        let trail = Operand::Regex(RegexValue::new("Trail").unwrap_or_else(|e| panic!("{e}")));
        assert_eq!(trail.equals(&Value::from("UpdateTrail")), Some(true));
        let bounded = RegexValue::new("^a{,2}$").unwrap_or_else(|e| panic!("{e}"));
        assert!(bounded.regex.is_match("aa") && !bounded.regex.is_match("aaa"));
    }
}
