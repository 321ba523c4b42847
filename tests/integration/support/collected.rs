//! Reading what `collect` wrote against the emulator: where it writes, the seeded facts it is
//! compared with, and inventory look-ups that panic naming what is missing.

use std::path::PathBuf;

use serde_json::Value;
use trailguard::inventory::{Account, Bucket, Collected};

/// A fresh inventory path for `tag` in this test process's scratch folder.
pub fn out_path(tag: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trailguard-collect-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir.join(format!("{tag}.json"))
}

/// The seed fact at the dotted `path` (e.g. `trails.main.arn`).
pub fn fact<'a>(facts: &'a Value, path: &str) -> &'a str {
    path.split('.')
        .fold(facts, |v, k| &v[k])
        .as_str()
        .unwrap_or_else(|| panic!("seed facts lack {path}: {facts}"))
}

/// The bucket `name` of `acct`.
pub fn bucket<'a>(acct: &'a Account, name: &str) -> &'a Bucket {
    acct.bucket(name)
        .unwrap_or_else(|| panic!("bucket {name} missing from account {}", acct.account_id))
}

/// The value of a read that must have succeeded (`what` names it in the panic).
pub fn ok<'a, T: std::fmt::Debug>(c: &'a Collected<T>, what: &str) -> &'a T {
    c.ok()
        .unwrap_or_else(|| panic!("{what} should have been read, got {c:?}"))
}
