//! Live collection from AWS: the only module that names AWS SDK types.
//!
//! The dependency depth of calls, not their count, sets the wall time, so independent calls run
//! concurrently under one bounded budget:
//!
//! ```text
//! (--org: DescribeOrganization ∥ ListAccounts ─► AssumeRole per member, then per account:)
//! GetCallerIdentity, DescribeRegions, ListBuckets     (round one: who, where, whose buckets)
//! ListTrails ∥ DescribeTrails (own region) ─► DescribeTrails (by ARN, in the home region of
//!                                             each single-region trail homed elsewhere)
//!   each described trail ─► GetTrailStatus, GetEventSelectors, GetInsightSelectors, ListTags
//!                        ─► per bucket: HeadBucket ─► Get* × 9
//!                        ─► per key: DescribeKey ─► GetKeyRotationStatus
//! ```
//!
//! Trails are found across the account with a few calls rather than one `DescribeTrails` per
//! enabled region (see [`trails::discover_account`]); without `cloudtrail:ListTrails` every
//! enabled region is asked instead.

mod account;
mod buckets;
mod clients;
mod error;
mod keys;
mod org;
mod profile;
mod trails;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{OnceCell, Semaphore, SemaphorePermit, mpsc, watch};
use tokio::task::JoinSet;

use crate::inventory::{
    Account, AccountId, Arn, Bucket, CollectError, Collected, CollectionMeta, Inventory, KmsKey,
    OrganizationAccount, OrganizationScan, Region, RegionState, SCHEMA_VERSION, Timestamp,
};

pub use clients::BOOTSTRAP_REGION;
pub use org::{OrgOptions, SESSION_NAME};

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
}

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
    /// The async runtime could not start.
    #[error("cannot start the async runtime: {0}")]
    Runtime(String),
}

/// One account's clients and the shared concurrency budget.
#[derive(Clone)]
pub struct Ctx {
    clients: clients::Clients,
    limit: Arc<Semaphore>,
    progress: ProgressSink,
}

impl Ctx {
    /// Waits for a slot in the concurrency budget. The semaphore is never closed, so this
    /// only returns `None` if that invariant is broken — the call then runs unthrottled.
    async fn permit(&self) -> Option<SemaphorePermit<'_>> {
        let permit = self.limit.acquire().await.ok();
        if let Some(p) = &self.progress.0 {
            p.call();
        }
        permit
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

/// An account to collect, with its credentials.
struct Target {
    account_id: AccountId,
    ctx: Ctx,
    /// Known already for the caller's own account.
    identity: Option<account::Identity>,
    /// Known already for every account of an organization scan.
    organization: Option<Collected<Option<crate::inventory::Organization>>>,
    /// Set once a member account's role has been assumed.
    assumed: Option<watch::Receiver<bool>>,
}

/// An account after its first round of calls.
struct Prepared {
    ctx: Ctx,
    identity: account::Identity,
    enabled: Collected<Vec<Region>>,
    organization: Collected<Option<crate::inventory::Organization>>,
    buckets_owned: Collected<Vec<String>>,
    discovery: Discovery,
}

/// Trail discovery, started with round one: its `DescribeTrails` answers as they arrive, then
/// the `ListTrails` listing it was based on.
struct Discovery {
    answers: mpsc::UnboundedReceiver<trails::Described>,
    listing: tokio::task::JoinHandle<Collected<Vec<trails::Listed>>>,
}

impl Discovery {
    fn start(ctx: &Ctx) -> Self {
        let (out, answers) = mpsc::unbounded_channel();
        let listing = tokio::spawn(trails::discover_account(ctx.clone(), out));
        Discovery { answers, listing }
    }
}

/// What every account's collection shares: the owners of buckets and the reads of buckets
/// and keys, each made once however many trails and accounts refer to them.
struct Shared {
    /// Published once every account has answered round one; bucket and key reads wait for it,
    /// nothing else does.
    ownership: watch::Receiver<Option<Arc<Ownership>>>,
    buckets: Mutex<HashMap<String, Arc<OnceCell<Bucket>>>>,
    keys: Mutex<HashMap<String, Arc<OnceCell<KmsKey>>>>,
}

/// Which scanned account owns which bucket, and whose credentials can read what.
#[derive(Default)]
struct Ownership {
    owners: BTreeMap<String, AccountId>,
    listing_errors: BTreeMap<AccountId, CollectError>,
    readers: BTreeMap<AccountId, Ctx>,
}

impl Shared {
    async fn ownership(&self) -> Arc<Ownership> {
        let mut rx = self.ownership.clone();
        match rx.wait_for(Option::is_some).await {
            Ok(published) => published.as_ref().map(Arc::clone).unwrap_or_default(),
            // The publisher is gone (collection is being abandoned): nobody is known to own
            // anything, so reads fall back to the requesting account.
            Err(_) => Arc::default(),
        }
    }
}

/// What round one tells the coordinator about one account.
struct RoundOne {
    account: AccountId,
    /// `None` when the account could not be identified.
    ready: Option<Ready>,
}

/// An identified account's contribution to what every account shares.
struct Ready {
    ctx: Ctx,
    listing: Collected<Vec<String>>,
    enabled: Collected<Vec<Region>>,
}

/// Collects the inventory: the caller's account, or with `--org` every account of the
/// organization.
pub async fn collect(
    opts: &CollectOptions,
    now: &dyn Fn() -> Timestamp,
) -> Result<Inventory, CollectFailure> {
    let started_at = now();
    let base = clients::load_config(&clients::ConfigOptions {
        profile: opts.profile.clone(),
        fallback_region: opts.regions.first().cloned(),
        timeout: opts.timeout,
    })
    .await
    .map_err(CollectFailure::Identity)?;
    let limit = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let caller_ctx = Ctx {
        clients: clients::Clients::new(base.clone()),
        limit,
        progress: opts.progress.clone(),
    };
    // The caller's identity, and for an organization scan its organization and accounts:
    // three independent calls, asked at once.
    let (caller, early) = match &opts.org {
        None => (identify(&caller_ctx).await, None),
        Some(_) => {
            let (caller, organization, listed) = tokio::join!(
                identify(&caller_ctx),
                account::describe_organization(&caller_ctx),
                org::list_accounts(&base)
            );
            (caller, Some((organization, listed)))
        }
    };
    let caller = caller.map_err(|(err, detail)| {
        CollectFailure::Identity(account::describe_identity_failure(&err, &detail))
    })?;

    let (targets, mut org_scan) = match (&opts.org, early) {
        (Some(org_opts), Some((organization, listed))) => {
            org_targets(&base, &caller_ctx, &caller, org_opts, organization, listed).await?
        }
        _ => {
            let target = Target {
                account_id: caller.account_id.clone(),
                ctx: caller_ctx.clone(),
                identity: Some(caller.clone()),
                organization: None,
                assumed: None,
            };
            (vec![target], None)
        }
    };

    // Every account runs on its own: round one (identity, which proves the role; regions;
    // bucket ownership; organization facts), then trails. Only bucket and key reads wait,
    // for the ownership every account's round one contributes to.
    if let Some(p) = &opts.progress.0 {
        p.accounts(targets.len());
    }
    let requested: Vec<Region> = opts
        .regions
        .iter()
        .map(|r| Region::from(r.as_str()))
        .collect();
    let (publish, ownership) = watch::channel(None);
    let shared = Arc::new(Shared {
        ownership,
        buckets: Mutex::default(),
        keys: Mutex::default(),
    });
    let (report, mut reports) = mpsc::unbounded_channel::<RoundOne>();
    let expected = targets.len();
    let mut tasks = JoinSet::new();
    for target in targets {
        let (shared, report, requested) = (Arc::clone(&shared), report.clone(), requested.clone());
        let progress = opts.progress.clone();
        tasks.spawn(async move {
            let account = target.account_id.clone();
            let result = prepare(target).await;
            let ready = result.as_ref().ok().map(|p| Ready {
                ctx: p.ctx.clone(),
                listing: p.buckets_owned.clone(),
                enabled: p.enabled.clone(),
            });
            // The coordinator may have stopped listening (a fatal error): nothing to do then.
            let _ = report.send(RoundOne { account, ready });
            drop(report);
            let out = match result {
                Ok(p) => Ok(collect_account(p, shared, requested).await),
                Err(failure) => Err(failure),
            };
            if let Some(p) = &progress.0 {
                p.account_done();
            }
            out
        });
    }
    drop(report);

    let mut ownership = Ownership::default();
    for _ in 0..expected {
        let Some(RoundOne { account, ready }) = reports.recv().await else {
            break;
        };
        let Some(Ready {
            ctx,
            listing,
            enabled,
        }) = ready
        else {
            continue;
        };
        if account == caller.account_id
            && let Collected::Ok(list) = &enabled
            && let Some(bad) = requested.iter().find(|r| !list.contains(r))
        {
            return Err(CollectFailure::RegionNotEnabled {
                region: bad.to_string(),
                account: caller.account_id.to_string(),
                enabled: list
                    .iter()
                    .map(Region::as_str)
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        match listing {
            Collected::Ok(names) => {
                for name in names {
                    ownership.owners.insert(name, account.clone());
                }
            }
            Collected::Failed { error } => {
                ownership.listing_errors.insert(account.clone(), error);
            }
        }
        ownership.readers.insert(account, ctx);
    }
    // Nobody waits for this value if every receiver is gone; that is fine.
    let _ = publish.send(Some(Arc::new(ownership)));

    let mut accounts = Vec::new();
    let mut failed: Vec<(AccountId, CollectError)> = Vec::new();
    for result in join_all(tasks).await {
        match result {
            Ok(account) => accounts.push(account),
            Err(failure) => failed.push(failure),
        }
    }

    if let Some(scan) = &mut org_scan {
        for (account_id, error) in failed {
            if let Some(entry) = scan
                .accounts
                .iter_mut()
                .find(|a| a.account_id == account_id)
            {
                entry.error = Some(error);
            }
        }
    }
    let mut inventory = Inventory {
        schema_version: SCHEMA_VERSION.to_owned(),
        collection: CollectionMeta {
            tool: "trailguard".to_owned(),
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at,
            finished_at: now(),
            requested_regions: requested,
        },
        accounts,
        organization: org_scan,
    };
    inventory.share_organization_trails();
    inventory.normalize();
    Ok(inventory)
}

/// `sts:GetCallerIdentity`; on failure the classified error and the full explanation.
async fn identify(ctx: &Ctx) -> Result<account::Identity, (CollectError, String)> {
    let answer = {
        let _p = ctx.permit().await;
        ctx.clients.sts().get_caller_identity().send().await
    };
    match answer {
        Ok(out) => account::identity_from(out.account(), out.arn()).ok_or_else(|| {
            let err = error::skipped("sts:GetCallerIdentity", "the answer named no account");
            (err, "sts:GetCallerIdentity returned no account".to_owned())
        }),
        Err(e) => Err((
            error::collect_error("sts:GetCallerIdentity", &e),
            error::error_chain(&e),
        )),
    }
}

/// Lists the organization and builds a target per selected account.
async fn org_targets(
    base: &aws_config::SdkConfig,
    caller_ctx: &Ctx,
    caller: &account::Identity,
    org_opts: &OrgOptions,
    described: Collected<Option<aws_sdk_organizations::types::Organization>>,
    listed: Result<Vec<org::ListedAccount>, String>,
) -> Result<(Vec<Target>, Option<OrganizationScan>), CollectFailure> {
    // Every listed account is a member of this one organization: its description, seen from
    // each account, is derived here instead of asking DescribeOrganization once per member.
    let seen_from = |me: &AccountId| {
        described
            .clone()
            .map(|o| o.and_then(|o| account::organization_from(&o, me)))
    };
    let caller_view = seen_from(&caller.account_id);
    let organization = match &caller_view {
        Collected::Ok(Some(org)) => org.clone(),
        Collected::Ok(None) => {
            return Err(CollectFailure::Organization(format!(
                "account {} is not in an organization",
                caller.account_id
            )));
        }
        Collected::Failed { error } => return Err(CollectFailure::Organization(error.to_string())),
    };
    let listed = listed.map_err(CollectFailure::Organization)?;
    let selected = org::select(&listed, org_opts).map_err(CollectFailure::Identity)?;
    let mut targets = Vec::new();
    for (account, in_scope) in listed.iter().zip(&selected) {
        if !in_scope {
            continue;
        }
        let (ctx, identity, assumed) = if account.id == caller.account_id {
            (caller_ctx.clone(), Some(caller.clone()), None)
        } else {
            let role = org::role_arn(org_opts, caller.partition.as_str(), &account.id);
            let (config, assumed) =
                org::member_config(base, &role, org_opts.external_id.as_deref()).await;
            let ctx = Ctx {
                clients: clients::Clients::new(config),
                limit: Arc::clone(&caller_ctx.limit),
                progress: caller_ctx.progress.clone(),
            };
            (ctx, None, Some(assumed))
        };
        targets.push(Target {
            account_id: account.id.clone(),
            ctx,
            identity,
            organization: Some(seen_from(&account.id)),
            assumed,
        });
    }
    let scan = OrganizationScan {
        id: organization.id.clone(),
        management_account_id: organization.management_account_id.clone(),
        scanned_from: caller.account_id.clone(),
        accounts: listed
            .iter()
            .zip(&selected)
            .map(|(a, in_scope)| OrganizationAccount {
                account_id: a.id.clone(),
                name: a.name.clone(),
                in_scope: *in_scope,
                error: None,
            })
            .collect(),
    };
    Ok((targets, Some(scan)))
}

/// Round one for one account. Fails only when the account cannot be identified (its role
/// could not be assumed, or every call is denied).
async fn prepare(target: Target) -> Result<Prepared, (AccountId, CollectError)> {
    let ctx = target.ctx;
    let regions = async {
        let _p = ctx.permit().await;
        ctx.clients.ec2().describe_regions().send().await
    };
    let known = target.organization;
    let organization = async {
        match known {
            Some(known) => known,
            None => account::organization(&ctx, &target.account_id).await,
        }
    };
    // Trails are discovered across the account by ListTrails, not per region, so discovery
    // goes out with round one instead of waiting for the enabled regions.
    let round = async {
        let discovery = Discovery::start(&ctx);
        let (regions, owned, organization) =
            tokio::join!(regions, buckets::owned_bucket_names(&ctx), organization);
        (regions, owned, organization, discovery)
    };
    let (identity, (regions, buckets_owned, organization, discovery)) = match target.identity {
        Some(known) => (known, round.await),
        None => {
            // A member's identity check assumes its role. The other calls wait until the role
            // is assumed, not until the check has answered: started together, each would retry
            // a refused AssumeRole; started after the answer, they would add a round trip.
            let check = identify(&ctx);
            tokio::pin!(check);
            let settled = tokio::select! {
                biased;
                answer = &mut check => Some(answer),
                () = role_assumed(target.assumed) => None,
            };
            let (answer, round) = match settled {
                Some(Err((err, _))) => return Err((target.account_id.clone(), err)),
                Some(answer) => (answer, round.await),
                None => tokio::join!(check, round),
            };
            let identity = answer.map_err(|(err, _)| (target.account_id.clone(), err))?;
            (identity, round)
        }
    };
    let enabled = match regions {
        Ok(out) => Collected::Ok(account::enabled_from(
            out.regions()
                .iter()
                .map(|r| (r.region_name(), r.opt_in_status())),
            &identity.partition,
        )),
        Err(e) => Collected::failed(error::collect_error("ec2:DescribeRegions", &e)),
    };
    // No enabled region at all is not an answer to trust: judging nothing would pass.
    let enabled = match enabled {
        Collected::Ok(list) if list.is_empty() => Collected::failed(CollectError {
            operation: "ec2:DescribeRegions".to_owned(),
            kind: crate::inventory::ErrorKind::Unknown,
            code: None,
            message: Some(format!(
                "the answer lists no enabled region of partition {}",
                identity.partition
            )),
            http_status: None,
        }),
        other => other,
    };
    Ok(Prepared {
        ctx,
        identity,
        enabled,
        organization,
        buckets_owned,
        discovery,
    })
}

/// Resolves once the account's role has been assumed; never when there is no role to assume.
async fn role_assumed(assumed: Option<watch::Receiver<bool>>) {
    if let Some(mut rx) = assumed
        && rx.wait_for(|done| *done).await.is_ok()
    {
        return;
    }
    std::future::pending().await
}

/// Round two for one account: the trails discovery finds, their details, and their buckets and
/// keys (through the shared, read-once caches).
async fn collect_account(p: Prepared, shared: Arc<Shared>, requested: Vec<Region>) -> Account {
    let Prepared {
        ctx,
        identity,
        enabled,
        organization,
        discovery,
        ..
    } = p;
    let Discovery {
        mut answers,
        listing,
    } = discovery;
    let own = Region::from(ctx.clients.home_region());

    // A trail's details, bucket and key are read as soon as an answer describes it, not after
    // every answer is in. The own region's answer comes first and describes its trails and a
    // shadow of every multi-region trail; any other answer describes the trails homed in its
    // region. Which answer describes a trail depends on the answers, not on their timing.
    let ctx = Arc::new(ctx);
    let mut trail_tasks = JoinSet::new();
    let mut bucket_tasks = JoinSet::new();
    let mut key_tasks = JoinSet::new();
    let (mut buckets_seen, mut keys_seen) = (BTreeSet::new(), BTreeSet::new());
    // What each bucket or key task owns: the shared state, the account's clients, who reads.
    let handles = || {
        (
            Arc::clone(&shared),
            Arc::clone(&ctx),
            identity.account_id.clone(),
        )
    };
    let mut dispatch = |description: &aws_sdk_cloudtrail::types::Trail| {
        if let Some(b) = description.s3_bucket_name().filter(|b| !b.is_empty())
            && buckets_seen.insert(b.to_owned())
        {
            let ((shared, ctx, me), name) = (handles(), b.to_owned());
            bucket_tasks.spawn(async move { shared_bucket(&shared, &ctx, &me, name).await });
        }
        if let Some(k) = description.kms_key_id().filter(|k| !k.is_empty())
            && keys_seen.insert(k.to_owned())
        {
            let home = Region::from(description.home_region().unwrap_or(BOOTSTRAP_REGION));
            let region = keys::key_region(k, &home);
            let ((shared, ctx, me), key_id) = (handles(), k.to_owned());
            key_tasks.spawn(async move { shared_key(&shared, &ctx, &me, key_id, region).await });
        }
        trail_tasks.spawn(trails::details(
            Arc::clone(&ctx),
            identity.account_id.clone(),
            description.clone(),
        ));
    };
    let mut dispatched = BTreeSet::new();
    let mut per_region: Vec<trails::Described> = Vec::new();
    let mut take = |(region, found): trails::Described, per_region: &mut Vec<trails::Described>| {
        for trail in found.ok().into_iter().flatten() {
            if let Some(arn) = trail.trail_arn()
                && (region == own || trail.home_region() == Some(region.as_str()))
                && dispatched.insert(arn.to_owned())
            {
                dispatch(trail);
            }
        }
        per_region.push((region, found));
    };
    while let Some(answer) = answers.recv().await {
        take(answer, &mut per_region);
    }
    let listing = match listing.await {
        Ok(listing) => listing,
        Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
        Err(_) => Collected::failed(error::skipped(
            "cloudtrail:ListTrails",
            "trail discovery was cancelled",
        )),
    };
    let listed = listing.ok();
    let account_regions = trails::judged_regions(
        &enabled,
        &identity.partition,
        &requested,
        &own,
        listed.map(Vec::as_slice),
    );
    if listed.is_none() {
        // Without the listing, every enabled region is asked (the own region already was).
        let mut discovery = JoinSet::new();
        for region in account_regions.iter().filter(|r| **r != own) {
            let (ctx, region) = (Arc::clone(&ctx), region.clone());
            discovery.spawn(async move {
                let found = trails::discover(&ctx, &region, &[]).await;
                (region, found)
            });
        }
        while let Some(joined) = discovery.join_next().await {
            match joined {
                Ok(answer) => take(answer, &mut per_region),
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(_) => {}
            }
        }
    }
    per_region.sort_by(|a, b| a.0.cmp(&b.0));
    let mut found = trails::dedupe(&per_region);
    for (arn, discovered) in &found {
        if !dispatched.contains(arn) {
            dispatch(&discovered.description);
        }
    }
    let (mut trails, buckets, kms_keys) = tokio::join!(
        join_all(trail_tasks),
        join_all(bucket_tasks),
        join_all(key_tasks)
    );
    for trail in &mut trails {
        if let Some(discovered) = found.remove(trail.arn.as_str()) {
            trail.seen_from_regions = discovered.seen_from;
        }
    }

    let regions = if let Some(listed) = listed {
        trails::regions_from_listing(&account_regions, &own, &per_region, listed, &trails)
    } else {
        per_region
            .into_iter()
            .map(|(region, found)| {
                (
                    region,
                    found.map(|list| {
                        list.iter()
                            .filter_map(|t| t.trail_arn())
                            .map(Arn::from)
                            .collect()
                    }),
                )
            })
            .collect()
    };
    let in_scope = |r: &Region| requested.is_empty() || requested.contains(r);
    let regions = regions
        .into_iter()
        .map(|(region, discovered_trails)| RegionState {
            in_scope: in_scope(&region) && account_regions.contains(&region),
            discovered_trails,
            applicable_trails: vec![],
            region,
        })
        .collect();

    Account {
        account_id: identity.account_id,
        partition: identity.partition,
        caller_arn: identity.arn,
        organization,
        enabled_regions: enabled,
        listed_trails: listing.map(|list| {
            list.into_iter()
                .map(trails::Listed::into_inventory)
                .collect()
        }),
        regions,
        trails,
        buckets,
        kms_keys,
    }
}

/// A bucket, read once for every account and trail that uses it — with its owner's
/// credentials when the owner is scanned, so a log-archive bucket is read where it can be.
async fn shared_bucket(shared: &Shared, requester: &Ctx, me: &AccountId, name: String) -> Bucket {
    let cell = {
        let mut map = shared
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        Arc::clone(map.entry(name.clone()).or_default())
    };
    let ownership = shared.ownership().await;
    let owner = ownership.owners.get(&name);
    let reader = owner
        .and_then(|o| ownership.readers.get(o))
        .unwrap_or(requester);
    let mut bucket = cell
        .get_or_init(|| buckets::bucket(reader, name.clone()))
        .await
        .clone();
    let listing_error = ownership.listing_errors.get(me);
    bucket.owner_account = match (owner, listing_error) {
        (Some(o), _) => Collected::Ok(Some(o.clone())),
        // A bucket that does not exist is nobody's.
        _ if bucket.exists == Collected::Ok(false) => Collected::Ok(None),
        (None, Some(err)) => Collected::failed(err.clone()),
        (None, None) => Collected::failed(CollectError {
            operation: "s3:ListBuckets".to_owned(),
            kind: crate::inventory::ErrorKind::OutOfScope,
            code: None,
            message: Some(format!("no scanned account lists bucket {name}")),
            http_status: None,
        }),
    };
    // "Not ours" is a fact as soon as our own listing succeeded, whoever the owner is.
    bucket.owned_by_audited_account = match (owner, listing_error) {
        (Some(o), _) => Collected::Ok(o == me),
        (None, Some(err)) => Collected::failed(err.clone()),
        (None, None) => Collected::Ok(false),
    };
    bucket
}

/// A key, read once, with its owner account's credentials when that account is scanned.
async fn shared_key(
    shared: &Shared,
    requester: &Ctx,
    me: &AccountId,
    key_id: String,
    region: Region,
) -> KmsKey {
    let ownership = shared.ownership().await;
    let arn = Arn::from(key_id.as_str());
    // A bare id or alias means a key of the account whose trail names it.
    let cache_key = match arn.account() {
        Some(_) => key_id.clone(),
        None => format!("{me}/{region}/{key_id}"),
    };
    let cell = {
        let mut map = shared
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
