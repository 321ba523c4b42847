//! Rule parameters: their types, declared ranges and values, and reading a value of a declared
//! type from YAML (defaults, test-case `params:`, config overrides).

use std::fmt;

use serde::Serialize;

use crate::document::{Node, Value, did_you_mean};

/// The type of a rule parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ParamType {
    /// `true` / `false`.
    Bool,
    /// A whole number.
    Integer,
    /// Text.
    String,
    /// A list of strings.
    StringList,
    /// A duration such as `24h`.
    Duration,
}

impl ParamType {
    /// Every type.
    pub const ALL: &'static [ParamType] = &[
        ParamType::Bool,
        ParamType::Integer,
        ParamType::String,
        ParamType::StringList,
        ParamType::Duration,
    ];

    /// The name used in rule files.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::Bool => "bool",
            ParamType::Integer => "integer",
            ParamType::String => "string",
            ParamType::StringList => "string_list",
            ParamType::Duration => "duration",
        }
    }
}

/// A parameter value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum ParamValue {
    /// A bool.
    Bool(bool),
    /// An integer.
    Integer(i64),
    /// A string.
    String(String),
    /// A list of strings.
    StringList(Vec<String>),
    /// A duration, in seconds (shown as written).
    Duration(Duration),
}

/// A duration as written in a rule (`24h`), kept with its text for display.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(into = "String")]
pub struct Duration {
    /// Seconds.
    pub seconds: i64,
    /// As written.
    pub text: String,
}

impl From<Duration> for String {
    fn from(d: Duration) -> String {
        d.text
    }
}

impl Duration {
    /// Parses `<integer><s|m|h|d>`.
    pub fn parse(text: &str) -> Option<Duration> {
        let unit_at = text.find(|c: char| !c.is_ascii_digit())?;
        let (n, unit) = text.split_at(unit_at);
        let n: i64 = n.parse().ok()?;
        let mult = match unit {
            "s" => 1,
            "m" => 60,
            "h" => 3600,
            "d" => 86_400,
            _ => return None,
        };
        Some(Duration {
            seconds: n.checked_mul(mult)?,
            text: text.to_owned(),
        })
    }
}

impl fmt::Display for ParamValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParamValue::Bool(b) => write!(f, "{b}"),
            ParamValue::Integer(i) => write!(f, "{i}"),
            // An empty string would print as nothing (`default , in force `).
            ParamValue::String(s) if s.is_empty() => f.write_str("\"\""),
            ParamValue::String(s) => write!(f, "{s}"),
            ParamValue::StringList(l) => write!(f, "[{}]", l.join(", ")),
            ParamValue::Duration(d) => f.write_str(&d.text),
        }
    }
}

/// A declared parameter.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Parameter {
    /// The type.
    #[serde(rename = "type")]
    pub kind: ParamType,
    /// The default value.
    pub default: ParamValue,
    /// What it means.
    pub description: String,
    /// The value in force (the default, or a config override).
    pub value: ParamValue,
    /// The smallest value allowed (`minimum:`; integer and duration parameters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub minimum: Option<ParamValue>,
    /// The largest value allowed (`maximum:`; integer and duration parameters).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub maximum: Option<ParamValue>,
    /// The only values allowed (`allowed:`; string parameters, and each element of a
    /// string-list parameter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed: Option<Vec<String>>,
}

impl Parameter {
    /// Whether a parameter of this type may declare a range.
    pub fn ranged(kind: ParamType) -> bool {
        matches!(kind, ParamType::Integer | ParamType::Duration)
    }

    /// The declared range as words (`at least 1`, `from 1 to 36500`), when there is one.
    pub fn range_text(&self) -> Option<String> {
        match (&self.minimum, &self.maximum) {
            (None, None) => None,
            (Some(min), None) => Some(format!("at least {min}")),
            (None, Some(max)) => Some(format!("at most {max}")),
            (Some(min), Some(max)) => Some(format!("from {min} to {max}")),
        }
    }

    /// Whether a parameter of this type may declare `allowed:` values.
    pub fn enumerable(kind: ParamType) -> bool {
        matches!(kind, ParamType::String | ParamType::StringList)
    }

    /// Checks a value against the declared range and allowed values.
    pub fn check_value(&self, value: &ParamValue) -> Result<(), String> {
        self.check_range(value)?;
        self.check_allowed(value)
    }

    /// Checks a string (or each string of a list) against `allowed:`, naming the allowed
    /// values and the closest one.
    fn check_allowed(&self, value: &ParamValue) -> Result<(), String> {
        let Some(allowed) = &self.allowed else {
            return Ok(());
        };
        let strings: &[String] = match value {
            ParamValue::String(s) => std::slice::from_ref(s),
            ParamValue::StringList(list) => list,
            _ => return Ok(()),
        };
        match strings.iter().find(|s| !allowed.contains(s)) {
            None => Ok(()),
            Some(bad) => {
                let hint = did_you_mean(bad, allowed.iter().map(String::as_str))
                    .map(|h| format!("; {h}"))
                    .unwrap_or_default();
                Err(format!(
                    "`{bad}` is not an allowed value (allowed: {}){hint}",
                    allowed.join(", ")
                ))
            }
        }
    }

    /// Checks a value against the declared range.
    fn check_range(&self, value: &ParamValue) -> Result<(), String> {
        let Some(v) = value.magnitude() else {
            return Ok(());
        };
        let magnitude = |bound: &Option<ParamValue>| bound.as_ref().and_then(ParamValue::magnitude);
        if let (Some(min), Some(m)) = (&self.minimum, magnitude(&self.minimum))
            && v < m
        {
            return Err(format!("{value} is below the parameter's minimum {min}"));
        }
        if let (Some(max), Some(m)) = (&self.maximum, magnitude(&self.maximum))
            && v > m
        {
            return Err(format!("{value} is above the parameter's maximum {max}"));
        }
        Ok(())
    }
}

impl ParamValue {
    /// The number ranges compare: an integer, or a duration in seconds.
    pub fn magnitude(&self) -> Option<i64> {
        match self {
            ParamValue::Integer(i) => Some(*i),
            ParamValue::Duration(d) => Some(d.seconds),
            _ => None,
        }
    }
}

/// Parses a parameter value of a declared type.
pub fn param_value(node: &Node, kind: ParamType) -> Result<ParamValue, String> {
    let err = || {
        format!(
            "expected a {} value, found {}",
            kind.as_str(),
            node.type_name()
        )
    };
    match (kind, &node.value) {
        (ParamType::Bool, Value::Bool(b)) => Ok(ParamValue::Bool(*b)),
        (ParamType::Integer, Value::Int(i)) => Ok(ParamValue::Integer(*i)),
        (ParamType::String, Value::Str(s)) => Ok(ParamValue::String(s.clone())),
        (ParamType::StringList, Value::Seq(items)) => items
            .iter()
            .map(|i| {
                i.as_str().map(str::to_owned).ok_or_else(|| {
                    format!(
                        "expected a list of strings; an item is {} (quote account ids)",
                        i.type_name()
                    )
                })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(ParamValue::StringList),
        (ParamType::Duration, Value::Str(s)) => Duration::parse(s)
            .map(ParamValue::Duration)
            .ok_or_else(|| format!("`{s}` is not a duration (`<integer><s|m|h|d>`, e.g. `24h`)")),
        _ => Err(err()),
    }
}

/// Parses a value for a declared parameter: its type, then its declared range and allowed
/// values.
pub fn declared_value(node: &Node, param: &Parameter) -> Result<ParamValue, String> {
    let value = param_value(node, param.kind)?;
    param.check_value(&value)?;
    Ok(value)
}
