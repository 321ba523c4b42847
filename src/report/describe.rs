//! Words shared by the human-facing formats: resource labels and evidence lines.

use super::{BaselineState, GateSummary, ReportFinding};
use crate::finding::{Evidence, Resource};
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

/// Evidence as short lines (`status.is_logging: expected true, found false`). With
/// `problems_only`, leaves that held and parameter switches are left out: they explain nothing
/// about a FAIL or ERROR.
pub fn evidence_lines(evidence: &[Evidence], problems_only: bool) -> Vec<String> {
    evidence
        .iter()
        .filter_map(|e| match e {
            Evidence::Leaf {
                path,
                expected,
                actual,
                holds,
            } => {
                if problems_only && (*holds == Some(true) || path.starts_with("param ")) {
                    return None;
                }
                let found = match (holds, actual.is_null()) {
                    (None, true) => "nothing readable".to_owned(),
                    (_, true) => "absent".to_owned(),
                    _ => actual.to_string(),
                };
                let expected = expected.strip_prefix("equals ").unwrap_or(expected);
                Some(format!("{path}: expected {expected}, found {found}"))
            }
            Evidence::Quantifier {
                path,
                quantifier,
                matched,
                not_matched,
                unknown,
                if_empty,
            } => {
                let mut s = format!("{quantifier} of {path}: {} matched", matched.len());
                if !matched.is_empty() && matched.len() <= 3 {
                    s.push_str(&format!(" ({})", matched.join(", ")));
                }
                s.push_str(&format!(", {} did not", not_matched.len()));
                if !unknown.is_empty() {
                    s.push_str(&format!(
                        ", {} unknown ({})",
                        unknown.len(),
                        unknown.join(", ")
                    ));
                }
                if let Some(e) = if_empty {
                    s.push_str(&format!("; empty list → {e}"));
                }
                Some(s)
            }
            Evidence::ReadError {
                path,
                operation,
                error_kind,
                code,
                message,
            } => Some(read_error_line(
                path,
                operation,
                error_kind,
                code.as_deref(),
                message.as_deref(),
            )),
            Evidence::Note { text } => Some(text.clone()),
        })
        .fold(Vec::new(), |mut lines, line| {
            // Alternatives of one condition can test the same leaf twice.
            if !lines.contains(&line) {
                lines.push(line);
            }
            lines
        })
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
