//! SARIF 2.1.0 for GitHub / GitLab code scanning.
//!
//! Our findings are about cloud resources, not files. The scheme, and why:
//!
//! - **Location: a virtual, repository-relative path that names the resource**,
//!   `trailguard/<partition>/<account>/<region|global>/<type>[/<name>]` (e.g.
//!   `trailguard/aws/234567890123/us-east-1/trail/legacy-trail`), line 1. GitHub rejects the
//!   whole upload for a result without a physical location or with only logical ones
//!   (codeql-action#1738, #2459; forcedotcom/code-analyzer#1970), and for a URI with a scheme
//!   other than the checkout's (`SARIF URI scheme "debian" did not match the checkout URI
//!   scheme "file"`, aquasecurity/trivy#1182) — so an ARN (scheme `arn`) cannot be the URI and
//!   every segment is percent-encoded. A relative path that is not in the checkout is accepted:
//!   the alert is listed with that path and its page says "Preview unavailable" instead of a
//!   snippet (psastras/sarif-rs#271), as for Trivy's container-image alerts (`library/…`
//!   paths); codeql-action then leaves our `primaryLocationLineHash` alone
//!   (`src/fingerprints.ts` skips files it cannot read). No rule file (`rules/CT-B05.yaml` does
//!   not exist in the user's repository) and no absolute path is ever written. Peers have no
//!   convention to follow: Checkov, KICS and tfsec report IaC files; Prowler writes SARIF only
//!   for its IaC provider (prowler#10626); Steampipe/Powerpipe export no SARIF.
//! - **Categories keyed by account, never by account count**: one run per group of accounts
//!   sharing the last digit of the account id, `automationDetails.id =
//!   <base>/accounts-ending-<d>/<finished_at>` (GitHub's category is the id up to its last
//!   `/`), `<base>` = `--sarif-category`, default `trailguard/aws`. An account always lands in
//!   the same category, at most 11 runs are written (ten digits and `accounts-other` for an id
//!   that does not end in one; GitHub takes 20 per file), and each run has its own
//!   25,000-result budget. Only groups with an audited account get a run, so
//!   alerts are never closed for accounts this scan did not look at.
//! - **`automationDetails.id` is always written**, which makes the upload action's
//!   `category:` input inert (codeql-action applies it only to runs without an id). It must
//!   be: GitHub rejects a file whose runs share a category ("A delivery cannot contain multiple
//!   runs with the same category", changelog 2025-07-21), and the action would give every run
//!   the same one. `--sarif-category` replaces that input.
//! - **ERROR findings are results** (`level: warning`, the failed call in the message,
//!   `properties.status: ERROR`; `kind` stays `fail` because SARIF 2.1.0 §3.27.10 requires
//!   level `none` for `kind: review`, which GitHub would not show as a warning) with the
//!   fingerprint a FAIL of the same rule and resource has: that alert stays open while its data
//!   cannot be read, instead of closing as fixed. When the failed read is above the resource
//!   (an account's trails could not be listed), the ERROR is the account's and opens its own
//!   alert, so something stays open either way.
//! - **At most 25,000 results per run** (GitHub rejects more; docs "SARIF support for code
//!   scanning", limits): past that the most severe are kept, FAIL before ERROR, and the run
//!   carries a notification saying how many were left out.
//! - `level` critical/high → error, medium → warning, low/info → note; `security-severity`
//!   9.5 / 8.0 / 5.5 / 2.0, and `0.0` ("no security severity" for GitHub) for info;
//! - waived results only with [`RenderOptions::sarif_include_waived`], then every result
//!   carries `suppressions` (empty when not waived), as SARIF requires.

use std::collections::BTreeSet;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::describe::{
    decisive_line, error_reason, evidence_lines, qualified_name, resource_label,
};
use super::{RenderOptions, Report, ReportFinding, RuleInfo};
use crate::finding::Resource;
use crate::vocabulary::{ResourceType, Severity, Status};

/// GitHub keeps 10 tags per rule.
const MAX_TAGS: usize = 10;
/// GitHub's limit for descriptions.
const MAX_DESCRIPTION: usize = 1024;
/// GitHub rejects a run with more results.
pub(super) const MAX_RESULTS: usize = 25_000;
/// The category prefix without `--sarif-category`.
pub(super) const DEFAULT_CATEGORY: &str = "trailguard/aws";
/// `tool.driver.informationUri`.
pub(super) const INFORMATION_URI: &str = env!("CARGO_PKG_HOMEPAGE");

/// Writes the SARIF log.
pub fn render(report: &Report, options: &RenderOptions, out: &mut dyn Write) -> io::Result<()> {
    super::json::write_pretty(&sarif_log(report, options), out)
}

/// The SARIF log as JSON: one run per account group.
fn sarif_log(report: &Report, options: &RenderOptions) -> Value {
    let accounts = report
        .run
        .accounts
        .iter()
        .chain(report.findings.iter().map(|f| &f.resource.account_id));
    let groups: BTreeSet<String> = accounts.map(|a| account_group(a)).collect();
    let base = options
        .sarif_category
        .as_deref()
        .unwrap_or(DEFAULT_CATEGORY);
    let runs: Vec<Value> = groups
        .iter()
        .map(|g| run(report, options, &format!("{base}/{g}"), g))
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": runs,
    })
}

/// The run group of an account: `accounts-ending-7`, from the last digit of its id, so that
/// it never depends on which or how many other accounts were audited.
pub(super) fn account_group(account_id: &str) -> String {
    match account_id.chars().last() {
        Some(d) if d.is_ascii_digit() => format!("accounts-ending-{d}"),
        _ => "accounts-other".to_owned(),
    }
}

/// One run: the FAIL and ERROR results of one account group, in category `category`.
fn run(report: &Report, options: &RenderOptions, category: &str, group: &str) -> Value {
    let mut selected: Vec<&ReportFinding> = report
        .findings
        .iter()
        .filter(|f| account_group(&f.resource.account_id) == group)
        .filter(|f| matches!(f.status, Status::Fail | Status::Error))
        .filter(|f| options.sarif_include_waived || !f.is_waived())
        .collect();
    let left_out = cap(&mut selected, MAX_RESULTS);
    let results: Vec<Value> = selected
        .iter()
        .map(|f| result(report, f, options.sarif_include_waived))
        .collect();
    let mut notifications = Vec::new();
    if left_out > 0 {
        notifications.push(json!({
            "level": "warning",
            "message": { "text": format!(
                "{left_out} of {} results of category {category} were left out: GitHub accepts at \
                 most {MAX_RESULTS} results per run. The most severe were kept; the JSON report \
                 has every finding. Narrow the scan (--severity-min, --accounts) to see the rest.",
                left_out + MAX_RESULTS
            )},
        }));
    }
    json!({
        "tool": { "driver": {
            "name": report.tool.name,
            "semanticVersion": report.tool.version,
            "informationUri": INFORMATION_URI,
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

/// Keeps the `max` most important findings (most severe first, FAIL before ERROR, then report
/// order) in report order, and returns how many were dropped.
fn cap(findings: &mut Vec<&ReportFinding>, max: usize) -> usize {
    keep_first_ranked(findings, max, |f| {
        (std::cmp::Reverse(f.severity), f.status != Status::Fail)
    })
}

/// Keeps the `max` items that rank first (ties: the earlier), in their order, and returns how
/// many were dropped.
pub(super) fn keep_first_ranked<T, K: Ord>(
    items: &mut Vec<&T>,
    max: usize,
    rank: impl Fn(&T) -> K,
) -> usize {
    if items.len() <= max {
        return 0;
    }
    let mut ranked: Vec<usize> = (0..items.len()).collect();
    ranked.sort_by_key(|&i| (rank(items[i]), i));
    let keep: BTreeSet<usize> = ranked.into_iter().take(max).collect();
    let dropped = items.len() - max;
    *items = keep.into_iter().map(|i| items[i]).collect();
    dropped
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

/// One FAIL or ERROR result, at the resource's virtual path.
fn result(report: &Report, f: &ReportFinding, with_suppressions: bool) -> Value {
    let r = &f.resource;
    let (level, mut text) = match f.status {
        Status::Fail => (
            level(f.severity),
            format!("{}: {}", capitalise(&resource_label(r)), f.message.trim()),
        ),
        _ => (
            "warning",
            format!(
                "{} could not be evaluated on {}: {}",
                f.rule_id,
                resource_label(r),
                error_reason(&f.evidence, &f.message)
            ),
        ),
    };
    if !text.ends_with('.') {
        text.push('.');
    }
    // The alert's one line of why, in the words the text and Markdown reports use.
    if f.status == Status::Fail
        && let Some(why) = decisive_line(&f.evidence)
    {
        text.push_str(&format!(" Evidence: {why}."));
    }
    let mut result = json!({
        "ruleId": f.rule_id,
        // `fail` for ERROR too: SARIF §3.27.10 requires level `none` for any other kind, and
        // an unread control must be a `warning` alert. `properties.status` tells them apart.
        "kind": "fail",
        "level": level,
        "message": { "text": text },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": resource_path(r) },
                "region": { "startLine": 1 },
            },
            "logicalLocations": logical_locations(r),
        }],
        // Identity for GitHub: rule, path and this hash. FAIL and ERROR share it (see above).
        "partialFingerprints": {
            "primaryLocationLineHash": format!("{}:1", f.fingerprint),
            "trailguard/v1": f.fingerprint,
        },
        "properties": {
            "status": f.status,
            "account_id": r.account_id,
            "region": r.region,
            "resource_type": r.resource_type,
            "resource_id": r.id,
            "arn": r.arn,
            "severity": f.severity,
            "evidence": evidence_lines(&f.evidence, true),
        },
    });
    if let Some(i) = report.rules.iter().position(|rule| rule.id == f.rule_id) {
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

/// The resource, its account and its region, for SARIF viewers that show them.
fn logical_locations(r: &Resource) -> Vec<Value> {
    let mut logical = vec![
        json!({ "name": r.id, "fullyQualifiedName": qualified_name(r), "kind": "resource" }),
        json!({
            "name": r.account_id,
            "fullyQualifiedName": format!("{}/{}", r.partition, r.account_id),
            "kind": "account",
        }),
    ];
    if let Some(region) = r.region.as_ref().filter(|region| **region != r.id) {
        logical.push(json!({
            "name": region,
            "fullyQualifiedName": format!("{}/{}/{region}", r.partition, r.account_id),
            "kind": "region",
        }));
    }
    logical
}

/// `trailguard/aws/234567890123/us-east-1/trail/legacy-trail`: relative, without a scheme,
/// each segment percent-encoded.
fn resource_path(r: &Resource) -> String {
    let (kind, name) = match &r.resource_type {
        ResourceType::Account => ("account".to_owned(), None),
        ResourceType::Region => ("region".to_owned(), None),
        ResourceType::Trail => ("trail".to_owned(), Some(short_name(&r.id))),
        ResourceType::Bucket => ("bucket".to_owned(), Some(short_name(&r.id))),
        ResourceType::Key => ("key".to_owned(), Some(short_name(&r.id))),
        ResourceType::Organization => ("organization".to_owned(), Some(short_name(&r.id))),
        ResourceType::Other(t) => (
            t.to_ascii_lowercase().replace("::", "-"),
            Some(r.id.as_str()),
        ),
    };
    let region = r.region.as_deref().unwrap_or("global");
    let mut segments = vec!["trailguard", &r.partition, &r.account_id, region, &kind];
    segments.extend(name);
    segments
        .iter()
        .map(|s| path_segment(s))
        .collect::<Vec<_>>()
        .join("/")
}

/// An ARN's resource name (`arn:…:trail/legacy-trail` → `legacy-trail`); any other id as is.
fn short_name(id: &str) -> &str {
    match id.strip_prefix("arn:") {
        Some(_) => {
            let resource = id.splitn(6, ':').nth(5).unwrap_or(id);
            resource.split_once('/').map_or(resource, |(_, name)| name)
        }
        None => id,
    }
}

/// A path segment: RFC 3986 unreserved characters kept, every other byte `%XX`; empty, `.`
/// and `..` (which a path would resolve away) spelled out.
pub(super) fn path_segment(text: &str) -> String {
    match text {
        "" => return "_".to_owned(),
        "." => return "%2E".to_owned(),
        ".." => return "%2E%2E".to_owned(),
        _ => {}
    }
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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

pub(super) fn capitalise(word: &str) -> String {
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

    fn resource(t: ResourceType, id: &str, region: Option<&str>) -> Resource {
        Resource {
            account_id: "234567890123".into(),
            region: region.map(str::to_owned),
            resource_type: t,
            id: id.into(),
            arn: None,
            partition: "aws".into(),
        }
    }

    #[test]
    fn resource_paths_are_relative_readable_and_scheme_free() {
        let trail = "arn:aws:cloudtrail:us-east-1:123456789012:trail/org-trail";
        let cases = [
            (
                ResourceType::Account,
                "234567890123",
                None,
                "trailguard/aws/234567890123/global/account",
            ),
            (
                ResourceType::Region,
                "eu-west-1",
                Some("eu-west-1"),
                "trailguard/aws/234567890123/eu-west-1/region",
            ),
            (
                ResourceType::Trail,
                trail,
                Some("us-east-1"),
                "trailguard/aws/234567890123/us-east-1/trail/org-trail",
            ),
            (
                ResourceType::Bucket,
                "logs.example",
                None,
                "trailguard/aws/234567890123/global/bucket/logs.example",
            ),
            (
                ResourceType::Other("AWS::Logs::LogGroup".into()),
                "/aws/ct logs",
                Some("us-east-1"),
                "trailguard/aws/234567890123/us-east-1/aws-logs-loggroup/%2Faws%2Fct%20logs",
            ),
            (
                ResourceType::Bucket,
                "..",
                None,
                "trailguard/aws/234567890123/global/bucket/%2E%2E",
            ),
        ];
        for (t, id, region, want) in cases {
            assert_eq!(resource_path(&resource(t, id, region)), want);
        }
    }

    #[test]
    fn account_groups_depend_on_the_account_alone() {
        assert_eq!(account_group("234567890123"), "accounts-ending-3");
        assert_eq!(account_group("111111111110"), "accounts-ending-0");
        assert_eq!(account_group("not-an-id"), "accounts-other");
    }

    #[test]
    fn the_cap_keeps_the_most_severe_in_report_order() {
        let finding = |severity, status, id: &str| ReportFinding {
            rule_id: "CT-X".into(),
            title: "t".into(),
            severity,
            status,
            resource: resource(ResourceType::Bucket, id, None),
            message: "m".into(),
            evidence: Vec::new(),
            fingerprint: id.into(),
            frameworks: Default::default(),
            waiver: None,
            baseline: None,
        };
        let all = [
            finding(Severity::Low, Status::Fail, "a"),
            finding(Severity::High, Status::Error, "b"),
            finding(Severity::Medium, Status::Fail, "c"),
            finding(Severity::High, Status::Fail, "d"),
        ];
        let mut kept: Vec<&ReportFinding> = all.iter().collect();
        assert_eq!(cap(&mut kept, 2), 2);
        let ids: Vec<&str> = kept.iter().map(|f| f.resource.id.as_str()).collect();
        assert_eq!(ids, ["b", "d"]);
        assert_eq!(cap(&mut kept, 2), 0);
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
