//! What verification says about one object, gap or chain (issue 18's JSON item vocabulary).

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

/// What an item is about.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// A digest file.
    Digest,
    /// A log file listed by a digest.
    LogFile,
    /// A stretch of time no digest covers.
    Gap,
    /// The chain as a whole (cut, or could not be read).
    Chain,
}

impl ItemKind {
    /// The name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemKind::Digest => "digest",
            ItemKind::LogFile => "log_file",
            ItemKind::Gap => "gap",
            ItemKind::Chain => "chain",
        }
    }
}

/// The verdict on an item.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Verified: unchanged since CloudTrail delivered it.
    Valid,
    /// Changed, malformed, moved, wrongly signed or wrongly linked (or unreadable).
    Invalid,
    /// Named by a digest (or listed) but not in the bucket.
    Missing,
    /// A digest object in the bucket that no digest of the chain names.
    Unexpected,
    /// The newest digests are gone: CloudTrail reports a later delivery.
    Cut,
    /// The chain restarts: CloudTrail delivered no digests in between.
    Gap,
    /// Could not be read or judged (a denied or failed call): never "valid".
    Error,
}

impl Status {
    /// The name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Invalid => "invalid",
            Status::Missing => "missing",
            Status::Unexpected => "unexpected",
            Status::Cut => "cut",
            Status::Gap => "gap",
            Status::Error => "error",
        }
    }
}

/// One finding of the verification, with its reason in plain words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Item {
    /// What it is about.
    pub kind: ItemKind,
    /// The verdict.
    pub status: Status,
    /// The bucket of the object (for gaps and chains: of the chain).
    pub bucket: String,
    /// The object's key (for a gap: the digest that restarts the chain; for a cut: the newest
    /// digest found).
    pub key: String,
    /// Why, in plain words (empty for valid items).
    pub reason: String,
    /// Start of the time the item covers (gaps and cuts).
    #[serde(with = "time::serde::rfc3339::option")]
    pub start: Option<OffsetDateTime>,
    /// End of the time the item covers (gaps and cuts).
    #[serde(with = "time::serde::rfc3339::option")]
    pub end: Option<OffsetDateTime>,
}

impl Item {
    /// An item about one object, without times.
    pub fn object(
        kind: ItemKind,
        status: Status,
        bucket: &str,
        key: &str,
        reason: impl Into<String>,
    ) -> Self {
        Item {
            kind,
            status,
            bucket: bucket.to_owned(),
            key: key.to_owned(),
            reason: reason.into(),
            start: None,
            end: None,
        }
    }
}
