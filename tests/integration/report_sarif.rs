//! SARIF: valid against the OASIS 2.1.0 schema and codeql-action's upload schema (copies in
//! `tests/fixtures/schemas/`), and meeting GitHub's ingestion rules, which no schema checks:
//! relative scheme-free locations, one category per account group whatever the account count,
//! ERROR findings as results, the 25,000-result cap, fingerprints stable across scans.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::cli::{code, run, stderr};
use crate::support::repo_root;
use crate::support::report_fixture as fixture;
use crate::support::schema::{SARIF_SCHEMA, assert_valid, upload_validator, validator};

use serde_json::Value;
use trailguard::finding::Status;
use trailguard::report::{Format, RenderOptions, Report};

fn sarif(report: &Report, options: RenderOptions) -> Value {
    let text = fixture::render(report, Format::Sarif, &options);
    assert!(text.ends_with("}\n"));
    serde_json::from_str(&text).expect("SARIF is JSON")
}

fn runs(log: &Value) -> &Vec<Value> {
    log["runs"].as_array().expect("runs")
}

fn results(log: &Value) -> Vec<&Value> {
    runs(log)
        .iter()
        .flat_map(|r| r["results"].as_array().expect("results"))
        .collect()
}

#[test]
fn validates_against_the_oasis_and_upload_schemas() {
    let report = fixture::report();
    for (schema, name) in [
        (validator(SARIF_SCHEMA), "OASIS"),
        (upload_validator(), "upload"),
    ] {
        assert_valid(&schema, &sarif(&report, RenderOptions::default()), name);
        assert_valid(
            &schema,
            &sarif(
                &report,
                RenderOptions {
                    sarif_include_waived: true,
                    ..RenderOptions::default()
                },
            ),
            name,
        );
    }
}

#[test]
fn the_schema_check_is_not_vacuous() {
    let mut log = sarif(&fixture::report(), RenderOptions::default());
    log["runs"][0]["results"][0]["level"] = Value::from("high");
    for (schema, name) in [
        (validator(SARIF_SCHEMA), "OASIS"),
        (upload_validator(), "upload"),
    ] {
        assert!(
            !schema.is_valid(&log),
            "level `high` must not validate against the {name} schema"
        );
    }
}

/// FAIL and ERROR findings are results (an unread control is an alert too); waived ones are
/// left out by default.
#[test]
fn only_unwaived_fail_and_error_results_by_default() {
    let report = fixture::report();
    let log = sarif(&report, RenderOptions::default());
    assert!(report.summary.error > 0, "the fixture has ERROR findings");
    let expected: std::collections::BTreeSet<&str> = report
        .findings
        .iter()
        .filter(|f| matches!(f.status, Status::Fail | Status::Error) && f.waiver.is_none())
        .map(|f| f.fingerprint.as_str())
        .collect();
    let got: std::collections::BTreeSet<&str> = results(&log)
        .iter()
        .map(|r| {
            r["partialFingerprints"]["trailguard/v1"]
                .as_str()
                .expect("key")
        })
        .collect();
    assert_eq!(got, expected);
    assert_eq!(results(&log).len(), expected.len());
    assert!(
        results(&log)
            .iter()
            .all(|r| r.get("suppressions").is_none())
    );
}

#[test]
fn waived_results_on_request_with_suppressions_on_every_result() {
    let report = fixture::report();
    let log = sarif(
        &report,
        RenderOptions {
            sarif_include_waived: true,
            ..RenderOptions::default()
        },
    );
    let all = results(&log);
    assert_eq!(all.len(), report.summary.fail + report.summary.error);
    let suppressed: Vec<&&Value> = all
        .iter()
        .filter(|r| {
            !r["suppressions"]
                .as_array()
                .expect("every result has one")
                .is_empty()
        })
        .collect();
    assert_eq!(suppressed.len(), 1);
    assert_eq!(suppressed[0]["suppressions"][0]["kind"], "external");
    assert!(
        suppressed[0]["suppressions"][0]["justification"]
            .as_str()
            .is_some_and(|j| j.starts_with("W-001"))
    );
}

/// GitHub rejects a whole upload for a result without a repository-relative physical
/// location, and collapses results that share a location unless fingerprints differ.
#[test]
fn every_result_meets_githubs_rules() {
    let report = fixture::report();
    let log = sarif(&report, RenderOptions::default());
    assert_eq!(log["version"], "2.1.0");
    let mut fingerprints = std::collections::BTreeSet::new();
    for run in runs(&log) {
        let rules = run["tool"]["driver"]["rules"].as_array().expect("rules");
        for r in run["results"].as_array().expect("results") {
            let loc = &r["locations"][0];
            let uri = loc["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("a physical location with a uri");
            assert_relative_resource_path(uri, r);
            assert_eq!(loc["physicalLocation"]["region"]["startLine"], 1);
            assert!(
                !loc["logicalLocations"]
                    .as_array()
                    .expect("logical")
                    .is_empty(),
                "the resource is in logicalLocations"
            );
            let fp = r["partialFingerprints"]["primaryLocationLineHash"]
                .as_str()
                .expect("our own line hash");
            assert!(
                fingerprints.insert(fp.to_owned()),
                "{fp}: fingerprint reused"
            );
            let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
            assert_eq!(rules[index]["id"], r["ruleId"]);
            let level = r["level"].as_str().expect("level");
            let severity = r["properties"]["severity"].as_str().expect("severity");
            let want = match (r["properties"]["status"].as_str(), severity) {
                (Some("ERROR"), _) => "warning",
                (_, "critical" | "high") => "error",
                (_, "medium") => "warning",
                _ => "note",
            };
            assert_eq!(level, want, "{severity} maps to {want}");
            assert!(!r["message"]["text"].as_str().unwrap_or("").is_empty());
        }
        for rule in rules {
            let tags = rule["properties"]["tags"].as_array().expect("tags");
            assert!(tags.len() <= 10, "GitHub keeps 10 tags");
            assert!(tags.contains(&Value::from("security")));
            assert!(rule["properties"]["security-severity"].is_string());
            assert!(
                rule["help"]["markdown"]
                    .as_str()
                    .is_some_and(|m| m.contains("**Fix.**"))
            );
            assert!(
                rule["shortDescription"]["text"]
                    .as_str()
                    .is_some_and(|t| t.len() <= 1024)
            );
            assert!(
                rule["fullDescription"]["text"]
                    .as_str()
                    .is_some_and(|t| t.chars().count() <= 1024)
            );
        }
    }
}

/// A location GitHub accepts and that names the result's resource: relative, no scheme, no
/// `.`/`..` segment, no backslash, under `trailguard/<partition>/<account>/`, and no file of
/// this repository (never a rule file, which the user's repository does not have).
fn assert_relative_resource_path(uri: &str, result: &Value) {
    let account = result["properties"]["account_id"]
        .as_str()
        .expect("account");
    assert!(
        uri.starts_with(&format!("trailguard/aws/{account}/")),
        "{uri}: not under trailguard/aws/{account}/"
    );
    assert!(
        !uri.contains(':') && !uri.contains('\\'),
        "{uri}: a scheme or a backslash"
    );
    assert!(
        uri.split('/')
            .all(|s| !s.is_empty() && s != "." && s != ".."),
        "{uri}: an empty, `.` or `..` segment"
    );
    assert!(
        !Path::new(uri).is_absolute() && !repo_root().join(uri).exists(),
        "{uri}: absolute, or a path of trailguard's own repository"
    );
}

/// One run per account group (the last digit of the id), each with its own category; ERROR
/// findings are `warning` results naming the failed call, not notifications.
#[test]
fn one_run_per_account_group_with_errors_as_results() {
    let report = fixture::report();
    let log = sarif(&report, RenderOptions::default());
    let ids: Vec<&str> = runs(&log)
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().expect("id"))
        .collect();
    // Both fixture accounts (345678901234, 482916375024) end in 4: one group, one run.
    assert_eq!(
        ids,
        ["trailguard/aws/accounts-ending-4/2026-11-20T09:14:41Z"]
    );
    let mut errors = 0;
    for run in runs(&log) {
        let inv = &run["invocations"][0];
        assert_eq!(inv["executionSuccessful"], true);
        assert_eq!(inv["toolExecutionNotifications"], Value::Array(Vec::new()));
        assert!(
            run["tool"]["driver"]["informationUri"]
                .as_str()
                .is_some_and(|u| u.starts_with("https://"))
        );
        for r in run["results"].as_array().expect("results") {
            // SARIF §3.27.10: any kind but `fail` requires level `none`.
            assert_eq!(r["kind"], "fail");
            if r["properties"]["status"] != "ERROR" {
                assert_eq!(r["properties"]["status"], "FAIL");
                continue;
            }
            errors += 1;
            assert_eq!(r["level"], "warning");
            let text = r["message"]["text"].as_str().expect("text");
            assert!(
                text.contains(" could not be evaluated on ") && text.contains(" failed: "),
                "names the rule, the resource and the failed call: {text}"
            );
        }
    }
    assert_eq!(errors, report.summary.error);
}

#[test]
fn sarif_snapshot() {
    let text = fixture::render(&fixture::report(), Format::Sarif, &RenderOptions::default());
    insta::assert_snapshot!("report_sarif", text);
}

/// Rules from `--rules DIR` given as an absolute path: no result, and nothing in the file,
/// carries that path (or the rule file's); an info rule maps to `note`, security-severity
/// `0.0`.
#[test]
fn user_rules_leave_no_file_path_behind() {
    use trailguard::evaluate::evaluate;
    use trailguard::report::{Annotations, GateSummary, Mode, ReportInput, RunInfo};

    let dirs = [
        repo_root().join("tests/fixtures/rules/good"),
        std::path::PathBuf::from("tests/fixtures/rules/override"),
    ];
    let rules = trailguard::rules::load(false, &dirs)
        .unwrap_or_else(|p| panic!("{}", p.render(false)))
        .rules;
    let inventory = fixture::inventory();
    let now = fixture::ts("2026-11-20T09:14:41Z");
    let report = Report::build(ReportInput {
        rules: &rules,
        findings: evaluate(&rules, &inventory, now),
        inventory: Some(&inventory),
        collection_errors: trailguard::report::collection_errors(&inventory),
        run: RunInfo {
            mode: Mode::Live,
            started_at: now,
            finished_at: now,
            accounts: Vec::new(),
            regions: Vec::new(),
            inventory_files: Vec::new(),
            framework: None,
        },
        annotations: Annotations::default(),
        gate: GateSummary {
            exit_code: 1,
            failed: true,
            reason: "user rules".into(),
            fail_on: None,
            allow_errors: false,
            exit_zero: false,
            fail_on_new_only: false,
        },
    });
    let text = fixture::render(&report, Format::Sarif, &RenderOptions::default());
    let root = repo_root().to_string_lossy().into_owned();
    assert!(!text.contains(&root), "an absolute path in the SARIF");
    assert!(
        !text.contains("tests/fixtures/rules"),
        "a rule file path in the SARIF"
    );
    let log: Value = serde_json::from_str(&text).expect("JSON");
    assert_valid(&upload_validator(), &log, "SARIF");
    let all = results(&log);
    assert!(!all.is_empty(), "the user rules fail on the legacy account");
    for r in all {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert_relative_resource_path(uri, r);
    }
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let b08 = rules.iter().find(|r| r["id"] == "CT-B08").expect("CT-B08");
    assert_eq!(b08["defaultConfiguration"]["level"], "note");
    assert_eq!(b08["properties"]["security-severity"], "0.0");
}

/// `automationDetails.id` → category (GitHub: the id up to its last `/`), per account found in
/// the run's results.
fn categories_by_account(log: &Value) -> BTreeMap<String, BTreeSet<String>> {
    let mut by_account: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for run in runs(log) {
        let id = run["automationDetails"]["id"].as_str().expect("id");
        let category = id.rsplit_once('/').map(|(c, _)| c).expect("a category");
        for r in run["results"].as_array().expect("results") {
            let account = r["properties"]["account_id"].as_str().expect("account");
            by_account
                .entry(account.to_owned())
                .or_default()
                .insert(category.to_owned());
        }
    }
    by_account
}

/// Never a switch to one shared run: the same account keeps its category when many more
/// accounts are audited, runs stay within GitHub's 20 per file, and no two runs share a
/// category (GitHub rejects such a file).
#[test]
fn many_accounts_keep_their_categories() {
    let report = fixture::report();
    let few = categories_by_account(&sarif(&report, RenderOptions::default()));
    let mut many = report.clone();
    many.run.accounts = (0..1000).map(|i| format!("{:012}", i)).collect();
    many.run
        .accounts
        .extend(report.run.accounts.iter().cloned());
    let log = sarif(&many, RenderOptions::default());
    assert_valid(&upload_validator(), &log, "SARIF");
    assert!(runs(&log).len() <= 20, "{} runs", runs(&log).len());
    let mut seen = BTreeSet::new();
    for run in runs(&log) {
        let id = run["automationDetails"]["id"].as_str().expect("id");
        let category = id
            .rsplit_once('/')
            .map(|(c, _)| c.to_owned())
            .expect("category");
        assert!(seen.insert(category), "{id}: a category used twice");
    }
    assert_eq!(categories_by_account(&log), few);
    for categories in few.values() {
        assert_eq!(categories.len(), 1, "one account, one category");
    }
}

/// `--sarif-category` replaces the `trailguard/aws` prefix, never the account group.
#[test]
fn the_category_prefix_is_the_flags() {
    let log = sarif(
        &fixture::report(),
        RenderOptions {
            sarif_category: Some("cloud/prod".into()),
            ..RenderOptions::default()
        },
    );
    for run in runs(&log) {
        let id = run["automationDetails"]["id"].as_str().expect("id");
        assert!(id.starts_with("cloud/prod/accounts-ending-"), "{id}");
    }
}

/// Past 25,000 results in one run, the most severe 25,000 are kept and a notification says
/// how many were left out.
#[test]
fn a_run_is_capped_at_25000_results_with_a_notification() {
    let mut report = fixture::report();
    let template = report
        .findings
        .iter()
        .find(|f| f.status == Status::Fail && f.severity == trailguard::rules::Severity::Low)
        .cloned()
        .expect("a low FAIL");
    let critical = report
        .findings
        .iter()
        .find(|f| {
            f.status == Status::Fail
                && f.severity >= trailguard::rules::Severity::High
                && !f.is_waived()
        })
        .cloned()
        .expect("an unwaived high or critical FAIL");
    report.findings = (0..25_000)
        .map(|i| {
            let mut f = template.clone();
            f.resource.id = format!("bucket-{i:05}");
            f.fingerprint = format!("low{i:013}");
            f
        })
        .collect();
    report.findings.push(critical.clone());
    let log = sarif(&report, RenderOptions::default());
    let run = &runs(&log)[0];
    let kept = run["results"].as_array().expect("results");
    assert_eq!(kept.len(), 25_000);
    assert!(
        kept.iter()
            .any(|r| r["partialFingerprints"]["trailguard/v1"] == critical.fingerprint.as_str()),
        "the most severe result is kept"
    );
    let notes = run["invocations"][0]["toolExecutionNotifications"]
        .as_array()
        .expect("notifications");
    assert_eq!(notes.len(), 1);
    let text = notes[0]["message"]["text"].as_str().expect("text");
    assert!(
        text.starts_with("1 of 25001 results of category trailguard/aws/"),
        "{text}"
    );
    assert!(text.contains("at most 25000 results per run"), "{text}");
}

/// `examples/demo-inventory.json` with `n` accounts: copies of its accounts under ids
/// `7000000000NN` (the first ones the same for every `n`); with `collected`, collected at that
/// time (which no rule reads: `--now` is fixed).
fn demo_inventory(dir: &Path, n: usize, collected: Option<&str>) -> std::path::PathBuf {
    let text = std::fs::read_to_string(repo_root().join("examples/demo-inventory.json"))
        .expect("demo inventory");
    let mut inv: Value = serde_json::from_str(&text).expect("JSON");
    let templates: Vec<(String, String)> = inv["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .map(|a| {
            let id = a["account_id"].as_str().expect("id").to_owned();
            (id, a.to_string())
        })
        .collect();
    let accounts: Vec<Value> = (0..n)
        .map(|i| {
            let (old, text) = &templates[i % templates.len()];
            let id = format!("{:012}", 700_000_000_000u64 + i as u64);
            serde_json::from_str(&text.replace(old.as_str(), &id)).expect("account")
        })
        .collect();
    inv["accounts"] = Value::Array(accounts);
    if let Some(at) = collected {
        inv["collection"]["finished_at"] = Value::from(at);
    }
    let tag = collected.map_or("plain".to_owned(), |at| at.replace(':', "-"));
    let path = dir.join(format!("inventory-{n}-{tag}.json"));
    std::fs::write(&path, inv.to_string()).expect("write inventory");
    path
}

/// `trailguard check --inventory FILE --output sarif=…`, parsed.
fn check_sarif(dir: &Path, inventory: &Path, extra: &[&str]) -> Value {
    let out = dir.join(format!(
        "{}.sarif",
        inventory
            .file_stem()
            .and_then(|s| s.to_str())
            .expect("name")
    ));
    let mut args = vec![
        "check",
        "--inventory",
        inventory.to_str().expect("utf-8 path"),
        "--now",
        "2026-01-01T00:00:00Z",
        "--output",
    ];
    let output = format!("sarif={}", out.display());
    args.push(&output);
    args.extend(extra);
    let o = run(&args);
    assert!(matches!(code(&o), 0 | 1), "{}", stderr(&o));
    serde_json::from_str(&std::fs::read_to_string(&out).expect("the SARIF file")).expect("JSON")
}

/// A scratch directory under the system temp dir, removed at the end.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("trailguard-sarif-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// The demo organization's SARIF passes codeql-action's upload schema with every location
/// relative, from the real binary.
#[test]
fn the_demo_passes_the_upload_schema_with_relative_locations() {
    let scratch = Scratch::new("demo");
    let log = check_sarif(
        &scratch.0,
        &repo_root().join("examples/demo-inventory.json"),
        &[],
    );
    assert_valid(&upload_validator(), &log, "the demo's SARIF");
    let all = results(&log);
    let statuses: BTreeSet<&str> = all
        .iter()
        .map(|r| r["properties"]["status"].as_str().expect("status"))
        .collect();
    assert_eq!(statuses, BTreeSet::from(["ERROR", "FAIL"]));
    for r in all {
        for loc in r["locations"].as_array().expect("locations") {
            let uri = loc["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .expect("every location is physical, with a uri");
            assert_relative_resource_path(uri, r);
        }
    }
}

/// Each of the first 5 accounts keeps its category when 25 are audited.
#[test]
fn categories_are_the_same_for_5_and_25_accounts() {
    let scratch = Scratch::new("count");
    let five = categories_by_account(&check_sarif(
        &scratch.0,
        &demo_inventory(&scratch.0, 5, None),
        &[],
    ));
    let log = check_sarif(&scratch.0, &demo_inventory(&scratch.0, 25, None), &[]);
    assert_valid(&upload_validator(), &log, "25 accounts");
    let twenty_five = categories_by_account(&log);
    assert_eq!(five.len(), 5);
    assert_eq!(twenty_five.len(), 25);
    for (account, categories) in &five {
        assert_eq!(categories.len(), 1, "{account}: one category");
        assert_eq!(
            Some(categories),
            twenty_five.get(account),
            "{account} moved"
        );
    }
}

/// (category, rule, location, fingerprint) of every result.
fn identities(log: &Value) -> BTreeSet<(String, String, String, String)> {
    runs(log)
        .iter()
        .flat_map(|run| {
            let id = run["automationDetails"]["id"].as_str().expect("id");
            let category = id
                .rsplit_once('/')
                .map(|(c, _)| c.to_owned())
                .expect("category");
            run["results"]
                .as_array()
                .expect("results")
                .iter()
                .map(move |r| {
                    let field = |v: &Value| v.as_str().expect("a string").to_owned();
                    (
                        category.clone(),
                        field(&r["ruleId"]),
                        field(&r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]),
                        field(&r["partialFingerprints"]["primaryLocationLineHash"]),
                    )
                })
        })
        .collect()
}

/// Two scans that differ in something no rule reads (when they were collected) give the same
/// alerts: same categories, rules, locations and fingerprints; only the run ids differ.
#[test]
fn fingerprints_are_stable_across_scans() {
    let scratch = Scratch::new("stable");
    let inventory = |at| demo_inventory(&scratch.0, 3, Some(at));
    let first = check_sarif(&scratch.0, &inventory("2026-11-20T09:14:41Z"), &[]);
    let second = check_sarif(&scratch.0, &inventory("2026-11-21T10:00:00Z"), &[]);
    let run_ids = |log: &Value| -> Vec<Value> {
        runs(log)
            .iter()
            .map(|r| r["automationDetails"]["id"].clone())
            .collect()
    };
    assert_ne!(run_ids(&first), run_ids(&second), "two distinct scans");
    assert!(
        identities(&first).len() > 10,
        "{} results",
        identities(&first).len()
    );
    assert_eq!(identities(&first), identities(&second));
}

/// `--sarif-category` reaches the file through settings; an empty one is a usage error naming
/// the flag.
#[test]
fn the_sarif_category_flag() {
    let scratch = Scratch::new("flag");
    let demo = repo_root().join("examples/demo-inventory.json");
    let log = check_sarif(&scratch.0, &demo, &["--sarif-category", "cloud/prod/"]);
    for run in runs(&log) {
        let id = run["automationDetails"]["id"].as_str().expect("id");
        assert!(id.starts_with("cloud/prod/accounts-ending-"), "{id}");
    }
    let o = run(&[
        "check",
        "--inventory",
        "examples/demo-inventory.json",
        "--sarif-category",
        "/",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("--sarif-category"), "{}", stderr(&o));
}

/// A FAIL that turns into an ERROR (its data became unreadable) keeps its location and
/// fingerprint, so GitHub keeps the same alert open rather than closing it as fixed.
#[test]
fn an_error_keeps_the_alert_of_the_fail_it_replaces() {
    let mut report = fixture::report();
    let i = report
        .findings
        .iter()
        .position(|f| f.status == Status::Fail && !f.is_waived())
        .expect("an unwaived FAIL");
    let fp = report.findings[i].fingerprint.clone();
    let identity = |log: &Value| -> Option<(Value, Value, Value)> {
        results(log)
            .into_iter()
            .find(|r| r["partialFingerprints"]["trailguard/v1"] == fp.as_str())
            .map(|r| {
                (
                    r["ruleId"].clone(),
                    r["locations"][0]["physicalLocation"].clone(),
                    r["partialFingerprints"]["primaryLocationLineHash"].clone(),
                )
            })
    };
    let before = identity(&sarif(&report, RenderOptions::default())).expect("the FAIL result");
    let f = &mut report.findings[i];
    f.status = Status::Error;
    f.evidence = vec![trailguard::finding::Evidence::ReadError {
        path: "trails".into(),
        operation: "cloudtrail:DescribeTrails".into(),
        error_kind: "access_denied".into(),
        code: Some("AccessDeniedException".into()),
        message: None,
    }];
    let log = sarif(&report, RenderOptions::default());
    assert_eq!(identity(&log), Some(before));
    let r = results(&log)
        .into_iter()
        .find(|r| r["partialFingerprints"]["trailguard/v1"] == fp.as_str())
        .expect("the ERROR result");
    assert_eq!(
        (&r["level"], &r["properties"]["status"]),
        (&Value::from("warning"), &Value::from("ERROR"))
    );
    assert!(
        r["message"]["text"]
            .as_str()
            .is_some_and(|t| t.contains("cloudtrail:DescribeTrails failed: access denied")),
        "{}",
        r["message"]
    );
}
