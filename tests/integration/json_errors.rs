//! Malformed JSON inputs — inventories (`check --inventory`) and reports (`--baseline`, `diff`)
//! — one table row per kind of mistake: every rejection names `file:line:col`, and the position
//! is where the mistake is (the start of the key or value at fault), not the end of an
//! enclosing value or line 0.

use crate::support::cli::{code, run, stderr, transcript};
use trailguard::baseline::ReportFile;
use trailguard::inventory::Inventory;

const INVENTORY: &str = include_str!("../fixtures/inventories/compliant.json");
const REPORT: &str = include_str!("../fixtures/reports/old.json");
/// A value no fixture contains, so its first occurrence is the mutation.
const ODD: &str = "31337";

/// Where the error must point.
enum Expect {
    /// At the first character of the first occurrence of this text.
    At(&'static str),
    /// At the start of the file.
    Start,
    /// Just after the last character that is not whitespace (the file ended early).
    AfterLast,
    /// Somewhere in the file: line and column exist (an error at the end of an object).
    Plausible,
}

struct Case {
    name: &'static str,
    text: String,
    expect: Expect,
    message: &'static str,
}

fn case(name: &'static str, text: String, expect: Expect, message: &'static str) -> Case {
    Case {
        name,
        text,
        expect,
        message,
    }
}

/// `base` with the first `from` replaced by `to`; the fixture must contain `from`.
fn edit(base: &str, from: &str, to: &str) -> String {
    assert!(base.contains(from), "the fixture has no {from:?}");
    base.replacen(from, to, 1)
}

/// `base` with the first `from` after `anchor` replaced by `to`.
fn edit_after(base: &str, anchor: &str, from: &str, to: &str) -> String {
    let at = base
        .find(anchor)
        .unwrap_or_else(|| panic!("the fixture has no {anchor:?}"));
    format!("{}{}", &base[..at], edit(&base[at..], from, to))
}

/// 1-based line and column (in characters) of a byte offset.
fn line_col(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (
        before.matches('\n').count() + 1,
        before[line_start..].chars().count() + 1,
    )
}

/// Splits `FILE:LINE:COL: message`.
fn located(error: &str, file: &str) -> (usize, usize, String) {
    let rest = error
        .strip_prefix(file)
        .and_then(|r| r.strip_prefix(':'))
        .unwrap_or_else(|| panic!("does not start with `{file}:`: {error}"));
    let mut parts = rest.splitn(3, ':');
    let mut number = || -> usize {
        let part = parts.next().unwrap_or_default();
        part.parse()
            .unwrap_or_else(|_| panic!("no line:col in {error:?} ({part:?})"))
    };
    let (line, col) = (number(), number());
    (line, col, parts.next().unwrap_or_default().to_owned())
}

fn check(case: &Case, error: &str) {
    let file = format!("{}.json", case.name);
    let (line, col, message) = located(error, &file);
    let lines: Vec<&str> = case.text.split('\n').collect();
    assert!(
        line >= 1 && line <= lines.len(),
        "{}: line {line} of {}: {error}",
        case.name,
        lines.len()
    );
    let width = lines[line - 1].chars().count();
    assert!(
        col >= 1 && col <= width + 1,
        "{}: column {col} of {width}: {error}",
        case.name
    );
    let want = match case.expect {
        Expect::At(marker) => {
            let at = case
                .text
                .find(marker)
                .unwrap_or_else(|| panic!("{}: no {marker:?} in the input", case.name));
            Some(line_col(&case.text, at))
        }
        Expect::Start => Some((1, 1)),
        Expect::AfterLast => Some(line_col(&case.text, case.text.trim_end().len())),
        Expect::Plausible => None,
    };
    if let Some(want) = want {
        assert_eq!((line, col), want, "{}: {error}", case.name);
    }
    assert!(
        message.contains(case.message),
        "{}: message lacks {:?}: {error}",
        case.name,
        case.message
    );
}

fn inventory_cases() -> Vec<Case> {
    use Expect::*;
    let b = INVENTORY;
    let half = b.len() / 2;
    let mid_line = b[..half].rfind('\n').map_or(half, |i| i + 8);
    let at_newline = b[..half].rfind('\n').map_or(half, |i| i + 1);
    let failed = |record: &str| edit(b, "\"exists\": true", &format!("\"exists\": {record}"));
    let nested = format!("{}1{}", "[".repeat(200), "]".repeat(200));
    vec![
        case("empty", String::new(), Start, "the file is empty"),
        case("blank", " \n\t\n".into(), Start, "the file is empty"),
        case("array", "\n  [1, 2]\n".into(), At("["), "not an array"),
        case("string", "\"inventory\"".into(), At("\""), "not a string"),
        case("number", "  42".into(), At("42"), "not a number"),
        case("null", "null".into(), At("null"), "not null"),
        case("not_json", "inventory: yes".into(), Start, "expected value"),
        case("bom", format!("\u{feff}{b}"), Start, "expected value"),
        case("truncated_mid_line", b[..mid_line].into(), Plausible, "EOF"),
        case(
            "truncated_at_newline",
            b[..at_newline].into(),
            AfterLast,
            "EOF",
        ),
        case(
            "trailing_garbage",
            format!("{b}garbage"),
            At("garbage"),
            "trailing",
        ),
        case(
            "second_document",
            format!("{b}[\"second\"]"),
            At("[\"second\"]"),
            "trailing",
        ),
        case(
            "major_version",
            edit(b, "\"1.3\"", "\"2.0\""),
            At("\"2.0\""),
            "schema_version 2.0 is not supported",
        ),
        case(
            "version_not_a_string",
            edit(b, "\"1.3\"", ODD),
            At(ODD),
            "expected a string",
        ),
        case(
            "version_missing",
            edit(b, "\"schema_version\": \"1.3\",", ""),
            Plausible,
            "missing field `schema_version`",
        ),
        case(
            "unknown_top_level_field",
            edit(b, "{", "{\"bogus_field\": 1,"),
            At("\"bogus_field\""),
            "unknown field `bogus_field`",
        ),
        case(
            "duplicate_key",
            edit(
                b,
                "\"tool\": \"trailguard\",",
                "\"tool\": \"trailguard\", \"tool\": \"x\",",
            ),
            At("\"tool\": \"x\""),
            "duplicate field `tool`",
        ),
        case(
            "wrong_type",
            edit(
                b,
                "\"account_id\": \"210987654321\"",
                "\"account_id\": 31337",
            ),
            At(ODD),
            "invalid type: integer",
        ),
        case(
            "wrong_type_in_collected_struct",
            edit(b, "\"is_logging\": true", "\"is_logging\": 31337"),
            At(ODD),
            "expected a boolean",
        ),
        case(
            "unknown_field_in_collected_struct",
            edit(
                b,
                "\"is_logging\": true,",
                "\"is_logging\": true, \"bogus_field\": 1,",
            ),
            At("\"bogus_field\""),
            "unknown field `bogus_field`",
        ),
        case(
            "collected_bool_wrong_type",
            failed(ODD),
            At(ODD),
            "expected a boolean",
        ),
        case(
            "collected_list_item",
            edit(b, "\"enabled_regions\": [", "\"enabled_regions\": [31337, "),
            At(ODD),
            "expected a string",
        ),
        case(
            "collected_map_value",
            edit(b, "\"owner\": \"security-engineering\"", "\"owner\": 31337"),
            At(ODD),
            "expected a string",
        ),
        case(
            "error_record_bad_kind",
            failed(r#"{"error": {"operation": "s3:HeadBucket", "kind": "sideways"}}"#),
            At("\"sideways\""),
            "unknown variant `sideways`",
        ),
        case(
            "error_record_missing_kind",
            failed(r#"{"error": {"operation": "s3:HeadBucket"}}"#),
            At("}}"),
            "missing field `kind`",
        ),
        case(
            "error_record_not_alone",
            failed(
                r#"{"error": {"operation": "s3:HeadBucket", "kind": "timeout"}, "bogus_field": 1}"#,
            ),
            At("\"bogus_field\""),
            "beside `error`",
        ),
        case(
            "bad_timestamp",
            edit(b, "\"2026-11-20T09:14:03Z\"", "\"yesterday\""),
            At("\"yesterday\""),
            "invalid RFC 3339 timestamp",
        ),
        case(
            "object_for_a_list",
            edit(b, "\"requested_regions\": []", "\"requested_regions\": {}"),
            At("{}"),
            "expected a sequence",
        ),
        case(
            "bad_escape",
            edit(b, "\"trailguard\"", "\"trail\\qguard\""),
            At("q"),
            "invalid escape",
        ),
        case(
            "too_deep",
            edit(
                b,
                "\"document\": {",
                &format!("\"document\": {{\"deep\": {nested},"),
            ),
            Plausible,
            "recursion limit",
        ),
    ]
}

#[test]
fn every_inventory_rejection_names_file_line_and_column() {
    let cases = inventory_cases();
    assert!(cases.len() >= 25);
    for c in &cases {
        let err = match Inventory::from_json(&c.text, &format!("{}.json", c.name)) {
            Ok(_) => panic!("{}: accepted", c.name),
            Err(e) => e.to_string(),
        };
        check(c, &err);
    }
}

#[test]
fn a_tag_named_error_is_still_a_tag() {
    // `{"error": ...}` marks a failed read only when its value is a failure record.
    let text = edit(
        INVENTORY,
        "\"owner\": \"security-engineering\"",
        "\"owner\": \"security-engineering\", \"error\": \"none\"",
    )
    .replacen("\"tags\": {", "\"tags\": {\"error\": \"first\", ", 1)
    .replacen(", \"error\": \"none\"", "", 1);
    let inventory = match Inventory::from_json(&text, "tags.json") {
        Ok(i) => i,
        Err(e) => panic!("{e}"),
    };
    let tags = inventory.accounts[0].trails[0]
        .tags
        .ok()
        .expect("tags read");
    assert_eq!(tags.get("error").map(String::as_str), Some("first"));
    assert_eq!(tags.len(), 4);
}

fn report_cases() -> Vec<Case> {
    use Expect::*;
    let b = REPORT;
    vec![
        case("empty", String::new(), Start, "the file is empty"),
        case("array", "[]".into(), At("["), "not an array"),
        case(
            "no_schema",
            "{\"findings\": []}".into(),
            Start,
            "no `schema` field",
        ),
        case(
            "schema_not_a_string",
            edit(b, "\"trailguard.report/v1\"", ODD),
            At(ODD),
            "not a string",
        ),
        case(
            "newer_schema",
            edit(b, "\"trailguard.report/v1\"", "\"trailguard.report/v2\""),
            At("\"trailguard.report/v2\""),
            "written by a newer trailguard",
        ),
        case(
            "other_schema",
            edit(b, "\"trailguard.report/v1\"", "\"trailguard.inventory/v1\""),
            At("\"trailguard.inventory/v1\""),
            "write a report with `--output json=FILE`",
        ),
        case("truncated", b[..b.len() / 2].into(), Plausible, "EOF"),
        case(
            "unknown_severity",
            edit_after(
                b,
                "\"findings\"",
                "\"severity\": \"high\"",
                "\"severity\": \"catastrophic\"",
            ),
            At("\"catastrophic\""),
            "unknown severity `catastrophic`",
        ),
        case(
            "unknown_status",
            edit_after(
                b,
                "\"findings\"",
                "\"status\": \"PASS\"",
                "\"status\": \"BROKEN\"",
            ),
            At("\"BROKEN\""),
            "unknown status `BROKEN`",
        ),
        case(
            "findings_not_a_list",
            edit(b, "\"findings\": [", "\"findings\": 31337, \"x\": ["),
            At(ODD),
            "expected a sequence",
        ),
        case(
            "finding_without_fingerprint",
            edit_after(b, "\"findings\"", "\"fingerprint\":", "\"fingerprint_\":"),
            Plausible,
            "missing field `fingerprint`",
        ),
        case(
            "trailing_garbage",
            format!("{b}garbage"),
            At("garbage"),
            "trailing",
        ),
    ]
}

#[test]
fn every_report_rejection_names_file_line_and_column() {
    for c in &report_cases() {
        let err = match ReportFile::parse(&format!("{}.json", c.name), &c.text) {
            Ok(_) => panic!("{}: accepted", c.name),
            Err(e) => e.to_string(),
        };
        check(c, &err);
    }
}

/// Files the CLI reads, written to a temporary folder.
fn scratch(files: &[(&str, &str)]) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("trailguard-json-errors-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.join(name), text).expect("write");
    }
    dir
}

#[test]
fn the_cli_names_the_bad_file_among_several() {
    let bad = edit(INVENTORY, "\"is_logging\": true", "\"is_logging\": 31337");
    let bad_report = edit_after(
        REPORT,
        "\"findings\"",
        "\"status\": \"PASS\"",
        "\"status\": \"BROKEN\"",
    );
    let dir = scratch(&[
        ("good.json", INVENTORY),
        ("bad.json", &bad),
        ("bad-report.json", &bad_report),
    ]);
    let (good, bad, report) = (
        dir.join("good.json"),
        dir.join("bad.json"),
        dir.join("bad-report.json"),
    );
    let path = |p: &std::path::Path| p.display().to_string();
    let dir_text = path(&dir);
    let masks = [(dir_text.as_str(), "[DIR]")];
    let (line, col) = line_col(&bad_text(&bad), bad_text(&bad).find(ODD).expect("odd"));

    let o = run(&[
        "check",
        "--inventory",
        &path(&good),
        "--inventory",
        &path(&bad),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let want = format!("{}:{line}:{col}: invalid inventory", path(&bad));
    assert!(stderr(&o).contains(&want), "{}", stderr(&o));
    insta::assert_snapshot!("cli_bad_inventory", transcript(&o, &masks));

    let o = run(&[
        "check",
        "--inventory",
        &path(&good),
        "--baseline",
        &path(&report),
    ]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    let at = bad_report.find("\"BROKEN\"").expect("marker");
    let (line, col) = line_col(&bad_report, at);
    let want = format!("--baseline: {}:{line}:{col}: ", path(&report));
    assert!(stderr(&o).contains(&want), "{}", stderr(&o));
    insta::assert_snapshot!("cli_bad_baseline", transcript(&o, &masks));

    let o = run(&["diff", "tests/fixtures/reports/old.json", &path(&report)]);
    assert_eq!(code(&o), 2, "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("{}:{line}:{col}: ", path(&report))),
        "{}",
        stderr(&o)
    );
    insta::assert_snapshot!("cli_bad_diff_input", transcript(&o, &masks));
    let _ = std::fs::remove_dir_all(&dir);
}

fn bad_text(path: &std::path::Path) -> String {
    std::fs::read_to_string(path).expect("read back")
}
