//! The small promises of the command line (issue 17, item 6): each diagnostic, flag and help
//! text says what the program does, and the program does what they say.

use crate::support::cli::{code, run, stderr, stdout};

const COMPLIANT: &str = "tests/fixtures/inventories/compliant.json";
const WAIVERS: &str = "tests/fixtures/waivers/valid.yaml";

/// Waiver warnings carry one `warning:` prefix, like every other warning.
#[test]
fn waiver_warnings_have_one_prefix() {
    let o = run(&[
        "check",
        "--inventory",
        COMPLIANT,
        "--waivers",
        WAIVERS,
        "--now",
        "2026-06-01T00:00:00Z",
    ]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains("warning: warning:"), "{err}");
    let expired = format!("warning: {WAIVERS}:16:5: waiver `old-exception` expired on 2025-06-30");
    assert!(
        err.lines().any(|l| l.starts_with(&expired)),
        "{expired} in:\n{err}"
    );
}

/// The ids of a `rules list --output json`.
fn listed(args: &[&str]) -> Vec<(String, String)> {
    let mut argv = vec!["rules", "list", "--output", "json"];
    argv.extend_from_slice(args);
    let o = run(&argv);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let json: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    (json.as_array().expect("array").iter())
        .map(|r| {
            let field = |k: &str| r[k].as_str().expect(k).to_owned();
            (field("id"), field("severity"))
        })
        .collect()
}

/// `--severity-min` means what it means for `check` and `scan`: at least; `--severity` stays
/// an exact match; the two together are a usage error.
#[test]
fn rules_list_severity_min_is_a_threshold_and_severity_exact() {
    let at_least_high = listed(&["--severity-min", "high"]);
    let severities: std::collections::BTreeSet<&str> =
        at_least_high.iter().map(|(_, s)| s.as_str()).collect();
    assert_eq!(
        severities,
        ["critical", "high"].into_iter().collect(),
        "{at_least_high:?}"
    );
    let exactly_high = listed(&["--severity", "high"]);
    assert!(exactly_high.iter().all(|(_, s)| s == "high"));
    assert!(exactly_high.len() < at_least_high.len());
    // The same selection as `check --severity-min high` evaluates.
    let o = run(&[
        "check",
        "--inventory",
        COMPLIANT,
        "--severity-min",
        "high",
        "--output",
        "json",
    ]);
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let mut evaluated: Vec<&str> = (report["findings"].as_array().expect("findings").iter())
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    evaluated.dedup();
    let mut ids: Vec<&str> = at_least_high.iter().map(|(id, _)| id.as_str()).collect();
    ids.sort_unstable();
    evaluated.sort_unstable();
    evaluated.dedup();
    assert_eq!(evaluated, ids);
    let o = run(&[
        "rules",
        "list",
        "--severity",
        "high",
        "--severity-min",
        "low",
    ]);
    assert_eq!(code(&o), 2);
    assert!(stderr(&o).contains("cannot be used with"), "{}", stderr(&o));
}

/// The help promises what the table prints: no frameworks column without `--framework`; with
/// it, each rule's controls in that framework.
#[test]
fn rules_list_prints_what_its_help_promises() {
    let help = stdout(&run(&["rules", "list", "--help"]));
    assert!(
        help.starts_with(
            "A table of the rules: id, severity, scope, title (with --framework, its controls)"
        ),
        "{help}"
    );
    let plain = stdout(&run(&["rules", "list"]));
    let header: Vec<&str> = plain
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    assert_eq!(header, ["ID", "SEVERITY", "SCOPE", "TITLE"]);
    let o = run(&["rules", "list", "--framework", "cis-aws-foundations-v5.0.0"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let text = stdout(&o);
    let header: Vec<&str> = text
        .lines()
        .next()
        .unwrap_or("")
        .split_whitespace()
        .collect();
    assert_eq!(header, ["ID", "SEVERITY", "SCOPE", "CONTROLS", "TITLE"]);
    let a02 = text
        .lines()
        .find(|l| l.starts_with("CT-A02 "))
        .expect("CT-A02");
    assert_eq!(a02.split_whitespace().nth(3), Some("3.1"), "{a02}");
}

/// An unknown `--framework` lists the valid ids, with "did you mean", for `rules list` as for
/// `check`.
#[test]
fn an_unknown_framework_lists_the_valid_ids() {
    for argv in [
        &["rules", "list", "--framework", "cis-aws-foundations-v5.00"][..],
        &[
            "check",
            "--inventory",
            COMPLIANT,
            "--framework",
            "cis-aws-foundations-v5.00",
        ],
    ] {
        let o = run(argv);
        assert_eq!(code(&o), 2, "{argv:?}");
        let err = stderr(&o);
        assert!(
            err.contains("did you mean `cis-aws-foundations-v5.0.0`?"),
            "{err}"
        );
        for id in trailguard::frameworks::valid_ids() {
            assert!(err.contains(id), "{id} missing from {err}");
        }
    }
}

/// Rule ids are accepted in any case and printed in their canonical (upper) case.
#[test]
fn rule_ids_in_any_case() {
    let o = run(&[
        "check",
        "--inventory",
        COMPLIANT,
        "--only",
        "ct-a01,Ct-B01",
        "--skip",
        "ct-b01",
        "--output",
        "json",
    ]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let mut ids: Vec<&str> = (report["findings"].as_array().expect("findings").iter())
        .filter_map(|f| f["rule_id"].as_str())
        .collect();
    ids.dedup();
    assert_eq!(ids, ["CT-A01"]);

    let o = run(&["check", "--inventory", COMPLIANT, "--only", "ct-a99"]);
    assert_eq!(code(&o), 2);
    assert_eq!(
        stderr(&o),
        "error: unknown rule id `CT-A99` in --only; did you mean `CT-A09`?\n"
    );
    let o = run(&["rules", "explain", "ct-a02"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("CT-A02  "), "{}", stdout(&o));
}

const LEGACY: &str = "tests/fixtures/inventories/legacy.json";

/// `-v` does what its help says: notes on stderr, the report on stdout unchanged (ruff's `-v`
/// and ripgrep's `--debug` also only add to stderr); PASS and N/A lines are `--list-all`'s.
#[test]
fn verbose_writes_to_stderr_and_leaves_the_report_alone() {
    let help = stdout(&run(&["check", "--help"]));
    assert!(
        help.contains("Print on stderr how the run was set up"),
        "{help}"
    );
    let plain = run(&["check", "--inventory", LEGACY]);
    let verbose = run(&["-v", "check", "--inventory", LEGACY]);
    assert_eq!(code(&plain), 1);
    assert_eq!(code(&verbose), 1);
    assert_eq!(stdout(&verbose), stdout(&plain));
    assert!(!stdout(&verbose).contains("PASS  "));
    let err = stderr(&verbose);
    assert!(err.contains("note: no config file: no trailguard.yaml from the working directory up to the repository root"), "{err}");
    assert!(
        err.lines()
            .any(|l| l.starts_with("note: ") && l.ends_with(" rules selected")),
        "{err}"
    );
    assert_eq!(stderr(&plain), "", "the notes are -v's only");
    let all = run(&["check", "--inventory", LEGACY, "--list-all"]);
    assert!(stdout(&all).contains("PASS  "), "{}", stdout(&all));
}

/// A scratch directory of this test process's own, removed on drop.
struct Scratch(std::path::PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!(
            "trailguard-cli-consistency-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `trailguard ARGS…` run in `dir`, with `envs` added to a clean environment.
fn run_in(dir: &std::path::Path, args: &[&str], envs: &[(&str, &str)]) -> std::process::Output {
    let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_trailguard"));
    cmd.env_clear()
        .env("NO_COLOR", "1")
        .envs(envs.iter().copied());
    cmd.args(args).current_dir(dir);
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run trailguard: {e}"))
}

/// The rule ids of a JSON report on stdout, sorted and unique.
fn rule_ids(o: &std::process::Output) -> Vec<String> {
    let report: serde_json::Value = serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}{}", stdout(o), stderr(o)));
    let mut ids: Vec<String> = (report["findings"].as_array().expect("findings").iter())
        .filter_map(|f| f["rule_id"].as_str().map(str::to_owned))
        .collect();
    ids.sort();
    ids.dedup();
    ids
}

fn repo_path(rel: &str) -> String {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join(rel)
        .display()
        .to_string()
}

/// `trailguard.yaml` is found from a subdirectory, up to the repository root (the directory
/// holding `.git`); outside a repository only the working directory counts.
#[test]
fn the_config_file_is_found_up_to_the_repository_root() {
    let repo = Scratch::new("repo");
    let deep = repo.0.join("infra/audit");
    std::fs::create_dir_all(&deep).expect("dirs");
    std::fs::write(
        repo.0.join("trailguard.yaml"),
        "rules: { only: [CT-A01] }\n",
    )
    .expect("config");
    let inventory = repo_path(COMPLIANT);
    let argv = ["-v", "check", "--inventory", &inventory, "--output", "json"];
    if repo.0.ancestors().any(|d| d.join(".git").exists()) {
        panic!(
            "{} is inside a git repository: cannot test",
            repo.0.display()
        );
    }
    // Not a repository yet: the file two levels up is not read.
    let o = run_in(&deep, &argv, &[]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(rule_ids(&o).len() > 1);
    assert!(
        stderr(&o).contains("outside a git repository, no parent is searched"),
        "{}",
        stderr(&o)
    );
    // In the working directory it is, repository or not.
    let o = run_in(&repo.0, &argv, &[]);
    assert_eq!(rule_ids(&o), ["CT-A01"]);
    // Inside a repository it is found from below, and -v says which file.
    std::fs::create_dir(repo.0.join(".git")).expect(".git");
    let o = run_in(&deep, &argv, &[]);
    assert_eq!(rule_ids(&o), ["CT-A01"], "{}", stderr(&o));
    assert!(
        stderr(&o).contains("note: config file ../../trailguard.yaml (the nearest from the working directory up to the repository root"),
        "{}",
        stderr(&o)
    );
    // Its problems are located at that path.
    std::fs::write(
        repo.0.join("trailguard.yaml"),
        "rules: { only: [CT-A99] }\n",
    )
    .expect("config");
    let o = run_in(&deep, &argv[1..], &[]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("../../trailguard.yaml:1:"),
        "{}",
        stderr(&o)
    );
}

/// `TRAILGUARD_*` variables stand in for flags: a flag wins over its variable, the variable
/// over the config file; an empty variable is unset; a bad value names the variable.
#[test]
fn variables_between_flags_and_the_config_file() {
    let dir = Scratch::new("env");
    let legacy = repo_path(LEGACY);
    // CT-A02 fails (high) on the legacy inventory; nothing critical is selected.
    let argv = ["check", "--inventory", &legacy, "--only", "CT-A02"];
    let with_flag = |extra: &[&str], envs: &[(&str, &str)]| {
        let mut all = argv.to_vec();
        all.extend_from_slice(extra);
        code(&run_in(&dir.0, &all, envs))
    };
    assert_eq!(with_flag(&[], &[]), 1);
    assert_eq!(with_flag(&[], &[("TRAILGUARD_FAIL_ON", "critical")]), 0);
    assert_eq!(
        with_flag(
            &["--fail-on", "high"],
            &[("TRAILGUARD_FAIL_ON", "critical")]
        ),
        1,
        "the flag wins"
    );
    std::fs::write(
        dir.0.join("trailguard.yaml"),
        "gate: { fail_on: critical }\n",
    )
    .expect("config");
    assert_eq!(with_flag(&[], &[]), 0, "the config file sets it");
    assert_eq!(
        with_flag(&[], &[("TRAILGUARD_FAIL_ON", "high")]),
        1,
        "the variable wins over the config file"
    );
    assert_eq!(
        with_flag(&[], &[("TRAILGUARD_FAIL_ON", "")]),
        0,
        "an empty variable is unset"
    );

    let o = run_in(
        &dir.0,
        &["-v", "check", "--inventory", &legacy],
        &[("TRAILGUARD_OUTPUT", "json"), ("TRAILGUARD_QUIET", "1")],
    );
    assert!(rule_ids(&o).len() > 1, "a json report on stdout");
    let err = stderr(&o);
    assert!(
        err.contains("note: --output from TRAILGUARD_OUTPUT=json\n"),
        "{err}"
    );
    assert!(
        err.contains("note: --quiet from TRAILGUARD_QUIET=1\n"),
        "{err}"
    );

    let o = run_in(&dir.0, &argv, &[("TRAILGUARD_SEVERITY_MIN", "severe")]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("invalid value 'severe' for '--severity-min"),
        "{err}"
    );
    assert!(
        err.ends_with("note: the value came from TRAILGUARD_SEVERITY_MIN=severe\n"),
        "{err}"
    );
    // The help lists each variable.
    let help = stdout(&run(&["check", "--help"]));
    for name in [
        "TRAILGUARD_COLOR",
        "TRAILGUARD_QUIET",
        "TRAILGUARD_RULES",
        "TRAILGUARD_SEVERITY_MIN",
        "TRAILGUARD_FRAMEWORK",
        "TRAILGUARD_CONFIG",
        "TRAILGUARD_FAIL_ON",
        "TRAILGUARD_WAIVERS",
        "TRAILGUARD_OUTPUT",
    ] {
        assert!(help.contains(&format!("[env: {name}=]")), "{name}: {help}");
    }
}

/// The `collecting: D/T accounts done, …` lines of a run's stderr, as (done, total).
fn progress_lines(stderr: &str) -> Vec<(u64, u64)> {
    stderr
        .lines()
        .filter_map(|l| l.strip_prefix("collecting: "))
        .filter_map(|rest| {
            let (counts, _) = rest.split_once(" accounts done, ")?;
            let (done, total) = counts.split_once('/')?;
            Some((done.parse().ok()?, total.parse().ok()?))
        })
        .collect()
}

/// Without a terminal (CI), an organization scan prints a progress line on stderr every
/// interval (10 s; the hidden TRAILGUARD_PROGRESS_INTERVAL shortens it here), counting the
/// accounts done out of the total; never with `-q`, never on stdout.
#[test]
fn an_org_scan_without_a_terminal_prints_progress_lines() {
    use crate::support::{Emulator, seed, trailguard_with_env, unique_account_id};
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "org", &unique_account_id());
    let argv = ["scan", "--org", "--region", "us-east-1", "--output", "json"];
    let fast = [("TRAILGUARD_PROGRESS_INTERVAL", "20ms")];
    let out = trailguard_with_env(emulator, &seeded, argv, &fast);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    let report: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("stdout is the JSON report alone ({e}); stderr:\n{err}"));
    let accounts = report["run"]["accounts"]
        .as_array()
        .expect("accounts")
        .len() as u64;
    assert!(accounts > 1, "{accounts}");
    let lines = progress_lines(&err);
    assert!(!lines.is_empty(), "no progress line in:\n{err}");
    for (done, total) in &lines {
        assert_eq!(*total, accounts, "{err}");
        assert!(done <= total, "{err}");
    }
    // Counts only go up.
    assert!(lines.windows(2).all(|w| w[0].0 <= w[1].0), "{lines:?}");

    let mut quiet = vec!["-q"];
    quiet.extend(argv);
    let out = trailguard_with_env(emulator, &seeded, quiet, &fast);
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(
        !err.contains("collecting:"),
        "-q prints no progress:\n{err}"
    );
    assert!(out.stdout.starts_with(b"{"));
}

/// A waiver's `rule:` is a rule id or glob in any case too (`ct-a02` covers CT-A02), shown in
/// its canonical case.
#[test]
fn waiver_rule_patterns_in_any_case() {
    let dir = Scratch::new("waivers");
    let waivers = dir.0.join("waivers.yaml");
    std::fs::write(
        &waivers,
        "schema: trailguard.waivers/v1\nwaivers:\n  - id: lower\n    rule: ct-a0*\n    resource: \"*\"\n    reason: r\n    owner: o\n    expires: 2099-01-01\n",
    )
    .expect("waivers");
    let waivers = waivers.display().to_string();
    let argv = [
        "check",
        "--inventory",
        LEGACY,
        "--only",
        "CT-A02",
        "--output",
        "json",
    ];
    let mut with = argv.to_vec();
    with.extend(["--waivers", &waivers]);
    assert_eq!(code(&run(&argv)), 1);
    let o = run(&with);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let report: serde_json::Value = serde_json::from_slice(&o.stdout).expect("json");
    let waived: Vec<&serde_json::Value> = (report["findings"].as_array().expect("findings").iter())
        .filter(|f| f["status"] == "FAIL")
        .map(|f| &f["waiver"])
        .collect();
    assert!(!waived.is_empty());
    assert!(
        waived
            .iter()
            .all(|w| w["id"] == "lower" && w["rule"] == "CT-A0*"),
        "{waived:?}"
    );
}

/// A `parameters:` key is a rule id in any case too: `ct-d06` sets CT-D06's parameters, and an
/// unknown one is reported as an unknown rule (not as an unknown shared parameter).
#[test]
fn parameter_keys_name_rules_in_any_case() {
    let dir = Scratch::new("parameters");
    let config = dir.0.join("trailguard.yaml");
    let legacy = repo_path(LEGACY);
    let argv = [
        "check",
        "--inventory",
        &legacy,
        "--only",
        "CT-D06",
        "--output",
        "json",
    ];
    std::fs::write(
        &config,
        "parameters:\n  ct-d06: { min_retention_days: 0 }\n",
    )
    .expect("config");
    let o = run_in(&dir.0, &argv, &[]);
    assert_eq!(
        code(&o),
        2,
        "0 is below CT-D06's range: the key reached CT-D06"
    );
    assert!(stderr(&o).contains("min_retention_days"), "{}", stderr(&o));
    std::fs::write(
        &config,
        "parameters:\n  ct-d99: { min_retention_days: 1 }\n",
    )
    .expect("config");
    let o = run_in(&dir.0, &argv, &[]);
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("no loaded rule has the id `CT-D99`"),
        "{}",
        stderr(&o)
    );
}
