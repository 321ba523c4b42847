//! `trailguard scan` end to end: the real binary against the moto emulator — exit codes, every
//! output format in one run, waivers, baselines and `diff`.

use std::path::PathBuf;
use std::process::Output;

use crate::support::schema::{
    REPORT_SCHEMA, SARIF_SCHEMA, assert_valid, upload_validator, validator,
};
use crate::support::{
    Emulator, Seeded, repo_root, run_python, seed, trailguard, unique_account_id,
};
use serde_json::Value;

use crate::support::cli;

struct Dir(PathBuf);

impl Dir {
    fn new(tag: &str) -> Dir {
        let dir = std::env::temp_dir().join(format!(
            "trailguard-scan-{tag}-{}-{}",
            std::process::id(),
            unique_account_id()
        ));
        std::fs::create_dir_all(&dir).expect("temp dir");
        Dir(dir)
    }

    fn path(&self, name: &str) -> String {
        self.0.join(name).display().to_string()
    }
}

impl Drop for Dir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `scan` scoped to one region (trails are still discovered everywhere), plus `args`.
fn scan(emulator: &Emulator, seeded: &Seeded, args: &[&str]) -> Output {
    let mut all = vec!["scan", "--region", "us-east-1", "--color", "never"];
    all.extend_from_slice(args);
    trailguard(emulator, seeded, &all)
}

fn json_file(path: &str) -> Value {
    let body = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&body).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

fn findings<'a>(report: &'a Value, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["rule_id"] == rule)
        .collect()
}

fn finding<'a>(report: &'a Value, rule: &str, resource_suffix: &str) -> &'a Value {
    findings(report, rule)
        .into_iter()
        .find(|f| {
            f["resource"]["id"]
                .as_str()
                .is_some_and(|id| id.ends_with(resource_suffix))
        })
        .unwrap_or_else(|| panic!("no {rule} finding for …{resource_suffix}"))
}

#[test]
fn exit_codes_follow_the_gate() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "collector", &unique_account_id());

    let failing = scan(emulator, &seeded, &[]);
    assert_eq!(failing.status.code(), Some(1), "{}", cli::stderr(&failing));
    let out = cli::stdout(&failing);
    assert!(out.contains("CT-D02") && out.contains("FAIL"), "{out}");
    assert!(
        out.trim_end()
            .lines()
            .last()
            .is_some_and(|l| l.starts_with("exit 1")),
        "{out}"
    );

    let passing = scan(emulator, &seeded, &["--only", "CT-A01,CT-A02"]);
    assert_eq!(passing.status.code(), Some(0), "{}", cli::stdout(&passing));

    // Only a critical FAIL gates: the public bucket (CT-D02) is the one.
    let critical = scan(emulator, &seeded, &["--fail-on", "critical"]);
    assert_eq!(critical.status.code(), Some(1));
    let below = scan(
        emulator,
        &seeded,
        &["--fail-on", "critical", "--skip", "CT-D02"],
    );
    assert_eq!(below.status.code(), Some(0), "{}", cli::stdout(&below));

    let audit = scan(emulator, &seeded, &["--exit-zero"]);
    assert_eq!(audit.status.code(), Some(0));
    assert!(
        cli::stdout(&audit).contains("FAIL"),
        "--exit-zero still reports"
    );

    let bad_flag = scan(emulator, &seeded, &["--fail-on", "extreme"]);
    assert_eq!(bad_flag.status.code(), Some(2));
    let bad_rule = scan(emulator, &seeded, &["--only", "CT-A99"]);
    assert_eq!(bad_rule.status.code(), Some(2));
    assert!(cli::stderr(&bad_rule).contains("CT-A99"));
    // --exit-zero never hides "could not run".
    let still_2 = scan(emulator, &seeded, &["--exit-zero", "--only", "CT-A99"]);
    assert_eq!(still_2.status.code(), Some(2));
}

#[test]
fn every_format_in_one_run_and_the_evidence_rechecks_offline() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "collector", &unique_account_id());
    let dir = Dir::new("formats");
    let (txt, json, sarif, junit, md, inv) = (
        dir.path("report.txt"),
        dir.path("out/report.json"),
        dir.path("out/report.sarif"),
        dir.path("report.xml"),
        dir.path("summary.md"),
        dir.path("inventory.json"),
    );
    let out = scan(
        emulator,
        &seeded,
        &[
            "--output",
            &format!("text={txt}"),
            "--output",
            &format!("json={json}"),
            "--output",
            &format!("sarif={sarif}"),
            "--output",
            &format!("junit={junit}"),
            "--output",
            &format!("markdown={md}"),
            "--save-inventory",
            &inv,
        ],
    );
    assert_eq!(out.status.code(), Some(1), "{}", cli::stderr(&out));
    assert!(out.stdout.is_empty(), "every format went to a file");
    let stderr = cli::stderr(&out);
    assert!(stderr.contains("exit 1"), "the gate's reason is on stderr");
    assert_eq!(
        stderr.lines().count(),
        1,
        "no progress bar when stderr is not a terminal: {stderr}"
    );

    let report = json_file(&json);
    assert_eq!(report["schema"], "trailguard.report/v1");
    assert_eq!(report["run"]["mode"], "live");
    assert_eq!(report["gate"]["exit_code"], 1);
    assert_valid(&validator(REPORT_SCHEMA), &report, "JSON report");
    assert_eq!(finding(&report, "CT-D02", "-plain")["status"], "FAIL");
    assert_eq!(finding(&report, "CT-D02", "-locked")["status"], "PASS");
    assert_eq!(finding(&report, "CT-D01", "-deleted")["status"], "FAIL");
    assert_eq!(
        finding(&report, "CT-A07", "trail/stopped")["status"],
        "FAIL"
    );
    assert_eq!(
        finding(&report, "CT-A07", "trail/orphan")["status"],
        "FAIL",
        "bucket deleted"
    );
    assert_eq!(
        finding(&report, "CT-B04", &key_suffix(&seeded, "doomed"))["status"],
        "FAIL"
    );

    let log = json_file(&sarif);
    assert_valid(&validator(SARIF_SCHEMA), &log, "SARIF");
    assert_valid(&upload_validator(), &log, "SARIF (upload schema)");
    let results = log["runs"][0]["results"].as_array().expect("results");
    assert!(!results.is_empty());
    for r in results {
        let loc = &r["locations"][0];
        let uri = loc["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        // A virtual path naming the resource, never a file (of trailguard's repository or any).
        assert!(
            uri.starts_with("trailguard/aws/") && !uri.contains(':'),
            "{uri}"
        );
        assert!(
            !repo_root().join(uri).exists(),
            "{uri} is a repository file"
        );
        assert!(
            r["partialFingerprints"]
                .as_object()
                .is_some_and(|p| !p.is_empty())
        );
    }

    let xml = std::fs::read_to_string(&junit).expect("junit");
    let doc = roxmltree::Document::parse(&xml).expect("JUnit parses");
    let failures = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .count();
    let fails = report["summary"]["fail"].as_u64().expect("count") as usize;
    assert_eq!(failures, fails, "one <failure> per FAIL finding");

    let markdown = std::fs::read_to_string(&md).expect("markdown");
    assert!(
        markdown.contains("CT-D02") && markdown.contains('|'),
        "{markdown}"
    );
    let plain = std::fs::read_to_string(&txt).expect("text");
    assert!(!plain.contains('\u{1b}'), "no colour in a file");

    // The saved inventory re-checks offline to the same verdicts.
    let offline = crate::support::trailguard(
        emulator,
        &seeded,
        [
            "check",
            "--inventory",
            &inv,
            "--output",
            &format!("json={}", dir.path("offline.json")),
        ],
    );
    assert_eq!(offline.status.code(), Some(1), "{}", cli::stderr(&offline));
    let again = json_file(&dir.path("offline.json"));
    let verdicts = |r: &Value| -> Vec<(String, String)> {
        r["findings"]
            .as_array()
            .expect("findings")
            .iter()
            .map(|f| (f["fingerprint"].to_string(), f["status"].to_string()))
            .collect()
    };
    assert_eq!(verdicts(&again), verdicts(&report));
    assert_eq!(again["run"]["mode"], "offline");
}

fn key_suffix(seeded: &Seeded, name: &str) -> String {
    let arn = seeded.facts["kms_keys"][name]["arn"]
        .as_str()
        .expect("key arn");
    arn.rsplit('/').next().expect("key id").to_owned()
}

#[test]
fn waivers_valid_expired_unused_and_malformed() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "collector", &unique_account_id());
    let dir = Dir::new("waivers");
    let plain = format!("{}-plain", seeded.account_id);
    let waivers = dir.path("waivers.yaml");
    std::fs::write(
        &waivers,
        format!(
            "waivers:
  - id: public-website
    rule: CT-D02
    resource: \"{plain}\"
    reason: Static website bucket, tracked in SEC-1
    owner: web-team
    expires: 2099-12-31
  - id: long-gone
    rule: CT-B04
    resource: \"*\"
    reason: Key retired
    owner: crypto-team
    expires: 2020-01-01
  - id: nothing-matches
    rule: CT-B0*
    resource: \"arn:aws:cloudtrail:*:*:trail/does-not-exist\"
    reason: Old exception
    owner: someone
    expires: 2099-12-31
"
        ),
    )
    .expect("write waivers");
    let json = dir.path("report.json");
    let out = scan(
        emulator,
        &seeded,
        &[
            "--waivers",
            &waivers,
            "--fail-on",
            "critical",
            "--output",
            &format!("json={json}"),
        ],
    );
    // The only critical FAIL is waived: the gate passes.
    assert_eq!(out.status.code(), Some(0), "{}", cli::stderr(&out));
    let stderr = cli::stderr(&out);
    assert!(
        stderr.contains("long-gone") && stderr.contains("expired"),
        "{stderr}"
    );
    assert!(
        stderr.contains("nothing-matches") && stderr.contains("unused"),
        "{stderr}"
    );
    let report = json_file(&json);
    let waived = finding(&report, "CT-D02", "-plain");
    assert_eq!(
        waived["status"], "FAIL",
        "a waived finding keeps its status"
    );
    assert_eq!(waived["waiver"]["id"], "public-website");
    assert_eq!(waived["waiver"]["owner"], "web-team");
    let key = finding(&report, "CT-B04", &key_suffix(&seeded, "doomed"));
    assert!(key["waiver"].is_null(), "an expired waiver does not apply");

    let broken = dir.path("broken.yaml");
    std::fs::write(
        &broken,
        "waivers:\n  - rule: CT-D02\n    resource: \"*\"\n    reson: typo\n",
    )
    .expect("write");
    let out = scan(emulator, &seeded, &["--waivers", &broken]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = cli::stderr(&out);
    assert!(
        stderr.contains(&format!("{broken}:4:5")),
        "file:line:col of the typo: {stderr}"
    );
    assert!(out.stdout.is_empty(), "no report when the input is invalid");
}

#[test]
fn baseline_marks_new_and_resolved_and_diff_shows_the_drift() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "collector", &unique_account_id());
    let dir = Dir::new("baseline");
    let (before, after) = (dir.path("before.json"), dir.path("after.json"));
    let out = scan(emulator, &seeded, &["--output", &format!("json={before}")]);
    assert_eq!(out.status.code(), Some(1), "{}", cli::stderr(&out));

    // Drift: the stopped trail starts logging again; the good trail loses log validation.
    let env: Vec<(&str, String)> = seeded.aws_env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut env = env;
    let endpoint = emulator.endpoint();
    env.push(("ENDPOINT", &endpoint));
    let py = run_python(
        "import boto3, os\n\
         kw = dict(endpoint_url=os.environ['ENDPOINT'])\n\
         boto3.client('cloudtrail', region_name='us-west-2', **kw).start_logging(Name='stopped')\n\
         boto3.client('cloudtrail', region_name='us-east-1', **kw).update_trail(Name='multi', EnableLogFileValidation=False)\n",
        &[],
        &env,
    );
    assert!(py.status.success(), "{}", cli::stderr(&py));

    let out = scan(
        emulator,
        &seeded,
        &[
            "--baseline",
            &before,
            "--fail-on-new-only",
            "--output",
            &format!("json={after}"),
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "a new FAIL gates: {}",
        cli::stderr(&out)
    );
    let report = json_file(&after);
    assert_eq!(finding(&report, "CT-B01", "trail/multi")["baseline"], "new");
    assert_eq!(
        finding(&report, "CT-D02", "-plain")["baseline"],
        "unchanged"
    );
    let resolved = report["resolved"].as_array().expect("resolved");
    assert!(
        resolved.iter().any(|r| r["rule_id"] == "CT-A07"
            && r["resource"]["id"]
                .as_str()
                .is_some_and(|id| id.ends_with("trail/stopped"))),
        "{resolved:?}"
    );

    let diff = crate::support::trailguard(
        emulator,
        &seeded,
        ["diff", &before, &after, "--output", "json"],
    );
    assert_eq!(diff.status.code(), Some(0), "{}", cli::stderr(&diff));
    let drift: Value = serde_json::from_slice(&diff.stdout).expect("diff json");
    let flat = drift.to_string();
    assert!(flat.contains("CT-B01") && flat.contains("CT-A07"), "{flat}");
    let diff_text = crate::support::trailguard(
        emulator,
        &seeded,
        ["diff", &before, &after, "--color", "never"],
    );
    assert_eq!(diff_text.status.code(), Some(0));
    assert!(cli::stdout(&diff_text).contains("CT-B01"));
}
