//! What one finding of a rule is about.

use std::fmt;

use serde::Serialize;

/// What one finding of a rule is about; fixes the subject its paths read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, clap::ValueEnum)]
#[serde(rename_all = "snake_case")]
pub enum Scope {
    /// One finding per audited account.
    #[value(help = "One finding per account")]
    Account,
    /// One finding per in-scope region of each account.
    #[value(help = "One finding per in-scope region")]
    Region,
    /// One finding per trail seen in each account.
    #[value(help = "One finding per trail")]
    Trail,
    /// One finding per distinct trail bucket.
    #[value(help = "One finding per trail bucket")]
    Bucket,
    /// One finding per distinct trail KMS key.
    #[value(help = "One finding per trail KMS key")]
    Key,
    /// One finding per organization.
    #[value(help = "One finding per organization")]
    Organization,
}

impl Scope {
    /// Every scope.
    pub const ALL: &'static [Scope] = &[
        Scope::Account,
        Scope::Region,
        Scope::Trail,
        Scope::Bucket,
        Scope::Key,
        Scope::Organization,
    ];

    /// The name used in rule files and on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Account => "account",
            Scope::Region => "region",
            Scope::Trail => "trail",
            Scope::Bucket => "bucket",
            Scope::Key => "key",
            Scope::Organization => "organization",
        }
    }

    /// Parses a scope name.
    pub fn parse(text: &str) -> Option<Scope> {
        Self::ALL.iter().copied().find(|s| s.as_str() == text)
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use clap::ValueEnum;

    use super::*;

    #[test]
    fn the_command_line_offers_what_it_always_did() {
        // `rules fields <SCOPE>` shows these in `--help`.
        let shown = super::super::command_line_values::<Scope>();
        let expected = [
            ("account", "One finding per account"),
            ("region", "One finding per in-scope region"),
            ("trail", "One finding per trail"),
            ("bucket", "One finding per trail bucket"),
            ("key", "One finding per trail KMS key"),
            ("organization", "One finding per organization"),
        ];
        let expected: Vec<(String, String)> = expected
            .iter()
            .map(|(n, h)| ((*n).to_owned(), (*h).to_owned()))
            .collect();
        assert_eq!(shown, expected);
        for s in Scope::ALL {
            assert_eq!(Scope::parse(s.as_str()), Some(*s));
            assert_eq!(Scope::from_str(s.as_str(), false), Ok(*s));
        }
    }
}
