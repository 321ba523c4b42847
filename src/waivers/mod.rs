//! Waivers: accepted exceptions, each with a reason, an owner and an expiry date.
//!
//! A waiver names a rule (id or glob) and a resource (ARN or id, glob), optionally narrowed to
//! an account and a region. It covers FAIL and ERROR findings; a covered finding keeps its
//! status and carries the waiver ([`AppliedWaiver`]), and the gate does not count it. After its
//! `expires` date a waiver stops applying and warns; a waiver that covers nothing warns too, so
//! stale exceptions get cleaned up. The file format is in `docs/gate-and-waivers.md`.

mod glob;
mod parse;
mod waiver;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::Arc;

use serde::{Serialize, Serializer};
use time::Date;

pub use glob::{Glob, GlobError};
pub use parse::SCHEMA;
pub use waiver::Waiver;

use crate::document::{Problems, SourceFile};
use crate::files::read::InputKind;
use crate::finding::Finding;

/// A loaded waivers file.
#[derive(Debug, Clone)]
pub struct Waivers {
    /// The file, for locations in warnings.
    pub file: Arc<SourceFile>,
    /// The waivers, in file order.
    pub waivers: Vec<Waiver>,
}

/// The waiver attached to a finding it covers (what reports show).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedWaiver {
    /// The waiver id.
    pub id: String,
    /// The rule pattern as written.
    pub rule: String,
    /// Why the exception is accepted.
    pub reason: String,
    /// Who answers for it.
    pub owner: String,
    /// The last day it applies (`YYYY-MM-DD` in JSON).
    #[serde(serialize_with = "iso_date")]
    pub expires: Date,
}

/// A waiver that warns: expired, or unused.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WaiverNotice {
    /// The waiver id.
    pub id: String,
    /// The rule pattern.
    pub rule: String,
    /// The resource pattern.
    pub resource: String,
    /// Why the exception was accepted.
    pub reason: String,
    /// Who answers for it.
    pub owner: String,
    /// Its expiry date.
    #[serde(serialize_with = "iso_date")]
    pub expires: Date,
    /// `file:line:col` of the waiver.
    pub location: String,
    /// Used: the FAIL / ERROR findings it covers. Expired: the FAIL / ERROR findings it
    /// matches, no longer covered. Unused: the PASS / NOT_APPLICABLE findings it matches (the
    /// problem seems fixed).
    pub matched: usize,
}

/// What applying the waivers did.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize)]
pub struct WaiverOutcome {
    /// Finding fingerprint → the waiver that covers it (the first matching one in file order).
    pub applied: BTreeMap<String, AppliedWaiver>,
    /// Waivers that covered at least one finding, in file order (`matched`: how many they
    /// cover, counting findings a waiver earlier in the file took).
    pub used: Vec<WaiverNotice>,
    /// Waivers past their date, in file order; they covered nothing.
    pub expired: Vec<WaiverNotice>,
    /// Unexpired waivers that covered no FAIL or ERROR finding, in file order.
    pub unused: Vec<WaiverNotice>,
    /// One line per expired or unused waiver, for stderr.
    pub warnings: Vec<String>,
}

impl WaiverOutcome {
    /// The fingerprints of covered findings (what the gate leaves out).
    pub fn waived(&self) -> BTreeSet<String> {
        self.applied.keys().cloned().collect()
    }

    /// The ids of waivers that covered at least one finding, sorted, unique.
    pub fn applied_ids(&self) -> Vec<String> {
        let ids: BTreeSet<&str> = self.applied.values().map(|w| w.id.as_str()).collect();
        ids.into_iter().map(str::to_owned).collect()
    }
}

/// Why waivers could not be loaded: every problem, located.
pub type WaiverProblems = Problems;

impl Waivers {
    /// Reads and checks a waivers file; all problems at once.
    pub fn load(path: &Path) -> Result<Waivers, WaiverProblems> {
        let file = SourceFile::read(path, InputKind::Waivers)?;
        Self::parse(&file.name, &file.text)
    }

    /// Parses waivers text; `name` is shown in diagnostics and warnings.
    pub fn parse(name: &str, text: &str) -> Result<Waivers, WaiverProblems> {
        let file = Arc::new(SourceFile {
            name: name.to_owned(),
            text: text.to_owned(),
        });
        let mut problems = Vec::new();
        let waivers = parse::parse_file(&file, &mut problems);
        if problems.is_empty() {
            Ok(Waivers { file, waivers })
        } else {
            problems.sort_by_key(|d| d.pos.map(|p| p.offset));
            Err(Problems { problems })
        }
    }

    /// Matches the waivers against the findings on `today` (injected, so runs are
    /// reproducible).
    ///
    /// A waiver covers FAIL and ERROR findings. One that matches only PASS or NOT_APPLICABLE
    /// findings covers nothing and is reported unused: the exception looks fixed, so it should
    /// go before it silently hides a future regression.
    pub fn apply(&self, findings: &[Finding], today: Date) -> WaiverOutcome {
        let mut outcome = WaiverOutcome::default();
        let mut covered = vec![0usize; self.waivers.len()];
        for f in findings {
            if !f.status.is_problem() {
                continue;
            }
            for (i, w) in self.waivers.iter().enumerate() {
                if w.expired(today) || !w.matches(f) {
                    continue;
                }
                covered[i] += 1;
                outcome
                    .applied
                    .entry(f.fingerprint.clone())
                    .or_insert_with(|| AppliedWaiver {
                        id: w.id.clone(),
                        rule: w.rule.to_string(),
                        reason: w.reason.clone(),
                        owner: w.owner.clone(),
                        expires: w.expires,
                    });
            }
        }
        for (i, w) in self.waivers.iter().enumerate() {
            let count = |problems: bool| {
                findings
                    .iter()
                    .filter(|f| f.status.is_problem() == problems)
                    .filter(|f| w.matches(f))
                    .count()
            };
            if w.expired(today) {
                let n = count(true);
                outcome.warnings.push(format!(
                    "warning: {}: waiver `{}` expired on {}; it no longer applies{}",
                    self.location(w),
                    w.id,
                    iso(w.expires),
                    match n {
                        0 => String::new(),
                        1 => " (1 finding it matches counts again)".to_owned(),
                        n => format!(" ({n} findings it matches count again)"),
                    }
                ));
                outcome.expired.push(self.notice(w, n));
            } else if covered[i] > 0 {
                outcome.used.push(self.notice(w, covered[i]));
            } else {
                let n = count(false);
                let why = if n > 0 {
                    format!(
                        "matches only passing or not-applicable findings ({n}); remove it if the problem is fixed"
                    )
                } else {
                    "matches no finding; check its rule and resource patterns".to_owned()
                };
                outcome.warnings.push(format!(
                    "warning: {}: waiver `{}` is unused: it {why}",
                    self.location(w),
                    w.id
                ));
                outcome.unused.push(self.notice(w, n));
            }
        }
        outcome
    }

    fn location(&self, w: &Waiver) -> String {
        format!("{}:{}:{}", self.file.name, w.pos.line, w.pos.column)
    }

    fn notice(&self, w: &Waiver, matched: usize) -> WaiverNotice {
        WaiverNotice {
            id: w.id.clone(),
            rule: w.rule.to_string(),
            resource: w.resource.to_string(),
            reason: w.reason.clone(),
            owner: w.owner.clone(),
            expires: w.expires,
            location: self.location(w),
            matched,
        }
    }
}

/// `YYYY-MM-DD`.
pub fn iso(date: Date) -> String {
    format!(
        "{:04}-{:02}-{:02}",
        date.year(),
        u8::from(date.month()),
        date.day()
    )
}

fn iso_date<S: Serializer>(date: &Date, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_str(&iso(*date))
}
