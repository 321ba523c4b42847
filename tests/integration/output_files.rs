//! Safe file output end to end (src/files/write.rs): the real binary writing reports, drift and
//! inventories over regular files, symbolic links, device nodes, FIFOs and `/dev/stdout`, under
//! write failures (a file-size limit, a full tmpfs) and signals; and stdout write errors.
//!
//! Every target lives in a scratch directory: a broken implementation can only damage entries
//! there, never the machine's own `/dev`. What cannot be set up (no `mknod`, no `prlimit`, no
//! `unshare`) panics with the reason; nothing is skipped.

use std::fs::{self, File, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt, symlink};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use crate::support::cli::{code, run, stderr, stdout};
use crate::support::{Emulator, Seeded, seed, unique_account_id};

const BIN: &str = env!("CARGO_BIN_EXE_trailguard");
const DEMO: &str = "examples/demo-inventory.json";
/// The demo's JSON report is about 240 kB: far over this limit.
const SMALL_FILE_LIMIT: u64 = 4096;

/// A scratch directory, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        static N: AtomicU64 = AtomicU64::new(0);
        let dir = std::env::temp_dir().join(format!(
            "trailguard-output-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// Every entry, sorted: proves no temporary (or anything else) was left behind.
    fn names(&self) -> Vec<String> {
        let mut names: Vec<String> = fs::read_dir(&self.0)
            .expect("read scratch dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// `-q check --inventory DEMO --output OUTPUT…` (exit 1: the demo is non-compliant).
fn check_args(outputs: &[String]) -> Vec<String> {
    let mut args: Vec<String> = ["-q", "check", "--inventory", DEMO]
        .map(String::from)
        .to_vec();
    for o in outputs {
        args.extend(["--output".to_owned(), o.clone()]);
    }
    args
}

fn output_flag(format: &str, path: &Path) -> String {
    format!("{format}={}", path.display())
}

fn run_strings(args: &[String]) -> Output {
    run(&args.iter().map(String::as_str).collect::<Vec<_>>())
}

fn trailguard_cmd() -> Command {
    let mut cmd = Command::new(BIN);
    cmd.env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    cmd
}

fn assert_json_report(bytes: &[u8], what: &str) {
    let report: serde_json::Value = serde_json::from_slice(bytes)
        .unwrap_or_else(|e| panic!("{what} is not a complete JSON report: {e}"));
    assert_eq!(report["schema"], "trailguard.report/v1", "{what}");
}

/// A command run with `RLIMIT_FSIZE` = `bytes` and SIGXFSZ ignored, so a write past the limit
/// fails with EFBIG (`File too large`) as a full disk would fail with ENOSPC — without touching
/// the machine's state.
fn with_file_size_limit(bytes: u64, program: &str) -> Command {
    assert!(
        Path::new("/usr/bin/prlimit").exists() || Path::new("/bin/prlimit").exists(),
        "these tests need prlimit (util-linux) to simulate a failed write"
    );
    let mut cmd = Command::new("sh");
    cmd.args([
        "-c",
        r#"trap "" XFSZ; exec prlimit --fsize="$0" "$@""#,
        &bytes.to_string(),
        program,
    ]);
    cmd
}

fn output_of(cmd: &mut Command) -> Output {
    cmd.output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"))
}

// ---------------------------------------------------------------------------
// Regular files
// ---------------------------------------------------------------------------

#[test]
fn a_regular_file_is_replaced_and_a_failed_write_keeps_it_byte_for_byte() {
    let dir = Scratch::new("efbig");
    let report = dir.path("report.json");
    let first = run_strings(&check_args(&[output_flag("json", &report)]));
    assert_eq!(code(&first), 1, "{}", stderr(&first));
    let previous = fs::read(&report).expect("the first report was written");
    assert_json_report(&previous, "the first report");
    fs::set_permissions(&report, fs::Permissions::from_mode(0o640)).expect("chmod");

    let mut cmd = with_file_size_limit(SMALL_FILE_LIMIT, BIN);
    cmd.args(check_args(&[
        "text".to_owned(),
        output_flag("json", &report),
    ]))
    .env("NO_COLOR", "1")
    .current_dir(env!("CARGO_MANIFEST_DIR"));
    let out = output_of(&mut cmd);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains(&format!(
            "cannot write the json report to {}: File too large",
            report.display()
        )),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "one line: {err}");
    assert_eq!(fs::read(&report).expect("still there"), previous);
    assert_eq!(dir.names(), ["report.json"], "no temporary left");

    // And a later successful run replaces it, keeping its mode.
    let again = run_strings(&check_args(&[output_flag("json", &report)]));
    assert_eq!(code(&again), 1, "{}", stderr(&again));
    let meta = fs::metadata(&report).expect("report");
    assert_eq!(meta.mode() & 0o777, 0o640);
    assert_json_report(&fs::read(&report).expect("report"), "the new report");
}

#[test]
fn a_full_disk_keeps_the_previous_report() {
    // A real ENOSPC: a 128 kB tmpfs mounted in a private mount namespace (it disappears with
    // the namespace; the machine's mounts are untouched).
    let dir = Scratch::new("enospc");
    let mountpoint = dir.path("tiny");
    fs::create_dir(&mountpoint).expect("mountpoint");
    let is_root = fs::metadata("/proc/self").is_ok_and(|m| m.uid() == 0);
    let mut cmd = Command::new("unshare");
    if !is_root {
        cmd.args(["--user", "--map-root-user"]);
    }
    let script = r#"
        set -e
        mount -t tmpfs -o size=128k tmpfs "$DIR"
        printf 'previous report' > "$DIR/report.json"
        set +e
        "$BIN" -q check --inventory examples/demo-inventory.json --output json="$DIR/report.json"
        echo "exit=$?"
        echo "content=$(cat "$DIR/report.json")"
        echo "entries=$(ls -A "$DIR" | tr '\n' ' ')"
    "#;
    cmd.args(["--mount", "sh", "-c", script])
        .env("DIR", &mountpoint)
        .env("BIN", BIN)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"));
    let out = output_of(&mut cmd);
    let (said, err) = (stdout(&out), stderr(&out));
    assert!(
        said.contains("exit="),
        "cannot set up a tmpfs in a private mount namespace (unshare --mount; needs root or \
         user namespaces): {err}"
    );
    assert!(said.contains("exit=2\n"), "{said}\n{err}");
    assert!(
        err.contains(&format!(
            "cannot write the json report to {}/report.json: No space left on device",
            mountpoint.display()
        )),
        "{err}"
    );
    assert!(said.contains("content=previous report\n"), "{said}");
    assert!(said.contains("entries=report.json \n"), "{said}");
}

#[test]
fn a_set_of_outputs_is_committed_together() {
    // The second output fails (a directory): the first file is not replaced either.
    let dir = Scratch::new("set");
    let (json, taken) = (dir.path("r.json"), dir.path("taken"));
    fs::write(&json, "previous").expect("write");
    fs::create_dir(&taken).expect("dir");
    let out = run_strings(&check_args(&[
        output_flag("json", &json),
        output_flag("sarif", &taken),
    ]));
    assert_eq!(code(&out), 2);
    assert!(
        stderr(&out).contains(&format!(
            "cannot write the sarif report to {}: is a directory",
            taken.display()
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&json).expect("json"), "previous");
    assert_eq!(dir.names(), ["r.json", "taken"]);
}

#[test]
fn diff_output_files_are_written_safely_too() {
    let dir = Scratch::new("diff");
    let report = dir.path("report.json");
    let first = run_strings(&check_args(&[output_flag("json", &report)]));
    assert_eq!(code(&first), 1, "{}", stderr(&first));
    let drift = dir.path("drift.json");
    fs::write(&drift, "previous drift").expect("write");
    let args = |path: &Path| {
        [
            "diff".to_owned(),
            report.display().to_string(),
            report.display().to_string(),
            "--output".to_owned(),
            output_flag("json", path),
        ]
    };
    let mut cmd = with_file_size_limit(8, BIN);
    cmd.args(args(&drift));
    let out = output_of(&mut cmd);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains(&format!(
            "cannot write the json drift to {}: File too large",
            drift.display()
        )),
        "{}",
        stderr(&out)
    );
    assert_eq!(fs::read_to_string(&drift).expect("drift"), "previous drift");
    assert_eq!(dir.names(), ["drift.json", "report.json"]);
    // Through a symlink, without the limit: the target is replaced, the link stays.
    symlink("drift.json", dir.path("latest")).expect("symlink");
    let out = output_of(trailguard_cmd().args(args(&dir.path("latest"))));
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let written: serde_json::Value =
        serde_json::from_slice(&fs::read(&drift).expect("drift")).expect("drift JSON");
    assert!(written.is_object());
    assert!(
        fs::symlink_metadata(dir.path("latest"))
            .expect("link")
            .is_symlink()
    );
}

// ---------------------------------------------------------------------------
// Symbolic links, devices, FIFOs, /dev/stdout
// ---------------------------------------------------------------------------

#[test]
fn a_symlink_to_a_regular_file_is_followed_and_stays_a_symlink() {
    let dir = Scratch::new("symlink");
    fs::write(dir.path("real.json"), "previous").expect("write");
    symlink("real.json", dir.path("link")).expect("symlink");
    let out = run_strings(&check_args(&[output_flag("json", &dir.path("link"))]));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_json_report(
        &fs::read(dir.path("real.json")).expect("real"),
        "the target",
    );
    assert!(
        fs::symlink_metadata(dir.path("link"))
            .expect("link")
            .is_symlink()
    );
    assert_eq!(
        fs::read_link(dir.path("link")).expect("link"),
        Path::new("real.json")
    );
    assert_eq!(dir.names(), ["link", "real.json"]);
}

/// `DIR/null`: a character device node 1:3 (the null device) made with mknod.
fn null_device_in(dir: &Scratch) -> PathBuf {
    let node = dir.path("null");
    let made = Command::new("mknod")
        .arg(&node)
        .args(["c", "1", "3"])
        .output();
    match made {
        Ok(o) if o.status.success() => node,
        Ok(o) => panic!(
            "cannot make a device node for this test (mknod needs root or CAP_MKNOD): {}",
            String::from_utf8_lossy(&o.stderr)
        ),
        Err(e) => panic!("cannot run mknod: {e}"),
    }
}

#[test]
fn a_device_is_written_in_place_directly_or_through_a_symlink() {
    let dir = Scratch::new("device");
    let node = null_device_in(&dir);
    symlink(&node, dir.path("link")).expect("symlink");
    let rdev = fs::metadata(&node).expect("node").rdev();
    let out = run_strings(&check_args(&[
        output_flag("json", &dir.path("link")),
        output_flag("sarif", &node),
    ]));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let meta = fs::symlink_metadata(&node).expect("node");
    assert!(meta.file_type().is_char_device(), "still a device");
    assert_eq!(meta.rdev(), rdev);
    assert!(
        fs::symlink_metadata(dir.path("link"))
            .expect("link")
            .is_symlink()
    );
    assert_eq!(dir.names(), ["link", "null"], "nothing created beside it");
}

#[test]
fn a_fifo_receives_the_whole_report_and_stays_a_fifo() {
    let dir = Scratch::new("fifo");
    let fifo = mkfifo(&dir, "pipe");
    // Held open for reading and writing (which never blocks) until trailguard is done: our
    // reader's open returns at once and it sees end-of-file only after our drop, whatever
    // trailguard does — even if it never opens the FIFO, the test fails instead of hanging.
    let keeper = OpenOptions::new()
        .read(true)
        .write(true)
        .open(&fifo)
        .expect("open the FIFO");
    let mut reader = File::open(&fifo).expect("open the FIFO for reading");
    let reading = std::thread::spawn(move || {
        let mut got = Vec::new();
        reader.read_to_end(&mut got).map(|_| got)
    });
    let out = run_strings(&check_args(&[output_flag("json", &fifo)]));
    drop(keeper);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let got = reading.join().expect("reader").expect("read the FIFO");
    assert_json_report(&got, "what the FIFO's reader received");
    assert!(
        fs::symlink_metadata(&fifo)
            .expect("fifo")
            .file_type()
            .is_fifo()
    );
    assert_eq!(dir.names(), ["pipe"]);
}

fn mkfifo(dir: &Scratch, name: &str) -> PathBuf {
    let fifo = dir.path(name);
    let made = Command::new("mkfifo").arg(&fifo).output();
    assert!(
        made.as_ref().is_ok_and(|o| o.status.success()),
        "cannot make a FIFO with mkfifo: {made:?}"
    );
    fifo
}

#[test]
fn dev_stdout_through_a_symlink_reaches_stdout_whatever_it_is() {
    let dir = Scratch::new("stdout");
    symlink("/dev/stdout", dir.path("out")).expect("symlink");
    // stdout a pipe: /proc/self/fd/1 names `pipe:[N]`.
    let out = run_strings(&check_args(&[output_flag("json", &dir.path("out"))]));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert_json_report(&out.stdout, "the captured stdout");
    assert!(
        fs::symlink_metadata(dir.path("out"))
            .expect("link")
            .is_symlink()
    );

    // stdout a regular file, as after `>> captured`: appended to, not replaced.
    let captured = dir.path("captured");
    fs::write(&captured, "").expect("write");
    let inode = fs::metadata(&captured).expect("captured").ino();
    let file = OpenOptions::new()
        .append(true)
        .open(&captured)
        .expect("open");
    let status = trailguard_cmd()
        .args(check_args(&[output_flag("json", &dir.path("out"))]))
        .stdout(file)
        .status()
        .expect("run");
    assert_eq!(status.code(), Some(1));
    assert_json_report(
        &fs::read(&captured).expect("captured"),
        "the redirected stdout",
    );
    assert_eq!(fs::metadata(&captured).expect("captured").ino(), inode);
    assert!(
        fs::symlink_metadata(dir.path("out"))
            .expect("link")
            .is_symlink()
    );
    assert_eq!(dir.names(), ["captured", "out"]);
}

// ---------------------------------------------------------------------------
// Signals and stale temporaries
// ---------------------------------------------------------------------------

/// Polls (a condition, not a guess) until a temporary exists in `dir`; the child is then
/// blocked opening a FIFO that nobody reads.
fn wait_for_temporary(child: &mut Child, dir: &Scratch) -> String {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(temp) = dir.names().into_iter().find(|n| n.ends_with(".tmp")) {
            return temp;
        }
        if let Ok(Some(status)) = child.try_wait() {
            panic!("trailguard ended ({status}) before writing its temporary");
        }
        assert!(Instant::now() < deadline, "no temporary after 60 s");
        std::thread::sleep(Duration::from_millis(10));
    }
}

/// The child's exit status; a child still running after `limit` is killed and the test fails
/// (instead of hanging).
fn wait_at_most(child: &mut Child, limit: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + limit;
    loop {
        if let Some(status) = child.try_wait().expect("wait") {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("trailguard still running {limit:?} after the signal");
        }
        std::thread::sleep(Duration::from_millis(10));
    }
}

fn signal_removes_temporaries(signal: &str, number: i32) {
    let dir = Scratch::new(&format!("sig{number}"));
    let report = dir.path("report.json");
    fs::write(&report, "previous").expect("write");
    let blocker = mkfifo(&dir, "blocker");
    // All or nothing: the JSON's temporary is complete and waits while the SARIF output
    // blocks opening a FIFO that nobody reads.
    let mut child = trailguard_cmd()
        .args(check_args(&[
            output_flag("json", &report),
            output_flag("sarif", &blocker),
        ]))
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let temp = wait_for_temporary(&mut child, &dir);
    assert!(
        temp.starts_with(&format!(".report.json.trailguard-{}-", child.id())),
        "{temp}"
    );
    let kill = Command::new("kill")
        .args(["-s", signal, &child.id().to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let status = wait_at_most(&mut child, Duration::from_secs(30));
    let mut err = String::new();
    if let Some(mut pipe) = child.stderr.take() {
        let _ = pipe.read_to_string(&mut err);
    }
    assert_eq!(
        status.signal(),
        Some(number),
        "ends by the signal it got (a shell shows {}): {}",
        128 + number,
        err
    );
    assert_eq!(dir.names(), ["blocker", "report.json"], "temporary removed");
    assert_eq!(fs::read_to_string(&report).expect("report"), "previous");
}

#[test]
fn sigterm_removes_temporaries_and_keeps_the_previous_file() {
    signal_removes_temporaries("TERM", 15);
}

#[test]
fn sigint_removes_temporaries_and_keeps_the_previous_file() {
    signal_removes_temporaries("INT", 2);
}

#[test]
fn stale_temporaries_of_dead_processes_are_removed_on_the_next_write() {
    let dir = Scratch::new("stale");
    // Above any Linux pid_max (at most 2^22): that process is certainly gone.
    let dead = ".report.json.trailguard-4294967295-00000000deadbeef.tmp";
    // This test's own process is certainly running.
    let live = format!(
        ".report.json.trailguard-{}-00000000000a11fe.tmp",
        std::process::id()
    );
    fs::write(dir.path(dead), "killed mid-write").expect("write");
    fs::write(dir.path(&live), "still writing").expect("write");
    let out = run_strings(&check_args(&[output_flag(
        "json",
        &dir.path("report.json"),
    )]));
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let mut expected = vec![live.clone(), "report.json".to_owned()];
    expected.sort();
    assert_eq!(dir.names(), expected);
}

// ---------------------------------------------------------------------------
// stdout
// ---------------------------------------------------------------------------

#[test]
fn a_closed_stdout_pipe_ends_quietly_with_the_gate_status() {
    // The JSON report (240 kB) is larger than a pipe's buffer: the write fails with EPIPE
    // whenever the reader goes away.
    let mut child = trailguard_cmd()
        .args(check_args(&["json".to_owned()]))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stdout.take());
    let out = child.wait_with_output().expect("wait");
    assert_eq!(
        out.status.code(),
        Some(1),
        "the gate's status: {}",
        stderr(&out)
    );
    assert_eq!(stderr(&out), "", "quiet");
}

/// Runs trailguard with `/dev/full` as stdout (opening it is harmless): every write is ENOSPC.
fn with_full_stdout(args: &[&str]) -> Output {
    let full = OpenOptions::new()
        .write(true)
        .open("/dev/full")
        .expect("/dev/full");
    output_of(
        trailguard_cmd()
            .args(args)
            .stdout(full)
            .stderr(Stdio::piped()),
    )
}

#[test]
fn a_stdout_write_error_is_exit_2_naming_stdout() {
    let dir = Scratch::new("full");
    let report = dir.path("report.json");
    let first = run_strings(&check_args(&[output_flag("json", &report)]));
    assert_eq!(code(&first), 1, "{}", stderr(&first));
    let report = report.to_str().expect("a UTF-8 scratch path");
    let cases: [(&[&str], &str); 4] = [
        (&["-q", "check", "--inventory", DEMO], "the text report"),
        (
            &["-q", "check", "--inventory", DEMO, "--output", "json"],
            "the json report",
        ),
        (&["rules", "list"], "the output"),
        (&["diff", report, report], "the text drift"),
    ];
    for (args, what) in cases {
        let out = with_full_stdout(args);
        assert_eq!(code(&out), 2, "{args:?}: {}", stderr(&out));
        assert_eq!(
            stderr(&out),
            format!(
                "error: cannot write {what} to stdout: No space left on device (os error 28)\n"
            ),
            "{args:?}"
        );
    }
}

// ---------------------------------------------------------------------------
// collect -o / scan --save-inventory against the emulator
// ---------------------------------------------------------------------------

/// `trailguard ARGS` as the seeded account, in a clean environment (as
/// `support::trailguard`), run with a file-size limit of `limit` bytes when given.
fn live(
    emulator: &Emulator,
    seeded: &Seeded,
    home: &Scratch,
    limit: Option<u64>,
    args: &[String],
) -> Output {
    let mut cmd = match limit {
        Some(bytes) => with_file_size_limit(bytes, BIN),
        None => Command::new(BIN),
    };
    cmd.env_clear();
    if let Some(path) = std::env::var_os("PATH") {
        cmd.env("PATH", path);
    }
    cmd.env("HOME", &home.0)
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env("AWS_CONFIG_FILE", home.path("no-aws-config"))
        .env(
            "AWS_SHARED_CREDENTIALS_FILE",
            home.path("no-aws-credentials"),
        )
        .env("NO_COLOR", "1")
        .env("AWS_ENDPOINT_URL", emulator.endpoint())
        .env("AWS_REGION", "us-east-1")
        .env("AWS_MAX_ATTEMPTS", "2")
        .envs(seeded.aws_env())
        .args(args)
        .stdin(Stdio::null());
    output_of(&mut cmd)
}

#[test]
fn collect_and_save_inventory_keep_the_previous_inventory_on_a_failed_write() {
    let emulator = Emulator::shared();
    let seeded = seed(emulator, "collector", &unique_account_id());
    let dir = Scratch::new("collect");
    let home = Scratch::new("collect-home");
    let inventory = dir.path("inventory.json");
    let target = |cmd: &str, flag: &str| -> Vec<String> {
        let mut args = vec![
            cmd.to_owned(),
            "--region".to_owned(),
            "us-east-1".to_owned(),
        ];
        args.extend([flag.to_owned(), inventory.display().to_string()]);
        args
    };

    let first = live(emulator, &seeded, &home, None, &target("collect", "-o"));
    assert_eq!(code(&first), 0, "{}", stderr(&first));
    let evidence = fs::read(&inventory).expect("the first inventory");
    assert!(
        evidence.len() as u64 > SMALL_FILE_LIMIT,
        "the limit must bite"
    );

    for (cmd, flag) in [("collect", "-o"), ("scan", "--save-inventory")] {
        let out = live(
            emulator,
            &seeded,
            &home,
            Some(SMALL_FILE_LIMIT),
            &target(cmd, flag),
        );
        assert_eq!(code(&out), 2, "{cmd}: {}", stderr(&out));
        assert!(
            stderr(&out).contains(&format!(
                "cannot write the inventory to {}: File too large",
                inventory.display()
            )),
            "{cmd}: {}",
            stderr(&out)
        );
        assert_eq!(fs::read(&inventory).expect("inventory"), evidence, "{cmd}");
        assert_eq!(dir.names(), ["inventory.json"], "{cmd}: no temporary left");
    }
}
