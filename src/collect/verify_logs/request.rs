//! What `verify-logs` asks the collection for, and what it gets back.

use crate::verify::{Chain, Period, ReportItem};

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
