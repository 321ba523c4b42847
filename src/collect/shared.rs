//! What every account's collection shares: who owns which bucket, whose credentials can read
//! what, and the reads of buckets and keys, each made once however many trails and accounts
//! refer to them.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};

use tokio::sync::{OnceCell, watch};

use super::ctx::Ctx;
use super::{buckets, keys};
use crate::inventory::{
    AccountId, Arn, Bucket, CollectError, Collected, ErrorKind, KmsKey, Region,
};

/// The read-once caches, and the ownership they wait for.
pub struct Shared {
    /// Published once every account has answered round one; bucket and key reads wait for it,
    /// nothing else does.
    ownership: watch::Receiver<Option<Arc<Ownership>>>,
    buckets: Mutex<HashMap<String, Arc<OnceCell<Bucket>>>>,
    keys: Mutex<HashMap<String, Arc<OnceCell<KmsKey>>>>,
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
}

impl Shared {
    /// Empty caches whose reads wait for `ownership` to be published.
    pub fn new(ownership: watch::Receiver<Option<Arc<Ownership>>>) -> Self {
        Shared {
            ownership,
            buckets: Mutex::default(),
            keys: Mutex::default(),
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
