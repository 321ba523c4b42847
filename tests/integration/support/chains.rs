//! CloudTrail digest chains in the emulator, for `verify-logs` tests: write them with
//! `tests/emulator/generate_chain.py` and judge them with the real AWS CLI from the venv
//! (`aws cloudtrail validate-logs`). See docs/emulator.md "Digest chains".

use std::process::{Output, Stdio};

use serde_json::Value;

use super::emulator::{Emulator, TempDir, emulator_script, isolated_command, venv_python};

/// Runs `generate_chain.py` against `emulator` for `account` with extra `options`
/// (`--tamper CASE`, `--org`, `--prefix P`, …) and returns its manifest. Panics with the
/// generator's stderr if it fails.
pub fn generate_chain(emulator: &Emulator, account: &str, options: &[&str]) -> Value {
    let scratch = TempDir::new("chain");
    let manifest = scratch.0.join("manifest.json");
    let mut cmd = emulator_script(emulator, "generate_chain.py", &scratch.0);
    cmd.args(["--account", account, "--out"])
        .arg(&manifest)
        .args(options);
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    assert!(
        out.status.success(),
        "generate_chain.py failed ({}): {shown}\n--- stderr ---\n{}\n--- moto log ---\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr),
        emulator.server_log()
    );
    let text = std::fs::read_to_string(&manifest)
        .unwrap_or_else(|e| panic!("generate_chain.py wrote no manifest: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("manifest is not JSON ({e}): {text}"))
}

/// A string field of the manifest (JSON pointer), or a panic naming it.
pub fn manifest_str<'a>(manifest: &'a Value, pointer: &str) -> &'a str {
    manifest
        .pointer(pointer)
        .and_then(Value::as_str)
        .unwrap_or_else(|| panic!("manifest lacks string {pointer}: {manifest:#}"))
}

/// Runs the venv's real AWS CLI (`aws ARGS…`) against `emulator` with the manifest's
/// credentials. `AWS_ENDPOINT_URL` points every client at moto: the CLI's own
/// `--endpoint-url` would reach only the CloudTrail client of `validate-logs`.
pub fn aws_cli(emulator: &Emulator, manifest: &Value, args: &[&str]) -> Output {
    let home = TempDir::new("aws-cli-home");
    let aws = venv_python().with_file_name("aws");
    assert!(
        aws.exists(),
        "{} is missing: the emulator venv lacks awscli (tests/emulator/requirements.txt)",
        aws.display()
    );
    let mut cmd = isolated_command(&aws, &home.0);
    cmd.env("AWS_ENDPOINT_URL", emulator.endpoint())
        .env(
            "AWS_ACCESS_KEY_ID",
            manifest_str(manifest, "/credentials/access_key_id"),
        )
        .env(
            "AWS_SECRET_ACCESS_KEY",
            manifest_str(manifest, "/credentials/secret_access_key"),
        )
        .env("AWS_MAX_ATTEMPTS", "1")
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .args(args)
        .stdin(Stdio::null());
    if let Some(token) = manifest
        .pointer("/credentials/session_token")
        .and_then(Value::as_str)
    {
        cmd.env("AWS_SESSION_TOKEN", token);
    }
    let shown = format!("{cmd:?}");
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"))
}

/// `aws cloudtrail validate-logs` for the manifest's trail and window in `region`.
pub fn validate_logs(
    emulator: &Emulator,
    manifest: &Value,
    region: &str,
    extra: &[&str],
) -> Output {
    let mut args = vec![
        "cloudtrail",
        "validate-logs",
        "--region",
        region,
        "--trail-arn",
        manifest_str(manifest, "/trail_arn"),
        "--start-time",
        manifest_str(manifest, "/window/start"),
        "--end-time",
        manifest_str(manifest, "/window/end"),
    ];
    args.extend_from_slice(extra);
    aws_cli(emulator, manifest, &args)
}
