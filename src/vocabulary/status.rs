//! The verdict of one rule on one resource.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// The verdict of one rule on one resource.
///
/// The `schemars` descriptions are the published text of `report-v1.schema.json`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[schemars(description = "[`Status`] as the report reads and describes it.")]
pub enum Status {
    /// The data needed could not be read (or a rule could not be evaluated). Never a silent pass.
    #[schemars(
        description = "The data needed could not be read (or a rule could not be evaluated)."
    )]
    Error,
    /// The pass condition does not hold.
    Fail,
    /// The pass condition holds.
    Pass,
    /// The rule does not apply to this resource (`when` false, an empty list with
    /// `if_empty: not_applicable`, an organization trail evaluated in its owner account).
    #[schemars(description = "The rule does not apply to this resource.")]
    NotApplicable,
}

impl Status {
    /// Every status, in sort order.
    pub const ALL: &'static [Status] = &[
        Status::Error,
        Status::Fail,
        Status::Pass,
        Status::NotApplicable,
    ];

    /// The name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pass => "PASS",
            Status::Fail => "FAIL",
            Status::Error => "ERROR",
            Status::NotApplicable => "NOT_APPLICABLE",
        }
    }

    /// Parses the name reports write (`PASS`, `NOT_APPLICABLE`, …).
    pub fn parse(text: &str) -> Option<Status> {
        Self::ALL.iter().copied().find(|s| s.as_str() == text)
    }

    /// Parses the lower-case name used in rule test cases (`pass`, `not_applicable`, …).
    pub fn parse_lower(text: &str) -> Option<Status> {
        match text {
            "pass" => Some(Status::Pass),
            "fail" => Some(Status::Fail),
            "error" => Some(Status::Error),
            "not_applicable" => Some(Status::NotApplicable),
            _ => None,
        }
    }

    /// FAIL or ERROR: what gates, baselines and `diff` call a problem.
    pub fn is_problem(self) -> bool {
        matches!(self, Status::Fail | Status::Error)
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads the name [`Status::as_str`] writes; anything else is "unknown status `x`", which
/// serde_json places at the value's line and column.
impl<'de> Deserialize<'de> for Status {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Status::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown status `{text}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_through_every_reader() {
        for s in Status::ALL {
            let json = serde_json::to_string(s).expect("serialises");
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(serde_json::from_str::<Status>(&json).ok(), Some(*s));
            assert_eq!(Status::parse(s.as_str()), Some(*s));
            let lower = s.as_str().to_ascii_lowercase();
            assert_eq!(Status::parse_lower(&lower), Some(*s));
        }
        assert_eq!(Status::parse("pass"), None);
        assert_eq!(Status::parse_lower("PASS"), None);
        assert_eq!(Status::parse_lower("Pass"), None);
        let err = serde_json::from_str::<Status>("\"BROKEN\"").map(|_| ());
        assert_eq!(
            err.map_err(|e| e.to_string()),
            Err("unknown status `BROKEN`".into())
        );
    }

    #[test]
    fn sort_order_puts_problems_first() {
        assert!(Status::ALL.windows(2).all(|w| w[0] < w[1]));
        let problems: Vec<Status> = Status::ALL
            .iter()
            .copied()
            .filter(|s| s.is_problem())
            .collect();
        assert_eq!(problems, [Status::Error, Status::Fail]);
    }
}
