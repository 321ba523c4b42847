//! `trailguard check` writing report files through the binary.

use std::process::{Command, Output};

fn check(args: &[&str]) -> Output {
    let out = Command::new(env!("CARGO_BIN_EXE_trailguard"))
        .args(["-q", "check", "--inventory", "examples/demo-inventory.json"])
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output();
    match out {
        Ok(o) => o,
        Err(e) => panic!("cannot run trailguard: {e}"),
    }
}

fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!(
        "trailguard-check-cli-{name}-{}",
        std::process::id()
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).expect("scratch dir");
    dir
}

fn names(dir: &std::path::Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("readable")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn reports_are_written_whole_with_no_leftovers() {
    let dir = scratch("whole");
    let json = dir.join("nested").join("report.json");
    let sarif = dir.join("report.sarif");
    let o = check(&[
        "--output",
        &format!("json={}", json.display()),
        "--output",
        &format!("sarif={}", sarif.display()),
    ]);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("json written")).expect("valid JSON");
    assert_eq!(report["schema"], "trailguard.report/v1");
    assert!(report["findings"].as_array().is_some_and(|f| !f.is_empty()));
    let log: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sarif).expect("sarif written")).expect("valid");
    assert_eq!(log["version"], "2.1.0");
    assert_eq!(names(&dir), ["nested", "report.sarif"]);
    assert_eq!(names(&dir.join("nested")), ["report.json"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn an_unwritable_target_is_exit_2_and_leaves_nothing_behind() {
    let dir = scratch("unwritable");
    // The target is a directory: the report cannot replace it.
    let target = dir.join("taken");
    std::fs::create_dir_all(&target).expect("dir");
    let o = check(&["--output", &format!("json={}", target.display())]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(&format!("--output json={}", target.display())),
        "{err}"
    );
    assert_eq!(names(&dir), ["taken"], "no partial file left");
    let _ = std::fs::remove_dir_all(&dir);
}
