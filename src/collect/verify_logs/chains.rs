//! One chain from listing to verdict: list its digests day by day (concurrently), read them
//! (concurrently), verify the chain in order (`crate::verify`), then hash every log file its
//! valid digests list (concurrently) — all under the one budget.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

use time::{Date, Duration, OffsetDateTime};
use tokio::sync::{OnceCell, Semaphore};
use tokio::task::JoinSet;

use super::super::ctx::{Ctx, join_all, joined};
use super::plan::{TrailPlan, error_item};
use super::reads;
use crate::inventory::CollectError;
use crate::verify::{
    Chain, ChainAt, ChainInput, Item, ItemKind, LISTED_PAST_END, ListedDigest, Period, PublicKeys,
    ReportItem, Status, Window, key_time, verify_chain,
};

/// Digest and log file reads at once, whatever `--concurrency` allows: a log file being hashed
/// holds about 100 KiB (gunzip state, two 16 KiB hash buffers, chunks in flight) and every
/// read's task holds the SDK call's future (kilobytes), so this part stays under ~8 MiB however
/// many objects a period has (scripts/bench-verify-logs: 29 MB peak for 3,000 objects, ×1.1
/// from 24 h to 168 h). 32 left the benchmark's replay latency-bound; at 64 the bucket's
/// throughput, not latency, bounds it.
pub const OBJECTS_IN_FLIGHT: usize = 64;

/// A region's keys, or why `ListPublicKeys` failed.
type KeysRead = Result<Arc<PublicKeys>, CollectError>;

/// One source region's public keys, read once for every chain that needs them.
#[derive(Default)]
pub struct KeyCache {
    cells: Mutex<HashMap<String, Arc<OnceCell<KeysRead>>>>,
}

impl KeyCache {
    /// The keys of `region` valid at any time the window's digests may have been signed.
    async fn get(
        &self,
        ctx: &Ctx,
        region: &str,
        window: Period,
    ) -> Result<Arc<PublicKeys>, CollectError> {
        let cell = {
            let mut map = self
                .cells
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(map.entry(region.to_owned()).or_default())
        };
        let read = || async {
            // The digest before the window starts up to an hour before it; the last one
            // listed is delivered up to an hour after the end.
            let start = window.start - Duration::hours(1);
            let end = (window.end + Duration::hours(2)).min(OffsetDateTime::now_utc());
            reads::public_keys(ctx, region, start, end.max(start))
                .await
                .map(Arc::new)
        };
        cell.get_or_init(read).await.clone()
    }
}

/// One chain to verify.
pub struct ChainJob {
    /// The trail.
    pub trail: Arc<TrailPlan>,
    /// The account whose digests these are.
    pub account: String,
    /// The source region.
    pub region: String,
    /// Credentials that read the bucket.
    pub reader: Ctx,
    /// Credentials that list the public keys.
    pub keys_reader: Ctx,
    /// The bucket's region.
    pub bucket_region: String,
    /// The shared public keys.
    pub keys: Arc<KeyCache>,
    /// Objects read at once, across every chain (see [`OBJECTS_IN_FLIGHT`]).
    pub objects: Arc<Semaphore>,
    /// Keep the valid items (`-v`); they are counted either way.
    pub keep_valid: bool,
    /// The period.
    pub window: Period,
    /// A chain that must exist (a known account): an empty listing is verified (and may be
    /// cut); otherwise (a folder found in the bucket) it is not a chain of this window.
    pub must_exist: bool,
}

/// The verdict on one chain and its backfill chain: each with its items (valid ones too).
pub type ChainResult = Vec<(Chain, Vec<ReportItem>)>;

impl ChainJob {
    /// Lists, reads and verifies the chain (and its backfill digests as a chain of their own).
    pub async fn run(self) -> ChainResult {
        let prefix = self.trail.digest_prefix(&self.account, &self.region);
        let keys = match self.list().await {
            Ok(keys) => keys,
            Err(err) => return vec![self.failed(&prefix, false, err.to_string())],
        };
        let (backfill, regular): (Vec<String>, Vec<String>) = keys
            .into_iter()
            .partition(|k| k.ends_with("_backfill.json.gz"));
        if regular.is_empty() && backfill.is_empty() && !self.must_exist {
            return Vec::new();
        }
        let mut out = vec![self.verify(&prefix, regular, false).await];
        if !backfill.is_empty() {
            out.push(self.verify(&prefix, backfill, true).await);
        }
        out
    }

    /// The digest keys of this chain in the window, one listing per day, concurrently.
    async fn list(&self) -> Result<Vec<String>, CollectError> {
        let prefix = self.trail.digest_prefix(&self.account, &self.region);
        let stem = self.trail.file_stem(&self.account, &self.region);
        let last = self.window.end + LISTED_PAST_END;
        let mut days = JoinSet::new();
        for day in days_between(self.window.start.date(), last.date()) {
            let (ctx, region) = (self.reader.clone(), self.bucket_region.clone());
            let (bucket, day_prefix) = (self.trail.bucket.clone(), day_prefix(&prefix, day));
            days.spawn(async move { reads::list_keys(&ctx, &region, &bucket, &day_prefix).await });
        }
        let mut keys = Vec::new();
        for listed in join_all(days).await {
            keys.extend(listed?.into_iter().filter(|k| {
                let name = k.rsplit('/').next().unwrap_or_default();
                name.starts_with(&stem)
                    && key_time(k).is_some_and(|t| t >= self.window.start && t <= last)
            }));
        }
        keys.sort();
        Ok(keys)
    }

    /// Reads the listed digests, verifies the chain, then hashes its log files.
    async fn verify(
        &self,
        prefix: &str,
        keys: Vec<String>,
        backfill: bool,
    ) -> (Chain, Vec<ReportItem>) {
        // The keys and the digests are independent reads: one round, not two.
        let (public_keys, listed) = tokio::join!(
            self.keys.get(&self.keys_reader, &self.region, self.window),
            self.read_digests(keys)
        );
        let public_keys = match public_keys {
            Ok(k) => k,
            Err(err) => {
                let why = format!("the digests cannot be verified without the keys ({err})");
                return self.failed(prefix, backfill, why);
            }
        };
        let latest = if backfill {
            None
        } else {
            self.trail.latest_delivery.clone().ok().flatten()
        };
        let input = ChainInput {
            bucket: &self.trail.bucket,
            source_region: &self.region,
            window: Window {
                start: self.window.start,
                end: self.window.end,
            },
            listed: &listed,
            keys: &public_keys,
            latest_delivery: latest,
        };
        let verified = verify_chain(&input);
        // The digests' bytes are not needed any more: free them before the long part.
        drop(listed);
        let outcome = match verified {
            Ok(outcome) => outcome,
            Err(err) => return self.failed(prefix, backfill, err.to_string()),
        };
        let logs = self.read_logs(outcome.log_files).await;
        let mut items = outcome.items;
        items.extend(logs);
        let mut chain = self.chain(prefix, backfill);
        if let (false, Err(why)) = (backfill, &self.trail.latest_delivery) {
            items.push(cut_unknown(&self.trail.bucket, why));
        }
        tally(&mut chain, &items);
        let items = items
            .into_iter()
            .filter(|i| self.keep_valid || i.status != Status::Valid)
            .map(|i| ReportItem::of(&chain, i))
            .collect();
        (chain, items)
    }

    async fn read_digests(&self, keys: Vec<String>) -> Vec<ListedDigest> {
        bounded(&self.objects, keys, |key| {
            let (ctx, region) = (self.reader.clone(), self.bucket_region.clone());
            let bucket = self.trail.bucket.clone();
            async move {
                let fetched = reads::get_digest(&ctx, &region, &bucket, &key).await;
                ListedDigest { key, fetched }
            }
        })
        .await
    }

    async fn read_logs(&self, entries: Vec<crate::verify::LogFileEntry>) -> Vec<Item> {
        bounded(&self.objects, entries, |entry| {
            let (ctx, region) = (self.reader.clone(), self.bucket_region.clone());
            async move { reads::verify_log_file(&ctx, &region, entry).await }
        })
        .await
    }

    fn chain(&self, prefix: &str, backfill: bool) -> Chain {
        let at = ChainAt {
            account_id: &self.account,
            trail_arn: &self.trail.arn,
            region: &self.region,
            bucket: &self.trail.bucket,
            prefix,
        };
        Chain::at(at, backfill)
    }

    /// A chain that could not be verified: an error item naming the call, never "valid".
    fn failed(&self, prefix: &str, backfill: bool, why: String) -> (Chain, Vec<ReportItem>) {
        let mut chain = self.chain(prefix, backfill);
        chain.error = Some(why.clone());
        let mut item = error_item(&self.account, &self.trail.arn, why);
        item.region = self.region.clone();
        item.bucket = self.trail.bucket.clone();
        item.key = prefix.to_owned();
        item.backfill = backfill;
        (chain, vec![item])
    }
}

/// Runs `work` on every input, spawning each only once one of `limit`'s permits is free: a
/// spawned task holds its whole future (an SDK call's is kilobytes), so spawning thousands up
/// front would hold them all at once. Results come in completion order.
async fn bounded<I, T, F, Fut>(limit: &Arc<Semaphore>, inputs: Vec<I>, work: F) -> Vec<T>
where
    F: Fn(I) -> Fut,
    Fut: Future<Output = T> + Send + 'static,
    T: Send + 'static,
{
    let mut running = JoinSet::new();
    let mut out = Vec::with_capacity(inputs.len());
    for input in inputs {
        // The semaphore is never closed: `None` would only mean no limit.
        let permit = Arc::clone(limit).acquire_owned().await.ok();
        let task = work(input);
        running.spawn(async move {
            let _permit = permit;
            task.await
        });
        while let Some(done) = running.try_join_next() {
            out.extend(joined(done));
        }
    }
    out.extend(join_all(running).await);
    out
}

/// Counts a chain's items.
fn tally(chain: &mut Chain, items: &[Item]) {
    for item in items {
        match item.kind {
            ItemKind::Digest if item.status == Status::Unexpected => chain.unexpected += 1,
            ItemKind::Digest => chain.digests.add(item.status),
            ItemKind::LogFile => chain.log_files.add(item.status),
            ItemKind::Gap => chain.gaps += 1,
            ItemKind::Chain if item.status == Status::Cut => chain.cut = true,
            ItemKind::Chain => {}
        }
        if item.status == Status::Error && chain.error.is_none() {
            chain.error = Some(item.reason.clone());
        }
    }
}

/// `GetTrailStatus` failed: whether newer digests were deleted cannot be told.
fn cut_unknown(bucket: &str, why: &str) -> Item {
    Item::object(
        ItemKind::Chain,
        Status::Error,
        bucket,
        "",
        format!("whether the newest digests were deleted cannot be checked ({why})"),
    )
}

/// Every date from `first` to `last`, inclusive.
fn days_between(first: Date, last: Date) -> Vec<Date> {
    let mut days = Vec::new();
    let mut day = first;
    while day <= last {
        days.push(day);
        match day.next_day() {
            Some(next) => day = next,
            None => break,
        }
    }
    days
}

/// `<prefix>YYYY/MM/DD/`.
fn day_prefix(prefix: &str, day: Date) -> String {
    format!(
        "{prefix}{:04}/{:02}/{:02}/",
        day.year(),
        u8::from(day.month()),
        day.day()
    )
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn a_window_over_midnight_lists_both_days() {
        let days = days_between(date!(2026 - 02 - 28), date!(2026 - 03 - 01));
        assert_eq!(days, vec![date!(2026 - 02 - 28), date!(2026 - 03 - 01)]);
        assert_eq!(
            day_prefix("AWSLogs/1/CloudTrail-Digest/us-east-1/", days[1]),
            "AWSLogs/1/CloudTrail-Digest/us-east-1/2026/03/01/"
        );
    }

    #[test]
    fn counts_follow_the_items() {
        let item = |kind, status| Item::object(kind, status, "b", "k", "");
        let items = [
            item(ItemKind::Digest, Status::Valid),
            item(ItemKind::Digest, Status::Missing),
            item(ItemKind::Digest, Status::Unexpected),
            item(ItemKind::LogFile, Status::Invalid),
            item(ItemKind::Gap, Status::Gap),
            item(ItemKind::Chain, Status::Cut),
        ];
        let at = ChainAt {
            account_id: "",
            trail_arn: "",
            region: "",
            bucket: "",
            prefix: "",
        };
        let mut chain = Chain::at(at, false);
        tally(&mut chain, &items);
        assert_eq!((chain.digests.valid, chain.digests.missing), (1, 1));
        assert_eq!((chain.unexpected, chain.log_files.invalid), (1, 1));
        assert_eq!((chain.gaps, chain.cut, chain.error), (1, true, None));
    }
}
