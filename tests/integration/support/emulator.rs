//! The AWS-emulator harness for integration tests: moto server on 127.0.0.1, seeded
//! through boto3, with the real `trailguard` binary pointed at it.
//!
//! * The Python side lives in `tests/emulator/` (pinned requirements, the patched
//!   `moto_server.py` wrapper, `seed.py` scenarios). The first use provisions
//!   `<repo>/.emulator/venv` from `requirements.txt` through `provision.py` (shared with
//!   `scripts/demo`): a file lock serialises processes doing it at the same time, and a
//!   marker (a copy of the requirements) makes changed pins reinstall.
//! * [`Emulator::shared`] is one server per test process. Tests share it safely by
//!   each seeding a fresh account ([`unique_account_id`]): moto isolates CloudTrail,
//!   KMS, IAM and SNS state per account, and seeded bucket names start with the
//!   account id. Its recorder runs all the time; select a test's own calls with
//!   [`Emulator::recording_mark`] / [`Emulator::recording_since`] and
//!   [`calls_with_key`] (the seeded access key id).
//! * [`Emulator::start_private`] is a dedicated server (killed on drop) for tests
//!   that change global server state: IAM enforcement, recorder start/stop/reset,
//!   the `denied` scenario.
//!
//! Nothing here skips: if Python, pip or moto fail, the calling test panics and says why.
//! Only loopback is ever contacted (apart from pip reaching PyPI while provisioning).

use std::ffi::OsStr;
use std::fs::{self, File};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, ExitStatus, Output, Stdio};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::paths::repo_root;

/// The account moto uses for unknown keys such as `testing` (the `denied` scenario's account).
pub const DEFAULT_ACCOUNT: &str = "123456789012";

/// How long a fresh moto server may take to import and bind (a loaded 2-core CI box is slow).
const START_TIMEOUT: Duration = Duration::from_secs(120);

/// `tests/emulator`: requirements.txt, moto_server.py, seed.py.
pub fn emulator_dir() -> PathBuf {
    repo_root().join("tests").join("emulator")
}

/// `<repo>/.emulator` (git-ignored): the venv and its lock.
pub fn state_dir() -> PathBuf {
    repo_root().join(".emulator")
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn next_id() -> u64 {
    NEXT_ID.fetch_add(1, Ordering::Relaxed)
}

// ---------------------------------------------------------------------------
// Python venv provisioning
// ---------------------------------------------------------------------------

/// The venv's python, provisioning `<repo>/.emulator/venv` on first use.
///
/// `TRAILGUARD_TEST_PYTHON` selects the interpreter used to create the venv
/// (default `python3`).
pub fn venv_python() -> &'static Path {
    static PYTHON: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    match PYTHON.get_or_init(|| once_or_remember_failure(provision_venv)) {
        Ok(path) => path,
        Err(why) => {
            panic!("the emulator venv is unusable (failed earlier in this test process): {why}")
        }
    }
}

/// Runs `f`, turning a panic into its message, so a failed one-time set-up is reported
/// by every test that needs it instead of being retried (slowly) by each of them.
fn once_or_remember_failure<T>(
    f: impl FnOnce() -> T + std::panic::UnwindSafe,
) -> Result<T, String> {
    std::panic::catch_unwind(f).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "unknown panic".into())
    })
}

fn provision_venv() -> PathBuf {
    // tests/emulator/provision.py owns the logic (marker file, lock, pinned install), so the
    // tests and scripts/demo share one venv and decide the same way when to rebuild it.
    let base_python =
        std::env::var_os("TRAILGUARD_TEST_PYTHON").unwrap_or_else(|| "python3".into());
    let mut provision = Command::new(&base_python);
    provision
        .arg(emulator_dir().join("provision.py"))
        .arg("--state-dir")
        .arg(state_dir())
        .env("PYTHONDONTWRITEBYTECODE", "1");
    let out = run_checked(
        &mut provision,
        "provision the emulator venv with tests/emulator/provision.py (is python3 with the venv \
         module installed?)",
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    let python = PathBuf::from(
        stdout
            .lines()
            .last()
            .unwrap_or_else(|| panic!("provision.py printed no venv python: {stdout:?}"))
            .trim(),
    );
    assert!(
        python.exists(),
        "provision.py printed {}, which does not exist",
        python.display()
    );
    python
}

/// Runs `cmd` to completion; panics with the command, its exit status and its output on failure.
fn run_checked(cmd: &mut Command, what: &str) -> Output {
    let shown = format!("{cmd:?}");
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("could not {what}: cannot run {shown}: {e}"));
    if !out.status.success() {
        panic!(
            "could not {what}: {shown} failed with {}\n--- stderr ---\n{}\n--- stdout (tail) ---\n{}",
            out.status,
            tail(&String::from_utf8_lossy(&out.stderr), 8000),
            tail(&String::from_utf8_lossy(&out.stdout), 4000),
        );
    }
    out
}

fn tail(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut start = s.len() - max;
    while !s.is_char_boundary(start) {
        start += 1;
    }
    &s[start..]
}

/// An environment for child processes that cannot see the developer's AWS set-up.
pub fn isolated_command(program: impl AsRef<OsStr>, home: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.env("HOME", home)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.join("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.join("no-aws-credentials"),
        )
        .env("NO_COLOR", "1");
    cmd
}

/// A scratch directory removed on drop.
pub struct TempDir(pub PathBuf);

impl TempDir {
    /// A new empty directory under the system temp dir, unique to this process and call.
    pub fn new(prefix: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!(
            "trailguard-{prefix}-{}-{}",
            std::process::id(),
            next_id()
        ));
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// Runs a Python snippet with the emulator venv (`python -c CODE ARGS...`) in an isolated
/// environment. `envs` are added on top (e.g. the seeded credentials).
pub fn run_python(code: &str, args: &[&str], envs: &[(&str, &str)]) -> Output {
    let home = TempDir::new("py-home");
    let mut cmd = isolated_command(venv_python(), &home.0);
    cmd.arg("-c")
        .arg(code)
        .args(args)
        .env("PYTHONDONTWRITEBYTECODE", "1");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run the emulator venv's python: {e}"))
}

// ---------------------------------------------------------------------------
// The server
// ---------------------------------------------------------------------------

/// A running moto server on 127.0.0.1 (see the module docs).
pub struct Emulator {
    port: u16,
    child: Child,
    /// Held open for the server's lifetime: moto_server.py exits when it reaches EOF.
    stdin: Option<ChildStdin>,
    /// A read handle on the server's stderr file, which is unlinked right after start-up
    /// (so nothing is left behind, even when the test process is killed).
    log: File,
    shared: bool,
}

impl Emulator {
    /// The per-process shared server, started on first use. Its stdin pipe lives in the
    /// static, so the server exits when the test process does.
    pub fn shared() -> &'static Emulator {
        static SHARED: OnceLock<Result<Emulator, String>> = OnceLock::new();
        match SHARED.get_or_init(|| once_or_remember_failure(|| Emulator::spawn(true))) {
            Ok(emulator) => emulator,
            Err(why) => panic!(
                "the shared emulator could not start (failed earlier in this test process): {why}"
            ),
        }
    }

    /// A dedicated server for one test (IAM enforcement, recorder control, `denied`).
    /// Shut down when dropped.
    pub fn start_private() -> Emulator {
        Emulator::spawn(false)
    }

    fn spawn(shared: bool) -> Emulator {
        let python = venv_python();
        let log_path = std::env::temp_dir().join(format!(
            "trailguard-moto-{}-{}.log",
            std::process::id(),
            next_id()
        ));
        let log = File::create(&log_path)
            .unwrap_or_else(|e| panic!("cannot create {}: {e}", log_path.display()));
        let log_reader = File::open(&log_path)
            .unwrap_or_else(|e| panic!("cannot open {}: {e}", log_path.display()));
        let _ = fs::remove_file(&log_path);
        let mut cmd = Command::new(python);
        cmd.arg(emulator_dir().join("moto_server.py"))
            .args(["--port", "0", "--record"])
            .env_remove("MOTO_ACCOUNT_ID")
            .env_remove("MOTO_ENABLE_RECORDING")
            .env_remove("MOTO_RECORDER_FILEPATH")
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .env("PYTHONUNBUFFERED", "1")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(log); // a file, not a pipe: nobody has to drain it
        let mut child = cmd
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start moto server ({cmd:?}): {e}"));
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().expect("piped stdout");

        // Read `PORT=<n>` on a thread so we can time out; then keep draining stdout.
        let (tx, rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            let mut line = String::new();
            let first = match reader.read_line(&mut line) {
                Ok(0) | Err(_) => None,
                Ok(_) => Some(line.trim().to_string()),
            };
            let _ = tx.send(first);
            let _ = std::io::copy(&mut reader, &mut std::io::sink());
        });
        let fail = |child: &mut Child, why: String| -> ! {
            let _ = child.kill();
            let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
            let log = read_whole(&log_reader);
            panic!(
                "moto server did not start: {why} (exit: {status})\n--- moto_server.py stderr ---\n{}",
                tail(&log, 8000)
            );
        };
        let port = match rx.recv_timeout(START_TIMEOUT) {
            Ok(Some(line)) => match line
                .strip_prefix("PORT=")
                .and_then(|p| p.parse::<u16>().ok())
            {
                Some(port) => port,
                None => fail(
                    &mut child,
                    format!("expected `PORT=<n>` on stdout, got {line:?}"),
                ),
            },
            Ok(None) => fail(&mut child, "it exited before printing PORT=".into()),
            Err(_) => fail(
                &mut child,
                format!("no PORT= line within {START_TIMEOUT:?}"),
            ),
        };
        Emulator {
            port,
            child,
            stdin,
            log: log_reader,
            shared,
        }
    }

    /// `http://127.0.0.1:PORT`
    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// The moto server process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn is_shared(&self) -> bool {
        self.shared
    }

    /// What moto_server.py wrote to stderr so far (tracebacks of 500s end up here).
    pub fn server_log(&self) -> String {
        read_whole(&self.log)
    }

    /// Closes the server's stdin and waits for it to exit by itself (killing it after 10 s).
    pub fn shutdown(mut self) -> ExitStatus {
        self.stop()
    }

    fn stop(&mut self) -> ExitStatus {
        drop(self.stdin.take());
        let deadline = Instant::now() + Duration::from_secs(10);
        loop {
            match self.child.try_wait() {
                Ok(Some(status)) => return status,
                Ok(None) if Instant::now() < deadline => {
                    std::thread::sleep(Duration::from_millis(20))
                }
                _ => {
                    let _ = self.child.kill();
                    return self.child.wait().expect("wait for the killed moto server");
                }
            }
        }
    }

    /// A plain HTTP/1.1 request to the server (loopback, `Connection: close`).
    /// Returns the status code and body. Panics on I/O errors.
    pub fn request(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> (u16, Vec<u8>) {
        http_request(self.port, method, path, content_type, body).unwrap_or_else(|e| {
            panic!(
                "{method} {} failed: {e}\n{}",
                path,
                tail(&self.server_log(), 4000)
            )
        })
    }

    fn moto_api(
        &self,
        method: &str,
        path: &str,
        content_type: Option<&str>,
        body: &[u8],
    ) -> Vec<u8> {
        let (status, body) = self.request(method, path, content_type, body);
        assert_eq!(
            status,
            200,
            "{method} {path} answered {status}: {}",
            String::from_utf8_lossy(&body)
        );
        body
    }

    fn assert_private(&self, what: &str) {
        assert!(
            !self.shared,
            "{what} changes global server state; use Emulator::start_private() for this test \
             (the shared server is used by parallel tests)"
        );
    }

    /// Switches IAM enforcement on (private servers only). Seed before calling this:
    /// from now on only real IAM keys (e.g. the `denied` scenario's user) are accepted.
    pub fn enable_iam_enforcement(&self) {
        self.assert_private("enable_iam_enforcement()");
        self.moto_api("POST", "/moto-api/reset-auth", Some("text/plain"), b"0");
    }

    /// Starts the recorder. Servers record from boot; this is for after `stop_recording`.
    pub fn start_recording(&self) {
        self.moto_api("POST", "/moto-api/recorder/start-recording", None, b"");
    }

    /// Stops the recorder (private servers only).
    pub fn stop_recording(&self) {
        self.assert_private("stop_recording()");
        self.moto_api("POST", "/moto-api/recorder/stop-recording", None, b"");
    }

    /// Erases the recording (private servers only).
    pub fn reset_recording(&self) {
        self.assert_private("reset_recording()");
        self.moto_api("POST", "/moto-api/recorder/reset-recording", None, b"");
    }

    fn recording_lines(&self) -> Vec<String> {
        let body = self.moto_api("GET", "/moto-api/recorder/download-recording", None, b"");
        String::from_utf8_lossy(&body)
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(str::to_string)
            .collect()
    }

    /// Every recorded request, classified.
    pub fn recording(&self) -> Vec<RecordedCall> {
        self.recording_since(0)
    }

    /// The current length of the recording; pass it to [`Emulator::recording_since`].
    pub fn recording_mark(&self) -> usize {
        self.recording_lines().len()
    }

    /// The requests recorded after `mark`, classified.
    pub fn recording_since(&self, mark: usize) -> Vec<RecordedCall> {
        self.recording_lines()
            .iter()
            .skip(mark)
            .map(|l| {
                RecordedCall::from_json_line(l)
                    .unwrap_or_else(|e| panic!("unparsable recorder line ({e}): {l}"))
            })
            .collect()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if self.child.try_wait().ok().flatten().is_none() {
            self.stop();
        }
    }
}

/// Reads a whole file through a shared handle without moving its offset.
fn read_whole(file: &File) -> String {
    use std::os::unix::fs::FileExt;
    let len = file.metadata().map(|m| m.len()).unwrap_or(0) as usize;
    let mut buf = vec![0; len];
    let mut done = 0;
    while done < len {
        match file.read_at(&mut buf[done..], done as u64) {
            Ok(0) | Err(_) => break,
            Ok(n) => done += n,
        }
    }
    buf.truncate(done);
    String::from_utf8_lossy(&buf).into_owned()
}

fn http_request(
    port: u16,
    method: &str,
    path: &str,
    content_type: Option<&str>,
    body: &[u8],
) -> std::io::Result<(u16, Vec<u8>)> {
    use std::io::{Error, ErrorKind};
    let mut stream = TcpStream::connect(("127.0.0.1", port))?;
    stream.set_read_timeout(Some(Duration::from_secs(60)))?;
    stream.set_write_timeout(Some(Duration::from_secs(60)))?;
    let mut head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         User-Agent: trailguard-test-harness\r\nContent-Length: {}\r\n",
        body.len()
    );
    if let Some(ct) = content_type {
        head.push_str(&format!("Content-Type: {ct}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    stream.write_all(body)?;
    stream.flush()?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw)?;

    let bad = |why: &str| Error::new(ErrorKind::InvalidData, format!("bad HTTP response: {why}"));
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .ok_or_else(|| bad("no end of headers"))?;
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let mut payload = raw[split + 4..].to_vec();
    let mut lines = head.split("\r\n");
    let status = lines
        .next()
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|s| s.parse::<u16>().ok())
        .ok_or_else(|| bad("no status line"))?;
    let chunked = lines.any(|l| {
        let l = l.to_ascii_lowercase();
        l.starts_with("transfer-encoding:") && l.contains("chunked")
    });
    if chunked {
        payload = dechunk(&payload).ok_or_else(|| bad("broken chunked body"))?;
    }
    Ok((status, payload))
}

fn dechunk(mut data: &[u8]) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    loop {
        let eol = data.windows(2).position(|w| w == b"\r\n")?;
        let size_text = std::str::from_utf8(&data[..eol]).ok()?;
        let size = usize::from_str_radix(size_text.split(';').next()?.trim(), 16).ok()?;
        data = &data[eol + 2..];
        if size == 0 {
            return Some(out);
        }
        out.extend_from_slice(data.get(..size)?);
        data = data.get(size + 2..)?;
    }
}

// ---------------------------------------------------------------------------
// Recorder classification (EMULATOR.md §9)
// ---------------------------------------------------------------------------

/// One recorded HTTP request, classified into an AWS operation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedCall {
    /// The SigV4 signing name from the `Authorization` credential scope (`cloudtrail`,
    /// `s3`, `kms`, `sts`, ...); `moto-api` for the emulator's own API; `unknown` if unsigned.
    pub service: String,
    /// The API operation (`DescribeTrails`, `GetBucketVersioning`, `HeadBucket`, ...).
    /// S3 requests that are not in the table come out as `Unknown:<METHOD>:<query keys>`
    /// and count as writes.
    pub operation: String,
    pub method: String,
    /// `Credential=AKID/...` from the `Authorization` header.
    pub access_key_id: Option<String>,
    /// The signing region from the credential scope.
    pub region: Option<String>,
    pub url: String,
}

impl RecordedCall {
    /// Classifies one JSON line of `/moto-api/recorder/download-recording`.
    pub fn from_json_line(line: &str) -> Result<RecordedCall, String> {
        let v: Value = serde_json::from_str(line).map_err(|e| e.to_string())?;
        Ok(RecordedCall::from_entry(&v))
    }

    pub fn from_entry(entry: &Value) -> RecordedCall {
        let header = |name: &str| -> Option<String> {
            entry
                .get("headers")?
                .as_object()?
                .iter()
                .find_map(|(k, v)| {
                    k.eq_ignore_ascii_case(name)
                        .then(|| v.as_str().unwrap_or_default().to_string())
                })
        };
        let method = entry.get("method").and_then(Value::as_str).unwrap_or("");
        let url = entry.get("url").and_then(Value::as_str).unwrap_or("");
        RecordedCall::classify(method, url, &header, &recorded_body(entry))
    }

    /// Classifies one HTTP request: `url` is a full URL or just its path and query; `header`
    /// looks a header up by name (any case). Shared by the recorder and the fault proxy
    /// (support/faults.rs), so both name calls the same way.
    pub fn classify(
        method: &str,
        url: &str,
        header: &dyn Fn(&str) -> Option<String>,
        body: &[u8],
    ) -> RecordedCall {
        let method = method.to_ascii_uppercase();
        let (path, query) = split_url(url);
        let query = parse_query(query);

        let scope = header("authorization").and_then(|auth| credential_scope(&auth));
        let (access_key_id, region, signing_service) = match scope {
            Some((key, region, service)) => (Some(key), Some(region), Some(service)),
            None => (None, None, None),
        };

        let (service, operation) = if path.starts_with("/moto-api") {
            (
                "moto-api".to_string(),
                path.trim_start_matches("/moto-api")
                    .trim_matches('/')
                    .to_string(),
            )
        } else if let Some(target) = header("x-amz-target") {
            // JSON protocols: `CloudTrail_20131101.DescribeTrails`, `TrentService.CreateKey`.
            let op = target.rsplit('.').next().unwrap_or(&target).to_string();
            (signing_service.unwrap_or_else(|| "unknown".into()), op)
        } else if let Some(op) = query_value(&query, "Action").or_else(|| form_action(body)) {
            // Query protocols (STS, IAM, SNS, EC2).
            (signing_service.unwrap_or_else(|| "unknown".into()), op)
        } else if let Some(op) = cbor_operation(path) {
            (signing_service.unwrap_or_else(|| "unknown".into()), op)
        } else {
            let service = signing_service.unwrap_or_else(|| "s3".into());
            let has_copy_source = header("x-amz-copy-source").is_some();
            (
                service,
                s3_operation(&method, path, &query, has_copy_source),
            )
        };
        RecordedCall {
            service,
            operation,
            method,
            access_key_id,
            region,
            url: url.to_string(),
        }
    }
}

/// Describe/Get/List/Head operations, plus sts:GetCallerIdentity and sts:AssumeRole.
pub fn is_read_only(call: &RecordedCall) -> bool {
    let op = call.operation.as_str();
    ["Describe", "Get", "List", "Head"].iter().any(|p| {
        op.strip_prefix(p)
            .is_some_and(|rest| rest.starts_with(|c: char| c.is_ascii_uppercase()))
    }) || (call.service == "sts" && matches!(op, "GetCallerIdentity" | "AssumeRole"))
}

/// The calls signed with `access_key_id`.
pub fn calls_with_key<'a>(calls: &'a [RecordedCall], access_key_id: &str) -> Vec<&'a RecordedCall> {
    calls
        .iter()
        .filter(|c| c.access_key_id.as_deref() == Some(access_key_id))
        .collect()
}

fn recorded_body(entry: &Value) -> Vec<u8> {
    let text = entry.get("body").and_then(Value::as_str).unwrap_or("");
    if entry
        .get("body_encoded")
        .and_then(Value::as_bool)
        .unwrap_or(false)
    {
        base64_decode(text).unwrap_or_default()
    } else {
        text.as_bytes().to_vec()
    }
}

/// `AWS4-HMAC-SHA256 Credential=AKID/20261121/us-east-1/cloudtrail/aws4_request, ...`
fn credential_scope(auth: &str) -> Option<(String, String, String)> {
    let rest = &auth[auth.find("Credential=")? + "Credential=".len()..];
    let cred = rest.split([',', ' ']).next()?;
    let mut parts = cred.split('/');
    let key = parts.next()?.to_string();
    let _date = parts.next()?;
    let region = parts.next()?.to_string();
    let service = parts.next()?.to_string();
    Some((key, region, service))
}

fn split_url(url: &str) -> (&str, &str) {
    let after_scheme = url.find("://").map(|i| &url[i + 3..]).unwrap_or(url);
    let path_and_query = after_scheme
        .find('/')
        .map(|i| &after_scheme[i..])
        .unwrap_or("/");
    match path_and_query.split_once('?') {
        Some((p, q)) => (p, q),
        None => (path_and_query, ""),
    }
}

fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| match p.split_once('=') {
            Some((k, v)) => (percent_decode(k), percent_decode(v)),
            None => (percent_decode(p), String::new()),
        })
        .collect()
}

fn query_value(query: &[(String, String)], key: &str) -> Option<String> {
    query
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.clone())
        .filter(|v| !v.is_empty())
}

fn form_action(body: &[u8]) -> Option<String> {
    form_value(body, "Action")
}

/// A field of a form-encoded (query protocol) request body, e.g. `RoleArn` of an AssumeRole.
pub fn form_value(body: &[u8], key: &str) -> Option<String> {
    let text = std::str::from_utf8(body).ok()?;
    if text.trim_start().starts_with(['{', '<']) {
        return None;
    }
    query_value(&parse_query(text.trim()), key)
}

/// Smithy RPC v2 CBOR: `/service/<Service>/operation/<Op>`.
fn cbor_operation(path: &str) -> Option<String> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    match parts.as_slice() {
        ["service", _, "operation", op] => Some(op.to_string()),
        _ => None,
    }
}

fn percent_decode(s: &str) -> String {
    fn hex(b: u8) -> Option<u8> {
        (b as char).to_digit(16).map(|d| d as u8)
    }
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let escaped = match (bytes[i], bytes.get(i + 1), bytes.get(i + 2)) {
            (b'%', Some(&h), Some(&l)) => hex(h).zip(hex(l)).map(|(h, l)| h * 16 + l),
            _ => None,
        };
        match (escaped, bytes[i]) {
            (Some(b), _) => {
                out.push(b);
                i += 2;
            }
            (None, b'+') => out.push(b' '),
            (None, b) => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn base64_decode(s: &str) -> Option<Vec<u8>> {
    fn val(c: u8) -> Option<u32> {
        Some(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            _ => return None,
        } as u32)
    }
    let clean: Vec<u8> = s
        .bytes()
        .filter(|c| !c.is_ascii_whitespace() && *c != b'=')
        .collect();
    let mut out = Vec::with_capacity(clean.len() * 3 / 4);
    for chunk in clean.chunks(4) {
        let mut acc = 0u32;
        for (i, &c) in chunk.iter().enumerate() {
            acc |= val(c)? << (18 - 6 * i);
        }
        let bytes = [(acc >> 16) as u8, (acc >> 8) as u8, acc as u8];
        match chunk.len() {
            4 => out.extend_from_slice(&bytes),
            3 => out.extend_from_slice(&bytes[..2]),
            2 => out.extend_from_slice(&bytes[..1]),
            _ => return None,
        }
    }
    Some(out)
}

/// S3 REST: method + path shape + sub-resource query key.
fn s3_operation(method: &str, path: &str, query: &[(String, String)], copy_source: bool) -> String {
    // The Rust SDK names many operations itself: `?x-id=GetObject`.
    if let Some(op) = query_value(query, "x-id") {
        return op;
    }
    let trimmed = path.trim_start_matches('/');
    let (bucket, key) = match trimmed.split_once('/') {
        Some((b, k)) => (b, k),
        None => (trimmed, ""),
    };
    let has = |k: &str| query.iter().any(|(q, _)| q == k);
    let first_match = |table: &[(&str, &str)]| {
        table
            .iter()
            .find(|(k, _)| has(k))
            .map(|(_, op)| op.to_string())
    };
    let unknown = || {
        let keys: Vec<&str> = query.iter().map(|(k, _)| k.as_str()).collect();
        format!("Unknown:{method}:{}", keys.join("&"))
    };

    if bucket.is_empty() {
        return match method {
            "GET" => "ListBuckets".into(),
            _ => unknown(),
        };
    }
    if key.is_empty() {
        // Bucket level.
        match method {
            "HEAD" => "HeadBucket".into(),
            "GET" => first_match(&[
                ("versioning", "GetBucketVersioning"),
                ("location", "GetBucketLocation"),
                ("policyStatus", "GetBucketPolicyStatus"),
                ("policy", "GetBucketPolicy"),
                ("acl", "GetBucketAcl"),
                ("logging", "GetBucketLogging"),
                ("encryption", "GetBucketEncryption"),
                ("publicAccessBlock", "GetPublicAccessBlock"),
                ("object-lock", "GetObjectLockConfiguration"),
                ("ownershipControls", "GetBucketOwnershipControls"),
                ("tagging", "GetBucketTagging"),
                ("lifecycle", "GetBucketLifecycleConfiguration"),
                ("cors", "GetBucketCors"),
                ("website", "GetBucketWebsite"),
                ("notification", "GetBucketNotificationConfiguration"),
                ("replication", "GetBucketReplication"),
                ("accelerate", "GetBucketAccelerateConfiguration"),
                ("requestPayment", "GetBucketRequestPayment"),
                ("versions", "ListObjectVersions"),
                ("uploads", "ListMultipartUploads"),
                ("analytics", "ListBucketAnalyticsConfigurations"),
                ("metrics", "ListBucketMetricsConfigurations"),
                (
                    "intelligent-tiering",
                    "ListBucketIntelligentTieringConfigurations",
                ),
            ])
            .or_else(|| {
                has("inventory").then(|| {
                    if has("id") {
                        "GetBucketInventoryConfiguration".to_string()
                    } else {
                        "ListBucketInventoryConfigurations".to_string()
                    }
                })
            })
            .unwrap_or_else(|| {
                if query_value(query, "list-type").as_deref() == Some("2") {
                    "ListObjectsV2".into()
                } else {
                    "ListObjects".into()
                }
            }),
            "PUT" => {
                if query.is_empty() {
                    "CreateBucket".into()
                } else {
                    first_match(&[
                        ("versioning", "PutBucketVersioning"),
                        ("policy", "PutBucketPolicy"),
                        ("acl", "PutBucketAcl"),
                        ("logging", "PutBucketLogging"),
                        ("encryption", "PutBucketEncryption"),
                        ("publicAccessBlock", "PutPublicAccessBlock"),
                        ("object-lock", "PutObjectLockConfiguration"),
                        ("ownershipControls", "PutBucketOwnershipControls"),
                        ("tagging", "PutBucketTagging"),
                        ("lifecycle", "PutBucketLifecycleConfiguration"),
                        ("cors", "PutBucketCors"),
                        ("website", "PutBucketWebsite"),
                        ("notification", "PutBucketNotificationConfiguration"),
                        ("replication", "PutBucketReplication"),
                        ("accelerate", "PutBucketAccelerateConfiguration"),
                        ("requestPayment", "PutBucketRequestPayment"),
                        ("inventory", "PutBucketInventoryConfiguration"),
                    ])
                    .unwrap_or_else(unknown)
                }
            }
            "DELETE" => {
                if query.is_empty() {
                    "DeleteBucket".into()
                } else {
                    first_match(&[
                        ("policy", "DeleteBucketPolicy"),
                        ("encryption", "DeleteBucketEncryption"),
                        ("publicAccessBlock", "DeletePublicAccessBlock"),
                        ("ownershipControls", "DeleteBucketOwnershipControls"),
                        ("tagging", "DeleteBucketTagging"),
                        ("lifecycle", "DeleteBucketLifecycle"),
                        ("cors", "DeleteBucketCors"),
                        ("website", "DeleteBucketWebsite"),
                        ("replication", "DeleteBucketReplication"),
                        ("inventory", "DeleteBucketInventoryConfiguration"),
                    ])
                    .unwrap_or_else(unknown)
                }
            }
            "POST" => first_match(&[("delete", "DeleteObjects")]).unwrap_or_else(unknown),
            _ => unknown(),
        }
    } else {
        // Object level.
        match method {
            "HEAD" => "HeadObject".into(),
            "GET" => first_match(&[
                ("acl", "GetObjectAcl"),
                ("tagging", "GetObjectTagging"),
                ("retention", "GetObjectRetention"),
                ("legal-hold", "GetObjectLegalHold"),
                ("attributes", "GetObjectAttributes"),
                ("uploadId", "ListParts"),
            ])
            .unwrap_or_else(|| "GetObject".into()),
            "PUT" => first_match(&[
                ("acl", "PutObjectAcl"),
                ("tagging", "PutObjectTagging"),
                ("retention", "PutObjectRetention"),
                ("legal-hold", "PutObjectLegalHold"),
            ])
            .unwrap_or_else(|| {
                if has("uploadId") {
                    if copy_source {
                        "UploadPartCopy".into()
                    } else {
                        "UploadPart".into()
                    }
                } else if copy_source {
                    "CopyObject".into()
                } else {
                    "PutObject".into()
                }
            }),
            "DELETE" => first_match(&[
                ("tagging", "DeleteObjectTagging"),
                ("uploadId", "AbortMultipartUpload"),
            ])
            .unwrap_or_else(|| "DeleteObject".into()),
            "POST" => first_match(&[
                ("uploads", "CreateMultipartUpload"),
                ("uploadId", "CompleteMultipartUpload"),
                ("restore", "RestoreObject"),
            ])
            .unwrap_or_else(unknown),
            _ => unknown(),
        }
    }
}

// ---------------------------------------------------------------------------
// Accounts, seeding, running trailguard
// ---------------------------------------------------------------------------

/// A 12-digit account id unique across parallel tests and parallel test processes:
/// `7` + the process id (7 digits) + a per-process counter (4 digits).
pub fn unique_account_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    assert!(
        n < 10_000,
        "unique_account_id(): more than 10000 accounts in one test process"
    );
    let pid = u64::from(std::process::id()) % 10_000_000;
    format!("7{pid:07}{n:04}")
}

/// Credentials for a seeded account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    pub access_key_id: String,
    pub secret_access_key: String,
    /// `None` for IAM user keys (the `denied` scenario).
    pub session_token: Option<String>,
}

/// What `seed.py` printed: the account, credentials to use in it, and the facts tests assert on.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub account_id: String,
    pub credentials: Credentials,
    pub facts: Value,
}

impl Seeded {
    /// The seeded credentials as AWS_* environment variables (for `run_python` and the like).
    pub fn aws_env(&self) -> Vec<(&'static str, String)> {
        let mut env = vec![
            ("AWS_ACCESS_KEY_ID", self.credentials.access_key_id.clone()),
            (
                "AWS_SECRET_ACCESS_KEY",
                self.credentials.secret_access_key.clone(),
            ),
        ];
        if let Some(token) = &self.credentials.session_token {
            env.push(("AWS_SESSION_TOKEN", token.clone()));
        }
        env
    }
}

/// `tests/emulator/SCRIPT --endpoint URL` run by the venv's Python in `dir` (no stdin, no
/// bytecode files): how the tests run the harness's Python tools against `emulator`.
pub fn emulator_script(emulator: &Emulator, script: &str, dir: &Path) -> Command {
    let mut cmd = isolated_command(venv_python(), dir);
    cmd.arg(emulator_dir().join(script))
        .args(["--endpoint", &emulator.endpoint()])
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::null());
    cmd
}

/// Seeds `scenario` (`collector`, `empty`, `denied`) into `account` on `emulator` by running
/// `tests/emulator/seed.py`. Panics with seed.py's stderr if anything fails.
///
/// `denied` uses moto's default account ([`DEFAULT_ACCOUNT`]) and needs a private server.
pub fn seed(emulator: &Emulator, scenario: &str, account: &str) -> Seeded {
    if scenario == "denied" {
        emulator.assert_private("the `denied` scenario");
    }
    let home = TempDir::new("seed-home");
    let mut cmd = emulator_script(emulator, "seed.py", &home.0);
    cmd.args(["--scenario", scenario, "--account", account]);
    let shown = format!("{cmd:?}");
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {shown}: {e}"));
    if !out.status.success() {
        panic!(
            "seeding scenario {scenario:?} in account {account} failed ({})\n--- seed.py stderr ---\n{}\n\
             --- moto server log (tail) ---\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr),
            tail(&emulator.server_log(), 4000),
        );
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let v: Value = serde_json::from_str(stdout.trim())
        .unwrap_or_else(|e| panic!("seed.py printed no valid JSON ({e}): {stdout}"));
    let s = |v: &Value, what: &str| -> String {
        v.as_str()
            .unwrap_or_else(|| panic!("seed.py output lacks {what}: {stdout}"))
            .to_string()
    };
    let creds = &v["credentials"];
    Seeded {
        account_id: s(&v["account_id"], "account_id"),
        credentials: Credentials {
            access_key_id: s(&creds["access_key_id"], "credentials.access_key_id"),
            secret_access_key: s(&creds["secret_access_key"], "credentials.secret_access_key"),
            session_token: creds["session_token"].as_str().map(str::to_string),
        },
        facts: v["facts"].clone(),
    }
}

/// Runs the real `trailguard` binary against `emulator` as the seeded account, in a clean
/// environment (no inherited AWS settings, HOME in a scratch dir).
pub fn trailguard<I, S>(emulator: &Emulator, seeded: &Seeded, args: I) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    trailguard_with_env(emulator, seeded, args, &[])
}

/// [`trailguard`] with extra environment variables (applied last, so they override).
pub fn trailguard_with_env<I, S>(
    emulator: &Emulator,
    seeded: &Seeded,
    args: I,
    envs: &[(&str, &str)],
) -> Output
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let home = TempDir::new("home");
    let mut cmd = isolated_command(env!("CARGO_BIN_EXE_trailguard"), &home.0);
    cmd.env("AWS_ENDPOINT_URL", emulator.endpoint())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "2");
    for (k, v) in seeded.aws_env() {
        cmd.env(k, v);
    }
    for (k, v) in envs {
        cmd.env(k, v);
    }
    cmd.args(args).stdin(Stdio::null());
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", env!("CARGO_BIN_EXE_trailguard")))
}
