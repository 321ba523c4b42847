//! Verification of CloudTrail log file integrity (`verify-logs`, issue 18; CHECKS.md §3): pure
//! functions over bytes already fetched — no AWS calls here.
//!
//! * [`verify_chain`] walks one digest chain (trail × source region × bucket): each digest is
//!   gunzipped, parsed, checked against where it was found and against its S3-metadata RSA
//!   signature with the source region's [`PublicKeys`]; each link to the previous digest is
//!   checked; gaps, stray digests and a cut chain become [`Item`]s.
//! * [`verify_log`] streams one log file through gunzip and SHA-256 (constant memory) and
//!   compares it with the hash its digest records.
//!
//! * [`Verification`] (`outcome.rs`) is what the renderers read: chains, counts and items.
//!
//! The crypto (aws-lc-rs) and gunzip (flate2) come with the AWS SDK, so verification builds
//! with the `aws` feature; the vocabulary and the report model do not need it.

#[cfg(feature = "aws")]
mod chain;
#[cfg(feature = "aws")]
mod digest;
#[cfg(feature = "aws")]
mod error;
#[cfg(feature = "aws")]
mod gzip;
mod item;
#[cfg(feature = "aws")]
mod keys;
#[cfg(feature = "aws")]
mod log;
mod outcome;

#[cfg(feature = "aws")]
pub use chain::{
    ChainInput, ChainOutcome, DELIVERY_TOLERANCE, Fetched, LISTED_PAST_END, ListedDigest, Window,
    key_time, verify_chain,
};
#[cfg(feature = "aws")]
pub use digest::{FetchedDigest, LogFileEntry, PreviousLink, VerifiedDigest, verify_digest};
#[cfg(feature = "aws")]
pub use error::{ChainError, DigestError};
#[cfg(feature = "aws")]
pub use gzip::{GzipError, Hashed, hash_gzip};
pub use item::{Item, ItemKind, Status};
#[cfg(feature = "aws")]
pub use keys::PublicKeys;
#[cfg(feature = "aws")]
pub use log::{LogSource, verify_log};
pub use outcome::{
    Chain, ChainAt, Counts, Period, ReportItem, Summary, ToolInfo, VERIFICATION_SCHEMA,
    Verification,
};

#[cfg(all(test, feature = "aws"))]
mod tests;
