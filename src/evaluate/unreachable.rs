//! Organization accounts that could not be collected (role not assumable, every call denied):
//! every account-scope rule is ERROR for them, naming the cause, so a gate never passes an
//! account nobody could read.

use crate::finding::{self, Evidence, Finding, Resource, Status};
use crate::inventory::Inventory;
use crate::rules::{RuleSet, Scope};

/// ERROR findings for each in-scope organization account that could not be collected.
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
        for rule in rules.iter().filter(|r| r.scope == Scope::Account) {
            let id = account.account_id.to_string();
            out.push(Finding {
                fingerprint: finding::fingerprint(&rule.id, &id, None, &id),
                rule_id: rule.id.clone(),
                title: rule.title.clone(),
                severity: rule.severity,
                status: Status::Error,
                resource: Resource {
                    account_id: id.clone(),
                    region: None,
                    resource_type: "AWS::::Account".to_owned(),
                    id,
                    arn: None,
                    partition: partition.clone(),
                },
                message: format!("the account could not be collected: {error}"),
                evidence: vec![Evidence::ReadError {
                    path: "account".to_owned(),
                    operation: error.operation.clone(),
                    error_kind: serde_json::to_value(error.kind)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_owned))
                        .unwrap_or_default(),
                    code: error.code.clone(),
                    message: error.message.clone(),
                }],
            });
        }
    }
    out
}
