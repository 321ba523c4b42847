//! `trailguard scan`: collect from live AWS, evaluate, report — one run.

use super::collect::{collect_live, write_inventory};
use super::pipeline::{self, Source};
use crate::exit::{Error, ExitStatus};
use crate::report::Mode;
use crate::settings::{Scan, Ui};

/// Runs `trailguard scan`.
pub fn run(ui: &Ui, scan: &Scan) -> Result<ExitStatus, Error> {
    // Everything that can be wrong with the input is checked before any AWS call.
    let plan = pipeline::plan(ui, &scan.selection, &scan.gate)?;
    let inventory = collect_live(ui, &scan.target)?;
    if let Some(path) = &scan.save_inventory {
        write_inventory(&inventory, Some(path))?;
    }
    let now = inventory.collection.finished_at;
    let sources = [Source {
        inventory,
        file: None,
        now,
    }];
    let status = pipeline::evaluate_and_report(ui, &plan, &sources, Mode::Live, &scan.outputs);
    pipeline::leave_to_exit((plan, sources));
    status
}
