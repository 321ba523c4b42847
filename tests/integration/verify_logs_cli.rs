//! `trailguard verify-logs` from the command line to the exit status, offline: its help, the
//! time and trail flags (exit 2 with one line naming the flag, before any AWS call), and a run
//! that cannot reach AWS (exit 2, one line, no report). Every run is isolated: no credentials,
//! no AWS files, instance metadata off, and the endpoint a loopback port nothing listens on.
//! Verification itself is tested against the emulator in `verify_logs_emulator`.

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::support::cli::{closed_endpoint, code, stderr, stdout};

/// The hidden clock every run here uses, so "the future" does not depend on today.
const NOW: &str = "2026-03-10T12:30:00Z";

/// A temporary folder for one test: HOME, and where reports would go.
struct Sandbox {
    dir: PathBuf,
}

impl Sandbox {
    fn new(name: &str) -> Sandbox {
        let dir = std::env::temp_dir().join(format!(
            "trailguard-verify-cli-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("home")).expect("temp dir");
        Sandbox { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// `trailguard verify-logs --now NOW ARGS…` with an empty environment but for PATH.
    fn run(&self, args: &[&str]) -> Output {
        self.run_at(Some(NOW), args)
    }

    /// `trailguard verify-logs [--now NOW] ARGS…` with an empty environment but for PATH.
    fn run_at(&self, now: Option<&str>, args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_trailguard"));
        cmd.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        cmd.env("HOME", self.dir.join("home"))
            .env("AWS_CONFIG_FILE", self.dir.join("no-config"))
            .env(
                "AWS_SHARED_CREDENTIALS_FILE",
                self.dir.join("no-credentials"),
            )
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", closed_endpoint())
            .env("NO_COLOR", "1")
            .env("COLUMNS", "100")
            .current_dir(&self.dir)
            .args(["verify-logs", "--timeout", "5s"])
            .args(now.iter().flat_map(|t| ["--now", t]))
            .args(args);
        match cmd.output() {
            Ok(o) => o,
            Err(e) => panic!("cannot run trailguard: {e}"),
        }
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Exit 2 with exactly one stderr line, `error: ` then `want`, and nothing on stdout.
fn assert_one_line_exit_2(o: &Output, want: &str) {
    assert_eq!(code(o), 2, "{}{}", stdout(o), stderr(o));
    assert_eq!(stdout(o), "", "nothing on stdout");
    let err = stderr(o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert_eq!(err.trim_end(), format!("error: {want}"));
}

#[test]
fn help_lists_every_flag_the_exit_statuses_and_the_permissions() {
    let sandbox = Sandbox::new("help");
    let o = sandbox.run(&["--help"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let help = stdout(&o);
    for flag in [
        "--trail <ARN|NAME>",
        "--start-time <TIME>",
        "--end-time <TIME>",
        "--output <FORMAT[=PATH]>",
        "--fail-on-gaps",
        "--list-all",
        "--profile <PROFILE>",
        "--region <REGION>",
        "--org",
        "--role-name <ROLE_NAME>",
        "--concurrency <CONCURRENCY>",
        "--timeout <TIMEOUT>",
        "--verbose",
    ] {
        assert!(help.contains(flag), "{flag} in:\n{help}");
    }
    for text in [
        "Exit status: 0",
        "; 2 could not run",
        "s3:GetObject",
        "cloudtrail:ListPublicKeys",
        "cloudtrail:GetTrailStatus",
        "kms:Decrypt",
        "Source region whose digest chains to verify",
    ] {
        assert!(help.contains(text), "{text} in:\n{help}");
    }
    assert!(!help.contains("--now"), "the test clock stays hidden");
    let top = sandbox.run(&["--help"]);
    assert!(stdout(&top).contains("verify-logs"));
}

#[test]
fn a_time_that_is_not_one_is_exit_2_naming_the_flag_and_the_value() {
    let sandbox = Sandbox::new("bad-times");
    let forms = "use RFC 3339 (2026-03-01T04:00:00Z), a date (2026-03-01, midnight UTC) or an age before now (90m, 24h, 7d, 2w)";
    for (flag, value) in [
        ("--start-time", "soon"),
        ("--start-time", "5y"),
        ("--end-time", "2026-02-30"),
        ("--end-time", "1h30m"),
    ] {
        let o = sandbox.run(&[flag, value]);
        assert_one_line_exit_2(&o, &format!("{flag} `{value}` is not a time: {forms}"));
    }
}

#[test]
fn a_time_in_the_future_is_exit_2() {
    let sandbox = Sandbox::new("future");
    let o = sandbox.run(&["--end-time", "2026-03-10T12:31:00Z"]);
    assert_one_line_exit_2(
        &o,
        "--end-time `2026-03-10T12:31:00Z` is in the future (now is 2026-03-10T12:30:00Z)",
    );
    let o = sandbox.run(&["--start-time", "2026-03-11"]);
    assert_one_line_exit_2(
        &o,
        "--start-time `2026-03-11` is in the future (now is 2026-03-10T12:30:00Z)",
    );
}

#[test]
fn a_start_after_the_end_is_exit_2() {
    let sandbox = Sandbox::new("range");
    let o = sandbox.run(&["--start-time", "2026-03-05", "--end-time", "7d"]);
    assert_one_line_exit_2(
        &o,
        "--start-time 2026-03-05T00:00:00Z is not before --end-time 2026-03-03T12:30:00Z",
    );
}

#[test]
fn a_bad_trail_or_clock_is_exit_2_naming_the_flag() {
    let sandbox = Sandbox::new("trail");
    let o = sandbox.run(&["--trail", "arn:aws:cloudtrail:us-east-1:1:trail/x"]);
    assert_one_line_exit_2(
        &o,
        "--trail `arn:aws:cloudtrail:us-east-1:1:trail/x` is neither a trail ARN (arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME) nor a trail name",
    );
    let o = sandbox.run_at(Some("later"), &[]);
    assert_one_line_exit_2(&o, "--now `later` is not an RFC 3339 timestamp");
}

#[test]
fn two_reports_on_stdout_is_exit_2() {
    let sandbox = Sandbox::new("outputs");
    let o = sandbox.run(&["--output", "json", "--output", "text"]);
    assert_one_line_exit_2(
        &o,
        "--output: 2 formats on stdout (json, text); give all but one a file with FORMAT=PATH",
    );
}

/// Nothing to reach and no credentials: the run cannot start, says so in one line, and writes
/// no report (no file appears, nothing on stdout).
#[test]
fn without_credentials_it_is_exit_2_in_one_line_and_writes_no_report() {
    let sandbox = Sandbox::new("no-credentials");
    let report = sandbox.path("verify.json");
    let o = sandbox.run(&["--start-time", "24h", "--output", &format!("json={report}")]);
    assert_eq!(code(&o), 2, "{}{}", stdout(&o), stderr(&o));
    assert_eq!(stdout(&o), "");
    let err = stderr(&o);
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert!(err.starts_with("error: "), "{err}");
    assert!(err.contains("no AWS credentials"), "{err}");
    assert!(!std::path::Path::new(&report).exists(), "no report written");
}
