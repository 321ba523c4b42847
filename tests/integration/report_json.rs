//! The JSON report: its committed JSON Schema is the generated one, real reports validate
//! against it, it reads back into the same value, and a snapshot of the shared fixture.

use crate::support::repo_root;
use crate::support::report_fixture as fixture;
use crate::support::schema::{
    REPORT_SCHEMA, assert_committed_schema, assert_valid, parse, validator,
};

use trailguard::evaluate::evaluate;
use trailguard::inventory::Inventory;
use trailguard::report::{
    Annotations, Format, GateSummary, Mode, RenderOptions, Report, ReportInput, RunInfo,
};
use trailguard::rules::load_builtin;

const SCHEMA_FILE: &str = REPORT_SCHEMA;

#[test]
fn committed_schema_is_the_generated_one() {
    assert_committed_schema(
        SCHEMA_FILE,
        &trailguard::report::json_schema(),
        "committed_schema_is_the_generated_one",
    );
}

fn json(report: &Report) -> String {
    fixture::render(report, Format::Json, &RenderOptions::default())
}

#[test]
fn the_fixture_report_validates() {
    assert_valid(
        &validator(SCHEMA_FILE),
        &parse(&json(&fixture::report())),
        "fixture",
    );
}

/// The whole built-in pack over every fixture inventory, with no annotations.
#[test]
fn every_fixture_inventory_validates() {
    let validator = validator(SCHEMA_FILE);
    let rules = load_builtin().unwrap_or_else(|p| panic!("{}", p.render(false)));
    let dir = repo_root().join("tests/fixtures/inventories");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixture folder")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    names.sort();
    assert!(names.len() >= 5, "fixture inventories not found");
    for path in names {
        let inventory = Inventory::load(&path).unwrap_or_else(|e| panic!("{e}"));
        let now = inventory.collection.finished_at;
        let report = Report::build(ReportInput {
            rules: &rules,
            findings: evaluate(&rules, &inventory, now),
            inventory: Some(&inventory),
            collection_errors: trailguard::report::collection_errors(&inventory),
            run: RunInfo {
                mode: Mode::Offline,
                started_at: inventory.collection.started_at,
                finished_at: now,
                accounts: Vec::new(),
                regions: Vec::new(),
                inventory_files: vec![path.display().to_string()],
                framework: Some("cis-aws-foundations-v5.0.0".into()),
            },
            annotations: Annotations::default(),
            gate: GateSummary {
                exit_code: 0,
                failed: false,
                reason: "gate passed".into(),
                fail_on: None,
                allow_errors: true,
                exit_zero: true,
                fail_on_new_only: true,
            },
        });
        let text = json(&report);
        assert_valid(&validator, &parse(&text), &path.display().to_string());
        let back: Report = serde_json::from_str(&text).expect("reads back");
        assert_eq!(
            back,
            report,
            "{}: the report does not round-trip",
            path.display()
        );
    }
}

#[test]
fn reads_back_into_the_same_report() {
    let report = fixture::report();
    let back: Report = serde_json::from_str(&json(&report)).expect("reads back");
    assert_eq!(back, report);
}

#[test]
fn json_is_pretty_and_ends_with_a_newline() {
    let text = json(&fixture::report());
    assert!(text.starts_with("{\n  \"schema\": \"trailguard.report/v1\","));
    assert!(text.ends_with("}\n"));
}

#[test]
fn json_snapshot() {
    insta::assert_snapshot!("report_json", json(&fixture::report()));
}

/// The schema is not vacuous: a wrong status or a missing field is caught.
#[test]
fn the_schema_rejects_a_broken_report() {
    let validator = validator(SCHEMA_FILE);
    let mut value: serde_json::Value =
        serde_json::from_str(&json(&fixture::report())).expect("JSON");
    value["findings"][0]["status"] = serde_json::json!("BOGUS");
    assert!(
        !validator.is_valid(&value),
        "a bad status must not validate"
    );
    let mut value: serde_json::Value =
        serde_json::from_str(&json(&fixture::report())).expect("JSON");
    if let Some(map) = value["findings"][0].as_object_mut() {
        map.remove("fingerprint");
    }
    assert!(
        !validator.is_valid(&value),
        "a missing fingerprint must not validate"
    );
}
