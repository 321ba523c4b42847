//! `trailguard verify-logs` end to end (issue 18 "Done when"): the real binary, through the
//! real AWS SDK, against chains `generate_chain.py` writes into moto. Every case the AWS CLI
//! was recorded on (tests/emulator/validate_logs_expected.json, replayed against the live CLI
//! by `verify_logs_emulator`) is run through trailguard too: it must report every object the
//! CLI reports, with the same status, count the same valid digests and log files wherever the
//! CLI is right, and catch what the CLI misses (a deleted newest digest, a re-signed broken
//! link, a stray copy). Faults injected through the proxy must never read as valid.
//!
//! Run: `cargo test --test integration verify_logs_run::`.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::faults::{Fault, FaultProxy};
use crate::support::*;

/// The two source regions the generator writes (moto enables more; a real multi-region trail
/// would deliver digests in each, the generator does not, so the tests name these two).
const REGIONS: [&str; 2] = ["us-east-1", "eu-west-1"];

/// What one `verify-logs` run gave.
struct Verified {
    code: i32,
    stderr: String,
    report: Value,
}

impl Verified {
    fn shown(&self) -> String {
        format!(
            "exit {}\n--- stderr ---\n{}\n--- report ---\n{:#}",
            self.code, self.stderr, self.report
        )
    }

    /// Asserts the summary's count of valid `kind` (`digests` or `log_files`), showing the
    /// whole run when it differs.
    fn assert_valid(&self, kind: &str, expected: u64) {
        assert_eq!(
            self.report["summary"][kind]["valid"],
            expected,
            "{}",
            self.shown()
        );
    }

    /// (kind, status, s3 uri) of every item.
    fn items(&self) -> BTreeSet<(String, String, String)> {
        self.report["items"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|i| {
                let text = |k: &str| i[k].as_str().unwrap_or_default().to_owned();
                let uri = format!("s3://{}/{}", text("bucket"), text("key"));
                (text("kind"), text("status"), uri)
            })
            .collect()
    }

    /// The items whose `field` is `value`.
    fn items_where(&self, field: &str, value: &str) -> Vec<&Value> {
        self.report["items"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|i| i[field] == value)
            .collect()
    }

    /// The chain of `region` (the backfill one when `backfill`).
    fn chain(&self, region: &str, backfill: bool) -> &Value {
        self.report["chains"]
            .as_array()
            .and_then(|chains| {
                chains.iter().find(|c| {
                    c["region"] == region && c["backfill"].as_bool().unwrap_or(false) == backfill
                })
            })
            .unwrap_or_else(|| panic!("no chain for {region}\n{}", self.shown()))
    }
}

/// Runs `verify-logs` over the manifest's window and the generator's regions, as the chain's
/// account, with `extra` flags and environment.
fn verify(manifest: &Value, extra: &[&str], env: &[(&str, &str)]) -> Verified {
    let window = (
        manifest_str(manifest, "/window/start"),
        manifest_str(manifest, "/window/end"),
    );
    verify_in(manifest, window, extra, env)
}

/// [`verify`] over another window.
fn verify_in(
    manifest: &Value,
    (start, end): (&str, &str),
    extra: &[&str],
    env: &[(&str, &str)],
) -> Verified {
    let emulator = Emulator::shared();
    let seeded = chain_account(manifest);
    let dir = TempDir::new("verify-logs");
    let json = dir.0.join("verification.json");
    let mut args: Vec<String> = vec!["verify-logs".into()];
    for region in REGIONS {
        args.extend(["--region".into(), region.into()]);
    }
    args.extend([
        "--start-time".into(),
        start.into(),
        "--end-time".into(),
        end.into(),
        "--output".into(),
        format!("json={}", json.display()),
    ]);
    args.extend(extra.iter().map(|a| a.to_string()));
    let out = trailguard_with_env(emulator, &seeded, &args, env);
    let report = std::fs::read_to_string(&json)
        .ok()
        .map(|text| {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("report is not JSON: {e}"))
        })
        .unwrap_or(Value::Null);
    Verified {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        report,
    }
}

/// What the CLI reported for a case: (kind, status, uri) of every INVALID line, and its
/// "N/M digest files valid" / "N/M log files valid" counts.
struct CliSays {
    problems: BTreeSet<(String, String, String)>,
    digests_valid: u64,
    logs_valid: u64,
    backfill_valid: u64,
}

fn cli_says(case: &Value, manifest: &Value) -> CliSays {
    let mut lines = strings(&case["stderr"], "stderr");
    lines.extend(strings(&case["stdout"], "stdout"));
    let mut says = CliSays {
        problems: BTreeSet::new(),
        digests_valid: 0,
        logs_valid: 0,
        backfill_valid: 0,
    };
    for line in lines.iter().map(|l| filled(l, manifest)) {
        let fields: Vec<&str> = line.split('\t').collect();
        if let [what, uri, verdict] = fields[..]
            && let Some(reason) = verdict.strip_prefix("INVALID: ")
        {
            let kind = if what.ends_with("Log file") {
                "log_file"
            } else {
                "digest"
            };
            let status = if reason == "not found" {
                "missing"
            } else {
                "invalid"
            };
            says.problems
                .insert((kind.into(), status.into(), uri.to_owned()));
        }
        let valid = || line.split('/').next().and_then(|n| n.parse::<u64>().ok());
        if line.contains("backfill digest files valid") {
            says.backfill_valid = valid().unwrap_or_default();
        } else if line.contains(" digest files valid") {
            says.digests_valid = valid().unwrap_or_default();
        } else if line.contains(" log files valid") {
            says.logs_valid = valid().unwrap_or_default();
        }
    }
    says
}

/// Generates the recorded case's chain, runs trailguard on it, and holds trailguard to what
/// the CLI reported. Returns the manifest and the run for case-specific checks.
fn against_cli(name: &str) -> (Value, Verified) {
    let case = &expectations()["cases"][name];
    assert!(
        case.is_object(),
        "no case {name} in validate_logs_expected.json"
    );
    let options = strings(&case["generate"], "generate");
    let options: Vec<&str> = options.iter().map(String::as_str).collect();
    let manifest = generate_chain(Emulator::shared(), &unique_account_id(), &options);
    let region = match case["region"].as_str() {
        Some("home") => manifest_str(&manifest, "/home_region").to_owned(),
        _ => manifest_str(&manifest, "/regions/1").to_owned(),
    };
    let run = verify(&manifest, &[], &[]);
    let cli = cli_says(case, &manifest);
    let items = run.items();
    for problem in &cli.problems {
        assert!(
            items.contains(problem),
            "case {name}: the CLI reports {problem:?}, trailguard does not\n{}",
            run.shown()
        );
    }
    let chain = run.chain(&region, false);
    let logs_valid = chain["log_files"]["valid"].as_u64().unwrap_or_default();
    let backfill_logs = if cli.backfill_valid > 0 {
        run.chain(&region, true)["log_files"]["valid"]
            .as_u64()
            .unwrap_or_default()
    } else {
        0
    };
    assert_eq!(
        logs_valid + backfill_logs,
        cli.logs_valid,
        "case {name}: valid log files in {region}\n{}",
        run.shown()
    );
    let digests_valid = chain["digests"]["valid"].as_u64().unwrap_or_default();
    let beyond_cli = [
        "deleted-newest-digest",
        "copied-middle-digest",
        "relinked-digest",
    ];
    if beyond_cli.contains(&name) {
        assert!(
            digests_valid <= cli.digests_valid,
            "case {name}\n{}",
            run.shown()
        );
    } else {
        assert_eq!(
            digests_valid,
            cli.digests_valid,
            "case {name}: valid digests in {region}\n{}",
            run.shown()
        );
    }
    let expected_exit = if cli.problems.is_empty() && !beyond_cli.contains(&name) {
        0
    } else {
        1
    };
    assert_eq!(run.code, expected_exit, "case {name}\n{}", run.shown());
    (manifest, run)
}

/// The generator's own expectation for a tampered case (kind, status, object).
fn expected_items(manifest: &Value) -> BTreeSet<(String, String, String)> {
    manifest["tampered"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|t| t["expected_items"].as_array().into_iter().flatten())
        .map(|e| {
            let text = |k: &str| e[k].as_str().unwrap_or_default().to_owned();
            (text("kind"), text("status"), text("object"))
        })
        .collect()
}

macro_rules! agrees_with_cli {
    ($($test:ident => $name:literal,)*) => {
        $(#[test]
        fn $test() {
            let (manifest, run) = against_cli($name);
            // Everything the generator knows it broke is reported (a cut is checked below).
            let items = run.items();
            for expected in expected_items(&manifest) {
                if expected.1 != "cut" {
                    assert!(items.contains(&expected), "{expected:?}\n{}", run.shown());
                }
            }
        })*
    };
}

agrees_with_cli! {
    intact_chain_verifies_like_the_cli => "intact",
    intact_chain_in_other_region_verifies_like_the_cli => "intact-other-region",
    organization_trail_verifies_like_the_cli => "organization-trail",
    organization_trail_other_region_verifies_like_the_cli => "organization-trail-other-region",
    prefixed_trail_verifies_like_the_cli => "prefixed-trail",
    backfill_chain_verifies_like_the_cli => "backfill",
    modified_log_is_invalid => "modified-log",
    deleted_log_is_missing => "deleted-log",
    bytes_after_gzip_are_invalid => "appended-log",
    uncompressed_log_is_invalid => "uncompressed-log",
    modified_digest_is_invalid => "modified-digest",
    deleted_middle_digest_is_missing => "deleted-middle-digest",
    digest_copied_to_newest_key_is_invalid => "copied-newest-digest",
    corrupted_newest_signature_is_invalid => "bad-signature-newest",
    corrupted_middle_signature_is_invalid => "bad-signature-middle",
    digest_signed_by_unlisted_key_is_invalid => "unlisted-key",
    unlisted_key_in_other_region_is_invalid => "unlisted-key-other-region",
}

#[test]
fn intact_chain_exits_zero_and_reports_the_gap_with_its_times() {
    let (_, run) = against_cli("intact");
    let gaps = run.items_where("kind", "gap");
    assert_eq!(gaps.len(), 1, "{}", run.shown());
    assert_eq!(gaps[0]["region"], "us-east-1");
    assert_eq!(gaps[0]["start"], "2026-03-01T03:40:00Z");
    assert_eq!(gaps[0]["end"], "2026-03-01T05:10:00Z");
    assert_eq!(run.report["summary"]["chains"], 2, "{}", run.shown());
    assert_eq!(run.report["schema"], "trailguard.verification/v1");
}

#[test]
fn fail_on_gaps_turns_a_gap_into_exit_one() {
    let manifest = generate_chain(Emulator::shared(), &unique_account_id(), &[]);
    let run = verify(&manifest, &["--fail-on-gaps"], &[]);
    assert_eq!(run.code, 1, "{}", run.shown());
}

#[test]
fn deleted_newest_digest_is_a_cut_chain_the_cli_misses() {
    let (manifest, run) = against_cli("deleted-newest-digest");
    let cut = run.items_where("status", "cut");
    assert_eq!(cut.len(), 1, "{}", run.shown());
    assert_eq!(cut[0]["region"], "us-east-1");
    assert_eq!(
        cut[0]["end"],
        manifest_str(&manifest, "/latest_digest_delivery_time")
    );
}

#[test]
fn relinked_digest_is_invalid_though_the_cli_passes_it() {
    let (manifest, run) = against_cli("relinked-digest");
    let items = run.items();
    for expected in expected_items(&manifest) {
        assert!(items.contains(&expected), "{expected:?}\n{}", run.shown());
    }
}

#[test]
fn digest_copied_to_a_middle_key_is_unexpected_though_the_cli_passes_it() {
    let (manifest, run) = against_cli("copied-middle-digest");
    let items = run.items();
    for expected in expected_items(&manifest) {
        assert!(items.contains(&expected), "{expected:?}\n{}", run.shown());
    }
    assert!(
        items.iter().any(|(_, status, _)| status == "unexpected"),
        "{}",
        run.shown()
    );
}

/// An intact chain (written with `options`) verified through a proxy that applies `faults`.
fn verify_with_faults(options: &[&str], faults: Vec<Fault>) -> Verified {
    let emulator = Emulator::shared();
    let manifest = generate_chain(emulator, &unique_account_id(), options);
    let proxy = FaultProxy::for_account(emulator, &chain_account(&manifest), faults);
    let endpoint = proxy.endpoint();
    verify(&manifest, &[], &[("AWS_ENDPOINT_URL", &endpoint)])
}

/// Fail closed: a denied `GetObject` on the log files leaves them invalid (naming the call),
/// never valid; the digests still verify.
#[test]
fn denied_log_reads_are_never_valid() {
    let run = verify_with_faults(
        &[],
        vec![Fault::deny("s3:GetObject").path_contains("/CloudTrail/")],
    );
    assert_eq!(run.code, 1, "{}", run.shown());
    let summary = &run.report["summary"];
    run.assert_valid("log_files", 0);
    assert_eq!(summary["log_files"]["invalid"], 28, "{}", run.shown());
    run.assert_valid("digests", 15);
    let reasons: Vec<&str> = run
        .items_where("kind", "log_file")
        .iter()
        .filter_map(|i| i["reason"].as_str())
        .collect();
    assert!(
        reasons.iter().all(|r| r.contains("s3:GetObject")),
        "{reasons:?}"
    );
}

/// Fail closed: without the public keys no digest is called valid.
#[test]
fn denied_public_keys_leave_every_chain_in_error() {
    let run = verify_with_faults(&[], vec![Fault::deny("cloudtrail:ListPublicKeys")]);
    assert_eq!(run.code, 1, "{}", run.shown());
    let summary = &run.report["summary"];
    run.assert_valid("digests", 0);
    run.assert_valid("log_files", 0);
    assert_eq!(summary["errors"], 2, "{}", run.shown());
    for chain in run.report["chains"].as_array().into_iter().flatten() {
        let error = chain["error"].as_str().unwrap_or_default();
        assert!(error.contains("cloudtrail:ListPublicKeys"), "{chain:#}");
    }
}

/// Fail closed: a digest listing that is denied is an error, not an empty (valid) chain.
#[test]
fn denied_digest_listing_is_an_error_not_an_empty_chain() {
    let run = verify_with_faults(&[], vec![Fault::deny("s3:ListObjectsV2")]);
    assert_eq!(run.code, 1, "{}", run.shown());
    assert_eq!(run.report["summary"]["errors"], 2, "{}", run.shown());
    run.assert_valid("digests", 0);
}

#[test]
fn a_trail_that_does_not_exist_is_exit_two_naming_it() {
    let manifest = generate_chain(Emulator::shared(), &unique_account_id(), &[]);
    let run = verify(&manifest, &["--trail", "no-such-trail"], &[]);
    assert_eq!(run.code, 2, "{}", run.shown());
    assert!(run.stderr.contains("no-such-trail"), "{}", run.shown());
}

#[test]
fn a_named_trail_is_verified_by_name_and_by_arn() {
    let manifest = generate_chain(Emulator::shared(), &unique_account_id(), &[]);
    let arn = manifest_str(&manifest, "/trail_arn");
    for trail in ["chain-trail", arn] {
        let run = verify(&manifest, &["--trail", trail], &[]);
        assert_eq!(run.code, 0, "{}", run.shown());
        run.assert_valid("digests", 15);
    }
}

/// A period before the chain began holds no digest: nothing is proven, so exit 2 — not a pass,
/// and not a cut (CloudTrail's later deliveries say nothing about that period).
#[test]
fn a_period_without_digests_is_exit_two_not_a_pass() {
    let manifest = generate_chain(Emulator::shared(), &unique_account_id(), &[]);
    let run = verify_in(
        &manifest,
        ("2026-02-01T00:00:00Z", "2026-02-01T08:00:00Z"),
        &[],
        &[],
    );
    assert_eq!(run.code, 2, "{}", run.shown());
    assert!(
        run.stderr.contains("0 digest files in the period"),
        "{}",
        run.shown()
    );
}

/// SSE-KMS log files (CloudTrail's encryption with the trail's key) are read through S3 like
/// any other: they verify, and the objects really are stored with `aws:kms`.
#[test]
fn sse_kms_log_files_verify_transparently() {
    let emulator = Emulator::shared();
    let manifest = generate_chain(emulator, &unique_account_id(), &["--sse-kms"]);
    let log = manifest["chains"][0]["digests"][0]["logs"][0]
        .as_str()
        .expect("a log file in the manifest");
    let bucket = manifest_str(&manifest, "/bucket");
    let head = aws_cli(
        emulator,
        &manifest,
        &["s3api", "head-object", "--bucket", bucket, "--key", log],
    );
    let head = String::from_utf8_lossy(&head.stdout);
    assert!(
        head.contains("\"ServerSideEncryption\": \"aws:kms\""),
        "{head}"
    );
    let run = verify(&manifest, &[], &[]);
    assert_eq!(run.code, 0, "{}", run.shown());
    run.assert_valid("log_files", 28);
}

/// Without `kms:Decrypt` S3 refuses the SSE-KMS object (403 AccessDenied naming KMS): each such
/// log file is invalid with that reason — never valid, never silently skipped.
#[test]
fn sse_kms_log_files_without_decrypt_are_invalid_naming_kms() {
    let body = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>AccessDenied</Code>\
                <Message>User: arn:aws:sts::123456789012:assumed-role/audit/x is not authorized \
                to perform: kms:Decrypt on the resource associated with this ciphertext because \
                no identity-based policy allows the kms:Decrypt action</Message></Error>";
    let fault =
        Fault::answer("s3:GetObject", 403, "application/xml", body).path_contains("/CloudTrail/");
    let run = verify_with_faults(&["--sse-kms"], vec![fault]);
    assert_eq!(run.code, 1, "{}", run.shown());
    run.assert_valid("log_files", 0);
    let logs = run.items_where("kind", "log_file");
    assert_eq!(logs.len(), 28, "{}", run.shown());
    for item in logs {
        assert_eq!(item["status"], "invalid");
        let reason = item["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("kms:Decrypt"), "{reason}");
    }
}

/// With `--org`, an organization trail's chains are verified for every account of the
/// organization (here the management account, whose own activity the trail also logs).
#[test]
fn org_flag_verifies_the_organization_accounts_chains() {
    let account = unique_account_id();
    let manifest = generate_chain(
        Emulator::shared(),
        &account,
        &["--org", "--member-account", &account],
    );
    let run = verify(&manifest, &["--org"], &[]);
    assert_eq!(run.code, 0, "{}", run.shown());
    run.assert_valid("digests", 15);
    run.assert_valid("log_files", 28);
}

/// With `--org`, an account of the organization whose digest folder is gone is not skipped:
/// CloudTrail delivered digests in the period, so its chains are cut. A member folder found in
/// the bucket is verified too.
#[test]
fn org_flag_reports_a_vanished_account_folder_as_cut() {
    let member = unique_account_id();
    let manifest = generate_chain(
        Emulator::shared(),
        &unique_account_id(),
        &["--org", "--member-account", &member],
    );
    let run = verify(&manifest, &["--org"], &[]);
    assert_eq!(run.code, 1, "{}", run.shown());
    let management = manifest_str(&manifest, "/account_id");
    let cut = run.items_where("status", "cut");
    assert_eq!(cut.len(), 2, "one per source region\n{}", run.shown());
    assert!(
        cut.iter().all(|c| c["account_id"] == management),
        "{}",
        run.shown()
    );
    let member_valid: u64 = run.report["chains"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| c["account_id"] == member.as_str())
        .filter_map(|c| c["digests"]["valid"].as_u64())
        .sum();
    assert_eq!(member_valid, 15, "{}", run.shown());
}

/// Fail closed: a bucket that cannot be located is one error for the trail (counted once),
/// never an empty, passing chain.
#[test]
fn an_unlocatable_bucket_is_one_error_not_a_pass() {
    let run = verify_with_faults(
        &[],
        vec![
            Fault::deny("s3:HeadBucket"),
            Fault::deny("s3:GetBucketLocation"),
        ],
    );
    assert_eq!(run.code, 1, "{}", run.shown());
    assert_eq!(run.report["summary"]["errors"], 1, "{}", run.shown());
    run.assert_valid("digests", 0);
    let errors = run.items_where("status", "error");
    assert_eq!(errors.len(), 1, "{}", run.shown());
    let reason = errors[0]["reason"].as_str().unwrap_or_default();
    assert!(reason.contains("s3:HeadBucket"), "{reason}");
}
