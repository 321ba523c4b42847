//! SARIF 2.1.0 of `verify-logs`, for GitHub / GitLab code scanning, with the conventions of
//! `scan`'s SARIF (`src/report/sarif.rs`, whose doc comment says why each holds):
//!
//! - **One result per problem**, never for a valid object: an invalid, missing or unexpected
//!   digest or log file, a gap, a cut chain, and anything that could not be read (`error`,
//!   including a chain's error that no item carries).
//! - **One rule per (kind, status)**: `TG-VERIFY-DIGEST-INVALID`, `TG-VERIFY-LOG-FILE-MISSING`,
//!   `TG-VERIFY-GAP-GAP`, `TG-VERIFY-CHAIN-CUT`, …; every run lists the whole catalogue (and
//!   any other pair it has a result for), so an alert's rule text never depends on the run.
//! - **Location: a virtual, relative path naming the object**,
//!   `trailguard/<partition>/<account>/<region>/s3/<bucket>/<key segments…>`, every segment
//!   percent-encoded as `scan`'s paths are (no scheme: GitHub rejects `s3:` against a `file:`
//!   checkout); the `s3://` URI is in the message and in `properties.s3_uri`. A problem of no
//!   bucket (an account or trail that could not be read) sits at `…/<region|global>/trail/<name>`
//!   or `…/global/account`.
//! - **Categories apart from `scan`'s**: one run per account group (last digit of the account
//!   id, as `scan`), `automationDetails.id = <base>/verify-logs/accounts-ending-<d>/<run end>`,
//!   `<base>` = `--sarif-category` (default `trailguard/aws`). Uploading a verification never
//!   closes a scan's alerts, nor alerts of accounts it did not look at. An object outside the
//!   next run's window is not looked at again, so its alert closes then: verify the whole audit
//!   period to keep every alert of it open.
//! - **`partialFingerprints` from what identifies the object**, stable across runs: the
//!   FNV-1a hash of kind, account, trail, region, bucket and key (the status is in the rule id).
//! - `level`: invalid, missing and cut → `error` (the proof is broken); unexpected, error and
//!   gap → `warning`; `security-severity` 8.0 and 5.5. `kind` is `fail` for every result (SARIF
//!   2.1.0 §3.27.9–10: any other kind requires level `none`).
//! - At most 25,000 results per run (GitHub's limit): past that the worst are kept, with a
//!   notification saying how many were left out.

use std::collections::BTreeSet;
use std::io::{self, Write};

use serde_json::{Value, json};

use super::view::{View, kind_words, location, owner_label, rank, rfc3339, trail_name};
use crate::report::RenderOptions;
use crate::report::sarif::{
    DEFAULT_CATEGORY, INFORMATION_URI, MAX_RESULTS, account_group, capitalise, keep_first_ranked,
    path_segment,
};
use crate::verify::{ItemKind, ReportItem, Status, Verification};
use crate::vocabulary::Fnv1a64;

/// The (kind, status) pairs verification reports: the rule catalogue of every run.
const CATALOGUE: [(ItemKind, Status); 10] = [
    (ItemKind::Digest, Status::Invalid),
    (ItemKind::Digest, Status::Missing),
    (ItemKind::Digest, Status::Unexpected),
    (ItemKind::Digest, Status::Error),
    (ItemKind::LogFile, Status::Invalid),
    (ItemKind::LogFile, Status::Missing),
    (ItemKind::LogFile, Status::Error),
    (ItemKind::Gap, Status::Gap),
    (ItemKind::Chain, Status::Cut),
    (ItemKind::Chain, Status::Error),
];

/// AWS's guide to the proof these results are about.
const HELP_URI: &str = "https://docs.aws.amazon.com/awscloudtrail/latest/userguide/cloudtrail-log-file-validation-intro.html";

/// Writes the SARIF log.
pub fn render(
    report: &Verification,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    crate::report::json::write_pretty(&sarif_log(report, options), out)
}

/// The SARIF log: one run per group of the accounts verified.
fn sarif_log(report: &Verification, options: &RenderOptions) -> Value {
    let view = View::of(report);
    let accounts = report
        .chains
        .iter()
        .map(|c| &c.account_id)
        .chain(report.items.iter().map(|i| &i.account_id));
    let groups: BTreeSet<String> = accounts.map(|a| account_group(a)).collect();
    let base = options
        .sarif_category
        .as_deref()
        .unwrap_or(DEFAULT_CATEGORY);
    let runs: Vec<Value> = groups
        .iter()
        .map(|g| {
            let problems: Vec<&ReportItem> = view
                .problems()
                .filter(|p| account_group(&p.account_id) == *g)
                .collect();
            run(report, problems, &format!("{base}/verify-logs/{g}"))
        })
        .collect();
    json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": runs,
    })
}

/// One run: the problems of one account group, in category `category`.
fn run(report: &Verification, mut problems: Vec<&ReportItem>, category: &str) -> Value {
    let left_out = cap(&mut problems, MAX_RESULTS);
    let mut rules: Vec<(ItemKind, Status)> = CATALOGUE.to_vec();
    for p in &problems {
        if !rules.contains(&(p.kind, p.status)) {
            rules.push((p.kind, p.status));
        }
    }
    let results: Vec<Value> = problems.iter().map(|p| result(p, &rules)).collect();
    let mut notifications = Vec::new();
    if left_out > 0 {
        notifications.push(json!({
            "level": "warning",
            "message": { "text": format!(
                "{left_out} of {} results of category {category} were left out: GitHub accepts \
                 at most {MAX_RESULTS} results per run. The worst were kept; the JSON report has \
                 every item.",
                left_out + MAX_RESULTS
            )},
        }));
    }
    json!({
        "tool": { "driver": {
            "name": report.tool.name,
            "semanticVersion": report.tool.version,
            "informationUri": INFORMATION_URI,
            "rules": rules.iter().map(|(k, s)| descriptor(*k, *s)).collect::<Vec<_>>(),
        }},
        "automationDetails": { "id": format!("{category}/{}", rfc3339(report.run.end)) },
        "invocations": [{
            "executionSuccessful": true,
            "startTimeUtc": rfc3339(report.run.start),
            "endTimeUtc": rfc3339(report.run.end),
            "toolExecutionNotifications": notifications,
        }],
        "results": results,
    })
}

/// Keeps the `max` worst problems, in their order, and returns how many were dropped.
fn cap(problems: &mut Vec<&ReportItem>, max: usize) -> usize {
    keep_first_ranked(problems, max, |p| rank(p.status))
}

/// `TG-VERIFY-LOG-FILE-INVALID`.
fn rule_id(kind: ItemKind, status: Status) -> String {
    format!("TG-VERIFY-{}-{}", kind.as_str(), status.as_str())
        .replace('_', "-")
        .to_ascii_uppercase()
}

/// `error` when the proof is broken, `warning` otherwise; and GitHub's security severity.
fn level(status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Invalid | Status::Missing | Status::Cut => ("error", "8.0"),
        Status::Unexpected | Status::Error | Status::Gap | Status::Valid => ("warning", "5.5"),
    }
}

/// `tool.driver.rules[]` entry of one (kind, status).
fn descriptor(kind: ItemKind, status: Status) -> Value {
    let (short, full) = describe(kind, status);
    let (level, severity) = level(status);
    let name: String = format!("{}-{}", kind.as_str(), status.as_str())
        .split(['-', '_'])
        .map(|w| {
            let mut c = w.chars();
            c.next()
                .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                .unwrap_or_default()
        })
        .collect();
    json!({
        "id": rule_id(kind, status),
        "name": name,
        "shortDescription": { "text": short },
        "fullDescription": { "text": full },
        "help": { "text": HELP, "markdown": HELP },
        "helpUri": HELP_URI,
        "defaultConfiguration": { "level": level },
        "properties": {
            "tags": ["security", "cloudtrail", "log-file-validation"],
            "security-severity": severity,
            "precision": "very-high",
            "problem.severity": level,
        },
    })
}

/// What to do about any of them.
const HELP: &str = "Compare with `aws cloudtrail validate-logs` for the same trail, region and \
    period; restore the object from a versioned or replicated copy if there is one; find who \
    changed or deleted it (S3 server access logs or CloudTrail S3 data events on the bucket); \
    and protect the bucket (Object Lock, MFA Delete, a bucket policy that denies deletes). \
    `trailguard verify-logs --output json` lists every item with its reason.";

/// Short and full description of one (kind, status).
fn describe(kind: ItemKind, status: Status) -> (String, String) {
    let (short, full) = match (kind, status) {
        (ItemKind::Digest, Status::Invalid) => (
            "A digest file is invalid",
            "The digest file was changed, is malformed, was moved from where CloudTrail \
             delivered it, is not signed by a key CloudTrail lists, or does not link to its \
             previous digest: the integrity proof is broken at this digest.",
        ),
        (ItemKind::Digest, Status::Missing) => (
            "A digest file is missing",
            "A digest that a newer digest names as its previous one (or that was listed) is \
             not in the bucket: it was deleted, and the log files it covered cannot be proven.",
        ),
        (ItemKind::Digest, Status::Unexpected) => (
            "A digest object is not on the chain",
            "An object in the trail's digest folder that no digest of the chain names as its \
             previous digest: a copy, a forgery, or a digest of another chain.",
        ),
        (ItemKind::LogFile, Status::Invalid) => (
            "A log file was modified",
            "The SHA-256 of the uncompressed log file differs from the hash its digest \
             records, or the file is not one gzip stream (bytes appended, stored uncompressed).",
        ),
        (ItemKind::LogFile, Status::Missing) => (
            "A log file is missing",
            "A log file that a valid digest lists is not in the bucket: it was deleted.",
        ),
        (ItemKind::Gap, Status::Gap) => (
            "The digest chain has a gap",
            "The chain restarts: CloudTrail delivered no digests between two times because \
             logging or log file validation was off. Events of that period are not covered by \
             the integrity proof.",
        ),
        (ItemKind::Chain, Status::Cut) => (
            "The newest digests of a chain are gone",
            "CloudTrail reports a later digest delivery (GetTrailStatus \
             LatestDigestDeliveryTime) than the newest digest in the bucket: newer digests \
             were deleted. The AWS CLI does not see this.",
        ),
        (_, Status::Error) => {
            return (
                format!("A {} could not be verified", kind_words(kind)),
                format!(
                    "A call needed to verify this {} failed (the message names the call, e.g. \
                     an access denied on s3:GetObject, kms:Decrypt or \
                     cloudtrail:ListPublicKeys). It is not shown as valid.",
                    kind_words(kind)
                ),
            );
        }
        (kind, status) => {
            return (
                format!("A {} is {}", kind_words(kind), status.as_str()),
                format!(
                    "Verification found a {} with status {}.",
                    kind_words(kind),
                    status.as_str()
                ),
            );
        }
    };
    (short.to_owned(), full.to_owned())
}

/// One result at the object's virtual path.
fn result(p: &ReportItem, rules: &[(ItemKind, Status)]) -> Value {
    let (level, _) = level(p.status);
    let fingerprint = Fnv1a64::new()
        .part("verify-logs")
        .part(p.kind.as_str())
        .part(&p.account_id)
        .part(&p.trail_arn)
        .part(&p.region)
        .part(&p.bucket)
        .part(&p.key)
        .hex();
    let mut result = json!({
        "ruleId": rule_id(p.kind, p.status),
        "kind": "fail",
        "level": level,
        "message": { "text": message(p) },
        "locations": [{
            "physicalLocation": {
                "artifactLocation": { "uri": object_path(p) },
                "region": { "startLine": 1 },
            },
            "logicalLocations": [{
                "name": location(p),
                "fullyQualifiedName": location(p),
                "kind": if p.bucket.is_empty() { "resource" } else { "object" },
            }],
        }],
        "partialFingerprints": {
            "primaryLocationLineHash": format!("{fingerprint}:1"),
            "trailguard/v1": fingerprint,
        },
        "properties": {
            "status": p.status,
            "kind": p.kind,
            "account_id": p.account_id,
            "trail_arn": p.trail_arn,
            "region": p.region,
            "backfill": p.backfill,
            "bucket": p.bucket,
            "key": p.key,
            "s3_uri": (!p.bucket.is_empty()).then(|| p.s3_uri()),
            "start": p.start.map(rfc3339),
            "end": p.end.map(rfc3339),
        },
    });
    if let Some(i) = rules.iter().position(|r| *r == (p.kind, p.status)) {
        result["ruleIndex"] = json!(i);
    }
    result
}

/// The alert's text: what, where, and the reason in the words of the other formats.
fn message(p: &ReportItem) -> String {
    let owner = owner_label(p);
    let mut text = match (p.kind, p.status) {
        (ItemKind::Gap, _) => format!("The digest chain of {owner} has a gap: {}", p.reason),
        (ItemKind::Chain, Status::Cut) => {
            format!("The digest chain of {owner} is cut: {}", p.reason)
        }
        (ItemKind::Chain, _) if p.bucket.is_empty() => {
            format!("{} could not be verified: {}", capitalise(&owner), p.reason)
        }
        (ItemKind::Chain, _) => format!(
            "The digest chain of {owner} at {} could not be verified: {}",
            p.s3_uri(),
            p.reason
        ),
        (kind, status) => {
            let verdict = match status {
                Status::Error => "could not be verified".to_owned(),
                other => format!("is {}", other.as_str()),
            };
            format!(
                "{} {} ({owner}) {verdict}: {}",
                capitalise(kind_words(kind)),
                location(p),
                p.reason
            )
        }
    };
    text.truncate(text.trim_end().len());
    if !text.ends_with('.') {
        text.push('.');
    }
    text
}

/// `trailguard/aws/111122223333/us-east-1/s3/bucket/AWSLogs/…/file.json.gz`: relative,
/// scheme-free, each segment percent-encoded; the key's own `/` separate segments so the
/// path reads as the bucket's folders.
fn object_path(p: &ReportItem) -> String {
    let partition = p
        .trail_arn
        .strip_prefix("arn:")
        .and_then(|rest| rest.split(':').next())
        .filter(|p| !p.is_empty())
        .unwrap_or("aws");
    let region = if p.region.is_empty() {
        "global"
    } else {
        &p.region
    };
    let mut segments = vec!["trailguard", partition, &p.account_id, region];
    if !p.bucket.is_empty() {
        segments.extend(["s3", &p.bucket]);
        segments.extend(p.key.split('/').filter(|s| !s.is_empty()));
    } else if !p.trail_arn.is_empty() {
        segments.extend(["trail", trail_name(&p.trail_arn)]);
    } else {
        segments.push("account");
    }
    segments
        .iter()
        .map(|s| path_segment(s))
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(kind: ItemKind, status: Status, bucket: &str, key: &str) -> ReportItem {
        ReportItem {
            kind,
            account_id: "111122223333".into(),
            trail_arn: "arn:aws-cn:cloudtrail:cn-north-1:111122223333:trail/main".into(),
            region: "cn-north-1".into(),
            backfill: false,
            bucket: bucket.into(),
            key: key.into(),
            status,
            reason: "why".into(),
            start: None,
            end: None,
        }
    }

    #[test]
    fn rule_ids_name_kind_and_status() {
        assert_eq!(
            rule_id(ItemKind::LogFile, Status::Invalid),
            "TG-VERIFY-LOG-FILE-INVALID"
        );
        assert_eq!(rule_id(ItemKind::Chain, Status::Cut), "TG-VERIFY-CHAIN-CUT");
        assert_eq!(descriptor(ItemKind::Gap, Status::Gap)["name"], "GapGap");
    }

    #[test]
    fn object_paths_are_relative_encoded_and_keep_the_key_folders() {
        let log = item(
            ItemKind::LogFile,
            Status::Missing,
            "logs.example",
            "p x/AWSLogs/111122223333/CloudTrail/a%b.json.gz",
        );
        assert_eq!(
            object_path(&log),
            "trailguard/aws-cn/111122223333/cn-north-1/s3/logs.example/p%20x/AWSLogs/\
             111122223333/CloudTrail/a%25b.json.gz"
        );
        let mut account = item(ItemKind::Chain, Status::Error, "", "");
        account.trail_arn.clear();
        account.region.clear();
        assert_eq!(
            object_path(&account),
            "trailguard/aws/111122223333/global/account"
        );
        let trail = item(ItemKind::Chain, Status::Error, "", "");
        assert_eq!(
            object_path(&trail),
            "trailguard/aws-cn/111122223333/cn-north-1/trail/main"
        );
    }

    #[test]
    fn the_cap_keeps_the_worst_in_report_order() {
        let all = [
            item(ItemKind::Gap, Status::Gap, "b", "1"),
            item(ItemKind::LogFile, Status::Invalid, "b", "2"),
            item(ItemKind::Digest, Status::Unexpected, "b", "3"),
            item(ItemKind::Digest, Status::Missing, "b", "4"),
        ];
        let mut kept: Vec<&ReportItem> = all.iter().collect();
        assert_eq!(cap(&mut kept, 2), 2);
        let keys: Vec<&str> = kept.iter().map(|p| p.key.as_str()).collect();
        assert_eq!(keys, ["2", "4"]);
    }

    #[test]
    fn messages_end_in_one_full_stop() {
        let log = item(ItemKind::LogFile, Status::Invalid, "b", "k");
        assert_eq!(
            message(&log),
            "Log file s3://b/k (trail main · account 111122223333 · cn-north-1) is invalid: why."
        );
    }
}
