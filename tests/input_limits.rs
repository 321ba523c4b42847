//! Input through the binary: the rules-folder walk neither loops through directory links nor
//! blocks on a FIFO.
//!
//! Device cases use a FIFO or a symbolic link to `/dev/zero` inside a temp dir: nothing here
//! touches the machine's own `/dev` entries.

#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

mod support;

use support::cli::{code, stderr, stdout};

const GOOD_RULES: &str = "tests/fixtures/rules/good";

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

fn assert_exit_2_naming(o: &Output, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(code(o), 2, "stdout: {}\nstderr: {err}", stdout(o));
    for needle in needles {
        assert!(err.contains(needle), "`{needle}` not in:\n{err}");
    }
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
