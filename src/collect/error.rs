//! Errors at the AWS boundary: why a whole collection fails, and how a single failed call is
//! classified.
//!
//! Every failed call becomes a [`CollectError`] with a kind that evaluation understands. The
//! classification itself is a pure function of what the response carried (error code, HTTP
//! status, or the kind of transport failure), so it is tested without a network.

use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};

use crate::inventory::{CollectError, ErrorKind};

/// Why nothing could be collected (exit status 2). Failures of single reads, and of single
/// member accounts, are not fatal: they are recorded in the inventory as error states.
#[derive(Debug, thiserror::Error)]
pub enum CollectFailure {
    /// The caller could not be identified: no credentials, bad credentials, no endpoint.
    #[error("{0}")]
    Identity(String),
    /// `--region` names a region that is not enabled for the account.
    #[error("--region {region}: not an enabled region of account {account} (enabled: {enabled})")]
    RegionNotEnabled {
        /// The region given.
        region: String,
        /// The account.
        account: String,
        /// The enabled regions, comma-separated.
        enabled: String,
    },
    /// `--org` could not list the organization.
    #[error("--org: {0}")]
    Organization(String),
    /// `--trail` names no trail of the audited accounts.
    #[error("--trail {trail}: no such trail (trails found: {known})")]
    NoSuchTrail {
        /// The value given.
        trail: String,
        /// The trails found, comma-separated.
        known: String,
    },
    /// `--trail` names a trail without log file validation: there is nothing to verify.
    #[error(
        "--trail: {trail} does not have log file validation enabled, so it has no digests to verify"
    )]
    ValidationDisabled {
        /// The trail's ARN.
        trail: String,
    },
    /// No chain could be verified.
    #[error("nothing to verify{0}")]
    NothingToVerify(String),
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

/// What a failed call looked like on the wire, before classification.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Failure {
    /// The modeled or unmodeled error code, when the response had one.
    pub code: Option<String>,
    /// The error message.
    pub message: Option<String>,
    /// The HTTP status, when a response arrived.
    pub http_status: Option<u16>,
    /// No response: the attempt timed out.
    pub timed_out: bool,
    /// No response: the connection could not be made or broke.
    pub transport: bool,
    /// No request: credentials could not be obtained (e.g. the role could not be assumed).
    pub credentials: bool,
}

const ACCESS_DENIED_CODES: &[&str] = &[
    "AccessDenied",
    "AccessDeniedException",
    "UnauthorizedOperation",
    "AuthorizationError",
    "AuthFailure",
    "AllAccessDisabled",
    "CloudTrailARNInvalidException",
    "InvalidClientTokenId",
    "SignatureDoesNotMatch",
    "ExpiredToken",
    "UnrecognizedClientException",
];
const THROTTLING_CODES: &[&str] = &[
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
    "RequestThrottled",
    "RequestThrottledException",
];
const NOT_FOUND_CODES: &[&str] = &[
    "NoSuchBucket",
    "NotFound",
    "NotFoundException",
    "TrailNotFoundException",
    "NoSuchEntity",
    // CloudWatch Logs (a trail's log group that was deleted), SNS and CloudWatch.
    "ResourceNotFoundException",
    "ResourceNotFound",
];

/// Classifies a failure.
pub fn classify(f: &Failure) -> ErrorKind {
    let code = f.code.as_deref().unwrap_or_default();
    if f.timed_out {
        ErrorKind::Timeout
    } else if f.credentials {
        ErrorKind::AccessDenied
    } else if f.transport {
        ErrorKind::Network
    } else if ACCESS_DENIED_CODES.contains(&code) || f.http_status == Some(403) {
        // Some emulators and proxies send 403 with a body the SDK cannot read: still denied.
        ErrorKind::AccessDenied
    } else if code == "MethodNotAllowed" || f.http_status == Some(405) {
        ErrorKind::MethodNotAllowed
    } else if THROTTLING_CODES.contains(&code) || f.http_status == Some(429) {
        ErrorKind::Throttled
    } else if NOT_FOUND_CODES.contains(&code) {
        ErrorKind::NotFound
    } else if code == "KMSInvalidStateException" || code == "InvalidBucketState" {
        ErrorKind::InvalidState
    } else {
        ErrorKind::Unknown
    }
}

/// Extracts what a failed SDK call carried.
pub fn failure_of<E>(err: &SdkError<E>) -> Failure
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    let http_status = err.raw_response().map(|r| r.status().as_u16());
    let nonempty = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
    let mut failure = Failure {
        code: nonempty(err.code()),
        message: nonempty(err.message()),
        http_status,
        ..Failure::default()
    };
    match err {
        SdkError::TimeoutError(_) => failure.timed_out = true,
        SdkError::DispatchFailure(d) => {
            let (timed_out, credentials, transport) =
                dispatch_failure(d.is_io(), d.is_timeout(), &error_chain(err));
            failure.timed_out = timed_out;
            failure.credentials = credentials;
            failure.transport = transport;
        }
        _ => {}
    }
    // Unparseable answers and transport failures carry no message of their own: keep the
    // SDK's explanation so the evidence says what went wrong.
    if failure.message.is_none() || failure.transport {
        failure.message = Some(error_chain(err));
    }
    failure
}

/// What a dispatch failure was: `(timed out, credentials refused, transport)`. Credentials
/// are resolved while dispatching, so a role that cannot be assumed fails here too — a refusal,
/// not a network problem — unless resolving them itself failed on the network.
pub fn dispatch_failure(is_io: bool, is_timeout: bool, chain: &str) -> (bool, bool, bool) {
    let lower = chain.to_ascii_lowercase();
    let timed_out = is_timeout || lower.contains("timed out") || lower.contains("timeout");
    let network = is_io || lower.contains("io error") || lower.contains("connect error");
    let credentials = !timed_out && !network && lower.contains("credentials");
    (timed_out, credentials, !timed_out && !credentials)
}

/// The error and its sources, joined with `: ` — their `Display` forms only. (The SDK's
/// `DisplayErrorContext` also appends the raw response, request ids included, which would make
/// evidence noisy and different on every run.)
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = vec![err.to_string()];
    let mut source = err.source();
    while let Some(s) = source {
        let text = s.to_string();
        if parts.last() != Some(&text) {
            parts.push(text);
        }
        source = s.source();
    }
    parts.join(": ")
}

/// Turns a failed SDK call into the inventory's error state.
pub fn collect_error<E>(operation: &str, err: &SdkError<E>) -> CollectError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
{
    to_collect_error(operation, failure_of(err))
}

/// Builds the inventory's error state from a failure.
pub fn to_collect_error(operation: &str, failure: Failure) -> CollectError {
    CollectError {
        operation: operation.to_owned(),
        kind: classify(&failure),
        code: failure.code,
        message: failure.message,
        http_status: failure.http_status,
    }
}

/// The error state for a call that was not made because an earlier answer made it meaningless.
pub fn skipped(operation: &str, why: &str) -> CollectError {
    CollectError {
        operation: operation.to_owned(),
        kind: ErrorKind::Skipped,
        code: None,
        message: Some(why.to_owned()),
        http_status: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(c: &str, status: u16) -> Failure {
        Failure {
            code: Some(c.into()),
            http_status: Some(status),
            ..Default::default()
        }
    }

    #[test]
    fn dispatch_failures() {
        let refused = "dispatch failure: other: an error occurred while loading credentials: service error: AccessDenied";
        assert_eq!(
            dispatch_failure(false, false, refused),
            (false, true, false)
        );
        let unreachable = "dispatch failure: other: an error occurred while loading credentials: dispatch failure: io error: tcp connect error";
        assert_eq!(
            dispatch_failure(false, false, unreachable),
            (false, false, true)
        );
        assert_eq!(
            dispatch_failure(true, false, "io error"),
            (false, false, true)
        );
        assert_eq!(
            dispatch_failure(false, true, "timeout"),
            (true, false, false)
        );
    }

    #[test]
    fn classification_table() {
        let cases = [
            (code("AccessDenied", 403), ErrorKind::AccessDenied),
            (code("AccessDeniedException", 400), ErrorKind::AccessDenied),
            (
                code("CloudTrailARNInvalidException", 400),
                ErrorKind::AccessDenied,
            ),
            (
                Failure {
                    http_status: Some(403),
                    ..Default::default()
                },
                ErrorKind::AccessDenied,
            ),
            (code("MethodNotAllowed", 405), ErrorKind::MethodNotAllowed),
            (
                Failure {
                    http_status: Some(405),
                    ..Default::default()
                },
                ErrorKind::MethodNotAllowed,
            ),
            (code("ThrottlingException", 400), ErrorKind::Throttled),
            (code("SlowDown", 503), ErrorKind::Throttled),
            (code("NoSuchBucket", 404), ErrorKind::NotFound),
            (code("TrailNotFoundException", 400), ErrorKind::NotFound),
            (code("ResourceNotFoundException", 400), ErrorKind::NotFound),
            (
                code("KMSInvalidStateException", 400),
                ErrorKind::InvalidState,
            ),
            (
                Failure {
                    timed_out: true,
                    ..Default::default()
                },
                ErrorKind::Timeout,
            ),
            (
                Failure {
                    transport: true,
                    ..Default::default()
                },
                ErrorKind::Network,
            ),
            (
                Failure {
                    http_status: Some(500),
                    ..Default::default()
                },
                ErrorKind::Unknown,
            ),
            (code("SomethingNew", 400), ErrorKind::Unknown),
        ];
        for (failure, kind) in cases {
            assert_eq!(classify(&failure), kind, "{failure:?}");
        }
    }
}
