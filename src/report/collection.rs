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
    // Each account's JSON form is built and walked on its own: spread over the cores.
    let per_account = crate::parallel::map(&inventory.accounts, |account| {
        let mut found = Vec::new();
        if let Ok(value) = serde_json::to_value(account) {
            let mut path = String::new();
            walk(account.account_id.as_str(), &value, &mut path, &mut found);
        }
        found
    });
    out.extend(per_account.into_iter().flatten());
    out.sort_by(|a, b| (&a.account_id, &a.path).cmp(&(&b.account_id, &b.path)));
    out
}

/// Walks `value`, whose path is `path` (extended and restored in place, so a path is only
/// copied for an error found).
fn walk(
    account: &str,
    value: &serde_json::Value,
    path: &mut String,
    out: &mut Vec<CollectionError>,
) {
    use serde::Deserialize;
    use serde_json::Value;
    match value {
        Value::Object(map) => {
            if map.len() == 1
                && let Some(error) = map.get("error")
                && let Ok(e) = crate::inventory::CollectError::deserialize(error)
            {
                if e.kind == crate::inventory::ErrorKind::Skipped {
                    return;
                }
                out.push(CollectionError {
                    account_id: account.to_owned(),
                    path: path.clone(),
                    operation: e.operation,
                    kind: e.kind,
                    code: e.code,
                    message: e.message,
                });
                return;
            }
            for (key, child) in map {
                let len = path.len();
                if len > 0 {
                    path.push('.');
                }
                path.push_str(key);
                walk(account, child, path, out);
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push('[');
                match ["arn", "key_id", "name", "region"]
                    .iter()
                    .find_map(|k| item.get(*k).and_then(Value::as_str))
                {
                    Some(name) => path.push_str(name),
                    None => path.push_str(&i.to_string()),
                }
                path.push(']');
                walk(account, item, path, out);
                path.truncate(len);
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
