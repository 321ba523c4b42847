//! The subjects each scope evaluates, built from real fixture inventories: joins are done,
//! partly read lists are marked, and every subject fits the schema-derived path table.

use serde_json::Value;
use trailguard::evaluate::subjects;
use trailguard::rules::{Scope, fields};

use crate::support::fixtures::inventory;

/// Every key of a subject is a field of the scope's type (the table and the data agree).
fn keys_fit(value: &Value, t: &fields::FieldType, at: &str) {
    match (value, &t.kind) {
        (Value::Object(map), fields::Kind::Object(f)) => {
            for (k, v) in map {
                match f.get(k) {
                    Some(ft) => keys_fit(v, ft, &format!("{at}.{k}")),
                    None => assert!(
                        k == "error" || k == "items",
                        "{at}.{k} is not in the path table"
                    ),
                }
            }
        }
        (Value::Array(items), fields::Kind::List(item)) => {
            for i in items {
                keys_fit(i, item, &format!("{at}[]"));
            }
        }
        _ => {}
    }
}

#[test]
fn every_subject_fits_the_path_table() {
    for name in [
        "compliant.json",
        "legacy.json",
        "org-member.json",
        "denied.json",
        "empty.json",
        "cross-account-bucket.json",
    ] {
        let inv = inventory(name);
        for account in &inv.accounts {
            for scope in Scope::ALL {
                for s in subjects(*scope, account) {
                    keys_fit(
                        &s.value,
                        fields::subject(*scope),
                        &format!("{name}:{scope}"),
                    );
                }
            }
        }
    }
}

#[test]
fn trails_carry_their_bucket_and_key() {
    let inv = inventory("compliant.json");
    let account = &inv.accounts[0];
    let trails = subjects(Scope::Trail, account);
    assert!(!trails.is_empty());
    for t in &trails {
        if t.value["s3_bucket_name"].is_string() {
            assert_eq!(
                t.value["bucket"]["name"], t.value["s3_bucket_name"],
                "{}",
                t.resource.id
            );
        }
        if t.value["kms_key_id"].is_string() {
            assert_eq!(
                t.value["kms_key"]["key_id"], t.value["kms_key_id"],
                "{}",
                t.resource.id
            );
        }
        assert_eq!(
            t.value["account"]["account_id"],
            Value::String(account.account_id.to_string())
        );
        assert_eq!(t.resource.resource_type, "AWS::CloudTrail::Trail");
        assert_eq!(t.resource.arn.as_deref(), Some(t.resource.id.as_str()));
    }
}

#[test]
fn regions_list_the_trails_that_apply_there() {
    let inv = inventory("compliant.json");
    let account = &inv.accounts[0];
    let regions = subjects(Scope::Region, account);
    let in_scope = account.regions.iter().filter(|r| r.in_scope).count();
    assert_eq!(regions.len(), in_scope);
    for r in &regions {
        let trails = r.value["trails"].as_array().expect("a complete list");
        let applicable = r.value["applicable_trails"].as_array().expect("arns");
        assert_eq!(trails.len(), applicable.len(), "{}", r.resource.id);
    }
}

#[test]
fn denied_discovery_marks_the_trail_lists_as_partly_read() {
    let inv = inventory("denied.json");
    let account = &inv.accounts[0];
    let subject = &subjects(Scope::Account, account)[0].value;
    assert!(
        subject["trails"]["items"].is_array(),
        "{}",
        subject["trails"]
    );
    assert!(subject["trails"]["error"]["operation"].is_string());
    for r in subjects(Scope::Region, account) {
        if account
            .regions
            .iter()
            .any(|s| s.region.as_str() == r.resource.id && s.discovered_trails.error().is_some())
        {
            assert!(r.value["trails"]["error"].is_object(), "{}", r.resource.id);
        }
    }
}
