//! JUnit XML: parsed back with a real XML parser, its suites, cases and counts match the report;
//! on the demo organization every (classname, name) is unique and every element has a `time`.

use std::collections::BTreeMap;

use crate::support::cli::{code, run, stderr};
use crate::support::report_fixture as fixture;

use trailguard::finding::Status;
use trailguard::report::{Format, RenderOptions};

fn junit() -> String {
    fixture::render(&fixture::report(), Format::Junit, &RenderOptions::default())
}

fn attr(node: roxmltree::Node<'_, '_>, name: &str) -> usize {
    node.attribute(name)
        .unwrap_or_else(|| panic!("{name} missing"))
        .parse()
        .expect("a count")
}

#[test]
fn parses_back_with_the_report_counts() {
    let report = fixture::report();
    let text = junit();
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "testsuites");

    let suites: Vec<_> = root
        .children()
        .filter(|n| n.has_tag_name("testsuite"))
        .collect();
    let rules: std::collections::BTreeSet<&str> =
        report.findings.iter().map(|f| f.rule_id.as_str()).collect();
    assert_eq!(suites.len(), rules.len(), "one suite per rule");

    let (mut failures, mut errors, mut skipped, mut cases) = (0, 0, 0, 0);
    for suite in &suites {
        let tc: Vec<_> = suite
            .children()
            .filter(|n| n.has_tag_name("testcase"))
            .collect();
        let count = |tag: &str| {
            tc.iter()
                .filter(|c| c.children().any(|n| n.has_tag_name(tag)))
                .count()
        };
        assert_eq!(attr(*suite, "tests"), tc.len());
        assert_eq!(attr(*suite, "failures"), count("failure"));
        assert_eq!(attr(*suite, "errors"), count("error"));
        assert_eq!(attr(*suite, "skipped"), count("skipped"));
        let name = suite.attribute("name").expect("name");
        for c in &tc {
            assert!(name.starts_with(c.attribute("classname").expect("classname")));
        }
        failures += count("failure");
        errors += count("error");
        skipped += count("skipped");
        cases += tc.len();
    }
    let s = &report.summary;
    assert_eq!(cases, s.total, "one case per finding");
    assert_eq!(
        failures,
        s.fail - 1,
        "FAIL → failure, except the waived one"
    );
    assert_eq!(errors, s.error, "ERROR → error");
    assert_eq!(skipped, s.not_applicable + 1, "N/A and waived → skipped");
    assert_eq!(attr(root, "failures"), failures);
    assert_eq!(attr(root, "errors"), errors);
    assert_eq!(attr(root, "skipped"), skipped);
    assert_eq!(attr(root, "tests"), cases);

    // A failure carries the evidence; the waived case says which waiver.
    let bodies: Vec<&str> = doc
        .descendants()
        .filter(|n| n.has_tag_name("failure"))
        .filter_map(|n| n.text())
        .collect();
    assert_eq!(bodies.len(), failures);
    assert!(
        bodies
            .iter()
            .any(|t| t.contains("\n  policy_is_public: expected false, found true\n")),
        "evidence lines in the failure body"
    );
    let waived = report
        .findings
        .iter()
        .find(|f| f.waiver.is_some() && f.status == Status::Fail)
        .expect("a waived finding");
    let case = doc
        .descendants()
        .find(|n| {
            n.has_tag_name("testcase")
                && n.attribute("name")
                    .is_some_and(|name| name.ends_with(waived.resource.id.as_str()))
                && n.attribute("classname") == Some(waived.rule_id.as_str())
        })
        .expect("the waived case");
    let skip = case
        .children()
        .find(|n| n.has_tag_name("skipped"))
        .expect("skipped");
    assert!(
        skip.attribute("message")
            .is_some_and(|m| m.starts_with("waived: W-001"))
    );
}

#[test]
fn junit_snapshot() {
    insta::assert_snapshot!("report_junit", junit());
}

/// Markup, quotes, line breaks and control characters in messages still give well-formed XML
/// whose attributes read back as written (control characters XML forbids are dropped).
#[test]
fn hostile_text_stays_well_formed() {
    let mut report = fixture::report();
    let f = report
        .findings
        .iter_mut()
        .find(|f| f.status == Status::Fail && f.waiver.is_none())
        .expect("an unwaived FAIL");
    f.message = "a <b> & \"c\" 'd' ]]>\nline two\u{1b}[0m".into();
    let text = fixture::render(&report, Format::Junit, &RenderOptions::default());
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let failure = doc
        .descendants()
        .find(|n| n.has_tag_name("failure"))
        .expect("a failure");
    assert_eq!(
        failure.attribute("message"),
        Some("a <b> & \"c\" 'd' ]]>\nline two[0m")
    );
}

/// The demo organization through the binary: one case per finding, each (classname, name)
/// once — the organization trail, its bucket and key are findings of both accounts — with the
/// account (and region) in the name, and a `time` on every case, suite and the root.
#[test]
fn the_demo_has_unique_case_names_and_times() {
    let out =
        std::env::temp_dir().join(format!("trailguard-junit-demo-{}.xml", std::process::id()));
    let o = run(&[
        "check",
        "--inventory",
        "examples/demo-inventory.json",
        "--now",
        "2026-01-01T00:00:00Z",
        "--output",
        &format!("junit={}", out.display()),
    ]);
    assert!(matches!(code(&o), 0 | 1), "{}", stderr(&o));
    let text = std::fs::read_to_string(&out).expect("the JUnit file");
    let _ = std::fs::remove_file(&out);
    let doc = roxmltree::Document::parse(&text).expect("well-formed XML");
    let mut seen: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    let mut accounts = std::collections::BTreeSet::new();
    for case in doc.descendants().filter(|n| n.has_tag_name("testcase")) {
        let key = (
            case.attribute("classname").expect("classname"),
            case.attribute("name").expect("name"),
        );
        *seen.entry(key).or_default() += 1;
        let account = key.1.split('/').next().expect("an account first");
        assert!(
            account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()),
            "{key:?}"
        );
        accounts.insert(account);
    }
    let repeated: Vec<_> = seen.iter().filter(|(_, n)| **n > 1).collect();
    assert!(
        repeated.is_empty(),
        "(classname, name) repeated: {repeated:?}"
    );
    assert_eq!(accounts.len(), 2, "both demo accounts have cases");
    let root = doc.root_element();
    assert_eq!(attr(root, "tests"), seen.len());
    for n in doc.descendants().filter(|n| {
        n.has_tag_name("testcase") || n.has_tag_name("testsuite") || n.has_tag_name("testsuites")
    }) {
        let time: f64 = n
            .attribute("time")
            .unwrap_or_else(|| panic!("<{}> without time", n.tag_name().name()))
            .parse()
            .expect("time is a number of seconds");
        assert!(time >= 0.0);
    }
    // The run's duration (collection 09:14:03 → 09:14:41), from the report, not a clock.
    assert_eq!(root.attribute("time"), Some("38.000"));
}
