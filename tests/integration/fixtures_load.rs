//! Every hand-written inventory (test fixtures and the README example) must load with the real
//! model, so a change to the inventory types that breaks a fixture fails here, loudly, rather
//! than in a rule test far away.

use std::path::{Path, PathBuf};

use crate::support::fixtures::load_inventory;
use crate::support::repo_root;
use trailguard::inventory::{
    Account, Collected, ErrorKind, EventSelectors, Inventory, SelectorKind, Trail,
};

fn json_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("cannot list {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();
    files
}

fn only_account(inv: &Inventory) -> &Account {
    assert_eq!(inv.accounts.len(), 1, "fixture should hold one account");
    &inv.accounts[0]
}

fn only_trail(account: &Account) -> &Trail {
    assert_eq!(account.trails.len(), 1, "fixture should hold one trail");
    &account.trails[0]
}

fn selectors(trail: &Trail) -> &EventSelectors {
    trail
        .event_selectors
        .ok()
        .unwrap_or_else(|| panic!("{}: event selectors should be readable", trail.arn))
}

#[test]
fn every_fixture_and_example_loads_and_is_self_consistent() {
    let mut files = json_files(&repo_root().join("tests/fixtures/inventories"));
    files.extend(json_files(&repo_root().join("examples")));
    assert!(
        files.len() >= 7,
        "expected the six fixtures and the demo inventory, found {files:?}"
    );
    for path in files {
        let inv = Inventory::load(&path).unwrap_or_else(|e| panic!("{e}"));
        assert!(!inv.accounts.is_empty(), "{}: no accounts", path.display());
        // What we write we can read back unchanged.
        let again = Inventory::from_json(&inv.to_json(), "round-trip")
            .unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        assert_eq!(
            again,
            inv,
            "{}: round trip changed the inventory",
            path.display()
        );
        for account in &inv.accounts {
            assert_eq!(account.account_id.as_str().len(), 12, "{}", path.display());
            for trail in &account.trails {
                // The normalised coverage stored in the file must be what the model computes
                // from the raw selectors next to it; a hand edit of one without the other is a bug.
                if let Collected::Ok(sel) = &trail.event_selectors {
                    let recomputed =
                        EventSelectors::from_raw(sel.classic.clone(), sel.advanced.clone());
                    assert_eq!(
                        &recomputed,
                        sel,
                        "{}: {} stored coverage differs from the raw selectors",
                        path.display(),
                        trail.arn
                    );
                }
                assert_eq!(
                    trail.arn.account(),
                    Some(trail.owner_account.as_str()),
                    "{}: owner_account must match the trail ARN",
                    path.display()
                );
                assert_eq!(
                    trail.owned_by_audited_account,
                    trail.owner_account == account.account_id,
                    "{}: owned_by_audited_account",
                    path.display()
                );
            }
        }
    }
}

#[test]
fn compliant_account_is_configured_right() {
    let inv = load_inventory("tests/fixtures/inventories/compliant.json");
    let acct = only_account(&inv);
    assert_eq!(acct.enabled_regions.ok().map(Vec::len), Some(3));
    let trail = only_trail(acct);
    assert!(trail.is_multi_region && trail.log_file_validation_enabled);
    assert!(trail.status.ok().is_some_and(|s| s.is_logging));
    assert_eq!(trail.applies_to_regions.len(), 3);
    let sel = selectors(trail);
    assert_eq!(sel.kind, SelectorKind::Classic);
    assert!(sel.management.complete_in_one_selector);
    assert!(sel.management.excluded_sources.is_empty());
    for ty in ["AWS::S3::Object", "AWS::Lambda::Function"] {
        let d = sel
            .data
            .iter()
            .find(|d| d.resource_type == ty)
            .unwrap_or_else(|| panic!("no {ty} coverage"));
        assert!(d.read.all_resources && d.write.all_resources, "{ty}");
    }
    let bucket = &acct.buckets[0];
    assert_eq!(bucket.referenced_by, vec![trail.arn.clone()]);
    let lock = bucket.object_lock.ok().expect("object lock readable");
    assert!(lock.enabled);
    assert_eq!(
        lock.default_retention.as_ref().map(|r| r.period_days),
        Some(365)
    );
    assert_eq!(bucket.policy_is_public, Collected::Ok(false));
    assert!(
        bucket
            .public_access_block
            .ok()
            .and_then(|p| p.as_ref())
            .is_some_and(|p| p.all())
    );
    let key = &acct.kms_keys[0];
    assert_eq!(key.rotation_enabled, Collected::Ok(true));
    assert_eq!(key.referenced_by, vec![trail.arn.clone()]);
}

#[test]
fn legacy_account_has_every_classic_mistake() {
    let inv = load_inventory("tests/fixtures/inventories/legacy.json");
    let acct = only_account(&inv);
    let trail = only_trail(acct);
    assert!(!trail.is_multi_region);
    assert!(!trail.log_file_validation_enabled);
    assert!(trail.kms_key_id.is_none());
    assert!(trail.status.ok().is_some_and(|s| !s.is_logging));
    let sel = selectors(trail);
    assert!(!sel.management.read && sel.management.write);
    assert_eq!(
        sel.management.excluded_sources,
        vec!["kms.amazonaws.com".to_owned()]
    );
    // A single-region trail applies to its home region only.
    let covered: Vec<&str> = acct
        .regions
        .iter()
        .filter(|r| !r.applicable_trails.is_empty())
        .map(|r| r.region.as_str())
        .collect();
    assert_eq!(covered, ["us-east-1"]);
    let bucket = &acct.buckets[0];
    assert_eq!(bucket.policy_is_public, Collected::Ok(true));
    assert_eq!(bucket.public_access_block, Collected::Ok(None));
    assert_eq!(bucket.acl_public_grants.ok().map(Vec::len), Some(1));
    assert!(bucket.object_lock.ok().is_some_and(|l| !l.enabled));
    assert!(
        bucket
            .versioning
            .ok()
            .is_some_and(|v| v.status == "Disabled")
    );
    assert!(acct.kms_keys.is_empty());
}

#[test]
fn org_member_sees_the_management_accounts_trail() {
    let inv = load_inventory("tests/fixtures/inventories/org-member.json");
    let acct = only_account(&inv);
    let org = acct
        .organization
        .ok()
        .and_then(|o| o.as_ref())
        .expect("organization facts");
    assert!(!org.is_management_account);
    let trail = only_trail(acct);
    assert!(trail.is_organization_trail && trail.is_multi_region);
    assert!(!trail.owned_by_audited_account);
    assert_eq!(trail.owner_account, org.management_account_id);
    assert!(trail.status.ok().is_some_and(|s| s.is_logging));
    let e = trail.event_selectors.error().expect("selectors unreadable");
    assert_eq!(e.kind, ErrorKind::AccessDenied);
    assert_eq!(e.code.as_deref(), Some("CloudTrailARNInvalidException"));
    let bucket = &acct.buckets[0];
    assert_eq!(
        bucket.policy.error().map(|e| e.kind),
        Some(ErrorKind::MethodNotAllowed)
    );
    assert_eq!(
        bucket.policy_is_public.error().map(|e| e.kind),
        Some(ErrorKind::AccessDenied)
    );
    assert!(acct.kms_keys[0].metadata.error().is_some());
}

#[test]
fn empty_account_has_no_trails() {
    let inv = load_inventory("tests/fixtures/inventories/empty.json");
    let acct = only_account(&inv);
    assert!(acct.trails.is_empty() && acct.buckets.is_empty() && acct.kms_keys.is_empty());
    assert_eq!(acct.regions.len(), 3);
    assert!(
        acct.regions
            .iter()
            .all(|r| r.discovered_trails.ok().is_some_and(Vec::is_empty))
    );
}

#[test]
fn denied_account_could_not_list_trails_anywhere() {
    let inv = load_inventory("tests/fixtures/inventories/denied.json");
    let acct = only_account(&inv);
    assert!(acct.trails.is_empty());
    assert_eq!(
        acct.organization.error().map(|e| e.kind),
        Some(ErrorKind::AccessDenied)
    );
    assert_eq!(acct.regions.len(), 3);
    for region in &acct.regions {
        let e = region
            .discovered_trails
            .error()
            .unwrap_or_else(|| panic!("{}: DescribeTrails should have failed", region.region));
        assert_eq!(e.operation, "cloudtrail:DescribeTrails");
        assert_eq!(e.kind, ErrorKind::AccessDenied);
    }
}

#[test]
fn demo_inventory_has_one_good_and_one_bad_account() {
    let inv = load_inventory("examples/demo-inventory.json");
    assert_eq!(inv.accounts.len(), 2);
    let (good, bad) = (&inv.accounts[0], &inv.accounts[1]);
    assert_eq!(good.account_id.as_str(), "123456789012");
    let org_trail = only_trail(good);
    assert!(org_trail.is_organization_trail);
    // The member sees the organization trail (not its own) and keeps a legacy local trail.
    assert_eq!(bad.trails.len(), 2);
    assert!(
        bad.trails
            .iter()
            .any(|t| t.arn == org_trail.arn && !t.owned_by_audited_account)
    );
    assert!(
        bad.buckets
            .iter()
            .any(|b| b.policy_is_public == Collected::Ok(true))
    );
}

#[test]
fn cross_account_bucket_and_key_cannot_be_read_from_the_trail_account() {
    let inv = load_inventory("tests/fixtures/inventories/cross-account-bucket.json");
    let acct = only_account(&inv);
    let trail = only_trail(acct);
    assert!(trail.owned_by_audited_account && trail.is_multi_region);
    let sel = selectors(trail);
    assert_eq!(sel.kind, SelectorKind::Advanced);
    // Separate readOnly=true / readOnly=false S3 selectors add up to all S3 data events.
    let s3 = sel
        .data
        .iter()
        .find(|d| d.resource_type == "AWS::S3::Object")
        .expect("S3 coverage");
    assert!(s3.read.all_resources && s3.write.all_resources);
    let bucket = &acct.buckets[0];
    assert_eq!(bucket.referenced_by, vec![trail.arn.clone()]);
    // HeadBucket's 403 says the bucket exists but is not readable from this account.
    assert_eq!(bucket.exists, Collected::Ok(true));
    assert_eq!(
        bucket.region.error().map(|e| e.kind),
        Some(ErrorKind::AccessDenied)
    );
    assert_eq!(
        bucket.policy.error().map(|e| e.kind),
        Some(ErrorKind::MethodNotAllowed)
    );
    assert!(acct.kms_keys[0].metadata.error().is_some());
}
