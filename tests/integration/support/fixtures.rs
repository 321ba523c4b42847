//! The hand-written fixtures under `tests/fixtures/`, loaded with the real model.

use std::path::Path;

use trailguard::baseline::ReportFile;
use trailguard::finding::Finding;
use trailguard::inventory::Inventory;

use super::paths::repo_root;

/// `tests/fixtures/inventories/NAME`, loaded (panics with the load error).
pub fn inventory(name: &str) -> Inventory {
    load_inventory(Path::new("tests/fixtures/inventories").join(name))
}

/// The inventory at `path` (relative paths are to the repository root), panicking with the
/// load error.
pub fn load_inventory(path: impl AsRef<Path>) -> Inventory {
    Inventory::load(&repo_root().join(path)).unwrap_or_else(|e| panic!("{e}"))
}

/// The findings recorded in the report file at `relative` (to the repository root), as this
/// run's evaluation would have produced them (without evidence, which reports keep apart).
pub fn report_findings(relative: &str) -> Vec<Finding> {
    let report = ReportFile::load(&repo_root().join(relative)).expect("fixture report loads");
    report
        .findings
        .into_iter()
        .map(|f| Finding {
            rule_id: f.rule_id,
            title: f.title,
            severity: f.severity,
            status: f.status,
            resource: f.resource,
            message: f.message,
            evidence: Vec::new(),
            fingerprint: f.fingerprint,
        })
        .collect()
}
