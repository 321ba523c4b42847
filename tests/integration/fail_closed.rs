//! Fail closed: a read that failed reaches the verdict, it never vanishes and never lets the
//! gate pass (issue 14).
//!
//! `trailguard scan --org` runs against the emulator's `org` scenario through the fault proxy
//! (tests/integration/support/faults.rs), once without faults (the clean run) and once per fault. Under
//! every fault the scan must exit non-zero with `--fail-on high` (the clean run exits 1: the
//! legacy member's public bucket is a critical FAIL), ERROR findings must name the call that
//! failed (unless the collector recovered every finding another way), and every (account, rule)
//! that FAILs in the clean run must still FAIL or be ERROR — never PASS, never vanish. Nor may
//! unread data turn a PASS into a FAIL: what could not be read is unknown, not absent. Exit 2
//! is accepted only where nothing could be scanned (the organization could not be listed).
//!
//! Retries: a persistent fault fails every attempt, so the number of attempts cannot change
//! the outcome; those runs keep the harness's `AWS_MAX_ATTEMPTS=2` (one backoff per failed
//! call instead of two) and check in the proxy's log that the SDK did retry. Runs where
//! retries decide the outcome (random throttling, the protocol shapes, the slow service) use
//! the SDK's default, 3 attempts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::support::faults::{Fault, FaultProxy};
use crate::support::{Emulator, Seeded, seed, trailguard_with_env, unique_account_id};
use serde_json::Value;

/// The SDK's default for standard retries.
const DEFAULT_ATTEMPTS: &str = "3";
/// The harness's: enough to prove a retry happened.
const FEW_ATTEMPTS: &str = "2";

// ---------------------------------------------------------------------------
// The organization, the runs and their verdicts
// ---------------------------------------------------------------------------

/// The `org` scenario, seeded once per test process: scans only read, so every test shares it.
struct Org {
    seeded: Seeded,
    /// Account id → scenario name (`management`, `legacy`, ...).
    names: BTreeMap<String, String>,
}

impl Org {
    fn id(&self, name: &str) -> String {
        self.names
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(id, _)| id.clone())
            .unwrap_or_else(|| panic!("no account named {name} in {:?}", self.names))
    }

    fn name(&self, id: &str) -> String {
        self.names.get(id).cloned().unwrap_or_else(|| id.to_owned())
    }

    fn fact(&self, path: &str) -> String {
        path.split('.')
            .fold(&self.seeded.facts, |v, k| &v[k])
            .as_str()
            .unwrap_or_else(|| panic!("seed facts lack {path}"))
            .to_owned()
    }
}

fn org() -> &'static Org {
    static ORG: OnceLock<Org> = OnceLock::new();
    ORG.get_or_init(|| {
        let seeded = seed(Emulator::shared(), "org", &unique_account_id());
        let mut names: BTreeMap<String, String> = seeded.facts["members"]
            .as_object()
            .expect("seed facts list the members")
            .iter()
            .map(|(name, id)| (id.as_str().expect("member id").to_owned(), name.clone()))
            .collect();
        names.insert(seeded.account_id.clone(), "management".to_owned());
        Org { seeded, names }
    })
}

/// (account, rule, resource type, resource id): one finding.
type FindingKey = (String, String, String, String);

/// (account, rule) → the statuses of its findings.
type Verdicts = BTreeMap<(String, String), BTreeSet<String>>;

/// One `trailguard` run through the proxy.
struct Run {
    code: i32,
    stderr: String,
    elapsed: Duration,
    /// The JSON report, when one was written.
    report: Option<Value>,
    /// How many requests the proxy saw.
    requests: usize,
}

impl Run {
    fn findings(&self) -> &[Value] {
        self.report
            .as_ref()
            .and_then(|r| r["findings"].as_array())
            .map_or(&[], Vec::as_slice)
    }

    fn verdicts(&self) -> Verdicts {
        let mut out = Verdicts::new();
        for f in self.findings() {
            let key = (text(&f["resource"]["account_id"]), text(&f["rule_id"]));
            out.entry(key).or_default().insert(text(&f["status"]));
        }
        out
    }

    /// (account, rule, resource type, resource id) of every finding.
    fn finding_keys(&self) -> BTreeSet<FindingKey> {
        self.finding_statuses().into_keys().collect()
    }

    /// The status of every finding, by (account, rule, resource type, resource id).
    fn finding_statuses(&self) -> BTreeMap<FindingKey, String> {
        self.findings()
            .iter()
            .map(|f| {
                let r = &f["resource"];
                let (account, rule) = (text(&r["account_id"]), text(&f["rule_id"]));
                let key = (account, rule, text(&r["type"]), text(&r["id"]));
                (key, text(&f["status"]))
            })
            .collect()
    }

    fn errors(&self) -> Vec<&Value> {
        self.findings()
            .iter()
            .filter(|f| f["status"] == "ERROR")
            .collect()
    }

    /// ERROR findings whose message or evidence names any of `needles` (any case; no needles:
    /// every ERROR finding).
    fn errors_naming(&self, needles: &[&str]) -> usize {
        self.errors()
            .iter()
            .filter(|f| names_any(&f.to_string(), needles))
            .count()
    }

    /// (operation, kind) of every entry of the report's `collection_errors`.
    fn collection_errors(&self) -> Vec<(String, String)> {
        let entries = self
            .report
            .as_ref()
            .and_then(|r| r["collection_errors"].as_array())
            .map_or(&[][..], Vec::as_slice);
        entries
            .iter()
            .map(|e| (text(&e["operation"]), text(&e["kind"])))
            .collect()
    }

    fn statuses(&self, account: &str, rule: &str) -> BTreeSet<String> {
        self.verdicts()
            .remove(&(account.to_owned(), rule.to_owned()))
            .unwrap_or_default()
    }

    /// One line for the failure message and the log.
    fn summary(&self) -> String {
        let count = |s: &str| self.findings().iter().filter(|f| f["status"] == s).count();
        format!(
            "exit {}, {} findings ({} FAIL, {} ERROR, {} PASS), {} requests, {:.1} s",
            self.code,
            self.findings().len(),
            count("FAIL"),
            count("ERROR"),
            count("PASS"),
            self.requests,
            self.elapsed.as_secs_f64()
        )
    }
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_owned()
}

fn report_path() -> PathBuf {
    static N: AtomicU64 = AtomicU64::new(0);
    std::env::temp_dir().join(format!(
        "trailguard-faults-{}-{}.json",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ))
}

/// Runs `trailguard ARGS --output json=…` as `seeded` through a proxy applying `faults`.
/// `aliases` name the accounts for reproducible random faults ([`FaultProxy::alias`]).
fn run_through(
    seeded: &Seeded,
    aliases: &BTreeMap<String, String>,
    faults: Vec<Fault>,
    args: &[&str],
    attempts: &str,
) -> (Run, FaultProxy) {
    let emulator = Emulator::shared();
    let proxy = FaultProxy::for_account(emulator, seeded, faults);
    for (id, name) in aliases {
        proxy.alias(id, name);
    }
    let path = report_path();
    let mut argv: Vec<String> = args.iter().map(|a| a.to_string()).collect();
    argv.extend(["--output".to_owned(), format!("json={}", path.display())]);
    let endpoint = proxy.endpoint();
    let started = Instant::now();
    let out = trailguard_with_env(
        emulator,
        seeded,
        &argv,
        &[
            ("AWS_ENDPOINT_URL", &endpoint),
            ("AWS_MAX_ATTEMPTS", attempts),
        ],
    );
    let elapsed = started.elapsed();
    let report = std::fs::read_to_string(&path).ok().map(|json| {
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("the JSON report is invalid: {e}"))
    });
    let _ = std::fs::remove_file(&path);
    let run = Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        elapsed,
        report,
        requests: proxy.exchanges().len(),
    };
    (run, proxy)
}

/// `scan --org`, gated with `--fail-on high` unless `extra` names another threshold.
fn scan_org(faults: Vec<Fault>, extra: &[&str], attempts: &str) -> (Run, FaultProxy) {
    let mut args = vec!["scan", "--org"];
    if !extra.contains(&"--fail-on") {
        args.extend(["--fail-on", "high"]);
    }
    args.extend(extra);
    run_through(&org().seeded, &org().names, faults, &args, attempts)
}

/// The organization scanned without faults (through the proxy, so it is the same path).
fn clean() -> &'static Run {
    static CLEAN: OnceLock<Run> = OnceLock::new();
    CLEAN.get_or_init(|| {
        let (run, _) = scan_org(Vec::new(), &[], FEW_ATTEMPTS);
        // What the comparisons rely on: the gate fails clean, on FAILs that are real.
        assert_eq!(
            run.code,
            1,
            "the clean run: {}\n{}",
            run.summary(),
            run.stderr
        );
        assert!(
            run.errors().is_empty(),
            "the clean run has ERROR findings: {:?}",
            run.errors()
        );
        let legacy = org().id("legacy");
        assert!(
            run.statuses(&legacy, "CT-D02").contains("FAIL"),
            "the legacy member's public bucket fails CT-D02 in the clean run"
        );
        eprintln!("clean run: {}", run.summary());
        run
    })
}

// ---------------------------------------------------------------------------
// The fail-closed judgement
// ---------------------------------------------------------------------------

/// What a faulted run must show besides the invariants every run keeps.
#[derive(Debug, Clone, Copy)]
struct Expect {
    /// ERROR findings (or, on exit 2, stderr) must name one of these; empty: anything will do.
    names: &'static [&'static str],
    /// The failed call as `collection_errors` must record it: (`service:Operation`, kind).
    recorded: Option<(&'static str, &'static str)>,
    /// Exit 2 is acceptable: nothing could be scanned.
    exit_2: bool,
}

impl Expect {
    /// `operation` (`cloudtrail:DescribeTrails`) failed as `kind` (`throttled`): ERROR
    /// findings name it and `collection_errors` record it.
    fn call(operation: &'static str, kind: &'static str) -> Expect {
        let short = operation.rsplit(':').next().unwrap_or(operation);
        // A 'static slice of one name: leaked once per test, which is fine in a test binary.
        let names: &'static [&'static str] = Box::leak(Box::new([short]));
        Expect {
            names,
            recorded: Some((operation, kind)),
            exit_2: false,
        }
    }

    /// Any ERROR, any exit but 0 (random faults, a dying emulator).
    fn anything_but_a_pass() -> Expect {
        Expect {
            names: &[],
            recorded: None,
            exit_2: true,
        }
    }

    fn or_exit_2(self) -> Expect {
        Expect {
            exit_2: true,
            ..self
        }
    }

    fn naming(self, names: &'static [&'static str]) -> Expect {
        Expect { names, ..self }
    }
}

fn names_any(haystack: &str, needles: &[&str]) -> bool {
    let haystack = haystack.to_ascii_lowercase();
    needles.is_empty()
        || needles
            .iter()
            .any(|n| haystack.contains(&n.to_ascii_lowercase()))
}

/// Every way `got` fails to be fail-closed relative to `clean`: it exits 0 (or 2 where that is
/// not acceptable), writes no report, hides the failure (no ERROR names it although findings
/// changed; `collection_errors` do not record it), a clean FAIL is not FAIL or ERROR now, a
/// clean PASS vanished, or an (account, rule) that did not fail clean now fails without any
/// ERROR (the unread data was taken as absent).
fn violations(org: &Org, clean: &Run, got: &Run, expect: &Expect) -> Vec<String> {
    let mut found = Vec::new();
    match got.code {
        1 => {}
        2 if expect.exit_2 => {
            if !names_any(&got.stderr, expect.names) {
                found.push(format!("exit 2 without naming any of {:?}", expect.names));
            }
            return found;
        }
        code => found.push(format!(
            "exit {code} with --fail-on high (the clean run exits {})",
            clean.code
        )),
    }
    if got.report.is_none() {
        found.push("no JSON report was written".to_owned());
        return found;
    }
    // A collector that recovered the same facts another way (ListTrails failing: DescribeTrails
    // in every region instead) loses nothing; anything else must say what it could not read.
    let now = got.finding_statuses();
    let lost = clean
        .finding_statuses()
        .iter()
        .any(|(key, status)| now.get(key) != Some(status));
    if lost && got.errors_naming(expect.names) == 0 {
        found.push(format!(
            "findings changed but no ERROR finding names any of {:?} ({} ERROR findings in all)",
            expect.names,
            got.errors().len()
        ));
    }
    if let Some((operation, kind)) = expect.recorded {
        let recorded = got.collection_errors();
        if !recorded.iter().any(|(op, k)| op == operation && k == kind) {
            found.push(format!(
                "collection_errors do not record {operation} as {kind}: {recorded:?}"
            ));
        }
    }
    let (before, after) = (clean.verdicts(), got.verdicts());
    for ((account, rule), was) in &before {
        let now = after.get(&(account.clone(), rule.clone()));
        let shown = now.map_or("vanished".to_owned(), |s| format!("{s:?}"));
        let who = org.name(account);
        if was.contains("FAIL") && !now.is_some_and(|s| s.contains("FAIL") || s.contains("ERROR")) {
            found.push(format!("{who}/{rule}: FAIL in the clean run, now {shown}"));
        } else if was.contains("PASS") && now.is_none() {
            found.push(format!("{who}/{rule}: PASS in the clean run, now vanished"));
        } else if !was.contains("FAIL")
            && now.is_some_and(|s| s.contains("FAIL") && !s.contains("ERROR"))
        {
            // What could not be read is unknown, not absent: it may not make a rule fail.
            found.push(format!(
                "{who}/{rule}: {was:?} in the clean run, now {shown} (unread data taken as absent)"
            ));
        }
    }
    found
}

/// How many of the clean run's findings are missing from `got`.
fn vanished(clean: &Run, got: &Run) -> usize {
    clean.finding_keys().difference(&got.finding_keys()).count()
}

/// Runs the organization scan under `faults`, checks that each fired, and panics with every
/// violation of fail-closed and the numbers that describe the run.
fn assert_fail_closed(faults: Vec<Fault>, expect: Expect, attempts: &str) -> Run {
    let clean = clean();
    let described: Vec<String> = faults.iter().map(ToString::to_string).collect();
    let (run, proxy) = scan_org(faults, &[], attempts);
    proxy.assert_every_fault_fired();
    let fired: Vec<usize> = (0..described.len()).map(|i| proxy.fired(i).len()).collect();
    let found = violations(org(), clean, &run, &expect);
    let summary = format!(
        "under {described:?} (fired {fired:?} times): {}; {} of the clean run's {} findings \
         vanished; {} ERROR findings name {:?}",
        run.summary(),
        vanished(clean, &run),
        clean.findings().len(),
        run.errors_naming(expect.names),
        expect.names
    );
    eprintln!("{summary}");
    assert!(
        found.is_empty(),
        "not fail-closed {summary}:\n  {}\n--- stderr ---\n{}",
        found.join("\n  "),
        run.stderr
    );
    run
}

// ---------------------------------------------------------------------------
// Each discovery call failing in turn
// ---------------------------------------------------------------------------

#[test]
fn describe_regions_throttled() {
    assert_fail_closed(
        vec![Fault::throttle("ec2:DescribeRegions")],
        Expect::call("ec2:DescribeRegions", "throttled"),
        FEW_ATTEMPTS,
    );
}

/// Without ListTrails the collector asks DescribeTrails in every enabled region instead
/// (README: "without cloudtrail:ListTrails every enabled region is asked instead"). When that
/// recovers every trail nothing is unknown, so the verdicts may stand unchanged and the failed
/// call need not be recorded; if anything is lost, an ERROR must name ListTrails.
#[test]
fn list_trails_throttled() {
    let run = assert_fail_closed(
        vec![Fault::throttle("cloudtrail:ListTrails")],
        Expect {
            recorded: None,
            ..Expect::call("cloudtrail:ListTrails", "throttled")
        },
        FEW_ATTEMPTS,
    );
    // The fallback really ran: DescribeTrails in more than the own region and eu-west-1.
    assert!(run.requests > clean().requests, "{}", run.summary());
}

#[test]
fn describe_trails_throttled_in_the_own_region() {
    assert_fail_closed(
        vec![Fault::throttle("cloudtrail:DescribeTrails").region("us-east-1")],
        Expect::call("cloudtrail:DescribeTrails", "throttled"),
        FEW_ATTEMPTS,
    );
}

/// The legacy member's single-region trail lives in eu-west-1: only a DescribeTrails there
/// describes it, and with it go its bucket (critical CT-D02) and every finding about them.
#[test]
fn describe_trails_throttled_in_a_trail_home_region_elsewhere() {
    let org = org();
    assert_eq!(
        org.fact("accounts.legacy.trails.legacy-trail.home_region"),
        "eu-west-1"
    );
    let fault = || vec![Fault::throttle("cloudtrail:DescribeTrails").region("eu-west-1")];
    // Gated at the clean run's highest failing severity (that bucket's critical CT-D02), the
    // gate must still fail.
    let critical_fails = &clean().report.as_ref().expect("report")["summary"]["fail_by_severity"];
    assert_eq!(critical_fails["critical"], 1, "{critical_fails}");
    let (critical, _) = scan_org(fault(), &["--fail-on", "critical"], FEW_ATTEMPTS);
    assert_eq!(
        critical.code,
        1,
        "--fail-on critical with DescribeTrails throttled in eu-west-1 (clean: exit 1): {}",
        critical.summary()
    );
    let run = assert_fail_closed(
        fault(),
        Expect::call("cloudtrail:DescribeTrails", "throttled"),
        FEW_ATTEMPTS,
    );
    let legacy = org.id("legacy");
    assert!(run.statuses(&legacy, "CT-D02").contains("ERROR"));
}

/// The same under IAM: denied, not throttled (and not retried).
#[test]
fn describe_trails_denied_in_a_trail_home_region_elsewhere() {
    assert_fail_closed(
        vec![Fault::deny("cloudtrail:DescribeTrails").region("eu-west-1")],
        Expect::call("cloudtrail:DescribeTrails", "access_denied"),
        FEW_ATTEMPTS,
    );
}

#[test]
fn get_trail_status_throttled() {
    assert_fail_closed(
        vec![Fault::throttle("cloudtrail:GetTrailStatus")],
        Expect::call("cloudtrail:GetTrailStatus", "throttled"),
        FEW_ATTEMPTS,
    );
}

#[test]
fn get_event_selectors_throttled() {
    assert_fail_closed(
        vec![Fault::throttle("cloudtrail:GetEventSelectors")],
        Expect::call("cloudtrail:GetEventSelectors", "throttled"),
        FEW_ATTEMPTS,
    );
}

/// Without the account list there is nothing to scan: exit 2, naming the call.
#[test]
fn list_accounts_throttled() {
    assert_fail_closed(
        vec![Fault::throttle("organizations:ListAccounts")],
        Expect::call("organizations:ListAccounts", "throttled").or_exit_2(),
        FEW_ATTEMPTS,
    );
}

/// Without the organization's description an `--org` scan cannot start: exit 2 is accepted.
#[test]
fn describe_organization_throttled() {
    assert_fail_closed(
        vec![Fault::throttle("organizations:DescribeOrganization")],
        Expect::call("organizations:DescribeOrganization", "throttled").or_exit_2(),
        FEW_ATTEMPTS,
    );
}

/// One member's role cannot be assumed: every rule about that member is ERROR (its trails,
/// buckets and regions could not be seen), the other accounts are unaffected.
#[test]
fn assume_role_throttled_for_one_member() {
    let org = org();
    let legacy = org.id("legacy");
    let run = assert_fail_closed(
        vec![Fault::throttle("sts:AssumeRole").account(&legacy)],
        Expect {
            names: &["AssumeRole", "could not be collected"],
            recorded: None,
            exit_2: false,
        },
        FEW_ATTEMPTS,
    );
    assert!(
        run.statuses(&legacy, "CT-D02").contains("ERROR"),
        "{:?}",
        run.statuses(&legacy, "CT-D02")
    );
}

#[test]
fn list_buckets_throttled() {
    assert_fail_closed(
        vec![Fault::throttle("s3:ListBuckets")],
        Expect::call("s3:ListBuckets", "throttled"),
        FEW_ATTEMPTS,
    );
}

/// One read of one bucket: the policy of the legacy member's public bucket, read with the
/// legacy member's own (learnt) credentials.
#[test]
fn one_bucket_read_throttled() {
    let org = org();
    let bucket = org.fact("buckets.legacy");
    assert_fail_closed(
        vec![
            Fault::throttle("s3:GetBucketPolicy")
                .path_contains(&bucket)
                .account(&org.id("legacy")),
        ],
        Expect::call("s3:GetBucketPolicy", "throttled"),
        FEW_ATTEMPTS,
    );
}

// ---------------------------------------------------------------------------
// The proxy itself: accounts, protocol shapes, retries
// ---------------------------------------------------------------------------

/// The proxy attributes every request to its account: the caller's by its registered key,
/// every member's by the keys learnt from AssumeRole.
#[test]
fn the_proxy_attributes_every_request_to_an_account() {
    let org = org();
    let (run, proxy) = scan_org(Vec::new(), &[], FEW_ATTEMPTS);
    assert_eq!(run.code, 1, "{}", run.summary());
    let exchanges = proxy.exchanges();
    let unknown: Vec<String> = exchanges
        .iter()
        .filter(|e| e.call.account.is_none())
        .map(|e| format!("{} {}", e.call.name(), e.call.path))
        .collect();
    assert!(
        unknown.is_empty(),
        "requests of no known account: {unknown:?}"
    );
    let seen: BTreeSet<&str> = exchanges
        .iter()
        .filter_map(|e| e.call.account.as_deref())
        .collect();
    let all: BTreeSet<&str> = org.names.keys().map(String::as_str).collect();
    assert_eq!(seen, all);
}

/// The SDK retries every protocol's throttling answer (the proxy's shapes are read as
/// throttling): one throttled answer per kind of call changes nothing.
#[test]
fn each_protocols_throttling_answer_is_retried() {
    let clean = clean();
    let faults = vec![
        Fault::throttle("cloudtrail:DescribeTrails").first(1),
        Fault::throttle("kms:DescribeKey").first(1),
        Fault::throttle("organizations:ListAccounts").first(1),
        Fault::throttle("sts:AssumeRole").first(1),
        Fault::throttle("ec2:DescribeRegions").first(1),
        Fault::throttle("s3:ListBuckets").first(1),
        Fault::throttle("s3:HeadBucket").first(1),
        Fault::throttle("s3:GetBucketPolicy").first(1),
    ];
    let (run, proxy) = scan_org(faults, &[], DEFAULT_ATTEMPTS);
    proxy.assert_every_fault_fired();
    assert_eq!(run.code, clean.code, "{}\n{}", run.summary(), run.stderr);
    assert_eq!(
        run.verdicts(),
        clean.verdicts(),
        "a throttled call was not retried: {}",
        run.summary()
    );
    assert_eq!(run.finding_keys(), clean.finding_keys());
    assert_eq!(run.collection_errors(), Vec::new());
}

/// A persistent throttle is retried until the SDK's attempts run out (here 2 per call), and
/// trailguard records it as throttling: the answer's code was read.
#[test]
fn persistent_throttling_exhausts_the_retries() {
    let (run, proxy) = scan_org(
        vec![Fault::throttle("cloudtrail:GetTrailStatus")],
        &[],
        FEW_ATTEMPTS,
    );
    proxy.assert_every_fault_fired();
    let mut attempts: BTreeMap<String, usize> = BTreeMap::new();
    for c in proxy.fired(0) {
        *attempts
            .entry(format!("{:?} {:?} {}", c.account, c.region, c.path))
            .or_default() += 1;
    }
    assert!(
        attempts.values().all(|&n| n == 2),
        "attempts per request: {attempts:?}"
    );
    let recorded = run.collection_errors();
    assert!(
        recorded
            .iter()
            .any(|(op, kind)| op == "cloudtrail:GetTrailStatus" && kind == "throttled"),
        "{recorded:?}"
    );
}

// ---------------------------------------------------------------------------
// The organization trail
// ---------------------------------------------------------------------------

/// When the management account's trails cannot be discovered, the organization trail is
/// unknown: members covered only by it get ERROR for CT-A01, the organization ERROR for
/// CT-A08 — never FAIL.
#[test]
fn unreadable_organization_trail_is_error_for_members_not_fail() {
    let org = org();
    let management = org.seeded.account_id.clone();
    let clean = clean();
    let (run, proxy) = scan_org(
        vec![Fault::throttle("cloudtrail:DescribeTrails").account(&management)],
        &[],
        FEW_ATTEMPTS,
    );
    proxy.assert_every_fault_fired();
    eprintln!("organization trail unreadable: {}", run.summary());
    let mut wrong = Vec::new();
    for (id, name) in &org.names {
        for rule in ["CT-A01", "CT-A08"] {
            let (was, now) = (clean.statuses(id, rule), run.statuses(id, rule));
            if now.contains("FAIL") && !was.contains("FAIL") {
                wrong.push(format!("{name}/{rule}: {was:?} clean, {now:?} now"));
            }
        }
    }
    // Covered only by the organization trail (no trail of their own, or a stopped one).
    for name in ["log-archive", "no-trail", "legacy"] {
        let now = run.statuses(&org.id(name), "CT-A01");
        if !now.contains("ERROR") {
            wrong.push(format!("{name}/CT-A01: {now:?}, expected ERROR"));
        }
    }
    let a08 = run.statuses(&management, "CT-A08");
    if !a08.contains("ERROR") {
        wrong.push(format!("management/CT-A08: {a08:?}, expected ERROR"));
    }
    wrong.extend(violations(
        org,
        clean,
        &run,
        &Expect::call("cloudtrail:DescribeTrails", "throttled"),
    ));
    assert!(
        wrong.is_empty(),
        "organization trail unreadable ({}):\n  {}",
        run.summary(),
        wrong.join("\n  ")
    );
}

// ---------------------------------------------------------------------------
// Random throttling, a dying emulator, a slow service
// ---------------------------------------------------------------------------

/// 20 % of all requests throttled, default retries, five fixed seeds: the gate never passes
/// and no clean FAIL turns into a PASS or vanishes.
#[test]
fn random_throttling_keeps_every_failure() {
    let clean = clean();
    let mut broken = Vec::new();
    for seed in 1..=5u64 {
        let (run, proxy) = scan_org(
            vec![Fault::throttle("*").probability(0.2, seed)],
            &[],
            DEFAULT_ATTEMPTS,
        );
        proxy.assert_every_fault_fired();
        let found = violations(org(), clean, &run, &Expect::anything_but_a_pass());
        let line = format!(
            "seed {seed}: {} requests throttled; {}; {} findings vanished",
            proxy.fired(0).len(),
            run.summary(),
            vanished(clean, &run)
        );
        eprintln!("{line}");
        if !found.is_empty() {
            broken.push(format!("{line}\n    {}", found.join("\n    ")));
        }
    }
    assert!(
        broken.is_empty(),
        "random throttling broke fail-closed:\n  {}",
        broken.join("\n  ")
    );
}

/// The emulator dies after a quarter, half and three quarters of a clean scan's requests.
#[test]
fn emulator_killed_mid_scan() {
    let clean = clean();
    let mut broken = Vec::new();
    for (num, den) in [(1, 4), (1, 2), (3, 4)] {
        let after = (clean.requests * num / den) as u64;
        let (run, proxy) = scan_org(vec![Fault::kill("*").after(after)], &[], FEW_ATTEMPTS);
        proxy.assert_every_fault_fired();
        assert!(proxy.is_dead());
        // Dead like a killed process: nothing listens any more.
        assert!(std::net::TcpStream::connect(("127.0.0.1", proxy.port())).is_err());
        let found = violations(org(), clean, &run, &Expect::anything_but_a_pass());
        let line = format!(
            "killed after {after} of {} requests: {}",
            clean.requests,
            run.summary()
        );
        eprintln!("{line}");
        if !found.is_empty() {
            broken.push(format!("{line}\n    {}", found.join("\n    ")));
        }
    }
    assert!(
        broken.is_empty(),
        "a scan whose emulator died hid what it could not read:\n  {}",
        broken.join("\n  ")
    );
}

/// EC2 answers after 10 s, each attempt may take 2 s: the scan ends in bounded time and what
/// it could not list is ERROR naming the timeout.
#[test]
fn slow_ec2_with_a_short_timeout() {
    let clean = clean();
    let (run, proxy) = scan_org(
        vec![Fault::delay("ec2:*", Duration::from_secs(10))],
        &["--timeout", "2s"],
        DEFAULT_ATTEMPTS,
    );
    proxy.assert_every_fault_fired();
    eprintln!(
        "slow EC2: {}; {} findings vanished",
        run.summary(),
        vanished(clean, &run)
    );
    // 3 attempts of 2 s plus backoff, accounts in parallel; never waiting for the 10 s answers.
    assert!(
        run.elapsed < Duration::from_secs(60),
        "the scan took {:?}",
        run.elapsed
    );
    let expect = Expect::call("ec2:DescribeRegions", "timeout").naming(&["timed out", "timeout"]);
    let found = violations(org(), clean, &run, &expect);
    assert!(
        found.is_empty(),
        "slow EC2 ({}; {} findings vanished):\n  {}",
        run.summary(),
        vanished(clean, &run),
        found.join("\n  ")
    );
}

// ---------------------------------------------------------------------------
// DescribeRegions and a region-scoped rule (one account)
// ---------------------------------------------------------------------------

/// One logging single-region trail in us-east-1, in a fresh account of its own.
const SINGLE_REGION_TRAIL: &str = r#"
import boto3, os
acct = os.environ["ACCOUNT"]
kw = dict(endpoint_url=os.environ["ENDPOINT"], region_name="us-east-1")
bucket = f"{acct}-single-region-logs"
boto3.client("s3", **kw).create_bucket(Bucket=bucket)
ct = boto3.client("cloudtrail", **kw)
ct.create_trail(Name="single", S3BucketName=bucket, IsMultiRegionTrail=False)
ct.put_event_selectors(TrailName="single", EventSelectors=[
    {"ReadWriteType": "All", "IncludeManagementEvents": True, "DataResources": []}])
ct.start_logging(Name="single")
"#;

/// An account recorded in us-east-1 only fails CT-A03 in every other enabled region. Without
/// DescribeRegions the scan must not shrink to the caller's region and pass.
#[test]
fn describe_regions_throttled_does_not_shrink_a_region_scoped_rule() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "empty", &unique_account_id());
    let mut env: Vec<(&str, String)> = seeded.aws_env();
    env.push(("ENDPOINT", emulator.endpoint()));
    env.push(("ACCOUNT", seeded.account_id.clone()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let made = crate::support::run_python(SINGLE_REGION_TRAIL, &[], &env);
    assert!(
        made.status.success(),
        "creating the trail failed: {}",
        String::from_utf8_lossy(&made.stderr)
    );
    let args = ["scan", "--only", "CT-A03"];
    let aliases = BTreeMap::new();
    let (clean, _) = run_through(&seeded, &aliases, Vec::new(), &args, FEW_ATTEMPTS);
    let clean_fails = clean
        .findings()
        .iter()
        .filter(|f| f["status"] == "FAIL")
        .count();
    assert_eq!(clean.code, 1, "{}", clean.summary());
    assert!(clean_fails > 1, "{}", clean.summary());
    let (run, proxy) = run_through(
        &seeded,
        &aliases,
        vec![Fault::throttle("ec2:DescribeRegions")],
        &args,
        FEW_ATTEMPTS,
    );
    proxy.assert_every_fault_fired();
    let line = format!(
        "CT-A03: clean {}; DescribeRegions throttled {}",
        clean.summary(),
        run.summary()
    );
    eprintln!("{line}");
    let now = run.statuses(&seeded.account_id, "CT-A03");
    assert!(
        run.code == 1 && (now.contains("FAIL") || now.contains("ERROR")),
        "{line}: CT-A03 {now:?}"
    );
    // Said as an ERROR, or as the assumed region list's evidence, and recorded.
    let said = run
        .findings()
        .iter()
        .any(|f| names_any(&f.to_string(), &["DescribeRegions"]));
    let recorded = run.collection_errors();
    assert!(
        said && recorded.iter().any(|(op, _)| op == "ec2:DescribeRegions"),
        "{line}: no finding names DescribeRegions ({said}) or it is not recorded: {recorded:?}"
    );
}

// ---------------------------------------------------------------------------
// Empty scopes exit 2
// ---------------------------------------------------------------------------

/// ListAccounts answering no account at all: nothing to scan is not "compliant".
#[test]
fn empty_account_list_is_exit_2() {
    let (run, proxy) = scan_org(
        vec![Fault::answer(
            "organizations:ListAccounts",
            200,
            "application/x-amz-json-1.1",
            r#"{"Accounts":[]}"#,
        )],
        &[],
        FEW_ATTEMPTS,
    );
    proxy.assert_every_fault_fired();
    assert_eq!(
        run.code,
        2,
        "ListAccounts returned none: {}\n{}",
        run.summary(),
        run.stderr
    );
    assert!(
        run.stderr.to_ascii_lowercase().contains("account"),
        "{}",
        run.stderr
    );
}

/// Every account excluded.
#[test]
fn excluding_every_account_is_exit_2() {
    let org = org();
    let all: Vec<&str> = org.names.keys().map(String::as_str).collect();
    let (run, _) = scan_org(
        Vec::new(),
        &["--exclude-accounts", &all.join(",")],
        FEW_ATTEMPTS,
    );
    assert_eq!(
        run.code,
        2,
        "every account excluded: {}\n{}",
        run.summary(),
        run.stderr
    );
}

/// Offline: filters that leave no rule to evaluate.
#[test]
fn filters_that_leave_no_rule_are_exit_2() {
    let demo = crate::support::repo_root().join("examples/demo-inventory.json");
    let out = crate::support::cli::run(&[
        "check",
        "--inventory",
        &demo.to_string_lossy(),
        "--only",
        "CT-A01",
        "--skip",
        "CT-A01",
    ]);
    assert_eq!(
        crate::support::cli::code(&out),
        2,
        "--only X --skip X leaves no rule: {}",
        crate::support::cli::stdout(&out)
    );
}

/// Offline: an inventory without accounts.
#[test]
fn an_inventory_without_accounts_is_exit_2() {
    let demo = crate::support::repo_root().join("examples/demo-inventory.json");
    let mut inventory: Value =
        serde_json::from_str(&std::fs::read_to_string(&demo).expect("the demo inventory"))
            .expect("the demo inventory is JSON");
    inventory["accounts"] = Value::Array(Vec::new());
    if let Some(map) = inventory.as_object_mut() {
        map.remove("organization");
    }
    let path = report_path();
    std::fs::write(&path, inventory.to_string()).expect("write the inventory");
    let out = crate::support::cli::run(&["check", "--inventory", &path.to_string_lossy()]);
    let _ = std::fs::remove_file(&path);
    assert_eq!(
        crate::support::cli::code(&out),
        2,
        "an inventory with `accounts: []`: {}",
        crate::support::cli::stdout(&out)
    );
}
