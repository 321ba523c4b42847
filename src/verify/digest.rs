//! One digest file: parse it, check where it was found, and verify its signature (CHECKS.md
//! §3.3–§3.6, as the AWS CLI's `DigestTraverser._load_and_validate_digest` and
//! `Sha256RSADigestValidator` do, and a little stricter where noted).

use std::collections::BTreeMap;

use aws_lc_rs::signature::{RSA_PKCS1_2048_8192_SHA256, UnparsedPublicKey};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::error::DigestError;
use super::gzip::{inflate, sha256_hex};
use super::keys::PublicKeys;

/// Largest inflated digest accepted. A digest lists one hour of log files of one account and
/// region (a few hundred bytes each); 64 MiB is far beyond any real one and bounds memory.
pub const MAX_DIGEST_BYTES: u64 = 64 * 1024 * 1024;

/// The only signature algorithm CloudTrail uses (`digestSignatureAlgorithm`, S3 metadata
/// `signature-algorithm`).
pub const SIGNATURE_ALGORITHM: &str = "SHA256withRSA";

/// A digest object as fetched: where it was found, its bytes and its S3 user metadata.
#[derive(Debug, Clone, Copy)]
pub struct FetchedDigest<'a> {
    /// The bucket it was read from.
    pub bucket: &'a str,
    /// The key it was read from.
    pub key: &'a str,
    /// The stored (gzip) bytes.
    pub body: &'a [u8],
    /// S3 user metadata (`x-amz-meta-*` without the prefix), keys lower case.
    pub metadata: &'a BTreeMap<String, String>,
}

/// The previous digest a digest names (all `previousDigest*` fields set).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreviousLink {
    /// `previousDigestS3Bucket`.
    pub bucket: String,
    /// `previousDigestS3Object`.
    pub key: String,
    /// `previousDigestHashValue`: hex SHA-256 of the previous digest's inflated bytes.
    pub hash_value: String,
    /// `previousDigestSignature`: the previous digest's signature (hex).
    pub signature: String,
}

/// One `logFiles[]` entry: a log file the digest vouches for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFileEntry {
    /// `s3Bucket`.
    pub bucket: String,
    /// `s3Object`.
    pub key: String,
    /// `hashValue`: hex SHA-256 of the inflated log file.
    pub hash_value: String,
    /// The key of the digest that lists it (for reports).
    pub digest_key: String,
}

/// A digest whose format, location and signature were verified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifiedDigest {
    /// Its key (= `digestS3Object`).
    pub key: String,
    /// `digestStartTime`.
    pub start: OffsetDateTime,
    /// `digestEndTime`.
    pub end: OffsetDateTime,
    /// The previous digest, or `None` for a chain start (all `previousDigest*` null).
    pub previous: Option<PreviousLink>,
    /// The log files it lists.
    pub log_files: Vec<LogFileEntry>,
    /// Hex SHA-256 of its inflated bytes (what the next digest's link must record).
    pub inflated_sha256: String,
    /// Its signature from the S3 metadata (what the next digest's link must record).
    pub signature: String,
}

/// Verifies one digest as the AWS CLI does: gunzip, JSON, required fields, recorded location
/// equals where it was found, key by fingerprint among `keys` (the source region's), RSA
/// PKCS#1 v1.5 SHA-256 of the string to sign. Stricter than the CLI: no bytes after the gzip
/// stream, SHA-256 only (python-rsa accepts any hash the signature names), typed fields.
pub fn verify_digest(
    found: FetchedDigest<'_>,
    keys: &PublicKeys,
) -> Result<VerifiedDigest, DigestError> {
    let inflated = inflate(found.body, MAX_DIGEST_BYTES)?;
    let json: Value = serde_json::from_slice(&inflated).map_err(|err| DigestError::Json {
        line: err.line(),
        column: err.column(),
        message: err.to_string(),
    })?;
    let fields = json.as_object().ok_or(DigestError::NotAnObject)?;
    let parsed = Parsed::from_json(fields)?;
    if parsed.bucket != found.bucket || parsed.object != found.key {
        return Err(DigestError::Moved {
            recorded: format!("s3://{}/{}", parsed.bucket, parsed.object),
        });
    }
    let signature = metadata_signature(found.metadata)?;
    let der = keys
        .find(&parsed.fingerprint)
        .ok_or_else(|| DigestError::KeyNotFound {
            region: keys.region().to_owned(),
            fingerprint: parsed.fingerprint.clone(),
        })?;
    let inflated_sha256 = sha256_hex(&inflated);
    let to_sign = string_to_sign(&parsed, &inflated_sha256);
    check_signature(der, &parsed.fingerprint, to_sign.as_bytes(), &signature)?;
    Ok(VerifiedDigest {
        key: parsed.object,
        start: parsed.start,
        end: parsed.end,
        previous: parsed.previous,
        log_files: parsed.log_files,
        inflated_sha256,
        signature,
    })
}

/// CHECKS.md §3.5, byte for byte: `digestEndTime` as stored, `bucket/key`, hex SHA-256 of the
/// inflated digest, `previousDigestSignature` or the word `null`.
fn string_to_sign(parsed: &Parsed, inflated_sha256: &str) -> String {
    let previous = parsed.previous_signature.as_deref().unwrap_or("null");
    format!(
        "{}\n{}/{}\n{}\n{}",
        parsed.end_text, parsed.bucket, parsed.object, inflated_sha256, previous
    )
}

/// The hex signature from the S3 metadata; both `signature` and `signature-algorithm` are
/// required (as the CLI requires), and the algorithm must be SHA256withRSA.
fn metadata_signature(metadata: &BTreeMap<String, String>) -> Result<String, DigestError> {
    let signature = metadata
        .get("signature")
        .ok_or(DigestError::MetadataMissing { name: "signature" })?;
    let algorithm = metadata
        .get("signature-algorithm")
        .ok_or(DigestError::MetadataMissing {
            name: "signature-algorithm",
        })?;
    if algorithm != SIGNATURE_ALGORITHM {
        return Err(DigestError::Algorithm {
            found: algorithm.clone(),
        });
    }
    Ok(signature.clone())
}

/// RSASSA-PKCS1-v1_5 with SHA-256 over the message itself (aws-lc-rs hashes it: no
/// pre-hashing). The key must be a DER PKCS#1 `RSAPublicKey`, as `ListPublicKeys` returns it
/// and the CLI requires ("Unable to load PKCS #1 key"); aws-lc-rs would also take an X.509
/// SubjectPublicKeyInfo, so the form is checked first.
fn check_signature(
    der: &[u8],
    fingerprint: &str,
    message: &[u8],
    signature_hex: &str,
) -> Result<(), DigestError> {
    if !is_pkcs1_rsa_public_key(der) {
        return Err(DigestError::NotPkcs1 {
            fingerprint: fingerprint.to_owned(),
        });
    }
    let signature = hex::decode(signature_hex).map_err(|_| DigestError::SignatureNotHex)?;
    UnparsedPublicKey::new(&RSA_PKCS1_2048_8192_SHA256, der)
        .verify(message, &signature)
        .map_err(|_| DigestError::SignatureMismatch)
}

/// `RSAPublicKey ::= SEQUENCE { modulus INTEGER, publicExponent INTEGER }` starts with an
/// INTEGER inside the outer SEQUENCE; an X.509 SubjectPublicKeyInfo starts with a SEQUENCE.
fn is_pkcs1_rsa_public_key(der: &[u8]) -> bool {
    let header = match der.get(1) {
        Some(len) if len & 0x80 == 0 => 2,
        Some(len) => 2 + usize::from(len & 0x7f),
        None => return false,
    };
    der.first() == Some(&0x30) && der.get(header) == Some(&0x02)
}

/// The digest fields the verification reads, typed.
struct Parsed {
    start: OffsetDateTime,
    end: OffsetDateTime,
    end_text: String,
    bucket: String,
    object: String,
    fingerprint: String,
    previous_signature: Option<String>,
    previous: Option<PreviousLink>,
    log_files: Vec<LogFileEntry>,
}

impl Parsed {
    fn from_json(fields: &Map<String, Value>) -> Result<Self, DigestError> {
        let end_text = string(fields, "digestEndTime")?;
        let object = string(fields, "digestS3Object")?;
        if let Some(algorithm) = nullable_string(fields, "digestSignatureAlgorithm")?
            && algorithm != SIGNATURE_ALGORITHM
        {
            return Err(DigestError::Algorithm { found: algorithm });
        }
        Ok(Parsed {
            start: time(fields, "digestStartTime")?,
            end: parse_time("digestEndTime", &end_text)?,
            bucket: string(fields, "digestS3Bucket")?,
            fingerprint: string(fields, "digestPublicKeyFingerprint")?,
            previous_signature: required_nullable(fields, "previousDigestSignature")?,
            previous: previous_link(fields)?,
            log_files: log_files(fields, &object)?,
            end_text,
            object,
        })
    }
}

/// All of `previousDigestS3Bucket`, `…S3Object`, `…HashValue`, `…Signature` set (a link), or
/// all null (a chain start); anything in between is a malformed digest.
fn previous_link(fields: &Map<String, Value>) -> Result<Option<PreviousLink>, DigestError> {
    let parts = [
        nullable_string(fields, "previousDigestS3Bucket")?,
        nullable_string(fields, "previousDigestS3Object")?,
        nullable_string(fields, "previousDigestHashValue")?,
        required_nullable(fields, "previousDigestSignature")?,
    ];
    if let Some(algorithm) = nullable_string(fields, "previousDigestHashAlgorithm")?
        && algorithm != "SHA-256"
    {
        return Err(DigestError::WrongValue {
            field: "previousDigestHashAlgorithm".to_owned(),
            expected: "SHA-256",
            found: algorithm,
        });
    }
    match parts {
        [Some(bucket), Some(key), Some(hash_value), Some(signature)] => Ok(Some(PreviousLink {
            bucket,
            key,
            hash_value,
            signature,
        })),
        [None, None, None, None] => Ok(None),
        _ => Err(DigestError::PartialPreviousLink),
    }
}

fn log_files(
    fields: &Map<String, Value>,
    digest_key: &str,
) -> Result<Vec<LogFileEntry>, DigestError> {
    let entries = fields
        .get("logFiles")
        .ok_or(DigestError::MissingField {
            field: "logFiles".to_owned(),
        })?
        .as_array()
        .ok_or(DigestError::WrongType {
            field: "logFiles".to_owned(),
            expected: "an array",
        })?;
    let mut out = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let entry = entry.as_object().ok_or(DigestError::WrongType {
            field: format!("logFiles[{index}]"),
            expected: "an object",
        })?;
        let named = |field: &str| format!("logFiles[{index}].{field}");
        let get = |field: &str| match entry.get(field) {
            Some(Value::String(text)) => Ok(text.clone()),
            Some(_) => Err(DigestError::WrongType {
                field: named(field),
                expected: "a string",
            }),
            None => Err(DigestError::MissingField {
                field: named(field),
            }),
        };
        if let Some(algorithm) = entry.get("hashAlgorithm").and_then(Value::as_str)
            && algorithm != "SHA-256"
        {
            return Err(DigestError::WrongValue {
                field: named("hashAlgorithm"),
                expected: "SHA-256",
                found: algorithm.to_owned(),
            });
        }
        out.push(LogFileEntry {
            bucket: get("s3Bucket")?,
            key: get("s3Object")?,
            hash_value: get("hashValue")?,
            digest_key: digest_key.to_owned(),
        });
    }
    Ok(out)
}

fn string(fields: &Map<String, Value>, field: &'static str) -> Result<String, DigestError> {
    required_nullable(fields, field)?.ok_or(DigestError::WrongType {
        field: field.to_owned(),
        expected: "a string (it is null)",
    })
}

/// A field that must be present (the CLI's required keys) but may be null.
fn required_nullable(
    fields: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, DigestError> {
    if !fields.contains_key(field) {
        return Err(DigestError::MissingField {
            field: field.to_owned(),
        });
    }
    nullable_string(fields, field)
}

fn nullable_string(
    fields: &Map<String, Value>,
    field: &'static str,
) -> Result<Option<String>, DigestError> {
    match fields.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => Ok(Some(text.clone())),
        Some(_) => Err(DigestError::WrongType {
            field: field.to_owned(),
            expected: "a string",
        }),
    }
}

fn time(fields: &Map<String, Value>, field: &'static str) -> Result<OffsetDateTime, DigestError> {
    parse_time(field, &string(fields, field)?)
}

fn parse_time(field: &'static str, text: &str) -> Result<OffsetDateTime, DigestError> {
    OffsetDateTime::parse(text, &Rfc3339).map_err(|_| DigestError::BadTime {
        field,
        value: text.to_owned(),
    })
}
