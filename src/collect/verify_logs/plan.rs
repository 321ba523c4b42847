//! Which chains to verify, worked out from the collected inventory (pure): the trails with log
//! file validation (or the ones `--trail` names), the source regions in scope, and for an
//! organization trail the member accounts whose digests it writes. What could not be read
//! becomes an error item here, so a trail that could not be seen never silently passes.

use std::collections::BTreeMap;

use time::OffsetDateTime;

use super::super::error::CollectFailure;
use super::request::VerifyRequest;
use crate::inventory::{Account, AccountId, Collected, Inventory, Trail};
use crate::verify::{ItemKind, ReportItem, Status};

/// One trail to verify and where its chains are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrailPlan {
    /// The trail's ARN.
    pub arn: String,
    /// Its name (as it appears in digest file names).
    pub name: String,
    /// Its home region (as it appears in digest file names).
    pub home_region: String,
    /// The audited account the trail was read from (its credentials list the public keys).
    pub seen_from: AccountId,
    /// The bucket it delivers to.
    pub bucket: String,
    /// Its S3 key prefix, if any.
    pub prefix: Option<String>,
    /// The organization id, for an organization trail (digests under `AWSLogs/<org-id>/`).
    pub org_id: Option<String>,
    /// The source regions in scope.
    pub regions: Vec<String>,
    /// The accounts whose chains are verified whether or not their folder exists.
    pub accounts: Vec<String>,
    /// An organization trail: also verify every member folder found in the bucket.
    pub discover_members: bool,
    /// `LatestDigestDeliveryTime`, or why it is unknown.
    pub latest_delivery: Result<Option<OffsetDateTime>, String>,
}

impl TrailPlan {
    /// The key prefix of one account's digests in one source region.
    pub fn digest_prefix(&self, account: &str, region: &str) -> String {
        format!(
            "{}{account}/CloudTrail-Digest/{region}/",
            self.accounts_prefix()
        )
    }

    /// Where the account folders are: `[prefix/]AWSLogs/[org-id/]`.
    pub fn accounts_prefix(&self) -> String {
        let mut out = String::new();
        if let Some(p) = self.prefix.as_deref().filter(|p| !p.is_empty()) {
            out.push_str(p.trim_end_matches('/'));
            out.push('/');
        }
        out.push_str("AWSLogs/");
        if let Some(org) = &self.org_id {
            out.push_str(org);
            out.push('/');
        }
        out
    }

    /// How the file names of this trail's digests for `account` and `region` begin
    /// (`<account>_CloudTrail-Digest_<region>_<trail>_<home>_`), as the AWS CLI matches them.
    pub fn file_stem(&self, account: &str, region: &str) -> String {
        format!(
            "{account}_CloudTrail-Digest_{region}_{}_{}_",
            self.name, self.home_region
        )
    }
}

/// The trails to verify, and what could not be read.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The trails.
    pub trails: Vec<TrailPlan>,
    /// Accounts and regions whose trails could not be read.
    pub errors: Vec<ReportItem>,
}

/// Works out the plan. Fails (exit 2) when a `--trail` names no trail or one without log file
/// validation.
pub fn plan(inventory: &Inventory, request: &VerifyRequest) -> Result<Plan, CollectFailure> {
    let mut errors = unread_accounts(inventory);
    let audited: Vec<&AccountId> = inventory.accounts.iter().map(|a| &a.account_id).collect();
    // One entry per trail ARN, the owner's copy first: an organization trail appears in every
    // member account too.
    let mut trails: BTreeMap<&str, (&Trail, &Account)> = BTreeMap::new();
    for account in &inventory.accounts {
        errors.extend(undiscovered_regions(account));
        for trail in &account.trails {
            let entry = trails.entry(trail.arn.as_str()).or_insert((trail, account));
            if trail.owned_by_audited_account && !entry.0.owned_by_audited_account {
                *entry = (trail, account);
            }
        }
    }
    let chosen = choose(&trails, &request.trails)?;
    let known_members = organization_members(inventory);
    let mut plans = Vec::new();
    for (trail, account) in chosen {
        // A member's view of an organization trail whose owner is audited too adds nothing.
        let owner_audited = audited.contains(&&trail.owner_account);
        if !trail.owned_by_audited_account && owner_audited {
            continue;
        }
        match trail_plan(trail, account, &known_members) {
            Ok(plan) => plans.push(plan),
            Err(error) => errors.push(*error),
        }
    }
    Ok(Plan {
        trails: plans,
        errors,
    })
}

/// The trails `--trail` names (by ARN or name), or every trail with log file validation.
fn choose<'a>(
    trails: &BTreeMap<&str, (&'a Trail, &'a Account)>,
    named: &[String],
) -> Result<Vec<(&'a Trail, &'a Account)>, CollectFailure> {
    if named.is_empty() {
        return Ok(trails
            .values()
            .filter(|(t, _)| t.log_file_validation_enabled)
            .copied()
            .collect());
    }
    let mut chosen = Vec::new();
    for wanted in named {
        let found: Vec<_> = trails
            .values()
            .filter(|(t, _)| t.arn.as_str() == wanted || t.name == *wanted)
            .copied()
            .collect();
        if found.is_empty() {
            let known: Vec<&str> = trails.values().map(|(t, _)| t.arn.as_str()).collect();
            return Err(CollectFailure::NoSuchTrail {
                trail: wanted.clone(),
                known: if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                },
            });
        }
        if let Some((t, _)) = found.iter().find(|(t, _)| !t.log_file_validation_enabled) {
            return Err(CollectFailure::ValidationDisabled {
                trail: t.arn.to_string(),
            });
        }
        for pair in found {
            if !chosen
                .iter()
                .any(|(t, _): &(&Trail, _)| t.arn == pair.0.arn)
            {
                chosen.push(pair);
            }
        }
    }
    Ok(chosen)
}

fn trail_plan(
    trail: &Trail,
    account: &Account,
    known_members: &[String],
) -> Result<TrailPlan, Box<ReportItem>> {
    let unreadable = |why: String| {
        Box::new(error_item(
            account.account_id.as_str(),
            trail.arn.as_str(),
            why,
        ))
    };
    let Some(bucket) = trail.s3_bucket_name.clone().filter(|b| !b.is_empty()) else {
        return Err(unreadable("the trail names no S3 bucket".to_owned()));
    };
    let in_scope = |r: &&crate::inventory::Region| {
        account
            .regions
            .iter()
            .any(|s| s.region == **r && s.in_scope)
    };
    let org_id = match (trail.is_organization_trail, &account.organization) {
        (false, _) => None,
        (true, Collected::Ok(Some(org))) => Some(org.id.clone()),
        (true, Collected::Ok(None)) => {
            return Err(unreadable(
                "an organization trail, but the account is in no organization".to_owned(),
            ));
        }
        (true, Collected::Failed { error }) => {
            return Err(unreadable(format!(
                "an organization trail whose organization could not be read, so its digest \
                 folder is unknown ({error})"
            )));
        }
    };
    let (accounts, discover_members) = match (&org_id, trail.owned_by_audited_account) {
        (Some(_), true) => (known_members.to_vec(), true),
        // A member account audited alone sees the organization trail: its own chain only.
        _ => (vec![account.account_id.to_string()], false),
    };
    Ok(TrailPlan {
        arn: trail.arn.to_string(),
        name: trail.name.clone(),
        home_region: trail.home_region.to_string(),
        seen_from: account.account_id.clone(),
        bucket,
        prefix: trail.s3_key_prefix.clone(),
        org_id,
        regions: trail
            .applies_to_regions
            .iter()
            .filter(in_scope)
            .map(ToString::to_string)
            .collect(),
        accounts,
        discover_members,
        latest_delivery: match &trail.status {
            Collected::Ok(status) => Ok(status.latest_digest_delivery_time.map(|t| t.0)),
            Collected::Failed { error } => Err(error.to_string()),
        },
    })
}

/// With `--org`: the accounts of the organization in scope (their chains must exist).
fn organization_members(inventory: &Inventory) -> Vec<String> {
    inventory
        .organization
        .iter()
        .flat_map(|o| &o.accounts)
        .filter(|a| a.in_scope)
        .map(|a| a.account_id.to_string())
        .collect()
}

/// Organization accounts that could not be collected: their trails are unknown.
fn unread_accounts(inventory: &Inventory) -> Vec<ReportItem> {
    inventory
        .organization
        .iter()
        .flat_map(|o| &o.accounts)
        .filter(|a| a.in_scope)
        .filter_map(|a| {
            let error = a.error.as_ref()?;
            Some(error_item(
                a.account_id.as_str(),
                "",
                format!("the account could not be read, so its trails are not verified ({error})"),
            ))
        })
        .collect()
}

/// In-scope regions whose trails could not be discovered.
fn undiscovered_regions(account: &Account) -> Vec<ReportItem> {
    account
        .regions
        .iter()
        .filter(|s| s.in_scope)
        .filter_map(|s| match &s.discovered_trails {
            Collected::Failed { error } => {
                let mut item = error_item(
                    account.account_id.as_str(),
                    "",
                    format!("the trails of this region could not be read ({error})"),
                );
                item.region = s.region.to_string();
                Some(item)
            }
            Collected::Ok(_) => None,
        })
        .collect()
}

/// An error item about an account, trail or chain that could not be read.
pub fn error_item(account: &str, trail_arn: &str, reason: String) -> ReportItem {
    ReportItem {
        kind: ItemKind::Chain,
        account_id: account.to_owned(),
        trail_arn: trail_arn.to_owned(),
        region: String::new(),
        bucket: String::new(),
        key: String::new(),
        status: Status::Error,
        reason,
        start: None,
        end: None,
        backfill: false,
    }
}
