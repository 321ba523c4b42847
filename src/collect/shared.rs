//! What every account's collection shares: who owns which bucket, whose credentials can read
//! what, and the reads of buckets, keys, log groups (with their account and region's alarms)
//! and SNS topics, each made once however many trails and accounts refer to them.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::{OnceCell, watch};
use tokio::task::JoinSet;

use super::ctx::{Ctx, join_all};
use super::{buckets, keys, monitoring};
use crate::inventory::{
    AccountId, Alarm, Arn, Bucket, CollectError, Collected, ErrorKind, KmsKey, LogGroup,
    LogGroupArn, Region, Topic,
};

/// A read-once cache: one cell per key, filled by the first reader.
type Cells<K, V> = Mutex<HashMap<K, Arc<OnceCell<V>>>>;

/// The read-once caches, and the ownership they wait for.
pub struct Shared {
    /// Published once every account has answered round one; bucket and key reads wait for it,
    /// nothing else does.
    ownership: watch::Receiver<Option<Arc<Ownership>>>,
    buckets: Mutex<HashMap<String, Arc<OnceCell<Bucket>>>>,
    keys: Mutex<HashMap<String, Arc<OnceCell<KmsKey>>>>,
    /// By normalised log group ARN.
    log_groups: Cells<Arn, LogGroup>,
    /// Every metric alarm of an account in a region.
    alarms: Cells<(AccountId, Region), Arc<Collected<Vec<Alarm>>>>,
    /// By topic ARN.
    topics: Cells<Arn, Topic>,
}

/// Which scanned account owns which bucket, and whose credentials can read what.
#[derive(Default)]
pub struct Ownership {
    owners: BTreeMap<String, AccountId>,
    listing_errors: BTreeMap<AccountId, CollectError>,
    readers: BTreeMap<AccountId, Ctx>,
}

impl Ownership {
    /// Adds an identified account: the buckets its `s3:ListBuckets` names (or why it could not
    /// list them), and its credentials as the reader of what it owns.
    pub fn add(&mut self, account: AccountId, listing: Collected<Vec<String>>, ctx: Ctx) {
        match listing {
            Collected::Ok(names) => {
                for name in names {
                    self.owners.insert(name, account.clone());
                }
            }
            Collected::Failed { error } => {
                self.listing_errors.insert(account.clone(), error);
            }
        }
        self.readers.insert(account, ctx);
    }

    /// The credentials of the scanned account that owns `bucket`, if one does.
    pub fn bucket_reader(&self, bucket: &str) -> Option<&Ctx> {
        self.owners.get(bucket).and_then(|o| self.readers.get(o))
    }

    /// An identified account's credentials.
    pub fn reader(&self, account: &AccountId) -> Option<&Ctx> {
        self.readers.get(account)
    }
}

impl Shared {
    /// Empty caches whose reads wait for `ownership` to be published.
    pub fn new(ownership: watch::Receiver<Option<Arc<Ownership>>>) -> Self {
        Shared {
            ownership,
            buckets: Mutex::default(),
            keys: Mutex::default(),
            log_groups: Mutex::default(),
            alarms: Mutex::default(),
            topics: Mutex::default(),
        }
    }

    async fn ownership(&self) -> Arc<Ownership> {
        let mut rx = self.ownership.clone();
        match rx.wait_for(Option::is_some).await {
            Ok(published) => published.as_ref().map(Arc::clone).unwrap_or_default(),
            // The publisher is gone (collection is being abandoned): nobody is known to own
            // anything, so reads fall back to the requesting account.
            Err(_) => Arc::default(),
        }
    }

    /// A bucket, read once for every account and trail that uses it — with its owner's
    /// credentials when the owner is scanned, so a log-archive bucket is read where it can
    /// be. `me` is the account whose trail names it.
    pub async fn bucket(&self, requester: &Ctx, me: &AccountId, name: String) -> Bucket {
        let cell = {
            let mut map = self
                .buckets
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(map.entry(name.clone()).or_default())
        };
        let ownership = self.ownership().await;
        let owner = ownership.owners.get(&name);
        let reader = owner
            .and_then(|o| ownership.readers.get(o))
            .unwrap_or(requester);
        let mut bucket = cell
            .get_or_init(|| buckets::bucket(reader, name.clone()))
            .await
            .clone();
        attribute(&mut bucket, owner, ownership.listing_errors.get(me), me);
        bucket
    }

    /// A key, read once, with its owner account's credentials when that account is scanned.
    pub async fn key(
        &self,
        requester: &Ctx,
        me: &AccountId,
        key_id: String,
        region: Region,
    ) -> KmsKey {
        let ownership = self.ownership().await;
        let arn = Arn::from(key_id.as_str());
        // A bare id or alias means a key of the account whose trail names it.
        let cache_key = match arn.account() {
            Some(_) => key_id.clone(),
            None => format!("{me}/{region}/{key_id}"),
        };
        let cell = {
            let mut map = self
                .keys
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            Arc::clone(map.entry(cache_key).or_default())
        };
        let reader = arn
            .account()
            .and_then(|a| ownership.readers.get(&AccountId::from(a)))
            .unwrap_or(requester);
        cell.get_or_init(|| keys::key(reader, key_id, region))
            .await
            .clone()
    }
}

impl Shared {
    /// Whose credentials read a resource `owner` owns: the requester's for its own account
    /// (without waiting for the other accounts' round one), the owner's when the owner is
    /// scanned, and otherwise nobody's: an out-of-scope error for `operation`.
    async fn reader_of(
        &self,
        requester: &Ctx,
        me: &AccountId,
        owner: &AccountId,
        (what, operation): (&str, &str),
    ) -> Result<Ctx, CollectError> {
        if owner == me {
            return Ok(requester.clone());
        }
        let ownership = self.ownership().await;
        ownership
            .readers
            .get(owner)
            .cloned()
            .ok_or_else(|| CollectError {
                operation: operation.to_owned(),
                kind: ErrorKind::OutOfScope,
                code: None,
                message: Some(format!("{what} in account {owner}, not in this scan")),
                http_status: None,
            })
    }

    /// A trail's log group with its metric filters and the alarms on their metrics, and the
    /// SNS topics those alarms notify: each log group, each account and region's alarms and
    /// each topic read once, in the owner's account when it is scanned.
    pub async fn monitoring(
        self: Arc<Self>,
        requester: Ctx,
        me: AccountId,
        raw_arn: String,
    ) -> (LogGroup, Vec<Topic>) {
        let Some(group) = LogGroupArn::parse(&raw_arn) else {
            let error = CollectError {
                operation: "logs:DescribeMetricFilters".to_owned(),
                kind: ErrorKind::Unknown,
                code: None,
                message: Some(format!("{raw_arn} is not a CloudWatch Logs log group ARN")),
                http_status: None,
            };
            return (LogGroup::unread(&raw_arn, error), vec![]);
        };
        let log_group = cell(&self.log_groups, group.arn.clone())
            .get_or_init(|| self.read_log_group(&requester, &me, group))
            .await
            .clone();
        let mut topics = JoinSet::new();
        let mut seen = BTreeSet::new();
        for topic in log_group.alarms().flat_map(Alarm::sns_topics) {
            if seen.insert(topic.to_owned()) {
                let (shared, ctx, me) = (Arc::clone(&self), requester.clone(), me.clone());
                let arn = Arn::from(topic);
                topics.spawn(async move { shared.topic(&ctx, &me, arn).await });
            }
        }
        (log_group, join_all(topics).await)
    }

    /// Reads a log group's filters and its account and region's alarms, concurrently.
    async fn read_log_group(
        &self,
        requester: &Ctx,
        me: &AccountId,
        group: LogGroupArn,
    ) -> LogGroup {
        let what = ("log group", "logs:DescribeMetricFilters");
        let reader = match self.reader_of(requester, me, &group.account_id, what).await {
            Ok(reader) => reader,
            Err(e) => return LogGroup::unread(group.arn.as_str(), e),
        };
        let alarms = cell(
            &self.alarms,
            (group.account_id.clone(), group.region.clone()),
        );
        let (mut filters, alarms) = tokio::join!(
            monitoring::metric_filters(&reader, &group),
            alarms.get_or_init(|| async {
                Arc::new(monitoring::alarms(&reader, &group.region).await)
            })
        );
        if let Collected::Ok(list) = &mut filters {
            monitoring::attach_alarms(list, alarms);
        }
        LogGroup {
            arn: group.arn,
            account_id: group.account_id,
            region: group.region,
            name: group.name,
            referenced_by: vec![],
            metric_filters: filters,
        }
    }

    /// A topic and its subscriptions, read once, in the topic's account and region.
    async fn topic(&self, requester: &Ctx, me: &AccountId, arn: Arn) -> Topic {
        let account = AccountId::from(arn.account().unwrap_or_default());
        let region = Region::from(arn.region().unwrap_or_default());
        cell(&self.topics, arn.clone())
            .get_or_init(|| async {
                let what = ("topic", "sns:ListSubscriptionsByTopic");
                let subscriptions = match self.reader_of(requester, me, &account, what).await {
                    Ok(reader) => monitoring::subscriptions(&reader, &arn, &region).await,
                    Err(e) => Collected::failed(e),
                };
                Topic {
                    arn: arn.clone(),
                    account_id: account.clone(),
                    region: region.clone(),
                    referenced_by: vec![],
                    subscriptions,
                }
            })
            .await
            .clone()
    }
}

/// The cell for `key`, created empty on first use.
fn cell<K: std::hash::Hash + Eq, V>(cells: &Cells<K, V>, key: K) -> Arc<OnceCell<V>> {
    let mut map = cells
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    Arc::clone(map.entry(key).or_default())
}

/// Who owns the bucket, as `me` sees it: its scanned owner, or why nobody is known to.
fn attribute(
    bucket: &mut Bucket,
    owner: Option<&AccountId>,
    listing_error: Option<&CollectError>,
    me: &AccountId,
) {
    bucket.owner_account = match (owner, listing_error) {
        (Some(o), _) => Collected::Ok(Some(o.clone())),
        // A bucket that does not exist is nobody's.
        _ if bucket.exists == Collected::Ok(false) => Collected::Ok(None),
        (None, Some(err)) => Collected::failed(err.clone()),
        (None, None) => Collected::failed(CollectError {
            operation: "s3:ListBuckets".to_owned(),
            kind: ErrorKind::OutOfScope,
            code: None,
            message: Some(format!("no scanned account lists bucket {}", bucket.name)),
            http_status: None,
        }),
    };
    // "Not ours" is a fact as soon as our own listing succeeded, whoever the owner is.
    bucket.owned_by_audited_account = match (owner, listing_error) {
        (Some(o), _) => Collected::Ok(o == me),
        (None, Some(err)) => Collected::failed(err.clone()),
        (None, None) => Collected::Ok(false),
    };
}
