//! CloudTrail digest chains in the emulator, for `verify-logs` tests: write them with
//! `tests/emulator/generate_chain.py` and judge them with the real AWS CLI from the venv
//! (`aws cloudtrail validate-logs`). See docs/emulator.md "Digest chains".

use std::process::{Output, Stdio};

use std::sync::OnceLock;

use serde_json::Value;

use super::emulator::{
    Credentials, Emulator, Seeded, TempDir, emulator_dir, emulator_script, isolated_command,
    venv_python,
};

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

/// tests/emulator/validate_logs_expected.json: what the real AWS CLI printed for every case.
pub fn expectations() -> &'static Value {
    static EXPECTED: OnceLock<Value> = OnceLock::new();
    EXPECTED.get_or_init(|| {
        let path = emulator_dir().join("validate_logs_expected.json");
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
        serde_json::from_str(&text)
            .unwrap_or_else(|e| panic!("{} is not JSON: {e}", path.display()))
    })
}

/// A list of strings, or a panic naming `what`.
pub fn strings(v: &Value, what: &str) -> Vec<String> {
    v.as_array()
        .unwrap_or_else(|| panic!("{what} is not a list: {v}"))
        .iter()
        .map(|s| {
            s.as_str()
                .unwrap_or_else(|| panic!("{what} holds a non-string: {s}"))
                .to_string()
        })
        .collect()
}

/// The recorded line with the manifest's objects put in for the placeholders.
pub fn filled(line: &str, manifest: &Value) -> String {
    let mut out = line.to_string();
    for tampered in manifest["tampered"].as_array().into_iter().flatten() {
        for (role, value) in tampered["targets"].as_object().into_iter().flatten() {
            let value = value
                .as_str()
                .unwrap_or_else(|| panic!("target {role}: {value}"));
            out = out.replace(&format!("{{{role}}}"), value);
        }
    }
    let organization = manifest["organization_id"].as_str().unwrap_or_default();
    out.replace("{trail_arn}", manifest_str(manifest, "/trail_arn"))
        .replace("{bucket}", manifest_str(manifest, "/bucket"))
        .replace("{organization_id}", organization)
        .replace("{account}", manifest_str(manifest, "/log_account_id"))
}

/// The non-blank lines of an output.
pub fn lines(bytes: &[u8]) -> Vec<String> {
    String::from_utf8_lossy(bytes)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(str::to_string)
        .collect()
}

/// The chain's account as a seeded one: its credentials (from the manifest) for running
/// trailguard against it.
pub fn chain_account(manifest: &Value) -> Seeded {
    Seeded {
        account_id: manifest_str(manifest, "/account_id").to_owned(),
        credentials: Credentials {
            access_key_id: manifest_str(manifest, "/credentials/access_key_id").to_owned(),
            secret_access_key: manifest_str(manifest, "/credentials/secret_access_key").to_owned(),
            session_token: manifest
                .pointer("/credentials/session_token")
                .and_then(Value::as_str)
                .map(str::to_owned),
        },
        facts: Value::Null,
    }
}
