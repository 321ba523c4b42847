//! Tests of the AWS-emulator harness itself (`support/emulator.rs` + `tests/emulator/`).
//! They do not depend on any trailguard command beyond `--version`.
//!
//! Run: `cargo test --test integration emulator_harness`. The first run provisions `.emulator/venv`
//! (pip install from PyPI, about 1–2 minutes).

use std::collections::BTreeSet;

use crate::support::*;
use serde_json::{Value, json};

fn facts_str<'a>(facts: &'a Value, pointer: &str) -> &'a str {
    facts
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("facts lack string {pointer}: {facts:#}"))
}

/// Runs a boto3 snippet as the seeded account and parses the JSON it prints.
fn boto3_json(emulator: &Emulator, seeded: &Seeded, code: &str) -> Value {
    let prelude = "import json, sys, boto3\n\
        from botocore.config import Config\n\
        ENDPOINT = sys.argv[1]\n\
        def client(service, region='us-east-1'):\n    \
            return boto3.client(service, region_name=region, endpoint_url=ENDPOINT,\n        \
                config=Config(retries={'max_attempts': 1}, s3={'addressing_style': 'path'}))\n";
    let env = seeded.aws_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let out = run_python(&format!("{prelude}{code}"), &[&emulator.endpoint()], &env);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "python snippet failed ({}):\n{}\n--- server log ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        emulator.server_log()
    );
    serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("snippet printed no JSON ({e}): {stdout}"))
}

#[test]
fn shared_server_answers_on_loopback() {
    let emulator = Emulator::shared();
    assert!(emulator.is_shared());
    assert_eq!(
        emulator.endpoint(),
        format!("http://127.0.0.1:{}", emulator.port())
    );
    let (status, body) = emulator.request("GET", "/moto-api/", None, b"");
    assert_eq!(status, 200, "{}", String::from_utf8_lossy(&body));
    // The same instance every time.
    assert!(std::ptr::eq(emulator, Emulator::shared()));
}

#[test]
fn unique_account_ids_never_collide() {
    let ids: Vec<String> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| s.spawn(|| (0..50).map(|_| unique_account_id()).collect::<Vec<_>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().expect("thread"))
            .collect()
    });
    let distinct: BTreeSet<&String> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len());
    for id in &ids {
        assert_eq!(id.len(), 12, "{id}");
        assert!(id.bytes().all(|b| b.is_ascii_digit()), "{id}");
        assert_ne!(id, DEFAULT_ACCOUNT);
    }
    let pid = format!("{:07}", std::process::id() % 10_000_000);
    assert_eq!(
        &ids[0][1..8],
        pid,
        "the process id is part of the account id"
    );
}

#[test]
fn collector_scenario_returns_every_fact() {
    let emulator = Emulator::shared();
    let account = unique_account_id();
    let seeded = seed(emulator, "collector", &account);
    let f = &seeded.facts;

    assert_eq!(seeded.account_id, account);
    assert_eq!(f["account_id"], json!(account));
    assert!(
        seeded.credentials.access_key_id.starts_with("ASIA"),
        "{:?}",
        seeded.credentials
    );
    assert!(seeded.credentials.session_token.is_some());

    let names: Vec<&str> = f["trail_names"]
        .as_array()
        .expect("trail_names")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(
        names,
        ["multi", "regional", "stopped", "advanced", "orphan"]
    );
    let homes = [
        ("multi", "us-east-1"),
        ("regional", "eu-west-1"),
        ("stopped", "us-west-2"),
        ("advanced", "us-east-1"),
        ("orphan", "us-east-1"),
    ];
    for (name, region) in homes {
        let t = &f["trails"][name];
        assert_eq!(t["name"], json!(name));
        assert_eq!(t["home_region"], json!(region));
        assert_eq!(
            t["arn"],
            json!(format!(
                "arn:aws:cloudtrail:{region}:{account}:trail/{name}"
            ))
        );
        assert!(
            facts_str(t, "/bucket").starts_with(&format!("{account}-")),
            "{t}"
        );
    }
    assert_eq!(f["trails"]["multi"]["is_multi_region"], json!(true));
    assert_eq!(f["trails"]["advanced"]["is_multi_region"], json!(true));
    assert_eq!(f["trails"]["regional"]["is_multi_region"], json!(false));
    assert_eq!(f["trails"]["stopped"]["is_logging"], json!(false));
    assert_eq!(f["trails"]["orphan"]["is_logging"], json!(true));
    assert_eq!(
        f["trails"]["multi"]["tags"],
        json!({"env": "prod", "owner": "security"})
    );
    assert_eq!(
        f["trails"]["multi"]["insight_selectors"],
        json!([{"InsightType": "ApiCallRateInsight"}])
    );
    assert_eq!(
        f["trails"]["advanced"]["advanced_event_selectors"][0]["Name"],
        json!("Management events selector")
    );
    assert_eq!(
        f["trails"]["stopped"]["advanced_event_selectors"]
            .as_array()
            .map(Vec::len),
        Some(2)
    );

    let locked = format!("{account}-locked");
    assert_eq!(f["buckets"]["locked"]["name"], json!(locked));
    assert_eq!(
        f["buckets"]["plain"]["name"],
        json!(format!("{account}-plain"))
    );
    assert_eq!(f["buckets"]["plain"]["region"], json!("eu-west-1"));
    assert_eq!(
        f["buckets"]["access_logs"]["name"],
        json!(format!("{account}-access-logs"))
    );
    assert_eq!(
        f["buckets"]["deleted"]["name"],
        json!(format!("{account}-deleted"))
    );
    assert_eq!(f["buckets"]["deleted"]["exists"], json!(false));
    assert_eq!(f["trails"]["multi"]["bucket"], json!(locked));
    assert_eq!(
        f["trails"]["orphan"]["bucket"],
        json!(format!("{account}-deleted"))
    );
    assert_eq!(f["buckets"]["locked"]["mfa_delete"], json!("Enabled"));

    let rotating = facts_str(f, "/kms_keys/rotating/arn");
    let doomed = facts_str(f, "/kms_keys/doomed/arn");
    assert!(
        rotating.starts_with(&format!("arn:aws:kms:us-east-1:{account}:key/")),
        "{rotating}"
    );
    assert!(
        doomed.starts_with(&format!("arn:aws:kms:us-east-1:{account}:key/")),
        "{doomed}"
    );
    assert_ne!(rotating, doomed);
    assert_eq!(f["trails"]["multi"]["kms_key_id"], json!(rotating));
    assert_eq!(f["trails"]["regional"]["kms_key_id"], json!(doomed));
    assert_eq!(
        f["buckets"]["locked"]["encryption"]["kms_key_id"],
        json!(rotating)
    );
    assert_eq!(f["kms_keys"]["doomed"]["state"], json!("PendingDeletion"));
    assert_eq!(
        f["trails"]["multi"]["sns_topic_arn"],
        json!(format!(
            "arn:aws:sns:us-east-1:{account}:trail-notifications"
        ))
    );

    // The account really holds that state, and another account on the same server does not.
    // describe_trails in a region shows that region's trails plus multi-region shadows.
    let seen = boto3_json(
        emulator,
        &seeded,
        &format!(
            "trails = {{r: sorted(t['Name'] for t in client('cloudtrail', r).describe_trails()['trailList'])\n\
                       for r in ['us-east-1', 'eu-west-1', 'us-west-2']}}\n\
             listed = {{r: sorted((t['Name'], t['HomeRegion']) for t in client('cloudtrail', r).list_trails()['Trails'])\n\
                       for r in ['us-east-1', 'ap-northeast-1']}}\n\
             lock = client('s3').get_object_lock_configuration(Bucket='{locked}')['ObjectLockConfiguration']\n\
             print(json.dumps({{'trails': trails, 'listed': listed, 'lock': lock['Rule']['DefaultRetention']}}))\n"
        ),
    );
    assert_eq!(
        seen["trails"],
        json!({
            "us-east-1": ["advanced", "multi", "orphan"],
            "eu-west-1": ["advanced", "multi", "regional"],
            "us-west-2": ["advanced", "multi", "stopped"],
        })
    );
    // Patch (g): list_trails names every trail of the account with its home region, from
    // any region, as AWS documents it (plain moto gives describe_trails' one-region view).
    let every = json!([
        ["advanced", "us-east-1"],
        ["multi", "us-east-1"],
        ["orphan", "us-east-1"],
        ["regional", "eu-west-1"],
        ["stopped", "us-west-2"],
    ]);
    assert_eq!(
        seen["listed"],
        json!({"us-east-1": every, "ap-northeast-1": every})
    );
    assert_eq!(seen["lock"]["Mode"], json!("COMPLIANCE"));
    assert_eq!(seen["lock"]["Days"], json!(365));

    let other = seed(emulator, "empty", &unique_account_id());
    assert_ne!(
        other.credentials.access_key_id,
        seeded.credentials.access_key_id
    );
    let seen = boto3_json(
        emulator,
        &other,
        "print(json.dumps([t['Name'] for t in client('cloudtrail').describe_trails()['trailList']]))",
    );
    assert_eq!(
        seen,
        json!([]),
        "accounts on the shared server must be isolated"
    );
}

#[test]
fn recorder_classifies_seeding_calls() {
    let emulator = Emulator::shared();
    let mark = emulator.recording_mark();
    let seeded = seed(emulator, "collector", &unique_account_id());
    let calls = emulator.recording_since(mark);
    let mine = calls_with_key(&calls, &seeded.credentials.access_key_id);
    let count = |service: &str, op: &str| {
        mine.iter()
            .filter(|c| c.service == service && c.operation == op)
            .count()
    };

    // Writes are classified and flagged as such.
    for (service, op, method, n) in [
        ("cloudtrail", "CreateTrail", "POST", 5),
        ("cloudtrail", "StartLogging", "POST", 5),
        ("cloudtrail", "StopLogging", "POST", 1),
        ("cloudtrail", "PutEventSelectors", "POST", 4),
        ("cloudtrail", "PutInsightSelectors", "POST", 1),
        ("cloudtrail", "AddTags", "POST", 1),
        ("s3", "CreateBucket", "PUT", 4),
        ("s3", "PutBucketVersioning", "PUT", 1),
        ("s3", "PutBucketPolicy", "PUT", 2),
        ("s3", "PutPublicAccessBlock", "PUT", 1),
        ("s3", "PutObjectLockConfiguration", "PUT", 1),
        ("s3", "PutBucketAcl", "PUT", 1),
        ("s3", "DeleteBucket", "DELETE", 1),
        ("kms", "CreateKey", "POST", 2),
        ("kms", "ScheduleKeyDeletion", "POST", 1),
        ("sns", "CreateTopic", "POST", 1),
    ] {
        assert_eq!(count(service, op), n, "{service}:{op} in {mine:#?}");
        for call in mine.iter().filter(|c| c.operation == op) {
            assert_eq!(call.method, method, "{call:?}");
            assert!(!is_read_only(call), "{call:?} must count as a write");
        }
    }
    // Reads too.
    for (service, op) in [
        ("s3", "GetBucketVersioning"),
        ("cloudtrail", "GetTrailStatus"),
        ("cloudtrail", "GetEventSelectors"),
        ("cloudtrail", "GetInsightSelectors"),
        ("kms", "GetKeyRotationStatus"),
        ("kms", "DescribeKey"),
        ("sts", "GetCallerIdentity"),
    ] {
        let call = mine
            .iter()
            .find(|c| c.service == service && c.operation == op)
            .unwrap_or_else(|| panic!("no {service}:{op} in {mine:#?}"));
        assert!(is_read_only(call), "{call:?}");
    }
    let versioning = mine
        .iter()
        .find(|c| c.operation == "PutBucketVersioning")
        .expect("PutBucketVersioning");
    assert!(versioning.url.contains("versioning"), "{versioning:?}");
    let regions: BTreeSet<&str> = mine
        .iter()
        .filter(|c| c.operation == "CreateTrail")
        .filter_map(|c| c.region.as_deref())
        .collect();
    assert_eq!(
        regions,
        BTreeSet::from(["eu-west-1", "us-east-1", "us-west-2"])
    );
    // The AssumeRole that created the seeded keys was signed with the `testing` keys.
    assert!(
        calls.iter().any(|c| c.service == "sts"
            && c.operation == "AssumeRole"
            && c.access_key_id.as_deref() == Some("testing")
            && is_read_only(c)),
        "no sts:AssumeRole with the testing keys"
    );
    // No unclassified request among this account's calls.
    assert!(
        mine.iter().all(|c| !c.operation.starts_with("Unknown")),
        "{mine:#?}"
    );
}

#[test]
fn classifier_handles_each_protocol() {
    let line = |v: Value| RecordedCall::from_entry(&v);
    let auth = |key: &str, region: &str, service: &str| {
        format!(
            "AWS4-HMAC-SHA256 Credential={key}/20261121/{region}/{service}/aws4_request, SignedHeaders=host, Signature=ab"
        )
    };
    // JSON protocol.
    let c = line(
        json!({"method": "POST", "url": "http://127.0.0.1:1/", "body": "{}", "body_encoded": false,
        "headers": {"X-Amz-Target": "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.DescribeTrails",
                    "Authorization": auth("AKIDEXAMPLE", "eu-west-1", "cloudtrail")}}),
    );
    assert_eq!(
        (c.service.as_str(), c.operation.as_str()),
        ("cloudtrail", "DescribeTrails")
    );
    assert_eq!(c.access_key_id.as_deref(), Some("AKIDEXAMPLE"));
    assert_eq!(c.region.as_deref(), Some("eu-west-1"));
    assert!(is_read_only(&c));
    // Query protocol, base64 body (Action=GetCallerIdentity&Version=2011-06-15).
    let c = line(json!({"method": "POST", "url": "http://127.0.0.1:1/",
        "body": "QWN0aW9uPUdldENhbGxlcklkZW50aXR5JlZlcnNpb249MjAxMS0wNi0xNQ==", "body_encoded": true,
        "headers": {"authorization": auth("ASIAX", "us-east-1", "sts")}}));
    assert_eq!(
        (c.service.as_str(), c.operation.as_str()),
        ("sts", "GetCallerIdentity")
    );
    assert!(is_read_only(&c));
    let c = line(
        json!({"method": "POST", "url": "http://127.0.0.1:1/", "body": "Action=CreateUser&UserName=x", "body_encoded": false,
        "headers": {"Authorization": auth("ASIAX", "us-east-1", "iam")}}),
    );
    assert_eq!(c.operation, "CreateUser");
    assert!(!is_read_only(&c));
    // S3 REST.
    let s3 = |method: &str, url: &str| {
        line(
            json!({"method": method, "url": url, "body": "", "body_encoded": false,
        "headers": {"Authorization": auth("ASIAX", "us-east-1", "s3")}}),
        )
    };
    for (method, url, op, ro) in [
        ("HEAD", "http://127.0.0.1:1/bkt", "HeadBucket", true),
        (
            "GET",
            "http://127.0.0.1:1/bkt?location",
            "GetBucketLocation",
            true,
        ),
        (
            "GET",
            "http://127.0.0.1:1/bkt?versioning",
            "GetBucketVersioning",
            true,
        ),
        (
            "GET",
            "http://127.0.0.1:1/bkt?versioning=",
            "GetBucketVersioning",
            true,
        ),
        (
            "PUT",
            "http://127.0.0.1:1/bkt?versioning",
            "PutBucketVersioning",
            false,
        ),
        (
            "GET",
            "http://127.0.0.1:1/bkt?policyStatus",
            "GetBucketPolicyStatus",
            true,
        ),
        (
            "GET",
            "http://127.0.0.1:1/bkt?object-lock",
            "GetObjectLockConfiguration",
            true,
        ),
        (
            "GET",
            "http://127.0.0.1:1/bkt?publicAccessBlock",
            "GetPublicAccessBlock",
            true,
        ),
        (
            "GET",
            "http://127.0.0.1:1/bkt?list-type=2&prefix=a",
            "ListObjectsV2",
            true,
        ),
        ("GET", "http://127.0.0.1:1/", "ListBuckets", true),
        ("PUT", "http://127.0.0.1:1/bkt", "CreateBucket", false),
        (
            "DELETE",
            "http://127.0.0.1:1/bkt?policy",
            "DeleteBucketPolicy",
            false,
        ),
        (
            "GET",
            "http://127.0.0.1:1/bkt/AWSLogs/x.json.gz?x-id=GetObject",
            "GetObject",
            true,
        ),
        ("PUT", "http://127.0.0.1:1/bkt/key", "PutObject", false),
        (
            "POST",
            "http://127.0.0.1:1/bkt?delete",
            "DeleteObjects",
            false,
        ),
    ] {
        let c = s3(method, url);
        assert_eq!(
            (c.service.as_str(), c.operation.as_str()),
            ("s3", op),
            "{method} {url}"
        );
        assert_eq!(is_read_only(&c), ro, "{method} {url}");
    }
    let c = s3("GET", "http://127.0.0.1:1/bkt?someNewThing");
    assert_eq!(c.operation, "ListObjects"); // unknown GET sub-resources fall back to the listing
    let c = s3("PUT", "http://127.0.0.1:1/bkt?someNewThing");
    assert!(c.operation.starts_with("Unknown:PUT"), "{c:?}");
    assert!(
        !is_read_only(&c),
        "unknown operations never count as read-only"
    );
    // The emulator's own API.
    let c = line(
        json!({"method": "POST", "url": "http://127.0.0.1:1/moto-api/reset-auth", "body": "0", "body_encoded": false, "headers": {}}),
    );
    assert_eq!(
        (
            c.service.as_str(),
            c.operation.as_str(),
            c.access_key_id.as_deref()
        ),
        ("moto-api", "reset-auth", None)
    );
    assert!(!is_read_only(&c));
    // Look-alikes are not reads.
    let c = line(
        json!({"method": "POST", "url": "http://127.0.0.1:1/", "body": "{}", "body_encoded": false,
        "headers": {"X-Amz-Target": "X.Getaway", "Authorization": auth("A", "us-east-1", "kms")}}),
    );
    assert!(!is_read_only(&c));
}

#[test]
fn moto_patches_behave_like_aws() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "collector", &unique_account_id());
    let locked = facts_str(&seeded.facts, "/buckets/locked/name").to_string();
    let plain = facts_str(&seeded.facts, "/buckets/plain/name").to_string();

    // (a) On the wire: the root element the Rust SDK insists on, with MfaDelete kept.
    let (status, body) = emulator.request("GET", &format!("/{locked}?versioning"), None, b"");
    let xml = String::from_utf8_lossy(&body);
    assert_eq!(status, 200, "{xml}");
    let root = xml
        .trim_start()
        .trim_start_matches(|c| c != '>')
        .trim_start_matches('>')
        .trim_start();
    assert!(root.starts_with("<VersioningConfiguration"), "{xml}");
    assert!(
        xml.contains("<Status>Enabled</Status>") && xml.contains("<MfaDelete>Enabled</MfaDelete>"),
        "{xml}"
    );
    let (_, body) = emulator.request("GET", &format!("/{plain}?versioning"), None, b"");
    let xml = String::from_utf8_lossy(&body);
    assert!(
        xml.contains("<VersioningConfiguration")
            && !xml.contains("Status")
            && !xml.contains("MfaDelete"),
        "{xml}"
    );

    // (e) GetBucketPolicyStatus is served (plain moto 5.1.22 answers it with ListObjects).
    let access_logs = facts_str(&seeded.facts, "/buckets/access_logs/name").to_string();
    for (bucket, status, needle) in [
        (&plain, 200, "<IsPublic>true</IsPublic>"),
        (&locked, 200, "<IsPublic>false</IsPublic>"),
        (&access_logs, 404, "NoSuchBucketPolicy"),
    ] {
        let (got, body) = emulator.request("GET", &format!("/{bucket}?policyStatus"), None, b"");
        let xml = String::from_utf8_lossy(&body);
        assert_eq!(got, status, "{bucket}: {xml}");
        assert!(xml.contains(needle), "{bucket}: {xml}");
    }

    // (a), (b), (c) through boto3.
    let got = boto3_json(
        emulator,
        &seeded,
        &format!(
            "s3 = client('s3')\n\
             v = s3.get_bucket_versioning(Bucket='{locked}')\n\
             s3.put_bucket_versioning(Bucket='{locked}', VersioningConfiguration={{'Status': 'Suspended'}})\n\
             v2 = s3.get_bucket_versioning(Bucket='{locked}')\n\
             ct = client('cloudtrail')\n\
             ct.put_insight_selectors(TrailName='multi', InsightSelectors=[{{'InsightType': 'ApiErrorRateInsight'}}])\n\
             ins1 = ct.get_insight_selectors(TrailName='multi').get('InsightSelectors')\n\
             ct.put_insight_selectors(TrailName='multi', InsightSelectors=[])\n\
             ins2 = ct.get_insight_selectors(TrailName='multi').get('InsightSelectors')\n\
             ct.put_event_selectors(TrailName='advanced', EventSelectors=[{{'ReadWriteType': 'All', 'IncludeManagementEvents': True}}])\n\
             sel1 = ct.get_event_selectors(TrailName='advanced')\n\
             ct.put_event_selectors(TrailName='multi', AdvancedEventSelectors=[{{'Name': 'm', 'FieldSelectors': [{{'Field': 'eventCategory', 'Equals': ['Management']}}]}}])\n\
             sel2 = ct.get_event_selectors(TrailName='multi')\n\
             print(json.dumps({{'v': [v.get('Status'), v.get('MFADelete')], 'v2': [v2.get('Status'), v2.get('MFADelete')],\n\
                 'ins1': ins1, 'ins2': ins2,\n\
                 'sel1': [sel1.get('EventSelectors'), sel1.get('AdvancedEventSelectors')],\n\
                 'sel2': [sel2.get('EventSelectors'), sel2.get('AdvancedEventSelectors')]}}))\n"
        ),
    );
    assert_eq!(got["v"], json!(["Enabled", "Enabled"]));
    assert_eq!(
        got["v2"],
        json!(["Suspended", "Enabled"]),
        "a PUT without MfaDelete leaves it unchanged"
    );
    assert_eq!(
        got["ins1"],
        json!([{"InsightType": "ApiErrorRateInsight"}]),
        "insight selectors are replaced, not appended"
    );
    assert_eq!(got["ins2"], Value::Null, "an empty list turns Insights off");
    assert_eq!(
        got["sel1"],
        json!([[{"ReadWriteType": "All", "IncludeManagementEvents": true}], []]),
        "classic replaces advanced"
    );
    assert_eq!(
        got["sel2"],
        json!([[], [{"Name": "m", "FieldSelectors": [{"Field": "eventCategory", "Equals": ["Management"]}]}]]),
        "advanced replaces classic"
    );
}

#[test]
fn iam_enforcement_denies_the_auditor() {
    let emulator = Emulator::start_private();
    assert!(!emulator.is_shared());
    let seeded = seed(&emulator, "denied", DEFAULT_ACCOUNT);
    assert_eq!(seeded.account_id, DEFAULT_ACCOUNT);
    assert!(seeded.credentials.session_token.is_none());
    assert!(
        seeded.credentials.access_key_id.starts_with("AKIA"),
        "{:?}",
        seeded.credentials
    );
    assert_eq!(seeded.facts["trail"]["name"], json!("guarded"));
    assert_eq!(
        seeded.facts["trail"]["arn"],
        json!("arn:aws:cloudtrail:us-east-1:123456789012:trail/guarded")
    );
    assert_eq!(seeded.facts["user"]["name"], json!("auditor"));

    emulator.enable_iam_enforcement();
    let mark = emulator.recording_mark();
    let code = "from botocore.exceptions import ClientError\n\
        def status(f):\n    \
            try:\n        f(); return 200\n    \
            except ClientError as e:\n        return e.response['ResponseMetadata']['HTTPStatusCode']\n\
        ct = client('cloudtrail')\n\
        out = {'trails': [t['Name'] for t in ct.describe_trails()['trailList']],\n\
               'status': status(lambda: ct.get_trail_status(Name='guarded')),\n\
               'selectors': status(lambda: ct.get_event_selectors(TrailName='guarded')),\n\
               'policy': status(lambda: client('s3').get_bucket_policy(Bucket='guarded-logs')),\n\
               'acl': status(lambda: client('s3').get_bucket_acl(Bucket='guarded-logs'))}\n\
        print(json.dumps(out))\n";
    let got = boto3_json(&emulator, &seeded, code);
    assert_eq!(got["trails"], json!(["guarded"]));
    assert_eq!(got["status"], json!(200));
    assert_eq!(
        got["selectors"],
        json!(403),
        "cloudtrail:GetEventSelectors is denied"
    );
    assert_eq!(got["policy"], json!(403), "s3:GetBucketPolicy is denied");
    assert_eq!(got["acl"], json!(200));

    // Unknown keys are now refused as well.
    let stranger = Seeded {
        credentials: Credentials {
            access_key_id: "testing".into(),
            secret_access_key: "testing".into(),
            session_token: None,
        },
        ..seeded.clone()
    };
    let got = boto3_json(
        &emulator,
        &stranger,
        "from botocore.exceptions import ClientError\n\
         try:\n    client('cloudtrail').describe_trails(); print(json.dumps(200))\n\
         except ClientError as e:\n    print(json.dumps(e.response['ResponseMetadata']['HTTPStatusCode']))\n",
    );
    assert_eq!(got, json!(403));

    // The recorder saw the denied call, signed by the auditor, classified as a read.
    let calls = emulator.recording_since(mark);
    let mine = calls_with_key(&calls, &seeded.credentials.access_key_id);
    let denied = mine
        .iter()
        .find(|c| c.operation == "GetEventSelectors")
        .expect("GetEventSelectors recorded");
    assert_eq!(denied.service, "cloudtrail");
    assert!(mine.iter().all(|c| is_read_only(c)), "{mine:#?}");
}

#[test]
fn private_server_recorder_controls_and_clean_shutdown() {
    let emulator = Emulator::start_private();
    assert_ne!(emulator.port(), Emulator::shared().port());
    let seeded = seed(&emulator, "empty", &unique_account_id());
    let list = "print(json.dumps(len(client('cloudtrail').list_trails()['Trails'])))";
    let key = seeded.credentials.access_key_id.clone();

    emulator.reset_recording();
    assert!(emulator.recording().is_empty());
    emulator.stop_recording();
    assert_eq!(boto3_json(&emulator, &seeded, list), json!(0));
    assert!(
        calls_with_key(&emulator.recording(), &key).is_empty(),
        "stopped recorder recorded"
    );
    emulator.start_recording();
    assert_eq!(boto3_json(&emulator, &seeded, list), json!(0));
    let calls = emulator.recording();
    let mine = calls_with_key(&calls, &key);
    assert_eq!(mine.len(), 1, "{calls:#?}");
    assert_eq!(
        (mine[0].service.as_str(), mine[0].operation.as_str()),
        ("cloudtrail", "ListTrails")
    );

    // Closing stdin makes the server exit on its own (not killed by a signal).
    let pid = emulator.pid();
    let status = emulator.shutdown();
    assert!(
        status.success(),
        "moto server exit status after stdin EOF: {status}"
    );
    assert!(
        !std::path::Path::new(&format!("/proc/{pid}")).exists() || cfg!(not(target_os = "linux"))
    );
}

#[test]
fn shared_server_refuses_global_state_changes() {
    let emulator = Emulator::shared();
    for (what, f) in [
        (
            "enable_iam_enforcement",
            Emulator::enable_iam_enforcement as fn(&Emulator),
        ),
        ("stop_recording", Emulator::stop_recording),
        ("reset_recording", Emulator::reset_recording),
    ] {
        let result = std::panic::catch_unwind(|| f(emulator));
        assert!(
            result.is_err(),
            "{what} must refuse to run on the shared server"
        );
    }
}

#[test]
fn trailguard_binary_runs_in_the_isolated_environment() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "empty", &unique_account_id());
    let out = trailguard(emulator, &seeded, ["--version"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
#[should_panic(expected = "seeding scenario \"no-such-scenario\"")]
fn failed_seeding_panics_with_the_reason() {
    seed(Emulator::shared(), "no-such-scenario", &unique_account_id());
}

#[test]
fn patch_guard_refuses_changed_moto_code() {
    // moto_server.py checks each patch target's source before patching; if moto moved on,
    // it must exit non-zero with a message instead of serving an unpatched emulator.
    let code = "import sys\n\
        sys.path.insert(0, sys.argv[1])\n\
        import moto_server\n\
        from moto.cloudtrail.models import Trail\n\
        moto_server.require_source(Trail.put_insight_selectors, 'code that is not there')\n\
        print('still running')\n";
    let dir = emulator_dir();
    let out = run_python(code, &[dir.to_str().expect("utf-8 path")], &[]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("Refusing to run unpatched"), "{stderr}");
    assert!(!String::from_utf8_lossy(&out.stdout).contains("still running"));
}
