//! Findings for what discovery could not see (CHECKS.md §2.12: fail closed).
//!
//! A trail that exists but could not be described has no subject of its own, nor do its bucket
//! and key: without these findings every verdict about them would vanish and a gate could pass
//! on what nobody read. So each gap gives every trail-, bucket- and key-scope rule an ERROR
//! naming the failed call, and — when the enabled regions are unknown and no `--region` narrowed
//! the scan — every region-scope rule an ERROR for the opt-in regions that could not be listed.
//!
//! Account-, region- and organization-scope rules judge lists that are then marked partly read
//! (see `subjects`), so a rule that finds a passing trail elsewhere still passes, and one that
//! needs every trail is ERROR: the three-valued quantifiers decide it per rule.

use super::judge::{Verdict, error_evidence, to_finding};
use crate::finding::{Evidence, Finding, Resource};
use crate::inventory::{Account, CollectError, Inventory, TrailGap};
use crate::rules::Rule;
use crate::vocabulary::{ResourceType, Scope, Status};

/// The resource id of the opt-in regions that could not be listed.
pub const UNLISTED_REGIONS: &str = "opt-in-regions";

/// ERROR (or NOT_APPLICABLE) findings for an account's discovery gaps, for the rules of one
/// scope.
pub fn gap_findings(
    scope: Scope,
    rules: &[&Rule],
    inventory: &Inventory,
    account: &Account,
    gaps: &[TrailGap],
) -> Vec<Finding> {
    let mut out = Vec::new();
    match scope {
        Scope::Trail | Scope::Bucket | Scope::Key => {
            for gap in gaps {
                let (resource, verdict) = gap_verdict(scope, account, gap);
                out.extend(
                    rules
                        .iter()
                        .map(|r| to_finding(r, &resource, verdict.clone())),
                );
            }
        }
        Scope::Region => {
            out.extend(disabled_requested_regions(rules, inventory, account));
            if let Some(error) = account.enabled_regions.error()
                && inventory.collection.requested_regions.is_empty()
            {
                let resource = account_resource(account, ResourceType::Region, UNLISTED_REGIONS);
                let verdict = unknown(
                    "regions",
                    error,
                    format!("the opt-in regions: the enabled regions could not be read: {error}"),
                );
                out.extend(
                    rules
                        .iter()
                        .map(|r| to_finding(r, &resource, verdict.clone())),
                );
            }
        }
        Scope::Account | Scope::Organization => {}
    }
    out
}

/// A region asked for with `--region` that is not enabled in this account (an organization's
/// members may differ) is judged NOT_APPLICABLE, not left out.
fn disabled_requested_regions(
    rules: &[&Rule],
    inventory: &Inventory,
    account: &Account,
) -> Vec<Finding> {
    let Some(enabled) = account.enabled_regions.ok() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for region in &inventory.collection.requested_regions {
        if enabled.contains(region) {
            continue;
        }
        let mut resource = account_resource(account, ResourceType::Region, region.as_str());
        resource.region = Some(region.to_string());
        let text = format!("{region} is not enabled in account {}", account.account_id);
        let verdict = Verdict {
            status: Status::NotApplicable,
            message: format!("not applicable: {text}"),
            evidence: vec![Evidence::Note { text }],
        };
        out.extend(
            rules
                .iter()
                .map(|r| to_finding(r, &resource, verdict.clone())),
        );
    }
    out
}

/// What one gap means for a rule of a trail, bucket or key scope.
fn gap_verdict(scope: Scope, account: &Account, gap: &TrailGap) -> (Resource, Verdict) {
    let subject = gap.subject();
    let plural = !matches!(gap, TrailGap::Trail { .. });
    let what = match (scope, plural) {
        (Scope::Trail, _) => subject,
        (Scope::Bucket, false) => format!("the bucket of {subject}"),
        (Scope::Bucket, true) => format!("the buckets of {subject}"),
        (_, false) => format!("the KMS key of {subject}"),
        (_, true) => format!("the KMS keys of {subject}"),
    };
    let why = format!("{what}: {}", gap.describe());
    match gap {
        TrailGap::Trail {
            arn, home_region, ..
        } => {
            let mut resource = account_resource(account, ResourceType::Trail, arn.as_str());
            resource.region = Some(home_region.to_string());
            resource.arn = Some(arn.to_string());
            let owner = arn.account().filter(|o| *o != account.account_id.as_str());
            let verdict = match owner {
                // Like a described organization trail seen from a member (CHECKS.md §2.4).
                Some(owner) => Verdict {
                    status: Status::NotApplicable,
                    message: format!(
                        "not applicable: {what} is owned by {owner}; evaluated in the owner account"
                    ),
                    evidence: vec![Evidence::Note { text: why }],
                },
                None => unknown("trails", gap.error(), why),
            };
            (resource, verdict)
        }
        TrailGap::Region { region, .. } => {
            let mut resource = account_resource(account, ResourceType::Region, region.as_str());
            resource.region = Some(region.to_string());
            (resource, unknown("trails", gap.error(), why))
        }
        TrailGap::UnlistedRegions { .. } => {
            let resource = account_resource(account, ResourceType::Region, UNLISTED_REGIONS);
            (resource, unknown("trails", gap.error(), why))
        }
    }
}

/// An ERROR verdict for data a failed read kept from view.
fn unknown(path: &str, error: &CollectError, why: String) -> Verdict {
    Verdict {
        status: Status::Error,
        message: format!("could not evaluate {why}"),
        evidence: vec![error_evidence(path, error), Evidence::Note { text: why }],
    }
}

fn account_resource(account: &Account, resource_type: ResourceType, id: &str) -> Resource {
    Resource {
        account_id: account.account_id.to_string(),
        region: None,
        resource_type,
        id: id.to_owned(),
        arn: None,
        partition: account.partition.to_string(),
    }
}
