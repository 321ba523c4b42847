//! Reads for `verify-logs`: which chains exist (the trails with log file validation, their
//! source regions and member accounts), their digests, the source regions' public keys and
//! the log files, fetched concurrently under the one budget; verification itself is the pure
//! `crate::verify`.
//!
//! ```text
//! collect (trails only) ─► plan (pure) ─► per trail: bucket region ∥ member folders
//!   ─► per chain (account × source region): ListObjectsV2 per day ─► GetObject per digest
//!      ∥ ListPublicKeys (once per region) ─► verify_chain ─► GetObject per log file (streamed)
//! ```

mod chains;
mod plan;
mod reads;
mod request;

pub use request::{VerifyCollected, VerifyRequest};

use std::collections::BTreeMap;
use std::sync::Arc;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::coordinator::{Session, collect_session};
use super::ctx::{Ctx, join_all};
use super::error::CollectFailure;
use super::options::CollectOptions;
use crate::inventory::{AccountId, Timestamp};
use crate::verify::{Chain, ChainAt, Period, ReportItem};
use chains::{ChainJob, ChainResult, KeyCache, OBJECTS_IN_FLIGHT};
use plan::{TrailPlan, error_item};

/// Finds the chains and verifies them. Fails (exit 2) when nothing can be verified.
pub async fn verify_logs(
    opts: &CollectOptions,
    request: &VerifyRequest,
) -> Result<VerifyCollected, CollectFailure> {
    let opts = CollectOptions {
        trails_only: true,
        ..opts.clone()
    };
    let now = || Timestamp(time::OffsetDateTime::now_utc());
    let (inventory, session) = collect_session(&opts, &now).await?;
    let plan = plan::plan(&inventory, request)?;
    let session = Arc::new(session);
    let shared = Arc::new(Shared {
        keys: Arc::new(KeyCache::default()),
        objects: Arc::new(Semaphore::new(
            OBJECTS_IN_FLIGHT.min(opts.concurrency.max(1)),
        )),
        window: request.window,
        keep_valid: request.keep_valid,
    });
    let mut trails = JoinSet::new();
    for trail in plan.trails {
        let (session, shared) = (Arc::clone(&session), Arc::clone(&shared));
        trails.spawn(verify_trail(Arc::new(trail), session, shared));
    }
    let mut out = VerifyCollected {
        chains: Vec::new(),
        items: plan.errors,
    };
    for result in join_all(trails).await {
        for (chain, items) in result {
            out.chains.push(chain);
            out.items.extend(items);
        }
    }
    if out.chains.is_empty() {
        return Err(nothing_to_verify(&out.items));
    }
    Ok(out)
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

/// What every chain of the run shares.
struct Shared {
    keys: Arc<KeyCache>,
    objects: Arc<Semaphore>,
    window: Period,
    keep_valid: bool,
}

/// Every chain of one trail: each account (known, or a folder found in the bucket) × each
/// source region in scope.
async fn verify_trail(
    trail: Arc<TrailPlan>,
    session: Arc<Session>,
    shared: Arc<Shared>,
) -> ChainResult {
    let keys_reader = reader(&session, &trail.seen_from).clone();
    // The bucket's owner reads it when it was scanned (a log-archive account); otherwise the
    // account whose trail it is.
    let reader = session
        .ownership
        .bucket_reader(&trail.bucket)
        .unwrap_or(&keys_reader)
        .clone();
    let failed = |why: String| {
        let chain = unverified_chain(&trail, &why);
        let mut item = error_item(trail.seen_from.as_str(), &trail.arn, why);
        // The item belongs to the chain it stands for, so it is counted and shown once.
        item.region = chain.region.clone();
        item.bucket = trail.bucket.clone();
        vec![(chain, vec![item])]
    };
    let bucket_region = match reads::bucket_region(&reader, &trail.bucket).await {
        Ok(region) => region,
        Err(err) => return failed(format!("the trail's bucket could not be located ({err})")),
    };
    // Account → whether its chain must exist (a known account) or was only found in the bucket.
    let mut accounts: BTreeMap<String, bool> =
        trail.accounts.iter().map(|a| (a.clone(), true)).collect();
    if trail.discover_members {
        let under = trail.accounts_prefix();
        match reads::list_folders(&reader, &bucket_region, &trail.bucket, &under).await {
            Ok(found) => {
                for folder in found.into_iter().filter(|f| is_account_id(f)) {
                    accounts.entry(folder).or_insert(false);
                }
            }
            Err(err) => {
                return failed(format!(
                    "the member accounts' folders could not be listed ({err})"
                ));
            }
        }
    }
    let mut jobs = JoinSet::new();
    for (account, must_exist) in accounts {
        for region in &trail.regions {
            let job = ChainJob {
                trail: Arc::clone(&trail),
                account: account.clone(),
                region: region.clone(),
                reader: reader.clone(),
                keys_reader: keys_reader.clone(),
                bucket_region: bucket_region.clone(),
                keys: Arc::clone(&shared.keys),
                objects: Arc::clone(&shared.objects),
                keep_valid: shared.keep_valid,
                window: shared.window,
                must_exist: must_exist || !trail.discover_members,
            };
            jobs.spawn(job.run());
        }
    }
    join_all(jobs).await.into_iter().flatten().collect()
}

fn reader<'a>(session: &'a Session, account: &AccountId) -> &'a Ctx {
    session.ownership.reader(account).unwrap_or(&session.caller)
}

/// A trail none of whose chains could be read.
fn unverified_chain(trail: &TrailPlan, why: &str) -> Chain {
    let prefix = trail.accounts_prefix();
    let at = ChainAt {
        account_id: trail.seen_from.as_str(),
        trail_arn: &trail.arn,
        region: &trail.home_region,
        bucket: &trail.bucket,
        prefix: &prefix,
    };
    let mut chain = Chain::at(at, false);
    chain.error = Some(why.to_owned());
    chain
}

fn is_account_id(folder: &str) -> bool {
    folder.len() == 12 && folder.bytes().all(|b| b.is_ascii_digit())
}

fn nothing_to_verify(errors: &[ReportItem]) -> CollectFailure {
    let why = match errors.first() {
        Some(first) if errors.len() == 1 => format!(": {}", first.reason),
        Some(first) => format!(": {} (and {} more)", first.reason, errors.len() - 1),
        None => ": no trail has log file validation enabled (see rule CT-B01)".to_owned(),
    };
    CollectFailure::NothingToVerify(why)
}
