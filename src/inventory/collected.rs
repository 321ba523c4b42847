//! `Collected<T>`: the result of reading one thing from AWS.
//!
//! A fetch either produced a value or failed, and a failure must never read as "absent":
//! evaluation turns it into an ERROR verdict. "Not configured" answers from AWS (no object lock
//! configuration, no public access block, …) are values, not failures — the collector maps them
//! to `Ok(None)` or to a value whose flags say "off".

mod de;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A value read from AWS, or why it could not be read.
///
/// Serialised as the value itself, or as `{"error": {...}}` when the read failed (read back in
/// one pass by `de`, not by serde's untagged buffering).
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Collected<T> {
    /// The read failed; the value is unknown.
    Failed {
        /// What failed and why.
        error: CollectError,
    },
    /// The read succeeded.
    Ok(T),
}

impl<T> Collected<T> {
    /// The value, when the read succeeded.
    pub fn ok(&self) -> Option<&T> {
        match self {
            Collected::Ok(v) => Some(v),
            Collected::Failed { .. } => None,
        }
    }

    /// The error, when the read failed.
    pub fn error(&self) -> Option<&CollectError> {
        match self {
            Collected::Ok(_) => None,
            Collected::Failed { error } => Some(error),
        }
    }

    /// Maps the value, keeping a failure as it is.
    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Collected<U> {
        match self {
            Collected::Ok(v) => Collected::Ok(f(v)),
            Collected::Failed { error } => Collected::Failed { error },
        }
    }

    /// A failure.
    pub fn failed(error: CollectError) -> Self {
        Collected::Failed { error }
    }
}

impl<T> From<Result<T, CollectError>> for Collected<T> {
    fn from(result: Result<T, CollectError>) -> Self {
        match result {
            Ok(v) => Collected::Ok(v),
            Err(error) => Collected::Failed { error },
        }
    }
}

/// Why a read failed: the API operation, a classification, and what AWS said.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CollectError {
    /// The API operation, as `service:Operation` (e.g. `s3:GetBucketPolicy`).
    pub operation: String,
    /// The classification that evaluation and reports use.
    pub kind: ErrorKind,
    /// The error code AWS returned, when it returned one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    /// The error message, when there was one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    /// The HTTP status of the failed response, when a response arrived.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_status: Option<u16>,
}

/// How a failed read is classified.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The caller may not read this (AccessDenied, HTTP 403, an SCP).
    AccessDenied,
    /// S3 answered 405: the caller is not in the bucket owner's account.
    MethodNotAllowed,
    /// The resource the call targets does not exist.
    NotFound,
    /// Throttled, and retries did not get through.
    Throttled,
    /// No answer in time.
    Timeout,
    /// The endpoint could not be reached or the connection broke.
    Network,
    /// The resource is in a state that does not allow this call (e.g. a key pending deletion).
    InvalidState,
    /// The call was not made because an earlier answer made it meaningless (e.g. the bucket is gone).
    Skipped,
    /// The resource belongs to an account outside the scan, so it could not be attributed or
    /// read (e.g. a log-archive bucket when only a member account is audited).
    OutOfScope,
    /// Anything else, including answers that could not be parsed.
    Unknown,
}

impl ErrorKind {
    /// A short human phrase for reports.
    pub fn describe(self) -> &'static str {
        match self {
            ErrorKind::AccessDenied => "access denied",
            ErrorKind::MethodNotAllowed => "not allowed (resource owned by another account)",
            ErrorKind::NotFound => "not found",
            ErrorKind::Throttled => "throttled after retries",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Network => "endpoint unreachable",
            ErrorKind::InvalidState => "resource in an invalid state for this call",
            ErrorKind::Skipped => "not read",
            ErrorKind::OutOfScope => "owned by an account outside the scan",
            ErrorKind::Unknown => "unexpected error",
        }
    }
}

impl std::fmt::Display for CollectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.operation, self.kind.describe())?;
        if let Some(code) = &self.code {
            write!(f, " ({code})")?;
        }
        if let Some(message) = self.message.as_deref().filter(|m| !m.is_empty()) {
            write!(f, ": {message}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_serialises_bare_and_error_as_object() {
        let ok: Collected<bool> = Collected::Ok(true);
        assert_eq!(serde_json::to_string(&ok).expect("ser"), "true");
        let failed: Collected<bool> = Collected::failed(CollectError {
            operation: "s3:GetBucketPolicy".into(),
            kind: ErrorKind::MethodNotAllowed,
            code: Some("MethodNotAllowed".into()),
            message: None,
            http_status: Some(405),
        });
        let json = serde_json::to_string(&failed).expect("ser");
        assert_eq!(
            json,
            r#"{"error":{"operation":"s3:GetBucketPolicy","kind":"method_not_allowed","code":"MethodNotAllowed","http_status":405}}"#
        );
        let back: Collected<bool> = serde_json::from_str(&json).expect("de");
        assert_eq!(back, failed);
    }

    #[test]
    fn mistakes_inside_a_value_are_named_and_located() {
        #[derive(Debug, Deserialize)]
        #[serde(deny_unknown_fields)]
        struct Status {
            #[allow(dead_code)]
            is_logging: bool,
        }
        let err = serde_json::from_str::<Collected<Status>>("{\n  \"is_logging\": \"yes\"\n}")
            .expect_err("a string is not a boolean");
        assert!(err.to_string().contains("expected a boolean"), "{err}");
        assert_eq!((err.line(), err.column()), (2, 21));
        let err = serde_json::from_str::<Collected<bool>>(
            r#"{"error": {"operation": "s3:GetBucketPolicy", "kind": "sideways"}}"#,
        )
        .expect_err("unknown kind");
        assert!(
            err.to_string().contains("unknown variant `sideways`"),
            "{err}"
        );
        let err = serde_json::from_str::<Collected<bool>>(
            r#"{"error": {"operation": "x", "kind": "unknown"}, "also": 1}"#,
        )
        .expect_err("an error is alone");
        assert!(err.to_string().contains("found `also`"), "{err}");
    }

    #[test]
    fn every_shape_of_value_reads_back() {
        type Tags = std::collections::BTreeMap<String, String>;
        let tags: Collected<Tags> =
            serde_json::from_str(r#"{"error": "a tag named error", "b": "c"}"#).expect("tags");
        assert_eq!(tags.ok().map(|t| t.len()), Some(2));
        let empty: Collected<Tags> = serde_json::from_str("{}").expect("no tags");
        assert_eq!(empty, Collected::Ok(Tags::new()));
        let some: Collected<Option<String>> =
            serde_json::from_str(r#""BucketOwnerEnforced""#).expect("a present optional string");
        assert_eq!(some, Collected::Ok(Some("BucketOwnerEnforced".into())));
        let list: Collected<Vec<String>> = serde_json::from_str(r#"["a", "b"]"#).expect("list");
        assert_eq!(list, Collected::Ok(vec!["a".into(), "b".into()]));
        #[derive(Debug, PartialEq, Deserialize)]
        struct Pab {
            block: bool,
        }
        let pab: Collected<Option<Pab>> =
            serde_json::from_str(r#"{"block": true}"#).expect("a present optional struct");
        assert_eq!(pab, Collected::Ok(Some(Pab { block: true })));
        let owned: Collected<Vec<String>> =
            serde_json::from_reader(&br#"["not borrowed"]"#[..]).expect("from a reader");
        assert_eq!(owned.ok().map(Vec::len), Some(1));
    }

    #[test]
    fn none_value_is_not_an_error() {
        let absent: Collected<Option<String>> = serde_json::from_str("null").expect("de");
        assert_eq!(absent, Collected::Ok(None));
        assert!(absent.error().is_none());
    }
}
