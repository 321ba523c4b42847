//! The seed files: the repository's own rule files, fixtures, diagnostics cases and the examples
//! in the README and docs, read at test time so a new fixture is fuzzed without editing this.

use std::path::{Path, PathBuf};

use crate::support::repo_root;

/// One seed: the file name the parser is told (rule files must match their id) and its text.
#[derive(Debug, Clone)]
pub struct Seed {
    pub name: String,
    pub text: String,
}

/// Every file under `dir` (recursively) whose name ends with one of `exts`, sorted.
fn files(dir: &Path, exts: &[&str], out: &mut Vec<PathBuf>) {
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) => panic!("cannot read corpus folder {}: {e}", dir.display()),
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            files(&path, exts, out);
        } else if exts
            .iter()
            .any(|ext| path.extension().is_some_and(|e| e == *ext))
        {
            out.push(path);
        }
    }
    out.sort();
}

fn read(path: &Path) -> Seed {
    match std::fs::read_to_string(path) {
        Ok(text) => Seed {
            name: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            text,
        },
        Err(e) => panic!("cannot read corpus file {}: {e}", path.display()),
    }
}

fn seeds_under(dirs: &[&str], exts: &[&str]) -> Vec<Seed> {
    let mut paths = Vec::new();
    for dir in dirs {
        files(&repo_root().join(dir), exts, &mut paths);
    }
    paths.iter().map(|p| read(p)).collect()
}

/// The ```yaml blocks of the README and docs that `keep` accepts (config and waivers examples).
fn doc_blocks(keep: fn(&str) -> bool, name: &str) -> Vec<Seed> {
    let mut out = Vec::new();
    for doc in [
        "README.md",
        "docs/gate-and-waivers.md",
        "docs/rule-language.md",
    ] {
        let text = read(&repo_root().join(doc)).text;
        for block in text.split("```yaml\n").skip(1) {
            let body = block.split("```").next().unwrap_or_default();
            if keep(body) {
                out.push(Seed {
                    name: name.to_owned(),
                    text: body.to_owned(),
                });
            }
        }
    }
    out
}

fn non_empty(what: &str, seeds: Vec<Seed>) -> Vec<Seed> {
    assert!(
        !seeds.is_empty(),
        "no {what} seeds found: the corpus moved?"
    );
    seeds
}

/// Rule files: the pack, the fixtures and the diagnostics cases (which are wrong on purpose).
pub fn rules() -> Vec<Seed> {
    let mut seeds = seeds_under(
        &["rules", "tests/fixtures/rules", "tests/diagnostics"],
        &["yaml", "yml"],
    );
    seeds.retain(|s| s.name != "trailguard.yaml");
    seeds.extend(doc_blocks(|b| b.contains("check:"), "DOC-1.yaml"));
    non_empty("rule", seeds)
}

/// Config files.
pub fn configs() -> Vec<Seed> {
    let mut seeds = doc_blocks(
        |b| b.contains("parameters:") && !b.contains("check:"),
        "trailguard.yaml",
    );
    // tests/fixtures/config has one using every section.
    seeds.extend(seeds_under(
        &["tests/diagnostics/bad-parameter", "tests/fixtures/config"],
        &["yaml"],
    ));
    seeds.retain(|s| s.name == "trailguard.yaml");
    non_empty("config", seeds)
}

/// Waivers files.
pub fn waivers() -> Vec<Seed> {
    let mut seeds = seeds_under(&["tests/fixtures/waivers"], &["yaml"]);
    seeds.extend(doc_blocks(|b| b.contains("waivers:\n  -"), "waivers.yaml"));
    non_empty("waivers", seeds)
}

/// Inventories: the fixtures and the demo organization.
pub fn inventories() -> Vec<Seed> {
    let mut seeds = seeds_under(&["tests/fixtures/inventories"], &["json"]);
    seeds.push(read(&repo_root().join("examples/demo-inventory.json")));
    non_empty("inventory", seeds)
}

/// Reports read back by `--baseline` and `diff`.
pub fn reports() -> Vec<Seed> {
    non_empty(
        "report",
        seeds_under(&["tests/fixtures/reports"], &["json"]),
    )
}
