//! The collection errors of an inventory: every read that failed, wherever it sits.

use super::model::CollectionError;
use crate::inventory::Inventory;

/// Every failed read recorded in the inventory, sorted by account and path.
///
/// Walks the inventory's JSON form, so a `Collected` field added to the inventory later is
/// found without a change here. List elements are named by their ARN, key id, name or region.
pub fn collection_errors(inventory: &Inventory) -> Vec<CollectionError> {
    let mut out = Vec::new();
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
