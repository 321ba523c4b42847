//! Profiles and credentials, offline: a profile that does not exist, a failing
//! `credential_process`, and which credentials win (`--profile` over the environment, the
//! environment over `AWS_PROFILE`, as in the AWS CLI). Everything fails or is observed before
//! any real AWS call: the endpoint is a loopback port (closed, or a listener in this test that
//! records the signing key and refuses), instance metadata is off, and HOME, the config and the
//! credentials files live in a temporary folder.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::support::cli::{closed_endpoint, stderr};

const ENV_KEY: &str = "AKIAENVIRONMENT0001";
const PROFILE_KEY: &str = "AKIAPROFILEAUDIT001";

/// A temporary folder with a config file (and a credentials file when given).
struct Setup {
    dir: PathBuf,
}

impl Setup {
    fn new(name: &str, config: &str, credentials: Option<&str>) -> Setup {
        let dir = std::env::temp_dir().join(format!(
            "trailguard-credentials-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("home")).expect("temp dir");
        std::fs::write(dir.join("config"), config).expect("config");
        if let Some(text) = credentials {
            std::fs::write(dir.join("credentials"), text).expect("credentials");
        }
        Setup { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.join(name).display().to_string()
    }

    /// `trailguard collect` against `endpoint`, with only the given extra environment.
    fn collect(&self, endpoint: &str, env: &[(&str, &str)], args: &[&str]) -> Output {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_trailguard"));
        cmd.env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        cmd.env("HOME", self.dir.join("home"))
            .env("AWS_CONFIG_FILE", self.dir.join("config"))
            .env("AWS_SHARED_CREDENTIALS_FILE", self.dir.join("credentials"))
            .env("AWS_EC2_METADATA_DISABLED", "true")
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ENDPOINT_URL", endpoint)
            .env("NO_COLOR", "1")
            .envs(env.iter().copied())
            .args(["collect", "--timeout", "5s", "-o"])
            .arg(self.dir.join("inventory.json"))
            .args(args);
        match cmd.output() {
            Ok(o) => o,
            Err(e) => panic!("cannot run trailguard: {e}"),
        }
    }
}

impl Drop for Setup {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const ENV_CREDENTIALS: [(&str, &str); 2] = [
    ("AWS_ACCESS_KEY_ID", ENV_KEY),
    ("AWS_SECRET_ACCESS_KEY", "environment-secret"),
];

fn profiles() -> String {
    format!(
        "[profile audit]\naws_access_key_id = {PROFILE_KEY}\naws_secret_access_key = profile-secret\n\
         [profile regional]\nregion = eu-west-1\n"
    )
}

#[test]
fn a_profile_that_does_not_exist_is_exit_2_even_with_environment_credentials() {
    let setup = Setup::new("missing", &profiles(), None);
    let endpoint = closed_endpoint();
    let o = setup.collect(&endpoint, &ENV_CREDENTIALS, &["--profile", "audti"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let want = format!(
        "error: profile `audti` (named by --profile) not found in {}, {} (no such file); did you mean `audit`?",
        setup.path("config"),
        setup.path("credentials")
    );
    assert!(stderr(&o).contains(&want), "{}", stderr(&o));
    assert!(!setup.dir.join("inventory.json").exists());

    let o = setup.collect(
        &endpoint,
        &[
            ENV_CREDENTIALS[0],
            ENV_CREDENTIALS[1],
            ("AWS_PROFILE", "nosuch"),
        ],
        &[],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("profile `nosuch` (named by AWS_PROFILE) not found in"),
        "{}",
        stderr(&o)
    );
    assert!(
        stderr(&o).contains("; profiles there: audit, regional"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_default_files_are_named_under_home_when_not_overridden() {
    let setup = Setup::new("home", "", None);
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_trailguard"));
    cmd.env_clear()
        .env("HOME", setup.dir.join("home"))
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_ENDPOINT_URL", closed_endpoint())
        .env("AWS_PROFILE", "ci")
        .args(["collect", "-o"])
        .arg(setup.dir.join("inventory.json"));
    let o = cmd.output().expect("runs");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let home = setup.dir.join("home");
    let want = format!(
        "profile `ci` (named by AWS_PROFILE) not found in {h}/.aws/config (no such file), {h}/.aws/credentials (no such file)",
        h = home.display()
    );
    assert!(stderr(&o).contains(&want), "{}", stderr(&o));
}

#[test]
fn a_failing_credential_process_is_reported_as_such_and_run_once() {
    let setup = Setup::new("process", "", None);
    let runs = setup.path("runs");
    let config = format!(
        "[profile sso]\ncredential_process = sh -c 'echo run >> {runs}; echo \"token expired: run sso login\" >&2; echo detail >&2; exit 3'\n\
         [profile chained]\nrole_arn = arn:aws:iam::111111111111:role/Audit\nsource_profile = sso\n"
    );
    std::fs::write(setup.dir.join("config"), config).expect("config");
    let endpoint = closed_endpoint();
    let o = setup.collect(&endpoint, &[], &["--profile", "sso"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(
        stderr(&o).trim_end(),
        "error: credential_process for profile `sso` failed (exit status 3): token expired: run sso login"
    );
    let count = std::fs::read_to_string(&runs).unwrap_or_default();
    assert_eq!(count.lines().count(), 1, "the process runs once");

    // An organization scan asks for credentials three times at once: still one run.
    let _ = std::fs::remove_file(&runs);
    let o = setup.collect(&endpoint, &[], &["--profile", "sso", "--org"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("credential_process for profile `sso` failed"),
        "{}",
        stderr(&o)
    );
    let count = std::fs::read_to_string(&runs).unwrap_or_default();
    assert_eq!(
        count.lines().count(),
        1,
        "the process runs once in an --org scan"
    );

    // Through AWS_PROFILE and a source_profile chain, the profile named is the one whose
    // credential_process failed.
    let o = setup.collect(&endpoint, &[("AWS_PROFILE", "chained")], &[]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("credential_process for profile `sso` failed (exit status 3)"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn a_named_profile_without_credentials_says_so() {
    let setup = Setup::new("empty", &profiles(), None);
    let o = setup.collect(
        &closed_endpoint(),
        &ENV_CREDENTIALS,
        &["--profile", "regional"],
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("--profile regional: the profile defines no credentials"),
        "{}",
        stderr(&o)
    );
}

/// A loopback listener that records the access key id each request is signed with and
/// answers 403, for at most `deadline`.
fn signing_keys(deadline: Duration) -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("listener");
    let endpoint = format!("http://{}", listener.local_addr().expect("addr"));
    listener.set_nonblocking(true).expect("nonblocking");
    let keys = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&keys);
    std::thread::spawn(move || {
        let start = Instant::now();
        while start.elapsed() < deadline {
            match listener.accept() {
                Ok((stream, _)) => {
                    let _ = stream.set_nonblocking(false);
                    let _ = stream.set_read_timeout(Some(Duration::from_secs(5)));
                    let mut reader = BufReader::new(&stream);
                    let mut line = String::new();
                    while reader.read_line(&mut line).is_ok_and(|n| n > 2) {
                        if let Some(at) = line.find("Credential=") {
                            let key = line[at + 11..].split('/').next().unwrap_or_default();
                            seen.lock().expect("lock").push(key.to_owned());
                        }
                        line.clear();
                    }
                    let _ = (&stream).write_all(
                        b"HTTP/1.1 403 Forbidden\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                    );
                }
                Err(_) => std::thread::sleep(Duration::from_millis(20)),
            }
        }
    });
    (endpoint, keys)
}

fn key_used(setup: &Setup, env: &[(&str, &str)], args: &[&str]) -> String {
    let (endpoint, keys) = signing_keys(Duration::from_secs(30));
    let o = setup.collect(&endpoint, env, args);
    assert_eq!(o.status.code(), Some(2), "refused: {}", stderr(&o));
    let keys = keys.lock().expect("lock").clone();
    match keys.first() {
        Some(key) => key.clone(),
        None => panic!("no signed request reached the listener: {}", stderr(&o)),
    }
}

#[test]
fn profile_flag_wins_over_environment_credentials_and_aws_profile_does_not() {
    let setup = Setup::new("precedence", &profiles(), None);
    assert_eq!(
        key_used(&setup, &ENV_CREDENTIALS, &["--profile", "audit"]),
        PROFILE_KEY
    );
    let with_env_profile = [
        ENV_CREDENTIALS[0],
        ENV_CREDENTIALS[1],
        ("AWS_PROFILE", "audit"),
    ];
    assert_eq!(key_used(&setup, &with_env_profile, &[]), ENV_KEY);
    assert_eq!(
        key_used(&setup, &[("AWS_PROFILE", "audit")], &[]),
        PROFILE_KEY
    );
}

#[test]
fn credential_files_may_define_the_profile() {
    let credentials =
        format!("[ops]\naws_access_key_id = {PROFILE_KEY}\naws_secret_access_key = s\n");
    let setup = Setup::new("credfile", "", Some(&credentials));
    assert_eq!(
        key_used(&setup, &ENV_CREDENTIALS, &["--profile", "ops"]),
        PROFILE_KEY
    );
}
