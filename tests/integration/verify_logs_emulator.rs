//! The emulator side of `verify-logs` (issue 18 item 6): the patched moto serves
//! ListPublicKeys and LatestDigestDeliveryTime, `tests/emulator/generate_chain.py` writes
//! CloudTrail-faithful digest chains, and the real AWS CLI (`aws cloudtrail validate-logs`,
//! awscli from the emulator venv) judges them. Every case of
//! `tests/emulator/validate_logs_expected.json` is replayed here: the CLI must print
//! exactly what was recorded (exit status, stderr and stdout lines), and the intact
//! chains must validate with the counts the generator's manifest gives.
//!
//! Run: `cargo test --test integration verify_logs_emulator::`.

use std::collections::BTreeSet;

use crate::support::*;
use serde_json::Value;

/// The manifest's chain for `region`.
fn chain<'a>(manifest: &'a Value, region: &str) -> &'a Value {
    manifest["chains"]
        .as_array()
        .and_then(|chains| chains.iter().find(|c| c["region"] == region))
        .unwrap_or_else(|| panic!("manifest has no chain for {region}: {manifest:#}"))
}

/// Generates the case's chain in a fresh account, runs the CLI, and compares with the record.
fn replay(name: &str) -> Value {
    let case = &expectations()["cases"][name];
    assert!(
        case.is_object(),
        "no case {name} in validate_logs_expected.json"
    );
    let emulator = Emulator::shared();
    let account = unique_account_id();
    assert_ne!(
        account, DEFAULT_ACCOUNT,
        "chains go into non-default accounts"
    );
    let options = strings(&case["generate"], "generate");
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    let manifest = generate_chain(emulator, &account, &options);
    let region = match case["region"].as_str() {
        Some("home") => manifest_str(&manifest, "/home_region"),
        Some("other") => manifest_str(&manifest, "/regions/1"),
        other => panic!("case {name}: unknown region {other:?}"),
    };
    let cli = strings(&case["cli"], "cli");
    let cli: Vec<&str> = cli.iter().map(String::as_str).collect();
    let out = validate_logs(emulator, &manifest, region, &cli);
    let expected = |key: &str| -> Vec<String> {
        strings(&case[key], key)
            .iter()
            .map(|l| filled(l, &manifest))
            .collect()
    };
    let shown = format!(
        "case {name} ({region}): exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        out.status.code(),
        case["exit"].as_i64().map(|c| c as i32),
        "{shown}"
    );
    assert_eq!(lines(&out.stderr), expected("stderr"), "{shown}");
    assert_eq!(lines(&out.stdout), expected("stdout"), "{shown}");
    for tampered in manifest["tampered"].as_array().into_iter().flatten() {
        // What verify-logs must report at least: named objects, one item per problem.
        let items = tampered["expected_items"].as_array();
        assert!(items.is_some_and(|i| !i.is_empty()), "{tampered:#}");
        for item in items.into_iter().flatten() {
            let object = item["object"].as_str().unwrap_or_default();
            assert!(object.starts_with("s3://"), "{item:#}");
        }
    }
    if case["generate"]
        .as_array()
        .is_some_and(|g| !g.iter().any(|o| o == "--tamper"))
    {
        // An untampered chain: the CLI counts exactly what the manifest says was written.
        assert_counts(&manifest, region, &lines(&out.stdout), &shown);
    }
    manifest
}

/// The CLI's summary shows every digest and log file of the manifest's chain (and backfill) valid.
fn assert_counts(manifest: &Value, region: &str, stdout: &[String], shown: &str) {
    let chain = chain(manifest, region);
    let digests = &chain["expected"]["digests"];
    // Backfill digests (home region only) list log files of their own.
    let backfill = manifest["backfill"]
        .as_array()
        .map_or(&[][..], Vec::as_slice);
    let backfill_logs: usize = backfill
        .iter()
        .filter(|_| region == manifest_str(manifest, "/home_region"))
        .map(|b| b["logs"].as_array().map_or(0, Vec::len))
        .sum();
    let logs = chain["expected"]["logs"].as_u64().unwrap_or_default() as usize + backfill_logs;
    for want in [
        format!("{digests}/{digests} digest files valid"),
        format!("{logs}/{logs} log files valid"),
    ] {
        assert!(stdout.contains(&want), "expected {want:?}\n{shown}");
    }
}

macro_rules! cases {
    ($($test:ident => $name:literal,)*) => {
        $(#[test]
        fn $test() {
            replay($name);
        })*

        /// Every recorded case has a test above, so none is silently left out.
        #[test]
        fn every_recorded_case_is_replayed() {
            let tested: BTreeSet<&str> = [$($name),*].into_iter().collect();
            let recorded: BTreeSet<&str> = expectations()["cases"]
                .as_object()
                .expect("cases is an object")
                .keys()
                .map(String::as_str)
                .collect();
            assert_eq!(tested, recorded);
        }
    };
}

cases! {
    intact_chain_validates => "intact",
    intact_chain_validates_in_other_region => "intact-other-region",
    organization_trail_validates => "organization-trail",
    organization_trail_validates_in_other_region => "organization-trail-other-region",
    prefixed_trail_validates => "prefixed-trail",
    intact_chain_verbose_lists_every_valid_object => "intact-verbose",
    organization_trail_verbose_lists_every_valid_object => "organization-trail-verbose",
    backfill_digest_validates_as_its_own_chain => "backfill",
    modified_log_is_invalid => "modified-log",
    deleted_log_is_not_found => "deleted-log",
    bytes_after_gzip_are_invalid => "appended-log",
    uncompressed_log_is_invalid_format => "uncompressed-log",
    modified_digest_fails_signature => "modified-digest",
    deleted_middle_digest_is_not_found => "deleted-middle-digest",
    deleted_newest_digest_is_invisible_to_the_cli => "deleted-newest-digest",
    digest_copied_to_newest_key_has_moved => "copied-newest-digest",
    digest_copied_to_middle_key_is_invisible_to_the_cli => "copied-middle-digest",
    corrupted_newest_signature_fails => "bad-signature-newest",
    corrupted_middle_signature_fails => "bad-signature-middle",
    unlisted_key_is_not_found => "unlisted-key",
    unlisted_key_in_other_region_is_not_found => "unlisted-key-other-region",
    broken_link_resigned_is_invisible_to_the_cli => "relinked-digest",
}

fn cli_json(emulator: &Emulator, manifest: &Value, args: &[&str]) -> Value {
    let out = aws_cli(emulator, manifest, args);
    assert!(
        out.status.success(),
        "aws {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("aws {args:?} printed no JSON ({e})"))
}

fn fingerprints(answer: &Value) -> BTreeSet<String> {
    answer["PublicKeyList"]
        .as_array()
        .unwrap_or_else(|| panic!("no PublicKeyList: {answer}"))
        .iter()
        .map(|k| k["Fingerprint"].as_str().unwrap_or_default().to_string())
        .collect()
}

fn manifest_keys<'a>(manifest: &'a Value, region: &str) -> Vec<&'a Value> {
    manifest["keys"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|k| k["region"] == region)
        .collect()
}

#[test]
fn list_public_keys_serves_registered_keys_per_region_and_window() {
    let emulator = Emulator::shared();
    let manifest = generate_chain(emulator, &unique_account_id(), &[]);
    let list = |region: &str, start: &str, end: &str| {
        let args = [
            "cloudtrail",
            "list-public-keys",
            "--region",
            region,
            "--start-time",
            start,
            "--end-time",
            end,
            "--output",
            "json",
        ];
        cli_json(emulator, &manifest, &args)
    };
    let (start, end) = (
        manifest_str(&manifest, "/window/start"),
        manifest_str(&manifest, "/window/end"),
    );
    let home = list("us-east-1", start, end);
    for key in manifest_keys(&manifest, "us-east-1") {
        let fingerprint = key["fingerprint"].as_str().expect("fingerprint");
        let served = home["PublicKeyList"]
            .as_array()
            .and_then(|l| l.iter().find(|k| k["Fingerprint"] == fingerprint))
            .unwrap_or_else(|| panic!("key {fingerprint} not served in its window: {home:#}"));
        // Plain base64 of the DER PKCS#1 key, as the generator registered it.
        assert_eq!(served["Value"], key["value"]);
    }
    // Keys are per region: eu-west-1's keys are not served in us-east-1, and vice versa.
    let other = fingerprints(&list("eu-west-1", start, end));
    for key in manifest_keys(&manifest, "eu-west-1") {
        let fingerprint = key["fingerprint"].as_str().expect("fingerprint");
        assert!(!fingerprints(&home).contains(fingerprint));
        assert!(other.contains(fingerprint));
    }
    // A window long after both keys expired returns neither.
    let later = fingerprints(&list(
        "us-east-1",
        "2027-06-01T00:00:00Z",
        "2027-06-02T00:00:00Z",
    ));
    for key in manifest_keys(&manifest, "us-east-1") {
        assert!(!later.contains(key["fingerprint"].as_str().expect("fingerprint")));
    }
    // The rotation: a window inside the first key's validity only does not return the second.
    let early = fingerprints(&list(
        "us-east-1",
        "2026-02-25T00:00:00Z",
        "2026-02-26T00:00:00Z",
    ));
    let keys = manifest_keys(&manifest, "us-east-1");
    assert!(early.contains(keys[0]["fingerprint"].as_str().expect("fingerprint")));
    assert!(!early.contains(keys[1]["fingerprint"].as_str().expect("fingerprint")));
}

#[test]
fn list_public_keys_rejects_an_inverted_range() {
    let emulator = Emulator::shared();
    let manifest = generate_chain(emulator, &unique_account_id(), &[]);
    let args = [
        "cloudtrail",
        "list-public-keys",
        "--region",
        "us-east-1",
        "--start-time",
        "2026-03-02T00:00:00Z",
        "--end-time",
        "2026-03-01T00:00:00Z",
    ];
    let out = aws_cli(emulator, &manifest, &args);
    assert!(!out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("InvalidTimeRangeException"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn trail_status_reports_the_newest_digest_delivery() {
    let emulator = Emulator::shared();
    let manifest = generate_chain(emulator, &unique_account_id(), &[]);
    let args = [
        "cloudtrail",
        "get-trail-status",
        "--region",
        "us-east-1",
        "--name",
        manifest_str(&manifest, "/trail_arn"),
        "--output",
        "json",
    ];
    let status = cli_json(emulator, &manifest, &args);
    let newest = manifest_str(&manifest, "/latest_digest_delivery_time");
    assert_eq!(newest, "2026-03-01T08:05:00Z");
    // The JSON protocol sends epoch seconds, and awscli v1 prints them as received.
    assert_eq!(
        status["LatestDigestDeliveryTime"].as_i64(),
        Some(1_772_352_300), // 2026-03-01T08:05:00Z
        "{status:#}"
    );
}

#[test]
fn test_hook_rejects_a_key_that_is_not_base64_der() {
    let emulator = Emulator::shared();
    let body = br#"{"region": "us-east-1", "value": "bm90IGRlcg==", "validity_start": 0, "validity_end": 1}"#;
    let (status, answer) = emulator.request(
        "POST",
        "/trailguard-test/cloudtrail/public-keys",
        Some("application/json"),
        body,
    );
    assert_eq!(status, 400, "{}", String::from_utf8_lossy(&answer));
    assert!(String::from_utf8_lossy(&answer).contains("not DER"));
}

#[test]
fn an_sdk_gets_the_der_bytes_of_each_key() {
    // SDKs decode the base64 blob (the Rust SDK's `Blob` likewise): the caller must get the
    // DER PKCS#1 key itself, whose MD5 is the fingerprint.
    let emulator = Emulator::shared();
    let manifest = generate_chain(emulator, &unique_account_id(), &[]);
    let code = "import base64, boto3, hashlib, json, sys\n\
        ct = boto3.client('cloudtrail', region_name='us-east-1', endpoint_url=sys.argv[1])\n\
        keys = ct.list_public_keys(StartTime=sys.argv[2], EndTime=sys.argv[3])['PublicKeyList']\n\
        print(json.dumps({k['Fingerprint']: [base64.b64encode(k['Value']).decode(),\n\
            hashlib.md5(k['Value']).hexdigest(), k['Value'][:1] == b'\\x30'] for k in keys}))\n";
    let creds = [
        ("AWS_ACCESS_KEY_ID", "/credentials/access_key_id"),
        ("AWS_SECRET_ACCESS_KEY", "/credentials/secret_access_key"),
        ("AWS_SESSION_TOKEN", "/credentials/session_token"),
    ];
    let env: Vec<(&str, &str)> = creds
        .iter()
        .map(|(k, p)| (*k, manifest_str(&manifest, p)))
        .collect();
    let args = [
        emulator.endpoint(),
        manifest_str(&manifest, "/window/start").to_string(),
        manifest_str(&manifest, "/window/end").to_string(),
    ];
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_python(code, &args, &env);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let served: Value = serde_json::from_slice(&out.stdout).expect("JSON from the snippet");
    for key in manifest_keys(&manifest, "us-east-1") {
        let fingerprint = key["fingerprint"].as_str().expect("fingerprint");
        let got = &served[fingerprint];
        assert_eq!(got[0], key["value"], "DER bytes differ for {fingerprint}");
        assert_eq!(got[1], fingerprint, "MD5 of the DER is the fingerprint");
        assert_eq!(got[2], true, "DER starts with an ASN.1 SEQUENCE");
    }
}
