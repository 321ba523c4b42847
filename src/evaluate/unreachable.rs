//! Organization accounts that could not be collected (role not assumable, every call denied):
//! every rule of every per-account scope is ERROR for them, naming the cause, so a gate never
//! passes an account nobody could read and none of its verdicts silently vanishes.

use super::judge::{Verdict, error_evidence, to_finding};
use crate::finding::{Finding, Resource};
use crate::inventory::Inventory;
use crate::rules::RuleSet;
use crate::vocabulary::{ResourceType, Scope, Status};

/// ERROR findings for each in-scope organization account that could not be collected: one per
/// rule of the account, region, trail, bucket and key scopes, about the account. (The
/// organization's own subject lists these accounts with their errors.)
pub fn unreachable_accounts(rules: &RuleSet, inventory: &Inventory) -> Vec<Finding> {
    let Some(org) = &inventory.organization else {
        return Vec::new();
    };
    let partition = inventory
        .accounts
        .first()
        .map_or_else(|| "aws".to_owned(), |a| a.partition.to_string());
    let mut out = Vec::new();
    for account in org.accounts.iter().filter(|a| a.in_scope) {
        let Some(error) = &account.error else {
            continue;
        };
        let id = account.account_id.to_string();
        let resource = Resource {
            account_id: id.clone(),
            region: None,
            resource_type: ResourceType::Account,
            id,
            arn: None,
            partition: partition.clone(),
        };
        let verdict = Verdict {
            status: Status::Error,
            message: format!("the account could not be collected: {error}"),
            evidence: vec![error_evidence("account", error)],
        };
        for rule in rules.iter().filter(|r| r.scope != Scope::Organization) {
            out.push(to_finding(rule, &resource, verdict.clone()));
        }
    }
    out
}
