//! What the caller asks for: what to collect and how, and who hears about progress.

use std::sync::Arc;
use std::time::Duration;

use super::org::OrgOptions;

/// Observes a collection as it runs, e.g. to draw a progress bar. Called from many tasks.
pub trait Progress: Send + Sync {
    /// How many accounts will be collected.
    fn accounts(&self, total: usize);
    /// One account is done (collected, or given up on).
    fn account_done(&self);
    /// One AWS call is about to be made.
    fn call(&self);
}

/// An optional [`Progress`] observer.
#[derive(Clone, Default)]
pub struct ProgressSink(pub Option<Arc<dyn Progress>>);

impl std::fmt::Debug for ProgressSink {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "ProgressSink(on)"
        } else {
            "ProgressSink(off)"
        })
    }
}

/// What to collect and how.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// `--profile`.
    pub profile: Option<String>,
    /// `--region` (empty: every enabled region).
    pub regions: Vec<String>,
    /// Maximum AWS calls in flight, across every account.
    pub concurrency: usize,
    /// Per-attempt timeout.
    pub timeout: Duration,
    /// `--org`: every account of the organization, through AssumeRole.
    pub org: Option<OrgOptions>,
    /// Who to tell about progress.
    pub progress: ProgressSink,
    /// Only trails and their status, not their buckets, keys and log groups (`verify-logs`
    /// needs no more, and asks for no permission it does not use).
    pub trails_only: bool,
}
