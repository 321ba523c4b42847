//! Waivers files: loading (strict, every problem located) and applying (covered, expired,
//! unused), over hand-made findings.

use trailguard::finding::{Finding, Resource, Status, fingerprint};
use trailguard::rules::Severity;
use trailguard::waivers::Waivers;

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/waivers");
const TODAY: time::Date = time::macros::date!(2026 - 11 - 21);

fn load(name: &str) -> Result<Waivers, String> {
    let path = std::path::PathBuf::from(DIR).join(name);
    let shown = format!("tests/fixtures/waivers/{name}");
    let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
    Waivers::parse(&shown, &text).map_err(|p| p.render(false))
}

fn finding(
    rule: &str,
    status: Status,
    account: &str,
    region: Option<&str>,
    kind: &str,
    id: &str,
    arn: Option<&str>,
) -> Finding {
    Finding {
        rule_id: rule.into(),
        title: format!("{rule} title"),
        severity: Severity::High,
        status,
        resource: Resource {
            account_id: account.into(),
            region: region.map(str::to_owned),
            resource_type: kind.into(),
            id: id.into(),
            arn: arn.map(str::to_owned),
            partition: "aws".into(),
        },
        message: String::new(),
        evidence: Vec::new(),
        fingerprint: fingerprint(rule, account, region, id),
    }
}

const BUCKET: &str = "AWS::S3::Bucket";

fn findings() -> Vec<Finding> {
    vec![
        finding(
            "CT-A01",
            Status::Fail,
            "222222222222",
            None,
            "AWS::::Account",
            "222222222222",
            None,
        ),
        finding(
            "CT-A02",
            Status::Fail,
            "111111111111",
            Some("eu-west-1"),
            "AWS::::Region",
            "eu-west-1",
            None,
        ),
        finding(
            "CT-B08",
            Status::Pass,
            "111111111111",
            Some("us-east-1"),
            "AWS::CloudTrail::Trail",
            "main",
            Some("arn:aws:cloudtrail:us-east-1:111111111111:trail/main"),
        ),
        finding(
            "CT-D02",
            Status::Fail,
            "222222222222",
            Some("us-east-1"),
            BUCKET,
            "legacy-site",
            Some("arn:aws:s3:::legacy-site"),
        ),
        finding(
            "CT-D02",
            Status::Fail,
            "222222222222",
            Some("us-east-1"),
            BUCKET,
            "prod-logs",
            Some("arn:aws:s3:::prod-logs"),
        ),
        finding(
            "CT-D02",
            Status::Fail,
            "333333333333",
            Some("us-east-1"),
            BUCKET,
            "legacy-other",
            Some("arn:aws:s3:::legacy-other"),
        ),
        finding(
            "CT-D06",
            Status::Error,
            "222222222222",
            Some("us-east-1"),
            BUCKET,
            "legacy-site",
            Some("arn:aws:s3:::legacy-site"),
        ),
        finding(
            "CT-D03",
            Status::Pass,
            "222222222222",
            Some("us-east-1"),
            BUCKET,
            "legacy-site",
            Some("arn:aws:s3:::legacy-site"),
        ),
    ]
}

fn fp(rule: &str, id: &str) -> String {
    findings()
        .into_iter()
        .find(|f| f.rule_id == rule && f.resource.id == id)
        .map(|f| f.fingerprint)
        .unwrap_or_default()
}

#[test]
fn valid_file_loads_with_defaults() {
    let w = load("valid.yaml").expect("loads");
    let ids: Vec<&str> = w.waivers.iter().map(|w| w.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "legacy-bucket-public",
            "#2",
            "old-exception",
            "fixed-already",
            "typo-in-rule"
        ]
    );
    let unquoted = &w.waivers[3];
    assert_eq!(
        unquoted.account.as_ref().map(|g| g.as_str()),
        Some("111111111111")
    );
    assert_eq!(w.waivers[0].pos.line, 4);
}

#[test]
fn apply_covers_fail_and_error_keeps_the_rest() {
    let w = load("valid.yaml").expect("loads");
    let out = w.apply(&findings(), TODAY);
    assert_eq!(out.applied.len(), 3, "{:?}", out.applied);
    // The public legacy bucket: FAIL and ERROR both covered, the other account's legacy bucket
    // is outside the waiver's account, prod-logs outside its resource pattern.
    assert_eq!(
        out.applied[&fp("CT-D02", "legacy-site")].id,
        "legacy-bucket-public"
    );
    assert_eq!(
        out.applied[&fp("CT-D06", "legacy-site")].id,
        "legacy-bucket-public"
    );
    assert_eq!(out.applied[&fp("CT-A01", "222222222222")].id, "#2");
    assert!(!out.applied.contains_key(&fp("CT-D02", "prod-logs")));
    assert!(!out.applied.contains_key(&fp("CT-D02", "legacy-other")));
    assert!(
        !out.applied.contains_key(&fp("CT-D03", "legacy-site")),
        "PASS is never covered"
    );
    assert_eq!(out.applied_ids(), ["#2", "legacy-bucket-public"]);
    assert_eq!(out.waived().len(), 3);

    let used: Vec<(&str, usize)> = out
        .used
        .iter()
        .map(|n| (n.id.as_str(), n.matched))
        .collect();
    assert_eq!(used, [("legacy-bucket-public", 2), ("#2", 1)]);
    let expired: Vec<&str> = out.expired.iter().map(|n| n.id.as_str()).collect();
    assert_eq!(expired, ["old-exception"]);
    assert_eq!(out.expired[0].matched, 1, "the eu-west-1 FAIL counts again");
    assert!(!out.applied.contains_key(&fp("CT-A02", "eu-west-1")));
    let unused: Vec<(&str, usize)> = out
        .unused
        .iter()
        .map(|n| (n.id.as_str(), n.matched))
        .collect();
    assert_eq!(unused, [("fixed-already", 1), ("typo-in-rule", 0)]);
    insta::assert_snapshot!("waivers_warnings", out.warnings.join("\n"));
    let json = serde_json::to_string_pretty(&out).unwrap_or_default();
    insta::assert_snapshot!("waivers_outcome_json", json);
}

#[test]
fn a_waiver_applies_on_its_expiry_day_and_not_after() {
    let w = load("valid.yaml").expect("loads");
    let on_day = w.apply(&findings(), time::macros::date!(2027 - 03 - 31));
    assert!(on_day.applied.contains_key(&fp("CT-D02", "legacy-site")));
    let after = w.apply(&findings(), time::macros::date!(2027 - 04 - 01));
    assert!(!after.applied.contains_key(&fp("CT-D02", "legacy-site")));
    assert!(
        after
            .expired
            .iter()
            .any(|n| n.id == "legacy-bucket-public" && n.matched == 2)
    );
}

#[test]
fn every_problem_is_reported_at_once() {
    let err = load("many-problems.yaml").expect_err("invalid");
    insta::assert_snapshot!("waivers_many_problems", err);
}

#[test]
fn duplicate_key_is_located() {
    let err = load("duplicate-key.yaml").expect_err("invalid");
    assert!(
        err.contains("tests/fixtures/waivers/duplicate-key.yaml:5:5"),
        "{err}"
    );
    insta::assert_snapshot!("waivers_duplicate_key", err);
}

#[test]
fn wrong_top_level_key_is_located() {
    let err = load("not-a-list.yaml").expect_err("invalid");
    assert!(
        err.contains("not-a-list.yaml:1:1: unknown key `waiver`"),
        "{err}"
    );
    assert!(err.contains("did you mean `waivers`?"), "{err}");
    assert!(
        !err.contains("missing required key `waivers`"),
        "one problem, not two: {err}"
    );
}

#[test]
fn unreadable_file_is_an_io_problem() {
    let err = Waivers::load(std::path::Path::new("tests/fixtures/waivers/nope.yaml"))
        .expect_err("missing");
    assert!(err.render(false).contains("cannot read waivers file"));
}

#[test]
fn empty_and_scalar_files() {
    let err = Waivers::parse("e.yaml", "")
        .expect_err("empty")
        .render(false);
    assert!(err.contains("needs a `waivers:` list"), "{err}");
    let err = Waivers::parse("s.yaml", "just text\n")
        .expect_err("scalar")
        .render(false);
    assert!(err.contains("s.yaml:1:1"), "{err}");
    let ok = Waivers::parse("n.yaml", "waivers: []\n").expect("empty list is fine");
    assert!(ok.waivers.is_empty());
    let err = Waivers::parse("v.yaml", "schema: trailguard.waivers/v2\nwaivers: []\n")
        .expect_err("schema")
        .render(false);
    assert!(
        err.contains("v.yaml:1:9: unsupported waivers schema"),
        "{err}"
    );
}
