//! `trailguard check`: evaluate saved inventories offline and report.

use super::pipeline::{self, Source};
use crate::exit::{Error, ExitStatus};
use crate::inventory::Inventory;
use crate::report::Mode;
use crate::settings::{Check, Ui};

/// Runs `trailguard check`.
pub fn run(ui: &Ui, check: &Check) -> Result<ExitStatus, Error> {
    let plan = pipeline::plan(ui, &check.selection, &check.gate)?;
    let mut sources = Vec::new();
    for path in &check.inventories {
        let inventory = Inventory::load(path)?;
        // Judge an archived inventory as of when it was collected, so a re-check gives the
        // same verdicts as the original run.
        let now = check.now.unwrap_or(inventory.collection.finished_at);
        sources.push(Source {
            inventory,
            file: Some(path.display().to_string()),
            now,
        });
    }
    let status = pipeline::evaluate_and_report(ui, &plan, &sources, Mode::Offline, &check.outputs);
    pipeline::leave_to_exit((plan, sources));
    status
}
