//! Trails: discovery across the account, then each trail's details read once in its home region.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use aws_sdk_cloudtrail::primitives::DateTime;
use aws_sdk_cloudtrail::types as ct;
use aws_sdk_s3::error::ProvideErrorMetadata;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::clients::Clients;
use super::ctx::Ctx;
use super::error::collect_error;
use crate::inventory::{
    AccountId, AdvancedSelector, Arn, ClassicSelector, CollectError, Collected, DataResource,
    ErrorKind, EventSelectors, FieldSelector, ListedTrail, Partition, ReadWriteType, Region,
    Timestamp, Trail, TrailStatus,
};

/// `DescribeTrails` in one region (shadow copies included): every trail it shows, or with
/// `arns` only those trails (by ARN a trail is described from any region, an organization
/// trail's included). Only the named trails are kept, so each trail comes from one answer
/// however much an endpoint returns.
pub async fn discover(ctx: &Ctx, region: &Region, arns: &[String]) -> Collected<Vec<ct::Trail>> {
    let _permit = ctx.permit().await;
    match ctx
        .clients
        .cloudtrail()
        .describe_trails()
        .set_trail_name_list((!arns.is_empty()).then(|| arns.to_vec()))
        .include_shadow_trails(true)
        .customize()
        .config_override(Clients::cloudtrail_in(region.as_str()))
        .send()
        .await
    {
        Ok(out) => Collected::Ok(
            out.trail_list()
                .iter()
                .filter(|t| {
                    arns.is_empty() || t.trail_arn().is_some_and(|a| arns.iter().any(|x| x == a))
                })
                .cloned()
                .collect(),
        ),
        Err(e) => Collected::failed(collect_error("cloudtrail:DescribeTrails", &e)),
    }
}

/// One `DescribeTrails` answer: the region asked and the trails it returned.
pub type Described = (Region, Collected<Vec<ct::Trail>>);

/// A trail as `ListTrails` names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listed {
    /// Its ARN.
    pub arn: String,
    /// Its home region (from the answer, else from the ARN).
    pub home_region: Region,
}

impl Listed {
    /// The inventory's record of the listing.
    pub fn into_inventory(self) -> ListedTrail {
        ListedTrail {
            arn: Arn::from(self.arn),
            home_region: self.home_region,
        }
    }
}

/// The regions an account is judged in: every enabled region, even when the scope is narrower
/// (a multi-region trail homed outside the scope still covers it).
///
/// When the enabled regions could not be read, the scan does not shrink to one region: it
/// judges the partition's default regions (enabled in every account, see
/// [`Partition::default_regions`]), the regions asked for, the own region, and the home region
/// of every listed trail (a trail homed there proves the region enabled). Opt-in regions stay
/// unknown, and evaluation says so.
pub fn judged_regions(
    enabled: &Collected<Vec<Region>>,
    partition: &Partition,
    requested: &[Region],
    own: &Region,
    listed: Option<&[Listed]>,
) -> Vec<Region> {
    if let Collected::Ok(list) = enabled {
        return list.clone();
    }
    let assumed: BTreeSet<Region> = partition
        .default_regions()
        .iter()
        .map(|r| Region::from(*r))
        .chain(requested.iter().cloned())
        .chain([own.clone()])
        .chain(listed.into_iter().flatten().map(|t| t.home_region.clone()))
        .filter(|r| !r.as_str().is_empty())
        .collect();
    assumed.into_iter().collect()
}

/// `ListTrails`, every page, in the account's own region: every trail of the account with its
/// home region, whatever region it lives in.
pub async fn list(ctx: &Ctx) -> Collected<Vec<Listed>> {
    let client = ctx.clients.cloudtrail();
    let mut pages = client.list_trails().into_paginator().send();
    let mut out = Vec::new();
    loop {
        let page = {
            let _permit = ctx.permit().await;
            pages.next().await
        };
        let page = match page {
            None => return Collected::Ok(out),
            Some(Ok(page)) => page,
            Some(Err(e)) => return Collected::failed(collect_error("cloudtrail:ListTrails", &e)),
        };
        for t in page.trails() {
            let Some(arn) = t.trail_arn().filter(|a| !a.is_empty()) else {
                continue;
            };
            let from_arn = Arn::from(arn);
            let home = t
                .home_region()
                .filter(|h| !h.is_empty())
                .or_else(|| from_arn.region())
                .unwrap_or_default();
            out.push(Listed {
                arn: arn.to_owned(),
                home_region: Region::from(home),
            });
        }
    }
}

/// Finds every trail of an account with a handful of calls instead of one per region.
///
/// `ListTrails` (every trail of the account, with its home region) and `DescribeTrails` in the
/// account's own region (its trails there, plus a shadow of every multi-region trail, the
/// organization's included) go out together. Any listed trail that answer does not describe is
/// a single-region trail homed elsewhere: it is described by ARN in its home region, one call
/// per such region. Every answer is sent on `out` as it arrives, so details can start at once.
///
/// Returns the listing. When `ListTrails` fails (a policy without it), the caller falls back
/// to `DescribeTrails` in every enabled region; the own region's answer is already on `out`.
pub async fn discover_account(
    ctx: Ctx,
    out: mpsc::UnboundedSender<Described>,
) -> Collected<Vec<Listed>> {
    let own = Region::from(ctx.clients.home_region());
    let first = async {
        let found = discover(&ctx, &own, &[]).await;
        let arns: Option<BTreeSet<String>> = found.ok().map(|list| {
            list.iter()
                .filter_map(|t| t.trail_arn().map(str::to_owned))
                .collect()
        });
        // The receiver is gone only when the account's collection was abandoned.
        let _ = out.send((own.clone(), found));
        arns
    };
    let (described, listed) = tokio::join!(first, list(&ctx));
    let Collected::Ok(list) = &listed else {
        return listed;
    };
    // A trail homed in the own region that its answer missed is not asked about again: that
    // would be the same call twice. If that answer failed, the region is recorded as failed.
    let mut elsewhere: BTreeMap<Region, Vec<String>> = BTreeMap::new();
    for t in list {
        let known = described.as_ref().is_some_and(|d| d.contains(&t.arn));
        if !known && t.home_region != own && !t.home_region.as_str().is_empty() {
            let arns = elsewhere.entry(t.home_region.clone()).or_default();
            if !arns.contains(&t.arn) {
                arns.push(t.arn.clone());
            }
        }
    }
    let mut calls = JoinSet::new();
    for (region, arns) in elsewhere {
        let (ctx, out) = (ctx.clone(), out.clone());
        calls.spawn(async move {
            let found = discover(&ctx, &region, &arns).await;
            let _ = out.send((region, found));
        });
    }
    while let Some(done) = calls.join_next().await {
        if let Err(e) = done
            && e.is_panic()
        {
            std::panic::resume_unwind(e.into_panic());
        }
    }
    listed
}

/// What each region sees after a discovery based on `ListTrails`: the trails homed in it and
/// every multi-region trail, as `DescribeTrails` there would show them. The regions are the
/// account's and any other that answered. A region whose own answer failed is failed, and so
/// is every region when the own region's answer failed: it is the one that describes the
/// multi-region trails. A listed trail that no answer described (gone in between, or not
/// visible) fails its home region: a trail that could not be read must not let a rule pass.
pub fn regions_from_listing(
    account_regions: &[Region],
    own: &Region,
    answers: &[Described],
    listed: &[Listed],
    trails: &[Trail],
) -> Vec<(Region, Collected<Vec<Arn>>)> {
    let failure = |region: &Region| {
        answers
            .iter()
            .find(|(r, _)| r == region)
            .and_then(|(_, found)| found.error())
    };
    let own_failure = failure(own);
    let described: BTreeSet<&str> = trails.iter().map(|t| t.arn.as_str()).collect();
    let mut undescribed: BTreeMap<&Region, CollectError> = BTreeMap::new();
    for t in listed
        .iter()
        .filter(|t| !described.contains(t.arn.as_str()))
    {
        undescribed
            .entry(&t.home_region)
            .or_insert_with(|| CollectError {
                operation: "cloudtrail:DescribeTrails".to_owned(),
                kind: ErrorKind::NotFound,
                code: None,
                message: Some(format!(
                    "ListTrails names {} but DescribeTrails in {} did not describe it",
                    t.arn, t.home_region
                )),
                http_status: None,
            });
    }
    let regions: BTreeSet<&Region> = account_regions
        .iter()
        .chain(answers.iter().map(|(r, _)| r))
        .chain(undescribed.keys().copied())
        .collect();
    regions
        .into_iter()
        .map(|region| {
            let seen = match own_failure
                .or_else(|| failure(region))
                .or_else(|| undescribed.get(region))
            {
                Some(error) => Collected::failed(error.clone()),
                None => Collected::Ok(
                    trails
                        .iter()
                        .filter(|t| t.is_multi_region || &t.home_region == region)
                        .map(|t| t.arn.clone())
                        .collect(),
                ),
            };
            (region.clone(), seen)
        })
        .collect()
}

/// A trail as discovered, before its details are read.
pub struct Discovered {
    /// The description from `DescribeTrails` (the same in every region).
    pub description: ct::Trail,
    /// The regions that returned it.
    pub seen_from: Vec<Region>,
}

/// Deduplicates discovered trails by ARN across regions.
pub fn dedupe(per_region: &[(Region, Collected<Vec<ct::Trail>>)]) -> BTreeMap<String, Discovered> {
    let mut out: BTreeMap<String, Discovered> = BTreeMap::new();
    for (region, found) in per_region {
        for trail in found.ok().into_iter().flatten() {
            let Some(arn) = trail.trail_arn() else {
                continue;
            };
            out.entry(arn.to_owned())
                .or_insert_with(|| Discovered {
                    description: trail.clone(),
                    seen_from: vec![],
                })
                .seen_from
                .push(region.clone());
        }
    }
    out
}

/// Reads a trail's status, selectors, insights and tags in its home region, concurrently.
/// `seen_from_regions` is left empty: only the caller knows when every region has answered.
pub async fn details(ctx: Arc<Ctx>, me: AccountId, description: ct::Trail) -> Trail {
    let arn = description.trail_arn().unwrap_or_default().to_owned();
    let arn_typed = Arn::from(arn.as_str());
    let home = description
        .home_region()
        .map(str::to_owned)
        .or_else(|| arn_typed.region().map(str::to_owned))
        .unwrap_or_else(|| ctx.clients.home_region());
    let client = ctx.clients.cloudtrail();
    let reads = DetailReads {
        ctx: &ctx,
        client: &client,
        arn: &arn,
        home: &home,
    };
    let (status, event_selectors, insight_selectors, tags) = tokio::join!(
        reads.status(),
        reads.selectors(),
        reads.insights(),
        reads.tags()
    );

    let mut trail = trail_from(&description, &me, Region::from(home));
    trail.status = status;
    trail.event_selectors = event_selectors;
    trail.insight_selectors = insight_selectors;
    trail.tags = tags;
    trail
}

/// One trail's detail reads, each sent to the trail's home region.
struct DetailReads<'a> {
    ctx: &'a Ctx,
    client: &'a aws_sdk_cloudtrail::Client,
    arn: &'a str,
    home: &'a str,
}

impl DetailReads<'_> {
    /// The per-call override that sends a call to the trail's home region.
    fn region(&self) -> aws_sdk_cloudtrail::config::Builder {
        Clients::cloudtrail_in(self.home)
    }

    /// `cloudtrail:GetTrailStatus`.
    async fn status(&self) -> Collected<TrailStatus> {
        let _p = self.ctx.permit().await;
        match self
            .client
            .get_trail_status()
            .name(self.arn)
            .customize()
            .config_override(self.region())
            .send()
            .await
        {
            Ok(out) => Collected::Ok(status_from(&out)),
            Err(e) => Collected::failed(collect_error("cloudtrail:GetTrailStatus", &e)),
        }
    }

    /// `cloudtrail:GetEventSelectors`.
    async fn selectors(&self) -> Collected<EventSelectors> {
        let _p = self.ctx.permit().await;
        match self
            .client
            .get_event_selectors()
            .trail_name(self.arn)
            .customize()
            .config_override(self.region())
            .send()
            .await
        {
            Ok(out) => Collected::Ok(selectors_from(
                out.event_selectors(),
                out.advanced_event_selectors(),
            )),
            Err(e) => Collected::failed(collect_error("cloudtrail:GetEventSelectors", &e)),
        }
    }

    /// `cloudtrail:GetInsightSelectors`.
    async fn insights(&self) -> Collected<Vec<String>> {
        let _p = self.ctx.permit().await;
        match self
            .client
            .get_insight_selectors()
            .trail_name(self.arn)
            .customize()
            .config_override(self.region())
            .send()
            .await
        {
            Ok(out) => Collected::Ok(insights_from(out.insight_selectors())),
            // AWS answers this for a trail without Insights: a fact, not a failure.
            Err(e) if e.code() == Some("InsightNotEnabledException") => Collected::Ok(vec![]),
            Err(e) => Collected::failed(collect_error("cloudtrail:GetInsightSelectors", &e)),
        }
    }

    /// `cloudtrail:ListTags`.
    async fn tags(&self) -> Collected<BTreeMap<String, String>> {
        let _p = self.ctx.permit().await;
        match self
            .client
            .list_tags()
            .resource_id_list(self.arn)
            .customize()
            .config_override(self.region())
            .send()
            .await
        {
            Ok(out) => Collected::Ok(tags_from(out.resource_tag_list(), self.arn)),
            Err(e) => Collected::failed(collect_error("cloudtrail:ListTags", &e)),
        }
    }
}

/// Converts a `DescribeTrails` entry. Details (status, selectors, …) start empty and are
/// filled by [`details`].
pub fn trail_from(t: &ct::Trail, me: &AccountId, home_region: Region) -> Trail {
    let arn = Arn::from(t.trail_arn().unwrap_or_default());
    let owner = AccountId::from(arn.account().unwrap_or(me.as_str()));
    let text = |s: Option<&str>| s.filter(|s| !s.is_empty()).map(str::to_owned);
    Trail {
        name: t.name().unwrap_or_default().to_owned(),
        owned_by_audited_account: &owner == me,
        owner_account: owner,
        arn,
        home_region,
        is_multi_region: t.is_multi_region_trail().unwrap_or(false),
        is_organization_trail: t.is_organization_trail().unwrap_or(false),
        include_global_service_events: t.include_global_service_events().unwrap_or(false),
        log_file_validation_enabled: t.log_file_validation_enabled().unwrap_or(false),
        kms_key_id: text(t.kms_key_id()),
        cloudwatch_logs_log_group_arn: text(t.cloud_watch_logs_log_group_arn()),
        cloudwatch_logs_role_arn: text(t.cloud_watch_logs_role_arn()),
        sns_topic_arn: text(t.sns_topic_arn()),
        s3_bucket_name: text(t.s3_bucket_name()),
        s3_key_prefix: text(t.s3_key_prefix()),
        seen_from_regions: vec![],
        applies_to_regions: vec![],
        tags: Collected::Ok(BTreeMap::new()),
        status: Collected::Ok(TrailStatus::default()),
        event_selectors: Collected::Ok(EventSelectors::from_raw(vec![], vec![])),
        insight_selectors: Collected::Ok(vec![]),
    }
}

fn ts(dt: Option<&DateTime>) -> Option<Timestamp> {
    dt.and_then(|d| Timestamp::from_unix_seconds(d.secs()))
}

/// Converts `GetTrailStatus`. Empty strings (as some endpoints send) are read as absent.
pub fn status_from(
    s: &aws_sdk_cloudtrail::operation::get_trail_status::GetTrailStatusOutput,
) -> TrailStatus {
    let text = |v: Option<&str>| v.filter(|v| !v.is_empty()).map(str::to_owned);
    TrailStatus {
        is_logging: s.is_logging().unwrap_or(false),
        latest_delivery_error: text(s.latest_delivery_error()),
        latest_delivery_time: ts(s.latest_delivery_time()),
        latest_digest_delivery_error: text(s.latest_digest_delivery_error()),
        latest_digest_delivery_time: ts(s.latest_digest_delivery_time()),
        latest_cloudwatch_logs_delivery_error: text(s.latest_cloud_watch_logs_delivery_error()),
        latest_cloudwatch_logs_delivery_time: ts(s.latest_cloud_watch_logs_delivery_time()),
        latest_notification_error: text(s.latest_notification_error()),
        start_logging_time: ts(s.start_logging_time()),
        stop_logging_time: ts(s.stop_logging_time()),
    }
}

/// Converts `GetEventSelectors` into the normalised model, keeping the raw selectors.
pub fn selectors_from(
    classic: &[ct::EventSelector],
    advanced: &[ct::AdvancedEventSelector],
) -> EventSelectors {
    let classic = classic
        .iter()
        .map(|s| ClassicSelector {
            read_write_type: match s.read_write_type() {
                Some(ct::ReadWriteType::ReadOnly) => ReadWriteType::ReadOnly,
                Some(ct::ReadWriteType::WriteOnly) => ReadWriteType::WriteOnly,
                // `All` is AWS's documented default.
                _ => ReadWriteType::All,
            },
            include_management_events: s.include_management_events().unwrap_or(true),
            exclude_management_event_sources: s.exclude_management_event_sources().to_vec(),
            data_resources: s
                .data_resources()
                .iter()
                .map(|d| DataResource {
                    resource_type: d.r#type().unwrap_or_default().to_owned(),
                    values: d.values().to_vec(),
                })
                .collect(),
        })
        .collect();
    let advanced = advanced
        .iter()
        .map(|s| AdvancedSelector {
            name: s.name().map(str::to_owned),
            field_selectors: s
                .field_selectors()
                .iter()
                .map(|f| FieldSelector {
                    field: f.field().to_owned(),
                    equals: f.equals().to_vec(),
                    starts_with: f.starts_with().to_vec(),
                    ends_with: f.ends_with().to_vec(),
                    not_equals: f.not_equals().to_vec(),
                    not_starts_with: f.not_starts_with().to_vec(),
                    not_ends_with: f.not_ends_with().to_vec(),
                })
                .collect(),
        })
        .collect();
    EventSelectors::from_raw(classic, advanced)
}

/// Converts `GetInsightSelectors` into the sorted list of enabled insight types.
pub fn insights_from(selectors: &[ct::InsightSelector]) -> Vec<String> {
    let mut out: Vec<String> = selectors
        .iter()
        .filter_map(|s| s.insight_type().map(|t| t.as_str().to_owned()))
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Converts `ListTags` for one trail.
pub fn tags_from(list: &[ct::ResourceTag], arn: &str) -> BTreeMap<String, String> {
    list.iter()
        .filter(|r| r.resource_id().is_none_or(|id| id == arn))
        .flat_map(|r| r.tags_list())
        .map(|t| (t.key().to_owned(), t.value().unwrap_or_default().to_owned()))
        .collect()
}

#[cfg(test)]
#[path = "trails_tests.rs"]
mod tests;
