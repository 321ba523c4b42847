//! Gunzip of one gzip member and nothing after it, streamed, with SHA-256 of what it inflates.
//!
//! CloudTrail writes every log and digest file as a single gzip member. The AWS CLI
//! (`validation.py` `_download_log`, awscli 1.46; aws/aws-cli#10326) inflates log files with
//! `zlib.decompressobj(MAX_WBITS | 16)`, which decodes exactly one member, and rejects the file
//! when `unused_data` is left: "unexpected data after end of compressed stream". We do the same
//! with `flate2::bufread::GzDecoder`, which also decodes exactly one member and consumes from
//! the buffered source only the bytes that member occupies (its CRC-32 and size trailer are
//! checked): whatever the source still holds afterwards — appended text or a second gzip
//! member — is trailing data. Digests get the same check (the CLI ignores bytes after a
//! digest's stream; they are not covered by the signature, so refusing them is stricter).

use std::io::{self, BufRead, BufReader, Read};

use aws_lc_rs::digest;
use flate2::bufread::GzDecoder;

/// Bytes read from the source at a time, and the size of the inflated-output buffer: the whole
/// memory a streamed hash uses, whatever the size of the file.
pub const CHUNK: usize = 16 * 1024;

/// Why a gzip object could not be inflated.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GzipError {
    /// Zero bytes: not a gzip stream at all.
    #[error("invalid format: the object is empty")]
    Empty,
    /// Not gzip, corrupt deflate data, a bad checksum or a truncated stream.
    #[error("invalid format: {0}")]
    Format(String),
    /// Bytes follow the end of the (first) gzip member.
    #[error("unexpected data after end of compressed stream")]
    TrailingData,
    /// The inflated content exceeds the limit set for this kind of object.
    #[error("invalid format: inflates to more than {limit} bytes")]
    TooLarge {
        /// The limit, in inflated bytes.
        limit: u64,
    },
    /// Reading the object itself failed (the network, not the content).
    #[error("could not read the object: {0}")]
    Read(String),
}

/// What streaming one gzip object through SHA-256 found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hashed {
    /// Lower-case hex SHA-256 of the inflated bytes.
    pub sha256_hex: String,
    /// How many bytes the object inflated to.
    pub inflated_len: u64,
    /// Bytes of buffer the hash held at any time (read buffer plus output buffer): constant.
    pub buffer_bytes: usize,
}

/// Remembers whether the source itself failed, so a network error is not reported as a
/// corrupt file (the decoder turns both into `io::Error`).
struct Tracked<R> {
    inner: R,
    failure: Option<String>,
}

impl<R: Read> Read for Tracked<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.inner
            .read(buf)
            .inspect_err(|err| self.failure = Some(err.to_string()))
    }
}

/// Inflates `source` (one gzip member, nothing after it) chunk by chunk into `sink`.
/// Returns the number of inflated bytes. Never holds more than two [`CHUNK`]s.
pub fn inflate_into<R: Read>(
    source: R,
    limit: u64,
    mut sink: impl FnMut(&[u8]),
) -> Result<u64, GzipError> {
    let tracked = Tracked {
        inner: source,
        failure: None,
    };
    let mut buffered = BufReader::with_capacity(CHUNK, tracked);
    if fill(&mut buffered)?.is_empty() {
        return Err(GzipError::Empty);
    }
    let mut decoder = GzDecoder::new(buffered);
    let mut out = vec![0u8; CHUNK];
    let mut total: u64 = 0;
    loop {
        let n = match decoder.read(&mut out) {
            Ok(0) => break,
            Ok(n) => n,
            Err(err) => return Err(classify(decoder.get_ref().get_ref(), &err)),
        };
        total = total.saturating_add(n as u64);
        if total > limit {
            return Err(GzipError::TooLarge { limit });
        }
        sink(out.get(..n).unwrap_or_default());
    }
    let mut rest = decoder.into_inner();
    if fill(&mut rest)?.is_empty() {
        Ok(total)
    } else {
        Err(GzipError::TrailingData)
    }
}

/// Inflates a whole (small) object into memory, at most `limit` bytes.
pub fn inflate(body: &[u8], limit: u64) -> Result<Vec<u8>, GzipError> {
    let mut inflated = Vec::new();
    inflate_into(body, limit, |chunk| inflated.extend_from_slice(chunk))?;
    Ok(inflated)
}

/// Streams `source` through gunzip and SHA-256 without holding the file: memory is
/// [`Hashed::buffer_bytes`] whatever the size.
pub fn hash_gzip<R: Read>(source: R) -> Result<Hashed, GzipError> {
    let mut context = digest::Context::new(&digest::SHA256);
    let inflated_len = inflate_into(source, u64::MAX, |chunk| context.update(chunk))?;
    Ok(Hashed {
        sha256_hex: hex::encode(context.finish().as_ref()),
        inflated_len,
        buffer_bytes: 2 * CHUNK,
    })
}

/// Lower-case hex SHA-256 of bytes already in memory (an inflated digest).
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(digest::digest(&digest::SHA256, bytes).as_ref())
}

fn fill<R: Read>(reader: &mut BufReader<Tracked<R>>) -> Result<&[u8], GzipError> {
    match reader.fill_buf() {
        Ok(bytes) => Ok(bytes),
        Err(err) => Err(GzipError::Read(err.to_string())),
    }
}

fn classify<R>(source: &Tracked<R>, err: &io::Error) -> GzipError {
    match &source.failure {
        Some(failure) => GzipError::Read(failure.clone()),
        None => GzipError::Format(err.to_string()),
    }
}
