//! The `verify-logs` reports over the hand-built fixture (an intact chain, a chain with every
//! kind of problem, an unreadable chain, a backfill chain, an unreadable account): the JSON
//! schema is committed and the report validates against it with the fields issue 18 names;
//! SARIF validates against the OASIS and upload schemas with one result per problem; JUnit
//! parses back with unique names and true counts; text and Markdown say what the issue asks,
//! worst first; every format gives the same bytes twice.

use std::collections::BTreeSet;

use serde_json::Value;

use crate::support::schema::{
    SARIF_SCHEMA, assert_committed_schema, assert_valid, parse, upload_validator, validator,
};
use crate::support::verification_fixture::{render, verification};

use trailguard::report::{Format, RenderOptions};
use trailguard::verify::{Status, Verification};

const SCHEMA_FILE: &str = "src/report/verification-v1.schema.json";

#[test]
fn committed_schema_is_the_generated_one() {
    assert_committed_schema(
        SCHEMA_FILE,
        &trailguard::report::verification_json_schema(),
        "report_verification::committed_schema",
    );
}

fn json(report: &Verification) -> Value {
    parse(&render(report, Format::Json, &RenderOptions::default()))
}

#[test]
fn the_json_report_validates_and_reads_back() {
    let schema = validator(SCHEMA_FILE);
    for list_valid in [false, true] {
        let report = verification(list_valid);
        let doc = json(&report);
        assert_valid(&schema, &doc, "verification fixture");
        let back: Verification = serde_json::from_value(doc).expect("reads back");
        assert_eq!(back, report);
    }
    let mut bad = json(&verification(false));
    bad["items"][0]["status"] = Value::from("tampered");
    assert!(
        !schema.is_valid(&bad),
        "an unknown status must not validate"
    );
}

/// Issue 18 item 4 names these fields; the schema has them and every item carries them.
#[test]
fn the_json_report_has_the_fields_the_issue_names() {
    let doc = json(&verification(false));
    assert_eq!(doc["schema"], "trailguard.verification/v1");
    for field in ["start", "end"] {
        assert!(doc["window"][field].is_string(), "window.{field}");
    }
    for kind in ["digests", "log_files"] {
        for field in ["valid", "invalid", "missing"] {
            assert!(
                doc["summary"][kind][field].is_u64(),
                "summary.{kind}.{field}"
            );
        }
    }
    assert_eq!(doc["summary"]["gaps"], 1);
    assert_eq!(doc["summary"]["chains"], 4);
    // The unreadable account's item, and the unreadable chain's error that no item carries.
    assert_eq!(doc["summary"]["errors"], 2);
    let items = doc["items"].as_array().expect("items");
    assert!(!items.is_empty());
    let fields = [
        "kind",
        "account_id",
        "trail_arn",
        "region",
        "bucket",
        "key",
        "status",
        "reason",
        "start",
        "end",
    ];
    for item in items {
        for field in fields {
            assert!(item.get(field).is_some(), "item without {field}: {item}");
        }
    }
    let gap = items
        .iter()
        .find(|i| i["kind"] == "gap")
        .expect("a gap item");
    assert_eq!(gap["start"], "2026-03-01T03:00:00Z");
    assert_eq!(gap["end"], "2026-03-01T06:00:00Z");
    let schema = trailguard::report::verification_json_schema();
    let item_props = &schema["$defs"]["ReportItem"]["properties"];
    for field in fields {
        assert!(item_props.get(field).is_some(), "schema item lacks {field}");
    }
}

#[test]
fn every_format_gives_the_same_bytes_twice_and_after_a_json_round_trip() {
    let report = verification(true);
    let back: Verification =
        serde_json::from_value(json(&report)).expect("the JSON report reads back");
    for format in Format::ALL {
        for options in [
            RenderOptions::default(),
            RenderOptions {
                color: true,
                verbose: true,
                ..RenderOptions::default()
            },
        ] {
            let first = render(&report, *format, &options);
            assert_eq!(first, render(&report, *format, &options), "{format}");
            assert_eq!(first, render(&back, *format, &options), "{format}");
        }
    }
}

fn text(report: &Verification, options: RenderOptions) -> String {
    render(report, Format::Text, &options)
}

#[test]
fn text_snapshots() {
    insta::assert_snapshot!(
        "verification_text_plain",
        text(&verification(false), RenderOptions::default())
    );
    insta::assert_snapshot!(
        "verification_text_verbose",
        text(
            &verification(true),
            RenderOptions {
                verbose: true,
                ..RenderOptions::default()
            }
        )
    );
}

#[test]
fn text_lists_problems_worst_first_with_uris_and_ends_with_the_verdict() {
    let report = verification(false);
    let out = text(&report, RenderOptions::default());
    assert!(!out.contains('\u{1b}'), "no colour unless asked");
    for p in report.problems() {
        if !p.bucket.is_empty() {
            assert!(out.contains(&p.s3_uri()), "{} not listed", p.s3_uri());
        }
        assert!(out.contains(&p.reason), "reason of {} not shown", p.key);
    }
    // Within the broken chain: invalid, missing, cut, unexpected, then the gap.
    let order: Vec<usize> = [
        "  INVALID ",
        "  MISSING ",
        "  CUT ",
        "  UNEXPECTED ",
        "  GAP ",
    ]
    .iter()
    .map(|w| out.find(w).unwrap_or_else(|| panic!("{w} not listed")))
    .collect();
    assert!(order.windows(2).all(|w| w[0] < w[1]), "{order:?}\n{out}");
    // The chain error that no item carries is shown, naming the call, and counted.
    assert!(out.contains("cloudtrail:ListPublicKeys in ap-southeast-2 failed"));
    assert!(out.contains("main · account 111111111111 · us-east-1 · backfill"));
    assert!(out.contains("  gap        2026-03-01T03:00:00Z → 2026-03-01T06:00:00Z"));
    assert_eq!(
        out.lines().last(),
        Some(
            "verified 4 chains from 2026-03-01T00:00:00Z to 2026-03-02T00:00:00Z: 44/47 digests \
             valid (2 invalid, 1 missing), 75/76 log files valid (1 invalid), 1 unexpected \
             digest, 1 gap, 1 cut chain, 2 errors"
        )
    );
    let verbose = text(
        &verification(true),
        RenderOptions {
            verbose: true,
            ..RenderOptions::default()
        },
    );
    assert!(verbose.contains("  VALID      digest   s3://trail-logs-111/"));
    assert!(!out.contains("  VALID "), "valid objects only with -v");
    let coloured = text(
        &report,
        RenderOptions {
            color: true,
            ..RenderOptions::default()
        },
    );
    assert!(coloured.contains("\u{1b}["), "colour was asked for");
}

fn sarif(report: &Verification, options: &RenderOptions) -> Value {
    let out = render(report, Format::Sarif, options);
    assert!(out.ends_with("}\n"));
    parse(&out)
}

fn results(log: &Value) -> Vec<&Value> {
    log["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .flat_map(|r| r["results"].as_array().expect("results"))
        .collect()
}

#[test]
fn sarif_validates_against_the_oasis_and_upload_schemas() {
    let log = sarif(&verification(true), &RenderOptions::default());
    assert_valid(&validator(SARIF_SCHEMA), &log, "OASIS");
    assert_valid(&upload_validator(), &log, "upload");
    let mut bad = log.clone();
    bad["runs"][0]["results"][0]["level"] = Value::from("high");
    assert!(!validator(SARIF_SCHEMA).is_valid(&bad), "the check bites");
}

#[test]
fn sarif_has_one_result_per_problem_at_relative_paths_in_their_own_categories() {
    let report = verification(true);
    let log = sarif(&report, &RenderOptions::default());
    let all = results(&log);
    // Every problem item, plus the unreadable chain's error (on the chain only).
    let problems = report.problems().count();
    assert_eq!(all.len(), problems + 1);
    assert!(all.iter().all(|r| r["properties"]["status"] != "valid"));
    let rules: BTreeSet<&str> = all
        .iter()
        .map(|r| r["ruleId"].as_str().expect("ruleId"))
        .collect();
    for id in [
        "TG-VERIFY-LOG-FILE-INVALID",
        "TG-VERIFY-DIGEST-MISSING",
        "TG-VERIFY-DIGEST-UNEXPECTED",
        "TG-VERIFY-GAP-GAP",
        "TG-VERIFY-CHAIN-CUT",
        "TG-VERIFY-CHAIN-ERROR",
    ] {
        assert!(rules.contains(id), "{id} missing from {rules:?}");
    }
    let fingerprints: BTreeSet<&str> = all
        .iter()
        .map(|r| {
            r["partialFingerprints"]["trailguard/v1"]
                .as_str()
                .expect("fp")
        })
        .collect();
    assert_eq!(fingerprints.len(), all.len(), "fingerprints are unique");
    for r in &all {
        let uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
            .as_str()
            .expect("uri");
        assert!(
            uri.starts_with("trailguard/aws/") && !uri.contains(':'),
            "{uri}"
        );
        let index = r["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        let run = log["runs"]
            .as_array()
            .expect("runs")
            .iter()
            .find(|run| run["results"].as_array().is_some_and(|rs| rs.contains(r)))
            .expect("its run");
        assert_eq!(run["tool"]["driver"]["rules"][index]["id"], r["ruleId"]);
    }
    let categories: Vec<&str> = log["runs"]
        .as_array()
        .expect("runs")
        .iter()
        .map(|r| r["automationDetails"]["id"].as_str().expect("id"))
        .collect();
    assert_eq!(
        categories,
        [1, 2, 3, 4].map(|d| format!(
            "trailguard/aws/verify-logs/accounts-ending-{d}/2026-03-02T00:05:12.345Z"
        ))
    );
    // Stable across runs: another run (other window, other clock) keeps the fingerprints.
    let mut later = report.clone();
    let day = time::Duration::hours(24);
    later.run.start += day;
    later.run.end += day;
    later.window.start += day;
    later.window.end += day;
    let again = sarif(&later, &RenderOptions::default());
    let fp = |log: &Value| -> Vec<String> {
        results(log)
            .iter()
            .map(|r| r["partialFingerprints"]["trailguard/v1"].to_string())
            .collect()
    };
    assert_eq!(fp(&log), fp(&again));
}

#[test]
fn junit_parses_back_with_unique_names_and_true_counts() {
    let report = verification(false);
    let out = render(&report, Format::Junit, &RenderOptions::default());
    let doc = roxmltree::Document::parse(&out).expect("well-formed XML");
    let root = doc.root_element();
    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let names: Vec<&str> = suites
        .iter()
        .map(|s| s.attribute("name").expect("name"))
        .collect();
    assert_eq!(
        names,
        [
            "111111111111/us-east-1/main",
            "111111111111/us-east-1/main/backfill",
            "222222222222/eu-west-1/audit",
            "333333333333/ap-southeast-2/org",
            "444444444444",
        ]
    );
    let count = |node: roxmltree::Node<'_, '_>, name: &str| -> usize {
        node.attribute(name)
            .unwrap_or_else(|| panic!("{name}"))
            .parse()
            .expect("a count")
    };
    let mut cases_total = 0;
    for suite in &suites {
        let cases: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let with = |tag: &str| {
            cases
                .iter()
                .filter(|c| c.children().any(|n| n.has_tag_name(tag)))
                .count()
        };
        assert_eq!(count(*suite, "tests"), cases.len());
        assert_eq!(count(*suite, "failures"), with("failure"));
        assert_eq!(count(*suite, "errors"), with("error"));
        assert_eq!(count(*suite, "skipped"), with("skipped"));
        let unique: BTreeSet<&str> = cases
            .iter()
            .map(|c| c.attribute("name").expect("name"))
            .collect();
        assert_eq!(unique.len(), cases.len(), "case names unique in a suite");
        cases_total += cases.len();
    }
    assert_eq!(count(root, "tests"), cases_total);
    // The intact chain: one passing case with its counts.
    let intact: Vec<_> = suites[0].children().filter(|n| n.is_element()).collect();
    let case = intact
        .iter()
        .find(|n| n.has_tag_name("testcase"))
        .expect("a case");
    assert_eq!(case.attribute("name"), Some("valid objects"));
    assert!(!case.children().any(|n| n.has_tag_name("failure")));
    assert_eq!(
        case.children()
            .find(|n| n.has_tag_name("system-out"))
            .and_then(|n| n.text()),
        Some("24 digests valid, 37 log files valid")
    );
    // The broken chain: 5 failures (2 invalid, missing, unexpected, cut), the gap skipped.
    assert_eq!(count(suites[2], "failures"), 5);
    assert_eq!(count(suites[2], "skipped"), 1);
    // The unreadable chain's error, and the unreadable account's, are errors.
    assert_eq!(count(suites[3], "errors"), 1);
    assert_eq!(count(suites[4], "errors"), 1);
    insta::assert_snapshot!("verification_junit", out);
}

#[test]
fn markdown_snapshot_and_folding() {
    let report = verification(false);
    let out = render(&report, Format::Markdown, &RenderOptions::default());
    assert!(out.starts_with("## trailguard verify-logs: 8 problems, 1 gap\n"));
    // `|` and `<` in a reason are escaped, not table structure or HTML.
    assert!(out.contains("`&lt;none&gt; \\| 0`"), "{out}");
    assert!(!out.contains("<details>"), "short tables are not folded");
    insta::assert_snapshot!("verification_markdown", out);

    let mut many = report.clone();
    let extra = many.items[0].clone();
    for n in 0..12 {
        let mut item = extra.clone();
        item.key = format!("{}-{n}", extra.key);
        many.items.push(item);
    }
    let out = render(&many, Format::Markdown, &RenderOptions::default());
    assert!(
        out.contains("<details><summary>21 problems</summary>"),
        "{out}"
    );
}

#[test]
fn a_clean_run_says_so_in_every_human_format() {
    let mut report = verification(false);
    report
        .chains
        .retain(|c| c.account_id == "111111111111" && !c.backfill);
    report.items.clear();
    report.summary = trailguard::verify::Summary {
        digests: report.chains[0].digests,
        log_files: report.chains[0].log_files,
        chains: 1,
        ..Default::default()
    };
    let md = render(&report, Format::Markdown, &RenderOptions::default());
    assert!(md.starts_with("## trailguard verify-logs: every digest and log file valid\n"));
    let out = text(&report, RenderOptions::default());
    assert!(out.ends_with(
        "verified 1 chain from 2026-03-01T00:00:00Z to 2026-03-02T00:00:00Z: 24/24 digests \
         valid, 37/37 log files valid\n"
    ));
    let log = sarif(&report, &RenderOptions::default());
    assert!(results(&log).is_empty());
    let junit = render(&report, Format::Junit, &RenderOptions::default());
    assert!(junit.contains(r#"tests="1" failures="0" errors="0" skipped="0""#));
    assert!(report.items.iter().all(|i| i.status == Status::Valid));
}
