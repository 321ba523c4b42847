//! Live collection from AWS: the only module that names AWS SDK types.
//!
//! The dependency depth of calls, not their count, sets the wall time, so independent calls run
//! concurrently under one bounded budget:
//!
//! ```text
//! GetCallerIdentity ┐
//! DescribeOrganization ├─► DescribeTrails × every enabled region ─► per trail (home region):
//! DescribeRegions   ┘        GetTrailStatus, GetEventSelectors, GetInsightSelectors, ListTags
//!                                                            ─► per bucket: HeadBucket ─► Get* × 9
//!                                                            ─► per key: DescribeKey ─► GetKeyRotationStatus
//! ```

mod account;
mod buckets;
mod clients;
mod error;
mod keys;
mod trails;

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::{Semaphore, SemaphorePermit};
use tokio::task::JoinSet;

use crate::inventory::{
    Account, Arn, Collected, CollectionMeta, Inventory, Region, RegionState, SCHEMA_VERSION,
    Timestamp,
};

pub use clients::BOOTSTRAP_REGION;

/// What to collect and how.
#[derive(Debug, Clone)]
pub struct CollectOptions {
    /// `--profile`.
    pub profile: Option<String>,
    /// `--region` (empty: every enabled region).
    pub regions: Vec<String>,
    /// Maximum AWS calls in flight.
    pub concurrency: usize,
    /// Per-attempt timeout.
    pub timeout: Duration,
}

/// Why nothing could be collected (exit status 2). Failures of single reads are not fatal:
/// they are recorded in the inventory as error states.
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
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

/// Shared state of one collection: clients and the concurrency budget.
pub struct Ctx {
    clients: clients::Clients,
    limit: Semaphore,
}

impl Ctx {
    /// Waits for a slot in the concurrency budget. The semaphore is never closed, so this
    /// only returns `None` if that invariant is broken — the call then runs unthrottled.
    async fn permit(&self) -> Option<SemaphorePermit<'_>> {
        self.limit.acquire().await.ok()
    }
}

/// Collects the inventory on a fresh async runtime (for the synchronous CLI).
pub fn collect_blocking(
    opts: &CollectOptions,
    now: &dyn Fn() -> Timestamp,
) -> Result<Inventory, CollectFailure> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CollectFailure::Runtime(e.to_string()))?;
    runtime.block_on(collect(opts, now))
}

/// Collects the inventory of the account the credentials belong to.
pub async fn collect(
    opts: &CollectOptions,
    now: &dyn Fn() -> Timestamp,
) -> Result<Inventory, CollectFailure> {
    let started_at = now();
    let sdk = clients::load_config(&clients::ConfigOptions {
        profile: opts.profile.clone(),
        fallback_region: opts.regions.first().cloned(),
        timeout: opts.timeout,
    })
    .await;
    let ctx = Arc::new(Ctx {
        clients: clients::Clients::new(sdk),
        limit: Semaphore::new(opts.concurrency.max(1)),
    });
    let account = collect_account(ctx, &opts.regions).await?;
    let mut inventory = Inventory {
        schema_version: SCHEMA_VERSION.to_owned(),
        collection: CollectionMeta {
            tool: "trailguard".to_owned(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at,
            finished_at: now(),
            requested_regions: opts
                .regions
                .iter()
                .map(|r| Region::from(r.as_str()))
                .collect(),
        },
        accounts: vec![account],
    };
    inventory.normalize();
    Ok(inventory)
}

async fn collect_account(ctx: Arc<Ctx>, requested: &[String]) -> Result<Account, CollectFailure> {
    let sts = ctx.clients.sts();
    let identity_call = async {
        let _p = ctx.permit().await;
        sts.get_caller_identity().send().await
    };
    // DescribeRegions does not depend on the identity: ask both at once.
    let regions_call = async {
        let _p = ctx.permit().await;
        ctx.clients.ec2().describe_regions().send().await
    };
    let (identity, regions) = tokio::join!(identity_call, regions_call);
    let identity = match identity {
        Ok(out) => account::identity_from(out.account(), out.arn()).ok_or_else(|| {
            CollectFailure::Identity("sts:GetCallerIdentity returned no account".to_owned())
        })?,
        Err(e) => {
            let err = error::collect_error("sts:GetCallerIdentity", &e);
            let detail = error::error_chain(&e);
            return Err(CollectFailure::Identity(
                account::describe_identity_failure(&err, &detail),
            ));
        }
    };
    let enabled: Collected<Vec<Region>> = match regions {
        Ok(out) => Collected::Ok(account::enabled_from(
            out.regions()
                .iter()
                .map(|r| (r.region_name(), r.opt_in_status())),
            &identity.partition,
        )),
        Err(e) => Collected::failed(error::collect_error("ec2:DescribeRegions", &e)),
    };

    let requested: Vec<Region> = requested.iter().map(|r| Region::from(r.as_str())).collect();
    if let Collected::Ok(list) = &enabled
        && let Some(bad) = requested.iter().find(|r| !list.contains(r))
    {
        return Err(CollectFailure::RegionNotEnabled {
            region: bad.to_string(),
            account: identity.account_id.to_string(),
            enabled: list
                .iter()
                .map(Region::as_str)
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    // Discover in every enabled region even when the scope is narrower: a multi-region
    // trail homed outside the scope still covers it.
    let discovery_regions: Vec<Region> = match &enabled {
        Collected::Ok(list) => list.clone(),
        Collected::Failed { .. } if !requested.is_empty() => requested.clone(),
        Collected::Failed { .. } => vec![Region::from(ctx.clients.home_region())],
    };
    let in_scope = |r: &Region| requested.is_empty() || requested.contains(r);

    let org_ctx = Arc::clone(&ctx);
    let me = identity.account_id.clone();
    let organization = tokio::spawn(async move { account::organization(&org_ctx, &me).await });

    let mut discovery = JoinSet::new();
    for region in discovery_regions {
        let ctx = Arc::clone(&ctx);
        discovery.spawn(async move {
            let found = trails::discover(&ctx, &region).await;
            (region, found)
        });
    }
    let mut per_region = Vec::new();
    while let Some(joined) = discovery.join_next().await {
        if let Ok(pair) = joined {
            per_region.push(pair);
        }
    }
    per_region.sort_by(|a, b| a.0.cmp(&b.0));
    let found = trails::dedupe(&per_region);

    // Buckets and keys come from DescribeTrails alone: read them alongside the trail details.
    let mut bucket_names: Vec<String> = Vec::new();
    let mut key_ids: BTreeMap<String, Region> = BTreeMap::new();
    for d in found.values() {
        if let Some(b) = d.description.s3_bucket_name().filter(|b| !b.is_empty()) {
            bucket_names.push(b.to_owned());
        }
        if let Some(k) = d.description.kms_key_id().filter(|k| !k.is_empty()) {
            let home = Region::from(d.description.home_region().unwrap_or(BOOTSTRAP_REGION));
            key_ids
                .entry(k.to_owned())
                .or_insert_with(|| keys::key_region(k, &home));
        }
    }
    bucket_names.sort();
    bucket_names.dedup();

    let mut trail_tasks = JoinSet::new();
    for discovered in found.into_values() {
        let ctx = Arc::clone(&ctx);
        let me = identity.account_id.clone();
        trail_tasks.spawn(trails::details(ctx, me, discovered));
    }
    let mut bucket_tasks = JoinSet::new();
    for name in bucket_names {
        let ctx = Arc::clone(&ctx);
        bucket_tasks.spawn(async move { buckets::bucket(&ctx, name).await });
    }
    let mut key_tasks = JoinSet::new();
    for (key_id, region) in key_ids {
        let ctx = Arc::clone(&ctx);
        key_tasks.spawn(async move { keys::key(&ctx, key_id, region).await });
    }
    let (trails, buckets, kms_keys) = tokio::join!(
        join_all(trail_tasks),
        join_all(bucket_tasks),
        join_all(key_tasks)
    );
    let organization = organization.await.unwrap_or_else(|e| {
        Collected::failed(error::skipped(
            "organizations:DescribeOrganization",
            &format!("the task failed: {e}"),
        ))
    });

    let regions = per_region
        .into_iter()
        .map(|(region, found)| RegionState {
            in_scope: in_scope(&region),
            discovered_trails: found.map(|list| {
                list.iter()
                    .filter_map(|t| t.trail_arn())
                    .map(Arn::from)
                    .collect()
            }),
            applicable_trails: vec![],
            region,
        })
        .collect();

    Ok(Account {
        account_id: identity.account_id,
        partition: identity.partition,
        caller_arn: identity.arn,
        organization,
        enabled_regions: enabled,
        regions,
        trails,
        buckets,
        kms_keys,
    })
}

/// Waits for every task. A task only fails by panicking; that is a bug, and losing one
/// resource silently would be worse than stopping, so the panic is propagated.
async fn join_all<T: 'static>(mut set: JoinSet<T>) -> Vec<T> {
    let mut out = Vec::with_capacity(set.len());
    while let Some(joined) = set.join_next().await {
        match joined {
            Ok(v) => out.push(v),
            Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
            Err(_) => {}
        }
    }
    out
}
