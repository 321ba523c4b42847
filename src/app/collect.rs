//! `trailguard collect`: read live AWS and write the inventory.

use super::progress::with_progress;
use crate::collect::{CollectOptions, OrgOptions, ProgressSink, collect_blocking};
use crate::exit::{Error, ExitStatus, OutputError};
use crate::inventory::{Inventory, Timestamp};
use crate::settings::{Collect, Target, Ui};

/// Runs `trailguard collect`.
pub fn run(ui: &Ui, collect: &Collect) -> Result<ExitStatus, Error> {
    let inventory = collect_live(ui, &collect.target)?;
    write_inventory(&inventory, collect.output.as_deref())?;
    Ok(ExitStatus::Success)
}

/// Collects from live AWS (shared by `collect` and `scan`).
pub fn collect_live(ui: &Ui, target: &Target) -> Result<Inventory, Error> {
    let now = || Timestamp(time::OffsetDateTime::now_utc());
    let result = with_progress(ui, "collecting", |progress| {
        collect_blocking(&collect_options(target, progress), &now)
    });
    Ok(result?)
}

/// How to reach the target's accounts and regions (shared by every live command).
pub fn collect_options(target: &Target, progress: ProgressSink) -> CollectOptions {
    CollectOptions {
        profile: target.profile.clone(),
        regions: target.regions.clone(),
        concurrency: target.concurrency,
        timeout: target.timeout,
        progress,
        trails_only: false,
        org: target.org.as_ref().map(|org| OrgOptions {
            role_name: org.role_name.clone(),
            role_arn_template: org.role_arn_template.clone(),
            external_id: org.external_id.clone(),
            accounts: org.accounts.clone(),
            exclude_accounts: org.exclude_accounts.clone(),
        }),
    }
}

/// Writes the inventory JSON to a file (safely: the previous inventory survives a failed
/// write), or to stdout. `collect -o` and `scan --save-inventory` both come here.
pub fn write_inventory(
    inventory: &Inventory,
    path: Option<&std::path::Path>,
) -> Result<(), OutputError> {
    let text = inventory.to_json();
    match path {
        Some(p) => super::output::to_one_file("the inventory", p, text.as_bytes()),
        None => super::output::to_stdout("the inventory", |out| out.write_all(text.as_bytes())),
    }
}
