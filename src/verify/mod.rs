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
//! The crypto (aws-lc-rs) and gunzip (flate2) come with the AWS SDK, so the module builds with
//! the `aws` feature.

mod chain;
mod digest;
mod error;
mod gzip;
mod item;
mod keys;
mod log;

pub use chain::{
    ChainInput, ChainOutcome, DELIVERY_TOLERANCE, Fetched, ListedDigest, Window, verify_chain,
};
pub use digest::{FetchedDigest, LogFileEntry, PreviousLink, VerifiedDigest, verify_digest};
pub use error::{ChainError, DigestError};
pub use gzip::{GzipError, Hashed, hash_gzip};
pub use item::{Item, ItemKind, Status};
pub use keys::PublicKeys;
pub use log::{LogSource, verify_log};

#[cfg(test)]
mod tests;
