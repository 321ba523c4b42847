//! Bounded input, through the binary: every kind of input file has a size limit checked before
//! reading and enforced while reading (devices and FIFOs included), `--max-input-size` raises
//! it, text that is not UTF-8 is located as `file:line:col`, and the rules-folder walk neither
//! loops through directory links nor blocks on a FIFO.
//!
//! Device cases use a symbolic link to `/dev/zero` or a FIFO inside a temp dir: nothing here
//! touches the machine's own `/dev` entries or writes more than a few MiB to disk (large files
//! are sparse).

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use crate::support::cli::{code, run, stderr, stdout};

const COMPLIANT: &str = "tests/fixtures/inventories/compliant.json";
const GOOD_RULES: &str = "tests/fixtures/rules/good";
const REPORT: &str = "tests/fixtures/reports/new.json";
const WAIVERS: &str = "tests/fixtures/waivers/valid.yaml";

/// A fresh directory of this test's own, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("trailguard-input-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(name);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("dir");
        }
        std::fs::write(&path, bytes).expect("write");
        path
    }

    /// A file of `len` zero bytes that takes no disk space: only its length is ever looked at.
    fn sparse(&self, name: &str, len: u64) -> PathBuf {
        let path = self.path(name);
        std::fs::File::create(&path)
            .and_then(|f| f.set_len(len))
            .expect("sparse file");
        path
    }

    fn arg(&self, name: &str) -> String {
        self.path(name).display().to_string()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn s(p: &Path) -> String {
    p.display().to_string()
}

/// Runs trailguard and fails the test (killing the child) if it has not finished in time:
/// the cases that used to hang must end.
fn run_within(args: &[&str], limit: Duration) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_trailguard"))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run trailguard: {e}"));
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(_)) => break,
            Ok(None) if started.elapsed() < limit => std::thread::sleep(Duration::from_millis(20)),
            _ => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("trailguard {args:?} did not finish within {limit:?}");
            }
        }
    }
    child.wait_with_output().expect("output")
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .unwrap_or_else(|e| panic!("cannot run mkfifo to set up the test: {e}"));
    assert!(status.success(), "mkfifo {} failed", path.display());
}

/// Waits for a thread writing into `fifo`. Should trailguard never have opened the FIFO, the
/// writer would wait in `open` forever: a read-write open (which never blocks on Linux) lets
/// it through, and it then fails to write once that end closes.
fn join_writer<T>(writer: std::thread::JoinHandle<T>, fifo: &Path) -> T {
    let started = Instant::now();
    while !writer.is_finished() && started.elapsed() < Duration::from_secs(2) {
        std::thread::sleep(Duration::from_millis(20));
    }
    if !writer.is_finished() {
        drop(
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(fifo),
        );
    }
    writer.join().expect("writer thread")
}

fn assert_exit_2_naming(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(code(o), 2, "stdout: {}\nstderr: {err}", stdout(o));
    for needle in needles {
        assert!(err.contains(needle), "`{needle}` not in:\n{err}");
    }
}

/// A valid rule file padded with a comment to `len` bytes.
fn padded_rule(len: usize) -> Vec<u8> {
    let mut text =
        std::fs::read(Path::new(GOOD_RULES).join("TG-002-validation.yaml")).expect("fixture rule");
    text.extend_from_slice(b"# ");
    text.resize(len - 1, b'x');
    text.push(b'\n');
    text
}

#[test]
fn oversize_yaml_inputs_are_refused_before_reading() {
    let dir = Scratch::new("oversize-yaml");
    let rules = dir.path("rules");
    std::fs::create_dir_all(&rules).expect("rules dir");
    let rule = dir.sparse("rules/TG-100-huge.yaml", 2 * 1024 * 1024);
    let o = run(&["rules", "validate", &s(&rules)]);
    assert_exit_2_naming(
        &o,
        &[
            "error[too-large]",
            &s(&rule),
            "the file is 2097152 bytes (2 MiB), over the 1 MiB limit for rule files",
            "--max-input-size",
        ],
    );
    let o = run(&["check", "--inventory", COMPLIANT, "--rules", &s(&rules)]);
    assert_exit_2_naming(&o, &["error[too-large]", &s(&rule)]);

    let config = dir.sparse("trailguard.yaml", 1024 * 1024 + 1);
    let o = run(&["check", "--inventory", COMPLIANT, "--config", &s(&config)]);
    assert_exit_2_naming(
        &o,
        &[
            &s(&config),
            "is 1048577 bytes",
            "1 MiB limit for config files",
        ],
    );

    let waivers = dir.sparse("waivers.yaml", 5 * 1024 * 1024);
    let o = run(&["check", "--inventory", COMPLIANT, "--waivers", &s(&waivers)]);
    assert_exit_2_naming(
        &o,
        &[
            &s(&waivers),
            "is 5242880 bytes",
            "4 MiB limit for waivers files",
        ],
    );
}

#[test]
fn oversize_json_inputs_are_refused_before_reading() {
    let dir = Scratch::new("oversize-json");
    // Sparse: reading them would allocate the limit (1 GiB, 2 GiB); the size check stops
    // first, which the exact byte count in the message shows.
    let inventory = dir.sparse("inventory.json", 3 << 30);
    let o = run_within(
        &["check", "--inventory", &s(&inventory)],
        Duration::from_secs(30),
    );
    assert_exit_2_naming(
        &o,
        &[
            &format!(
                "error: inventory `{}` is 3221225472 bytes (3 GiB)",
                s(&inventory)
            ),
            "over the 1 GiB limit for inventories",
            "raise the limit with --max-input-size, e.g. --max-input-size 4GiB",
        ],
    );

    let report = dir.sparse("report.json", 5 << 30);
    let o = run_within(
        &["check", "--inventory", COMPLIANT, "--baseline", &s(&report)],
        Duration::from_secs(30),
    );
    assert_exit_2_naming(
        &o,
        &["--baseline: report", "is 5368709120 bytes", "2 GiB limit"],
    );
    let o = run_within(&["diff", &s(&report), REPORT], Duration::from_secs(30));
    assert_exit_2_naming(&o, &[&s(&report), "is 5368709120 bytes"]);
}

#[test]
fn raising_the_limit_loads_a_file_the_default_refuses() {
    let dir = Scratch::new("raise");
    let rules = dir.path("rules");
    dir.write("rules/TG-002-validation.yaml", &padded_rule(1536 * 1024));
    let o = run(&["rules", "validate", &s(&rules)]);
    assert_exit_2_naming(&o, &["is 1572864 bytes (1.5 MiB)", "--max-input-size 2MiB"]);
    // The flag is global: before or after the command.
    for args in [
        vec!["--max-input-size", "2MiB", "rules", "validate", &s(&rules)],
        vec!["rules", "validate", &s(&rules), "--max-input-size", "2MiB"],
    ] {
        let o = run(&args);
        assert_eq!(code(&o), 0, "{args:?}: {}", stderr(&o));
        assert!(stdout(&o).contains("1 rule in"), "{}", stdout(&o));
    }
    // It replaces every default, so it also lowers them.
    let o = run(&[
        "--max-input-size",
        "1KiB",
        "check",
        "--inventory",
        COMPLIANT,
    ]);
    assert_exit_2_naming(&o, &["over the 1 KiB limit for inventories"]);
    let o = run(&["--max-input-size", "lots", "rules", "list"]);
    assert_exit_2_naming(&o, &["`lots` is not a size"]);
}

#[test]
fn an_endless_device_is_refused_within_the_limit() {
    let dir = Scratch::new("zero");
    let zero = dir.path("zero.yaml");
    std::os::unix::fs::symlink("/dev/zero", &zero).expect("symlink to /dev/zero");
    let o = run_within(
        &["check", "--inventory", COMPLIANT, "--waivers", &s(&zero)],
        Duration::from_secs(30),
    );
    assert_exit_2_naming(
        &o,
        &[
            &s(&zero),
            "the file is more than 4194304 bytes",
            "4 MiB limit",
        ],
    );
    let config = dir.write(
        "trailguard.yaml",
        format!("waivers: {}\n", s(&zero)).as_bytes(),
    );
    let o = run_within(
        &["check", "--inventory", COMPLIANT, "--config", &s(&config)],
        Duration::from_secs(30),
    );
    assert_exit_2_naming(&o, &[&s(&zero), "is more than 4194304 bytes"]);
    // An inventory is parsed as it is read: NUL bytes are not JSON, refused at the first one.
    let o = run_within(
        &["check", "--inventory", &s(&zero)],
        Duration::from_secs(30),
    );
    assert_exit_2_naming(
        &o,
        &[&format!("error: {}:1:1: invalid inventory", s(&zero))],
    );
}

#[test]
fn a_fifo_inventory_is_read_within_the_limit() {
    let dir = Scratch::new("fifo-inventory");
    let fifo = dir.path("inventory.json");
    mkfifo(&fifo);
    let writer_path = fifo.clone();
    // More than the limit, in whitespace; trailguard stops reading and the writer gets EPIPE.
    let writer = std::thread::spawn(move || {
        let mut f = std::fs::OpenOptions::new()
            .write(true)
            .open(&writer_path)
            .expect("open the FIFO for writing");
        let chunk = [b' '; 64 * 1024];
        (0..64).all(|_| f.write_all(&chunk).is_ok())
    });
    let o = run_within(
        &[
            "--max-input-size",
            "1MiB",
            "check",
            "--inventory",
            &s(&fifo),
        ],
        Duration::from_secs(30),
    );
    let wrote_everything = join_writer(writer, &fifo);
    assert!(!wrote_everything, "trailguard read past its limit");
    assert_exit_2_naming(&o, &["is more than 1048576 bytes", "1 MiB limit"]);

    // Within the limit, a FIFO is an ordinary input (`--inventory <(zcat inv.json.gz)`).
    let writer_path = fifo.clone();
    let writer = std::thread::spawn(move || {
        let text = std::fs::read(COMPLIANT).expect("fixture");
        std::fs::OpenOptions::new()
            .write(true)
            .open(&writer_path)
            .and_then(|mut f| f.write_all(&text))
            .is_ok()
    });
    let o = run_within(
        &["check", "--inventory", &s(&fifo)],
        Duration::from_secs(30),
    );
    assert!(
        join_writer(writer, &fifo),
        "the inventory went through the FIFO"
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
}

#[test]
fn a_directory_given_as_a_file_is_a_clear_error() {
    let dir = Scratch::new("directory");
    let o = run(&["check", "--inventory", &s(&dir.0)]);
    assert_exit_2_naming(
        &o,
        &[&format!(
            "inventory `{}` is a directory, not a file",
            s(&dir.0)
        )],
    );
    let o = run(&["check", "--inventory", COMPLIANT, "--waivers", &s(&dir.0)]);
    assert_exit_2_naming(&o, &["this is a directory, not a waivers file"]);
}

#[test]
fn a_fifo_in_a_rules_folder_is_skipped_with_a_warning() {
    let dir = Scratch::new("fifo-rules");
    let rules = dir.path("rules");
    dir.write(
        "rules/TG-001-logging-trail.yaml",
        &std::fs::read(Path::new(GOOD_RULES).join("TG-001-logging-trail.yaml")).expect("rule"),
    );
    let fifo = dir.path("rules/TG-009-fifo.yaml");
    mkfifo(&fifo);
    // Opening the FIFO would block forever: nothing writes to it.
    let o = run_within(&["rules", "validate", &s(&rules)], Duration::from_secs(30));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("1 rule in"), "{}", stdout(&o));
    assert!(
        stderr(&o).contains(&format!(
            "warning: {}: skipped: a FIFO, not a regular file",
            s(&fifo)
        )),
        "{}",
        stderr(&o)
    );
    // A link to a device is skipped the same way, and never read.
    std::os::unix::fs::symlink("/dev/zero", dir.path("rules/TG-008-zero.yaml")).expect("link");
    let o = run_within(&["rules", "validate", &s(&rules)], Duration::from_secs(30));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(
        stderr(&o).contains("TG-008-zero.yaml: skipped: a symbolic link to a device"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn directory_links_are_not_followed_and_file_links_are() {
    let dir = Scratch::new("links");
    let rules = dir.path("rules");
    for name in ["TG-001-logging-trail.yaml", "TG-002-validation.yaml"] {
        let text = std::fs::read(Path::new(GOOD_RULES).join(name)).expect("rule");
        dir.write(&format!("rules/{name}"), &text);
    }
    // Two links to `.`: followed, the walk is exponential (2^depth paths until ELOOP).
    std::os::unix::fs::symlink(".", dir.path("rules/loop-a")).expect("link");
    std::os::unix::fs::symlink(".", dir.path("rules/loop-b")).expect("link");
    // A folder outside, holding a rule, linked in: not followed.
    let third = std::fs::read(Path::new(GOOD_RULES).join("TG-003-versioning.yaml")).expect("rule");
    dir.write("elsewhere/TG-003-versioning.yaml", &third);
    std::os::unix::fs::symlink(dir.path("elsewhere"), dir.path("rules/shared")).expect("link");
    let o = run_within(&["rules", "validate", &s(&rules)], Duration::from_secs(30));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // Each rule once: a second copy would be a duplicate-id error.
    assert!(stdout(&o).contains("2 rules in"), "{}", stdout(&o));
    let err = stderr(&o);
    for link in ["loop-a", "loop-b"] {
        assert!(
            err.contains(&format!(
                "warning: {}: a symbolic link to a directory, not followed: it points inside",
                s(&rules.join(link))
            )),
            "{err}"
        );
    }
    assert!(
        err.contains(&format!(
            "warning: {}: a symbolic link to a directory, not followed: it points outside",
            s(&rules.join("shared"))
        )),
        "{err}"
    );

    // A link to a single rule file outside the folder is followed (shared policy files).
    std::fs::remove_file(dir.path("rules/shared")).expect("unlink");
    std::os::unix::fs::symlink(
        dir.path("elsewhere/TG-003-versioning.yaml"),
        dir.path("rules/TG-003-versioning.yaml"),
    )
    .expect("link");
    let o = run_within(&["rules", "validate", &s(&rules)], Duration::from_secs(30));
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).contains("3 rules in"), "{}", stdout(&o));

    // A dangling link named like a rule is an error, not a silently missing rule.
    std::os::unix::fs::symlink(dir.path("nowhere.yaml"), dir.path("rules/TG-004-gone.yaml"))
        .expect("link");
    let o = run_within(&["rules", "validate", &s(&rules)], Duration::from_secs(30));
    assert_exit_2_naming(&o, &["TG-004-gone.yaml", "cannot read rule file"]);
}

#[test]
fn text_that_is_not_utf8_is_located_in_every_input() {
    let dir = Scratch::new("utf8");
    let mut rule =
        std::fs::read(Path::new(GOOD_RULES).join("TG-002-validation.yaml")).expect("rule");
    // Line 2 is `title: Trails validate …`: a Latin-1 é after `title: `.
    let at = rule
        .windows(7)
        .position(|w| w == b"title: ")
        .expect("title")
        + 7;
    rule.insert(at, 0xE9);
    let rule_path = dir.write("rules/TG-002-validation.yaml", &rule);
    let o = run(&["rules", "validate", &s(&dir.path("rules"))]);
    assert_exit_2_naming(
        &o,
        &[&format!(
            "error[not-utf8]: {}:2:8: not valid UTF-8 (byte 0xE9)",
            s(&rule_path)
        )],
    );

    let config = dir.write("trailguard.yaml", b"regions: [eu-west-1]\n# caf\xe9\n");
    let o = run(&["check", "--inventory", COMPLIANT, "--config", &s(&config)]);
    assert_exit_2_naming(
        &o,
        &[&format!("{}:2:6: not valid UTF-8 (byte 0xE9)", s(&config))],
    );

    let mut waivers = std::fs::read(WAIVERS).expect("waivers");
    waivers.extend_from_slice(b"# \xff\n");
    let lines = waivers.iter().filter(|&&b| b == b'\n').count();
    let waivers = dir.write("waivers.yaml", &waivers);
    let o = run(&["check", "--inventory", COMPLIANT, "--waivers", &s(&waivers)]);
    assert_exit_2_naming(
        &o,
        &[&format!(
            "{}:{lines}:3: not valid UTF-8 (byte 0xFF)",
            s(&waivers)
        )],
    );

    // The `w` of the first `"partition": "aws"` becomes a byte that never occurs in UTF-8.
    let mut bytes = std::fs::read(COMPLIANT).expect("inventory");
    let bad = bytes
        .windows(17)
        .position(|w| w == b"\"partition\": \"aws")
        .expect("a partition")
        + 15;
    bytes[bad] = 0xC0;
    let inventory = dir.write("inventory.json", &bytes);
    let line = bytes[..bad].iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = bytes[..bad]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |i| i + 1);
    let column = bad - line_start + 1;
    let o = run(&["check", "--inventory", &s(&inventory)]);
    assert_exit_2_naming(
        &o,
        &[&format!(
            "error: {}:{line}:{column}: not valid UTF-8 (byte 0xC0)",
            s(&inventory)
        )],
    );

    let mut report = std::fs::read(REPORT).expect("report");
    report.splice(1..1, b"\n  \"note\": \"\xfe\",".iter().copied());
    let report = dir.write("report.json", &report);
    let o = run(&["check", "--inventory", COMPLIANT, "--baseline", &s(&report)]);
    assert_exit_2_naming(
        &o,
        &[&format!(
            "--baseline: {}:2:12: not valid UTF-8 (byte 0xFE)",
            s(&report)
        )],
    );
}

#[test]
fn an_alias_bomb_in_any_yaml_input_is_refused_quickly() {
    let dir = Scratch::new("bomb");
    let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
        let aliases = vec![format!("*{prev}"); 10].join(", ");
        text.push_str(&format!("{name}: &{name} [{aliases}]\n"));
    }
    dir.write("rules/TG-900-laughs.yaml", text.as_bytes());
    let o = run_within(
        &["rules", "validate", &dir.arg("rules")],
        Duration::from_secs(60),
    );
    assert_exit_2_naming(&o, &["TG-900-laughs.yaml", "aliases expand too far"]);
    let bomb = dir.write("laughs.yaml", text.as_bytes());
    for flag in ["--config", "--waivers"] {
        let o = run_within(
            &["check", "--inventory", COMPLIANT, flag, &s(&bomb)],
            Duration::from_secs(60),
        );
        assert_exit_2_naming(&o, &["laughs.yaml", "aliases expand too far"]);
    }
}
