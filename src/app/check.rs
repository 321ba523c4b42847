//! `trailguard check`: evaluate saved inventories offline and report.

use super::RunError;
use super::pipeline::{self, Source};
use crate::cli::{CheckArgs, Cli};
use crate::inventory::{Inventory, Timestamp};
use crate::report::Mode;

/// Runs `trailguard check`.
pub fn run(cli: &Cli, args: &CheckArgs) -> Result<u8, RunError> {
    let plan = match pipeline::plan(cli, &args.rules, &args.gate, &args.output) {
        Ok(plan) => plan,
        Err(done) => return done,
    };
    let fixed_now = match &args.now {
        None => None,
        Some(text) => Some(
            Timestamp::parse(text)
                .ok_or_else(|| RunError(format!("--now `{text}` is not an RFC 3339 timestamp")))?,
        ),
    };
    let mut sources = Vec::new();
    for path in &args.inventory {
        let inventory = Inventory::load(path).map_err(|e| RunError(e.to_string()))?;
        // Judge an archived inventory as of when it was collected, so a re-check gives the
        // same verdicts as the original run.
        let now = fixed_now.unwrap_or(inventory.collection.finished_at);
        sources.push(Source {
            inventory,
            file: Some(path.display().to_string()),
            now,
        });
    }
    pipeline::evaluate_and_report(cli, &plan, &sources, Mode::Offline, &args.output)
}
