//! One waiver, validated, and what it matches.

use time::Date;

use super::glob::Glob;
use crate::document::Pos;
use crate::finding::Finding;

/// One waiver, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Waiver {
    /// Its id: as written, or `#N` (its 1-based position in the file).
    pub id: String,
    /// Where `id:` is, when written.
    pub id_pos: Option<Pos>,
    /// The rule id or glob.
    pub rule: Glob,
    /// Matched against the resource ARN and, when that does not match or there is none, its id.
    pub resource: Glob,
    /// The account id (glob), when narrowed.
    pub account: Option<Glob>,
    /// The region (glob), when narrowed; `*` also matches findings without a region.
    pub region: Option<Glob>,
    /// Why the exception is accepted.
    pub reason: String,
    /// Who answers for it.
    pub owner: String,
    /// The last day it applies.
    pub expires: Date,
    /// Where the waiver starts in its file.
    pub pos: Pos,
}

impl Waiver {
    /// Whether the waiver's matchers all match the finding (whatever its status and the date).
    pub fn matches(&self, f: &Finding) -> bool {
        let r = &f.resource;
        self.rule.matches(&f.rule_id)
            && (r
                .arn
                .as_deref()
                .is_some_and(|arn| self.resource.matches(arn))
                || self.resource.matches(&r.id))
            && self
                .account
                .as_ref()
                .is_none_or(|a| a.matches(&r.account_id))
            && self
                .region
                .as_ref()
                .is_none_or(|g| g.matches(r.region.as_deref().unwrap_or("")))
    }

    /// Whether the waiver has expired on `today` (it still applies on its `expires` day).
    pub fn expired(&self, today: Date) -> bool {
        self.expires < today
    }
}
