//! One log file: stream it through gunzip and SHA-256 and compare with the digest's hash.

use std::io::Read;

use super::digest::LogFileEntry;
use super::gzip::hash_gzip;
use super::item::{Item, ItemKind, Status};

/// What fetching a log file gave: its body as a stream, or why there is none.
#[derive(Debug)]
pub enum LogSource<R> {
    /// The object's bytes, read as they arrive.
    Body(R),
    /// `NoSuchKey`: the digest names a file the bucket does not hold.
    NotFound,
    /// The read failed for another reason (access denied, KMS, network): never "valid".
    Failed {
        /// The API call, e.g. `s3:GetObject`.
        call: String,
        /// The error as received.
        message: String,
    },
}

/// Verifies one log file against its digest entry; the body is streamed (memory is constant,
/// see `gzip::CHUNK`). The reasons follow the AWS CLI's: "not found", "invalid format",
/// "unexpected data after end of compressed stream", "hash value doesn't match".
pub fn verify_log<R: Read>(entry: &LogFileEntry, source: LogSource<R>) -> Item {
    let (status, reason) = match source {
        LogSource::NotFound => (Status::Missing, "not found".to_owned()),
        LogSource::Failed { call, message } => (
            Status::Invalid,
            format!("could not be read ({call}: {message})"),
        ),
        LogSource::Body(body) => match hash_gzip(body) {
            Ok(hashed) if hashed.sha256_hex.eq_ignore_ascii_case(&entry.hash_value) => {
                (Status::Valid, String::new())
            }
            Ok(_) => (
                Status::Invalid,
                format!(
                    "hash value doesn't match the one in digest {}",
                    entry.digest_key
                ),
            ),
            Err(err) => (Status::Invalid, err.to_string()),
        },
    };
    Item::object(ItemKind::LogFile, status, &entry.bucket, &entry.key, reason)
}
