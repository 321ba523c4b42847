//! SARIF 2.1.0 for GitHub / GitLab code scanning.
//!
//! Our findings are about cloud resources, not files, and GitHub rejects a whole upload when a
//! result has no repository-relative physical location. So each FAIL result is anchored at the
//! rule file that produced it (`rules/CT-A02.yaml`, the line of `id:`), the resource goes into
//! `logicalLocations`, and our own `partialFingerprints` keep every resource a separate alert
//! (GitHub would otherwise hash the shared anchor line and collapse them).
//!
//! Choices (OUTPUTS.md and DSL_AND_OUTPUTS.md §2):
//! - one run per audited account, `automationDetails.id = trailguard/aws/<account>/<finished_at>`,
//!   so the category is per account and a later scan of that account closes fixed alerts; with
//!   more than 20 accounts (GitHub's limit of runs per file) one run with the category
//!   `trailguard/aws/all-accounts`;
//! - `level` critical/high → error, medium → warning, low/info → note; `security-severity`
//!   9.5 / 8.0 / 5.5 / 2.0, and `0.0` ("no security severity" for GitHub) for info;
//! - only FAIL results; waived ones only with [`RenderOptions::sarif_include_waived`], then every
//!   result carries `suppressions` (empty when not waived), as SARIF requires;
//! - ERROR findings are `toolExecutionNotifications` of the run (`executionSuccessful` stays
//!   true: a partial collection failure is not a tool failure).

use std::io::{self, Write};

use serde_json::{Value, json};

use super::describe::{
    decisive_line, error_reason, evidence_lines, qualified_name, resource_label,
};
use super::{RenderOptions, Report, ReportFinding, RuleInfo};
use crate::vocabulary::{Severity, Status};

/// GitHub's limit of runs in one SARIF file.
const MAX_RUNS: usize = 20;
/// GitHub keeps 10 tags per rule.
const MAX_TAGS: usize = 10;
/// GitHub's limit for descriptions.
const MAX_DESCRIPTION: usize = 1024;

/// Writes the SARIF log.
pub fn render(report: &Report, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    super::json::write_pretty(&sarif_log(report, options), out)
}

/// The SARIF log as JSON.
fn sarif_log(report: &Report, options: &RenderOptions) -> Value {
    let accounts = &report.run.accounts;
    let runs: Vec<Value> = if accounts.is_empty() || accounts.len() > MAX_RUNS {
        vec![run(report, options, None)]
    } else {
        accounts
            .iter()
            .map(|a| run(report, options, Some(a)))
            .collect()
    };
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": runs,
    })
}

/// One run: the findings of one account (or of all, when `account` is `None`).
fn run(report: &Report, options: &RenderOptions, account: Option<&String>) -> Value {
    let in_run = |f: &&ReportFinding| account.is_none_or(|a| &f.resource.account_id == a);
    let results: Vec<Value> = report
        .findings
        .iter()
        .filter(in_run)
        .filter(|f| f.status == Status::Fail && (options.sarif_include_waived || !f.is_waived()))
        .map(|f| result(report, f, options.sarif_include_waived))
        .collect();
    let notifications: Vec<Value> = report
        .findings
        .iter()
        .filter(in_run)
        .filter(|f| f.status == Status::Error)
        .map(|f| notification(report, f))
        .collect();
    let category = match account {
        Some(a) => format!("trailguard/aws/{a}"),
        None => "trailguard/aws/all-accounts".to_owned(),
    };
    json!({
        "tool": { "driver": {
            "name": report.tool.name,
            "semanticVersion": report.tool.version,
            "rules": report.rules.iter().map(descriptor).collect::<Vec<_>>(),
        }},
        "automationDetails": { "id": format!("{category}/{}", report.run.finished_at) },
        "invocations": [{
            "executionSuccessful": true,
            "startTimeUtc": report.run.started_at.to_string(),
            "endTimeUtc": report.run.finished_at.to_string(),
            "toolExecutionNotifications": notifications,
        }],
        "results": results,
    })
}

/// `tool.driver.rules[]` entry.
fn descriptor(rule: &RuleInfo) -> Value {
    let mut tags = vec!["security".to_owned(), "cloudtrail".to_owned()];
    for (framework, controls) in &rule.frameworks {
        for control in controls {
            if tags.len() < MAX_TAGS {
                tags.push(format!("{framework}/{control}"));
            }
        }
    }
    let level = level(rule.severity);
    let mut help_text = rule.remediation.text.clone();
    if let Some(cli) = &rule.remediation.cli {
        help_text.push_str(&format!("\n\n{cli}"));
    }
    let mut d = json!({
        "id": rule.id,
        "name": pascal_case(&rule.title),
        "shortDescription": { "text": truncate(&rule.title) },
        "fullDescription": { "text": truncate(&rule.rationale) },
        "help": { "text": help_text, "markdown": help_markdown(rule) },
        "defaultConfiguration": { "level": level },
        "properties": {
            "tags": tags,
            "security-severity": security_severity(rule.severity),
            "precision": "very-high",
            "problem.severity": match level { "note" => "recommendation", other => other },
            "frameworks": rule.frameworks,
            "scope": rule.scope,
        },
    });
    if let Some(url) = &rule.remediation.url {
        d["helpUri"] = json!(url);
    }
    d
}

/// Rationale, remediation (with the command in a code block), references and controls.
fn help_markdown(rule: &RuleInfo) -> String {
    let mut md = format!(
        "**{}** ({}, {})\n\n**Why.** {}\n\n**Fix.** {}\n",
        rule.title, rule.id, rule.severity, rule.rationale, rule.remediation.text
    );
    if let Some(cli) = &rule.remediation.cli {
        md.push_str(&format!("\n```sh\n{}\n```\n", cli.trim()));
    }
    if !rule.references.is_empty() {
        md.push_str("\n**References.**\n\n");
        for r in &rule.references {
            md.push_str(&format!("- <{r}>\n"));
        }
    }
    if !rule.frameworks.is_empty() {
        md.push_str("\n**Controls.**\n\n");
        for (framework, controls) in &rule.frameworks {
            md.push_str(&format!("- {framework}: {}\n", controls.join(", ")));
        }
    }
    md
}

/// One FAIL result.
fn result(report: &Report, f: &ReportFinding, with_suppressions: bool) -> Value {
    let index = report.rules.iter().position(|r| r.id == f.rule_id);
    let (uri, line) = match report.rule(&f.rule_id) {
        Some(rule) => (rule.source.path.clone(), rule.source.line.max(1)),
        // A finding of a rule the report does not describe: a stable virtual anchor.
        None => (format!("trailguard/rules/{}.yaml", f.rule_id), 1),
    };
    let r = &f.resource;
    let mut logical = vec![json!({
        "name": r.id,
        "fullyQualifiedName": qualified_name(r),
        "kind": "resource",
    })];
    logical.push(json!({
        "name": r.account_id,
        "fullyQualifiedName": format!("{}/{}", r.partition, r.account_id),
        "kind": "account",
    }));
    if let Some(region) = r.region.as_ref().filter(|region| **region != r.id) {
        logical.push(json!({
            "name": region,
            "fullyQualifiedName": format!("{}/{}/{region}", r.partition, r.account_id),
            "kind": "region",
        }));
    }
    let mut text = format!("{}: {}", capitalise(&resource_label(r)), f.message.trim());
    if !text.ends_with('.') {
        text.push('.');
    }
    // The alert's one line of why, in the words the text and Markdown reports use.
    if let Some(why) = decisive_line(&f.evidence) {
        text.push_str(&format!(" Evidence: {why}."));
    }
    let mut result = json!({
        "ruleId": f.rule_id,
        "kind": "fail",
        "level": level(f.severity),
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": uri },
                "region": { "startLine": line },
            },
            "logicalLocations": logical,
        }],
        "partialFingerprints": {
            "primaryLocationLineHash": format!("{}:1", f.fingerprint),
            "trailguard/v1": f.fingerprint,
        },
        "properties": {
            "account_id": r.account_id,
            "region": r.region,
            "resource_type": r.resource_type,
            "resource_id": r.id,
            "arn": r.arn,
            "severity": f.severity,
            "evidence": evidence_lines(&f.evidence, true),
        },
    });
    if let Some(i) = index {
        result["ruleIndex"] = json!(i);
    }
    if let Some(state) = f.baseline {
        result["baselineState"] = json!(state);
    }
    if with_suppressions {
        result["suppressions"] = match &f.waiver {
            Some(w) => json!([{
                "kind": "external",
                "status": "accepted",
                "justification": format!("{}: {} (owner {}, expires {})", w.id, w.reason, w.owner, w.expires),
            }]),
            None => json!([]),
        };
    }
    result
}

/// An ERROR finding as a notification: the rule could not be evaluated on this resource.
fn notification(report: &Report, f: &ReportFinding) -> Value {
    let mut rule = json!({ "id": f.rule_id });
    if let Some(i) = report.rules.iter().position(|r| r.id == f.rule_id) {
        rule["index"] = json!(i);
    }
    json!({
        "level": "error",
        "message": { "text": format!(
            "{} not evaluated on {}: {}",
            f.rule_id,
            resource_label(&f.resource),
            error_reason(&f.evidence, &f.message)
        )},
        "associatedRule": rule,
    })
}

fn level(s: Severity) -> &'static str {
    match s {
        Severity::Critical | Severity::High => "error",
        Severity::Medium => "warning",
        Severity::Low | Severity::Info => "note",
    }
}

fn security_severity(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "9.5",
        Severity::High => "8.0",
        Severity::Medium => "5.5",
        Severity::Low => "2.0",
        Severity::Info => "0.0",
    }
}

/// `A multi-region trail is logging` → `AMultiRegionTrailIsLogging` (≤255 characters).
fn pascal_case(title: &str) -> String {
    title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(capitalise)
        .collect::<String>()
        .chars()
        .take(255)
        .collect()
}

fn capitalise(word: &str) -> String {
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// At most 1024 characters, cut at a character boundary with `…`.
fn truncate(text: &str) -> String {
    if text.chars().count() <= MAX_DESCRIPTION {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(MAX_DESCRIPTION - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_truncation() {
        assert_eq!(
            pascal_case("A multi-region trail is logging"),
            "AMultiRegionTrailIsLogging"
        );
        let long = "é".repeat(2000);
        let cut = truncate(&long);
        assert_eq!(cut.chars().count(), MAX_DESCRIPTION);
        assert!(cut.ends_with('…'));
    }

    #[test]
    fn severity_mapping() {
        let table: Vec<(&str, &str)> = Severity::ALL
            .iter()
            .map(|s| (level(*s), security_severity(*s)))
            .collect();
        assert_eq!(
            table,
            [
                ("note", "0.0"),
                ("note", "2.0"),
                ("warning", "5.5"),
                ("error", "8.0"),
                ("error", "9.5")
            ]
        );
    }
}
