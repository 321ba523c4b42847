//! Reads for `verify-logs`: which chains exist (the trails with log file validation, their
//! source regions and member accounts), their digests, the source regions' public keys and
//! the log files, fetched concurrently under the one budget; verification itself is the pure
//! `crate::verify`.

use crate::verify::{Chain, Period, ReportItem};

use super::error::CollectFailure;
use super::options::CollectOptions;

/// What to verify.
#[derive(Debug, Clone)]
pub struct VerifyRequest {
    /// The period.
    pub window: Period,
    /// `--trail` values (ARN or name); empty: every trail with log file validation enabled.
    pub trails: Vec<String>,
}

/// Every chain verified and every item found (valid ones included).
#[derive(Debug, Clone, Default)]
pub struct VerifyCollected {
    /// One per trail × account × source region (and backfill chain).
    pub chains: Vec<Chain>,
    /// Every item of every chain, and errors about trails or accounts that could not be read.
    pub items: Vec<ReportItem>,
}

/// Finds the chains and verifies them.
pub async fn verify_logs(
    opts: &CollectOptions,
    request: &VerifyRequest,
) -> Result<VerifyCollected, CollectFailure> {
    let _ = (opts, request);
    Err(CollectFailure::Runtime(
        "verify-logs collection is not built yet".to_owned(),
    ))
}

/// [`verify_logs`] on a fresh async runtime (for the synchronous CLI).
pub fn verify_logs_blocking(
    opts: &CollectOptions,
    request: &VerifyRequest,
) -> Result<VerifyCollected, CollectFailure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CollectFailure::Runtime(e.to_string()))?;
    runtime.block_on(verify_logs(opts, request))
}
