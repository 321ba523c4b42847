//! Drift between two audits: `trailguard diff OLD.json NEW.json`.
//!
//! Pure: two [`ReportFile`]s in, one [`Drift`] out, rendered as text or JSON. Findings are
//! matched by fingerprint (rule, account, region, resource). `diff` reports; it never gates.

use std::collections::{BTreeMap, BTreeSet};

use owo_colors::OwoColorize;
use serde::Serialize;

use crate::baseline::{RecordedFinding, ReportFile};
use crate::finding::Resource;
use crate::vocabulary::{ResourceType, Severity, Status};

/// The `schema` of `diff --output json`.
pub const DIFF_SCHEMA: &str = "trailguard.diff/v1";

/// One finding whose status moved between the two reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Change {
    /// The rule id.
    pub rule_id: String,
    /// The rule title (from the newer report when it has the finding).
    pub title: String,
    /// The severity (likewise).
    pub severity: Severity,
    /// The resource.
    pub resource: Resource,
    /// The fingerprint both reports share.
    pub fingerprint: String,
    /// The status in the old report; `None` when it did not have the finding.
    pub before: Option<Status>,
    /// The status in the new report; `None` when it no longer has the finding.
    pub after: Option<Status>,
    /// The message of the newer record.
    pub message: String,
    /// Whether a waiver covers the finding in the new report.
    pub waived: bool,
}

/// Finding counts of one report (or one account of it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    /// Every finding.
    pub total: usize,
    /// FAIL.
    pub fail: usize,
    /// ERROR.
    pub error: usize,
    /// PASS.
    pub pass: usize,
    /// NOT_APPLICABLE.
    pub not_applicable: usize,
}

impl Counts {
    fn add(&mut self, status: Status) {
        self.total += 1;
        match status {
            Status::Fail => self.fail += 1,
            Status::Error => self.error += 1,
            Status::Pass => self.pass += 1,
            Status::NotApplicable => self.not_applicable += 1,
        }
    }
}

/// One account's drift.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccountDrift {
    /// The account id.
    pub account_id: String,
    /// Its findings in the old report.
    pub before: Counts,
    /// Its findings in the new report.
    pub after: Counts,
    /// New failures in it.
    pub new_failures: usize,
    /// Resolved findings in it.
    pub resolved: usize,
    /// Other status changes in it.
    pub status_changes: usize,
}

/// Everything that changed between two reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Drift {
    /// Always [`DIFF_SCHEMA`].
    pub schema: &'static str,
    /// The old report's path.
    pub old: String,
    /// The new report's path.
    pub new: String,
    /// FAIL / ERROR now, and PASS, NOT_APPLICABLE or absent before: regressions.
    pub new_failures: Vec<Change>,
    /// FAIL / ERROR before, and PASS, NOT_APPLICABLE or absent now.
    pub resolved: Vec<Change>,
    /// Other status changes of findings in both reports: FAIL ↔ ERROR, PASS ↔ NOT_APPLICABLE.
    pub status_changes: Vec<Change>,
    /// Rule ids evaluated only by the new report.
    pub rules_added: Vec<String>,
    /// Rule ids evaluated only by the old report.
    pub rules_removed: Vec<String>,
    /// Every account of either report, sorted.
    pub accounts: Vec<AccountDrift>,
    /// All findings of the old report.
    pub before: Counts,
    /// All findings of the new report.
    pub after: Counts,
}

fn is_problem(s: Option<Status>) -> bool {
    matches!(s, Some(Status::Fail | Status::Error))
}

fn change(
    f: &RecordedFinding,
    before: Option<Status>,
    after: Option<Status>,
    waived: bool,
) -> Change {
    Change {
        rule_id: f.rule_id.clone(),
        title: f.title.clone(),
        severity: f.severity,
        resource: f.resource.clone(),
        fingerprint: f.fingerprint.clone(),
        before,
        after,
        message: f.message.clone(),
        waived,
    }
}

/// Compares two reports.
pub fn compare(old: &ReportFile, new: &ReportFile) -> Drift {
    let before = old.by_fingerprint();
    let after = new.by_fingerprint();
    let fingerprints: BTreeSet<&str> = before.keys().chain(after.keys()).copied().collect();
    let mut drift = Drift {
        schema: DIFF_SCHEMA,
        old: old.path.clone(),
        new: new.path.clone(),
        new_failures: Vec::new(),
        resolved: Vec::new(),
        status_changes: Vec::new(),
        rules_added: Vec::new(),
        rules_removed: Vec::new(),
        accounts: Vec::new(),
        before: Counts::default(),
        after: Counts::default(),
    };
    let mut accounts: BTreeMap<String, AccountDrift> = BTreeMap::new();
    for fp in fingerprints {
        let b = before.get(fp).copied();
        let a = after.get(fp).copied();
        let (sb, sa) = (b.map(|f| f.status), a.map(|f| f.status));
        let Some(record) = a.or(b) else { continue };
        let acct = account(&mut accounts, &record.resource.account_id);
        if let Some(s) = sb {
            acct.before.add(s);
            drift.before.add(s);
        }
        if let Some(s) = sa {
            acct.after.add(s);
            drift.after.add(s);
        }
        let waived = a.is_some_and(|f| f.waived);
        if is_problem(sa) && !is_problem(sb) {
            acct.new_failures += 1;
            drift.new_failures.push(change(record, sb, sa, waived));
        } else if is_problem(sb) && !is_problem(sa) {
            acct.resolved += 1;
            drift.resolved.push(change(record, sb, sa, waived));
        } else if sb.is_some() && sa.is_some() && sb != sa {
            acct.status_changes += 1;
            drift.status_changes.push(change(record, sb, sa, waived));
        }
    }
    drift.accounts = accounts.into_values().collect();
    let old_rules: BTreeSet<&String> = old.rules.iter().collect();
    let new_rules: BTreeSet<&String> = new.rules.iter().collect();
    drift.rules_added = new_rules
        .difference(&old_rules)
        .map(|s| (*s).clone())
        .collect();
    drift.rules_removed = old_rules
        .difference(&new_rules)
        .map(|s| (*s).clone())
        .collect();
    for list in [
        &mut drift.new_failures,
        &mut drift.resolved,
        &mut drift.status_changes,
    ] {
        list.sort_by(|x, y| sort_key(x).cmp(&sort_key(y)));
    }
    drift
}

fn account<'a>(accounts: &'a mut BTreeMap<String, AccountDrift>, id: &str) -> &'a mut AccountDrift {
    accounts
        .entry(id.to_owned())
        .or_insert_with(|| AccountDrift {
            account_id: id.to_owned(),
            before: Counts::default(),
            after: Counts::default(),
            new_failures: 0,
            resolved: 0,
            status_changes: 0,
        })
}

fn sort_key(c: &Change) -> (&str, &str, &str, &str) {
    (
        &c.rule_id,
        &c.resource.account_id,
        c.resource.region.as_deref().unwrap_or(""),
        &c.resource.id,
    )
}

fn status_name(s: Option<Status>) -> &'static str {
    match s {
        None => "absent",
        Some(Status::NotApplicable) => "N/A",
        Some(other) => other.as_str(),
    }
}

fn paint(s: Option<Status>, color: bool) -> String {
    let word = status_name(s);
    if !color {
        return word.to_owned();
    }
    match s {
        Some(Status::Fail) => word.red().bold().to_string(),
        Some(Status::Error) => word.yellow().bold().to_string(),
        Some(Status::Pass) => word.green().to_string(),
        _ => word.dimmed().to_string(),
    }
}

fn resource_label(r: &Resource) -> String {
    let place = match &r.region {
        Some(region) => format!("account {}, {region}", r.account_id),
        None => format!("account {}", r.account_id),
    };
    let kind = match &r.resource_type {
        ResourceType::Account => return format!("account {}", r.account_id),
        ResourceType::Region => return format!("region {} (account {})", r.id, r.account_id),
        ResourceType::Trail => "trail",
        ResourceType::Bucket => "bucket",
        ResourceType::Key => "key",
        other @ (ResourceType::Organization | ResourceType::Other(_)) => other.as_str(),
    };
    format!("{kind} {} ({place})", r.id)
}

fn heading(text: &str, color: bool) -> String {
    if color {
        text.bold().to_string()
    } else {
        text.to_owned()
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The drift for a person: new failures, resolved findings, other status changes, rules
/// added or removed, one line per account, and a summary line.
pub fn render_text(d: &Drift, color: bool) -> String {
    let mut out = format!("drift from {} to {}\n", d.old, d.new);
    let sections = [
        ("New failures", &d.new_failures),
        ("Resolved", &d.resolved),
        ("Status changes", &d.status_changes),
    ];
    for (title, list) in sections {
        if list.is_empty() {
            continue;
        }
        out.push_str(&format!(
            "\n{}\n",
            heading(&format!("{title} ({})", list.len()), color)
        ));
        for c in list {
            out.push_str(&change_line(c, color));
        }
    }
    push_rules(&mut out, d, color);
    push_accounts(&mut out, d, color);
    out.push('\n');
    out.push_str(&summary_line(d));
    out
}

/// One change: the two statuses (padded to a column), rule, severity, resource, and the new
/// message unless it now passes.
fn change_line(c: &Change, color: bool) -> String {
    let waived = if c.waived { " [waived]" } else { "" };
    let plain = format!("{} → {}", status_name(c.before), status_name(c.after));
    let pad = " ".repeat(15usize.saturating_sub(plain.chars().count()));
    let mut line = format!(
        "  {} → {}{pad}  {} [{}] {}{waived}",
        paint(c.before, color),
        paint(c.after, color),
        c.rule_id,
        c.severity,
        resource_label(&c.resource),
    );
    if c.after.is_some_and(|s| s != Status::Pass) && !c.message.is_empty() {
        line.push_str(&format!(": {}", c.message));
    }
    line.push('\n');
    line
}

/// The rules section, when rules were added or removed.
fn push_rules(out: &mut String, d: &Drift, color: bool) {
    if d.rules_added.is_empty() && d.rules_removed.is_empty() {
        return;
    }
    out.push_str(&format!("\n{}\n", heading("Rules", color)));
    if !d.rules_added.is_empty() {
        out.push_str(&format!("  added:   {}\n", d.rules_added.join(", ")));
    }
    if !d.rules_removed.is_empty() {
        out.push_str(&format!("  removed: {}\n", d.rules_removed.join(", ")));
    }
}

/// The accounts section: one line of counts before → after per account.
fn push_accounts(out: &mut String, d: &Drift, color: bool) {
    if d.accounts.is_empty() {
        return;
    }
    out.push_str(&format!("\n{}\n", heading("Accounts", color)));
    for a in &d.accounts {
        let presence = match (a.before.total, a.after.total) {
            (0, _) => " (new in this audit)",
            (_, 0) => " (not in this audit)",
            _ => "",
        };
        out.push_str(&format!(
            "  {}{presence}: FAIL {} → {}, ERROR {} → {}, PASS {} → {}; {} new, {} resolved, {} other\n",
            a.account_id,
            a.before.fail,
            a.after.fail,
            a.before.error,
            a.after.error,
            a.before.pass,
            a.after.pass,
            a.new_failures,
            a.resolved,
            a.status_changes,
        ));
    }
}

/// The closing line: "no drift", or how many of each change.
fn summary_line(d: &Drift) -> String {
    let nothing = d.new_failures.is_empty()
        && d.resolved.is_empty()
        && d.status_changes.is_empty()
        && d.rules_added.is_empty()
        && d.rules_removed.is_empty();
    if nothing {
        return "no drift: the same findings with the same statuses\n".to_owned();
    }
    format!(
        "{}, {}, {}; {} added, {} removed\n",
        plural(d.new_failures.len(), "new failure", "new failures"),
        plural(d.resolved.len(), "resolved", "resolved"),
        plural(
            d.status_changes.len(),
            "other status change",
            "other status changes"
        ),
        plural(d.rules_added.len(), "rule", "rules"),
        d.rules_removed.len(),
    )
}

/// The drift as pretty JSON (schema [`DIFF_SCHEMA`]), ending in a newline.
pub fn render_json(d: &Drift) -> Result<String, serde_json::Error> {
    serde_json::to_string_pretty(d).map(|mut s| {
        s.push('\n');
        s
    })
}
