//! `scripts/demo`, the README's first command, end to end: it provisions the shared emulator
//! venv, starts its own moto server, seeds the `org` scenario, runs the real
//! `trailguard scan --org` and cleans up. The test runs the binary cargo built for the tests
//! (`TRAILGUARD_BIN`), so the demo's own `cargo build` step is skipped here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

use crate::support::cli::{stderr, stdout};

const MANAGEMENT: &str = "111111111111";
const MEMBERS: [&str; 5] = ["log-archive", "compliant", "legacy", "no-trail", "broken"];

struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("trailguard-demo-test-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("tmp")).expect("scratch dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Runs `scripts/demo OUT_DIR` with `bin` as trailguard, TMPDIR inside the scratch dir, and
/// nothing from the developer's AWS set-up in the environment.
fn run_demo(scratch: &Scratch, bin: &Path, out_dir: &Path) -> Output {
    let repo = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut cmd = Command::new(repo.join("scripts").join("demo"));
    cmd.arg(out_dir).env_clear().current_dir(&scratch.0);
    for var in ["PATH", "HOME", "TRAILGUARD_TEST_PYTHON"] {
        if let Some(v) = std::env::var_os(var) {
            cmd.env(var, v);
        }
    }
    if let Some(python) = std::env::var_os("TRAILGUARD_TEST_PYTHON") {
        cmd.env("PYTHON", python);
    }
    cmd.env("TMPDIR", scratch.0.join("tmp"))
        .env("TRAILGUARD_BIN", bin)
        // Proves the script, not the caller, sets up the scan's environment.
        .env("AWS_PROFILE", "must-not-be-used")
        .env("AWS_ACCESS_KEY_ID", "AKIAMUSTNOTBEUSED000")
        .env("AWS_SECRET_ACCESS_KEY", "must-not-be-used");
    cmd.output().expect("run scripts/demo")
}

/// `  member <id>  <name>` lines the demo prints after seeding.
fn members(stderr: &str) -> BTreeMap<String, String> {
    stderr
        .lines()
        .filter_map(|l| {
            let mut words = l.trim().strip_prefix("member ")?.split_whitespace();
            let id = words.next()?.to_owned();
            Some((words.next()?.to_owned(), id))
        })
        .collect()
}

/// The emulator port the demo printed (`emulator at http://127.0.0.1:PORT`).
fn emulator_port(stderr: &str) -> u16 {
    stderr
        .lines()
        .find_map(|l| l.strip_prefix("emulator at http://127.0.0.1:"))
        .and_then(|p| p.trim().parse().ok())
        .unwrap_or_else(|| panic!("no emulator line in: {stderr}"))
}

fn findings<'a>(report: &'a Value, account: &str, rule: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .filter(|f| f["resource"]["account_id"] == account && f["rule_id"] == rule)
        .collect()
}

fn statuses(report: &Value, account: &str, rule: &str) -> Vec<String> {
    findings(report, account, rule)
        .iter()
        .map(|f| f["status"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn demo_scans_the_seeded_organization_and_cleans_up() {
    let scratch = Scratch::new("ok");
    let out_dir = scratch.0.join("reports");
    let out = run_demo(
        &scratch,
        Path::new(env!("CARGO_BIN_EXE_trailguard")),
        &out_dir,
    );
    let (stdout, stderr) = (stdout(&out), stderr(&out));
    assert_eq!(
        out.status.code(),
        Some(0),
        "the demo failed\n--- stderr ---\n{stderr}\n--- stdout ---\n{stdout}"
    );

    // The coloured text report on stdout, and what the exit code means on stderr.
    assert!(
        stdout.contains("\u{1b}["),
        "--color always: {}",
        &stdout[..stdout.len().min(500)]
    );
    assert!(
        stdout.contains("CT-D02") && stdout.contains("FAIL"),
        "{stdout}"
    );
    assert!(
        stderr.contains("trailguard exited 1: the organization is not compliant"),
        "{stderr}"
    );
    let json_path = out_dir.join("trailguard-report.json");
    let sarif_path = out_dir.join("trailguard-report.sarif");
    assert!(
        stderr.contains(&json_path.display().to_string())
            && stderr.contains(&sarif_path.display().to_string()),
        "the demo says where the reports are: {stderr}"
    );

    // The JSON report covers the management account and all five members.
    let members = members(&stderr);
    assert_eq!(
        members.keys().map(String::as_str).collect::<Vec<_>>(),
        {
            let mut m = MEMBERS.to_vec();
            m.sort();
            m
        },
        "{stderr}"
    );
    let report: Value = serde_json::from_str(
        &std::fs::read_to_string(&json_path).expect("the JSON report is written"),
    )
    .expect("the JSON report parses");
    assert_eq!(report["schema"], "trailguard.report/v1");
    assert_eq!(report["run"]["mode"], "live");
    assert_eq!(report["gate"]["exit_code"], 1);
    assert_eq!(report["summary"]["accounts"], 6);
    let mut expected: Vec<&str> = members.values().map(String::as_str).collect();
    expected.push(MANAGEMENT);
    expected.sort();
    let covered: Vec<&str> = report["run"]["accounts"]
        .as_array()
        .expect("run.accounts")
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(covered, expected);
    for account in &expected {
        assert!(
            !findings(&report, account, "CT-A01").is_empty(),
            "account {account} evaluated"
        );
    }

    // The verdicts the demo is about. (Members covered by the organization trail may pass the
    // account-level trail rules; their own trails and buckets are judged on their own.)
    let passes = |account: &str, rule: &str| {
        let s = statuses(&report, account, rule);
        !s.is_empty() && s.iter().all(|s| s == "PASS")
    };
    let fails =
        |account: &str, rule: &str| statuses(&report, account, rule).iter().any(|s| s == "FAIL");
    assert!(
        passes(MANAGEMENT, "CT-A02"),
        "the organization trail is multi-region and logs all management events: {:?}",
        statuses(&report, MANAGEMENT, "CT-A02")
    );
    assert!(
        passes(MANAGEMENT, "CT-A08"),
        "the organization trail is there"
    );
    for rule in [
        "CT-A01", "CT-B01", "CT-B03", "CT-B04", "CT-C01", "CT-C02", "CT-D02", "CT-D06",
    ] {
        assert!(
            passes(MANAGEMENT, rule),
            "the management account passes {rule}"
        );
    }
    let legacy = &members["legacy"];
    for rule in ["CT-A05", "CT-A07", "CT-D02", "CT-D04", "CT-D06"] {
        assert!(
            fails(legacy, rule),
            "legacy fails {rule}: {:?}",
            statuses(&report, legacy, rule)
        );
    }
    assert!(
        fails(&members["broken"], "CT-D01"),
        "the broken member's bucket is gone"
    );
    assert_eq!(
        report["summary"]["fail_by_severity"]["critical"], 1,
        "one public trail bucket (legacy)"
    );

    // SARIF next to it.
    let sarif: Value = serde_json::from_str(
        &std::fs::read_to_string(&sarif_path).expect("the SARIF report is written"),
    )
    .expect("the SARIF report parses");
    assert_eq!(sarif["version"], "2.1.0");
    assert!(!sarif["runs"].as_array().expect("runs").is_empty());

    // Cleaned up: the emulator is gone and nothing is left in TMPDIR.
    let port = emulator_port(&stderr);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the emulator on port {port} still answers after the demo"
    );
    let left: Vec<_> = std::fs::read_dir(scratch.0.join("tmp"))
        .expect("tmp")
        .filter_map(|e| e.ok().map(|e| e.file_name()))
        .collect();
    assert!(left.is_empty(), "the demo left {left:?} in TMPDIR");
}

#[test]
fn demo_passes_on_the_scans_exit_2() {
    let scratch = Scratch::new("exit2");
    // A stand-in trailguard that cannot run.
    let fake = scratch.0.join("trailguard");
    std::fs::write(
        &fake,
        "#!/bin/sh\necho 'trailguard: cannot run' >&2\nexit 2\n",
    )
    .expect("fake");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    let out = run_demo(&scratch, &fake, &scratch.0.join("reports"));
    let stderr = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("trailguard exited 2: the scan could not run"),
        "{stderr}"
    );
    let port = emulator_port(&stderr);
    assert!(
        std::net::TcpStream::connect(("127.0.0.1", port)).is_err(),
        "the emulator is stopped on failure too"
    );
}
