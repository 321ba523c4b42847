//! Running the built binary offline, from the repository root, without colour.

use std::net::TcpListener;
use std::process::{Command, Output};

/// `trailguard ARGS…`, run to completion.
pub fn run(args: &[&str]) -> Output {
    run_with_env(args, &[])
}

/// `trailguard ARGS…` with `envs` added to the environment, run to completion.
pub fn run_with_env(args: &[&str], envs: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trailguard"));
    // The test's own `TRAILGUARD_*` variables would change flags (and the help's `[env: …]`).
    for (name, _) in std::env::vars_os() {
        if name.to_string_lossy().starts_with("TRAILGUARD_") {
            cmd.env_remove(name);
        }
    }
    let out = cmd
        .args(args)
        .env("NO_COLOR", "1")
        .envs(envs.iter().copied())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    match out {
        Ok(o) => o,
        Err(e) => panic!("cannot run trailguard: {e}"),
    }
}

/// Standard output, as text.
pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Standard error, as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The exit code, or -1 when killed by a signal.
pub fn code(o: &Output) -> i32 {
    o.status.code().unwrap_or(-1)
}

/// The whole visible result of a run — exit code, stdout, stderr — as one text for a snapshot,
/// with every `(from, to)` of `masks` replaced first (temporary paths). The closing `--- end`
/// keeps the last stream's final newline inside what insta compares.
pub fn transcript(o: &Output, masks: &[(&str, &str)]) -> String {
    let mut text = format!(
        "exit {}\n--- stdout\n{}--- stderr\n{}--- end\n",
        code(o),
        stdout(o),
        stderr(o)
    );
    for (from, to) in masks {
        text = text.replace(from, to);
    }
    text
}

/// A loopback endpoint nothing listens on (the port is free when asked): a call to it fails at
/// once, and never leaves the machine.
pub fn closed_endpoint() -> String {
    let port = TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port");
    format!("http://127.0.0.1:{port}")
}
