//! The coordinator: identifies the caller, picks the accounts, runs every account on its own
//! task, publishes bucket ownership once every account has answered round one, and assembles
//! the inventory.
//!
//! Every account runs on its own: round one (identity, which proves the role; regions; bucket
//! ownership; organization facts), then trails. Only bucket and key reads wait, for the
//! ownership every account's round one contributes to.

use std::sync::Arc;

use aws_config::SdkConfig;
use tokio::sync::{mpsc, watch};
use tokio::task::JoinSet;

use super::account::{self, Identity};
use super::clients::{self, Clients};
use super::ctx::{Ctx, join_all};
use super::error::CollectFailure;
use super::options::{CollectOptions, ProgressSink};
use super::org;
use super::round_one::prepare;
use super::round_two::collect_account;
use super::shared::{Ownership, Shared};
use super::targets::{Target, org_targets};
use crate::inventory::{
    Account, AccountId, CollectError, Collected, CollectionMeta, Inventory, OrganizationScan,
    Region, SCHEMA_VERSION, Timestamp,
};

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

/// An account that could not be identified, and why.
type Unidentified = (AccountId, CollectError);

/// Collects the inventory: the caller's account, or with `--org` every account of the
/// organization.
pub async fn collect(
    opts: &CollectOptions,
    now: &dyn Fn() -> Timestamp,
) -> Result<Inventory, CollectFailure> {
    Ok(collect_session(opts, now).await?.0)
}

/// The credentials a collection used, for reads that follow it (`verify-logs`): each
/// identified account's, and the caller's.
pub struct Session {
    /// Who owns which bucket, and each identified account's context.
    pub ownership: Arc<Ownership>,
    /// The caller's context.
    pub caller: Ctx,
}

/// [`collect`], keeping the credentials for reads that follow.
pub async fn collect_session(
    opts: &CollectOptions,
    now: &dyn Fn() -> Timestamp,
) -> Result<(Inventory, Session), CollectFailure> {
    let started_at = now();
    let base = clients::load_config(&clients::ConfigOptions {
        profile: opts.profile.clone(),
        fallback_region: opts.regions.first().cloned(),
        timeout: opts.timeout,
    })
    .await
    .map_err(CollectFailure::Identity)?;
    let caller_ctx = Ctx::new(
        Clients::new(base.clone()),
        opts.concurrency,
        opts.progress.clone(),
    );
    let (caller, targets, mut org_scan) = targets(opts, &base, &caller_ctx).await?;
    if let Some(p) = &opts.progress.0 {
        p.accounts(targets.len());
    }
    let requested: Vec<Region> = opts
        .regions
        .iter()
        .map(|r| Region::from(r.as_str()))
        .collect();
    let (publish, ownership) = watch::channel(None);
    let shared = Arc::new(Shared::new(ownership));
    let (report, reports) = mpsc::unbounded_channel::<RoundOne>();
    let expected = targets.len();
    let mut tasks = JoinSet::new();
    for target in targets {
        let (shared, report) = (Arc::clone(&shared), report.clone());
        let (requested, progress) = (requested.clone(), opts.progress.clone());
        let trails_only = opts.trails_only;
        tasks.spawn(run_account(
            target,
            shared,
            report,
            (requested, trails_only),
            progress,
        ));
    }
    drop(report);
    // On an error the task set is dropped, which stops every account.
    let ownership = Arc::new(gather_ownership(reports, expected, &caller, &requested).await?);
    // Nobody waits for this value if every receiver is gone; that is fine.
    let _ = publish.send(Some(Arc::clone(&ownership)));

    let mut accounts = Vec::new();
    let mut failed: Vec<Unidentified> = Vec::new();
    for result in join_all(tasks).await {
        match result {
            Ok(account) => accounts.push(account),
            Err(failure) => failed.push(failure),
        }
    }
    if let Some(scan) = &mut org_scan {
        record_failures(scan, failed);
    }
    let meta = CollectionMeta {
        tool: "trailguard".to_owned(),
        tool_version: env!("CARGO_PKG_VERSION").to_owned(),
        started_at,
        finished_at: now(),
        requested_regions: requested,
    };
    let session = Session {
        ownership,
        caller: caller_ctx,
    };
    Ok((inventory(meta, accounts, org_scan), session))
}

/// The caller, and the accounts to collect: the caller's own, or with `--org` the selected
/// accounts of its organization (with the organization as the inventory records it).
async fn targets(
    opts: &CollectOptions,
    base: &SdkConfig,
    caller_ctx: &Ctx,
) -> Result<(Identity, Vec<Target>, Option<OrganizationScan>), CollectFailure> {
    let identity_failure = |(err, detail): (CollectError, String)| {
        CollectFailure::Identity(account::describe_identity_failure(&err, &detail))
    };
    let Some(org_opts) = &opts.org else {
        let caller = account::identify(caller_ctx)
            .await
            .map_err(identity_failure)?;
        let target = Target::caller(caller_ctx, &caller);
        return Ok((caller, vec![target], None));
    };
    // The caller's identity, its organization and the organization's accounts: three
    // independent calls, asked at once.
    let (caller, organization, listed) = tokio::join!(
        account::identify(caller_ctx),
        account::describe_organization(caller_ctx),
        org::list_accounts(base)
    );
    let caller = caller.map_err(identity_failure)?;
    let (targets, scan) =
        org_targets(base, caller_ctx, &caller, org_opts, organization, listed).await?;
    Ok((caller, targets, Some(scan)))
}

/// One account from start to end: round one, its report to the coordinator, then round two.
async fn run_account(
    target: Target,
    shared: Arc<Shared>,
    report: mpsc::UnboundedSender<RoundOne>,
    (requested, trails_only): (Vec<Region>, bool),
    progress: ProgressSink,
) -> Result<Account, Unidentified> {
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
        Ok(p) => Ok(collect_account(p, shared, requested, trails_only).await),
        Err(failure) => Err(failure),
    };
    if let Some(p) = &progress.0 {
        p.account_done();
    }
    out
}

/// Waits for every account's round one and builds the ownership they share. A `--region`
/// that the caller's account does not have enabled ends the collection.
async fn gather_ownership(
    mut reports: mpsc::UnboundedReceiver<RoundOne>,
    expected: usize,
    caller: &Identity,
    requested: &[Region],
) -> Result<Ownership, CollectFailure> {
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
        if account == caller.account_id {
            check_requested(caller, &enabled, requested)?;
        }
        ownership.add(account, listing, ctx);
    }
    Ok(ownership)
}

/// Fails when a requested region is not among the caller's enabled ones (when those are known).
fn check_requested(
    caller: &Identity,
    enabled: &Collected<Vec<Region>>,
    requested: &[Region],
) -> Result<(), CollectFailure> {
    if let Collected::Ok(list) = enabled
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
    Ok(())
}

/// Records, on the organization's list, why each unidentified account could not be collected.
fn record_failures(scan: &mut OrganizationScan, failed: Vec<Unidentified>) {
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

/// The inventory, with organization trails shared and everything in a stable order.
fn inventory(
    collection: CollectionMeta,
    accounts: Vec<Account>,
    organization: Option<OrganizationScan>,
) -> Inventory {
    let mut inventory = Inventory {
        schema_version: SCHEMA_VERSION.to_owned(),
        collection,
        accounts,
        organization,
    };
    inventory.share_organization_trails();
    inventory.normalize();
    inventory
}
