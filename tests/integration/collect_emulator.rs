//! `trailguard collect` end to end: the real binary, through the real AWS SDK, against the
//! moto emulator seeded with scenarios (tests/emulator/seed.py).

use std::collections::BTreeSet;

use crate::support::collected::{bucket, fact, ok, out_path};
use crate::support::{Emulator, Seeded, is_read_only, seed, trailguard, unique_account_id};
use trailguard::inventory::{
    Account, Collected, DataCoverage, ErrorKind, Inventory, KmsKey, Region, Trail,
};

const SCAN_REGIONS: [&str; 3] = ["us-east-1", "eu-west-1", "ap-southeast-2"];

struct Run {
    account: Account,
    stdout_inventory: Inventory,
    /// The emulator's recording length between the two runs.
    mark_between_runs: usize,
}

/// Runs `collect` to a file and to stdout, checks both are the same inventory, returns it.
fn collect(emulator: &Emulator, seeded: &Seeded, regions: &[&str], tag: &str) -> Run {
    let path = out_path(tag);
    let mut args: Vec<String> = vec!["collect".into(), "-o".into(), path.display().to_string()];
    for r in regions {
        args.extend(["--region".to_owned(), (*r).to_owned()]);
    }
    let out = trailguard(emulator, seeded, &args);
    assert!(
        out.status.success(),
        "collect failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let inventory = Inventory::load(&path).expect("the written inventory loads");
    assert_eq!(inventory.accounts.len(), 1);

    let mark_between_runs = emulator.recording_mark();
    let mut to_stdout: Vec<String> = vec!["collect".into()];
    to_stdout.extend(
        regions
            .iter()
            .flat_map(|r| ["--region".to_owned(), (*r).to_owned()]),
    );
    let out = trailguard(emulator, seeded, &to_stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout_inventory =
        Inventory::from_json(&String::from_utf8_lossy(&out.stdout), "stdout").expect("stdout");
    Run {
        account: inventory.accounts[0].clone(),
        stdout_inventory,
        mark_between_runs,
    }
}

fn trail<'a>(account: &'a Account, name: &str) -> &'a Trail {
    let matching: Vec<&Trail> = account.trails.iter().filter(|t| t.name == name).collect();
    assert_eq!(matching.len(), 1, "trail {name} should appear exactly once");
    matching[0]
}

fn key<'a>(account: &'a Account, arn: &str) -> &'a KmsKey {
    account
        .kms_key(arn)
        .unwrap_or_else(|| panic!("key {arn} missing"))
}

fn data<'a>(t: &'a Trail, resource_type: &str) -> Option<&'a DataCoverage> {
    ok(&t.event_selectors, "event selectors")
        .data
        .iter()
        .find(|d| d.resource_type == resource_type)
}

#[test]
fn collector_scenario_every_field() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "collector", &unique_account_id());
    let facts = &seeded.facts;
    let mark = emulator.recording_mark();
    let Run {
        account: acct,
        stdout_inventory,
        mark_between_runs,
    } = collect(emulator, &seeded, &SCAN_REGIONS, "collector");

    // stdout and -o give the same inventory (the emulator reports "now" as the latest
    // delivery time on every call, so that field is left out of the comparison).
    let without_delivery_time = |trails: &[Trail]| -> Vec<Trail> {
        let mut trails = trails.to_vec();
        for t in &mut trails {
            if let Collected::Ok(s) = &mut t.status {
                s.latest_delivery_time = None;
            }
        }
        trails
    };
    assert_eq!(
        without_delivery_time(&stdout_inventory.accounts[0].trails),
        without_delivery_time(&acct.trails)
    );
    assert_eq!(stdout_inventory.accounts[0].buckets, acct.buckets);

    // Identity.
    assert_eq!(acct.account_id.as_str(), seeded.account_id);
    assert_eq!(acct.partition.as_str(), "aws");
    assert!(
        acct.caller_arn.as_str().contains(&seeded.account_id),
        "{}",
        acct.caller_arn
    );
    assert_eq!(
        ok(&acct.organization, "organization"),
        &None,
        "the account is in no organization"
    );

    // Regions: every enabled region discovered, only the requested ones in scope.
    let enabled = ok(&acct.enabled_regions, "enabled regions");
    assert!(enabled.len() >= 10 && enabled.iter().all(|r| !r.as_str().starts_with("cn-")));
    assert!(
        !enabled.contains(&Region::from("ap-east-1")),
        "not opted in"
    );
    assert_eq!(
        acct.regions.len(),
        enabled.len(),
        "every enabled region is recorded"
    );
    let in_scope: Vec<&str> = acct
        .regions
        .iter()
        .filter(|r| r.in_scope)
        .map(|r| r.region.as_str())
        .collect();
    assert_eq!(in_scope, ["ap-southeast-2", "eu-west-1", "us-east-1"]);
    // Each region sees the trails homed in it and every multi-region trail, as DescribeTrails
    // there would show them (worked out from ListTrails, not asked region by region).
    let seen = |region: &str| -> Vec<&str> {
        let state = acct
            .regions
            .iter()
            .find(|r| r.region.as_str() == region)
            .unwrap_or_else(|| panic!("no state for {region}"));
        let mut names: Vec<&str> = ok(&state.discovered_trails, region)
            .iter()
            .map(|arn| {
                acct.trail(arn)
                    .expect("a discovered trail is collected")
                    .name
                    .as_str()
            })
            .collect();
        names.sort_unstable();
        names
    };
    assert_eq!(seen("us-east-1"), ["advanced", "multi", "orphan"]);
    assert_eq!(seen("eu-west-1"), ["advanced", "multi", "regional"]);
    assert_eq!(seen("us-west-2"), ["advanced", "multi", "stopped"]);
    assert_eq!(seen("ap-northeast-1"), ["advanced", "multi"]);

    // A multi-region trail seen from every region appears once, with its home region, and
    // applies everywhere.
    let multi = trail(&acct, "multi");
    assert_eq!(multi.arn.as_str(), fact(facts, "trails.multi.arn"));
    assert_eq!(multi.home_region.as_str(), "us-east-1");
    assert!(
        multi.is_multi_region && multi.owned_by_audited_account && !multi.is_organization_trail
    );
    assert_eq!(
        multi.seen_from_regions,
        [Region::from("us-east-1")],
        "described once, by the own region's DescribeTrails"
    );
    assert_eq!(&multi.applies_to_regions, enabled);
    assert!(multi.include_global_service_events && multi.log_file_validation_enabled);
    assert_eq!(
        multi.kms_key_id.as_deref(),
        Some(fact(facts, "kms_keys.rotating.arn"))
    );
    assert_eq!(
        multi.sns_topic_arn.as_deref(),
        Some(fact(facts, "sns_topic.arn"))
    );
    assert!(
        multi.cloudwatch_logs_log_group_arn.is_some() && multi.cloudwatch_logs_role_arn.is_some()
    );
    assert_eq!(
        multi.s3_bucket_name.as_deref(),
        Some(fact(facts, "buckets.locked.name"))
    );
    let status = ok(&multi.status, "multi status");
    assert!(status.is_logging && status.start_logging_time.is_some());
    let sel = ok(&multi.event_selectors, "multi selectors");
    assert!(sel.management.complete_in_one_selector && sel.management.excluded_sources.is_empty());
    let s3 = data(multi, "AWS::S3::Object").expect("multi logs S3 data events");
    assert!(
        s3.read.all_resources && s3.write.all_resources,
        "arn:aws:s3 means all buckets"
    );
    assert_eq!(
        ok(&multi.insight_selectors, "insights"),
        &vec!["ApiCallRateInsight".to_owned()]
    );
    let tags = ok(&multi.tags, "tags");
    assert_eq!(tags.get("env").map(String::as_str), Some("prod"));
    assert_eq!(tags.get("owner").map(String::as_str), Some("security"));

    // A single-region trail applies only to its region; write-only, KMS excluded.
    let regional = trail(&acct, "regional");
    assert_eq!(regional.home_region.as_str(), "eu-west-1");
    assert!(!regional.is_multi_region);
    assert_eq!(regional.applies_to_regions, vec![Region::from("eu-west-1")]);
    let eu = acct
        .regions
        .iter()
        .find(|r| r.region.as_str() == "eu-west-1")
        .expect("eu-west-1");
    assert!(
        eu.applicable_trails.contains(&regional.arn) && eu.applicable_trails.contains(&multi.arn)
    );
    let us_west = acct
        .regions
        .iter()
        .find(|r| r.region.as_str() == "us-west-1")
        .expect("us-west-1");
    assert!(!us_west.applicable_trails.contains(&regional.arn));
    let sel = ok(&regional.event_selectors, "regional selectors");
    assert!(!sel.management.read && sel.management.write);
    assert_eq!(
        sel.management.excluded_sources,
        vec!["kms.amazonaws.com".to_owned()]
    );
    assert!(
        ok(&regional.insight_selectors, "insights off").is_empty(),
        "insights off is a fact"
    );

    // Logging stopped; advanced selectors: read-only management, one bucket only.
    let stopped = trail(&acct, "stopped");
    let status = ok(&stopped.status, "stopped status");
    assert!(!status.is_logging && status.stop_logging_time.is_some());
    let sel = ok(&stopped.event_selectors, "stopped selectors");
    assert!(
        sel.management.read && !sel.management.write && !sel.management.complete_in_one_selector
    );
    let s3 = data(stopped, "AWS::S3::Object").expect("one-bucket coverage recorded");
    assert!(
        !s3.read.all_resources && !s3.write.all_resources,
        "one bucket is not all"
    );
    assert_eq!(s3.write.resources.len(), 1);

    // Advanced: management with a KMS exclusion, S3 read-only for all buckets, all Lambdas.
    let adv = trail(&acct, "advanced");
    let sel = ok(&adv.event_selectors, "advanced selectors");
    assert!(sel.management.read && sel.management.write);
    assert_eq!(
        sel.management.excluded_sources,
        vec!["kms.amazonaws.com".to_owned()]
    );
    assert!(
        sel.advanced
            .iter()
            .any(|a| a.name.as_deref() == Some("Management events selector"))
    );
    let s3 = data(adv, "AWS::S3::Object").expect("S3 read events");
    assert!(
        s3.read.all_resources && !s3.write.all_resources,
        "read-only is not write"
    );
    let lambda = data(adv, "AWS::Lambda::Function").expect("Lambda events");
    assert!(lambda.read.all_resources && lambda.write.all_resources);

    // The well-protected bucket.
    let locked = bucket(&acct, fact(facts, "buckets.locked.name"));
    assert_eq!(locked.exists, Collected::Ok(true));
    let me = trailguard::inventory::AccountId::from(seeded.account_id.as_str());
    assert_eq!(
        locked.owner_account,
        Collected::Ok(Some(me.clone())),
        "from ListBuckets"
    );
    assert_eq!(locked.owned_by_audited_account, Collected::Ok(true));
    assert_eq!(ok(&locked.region, "region").as_str(), "us-east-1");
    let lock = ok(&locked.object_lock, "object lock");
    assert!(lock.enabled);
    let retention = lock.default_retention.as_ref().expect("default retention");
    assert_eq!(
        (retention.mode.as_str(), retention.period_days),
        ("COMPLIANCE", 365)
    );
    let v = ok(&locked.versioning, "versioning");
    assert_eq!(v.status, "Enabled");
    assert!(v.mfa_delete, "MFA delete read back");
    assert!(
        ok(&locked.public_access_block, "pab")
            .expect("configured")
            .all()
    );
    assert_eq!(ok(&locked.policy_is_public, "policy status"), &false);
    assert!(
        ok(&locked.policy, "policy")
            .as_ref()
            .expect("has a policy")
            .denies_insecure_transport
    );
    assert!(ok(&locked.acl_public_grants, "acl").is_empty());
    assert_eq!(
        ok(&locked.object_ownership, "ownership").as_deref(),
        Some("BucketOwnerEnforced")
    );
    let logging = ok(&locked.access_logging, "logging")
        .as_ref()
        .expect("logging on");
    assert_eq!(
        logging.target_bucket,
        fact(facts, "buckets.access_logs.name")
    );
    let enc = ok(&locked.default_encryption, "encryption")
        .as_ref()
        .expect("encrypted");
    assert_eq!(enc.algorithm, "aws:kms");
    assert_eq!(
        locked.referenced_by.len(),
        3,
        "multi, stopped and advanced deliver here"
    );

    // The bare public bucket, in another region.
    let plain = bucket(&acct, fact(facts, "buckets.plain.name"));
    assert_eq!(ok(&plain.region, "region").as_str(), "eu-west-1");
    assert_eq!(ok(&plain.object_lock, "lock"), &Default::default());
    assert_eq!(ok(&plain.versioning, "versioning").status, "Disabled");
    assert_eq!(ok(&plain.public_access_block, "pab"), &None);
    assert_eq!(ok(&plain.policy_is_public, "policy status"), &true);
    let grants = ok(&plain.acl_public_grants, "acl");
    assert!(
        grants
            .iter()
            .any(|g| g.grantee == "AllUsers" && g.permission == "READ"),
        "{grants:?}"
    );
    assert_eq!(ok(&plain.access_logging, "logging"), &None);

    // The trail whose bucket was deleted.
    let orphan = trail(&acct, "orphan");
    let gone = bucket(
        &acct,
        orphan.s3_bucket_name.as_deref().expect("bucket name"),
    );
    assert_eq!(
        gone.exists,
        Collected::Ok(false),
        "deleted bucket is a fact, not an error"
    );
    assert_eq!(
        gone.owner_account,
        Collected::Ok(None),
        "no scanned account owns it"
    );
    assert_eq!(gone.owned_by_audited_account, Collected::Ok(false));
    assert!(
        gone.versioning.error().is_some(),
        "nothing is invented for a missing bucket"
    );

    // Keys: rotation on, and one pending deletion.
    let rotating = key(&acct, fact(facts, "kms_keys.rotating.arn"));
    assert_eq!(rotating.region.as_str(), "us-east-1");
    let meta = ok(&rotating.metadata, "describe key");
    assert_eq!(
        (meta.state.as_str(), meta.manager.as_str()),
        ("Enabled", "CUSTOMER")
    );
    assert_eq!(meta.spec, "SYMMETRIC_DEFAULT");
    assert_eq!(ok(&rotating.rotation_enabled, "rotation"), &true);
    let doomed = key(&acct, fact(facts, "kms_keys.doomed.arn"));
    assert_eq!(
        ok(&doomed.metadata, "describe key").state,
        "PendingDeletion"
    );
    assert_eq!(doomed.referenced_by, vec![regional.arn.clone()]);

    // Every call was a read, and none was made twice for the same resource.
    let calls: Vec<_> = emulator
        .recording_since(mark)
        .into_iter()
        .take(mark_between_runs - mark)
        .filter(|c| c.access_key_id.as_deref() == Some(seeded.credentials.access_key_id.as_str()))
        .collect();
    assert!(calls.len() > 40, "recorded {} calls", calls.len());
    let writes: Vec<_> = calls.iter().filter(|c| !is_read_only(c)).collect();
    assert!(writes.is_empty(), "non-read-only calls: {writes:?}");
    let ops: BTreeSet<&str> = calls.iter().map(|c| c.operation.as_str()).collect();
    for expected in [
        "GetCallerIdentity",
        "DescribeRegions",
        "DescribeTrails",
        "GetTrailStatus",
        "GetEventSelectors",
        "GetInsightSelectors",
        "ListTags",
        "HeadBucket",
        "GetObjectLockConfiguration",
        "GetBucketVersioning",
        "GetPublicAccessBlock",
        "GetBucketPolicyStatus",
        "GetBucketPolicy",
        "GetBucketAcl",
        "GetBucketOwnershipControls",
        "GetBucketLogging",
        "GetBucketEncryption",
        "DescribeKey",
        "GetKeyRotationStatus",
    ] {
        assert!(
            ops.contains(expected),
            "{expected} was never called; saw {ops:?}"
        );
    }
    // Nothing is read twice, and trails are found without asking every region: ListTrails
    // and DescribeTrails in the own region (us-east-1: multi, advanced, orphan, and the
    // multi-region shadows), then one DescribeTrails by ARN in each region that homes a
    // single-region trail found nowhere else (eu-west-1: regional; us-west-2: stopped). Then
    // one set of reads per trail (5), per existing bucket (2; the deleted one only gets
    // HeadBucket) and per key (2).
    let count = |op: &str| calls.iter().filter(|c| c.operation == op).count();
    assert_eq!(count("ListTrails"), 1);
    assert_eq!(count("DescribeTrails"), 3);
    let described_in: BTreeSet<&str> = calls
        .iter()
        .filter(|c| c.operation == "DescribeTrails")
        .filter_map(|c| c.region.as_deref())
        .collect();
    assert_eq!(
        described_in,
        BTreeSet::from(["eu-west-1", "us-east-1", "us-west-2"])
    );
    assert_eq!(count("GetCallerIdentity"), 1);
    for per_trail in [
        "GetTrailStatus",
        "GetEventSelectors",
        "GetInsightSelectors",
        "ListTags",
    ] {
        assert_eq!(count(per_trail), 5, "{per_trail}");
    }
    assert_eq!(count("HeadBucket"), 3, "locked, plain and deleted");
    for per_bucket in [
        "GetBucketVersioning",
        "GetBucketPolicy",
        "GetBucketAcl",
        "GetBucketEncryption",
    ] {
        assert_eq!(count(per_bucket), 2, "{per_bucket}");
    }
    assert_eq!(
        (count("DescribeKey"), count("GetKeyRotationStatus")),
        (2, 2)
    );
}

#[test]
fn narrowed_region_still_finds_multi_region_trail_homed_elsewhere() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "collector", &unique_account_id());
    let acct = collect(emulator, &seeded, &["eu-west-1"], "narrowed").account;
    let in_scope: Vec<&str> = acct
        .regions
        .iter()
        .filter(|r| r.in_scope)
        .map(|r| r.region.as_str())
        .collect();
    assert_eq!(in_scope, ["eu-west-1"]);
    let multi = trail(&acct, "multi");
    assert_eq!(
        multi.home_region.as_str(),
        "us-east-1",
        "home region outside the scope"
    );
    let eu = acct.regions.iter().find(|r| r.in_scope).expect("scope");
    assert!(eu.applicable_trails.contains(&multi.arn));
    assert!(
        ok(&multi.event_selectors, "read in its home region")
            .management
            .read
    );
}

#[test]
fn empty_account_has_no_trails() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "empty", &unique_account_id());
    let acct = collect(emulator, &seeded, &["us-east-1"], "empty").account;
    assert!(acct.trails.is_empty() && acct.buckets.is_empty() && acct.kms_keys.is_empty());
    assert!(
        acct.regions
            .iter()
            .all(|r| r.discovered_trails == Collected::Ok(vec![]))
    );
}

#[test]
fn denied_calls_are_error_states_not_absent() {
    let emulator = Emulator::start_private();
    let seeded = seed(&emulator, "denied", crate::support::DEFAULT_ACCOUNT);
    emulator.enable_iam_enforcement();
    let mark = emulator.recording_mark();
    let run = collect(&emulator, &seeded, &["us-east-1"], "denied");
    let acct = run.account;

    // ListTrails is denied, so discovery asks every enabled region instead, and still finds
    // the single-region trail homed outside the scope and the own region.
    let enabled = ok(&acct.enabled_regions, "enabled regions");
    let regional = trail(&acct, "guarded-eu");
    assert_eq!(
        regional.arn.as_str(),
        fact(&seeded.facts, "regional_trail.arn")
    );
    assert_eq!(regional.home_region.as_str(), "eu-west-1");
    assert_eq!(regional.seen_from_regions, [Region::from("eu-west-1")]);
    assert!(
        acct.regions
            .iter()
            .all(|r| r.discovered_trails.ok().is_some()),
        "every region was asked and answered"
    );
    let calls: Vec<_> = emulator
        .recording_since(mark)
        .into_iter()
        .take(run.mark_between_runs - mark)
        .filter(|c| c.access_key_id.as_deref() == Some(seeded.credentials.access_key_id.as_str()))
        .collect();
    let count = |op: &str| calls.iter().filter(|c| c.operation == op).count();
    assert_eq!(count("ListTrails"), 1, "asked once, denied, not retried");
    assert_eq!(
        count("DescribeTrails"),
        enabled.len(),
        "one per enabled region"
    );

    let guarded = trail(&acct, "guarded");
    assert!(ok(&guarded.status, "status is allowed").is_logging);
    let err = guarded
        .event_selectors
        .error()
        .expect("GetEventSelectors is denied");
    assert_eq!(err.kind, ErrorKind::AccessDenied, "{err:?}");
    assert_eq!(err.operation, "cloudtrail:GetEventSelectors");
    let b = bucket(&acct, "guarded-logs");
    let err = b.policy.error().expect("GetBucketPolicy is denied");
    assert_eq!(err.kind, ErrorKind::AccessDenied, "{err:?}");
    assert!(b.versioning.ok().is_some(), "other reads still succeed");
}

#[test]
fn bad_region_is_a_clear_error_with_exit_2() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "empty", &unique_account_id());
    let out = trailguard(emulator, &seeded, ["collect", "--region", "mars-north-1"]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--region mars-north-1") && stderr.contains("not an enabled region"),
        "{stderr}"
    );
    assert!(out.stdout.is_empty(), "no partial inventory");
}

#[test]
fn no_credentials_is_a_clear_error_with_exit_2() {
    let emulator = Emulator::shared();
    let mut seeded = seed(emulator, "empty", &unique_account_id());
    seeded.credentials.access_key_id.clear();
    seeded.credentials.secret_access_key.clear();
    seeded.credentials.session_token = None;
    let out = crate::support::trailguard_with_env(
        emulator,
        &seeded,
        ["collect"],
        &[("AWS_ACCESS_KEY_ID", ""), ("AWS_SECRET_ACCESS_KEY", "")],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("no AWS credentials"), "{stderr}");
}

#[test]
fn unreachable_endpoint_is_a_clear_error_with_exit_2() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "empty", &unique_account_id());
    // A port nothing listens on: bind, note the port, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let out = crate::support::trailguard_with_env(
        emulator,
        &seeded,
        ["collect"],
        &[("AWS_ENDPOINT_URL", &endpoint)],
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(stderr.lines().count(), 1, "one line: {stderr}");
    assert!(stderr.contains("cannot reach"), "{stderr}");
}
