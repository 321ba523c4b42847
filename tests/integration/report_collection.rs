//! `report::collection_errors`: every failed read of an inventory, wherever it sits, named by
//! a readable path.

use crate::support::fixtures::inventory;

use trailguard::inventory::{Collected, ErrorKind, Inventory};
use trailguard::report::collection_errors;

fn listed(inv: &Inventory) -> Vec<String> {
    collection_errors(inv)
        .into_iter()
        .map(|e| format!("{} {} {} {:?}", e.account_id, e.path, e.operation, e.kind))
        .collect()
}

#[test]
fn a_compliant_inventory_has_none() {
    assert_eq!(listed(&inventory("compliant.json")), Vec::<String>::new());
}

#[test]
fn denied_reads_are_listed_by_path() {
    let errors = listed(&inventory("denied.json"));
    assert!(
        errors.contains(
            &"012345678901 organization organizations:DescribeOrganization AccessDenied".to_owned()
        ),
        "{errors:#?}"
    );
    assert!(
        errors
            .iter()
            .any(|e| e.contains(" regions[us-east-1].discovered_trails cloudtrail:DescribeTrails ")),
        "{errors:#?}"
    );
    let mut sorted = errors.clone();
    sorted.sort();
    assert_eq!(errors, sorted, "sorted by account and path");
}

#[test]
fn a_failed_read_anywhere_is_found() {
    let mut inv = inventory("legacy.json");
    let trail = inv.accounts[0].trails[0].arn.clone();
    let before = collection_errors(&inv).len();
    inv.accounts[0].trails[0].tags = Collected::failed(trailguard::inventory::CollectError {
        operation: "cloudtrail:ListTags".into(),
        kind: ErrorKind::Throttled,
        code: Some("ThrottlingException".into()),
        message: Some("Rate exceeded".into()),
        http_status: Some(400),
    });
    let after = collection_errors(&inv);
    assert_eq!(after.len(), before + 1);
    let e = after
        .iter()
        .find(|e| e.operation == "cloudtrail:ListTags")
        .expect("the new error");
    assert_eq!(e.path, format!("trails[{trail}].tags"));
    assert_eq!(e.kind, ErrorKind::Throttled);
    assert_eq!(e.code.as_deref(), Some("ThrottlingException"));
    assert_eq!(e.message.as_deref(), Some("Rate exceeded"));
}
