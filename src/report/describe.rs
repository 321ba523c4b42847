//! Words shared by the human-facing formats: resource labels and evidence lines.

use super::{BaselineState, GateSummary, ReportFinding};
use serde_json::Value;

use crate::finding::{Evidence, Resource};
use crate::inventory::Timestamp;
use crate::vocabulary::{ResourceType, Severity, Status};

/// `trail arn:…`, `bucket logs (account 1234…)`, `region eu-west-1 (account 1234…)`.
pub fn resource_label(r: &Resource) -> String {
    match &r.resource_type {
        ResourceType::Account => format!("account {}", r.account_id),
        ResourceType::Region => format!("region {} (account {})", r.id, r.account_id),
        ResourceType::Trail => format!("trail {}", r.arn.as_deref().unwrap_or(&r.id)),
        ResourceType::Bucket => format!("bucket {} (account {})", r.id, r.account_id),
        ResourceType::Key => format!("key {} (account {})", r.id, r.account_id),
        other @ (ResourceType::Organization | ResourceType::Other(_)) => {
            format!("{other} {} (account {})", r.id, r.account_id)
        }
    }
}

/// The resource's fully qualified name: its ARN, or `<partition>/<account>/<region>/<id>`.
pub fn qualified_name(r: &Resource) -> String {
    match &r.arn {
        Some(arn) => arn.clone(),
        None => {
            let mut parts = vec![r.partition.as_str(), r.account_id.as_str()];
            if let Some(region) = &r.region {
                parts.push(region);
            }
            if r.id != r.account_id && Some(&r.id) != r.region.as_ref() {
                parts.push(&r.id);
            }
            parts.join("/")
        }
    }
}

/// `PASS`, `FAIL`, `ERROR`, `N/A`.
pub fn status_word(s: Status) -> &'static str {
    match s {
        Status::NotApplicable => "N/A",
        other => other.as_str(),
    }
}

/// Severities, most serious first.
pub const SEVERITIES_DESC: [Severity; 5] = [
    Severity::Critical,
    Severity::High,
    Severity::Medium,
    Severity::Low,
    Severity::Info,
];

/// Evidence as short lines in plain words (`status.is_logging: expected true, found false`),
/// the decisive first: the evaluation orders evidence that way and keeps, of a failed `any`,
/// only the alternative that came closest. The one renderer of expected and found values for
/// every human format (text, Markdown, SARIF, JUnit, `rules test`). With `problems_only`,
/// leaves that held and parameter switches are left out: they explain nothing about a FAIL or
/// ERROR.
pub fn evidence_lines(evidence: &[Evidence], problems_only: bool) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    // What was said not to exist: its parts are absent as a consequence, not each a cause.
    let mut gone: Vec<String> = Vec::new();
    for e in evidence {
        let line = match e {
            Evidence::Leaf {
                path,
                expected,
                actual,
                holds,
                operator,
                expected_value,
                parameter,
            } => {
                let leaf = LeafView {
                    path,
                    prose: expected,
                    actual,
                    holds: *holds,
                    operator: operator.as_deref(),
                    value: expected_value.as_ref(),
                    parameter: parameter.as_deref(),
                };
                if problems_only && !leaf.explains_a_problem(&gone) {
                    continue;
                }
                gone.extend(leaf.missing());
                leaf.line()
            }
            other => other_line(other),
        };
        // Alternatives of one condition can test the same leaf twice.
        if !lines.contains(&line) {
            lines.push(line);
        }
    }
    lines
}

/// A quantifier's, failed read's or note's line.
fn other_line(e: &Evidence) -> String {
    match e {
        Evidence::Quantifier {
            path,
            quantifier,
            matched,
            not_matched,
            unknown,
            if_empty,
        } => quantifier_line(
            path,
            quantifier,
            [matched, not_matched, unknown],
            if_empty.as_deref(),
        ),
        Evidence::ReadError {
            path,
            operation,
            error_kind,
            code,
            message,
        } => read_error_line(
            path,
            operation,
            error_kind,
            code.as_deref(),
            message.as_deref(),
        ),
        Evidence::Note { text } => text.clone(),
        Evidence::Leaf { path, .. } => path.clone(),
    }
}

/// The one line that best explains a FAIL: its first failing value (a quantifier's own line
/// only when no element explains it further), for formats with room for one line.
pub fn decisive_line(evidence: &[Evidence]) -> Option<String> {
    let explains = |e: &&Evidence| !matches!(e, Evidence::Quantifier { .. });
    let first = evidence
        .iter()
        .filter(explains)
        .find_map(|e| evidence_lines(std::slice::from_ref(e), true).pop());
    first.or_else(|| evidence_lines(evidence, true).into_iter().next())
}

/// A leaf of evidence, borrowed, to be said in words.
struct LeafView<'a> {
    path: &'a str,
    /// The expectation in words, as recorded (reports older than the machine form have only it).
    prose: &'a str,
    actual: &'a Value,
    holds: Option<bool>,
    operator: Option<&'a str>,
    value: Option<&'a Value>,
    parameter: Option<&'a str>,
}

impl LeafView<'_> {
    /// `path: expected X, found Y`, or a sentence where that would read as a double negative.
    fn line(&self) -> String {
        let path = self.path;
        let found = if self.holds.is_none() && self.actual.is_null() {
            "nothing readable".to_owned()
        } else {
            found_words(self.actual)
        };
        if let Some(sentence) = self.existence() {
            return sentence;
        }
        let Some(expected) = self.expected_words() else {
            let legacy = self.prose.strip_prefix("equals ").unwrap_or(self.prose);
            return format!("{path}: expected {legacy}, found {found}");
        };
        match self.operator {
            // The reason already says what the pattern lacks; the pattern follows it.
            Some("matches_events" | "equals_filter_text") => {
                format!("{path}: expected {expected} (found {found})")
            }
            _ => format!("{path}: expected {expected}, found {found}"),
        }
    }

    /// Whether the leaf explains a FAIL or ERROR: not when it held, is a parameter switch, or
    /// is an absent part of something already said not to exist (a prefix in `gone`).
    fn explains_a_problem(&self, gone: &[String]) -> bool {
        let consequence = self.actual.is_null() && gone.iter().any(|g| self.path.starts_with(g));
        self.holds != Some(true) && !self.path.starts_with("param ") && !consequence
    }

    /// The path prefix of what this leaf says does not exist (`""` for the subject itself,
    /// `bucket.` for `bucket.exists`).
    fn missing(&self) -> Option<String> {
        let sentence = self.existence()?;
        sentence
            .ends_with(" does not exist")
            .then(|| self.path.trim_end_matches("exists").to_owned())
    }

    /// `bucket does not exist` for the inventory's one `exists` field (the bucket's, see
    /// `rules fields bucket`), whichever way the rule words the test.
    fn existence(&self) -> Option<String> {
        let subject = match self.path.strip_suffix("exists")? {
            "" => "the bucket",
            parent => parent.strip_suffix('.')?,
        };
        let wanted = match (self.operator?, self.value?) {
            ("equals", Value::Bool(b)) => *b,
            ("not_equals", Value::Bool(b)) => !*b,
            _ => return None,
        };
        match (self.holds, self.actual) {
            (Some(false), Value::Bool(false)) if wanted => {
                Some(format!("{subject} does not exist"))
            }
            (Some(false), Value::Bool(true)) if !wanted => Some(format!("{subject} exists")),
            _ => None,
        }
    }

    /// What was expected, in words, from the machine form; `None` without one.
    fn expected_words(&self) -> Option<String> {
        let operator = self.operator?;
        let flag = |yes: &str, no: &str| match self.value {
            Some(Value::Bool(true)) => Some(yes.to_owned()),
            Some(Value::Bool(false)) => Some(no.to_owned()),
            _ => None,
        };
        let value = || self.value.map_or_else(|| "?".to_owned(), value_words);
        Some(match operator {
            "exists" => flag("present", "absent")?,
            "empty" => flag("empty", "not empty")?,
            "equals" => value(),
            "not_equals" => match self.value {
                Some(Value::Bool(b)) => (!b).to_string(),
                _ => format!("anything but {}", value()),
            },
            "one_of" => match (self.value, self.parameter) {
                (Some(Value::Array(items)), Some(p)) if items.is_empty() => {
                    format!("one of {p}, which is empty")
                }
                _ => format!("one of {}", value()),
            },
            "contains" => format!("to contain {}", value()),
            "matches" => format!("to match /{}/", self.value.and_then(Value::as_str)?),
            "gt" => format!("> {}", value()),
            "gte" => format!(">= {}", value()),
            "lt" => format!("< {}", value()),
            "lte" => format!("<= {}", value()),
            // The prose carries the reason the pattern falls short.
            "matches_events" | "equals_filter_text" => self
                .prose
                .strip_prefix("is ")
                .unwrap_or(self.prose)
                .to_owned(),
            _ => return None,
        })
    }
}

/// A found value: `absent` for nothing, `none` for an empty list or map, else [`value_words`].
fn found_words(v: &Value) -> String {
    match v {
        Value::Null => "absent".to_owned(),
        Value::Array(a) if a.is_empty() => "none".to_owned(),
        Value::Object(o) if o.is_empty() => "none".to_owned(),
        other => value_words(other),
    }
}

/// A value as evidence shows it, the same on both sides of `expected …, found …`: strings in
/// double quotes (so that `""` and `"false"` read as what they are), timestamps bare, lists as
/// `[a, b]`, maps as `{key: value}`.
pub fn value_words(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(_) | Value::Number(_) => v.to_string(),
        Value::String(s) if Timestamp::parse(s).is_some() => s.clone(),
        Value::String(_) => v.to_string(),
        Value::Array(items) => {
            let parts: Vec<String> = items.iter().map(value_words).collect();
            format!("[{}]", parts.join(", "))
        }
        Value::Object(map) => {
            let parts: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}: {}", value_words(v)))
                .collect();
            format!("{{{}}}", parts.join(", "))
        }
    }
}

/// `trails: 0 of 2 match`, `buckets: 1 of 3 do not match (logs)`, `trails: none`.
fn quantifier_line(
    path: &str,
    quantifier: &str,
    [matched, not_matched, unknown]: [&Vec<String>; 3],
    if_empty: Option<&str>,
) -> String {
    let total = matched.len() + not_matched.len() + unknown.len();
    let named = |items: &[String]| {
        if items.is_empty() || items.len() > 3 {
            String::new()
        } else {
            format!(" ({})", items.join(", "))
        }
    };
    let mut s = if total == 0 {
        format!("{path}: none")
    } else {
        match quantifier {
            "all" => format!(
                "{path}: {} of {total} do not match{}",
                not_matched.len(),
                named(not_matched)
            ),
            "none" => format!(
                "{path}: {} of {total} match{}, and none may",
                matched.len(),
                named(matched)
            ),
            _ => format!(
                "{path}: {} of {total} match{}",
                matched.len(),
                named(matched)
            ),
        }
    };
    if !unknown.is_empty() {
        s.push_str(&format!(
            ", {} could not be read{}",
            unknown.len(),
            named(unknown)
        ));
    }
    if let Some(e) = if_empty {
        s.push_str(&format!(", which counts as {}", e.replace('_', " ")));
    }
    s
}

/// `cloudtrail:DescribeTrails failed: access denied (AccessDeniedException) reading trails`.
pub fn read_error_line(
    path: &str,
    operation: &str,
    error_kind: &str,
    code: Option<&str>,
    message: Option<&str>,
) -> String {
    let mut s = format!("{operation} failed: {}", error_kind.replace('_', " "));
    if let Some(c) = code {
        s.push_str(&format!(" ({c})"));
    }
    s.push_str(&format!(" reading {path}"));
    if let Some(m) = message.filter(|m| !m.is_empty()) {
        s.push_str(&format!(": {m}"));
    }
    s
}

/// The first failed read of an ERROR finding, as one line without AWS's message (the JSON
/// report keeps it); the finding's message otherwise.
pub fn error_reason(evidence: &[Evidence], message: &str) -> String {
    evidence
        .iter()
        .find_map(|e| match e {
            Evidence::ReadError {
                path,
                operation,
                error_kind,
                code,
                ..
            } => Some(read_error_line(
                path,
                operation,
                error_kind,
                code.as_deref(),
                None,
            )),
            _ => None,
        })
        .unwrap_or_else(|| message.to_owned())
}

/// `1 finding` / `2 findings`.
pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("{n} {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// Whether a finding counts toward the gate under the report's recorded policy: the marker
/// the text and Markdown formats show (`✖` gates, `·` report-only). The gate itself decides
/// the exit code; this mirrors its rules for display.
pub fn gates(f: &ReportFinding, gate: &GateSummary) -> bool {
    if f.is_waived() || (gate.fail_on_new_only && f.baseline == Some(BaselineState::Unchanged)) {
        return false;
    }
    match f.status {
        Status::Fail => gate.fail_on.is_none_or(|min| f.severity >= min),
        Status::Error => !gate.allow_errors,
        Status::Pass | Status::NotApplicable => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn leaf(path: &str, operator: &str, value: Value, actual: Value) -> Evidence {
        Evidence::Leaf {
            path: path.into(),
            expected: "(prose)".into(),
            actual,
            holds: Some(false),
            operator: Some(operator.into()),
            expected_value: Some(value),
            parameter: None,
        }
    }

    fn line(e: Evidence) -> String {
        evidence_lines(&[e], true).join("\n")
    }

    #[test]
    fn leaves_in_words() {
        assert_eq!(
            line(leaf(
                "t",
                "gte",
                json!("2025-12-31T00:00:00Z"),
                json!("2025-12-30T10:00:00Z")
            )),
            "t: expected >= 2025-12-31T00:00:00Z, found 2025-12-30T10:00:00Z",
            "timestamps bare on both sides"
        );
        assert_eq!(
            line(leaf("s", "not_equals", json!("x"), json!("x"))),
            "s: expected anything but \"x\", found \"x\""
        );
        assert_eq!(
            line(leaf("b", "not_equals", json!(true), json!(true))),
            "b: expected false, found true",
            "no double negative"
        );
        let mut empty = leaf("owner", "one_of", json!([]), json!("1"));
        if let Evidence::Leaf { parameter, .. } = &mut empty {
            *parameter = Some("log_archive_accounts".into());
        }
        assert_eq!(
            line(empty),
            "owner: expected one of log_archive_accounts, which is empty, found \"1\""
        );
        assert_eq!(
            line(leaf("bucket.exists", "equals", json!(true), json!(false))),
            "bucket does not exist"
        );
        assert_eq!(
            line(leaf("exists", "equals", json!(true), json!(false))),
            "the bucket does not exist"
        );
    }

    #[test]
    fn parts_of_what_does_not_exist_are_not_more_causes() {
        let evidence = [
            leaf("bucket.exists", "not_equals", json!(false), json!(false)),
            leaf("bucket.region", "exists", json!(true), Value::Null),
            leaf("status.is_logging", "equals", json!(true), json!(false)),
            leaf("kms_key_id", "exists", json!(true), Value::Null),
        ];
        assert_eq!(
            evidence_lines(&evidence, true),
            [
                "bucket does not exist",
                "status.is_logging: expected true, found false",
                "kms_key_id: expected present, found absent",
            ]
        );
    }

    #[test]
    fn quantifiers_in_words() {
        let q = |quantifier: &str, m: &[&str], n: &[&str], if_empty: Option<&str>| {
            line(Evidence::Quantifier {
                path: "buckets".into(),
                quantifier: quantifier.into(),
                matched: m.iter().map(|s| s.to_string()).collect(),
                not_matched: n.iter().map(|s| s.to_string()).collect(),
                unknown: Vec::new(),
                if_empty: if_empty.map(str::to_owned),
            })
        };
        assert_eq!(q("any", &[], &["a", "b"], None), "buckets: 0 of 2 match");
        assert_eq!(
            q("all", &["a"], &["b"], None),
            "buckets: 1 of 2 do not match (b)"
        );
        assert_eq!(
            q("none", &["a"], &["b"], None),
            "buckets: 1 of 2 match (a), and none may"
        );
        assert_eq!(
            q("all", &[], &[], Some("fail")),
            "buckets: none, which counts as fail"
        );
    }
}
