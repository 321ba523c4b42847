//! The output formats a report renders to, and the presentation choices made once per run.

use std::fmt;
use std::str::FromStr;

/// An output format. Closed: adding one is a compile error wherever formats are matched.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Format {
    /// For a person at a terminal: FAIL and ERROR by rule with evidence, a summary, the gate line.
    Text,
    /// The report itself (`trailguard.report/v1`), for pipelines, auditors and `--baseline`.
    Json,
    /// SARIF 2.1.0 for GitHub / GitLab code scanning: FAIL and ERROR results at virtual
    /// resource paths, one run per account group.
    Sarif,
    /// JUnit XML for CI test tabs: a suite per rule, a case per finding.
    Junit,
    /// Markdown for `$GITHUB_STEP_SUMMARY`, PR comments and audit write-ups.
    Markdown,
}

impl Format {
    /// Every format.
    pub const ALL: &'static [Format] = &[
        Format::Text,
        Format::Json,
        Format::Sarif,
        Format::Junit,
        Format::Markdown,
    ];

    /// The name used on the command line (`--output sarif=…`).
    pub fn as_str(self) -> &'static str {
        match self {
            Format::Text => "text",
            Format::Json => "json",
            Format::Sarif => "sarif",
            Format::Junit => "junit",
            Format::Markdown => "markdown",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A format name that is not one of [`Format::ALL`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown output format `{0}` (expected text, json, sarif, junit or markdown)")]
pub struct UnknownFormat(pub String);

impl FromStr for Format {
    type Err = UnknownFormat;

    fn from_str(s: &str) -> Result<Format, UnknownFormat> {
        match s.to_ascii_lowercase().as_str() {
            "text" => Ok(Format::Text),
            "json" => Ok(Format::Json),
            "sarif" => Ok(Format::Sarif),
            "junit" => Ok(Format::Junit),
            "markdown" | "md" => Ok(Format::Markdown),
            _ => Err(UnknownFormat(s.to_owned())),
        }
    }
}

/// Presentation choices the caller makes once (from the TTY, `NO_COLOR`, flags).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RenderOptions {
    /// ANSI colours in the text format.
    pub color: bool,
    /// The text format also lists PASS and NOT_APPLICABLE findings.
    pub verbose: bool,
    /// SARIF also carries waived FAIL results, with a `suppressions` entry.
    pub sarif_include_waived: bool,
    /// `--sarif-category`: the prefix of every SARIF run's category (default `trailguard/aws`).
    pub sarif_category: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_names_round_trip() {
        for f in Format::ALL {
            assert_eq!(f.as_str().parse::<Format>(), Ok(*f));
        }
        assert_eq!("SARIF".parse::<Format>(), Ok(Format::Sarif));
        assert_eq!("md".parse::<Format>(), Ok(Format::Markdown));
        assert_eq!(
            "xml".parse::<Format>().map_err(|e| e.to_string()),
            Err(
                "unknown output format `xml` (expected text, json, sarif, junit or markdown)"
                    .into()
            )
        );
    }
}
