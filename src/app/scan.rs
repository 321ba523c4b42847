//! `trailguard scan`: collect from live AWS, evaluate, report — one run.

use super::RunError;
use super::collect::{collect_live, write_inventory};
use super::pipeline::{self, Source};
use crate::cli::{Cli, ScanArgs};
use crate::report::Mode;

/// Runs `trailguard scan`.
pub fn run(cli: &Cli, args: &ScanArgs) -> Result<u8, RunError> {
    // Everything that can be wrong with the input is checked before any AWS call.
    let plan = match pipeline::plan(cli, &args.rules, &args.gate, &args.output) {
        Ok(plan) => plan,
        Err(done) => return done,
    };
    let inventory = collect_live(cli, &args.target, plan.config.as_ref())?;
    if let Some(path) = &args.save_inventory {
        write_inventory(&inventory, Some(path))?;
    }
    let now = inventory.collection.finished_at;
    let sources = [Source {
        inventory,
        file: None,
        now,
    }];
    pipeline::evaluate_and_report(cli, &plan, &sources, Mode::Live, &args.output)
}
