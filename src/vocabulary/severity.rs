//! How serious a failure of a rule is.

use std::fmt;

use schemars::JsonSchema;
use serde::{Deserialize, Deserializer, Serialize};

/// How serious a failure of the rule is. Ordered: `Info` is the lowest.
///
/// The `schemars` descriptions are the published text of `report-v1.schema.json`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, JsonSchema, clap::ValueEnum,
)]
#[serde(rename_all = "snake_case")]
#[schemars(description = "[`Severity`] as the report reads and describes it.")]
pub enum Severity {
    /// For information; never a compliance gap on its own.
    #[schemars(description = "For information.")]
    #[value(help = "Informational")]
    Info,
    /// Hardening beyond the common baselines.
    #[value(help = "Low")]
    Low,
    /// A baseline control is missing.
    #[value(help = "Medium")]
    Medium,
    /// Activity can go unrecorded or logs can be tampered with.
    #[value(help = "High")]
    High,
    /// Logs are exposed or can be silently destroyed.
    #[value(help = "Critical")]
    Critical,
}

impl Severity {
    /// Every severity, lowest first.
    pub const ALL: &'static [Severity] = &[
        Severity::Info,
        Severity::Low,
        Severity::Medium,
        Severity::High,
        Severity::Critical,
    ];

    /// The name used in rule files, reports and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
            Severity::Critical => "critical",
        }
    }

    /// Parses a severity name.
    pub fn parse(text: &str) -> Option<Severity> {
        Self::ALL.iter().copied().find(|s| s.as_str() == text)
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads the name [`Severity::as_str`] writes; anything else is "unknown severity `x`", which
/// serde_json places at the value's line and column.
impl<'de> Deserialize<'de> for Severity {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Severity::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown severity `{text}`")))
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::*;

    #[test]
    fn names_round_trip_through_every_reader() {
        for s in Severity::ALL {
            assert_eq!(Severity::parse(s.as_str()), Some(*s));
            let json = serde_json::to_string(s).expect("serialises");
            assert_eq!(json, format!("\"{}\"", s.as_str()));
            assert_eq!(serde_json::from_str::<Severity>(&json).ok(), Some(*s));
            assert_eq!(Severity::from_str(s.as_str(), false), Ok(*s));
        }
        assert_eq!(Severity::parse("High"), None);
        let err = serde_json::from_str::<Severity>("\"catastrophic\"").map(|_| ());
        assert_eq!(
            err.map_err(|e| e.to_string()),
            Err("unknown severity `catastrophic`".into())
        );
    }

    #[test]
    fn the_command_line_offers_what_it_always_did() {
        // `--severity-min`, `--fail-on` and `rules list --severity` show these in `--help`.
        let shown = super::super::command_line_values::<Severity>();
        let expected = [
            ("info", "Informational"),
            ("low", "Low"),
            ("medium", "Medium"),
            ("high", "High"),
            ("critical", "Critical"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, h)| ((*n).to_owned(), (*h).to_owned()))
            .collect();
        assert_eq!(shown, expected);
    }

    #[test]
    fn ordered_lowest_first() {
        assert!(Severity::ALL.windows(2).all(|w| w[0] < w[1]));
    }
}
