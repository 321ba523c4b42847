//! JUnit XML of `verify-logs`, for CI test tabs (Jenkins, GitLab, Azure DevOps).
//!
//! One `<testsuite>` per chain, named `<account>/<region>/<trail name>` (`…/backfill` for a
//! backfill chain; the trail's ARN instead of its name when two trails of one account and
//! region share a name), and one for each account or trail with problems of no chain. In each:
//! one passing case `valid objects` with the valid counts (so a clean run shows green tests),
//! then one case per problem, named `<kind> <s3 URI>` (unique in its suite, as CI readers key
//! a case's history by classname and name): invalid, missing, unexpected and cut →
//! `<failure>` (type = the status), error → `<error>`, gap → `<skipped>` (a gap fails a run
//! only with `--fail-on-gaps`, which the report does not record). `time` is `0` on cases and
//! suites, the run's duration on `<testsuites>`; every time comes from the report, so the
//! same report gives the same bytes. Escaping as in `scan`'s JUnit ([`escape`]).

use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

use super::view::{ChainView, View, kind_words, location, plural, rfc3339, trail_name};
use crate::report::junit::escape;
use crate::verify::{Chain, ReportItem, Status, Verification};

/// Name of the passing case of every chain.
const VALID_CASE: &str = "valid objects";

/// Writes the JUnit XML document.
pub fn render(report: &Verification, out: &mut dyn Write) -> io::Result<()> {
    let view = View::of(report);
    let suites = suites(&view);
    let mut total = Tally::default();
    for s in &suites {
        total.add(&s.tally());
    }
    let seconds = (report.run.end - report.run.start)
        .as_seconds_f64()
        .max(0.0);
    writeln!(out, r#"<?xml version="1.0" encoding="UTF-8"?>"#)?;
    writeln!(
        out,
        r#"<testsuites name="trailguard verify-logs" tests="{}" failures="{}" errors="{}" skipped="{}" time="{seconds:.3}" timestamp="{}">"#,
        total.tests,
        total.failures,
        total.errors,
        total.skipped,
        rfc3339(report.run.end)
    )?;
    for suite in &suites {
        suite.write(out, &rfc3339(report.run.end))?;
    }
    writeln!(out, "</testsuites>")
}

/// A suite: a chain, or the problems of no chain of one account (and trail).
struct Suite<'a> {
    name: String,
    chain: Option<&'a Chain>,
    properties: Vec<(&'static str, String)>,
    problems: Vec<&'a ReportItem>,
}

/// The suites, chains first, names unique.
fn suites<'a>(view: &'a View<'a>) -> Vec<Suite<'a>> {
    let mut names: BTreeMap<(&str, &str, &str), BTreeSet<&str>> = BTreeMap::new();
    for c in &view.chains {
        names
            .entry((
                &c.chain.account_id,
                &c.chain.region,
                trail_name(&c.chain.trail_arn),
            ))
            .or_default()
            .insert(&c.chain.trail_arn);
    }
    let mut suites: Vec<Suite<'a>> = view
        .chains
        .iter()
        .map(|c| {
            let ch = c.chain;
            let shared = names
                .get(&(&ch.account_id, &ch.region, trail_name(&ch.trail_arn)))
                .is_some_and(|arns| arns.len() > 1);
            chain_suite(c, shared)
        })
        .collect();
    let mut others: BTreeMap<(&str, &str, &str), Vec<&ReportItem>> = BTreeMap::new();
    for p in &view.orphans {
        others
            .entry((&p.account_id, &p.region, &p.trail_arn))
            .or_default()
            .push(p);
    }
    for ((account, region, arn), problems) in others {
        let mut name = account.to_owned();
        for part in [region, arn] {
            if !part.is_empty() {
                name.push('/');
                name.push_str(part);
            }
        }
        suites.push(Suite {
            name,
            chain: None,
            properties: vec![("account", account.to_owned())],
            problems,
        });
    }
    let mut seen = BTreeSet::new();
    for suite in &mut suites {
        suite.name = unique(&mut seen, std::mem::take(&mut suite.name));
    }
    suites
}

fn chain_suite<'a>(c: &'a ChainView<'a>, shared_name: bool) -> Suite<'a> {
    let ch = c.chain;
    let trail = if shared_name {
        ch.trail_arn.as_str()
    } else {
        trail_name(&ch.trail_arn)
    };
    let mut name = format!("{}/{}/{trail}", ch.account_id, ch.region);
    if ch.backfill {
        name.push_str("/backfill");
    }
    let mut properties = vec![
        ("trail", ch.trail_arn.clone()),
        ("account", ch.account_id.clone()),
        ("region", ch.region.clone()),
        ("digests", format!("s3://{}/{}", ch.bucket, ch.prefix)),
    ];
    if ch.backfill {
        properties.push(("backfill", "true".to_owned()));
    }
    Suite {
        name,
        chain: Some(ch),
        properties,
        problems: c.problems.iter().map(|p| p.as_ref()).collect(),
    }
}

impl Suite<'_> {
    fn tally(&self) -> Tally {
        let mut t = Tally {
            tests: usize::from(self.chain.is_some()),
            ..Tally::default()
        };
        for p in &self.problems {
            t.tests += 1;
            match p.status {
                Status::Error => t.errors += 1,
                Status::Gap => t.skipped += 1,
                Status::Valid => {}
                _ => t.failures += 1,
            }
        }
        t
    }

    fn write(&self, out: &mut dyn Write, timestamp: &str) -> io::Result<()> {
        let t = self.tally();
        writeln!(
            out,
            r#"  <testsuite name="{}" tests="{}" failures="{}" errors="{}" skipped="{}" time="0" timestamp="{timestamp}">"#,
            escape(&self.name),
            t.tests,
            t.failures,
            t.errors,
            t.skipped
        )?;
        writeln!(out, "    <properties>")?;
        for (name, value) in &self.properties {
            writeln!(
                out,
                r#"      <property name="{name}" value="{}"/>"#,
                escape(value)
            )?;
        }
        writeln!(out, "    </properties>")?;
        let open = |name: &str| {
            format!(
                r#"    <testcase name="{}" classname="{}" time="0""#,
                escape(name),
                escape(&self.name)
            )
        };
        if let Some(chain) = self.chain {
            writeln!(out, "{}>", open(VALID_CASE))?;
            writeln!(
                out,
                "      <system-out>{}</system-out>",
                escape(&valid_counts(chain))
            )?;
            writeln!(out, "    </testcase>")?;
        }
        let mut seen = BTreeSet::from([VALID_CASE.to_owned()]);
        for p in &self.problems {
            let name = unique(&mut seen, format!("{} {}", kind_words(p.kind), location(p)));
            writeln!(out, "{}>", open(&name))?;
            outcome(out, p)?;
            writeln!(out, "    </testcase>")?;
        }
        writeln!(out, "  </testsuite>")
    }
}

/// `24 digests valid, 37 log files valid`.
fn valid_counts(c: &Chain) -> String {
    format!(
        "{} valid, {} valid",
        plural(c.digests.valid, "digest"),
        plural(c.log_files.valid, "log file")
    )
}

/// `name`, or `name (2)`, `name (3)`… when a suite already has it.
fn unique(seen: &mut BTreeSet<String>, name: String) -> String {
    let mut candidate = name.clone();
    let mut n = 2;
    while seen.contains(&candidate) {
        candidate = format!("{name} ({n})");
        n += 1;
    }
    seen.insert(candidate.clone());
    candidate
}

/// The failure, error or skip element of one problem.
fn outcome(out: &mut dyn Write, p: &ReportItem) -> io::Result<()> {
    let body = format!(
        "{} {} {}\n{}",
        p.status.as_str().to_ascii_uppercase(),
        kind_words(p.kind),
        location(p),
        p.reason
    );
    let element = match p.status {
        Status::Error => "error",
        Status::Gap => {
            let message = format!("gap (fails the run only with --fail-on-gaps): {}", p.reason);
            return writeln!(out, r#"      <skipped message="{}"/>"#, escape(&message));
        }
        _ => "failure",
    };
    writeln!(
        out,
        r#"      <{element} message="{}" type="{}">{}</{element}>"#,
        escape(&p.reason),
        p.status.as_str(),
        escape(&body).replace("&#10;", "\n")
    )
}

/// The counts JUnit readers expect on suites.
#[derive(Default)]
struct Tally {
    tests: usize,
    failures: usize,
    errors: usize,
    skipped: usize,
}

impl Tally {
    fn add(&mut self, other: &Tally) {
        self.tests += other.tests;
        self.failures += other.failures;
        self.errors += other.errors;
        self.skipped += other.skipped;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_case_names_are_numbered() {
        let mut seen = BTreeSet::new();
        assert_eq!(unique(&mut seen, "a".into()), "a");
        assert_eq!(unique(&mut seen, "a".into()), "a (2)");
        assert_eq!(unique(&mut seen, "a".into()), "a (3)");
    }
}
