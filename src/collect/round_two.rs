//! Round two for one account: the trails discovery finds, their details, and their buckets,
//! keys and log groups (with the alarms and topics of the CIS monitoring chain), through the
//! shared, read-once caches.
//!
//! A trail's details, bucket and key are read as soon as an answer describes it, not after
//! every answer is in. The own region's answer comes first and describes its trails and a
//! shadow of every multi-region trail; any other answer describes the trails homed in its
//! region. Which answer describes a trail depends on the answers, not on their timing.

use std::collections::BTreeSet;
use std::sync::Arc;

use aws_sdk_cloudtrail::types as ct;
use tokio::task::JoinSet;

use super::clients::BOOTSTRAP_REGION;
use super::ctx::{Ctx, join_all, joined};
use super::error::skipped;
use super::round_one::{Discovery, Prepared};
use super::shared::Shared;
use super::{keys, trails};
use crate::inventory::{
    Account, AccountId, Arn, Bucket, Collected, KmsKey, LogGroup, Region, RegionState, Topic, Trail,
};

/// Round two for one account, once round one is done.
pub async fn collect_account(
    p: Prepared,
    shared: Arc<Shared>,
    requested: Vec<Region>,
    trails_only: bool,
) -> Account {
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
    let mut reads = Reads::new(
        shared,
        Arc::new(ctx),
        identity.account_id.clone(),
        own.clone(),
    );
    reads.trails_only = trails_only;
    while let Some(answer) = answers.recv().await {
        reads.take(answer);
    }
    let listing = joined(listing.await).unwrap_or_else(|| {
        Collected::failed(skipped(
            "cloudtrail:ListTrails",
            "trail discovery was cancelled",
        ))
    });
    let listed = listing.ok();
    let account_regions = trails::judged_regions(
        &enabled,
        &identity.partition,
        &requested,
        &own,
        listed.map(Vec::as_slice),
    );
    if listed.is_none() {
        reads.ask_every_region(&account_regions).await;
    }
    let Finished {
        per_region,
        trails,
        buckets,
        kms_keys,
        log_groups,
        sns_topics,
    } = reads.finish().await;
    let regions = match listed {
        Some(listed) => {
            trails::regions_from_listing(&account_regions, &own, &per_region, listed, &trails)
        }
        None => regions_from_answers(per_region),
    };
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
        regions: region_states(regions, &requested, &account_regions),
        trails,
        buckets,
        kms_keys,
        log_groups,
        sns_topics,
    }
}

/// Everything round two read for one account.
struct Finished {
    /// Every `DescribeTrails` answer, sorted by region.
    per_region: Vec<trails::Described>,
    trails: Vec<Trail>,
    buckets: Vec<Bucket>,
    kms_keys: Vec<KmsKey>,
    log_groups: Vec<LogGroup>,
    /// Deduplicated by ARN.
    sns_topics: Vec<Topic>,
}

/// The reads one account's trails start: each trail's details, and each bucket and key they
/// name, spawned once as soon as an answer describes them.
struct Reads {
    shared: Arc<Shared>,
    ctx: Arc<Ctx>,
    /// The account whose trails these are.
    me: AccountId,
    /// The account's own region, whose answer describes every multi-region trail.
    own: Region,
    trails: JoinSet<Trail>,
    buckets: JoinSet<Bucket>,
    keys: JoinSet<KmsKey>,
    /// Each log group with the topics its alarms notify.
    monitoring: JoinSet<(LogGroup, Vec<Topic>)>,
    buckets_seen: BTreeSet<String>,
    keys_seen: BTreeSet<String>,
    log_groups_seen: BTreeSet<String>,
    /// The ARNs of the trails whose reads have started.
    dispatched: BTreeSet<String>,
    /// Every `DescribeTrails` answer, in arrival order.
    per_region: Vec<trails::Described>,
    /// Read only the trails, not their buckets, keys and log groups.
    trails_only: bool,
}

impl Reads {
    fn new(shared: Arc<Shared>, ctx: Arc<Ctx>, me: AccountId, own: Region) -> Self {
        Reads {
            shared,
            ctx,
            me,
            own,
            trails: JoinSet::new(),
            buckets: JoinSet::new(),
            keys: JoinSet::new(),
            monitoring: JoinSet::new(),
            buckets_seen: BTreeSet::new(),
            keys_seen: BTreeSet::new(),
            log_groups_seen: BTreeSet::new(),
            dispatched: BTreeSet::new(),
            per_region: Vec::new(),
            trails_only: false,
        }
    }

    /// Keeps a `DescribeTrails` answer and starts the reads of the trails it is the one to
    /// describe.
    fn take(&mut self, (region, found): trails::Described) {
        for trail in found.ok().into_iter().flatten() {
            if let Some(arn) = trail.trail_arn()
                && (region == self.own || trail.home_region() == Some(region.as_str()))
                && self.dispatched.insert(arn.to_owned())
            {
                self.dispatch(trail);
            }
        }
        self.per_region.push((region, found));
    }

    /// Starts a trail's details, and its bucket's, key's and log group's reads unless already
    /// started.
    fn dispatch(&mut self, description: &ct::Trail) {
        let (ctx, me) = self.reader();
        self.trails
            .spawn(trails::details(ctx, me, description.clone()));
        if self.trails_only {
            return;
        }
        if let Some(g) = description
            .cloud_watch_logs_log_group_arn()
            .filter(|g| !g.is_empty())
            && self.log_groups_seen.insert(g.to_owned())
        {
            let (shared, (ctx, me)) = (Arc::clone(&self.shared), self.reader());
            self.monitoring
                .spawn(shared.monitoring((*ctx).clone(), me, g.to_owned()));
        }
        if let Some(b) = description.s3_bucket_name().filter(|b| !b.is_empty())
            && self.buckets_seen.insert(b.to_owned())
        {
            let (shared, (ctx, me), name) = (Arc::clone(&self.shared), self.reader(), b.to_owned());
            self.buckets
                .spawn(async move { shared.bucket(&ctx, &me, name).await });
        }
        if let Some(k) = description.kms_key_id().filter(|k| !k.is_empty())
            && self.keys_seen.insert(k.to_owned())
        {
            let home = Region::from(description.home_region().unwrap_or(BOOTSTRAP_REGION));
            let region = keys::key_region(k, &home);
            let (shared, (ctx, me), key_id) =
                (Arc::clone(&self.shared), self.reader(), k.to_owned());
            self.keys
                .spawn(async move { shared.key(&ctx, &me, key_id, region).await });
        }
    }

    /// Who a read task reads as: the account's clients, and the account.
    fn reader(&self) -> (Arc<Ctx>, AccountId) {
        (Arc::clone(&self.ctx), self.me.clone())
    }

    /// Without the `ListTrails` listing, asks every judged region but the own one (which
    /// discovery already asked), taking each answer as it arrives.
    async fn ask_every_region(&mut self, regions: &[Region]) {
        let mut discovery = JoinSet::new();
        for region in regions.iter().filter(|r| **r != self.own) {
            let (ctx, region) = (Arc::clone(&self.ctx), region.clone());
            discovery.spawn(async move {
                let found = trails::discover(&ctx, &region, &[]).await;
                (region, found)
            });
        }
        while let Some(next) = discovery.join_next().await {
            if let Some(answer) = joined(next) {
                self.take(answer);
            }
        }
    }

    /// Once every answer is in: starts the reads of any trail no answer was the one to
    /// describe, waits for every read, and records the regions each trail was seen from.
    async fn finish(mut self) -> Finished {
        let mut per_region = std::mem::take(&mut self.per_region);
        per_region.sort_by(|a, b| a.0.cmp(&b.0));
        let mut found = trails::dedupe(&per_region);
        for (arn, discovered) in &found {
            if !self.dispatched.contains(arn) {
                self.dispatch(&discovered.description);
            }
        }
        let (mut trails, buckets, kms_keys, monitoring) = tokio::join!(
            join_all(self.trails),
            join_all(self.buckets),
            join_all(self.keys),
            join_all(self.monitoring)
        );
        for trail in &mut trails {
            if let Some(discovered) = found.remove(trail.arn.as_str()) {
                trail.seen_from_regions = discovered.seen_from;
            }
        }
        let mut log_groups = Vec::new();
        let mut sns_topics: Vec<Topic> = Vec::new();
        for (group, topics) in monitoring {
            log_groups.push(group);
            for topic in topics {
                if !sns_topics.iter().any(|t| t.arn == topic.arn) {
                    sns_topics.push(topic);
                }
            }
        }
        Finished {
            per_region,
            trails,
            buckets,
            kms_keys,
            log_groups,
            sns_topics,
        }
    }
}

/// Without the listing, what each asked region's answer showed: every trail it described.
fn regions_from_answers(per_region: Vec<trails::Described>) -> Vec<(Region, Collected<Vec<Arn>>)> {
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
}

/// The inventory's regions: in scope when asked for (or nothing was) and judged.
fn region_states(
    regions: Vec<(Region, Collected<Vec<Arn>>)>,
    requested: &[Region],
    account_regions: &[Region],
) -> Vec<RegionState> {
    let in_scope = |r: &Region| requested.is_empty() || requested.contains(r);
    regions
        .into_iter()
        .map(|(region, discovered_trails)| RegionState {
            in_scope: in_scope(&region) && account_regions.contains(&region),
            discovered_trails,
            applicable_trails: vec![],
            region,
        })
        .collect()
}
