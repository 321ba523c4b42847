//! What `verify-logs` found, as every renderer reads it: the window, one entry per chain with
//! its counts, and the items (every problem; valid objects too when asked). Plain data, built
//! by the application from the collection's chains; renderers are pure functions of it.

use std::collections::BTreeSet;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use super::item::{Item, ItemKind, Status};

/// The `schema` of a verification report.
pub const VERIFICATION_SCHEMA: &str = "trailguard.verification/v1";

/// The period verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Period {
    /// Inclusive start.
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub start: OffsetDateTime,
    /// End.
    #[serde(with = "time::serde::rfc3339")]
    #[schemars(with = "String")]
    pub end: OffsetDateTime,
}

/// Valid, invalid and missing objects of one kind.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Counts {
    /// Verified unchanged.
    pub valid: u64,
    /// Changed, malformed, moved, wrongly signed or linked, or unreadable.
    pub invalid: u64,
    /// Named (or listed) but not in the bucket.
    pub missing: u64,
}

impl Counts {
    /// Counts one item's status (other statuses are counted elsewhere).
    pub fn add(&mut self, status: Status) {
        match status {
            Status::Valid => self.valid += 1,
            Status::Invalid => self.invalid += 1,
            Status::Missing => self.missing += 1,
            Status::Unexpected | Status::Cut | Status::Gap | Status::Error => {}
        }
    }
}

/// One chain: one trail's digests for one account and source region.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Chain {
    /// The account whose activity the chain records (for an organization trail, the member).
    pub account_id: String,
    /// The trail.
    pub trail_arn: String,
    /// The source region.
    pub region: String,
    /// The bucket the digests are in.
    pub bucket: String,
    /// The key prefix listed (`[prefix/]AWSLogs/[org-id/]account/CloudTrail-Digest/region/`).
    pub prefix: String,
    /// Backfill digests (`_backfill.json.gz`), verified as a chain of their own.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub backfill: bool,
    /// Its digests.
    pub digests: Counts,
    /// The log files its valid digests list.
    pub log_files: Counts,
    /// Gaps found (chain restarts).
    pub gaps: u64,
    /// Digests in the listing that are not on the chain.
    pub unexpected: u64,
    /// Whether the newest digests are gone (`LatestDigestDeliveryTime` is later).
    pub cut: bool,
    /// Why the chain (or part of it) could not be verified, naming the call; `None` when it
    /// was read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

/// Where a chain is, before anything of it was counted.
#[derive(Debug, Clone, Copy)]
pub struct ChainAt<'a> {
    /// The account whose digests these are.
    pub account_id: &'a str,
    /// The trail.
    pub trail_arn: &'a str,
    /// The source region.
    pub region: &'a str,
    /// The bucket.
    pub bucket: &'a str,
    /// The digest prefix listed.
    pub prefix: &'a str,
}

impl Chain {
    /// A chain with nothing counted yet (and no error).
    pub fn at(at: ChainAt<'_>, backfill: bool) -> Self {
        Chain {
            account_id: at.account_id.to_owned(),
            trail_arn: at.trail_arn.to_owned(),
            region: at.region.to_owned(),
            bucket: at.bucket.to_owned(),
            prefix: at.prefix.to_owned(),
            backfill,
            digests: Counts::default(),
            log_files: Counts::default(),
            gaps: 0,
            unexpected: 0,
            cut: false,
            error: None,
        }
    }
}

/// One item of the report: an object, gap, chain or error, and where it belongs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ReportItem {
    /// What it is about.
    pub kind: ItemKind,
    /// The account of the chain.
    pub account_id: String,
    /// The trail (empty for an account that could not be read).
    pub trail_arn: String,
    /// The source region (empty when the item is about a whole account or trail).
    pub region: String,
    /// Whether it belongs to the chain of backfill digests (see [`Chain::backfill`]): a
    /// backfill chain has the account, trail and region of the standard one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub backfill: bool,
    /// The bucket.
    pub bucket: String,
    /// The object's key (see [`Item::key`]).
    pub key: String,
    /// The verdict.
    pub status: Status,
    /// Why, in plain words (empty for valid items).
    pub reason: String,
    /// Start of the time covered (gaps and cuts).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub start: Option<OffsetDateTime>,
    /// End of the time covered (gaps and cuts).
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schemars(with = "Option<String>")]
    pub end: Option<OffsetDateTime>,
}

impl ReportItem {
    /// An item of `chain`.
    pub fn of(chain: &Chain, item: Item) -> Self {
        ReportItem {
            kind: item.kind,
            account_id: chain.account_id.clone(),
            trail_arn: chain.trail_arn.clone(),
            region: chain.region.clone(),
            backfill: chain.backfill,
            bucket: item.bucket,
            key: item.key,
            status: item.status,
            reason: item.reason,
            start: item.start,
            end: item.end,
        }
    }

    /// Whether it is a problem (anything but a valid object).
    pub fn is_problem(&self) -> bool {
        self.status != Status::Valid
    }

    /// `s3://bucket/key`, or the bucket alone when there is no key.
    pub fn s3_uri(&self) -> String {
        if self.key.is_empty() {
            format!("s3://{}/", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.key)
        }
    }
}

/// The whole run's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Summary {
    /// Digests over every chain.
    pub digests: Counts,
    /// Log files over every chain.
    pub log_files: Counts,
    /// Gaps over every chain.
    pub gaps: u64,
    /// Chains verified (or attempted).
    pub chains: u64,
    /// Digests not on their chain.
    pub unexpected: u64,
    /// Chains whose newest digests are gone.
    pub cut: u64,
    /// Chains, trails or accounts that could not be read: items with status `error`, and
    /// chains whose `error` no item of theirs carries.
    pub errors: u64,
}

/// Which tool wrote the report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct ToolInfo {
    /// `trailguard`.
    pub name: String,
    /// Its version.
    pub version: String,
}

/// A `verify-logs` report (`trailguard.verification/v1`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct Verification {
    /// [`VERIFICATION_SCHEMA`].
    pub schema: String,
    /// Which tool wrote it.
    pub tool: ToolInfo,
    /// The period verified.
    pub window: Period,
    /// When verification started and ended.
    pub run: Period,
    /// Totals.
    pub summary: Summary,
    /// Every chain, sorted by account, trail, region, backfill.
    pub chains: Vec<Chain>,
    /// Every problem (and, when asked, every valid object), sorted by account, trail, region,
    /// key, kind, status.
    pub items: Vec<ReportItem>,
    /// Whether valid objects are listed in `items` (`-v`).
    pub lists_valid: bool,
}

impl Verification {
    /// Builds the report: sorts chains and items, sums the totals, and keeps valid items only
    /// when `list_valid`.
    pub fn new(
        window: Period,
        run: Period,
        mut chains: Vec<Chain>,
        items: Vec<ReportItem>,
        list_valid: bool,
    ) -> Self {
        chains.sort_by(|a, b| chain_order(a).cmp(&chain_order(b)));
        let mut items: Vec<ReportItem> = items
            .into_iter()
            .filter(|i| list_valid || i.is_problem())
            .collect();
        items.sort_by(|a, b| item_order(a).cmp(&item_order(b)));
        let summary = summarize(&chains, &items);
        Verification {
            schema: VERIFICATION_SCHEMA.to_owned(),
            tool: ToolInfo {
                name: "trailguard".to_owned(),
                version: env!("CARGO_PKG_VERSION").to_owned(),
            },
            window,
            run,
            summary,
            chains,
            items,
            lists_valid: list_valid,
        }
    }

    /// The problems, in report order.
    pub fn problems(&self) -> impl Iterator<Item = &ReportItem> {
        self.items.iter().filter(|i| i.is_problem())
    }
}

fn chain_order(c: &Chain) -> (&str, &str, &str, bool) {
    (&c.account_id, &c.trail_arn, &c.region, c.backfill)
}

fn item_order(i: &ReportItem) -> (&str, &str, &str, &str, ItemKind, Status) {
    (
        &i.account_id,
        &i.trail_arn,
        &i.region,
        &i.key,
        i.kind,
        i.status,
    )
}

fn summarize(chains: &[Chain], items: &[ReportItem]) -> Summary {
    let mut summary = Summary {
        chains: chains.len() as u64,
        ..Summary::default()
    };
    for chain in chains {
        add_counts(&mut summary.digests, chain.digests);
        add_counts(&mut summary.log_files, chain.log_files);
        summary.gaps += chain.gaps;
        summary.unexpected += chain.unexpected;
        summary.cut += u64::from(chain.cut);
    }
    summary.errors = items.iter().filter(|i| i.status == Status::Error).count() as u64;
    // A chain's error that no item of the chain carries is one more: a chain that could not be
    // read never leaves the count at zero (the renderers show it as an item of its own).
    let said: BTreeSet<(&str, &str, &str, bool)> = items
        .iter()
        .filter(|i| i.kind == ItemKind::Chain && i.status == Status::Error)
        .map(|i| (&*i.account_id, &*i.trail_arn, &*i.region, i.backfill))
        .collect();
    summary.errors += chains
        .iter()
        .filter(|c| c.error.is_some())
        .filter(|c| !said.contains(&(&*c.account_id, &*c.trail_arn, &*c.region, c.backfill)))
        .count() as u64;
    summary
}

fn add_counts(total: &mut Counts, more: Counts) {
    total.valid += more.valid;
    total.invalid += more.invalid;
    total.missing += more.missing;
}
