//! One digest chain (one trail, one source region, one bucket): walk it from the newest digest
//! back through the `previousDigest*` links, as the AWS CLI's `DigestTraverser` does
//! (CHECKS.md §3.7), and close its blind spots: check every link, report digests no link
//! reaches (`unexpected`), and compare the newest digest with `LatestDigestDeliveryTime`
//! (`cut`).
//!
//! A deleted digest in the middle is `missing`, not a gap: the newer digest still names it as
//! its predecessor, so CloudTrail delivered it. A gap is only what CloudTrail itself declares
//! by starting a new chain (all `previousDigest*` null) after older digests — logging or
//! validation was off — and forging such a start needs CloudTrail's private key.

use std::collections::{BTreeMap, BTreeSet};

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Duration, OffsetDateTime, PrimitiveDateTime};

use super::digest::{FetchedDigest, LogFileEntry, PreviousLink, VerifiedDigest, verify_digest};
use super::error::ChainError;
use super::item::{Item, ItemKind, Status};
use super::keys::PublicKeys;

/// How long after a digest's end CloudTrail may report delivering it. Digests come hourly, so
/// a newest digest ending more than this before `LatestDigestDeliveryTime` means at least one
/// newer digest is gone; half the interval leaves room for delivery delay on either side.
pub const DELIVERY_TOLERANCE: Duration = Duration::minutes(30);

/// How far past the window's end digests are listed: the digest delivered just after the end
/// covers the window's last hour (the AWS CLI lists to end + 1 h).
pub const LISTED_PAST_END: Duration = Duration::hours(1);

/// The period being verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    /// Inclusive start.
    pub start: OffsetDateTime,
    /// End.
    pub end: OffsetDateTime,
}

/// What reading one listed digest object gave.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fetched {
    /// Its bytes and S3 user metadata.
    Object {
        /// The stored (gzip) bytes.
        body: Vec<u8>,
        /// User metadata (`signature`, `signature-algorithm`, …).
        metadata: BTreeMap<String, String>,
    },
    /// `NoSuchKey` although it was listed (deleted in between).
    NotFound,
    /// Any other failure: an error state naming the call, never "valid".
    Failed {
        /// The API call, e.g. `s3:GetObject`.
        call: String,
        /// The error as received.
        message: String,
    },
}

/// One digest object from the listing of the chain's prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedDigest {
    /// Its key.
    pub key: String,
    /// What reading it gave.
    pub fetched: Fetched,
}

/// Everything one chain's verification needs, already fetched.
#[derive(Debug, Clone, Copy)]
pub struct ChainInput<'a> {
    /// The bucket the digests were listed in.
    pub bucket: &'a str,
    /// The source region of the chain (its digests are signed with this region's keys).
    pub source_region: &'a str,
    /// The period verified.
    pub window: Window,
    /// Every digest object listed for the chain in the window (any order).
    pub listed: &'a [ListedDigest],
    /// `ListPublicKeys` of the source region for the window.
    pub keys: &'a PublicKeys,
    /// `GetTrailStatus.LatestDigestDeliveryTime`, when known.
    pub latest_delivery: Option<OffsetDateTime>,
}

/// The verdict on one chain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainOutcome {
    /// Every digest (valid ones included), gap, stray digest and cut, sorted by key.
    pub items: Vec<Item>,
    /// The log files the verified digests list, to be fetched and hashed (`verify_log`).
    pub log_files: Vec<LogFileEntry>,
}

/// Verifies one chain. Errors only when the inputs do not belong together; every problem of
/// the chain itself is an item.
pub fn verify_chain(input: &ChainInput<'_>) -> Result<ChainOutcome, ChainError> {
    if input.keys.region() != input.source_region {
        return Err(ChainError::KeysOfOtherRegion {
            keys: input.keys.region().to_owned(),
            chain: input.source_region.to_owned(),
        });
    }
    if input.window.end < input.window.start {
        return Err(ChainError::EmptyWindow);
    }
    let mut walk = Walk::new(input);
    walk.run();
    Ok(walk.finish())
}

/// Where the newest digest that names a predecessor points, kept until that one is verified.
struct Pending {
    newer_key: String,
    link: PreviousLink,
}

struct Walk<'a> {
    input: &'a ChainInput<'a>,
    /// Listed digests with a timestamp in their name, oldest first.
    order: Vec<(OffsetDateTime, &'a ListedDigest)>,
    /// Key → position in `order` (links are followed by key).
    positions: BTreeMap<&'a str, usize>,
    visited: Vec<bool>,
    digests: BTreeMap<String, Item>,
    others: Vec<Item>,
    log_files: Vec<LogFileEntry>,
    /// Key time of every listed digest that exists (readable or not): the newest shows a cut.
    present: BTreeSet<OffsetDateTime>,
}

impl<'a> Walk<'a> {
    fn new(input: &'a ChainInput<'a>) -> Self {
        let mut order = Vec::new();
        let mut others = Vec::new();
        for listed in input.listed {
            match key_time(&listed.key) {
                Some(time) => order.push((time, listed)),
                None => others.push(digest_item(
                    input.bucket,
                    &listed.key,
                    Status::Unexpected,
                    "not a digest of this chain: its name carries no digest time",
                )),
            }
        }
        order.sort_by(|a, b| (a.0, &a.1.key).cmp(&(b.0, &b.1.key)));
        let visited = vec![false; order.len()];
        let positions = order
            .iter()
            .enumerate()
            .map(|(pos, (_, l))| (l.key.as_str(), pos))
            .collect();
        Walk {
            input,
            order,
            positions,
            visited,
            digests: BTreeMap::new(),
            others,
            log_files: Vec::new(),
            present: BTreeSet::new(),
        }
    }

    /// From the newest listed digest back along the links; after a chain start, a missing or
    /// an invalid digest, on with the next older listed one (as the CLI does).
    fn run(&mut self) {
        let mut cursor = self.older_unvisited(self.order.len());
        let mut pending: Option<Pending> = None;
        while let Some(pos) = cursor {
            self.visited[pos] = true;
            let (time, listed) = self.order[pos];
            match self.read_one(listed, time) {
                Some(verified) => {
                    if let Some(newer) = pending.take() {
                        self.check_link(&newer, &verified);
                    }
                    let item = digest_item(self.input.bucket, &listed.key, Status::Valid, "");
                    self.digests.insert(listed.key.clone(), item);
                    self.log_files.extend(verified.log_files.iter().cloned());
                    (cursor, pending) = self.next_after(pos, verified);
                }
                None => {
                    pending = None;
                    cursor = self.older_unvisited(pos);
                }
            }
        }
    }

    /// Verifies one listed digest; records why when it is not valid.
    fn read_one(&mut self, listed: &ListedDigest, time: OffsetDateTime) -> Option<VerifiedDigest> {
        let bucket = self.input.bucket;
        let (status, reason) = match &listed.fetched {
            Fetched::NotFound => (Status::Missing, "not found (listed, then gone)".to_owned()),
            Fetched::Failed { call, message } => {
                self.present.insert(time); // it exists; only reading it failed
                (
                    Status::Invalid,
                    format!("could not be read ({call}: {message})"),
                )
            }
            Fetched::Object { body, metadata } => {
                self.present.insert(time);
                let found = FetchedDigest {
                    bucket,
                    key: &listed.key,
                    body,
                    metadata,
                };
                match verify_digest(found, self.input.keys) {
                    Ok(verified) => return Some(verified),
                    Err(err) => (Status::Invalid, err.to_string()),
                }
            }
        };
        let item = digest_item(bucket, &listed.key, status, reason);
        self.digests.insert(listed.key.clone(), item);
        None
    }

    /// Where to go after a valid digest: its predecessor (to check the link), or — at a chain
    /// start or a missing predecessor — the next older listed digest.
    fn next_after(
        &mut self,
        pos: usize,
        digest: VerifiedDigest,
    ) -> (Option<usize>, Option<Pending>) {
        if digest.start < self.input.window.start {
            return (None, None); // its predecessor lies before the window
        }
        let older = self.older_unvisited(pos);
        let Some(link) = digest.previous else {
            if let Some(gap_pos) = older {
                self.others.push(gap_item(
                    self.input.bucket,
                    &digest.key,
                    self.order[gap_pos].0,
                    digest.start,
                ));
            }
            return (older, None);
        };
        if link.bucket != self.input.bucket {
            let reason = format!(
                "the previous digest of {} is in another bucket (s3://{}/{}); chains that change \
                 bucket are not followed",
                digest.key, link.bucket, link.key
            );
            self.others.push(Item::object(
                ItemKind::Digest,
                Status::Missing,
                &link.bucket,
                &link.key,
                reason,
            ));
            return (older, None);
        }
        match self.position(&link.key) {
            Some(target) if target < pos && !self.visited[target] => (
                Some(target),
                Some(Pending {
                    newer_key: digest.key,
                    link,
                }),
            ),
            Some(_) => {
                let reason = format!(
                    "previous-digest link broken: it names {}, which is not an older digest of \
                     the chain",
                    link.key
                );
                self.downgrade(&digest.key, reason);
                (older, None)
            }
            None => {
                let reason = format!("not found: {} names it as its previous digest", digest.key);
                self.others.push(digest_item(
                    self.input.bucket,
                    &link.key,
                    Status::Missing,
                    reason,
                ));
                (older, None)
            }
        }
    }

    /// Beyond the CLI: the newer digest must record the SHA-256 of this digest's inflated bytes
    /// and this digest's signature (CT-UG "Digest file chaining").
    fn check_link(&mut self, newer: &Pending, older: &VerifiedDigest) {
        let uri = format!("s3://{}/{}", self.input.bucket, older.key);
        let reason = if !newer
            .link
            .hash_value
            .eq_ignore_ascii_case(&older.inflated_sha256)
        {
            format!(
                "previous-digest link broken: previousDigestHashValue {} is not the SHA-256 of \
                 {uri} ({})",
                newer.link.hash_value, older.inflated_sha256
            )
        } else if !newer.link.signature.eq_ignore_ascii_case(&older.signature) {
            format!(
                "previous-digest link broken: previousDigestSignature is not the signature of {uri}"
            )
        } else {
            return;
        };
        self.downgrade(&newer.newer_key, reason);
    }

    fn downgrade(&mut self, key: &str, reason: String) {
        let item = digest_item(self.input.bucket, key, Status::Invalid, reason);
        self.digests.insert(key.to_owned(), item);
    }

    /// The newest listed digest older than position `before` that the walk has not read.
    fn older_unvisited(&self, before: usize) -> Option<usize> {
        (0..before.min(self.order.len()))
            .rev()
            .find(|&p| !self.visited[p])
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.positions.get(key).copied()
    }

    fn finish(mut self) -> ChainOutcome {
        let window_start = self.input.window.start;
        for (pos, (time, listed)) in self.order.iter().enumerate() {
            if !self.visited[pos] && *time >= window_start {
                self.others.push(digest_item(
                    self.input.bucket,
                    &listed.key,
                    Status::Unexpected,
                    "not on the chain: no digest names it as its previous digest",
                ));
            }
        }
        if let Some(cut) = self.cut() {
            self.others.push(cut);
        }
        let mut items: Vec<Item> = self.digests.into_values().chain(self.others).collect();
        items.sort_by(|a, b| (&a.key, a.kind, a.status).cmp(&(&b.key, b.kind, b.status)));
        ChainOutcome {
            items,
            log_files: self.log_files,
        }
    }

    /// Beyond the CLI: a deleted newest digest is invisible in the chain itself; CloudTrail's
    /// own record of its latest delivery shows it.
    fn cut(&self) -> Option<Item> {
        let latest = self.input.latest_delivery?;
        let window = self.input.window;
        let newest = self.present.last().copied();
        let (key, start, reason) = match newest {
            Some(newest) if latest - newest > DELIVERY_TOLERANCE && newest < window.end => {
                let key = self
                    .order
                    .iter()
                    .rev()
                    .find(|(t, _)| *t == newest)
                    .map(|(_, l)| l.key.clone());
                let reason = format!(
                    "the newest digest ends at {}, but CloudTrail last delivered a digest at {}: \
                     newer digests were deleted",
                    rfc3339(newest),
                    rfc3339(latest)
                );
                (key.unwrap_or_default(), newest, reason)
            }
            // Only a delivery inside what was listed shows that digests were deleted; a later
            // one says nothing about this (past) window.
            None if latest >= window.start && latest <= window.end + LISTED_PAST_END => {
                let reason = format!(
                    "no digest in the window, but CloudTrail last delivered one at {}",
                    rfc3339(latest)
                );
                (String::new(), window.start, reason)
            }
            _ => return None,
        };
        let mut item = Item::object(
            ItemKind::Chain,
            Status::Cut,
            self.input.bucket,
            &key,
            reason,
        );
        item.start = Some(start);
        item.end = Some(latest);
        Some(item)
    }
}

fn digest_item(bucket: &str, key: &str, status: Status, reason: impl Into<String>) -> Item {
    Item::object(ItemKind::Digest, status, bucket, key, reason)
}

fn gap_item(bucket: &str, restart_key: &str, start: OffsetDateTime, end: OffsetDateTime) -> Item {
    let reason = format!(
        "no digests between {} and {}: the chain restarts at this digest (logging or log file \
         validation was off)",
        rfc3339(start),
        rfc3339(end)
    );
    let mut item = Item::object(ItemKind::Gap, Status::Gap, bucket, restart_key, reason);
    item.start = Some(start);
    item.end = Some(end);
    item
}

/// A time as reports print it (`2026-03-01T04:05:00Z`).
fn rfc3339(time: OffsetDateTime) -> String {
    time.format(&Rfc3339).unwrap_or_else(|_| time.to_string())
}

/// The time in a digest key's name: `…_YYYYMMDDTHHMMSSZ.json.gz`, or
/// `…_YYYYMMDDTHHMMSSZ_backfill.json.gz` (CHECKS.md §3.2).
pub fn key_time(key: &str) -> Option<OffsetDateTime> {
    let stem = key.strip_suffix(".json.gz")?;
    let stem = stem.strip_suffix("_backfill").unwrap_or(stem);
    let stamp = stem.rsplit('_').next()?;
    let format = format_description!("[year][month][day]T[hour][minute][second]Z");
    PrimitiveDateTime::parse(stamp, format)
        .ok()
        .map(PrimitiveDateTime::assume_utc)
}
