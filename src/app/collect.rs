//! `trailguard collect`: read live AWS and write the inventory.

use std::io::Write;

use super::{EXIT_OK, RunError};
use crate::cli::{Cli, CollectArgs, TargetArgs};
use crate::collect::{CollectOptions, OrgOptions, collect_blocking};
use crate::inventory::{Inventory, Timestamp};

/// Runs `trailguard collect`.
pub fn run(_cli: &Cli, args: &CollectArgs) -> Result<u8, RunError> {
    let inventory = collect_live(&args.target)?;
    write_inventory(&inventory, args.output.as_deref())?;
    Ok(EXIT_OK)
}

/// Collects from live AWS with the target options (shared by `collect` and `scan`).
pub fn collect_live(target: &TargetArgs) -> Result<Inventory, RunError> {
    let opts = CollectOptions {
        profile: target.profile.clone(),
        regions: target.regions.clone(),
        concurrency: usize::from(target.concurrency),
        timeout: target.timeout,
        org: target.org.then(|| OrgOptions {
            role_name: target.role_name.clone(),
            role_arn_template: target.role_arn_template.clone(),
            external_id: target.external_id.clone(),
            accounts: target.accounts.clone(),
            exclude_accounts: target.exclude_accounts.clone(),
        }),
    };
    let now = || Timestamp(time::OffsetDateTime::now_utc());
    collect_blocking(&opts, &now).map_err(|e| RunError(e.to_string()))
}

/// Writes the inventory JSON to a file, or to stdout.
pub fn write_inventory(
    inventory: &Inventory,
    path: Option<&std::path::Path>,
) -> Result<(), RunError> {
    let text = inventory.to_json();
    match path {
        Some(p) => std::fs::write(p, text)
            .map_err(|e| RunError(format!("cannot write {}: {e}", p.display()))),
        None => std::io::stdout()
            .lock()
            .write_all(text.as_bytes())
            .map_err(|e| RunError(format!("cannot write to stdout: {e}"))),
    }
}
