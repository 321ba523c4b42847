//! The collection errors of an inventory: every read that failed, wherever it sits.

use super::model::CollectionError;
use crate::inventory::Inventory;

/// Every failed read recorded in the inventory, sorted by account and path — including
/// organization accounts that could not be collected at all. Reads that were skipped because
/// an earlier answer made them meaningless (a deleted bucket's configuration) are not failures
/// and are left out.
///
/// Walks the inventory's JSON form, so a `Collected` field added to the inventory later is
/// found without a change here. List elements are named by their ARN, key id, name or region.
pub fn collection_errors(inventory: &Inventory) -> Vec<CollectionError> {
    let mut out = Vec::new();
    for account in inventory.organization.iter().flat_map(|o| &o.accounts) {
        if let Some(e) = &account.error {
            out.push(CollectionError {
                account_id: account.account_id.to_string(),
                path: "account".to_owned(),
                operation: e.operation.clone(),
                kind: e.kind,
                code: e.code.clone(),
                message: e.message.clone(),
            });
        }
    }
    for account in &inventory.accounts {
        let Ok(value) = serde_json::to_value(account) else {
            continue;
        };
        walk(account.account_id.as_str(), &value, String::new(), &mut out);
    }
    out.sort_by(|a, b| (&a.account_id, &a.path).cmp(&(&b.account_id, &b.path)));
    out
}

fn walk(account: &str, value: &serde_json::Value, path: String, out: &mut Vec<CollectionError>) {
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            if map.len() == 1
                && let Some(error) = map.get("error")
                && let Ok(e) =
                    serde_json::from_value::<crate::inventory::CollectError>(error.clone())
            {
                if e.kind == crate::inventory::ErrorKind::Skipped {
                    return;
                }
                out.push(CollectionError {
                    account_id: account.to_owned(),
                    path,
                    operation: e.operation,
                    kind: e.kind,
                    code: e.code,
                    message: e.message,
                });
                return;
            }
            for (key, child) in map {
                let child_path = if path.is_empty() {
                    key.clone()
                } else {
                    format!("{path}.{key}")
                };
                walk(account, child, child_path, out);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let name = ["arn", "key_id", "name", "region"]
                    .iter()
                    .find_map(|k| item.get(*k).and_then(Value::as_str))
                    .map_or_else(|| i.to_string(), str::to_owned);
                walk(account, item, format!("{path}[{name}]"), out);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::{
        AccountId, CollectError, ErrorKind, OrganizationAccount, OrganizationScan,
    };

    #[test]
    fn unreachable_accounts_count_and_skipped_reads_do_not() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/inventories/compliant.json"),
        )
        .expect("fixture");
        let mut inv = Inventory::from_json(&text, "compliant.json").expect("loads");
        assert!(collection_errors(&inv).is_empty());
        let skipped = CollectError {
            operation: "s3:*".into(),
            kind: ErrorKind::Skipped,
            code: None,
            message: Some("the bucket does not exist".into()),
            http_status: None,
        };
        inv.accounts[0].buckets[0].versioning = crate::inventory::Collected::failed(skipped);
        assert!(
            collection_errors(&inv).is_empty(),
            "a skipped read is not a failure"
        );
        inv.organization = Some(OrganizationScan {
            id: "o-1".into(),
            management_account_id: AccountId::from("111111111111"),
            scanned_from: AccountId::from("111111111111"),
            accounts: vec![OrganizationAccount {
                account_id: AccountId::from("999999999999"),
                name: "locked".into(),
                in_scope: true,
                error: Some(CollectError {
                    operation: "sts:GetCallerIdentity".into(),
                    kind: ErrorKind::AccessDenied,
                    code: None,
                    message: None,
                    http_status: None,
                }),
            }],
        });
        let errors = collection_errors(&inv);
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].account_id.as_str(), errors[0].path.as_str()),
            ("999999999999", "account")
        );
    }
}
