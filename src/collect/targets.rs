//! Which accounts to collect, with whose credentials: the caller alone, or the selected
//! accounts of its organization (members through AssumeRole).

use aws_config::SdkConfig;
use aws_sdk_organizations::types::Organization as SdkOrganization;
use tokio::sync::watch;

use super::account::{self, Identity};
use super::clients::Clients;
use super::ctx::Ctx;
use super::error::CollectFailure;
use super::org::{self, ListedAccount, OrgOptions};
use crate::inventory::{AccountId, Collected, Organization, OrganizationAccount, OrganizationScan};

/// An account to collect, with its credentials.
pub struct Target {
    /// The account.
    pub account_id: AccountId,
    /// Its clients, under the shared budget.
    pub ctx: Ctx,
    /// Known already for the caller's own account.
    pub identity: Option<Identity>,
    /// Known already for every account of an organization scan.
    pub organization: Option<Collected<Option<Organization>>>,
    /// Set once a member account's role has been assumed.
    pub assumed: Option<watch::Receiver<bool>>,
}

impl Target {
    /// The caller's own account, already identified.
    pub fn caller(ctx: &Ctx, caller: &Identity) -> Self {
        Target {
            account_id: caller.account_id.clone(),
            ctx: ctx.clone(),
            identity: Some(caller.clone()),
            organization: None,
            assumed: None,
        }
    }
}

/// The organization's listing, checked, and a target per selected account.
pub async fn org_targets(
    base: &SdkConfig,
    caller_ctx: &Ctx,
    caller: &Identity,
    org_opts: &OrgOptions,
    described: Collected<Option<SdkOrganization>>,
    listed: Result<Vec<ListedAccount>, String>,
) -> Result<(Vec<Target>, OrganizationScan), CollectFailure> {
    // Every listed account is a member of this one organization: its description, seen from
    // each account, is derived here instead of asking DescribeOrganization once per member.
    let seen_from = |me: &AccountId| {
        described
            .clone()
            .map(|o| o.and_then(|o| account::organization_from(&o, me)))
    };
    let organization = caller_organization(seen_from(&caller.account_id), caller)?;
    let listed = listed.map_err(CollectFailure::Organization)?;
    let selected = org::select(&listed, org_opts).map_err(CollectFailure::Identity)?;
    let mut targets = Vec::new();
    for (account, in_scope) in listed.iter().zip(&selected) {
        if !in_scope {
            continue;
        }
        let mut target = if account.id == caller.account_id {
            Target::caller(caller_ctx, caller)
        } else {
            member(base, caller_ctx, caller, org_opts, &account.id).await
        };
        target.organization = Some(seen_from(&account.id));
        targets.push(target);
    }
    Ok((targets, scan(&organization, caller, &listed, &selected)))
}

/// The caller's organization; an error when it has none or it cannot be described.
fn caller_organization(
    view: Collected<Option<Organization>>,
    caller: &Identity,
) -> Result<Organization, CollectFailure> {
    match view {
        Collected::Ok(Some(org)) => Ok(org),
        Collected::Ok(None) => Err(CollectFailure::Organization(format!(
            "account {} is not in an organization",
            caller.account_id
        ))),
        Collected::Failed { error } => Err(CollectFailure::Organization(error.to_string())),
    }
}

/// A member account, reached by assuming its role (when its first call needs credentials).
async fn member(
    base: &SdkConfig,
    caller_ctx: &Ctx,
    caller: &Identity,
    org_opts: &OrgOptions,
    id: &AccountId,
) -> Target {
    let role = org::role_arn(org_opts, caller.partition.as_str(), id);
    let (config, assumed) = org::member_config(base, &role, org_opts.external_id.as_deref()).await;
    Target {
        account_id: id.clone(),
        ctx: caller_ctx.with_clients(Clients::new(config)),
        identity: None,
        organization: None,
        assumed: Some(assumed),
    }
}

/// The organization as the inventory records it: every listed account, in scope or not.
fn scan(
    organization: &Organization,
    caller: &Identity,
    listed: &[ListedAccount],
    selected: &[bool],
) -> OrganizationScan {
    OrganizationScan {
        id: organization.id.clone(),
        management_account_id: organization.management_account_id.clone(),
        scanned_from: caller.account_id.clone(),
        accounts: listed
            .iter()
            .zip(selected)
            .map(|(a, in_scope)| OrganizationAccount {
                account_id: a.id.clone(),
                name: a.name.clone(),
                in_scope: *in_scope,
                error: None,
            })
            .collect(),
    }
}
