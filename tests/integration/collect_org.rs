//! `trailguard collect --org` end to end: the real binary against the moto emulator seeded
//! with the `org` scenario (tests/emulator/seed.py): a management account with an
//! organization trail delivering to a bucket in the log-archive member, and members
//! `compliant`, `legacy`, `no-trail` and `broken`, each reached by AssumeRole.

use std::collections::{BTreeMap, BTreeSet};

use crate::support::collected::{bucket, fact, ok, out_path};
use crate::support::{Emulator, Seeded, is_read_only, seed, trailguard, unique_account_id};
use serde_json::Value;
use trailguard::inventory::{Account, AccountId, Collected, Inventory, Trail};

const MEMBERS: [&str; 5] = ["log-archive", "compliant", "legacy", "no-trail", "broken"];

/// Every collection reads all regions' trails, but one in-scope region keeps runs short.
const REGION: &str = "us-east-1";

/// The member ids by name, from the seed facts.
fn members(seeded: &Seeded) -> BTreeMap<&'static str, String> {
    MEMBERS
        .iter()
        .map(|m| (*m, fact(&seeded.facts, &format!("members.{m}")).to_owned()))
        .collect()
}

/// Runs `collect --org` with `extra` arguments as the management account; returns the
/// inventory it wrote.
fn collect_org(emulator: &Emulator, seeded: &Seeded, extra: &[&str], tag: &str) -> Inventory {
    let path = out_path(&format!("org-{tag}"));
    let mut args = vec![
        "collect".to_owned(),
        "--org".into(),
        "--region".into(),
        REGION.into(),
        "-o".into(),
        path.display().to_string(),
    ];
    args.extend(extra.iter().map(|s| s.to_string()));
    let out = trailguard(emulator, seeded, &args);
    assert!(
        out.status.success(),
        "collect --org {extra:?} failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    Inventory::load(&path).expect("the written inventory loads")
}

fn account<'a>(inv: &'a Inventory, id: &str) -> &'a Account {
    inv.accounts
        .iter()
        .find(|a| a.account_id.as_str() == id)
        .unwrap_or_else(|| panic!("account {id} missing from accounts"))
}

fn account_ids(inv: &Inventory) -> BTreeSet<String> {
    inv.accounts
        .iter()
        .map(|a| a.account_id.as_str().to_owned())
        .collect()
}

/// The trails the account owns (an organization trail may also be listed in members).
fn own_trails(acct: &Account) -> Vec<&Trail> {
    acct.trails
        .iter()
        .filter(|t| t.owned_by_audited_account)
        .collect()
}

fn own_trail<'a>(acct: &'a Account, name: &str) -> &'a Trail {
    let own = own_trails(acct);
    assert_eq!(
        own.iter().map(|t| t.name.as_str()).collect::<Vec<_>>(),
        [name],
        "account {} owns exactly trail {name}",
        acct.account_id
    );
    own[0]
}

#[test]
fn org_scan_collects_every_account_with_its_facts() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "org", &unique_account_id());
    let mgmt_id = seeded.account_id.clone();
    let members = members(&seeded);
    let facts = &seeded.facts;
    assert_eq!(fact(facts, "management_account_id"), mgmt_id);
    let inv = collect_org(emulator, &seeded, &[], "all");

    // Every account: the management account and the five members, collected and listed.
    let mut all: BTreeSet<String> = members.values().cloned().collect();
    all.insert(mgmt_id.clone());
    assert_eq!(account_ids(&inv), all);
    let org = inv
        .organization
        .as_ref()
        .expect("an --org inventory has organization");
    assert_eq!(org.id, fact(facts, "organization_id"));
    assert_eq!(org.management_account_id.as_str(), mgmt_id);
    assert_eq!(org.scanned_from.as_str(), mgmt_id);
    let listed: BTreeSet<String> = org
        .accounts
        .iter()
        .map(|a| a.account_id.as_str().to_owned())
        .collect();
    assert_eq!(listed, all);
    for a in &org.accounts {
        assert!(
            a.in_scope && a.error.is_none(),
            "account {} in scope and collected: {a:?}",
            a.account_id
        );
    }
    for (name, id) in &members {
        let listed = org
            .accounts
            .iter()
            .find(|a| a.account_id.as_str() == id)
            .expect("listed");
        assert_eq!(&listed.name, name);
        let acct = account(&inv, id);
        assert!(
            acct.caller_arn.as_str().contains(id)
                && acct
                    .caller_arn
                    .as_str()
                    .contains("OrganizationAccountAccessRole"),
            "member {name} read through its org access role: {}",
            acct.caller_arn
        );
        let seen = ok(&acct.organization, "organization")
            .as_ref()
            .expect("members see the organization");
        assert_eq!(seen.id, org.id);
        assert!(!seen.is_management_account);
    }

    // Management: the organization trail, delivering to the log-archive member's bucket.
    let mgmt = account(&inv, &mgmt_id);
    let mgmt_org = ok(&mgmt.organization, "organization")
        .as_ref()
        .expect("in an org");
    assert!(mgmt_org.is_management_account);
    let org_trail = own_trail(mgmt, "org-trail");
    assert_eq!(
        org_trail.arn.as_str(),
        fact(facts, "accounts.management.trails.org-trail.arn")
    );
    assert!(
        org_trail.is_organization_trail
            && org_trail.is_multi_region
            && org_trail.include_global_service_events
            && org_trail.log_file_validation_enabled
    );
    assert!(ok(&org_trail.status, "org trail status").is_logging);
    let sel = ok(&org_trail.event_selectors, "org trail selectors");
    assert!(sel.management.read && sel.management.write && sel.management.complete_in_one_selector);
    assert!(!ok(&org_trail.insight_selectors, "insights").is_empty());
    let archive_id = AccountId::from(members["log-archive"].as_str());
    let org_bucket_name = fact(facts, "buckets.org");
    assert_eq!(org_trail.s3_bucket_name.as_deref(), Some(org_bucket_name));
    let org_bucket = bucket(mgmt, org_bucket_name);
    assert_eq!(org_bucket.exists, Collected::Ok(true));
    assert_eq!(
        org_bucket.owner_account,
        Collected::Ok(Some(archive_id.clone())),
        "the log-archive member owns it (its ListBuckets)"
    );
    assert_eq!(org_bucket.owned_by_audited_account, Collected::Ok(false));
    // Its configuration was read (with the log-archive account's credentials).
    let lock = ok(&org_bucket.object_lock, "object lock");
    let retention = lock.default_retention.as_ref().expect("default retention");
    assert!(lock.enabled);
    assert_eq!(
        (retention.mode.as_str(), retention.period_days),
        ("COMPLIANCE", 365)
    );
    let versioning = ok(&org_bucket.versioning, "versioning");
    assert_eq!(versioning.status, "Enabled");
    assert!(
        ok(&org_bucket.public_access_block, "pab")
            .expect("configured")
            .all()
    );
    assert_eq!(ok(&org_bucket.policy_is_public, "policy status"), &false);
    assert!(
        ok(&org_bucket.policy, "policy")
            .as_ref()
            .expect("policy")
            .denies_insecure_transport
    );
    assert!(
        ok(&org_bucket.access_logging, "logging").is_some(),
        "access logging on"
    );
    assert_eq!(
        ok(&org_bucket.default_encryption, "encryption")
            .as_ref()
            .expect("SSE-KMS")
            .algorithm,
        "aws:kms"
    );
    assert_eq!(
        ok(&org_bucket.object_ownership, "ownership").as_deref(),
        Some("BucketOwnerEnforced")
    );
    let key = mgmt
        .kms_key(fact(
            facts,
            "accounts.management.trails.org-trail.kms_key_id",
        ))
        .expect("the org trail's key");
    assert_eq!(ok(&key.rotation_enabled, "rotation"), &true);

    // log-archive: owns the bucket but no trail.
    assert!(own_trails(account(&inv, &members["log-archive"])).is_empty());

    // compliant: its own logging multi-region trail and bucket.
    let compliant = account(&inv, &members["compliant"]);
    let trail = own_trail(compliant, "compliant-trail");
    assert!(trail.is_multi_region && !trail.is_organization_trail);
    assert!(ok(&trail.status, "status").is_logging);
    let b = bucket(compliant, fact(facts, "buckets.compliant"));
    assert_eq!(b.owned_by_audited_account, Collected::Ok(true));
    assert!(ok(&b.object_lock, "lock").enabled);

    // legacy: single-region eu-west-1 trail, logging stopped, write-only without KMS events,
    // and a public bucket.
    let legacy = account(&inv, &members["legacy"]);
    let trail = own_trail(legacy, "legacy-trail");
    assert_eq!(trail.home_region.as_str(), "eu-west-1");
    assert!(!trail.is_multi_region);
    assert!(
        !ok(&trail.status, "status").is_logging,
        "legacy trail stopped"
    );
    let sel = ok(&trail.event_selectors, "selectors");
    assert!(!sel.management.read && sel.management.write);
    assert_eq!(
        sel.management.excluded_sources,
        vec!["kms.amazonaws.com".to_owned()]
    );
    let b = bucket(legacy, fact(facts, "buckets.legacy"));
    assert_eq!(ok(&b.region, "region").as_str(), "eu-west-1");
    assert_eq!(ok(&b.policy_is_public, "policy status"), &true);
    assert_eq!(ok(&b.public_access_block, "pab"), &None);
    assert!(!ok(&b.acl_public_grants, "acl").is_empty());

    // no-trail: nothing of its own (an organization trail may be listed; it is not its own).
    let no_trail = account(&inv, &members["no-trail"]);
    assert!(own_trails(no_trail).is_empty());
    assert!(
        no_trail
            .trails
            .iter()
            .all(|t| t.is_organization_trail && t.arn == org_trail.arn),
        "{:?}",
        no_trail.trails
    );
    assert!(
        no_trail
            .buckets
            .iter()
            .all(|b| b.owned_by_audited_account == Collected::Ok(false)),
        "no bucket of its own"
    );

    // broken: a logging trail whose bucket is gone.
    let broken = account(&inv, &members["broken"]);
    let trail = own_trail(broken, "broken-trail");
    assert!(ok(&trail.status, "status").is_logging);
    let gone = bucket(broken, fact(facts, "buckets.broken"));
    assert_eq!(
        gone.exists,
        Collected::Ok(false),
        "a deleted bucket is a fact"
    );
    assert_eq!(gone.owner_account, Collected::Ok(None));
}

#[test]
fn accounts_and_exclude_accounts_narrow_the_scan() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "org", &unique_account_id());
    let mgmt_id = seeded.account_id.clone();
    let members = members(&seeded);
    let in_scope = |inv: &Inventory| -> BTreeMap<String, bool> {
        inv.organization
            .as_ref()
            .expect("organization")
            .accounts
            .iter()
            .map(|a| (a.account_id.as_str().to_owned(), a.in_scope))
            .collect()
    };

    // --accounts: only those, the others listed as out of scope.
    let only = [members["compliant"].clone(), members["legacy"].clone()];
    let inv = collect_org(emulator, &seeded, &["--accounts", &only.join(",")], "only");
    assert_eq!(account_ids(&inv), only.iter().cloned().collect());
    let scope = in_scope(&inv);
    assert_eq!(scope.len(), 6, "every account is still listed: {scope:?}");
    for (id, wanted) in &scope {
        assert_eq!(*wanted, only.contains(id), "in_scope of {id}");
    }
    for a in &inv.organization.as_ref().expect("org").accounts {
        assert!(a.error.is_none(), "out of scope is not an error: {a:?}");
    }

    // --exclude-accounts: everything else.
    let excluded = [members["legacy"].clone(), members["log-archive"].clone()];
    let inv = collect_org(
        emulator,
        &seeded,
        &["--exclude-accounts", &excluded.join(",")],
        "exclude",
    );
    let mut expected: BTreeSet<String> = members
        .values()
        .filter(|id| !excluded.contains(id))
        .cloned()
        .collect();
    expected.insert(mgmt_id.clone());
    assert_eq!(account_ids(&inv), expected);
    for (id, wanted) in in_scope(&inv) {
        assert_eq!(wanted, !excluded.contains(&id), "in_scope of {id}");
    }
    // With log-archive out of scope, the organization bucket has no scanned owner.
    let org_bucket = bucket(account(&inv, &mgmt_id), fact(&seeded.facts, "buckets.org"));
    assert_eq!(org_bucket.owned_by_audited_account, Collected::Ok(false));
    assert_ne!(
        org_bucket.owner_account,
        Collected::Ok(Some(AccountId::from(members["log-archive"].as_str()))),
        "log-archive was not scanned, so its ListBuckets was not read"
    );

    // An id that is not an account of the organization: exit 2, naming the flag.
    let out = trailguard(
        emulator,
        &seeded,
        ["collect", "--org", "--accounts", "999999999999"],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--accounts 999999999999"),
        "names the flag and the id: {stderr}"
    );
    assert!(out.stdout.is_empty(), "no partial inventory");
}

#[test]
fn org_scan_makes_only_read_calls_and_one_assume_role_per_member() {
    // A private server: everything recorded after the mark is this collection's.
    let emulator = Emulator::start_private();
    let seeded = seed(&emulator, "org", &unique_account_id());
    let members = members(&seeded);
    let mark = emulator.recording_mark();
    let inv = collect_org(&emulator, &seeded, &[], "recorded");
    assert_eq!(inv.accounts.len(), 6);
    let calls: Vec<_> = emulator
        .recording_since(mark)
        .into_iter()
        .filter(|c| c.service != "moto-api")
        .collect();
    assert!(calls.len() > 50, "recorded {} calls", calls.len());

    let writes: Vec<_> = calls.iter().filter(|c| !is_read_only(c)).collect();
    assert!(writes.is_empty(), "non-read-only calls: {writes:#?}");
    let mgmt_key = seeded.credentials.access_key_id.as_str();
    for c in &calls {
        assert!(c.access_key_id.is_some(), "unsigned call: {c:?}");
    }

    // Exactly one AssumeRole per member, made with the management account's keys, into
    // that member's OrganizationAccountAccessRole; none into the management account itself.
    let assume: Vec<_> = calls
        .iter()
        .filter(|c| c.service == "sts" && c.operation == "AssumeRole")
        .collect();
    assert!(
        assume
            .iter()
            .all(|c| c.access_key_id.as_deref() == Some(mgmt_key)),
        "{assume:#?}"
    );
    let role_arns = assumed_role_arns(&emulator, mark);
    let mut expected: Vec<String> = members
        .values()
        .map(|id| format!("arn:aws:iam::{id}:role/OrganizationAccountAccessRole"))
        .collect();
    expected.sort();
    assert_eq!(role_arns, expected, "one AssumeRole per member account");
    assert_eq!(assume.len(), members.len());

    // Six identities made the calls: the management account's keys and one assumed-role key
    // per member, each used for that member's reads.
    let keys: BTreeSet<&str> = calls
        .iter()
        .filter_map(|c| c.access_key_id.as_deref())
        .collect();
    assert_eq!(keys.len(), 6, "{keys:?}");
    let identities = calls
        .iter()
        .filter(|c| c.operation == "GetCallerIdentity")
        .count();
    assert_eq!(identities, 6, "one GetCallerIdentity per account");
    let listings: Vec<_> = calls
        .iter()
        .filter(|c| c.operation == "ListAccounts")
        .collect();
    assert!(
        !listings.is_empty()
            && listings
                .iter()
                .all(|c| c.access_key_id.as_deref() == Some(mgmt_key)),
        "the organization is listed as the management account"
    );

    // A bucket is read once, whoever references it (the org bucket is owned by log-archive
    // and referenced by the management account's organization trail).
    let mut s3_reads: BTreeMap<(String, String), usize> = BTreeMap::new();
    for c in calls
        .iter()
        .filter(|c| c.service == "s3" && c.operation.starts_with("GetBucket"))
    {
        *s3_reads
            .entry((c.operation.clone(), c.url.clone()))
            .or_default() += 1;
    }
    let twice: Vec<_> = s3_reads.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "bucket reads made twice: {twice:#?}");
    assert!(
        s3_reads.keys().any(|(op, url)| op == "GetBucketVersioning"
            && url.contains(fact(&seeded.facts, "buckets.org"))),
        "the organization bucket was read"
    );
}

/// The `RoleArn` of every sts:AssumeRole request recorded after `mark`, sorted. The recorder
/// keeps request bodies (base64 when `body_encoded`); AssumeRole is a form-encoded Query
/// request.
fn assumed_role_arns(emulator: &Emulator, mark: usize) -> Vec<String> {
    let (status, body) =
        emulator.request("GET", "/moto-api/recorder/download-recording", None, b"");
    assert_eq!(status, 200);
    let mut arns: Vec<String> = String::from_utf8_lossy(&body)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .skip(mark)
        .filter_map(|l| {
            let entry: Value = serde_json::from_str(l).expect("recorder line");
            let raw = entry["body"].as_str()?;
            let body = if entry["body_encoded"] == Value::Bool(true) {
                String::from_utf8_lossy(&base64_decode(raw)).into_owned()
            } else {
                raw.to_owned()
            };
            let form: BTreeMap<String, String> = body
                .split('&')
                .filter_map(|p| p.split_once('='))
                .map(|(k, v)| (k.to_owned(), percent_decode(v)))
                .collect();
            (form.get("Action").map(String::as_str) == Some("AssumeRole"))
                .then(|| form.get("RoleArn").cloned().expect("RoleArn"))
        })
        .collect();
    arns.sort();
    arns
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                        continue;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64_decode(s: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => u32::from(c - b'A'),
            b'a'..=b'z' => u32::from(c - b'a') + 26,
            b'0'..=b'9' => u32::from(c - b'0') + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => panic!("not base64: {s}"),
        }
    };
    let clean: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::new();
    for chunk in clean.chunks(4) {
        let acc = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &c)| acc | value(c) << (18 - 6 * i));
        let bytes = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        out.extend_from_slice(&bytes[..chunk.len().saturating_sub(1)]);
    }
    out
}
