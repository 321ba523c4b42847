//! Why a digest is invalid, in words a reader of the report understands. The first words
//! follow the AWS CLI's messages ("invalid format", "has been moved from its original
//! location", "public key not found …", "signature verification failed") so the two tools'
//! findings can be matched.

use super::gzip::GzipError;

/// Why one digest file failed verification.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DigestError {
    /// Not a single gzip member, corrupt, too large or with bytes after the stream.
    #[error(transparent)]
    Gzip(#[from] GzipError),
    /// The inflated bytes are not JSON.
    #[error("invalid format: not JSON at line {line}, column {column}: {message}")]
    Json {
        /// 1-based line in the inflated digest.
        line: usize,
        /// 1-based column.
        column: usize,
        /// serde_json's message.
        message: String,
    },
    /// The JSON is not an object.
    #[error("invalid format: the digest is not a JSON object")]
    NotAnObject,
    /// A required field is absent.
    #[error("invalid format: required field `{field}` is missing")]
    MissingField {
        /// The field (with its `logFiles[i].` path inside log entries).
        field: String,
    },
    /// A field has the wrong JSON type.
    #[error("invalid format: field `{field}` is not {expected}")]
    WrongType {
        /// The field.
        field: String,
        /// What it should be.
        expected: &'static str,
    },
    /// A field names an algorithm other than the only one CloudTrail uses.
    #[error("invalid format: field `{field}` is `{found}`, expected `{expected}`")]
    WrongValue {
        /// The field.
        field: String,
        /// The value CloudTrail writes.
        expected: &'static str,
        /// The value found.
        found: String,
    },
    /// A timestamp field is not RFC 3339.
    #[error("invalid format: field `{field}` is not an RFC 3339 time: `{value}`")]
    BadTime {
        /// The field.
        field: &'static str,
        /// The text found.
        value: String,
    },
    /// Some `previousDigest*` fields are null and others are not.
    #[error("invalid format: the previousDigest* fields are partly null")]
    PartialPreviousLink,
    /// `digestS3Bucket`/`digestS3Object` differ from where the object was found.
    #[error("has been moved from its original location {recorded}")]
    Moved {
        /// The location the digest records, as an S3 URI.
        recorded: String,
    },
    /// The S3 metadata lacks `signature` or `signature-algorithm`.
    #[error("signature verification failed: the S3 object metadata has no `{name}`")]
    MetadataMissing {
        /// The missing metadata key.
        name: &'static str,
    },
    /// The signature algorithm is not SHA256withRSA.
    #[error("signature verification failed: unsupported signature algorithm `{found}`")]
    Algorithm {
        /// The algorithm named.
        found: String,
    },
    /// No key with the digest's fingerprint among the source region's public keys.
    #[error("public key not found in region {region} for fingerprint {fingerprint}")]
    KeyNotFound {
        /// The source region whose keys were searched.
        region: String,
        /// `digestPublicKeyFingerprint`.
        fingerprint: String,
    },
    /// The listed key is not a DER PKCS#1 RSA public key.
    #[error("Unable to load PKCS #1 key with fingerprint {fingerprint}")]
    NotPkcs1 {
        /// The key's fingerprint.
        fingerprint: String,
    },
    /// The metadata signature is not hex.
    #[error("signature verification failed: the signature is not hex")]
    SignatureNotHex,
    /// The signature does not verify with the key over the string to sign.
    #[error("signature verification failed")]
    SignatureMismatch,
}

/// A caller error: the inputs of a chain verification do not belong together.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    /// Public keys of one region were supplied for a chain of another source region; CloudTrail
    /// signs with per-region keys (CT-UG, CHECKS.md §3.1).
    #[error("public keys of region {keys} supplied for the chain of source region {chain}")]
    KeysOfOtherRegion {
        /// The region of the keys.
        keys: String,
        /// The source region of the chain.
        chain: String,
    },
    /// The window ends before it starts.
    #[error("the window ends before it starts")]
    EmptyWindow,
}
