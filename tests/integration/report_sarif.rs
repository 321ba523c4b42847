//! SARIF: valid against the OASIS 2.1.0 schema (a copy in `tests/fixtures/schemas/`), and
//! meeting GitHub's ingestion rules from OUTPUTS.md, which the schema does not check.

use crate::support::repo_root;
use crate::support::report_fixture as fixture;
use crate::support::schema::{SARIF_SCHEMA, assert_valid, validator};

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
fn validates_against_the_oasis_schema() {
    let report = fixture::report();
    assert_valid(
        &validator(SARIF_SCHEMA),
        &sarif(&report, RenderOptions::default()),
        "SARIF",
    );
    assert_valid(
        &validator(SARIF_SCHEMA),
        &sarif(
            &report,
            RenderOptions {
                sarif_include_waived: true,
                ..RenderOptions::default()
            },
        ),
        "SARIF",
    );
}

#[test]
fn the_schema_check_is_not_vacuous() {
    let mut log = sarif(&fixture::report(), RenderOptions::default());
    log["runs"][0]["results"][0]["level"] = Value::from("high");
    assert!(
        !validator(SARIF_SCHEMA).is_valid(&log),
        "level `high` must not validate"
    );
}

#[test]
fn only_unwaived_fail_results_by_default() {
    let report = fixture::report();
    let log = sarif(&report, RenderOptions::default());
    let expected: std::collections::BTreeSet<&str> = report
        .findings
        .iter()
        .filter(|f| f.status == Status::Fail && f.waiver.is_none())
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
    assert_eq!(all.len(), report.summary.fail);
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
            assert!(
                uri.starts_with("rules/") && uri.ends_with(".yaml") && !uri.contains(':'),
                "{uri}: not a repository-relative path"
            );
            assert!(
                repo_root().join(uri).is_file(),
                "{uri}: not a file of the repository"
            );
            let line = loc["physicalLocation"]["region"]["startLine"]
                .as_u64()
                .expect("startLine");
            let text = std::fs::read_to_string(repo_root().join(uri)).expect("rule file");
            let at = text.lines().nth(line as usize - 1).expect("line in file");
            assert!(at.starts_with("id: "), "{uri}:{line} is not the `id:` line");
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
            let want = match severity {
                "critical" | "high" => "error",
                "medium" => "warning",
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

/// One run per account, each with its own category, so a re-scan of one account closes its
/// fixed alerts; ERROR findings are notifications of their account's run.
#[test]
fn one_run_per_account_with_errors_as_notifications() {
    let report = fixture::report();
    let log = sarif(&report, RenderOptions::default());
    let ids: Vec<&str> = runs(&log)
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        ids,
        [
            "trailguard/aws/345678901234/2026-11-20T09:14:41Z",
            "trailguard/aws/482916375024/2026-11-20T09:14:41Z"
        ]
    );
    let notifications: usize = runs(&log)
        .iter()
        .map(|r| {
            let inv = &r["invocations"][0];
            assert_eq!(inv["executionSuccessful"], true);
            let list = inv["toolExecutionNotifications"].as_array().expect("list");
            for n in list {
                assert_eq!(n["level"], "error");
                let text = n["message"]["text"].as_str().expect("text");
                assert!(
                    text.contains(" failed: "),
                    "names the operation and error: {text}"
                );
            }
            list.len()
        })
        .sum();
    assert_eq!(notifications, report.summary.error);
}

#[test]
fn sarif_snapshot() {
    let text = fixture::render(&fixture::report(), Format::Sarif, &RenderOptions::default());
    insta::assert_snapshot!("report_sarif", text);
}

/// Rules from `--rules DIR` are anchored at their file as given (relative, `./` dropped), and
/// an info rule maps to `note` with security-severity `0.0`.
#[test]
fn user_rules_are_anchored_at_their_own_file() {
    use trailguard::evaluate::evaluate;
    use trailguard::report::{Annotations, GateSummary, Mode, ReportInput, RunInfo};

    let dirs = [
        std::path::PathBuf::from("./tests/fixtures/rules/good"),
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
    let log = sarif(&report, RenderOptions::default());
    assert_valid(&validator(SARIF_SCHEMA), &log, "SARIF");
    let all = results(&log);
    assert!(!all.is_empty(), "the user rules fail on the legacy account");
    for r in all {
        let loc = &r["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(uri.starts_with("tests/fixtures/rules/"), "{uri}");
        let text = std::fs::read_to_string(repo_root().join(uri)).expect("the rule file");
        let line = loc["region"]["startLine"].as_u64().expect("line") as usize;
        assert!(
            text.lines()
                .nth(line - 1)
                .is_some_and(|l| l.starts_with("id: "))
        );
    }
    let rules = log["runs"][0]["tool"]["driver"]["rules"]
        .as_array()
        .expect("rules");
    let b08 = rules.iter().find(|r| r["id"] == "CT-B08").expect("CT-B08");
    assert_eq!(b08["defaultConfiguration"]["level"], "note");
    assert_eq!(b08["properties"]["security-severity"], "0.0");
}

/// GitHub takes at most 20 runs per file: past that, one run for all accounts.
#[test]
fn many_accounts_share_one_run() {
    let mut report = fixture::report();
    report.run.accounts = (0..25).map(|i| format!("{:012}", i)).collect();
    let log = sarif(&report, RenderOptions::default());
    assert_valid(&validator(SARIF_SCHEMA), &log, "SARIF");
    assert_eq!(runs(&log).len(), 1);
    assert_eq!(
        runs(&log)[0]["automationDetails"]["id"],
        "trailguard/aws/all-accounts/2026-11-20T09:14:41Z"
    );
    assert_eq!(
        results(&log).len(),
        report.summary.fail - report.summary.waived
    );
}
