//! Glob patterns for waivers: `*` matches any run of characters (`/` and `:` included), `?`
//! matches one character, everything else matches itself. No character classes, braces or
//! escapes — a waiver is exact unless a `*` or `?` is written, never a regex or a substring.

use std::fmt;

use serde::Serialize;

/// A validated glob pattern.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct Glob {
    pattern: String,
}

/// Why a pattern is not a glob we accept.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GlobError {
    /// The pattern is empty.
    #[error("an empty pattern matches nothing; write `*` to match everything")]
    Empty,
    /// The pattern uses syntax we do not support.
    #[error(
        "`{0}` is not supported in patterns: only `*` (any characters) and `?` (one character)"
    )]
    Unsupported(char),
}

impl Glob {
    /// Checks and keeps a pattern.
    pub fn new(pattern: &str) -> Result<Glob, GlobError> {
        if pattern.is_empty() {
            return Err(GlobError::Empty);
        }
        if let Some(c) = pattern
            .chars()
            .find(|c| matches!(c, '[' | ']' | '{' | '}' | '\\'))
        {
            return Err(GlobError::Unsupported(c));
        }
        Ok(Glob {
            pattern: pattern.to_owned(),
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.pattern
    }

    /// Whether the pattern has a `*` or `?` (otherwise it matches one text exactly).
    pub fn is_wildcard(&self) -> bool {
        self.pattern.contains(['*', '?'])
    }

    /// Whether `text` matches the whole pattern.
    pub fn matches(&self, text: &str) -> bool {
        let p: Vec<char> = self.pattern.chars().collect();
        let t: Vec<char> = text.chars().collect();
        // Iterative matcher with single-star backtracking: linear in practice, no recursion.
        let (mut pi, mut ti) = (0, 0);
        let mut star: Option<(usize, usize)> = None;
        while ti < t.len() {
            match p.get(pi) {
                Some('*') => {
                    star = Some((pi, ti));
                    pi += 1;
                }
                Some('?') => {
                    pi += 1;
                    ti += 1;
                }
                Some(c) if *c == t[ti] => {
                    pi += 1;
                    ti += 1;
                }
                _ => match star {
                    Some((sp, st)) => {
                        pi = sp + 1;
                        ti = st + 1;
                        star = Some((sp, st + 1));
                    }
                    None => return false,
                },
            }
        }
        p[pi..].iter().all(|c| *c == '*')
    }
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.pattern)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(pattern: &str, text: &str) -> bool {
        Glob::new(pattern).map(|g| g.matches(text)).unwrap_or(false)
    }

    #[test]
    fn matching_table() {
        let cases = [
            ("CT-D02", "CT-D02", true),
            ("CT-D02", "CT-D021", false),
            ("CT-D02", "CT-D0", false),
            ("CT-D0*", "CT-D02", true),
            ("CT-D0*", "CT-D0", true),
            ("CT-D0*", "CT-A02", false),
            ("CT-?0?", "CT-D06", true),
            ("CT-?0?", "CT-D6", false),
            ("*", "", true),
            ("*", "arn:aws:s3:::x/y", true),
            ("arn:aws:s3:::legacy-*", "arn:aws:s3:::legacy-logs", true),
            (
                "arn:aws:s3:::legacy-*",
                "arn:aws:s3:::new-legacy-logs",
                false,
            ),
            ("*legacy*", "arn:aws:s3:::new-legacy-logs", true),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("a*b", "abab", true),
            ("a**b", "ab", true),
            ("*.log", "x.log.gz", false),
            ("é?", "éü", true),
            ("logs", "my-logs", false),
        ];
        for (pattern, text, want) in cases {
            assert_eq!(m(pattern, text), want, "{pattern} ~ {text}");
        }
    }

    #[test]
    fn rejected_patterns() {
        assert_eq!(Glob::new(""), Err(GlobError::Empty));
        assert_eq!(Glob::new("CT-[AB]01"), Err(GlobError::Unsupported('[')));
        assert_eq!(Glob::new("{a,b}"), Err(GlobError::Unsupported('{')));
        assert_eq!(Glob::new("a\\*"), Err(GlobError::Unsupported('\\')));
        assert!(Glob::new("CT-*").is_ok_and(|g| g.is_wildcard()));
        assert!(Glob::new("CT-A01").is_ok_and(|g| !g.is_wildcard()));
    }

    #[test]
    fn long_inputs_stay_fast() {
        let text = "a".repeat(5000);
        assert!(!m("*a*a*a*a*a*b", &text));
    }
}
