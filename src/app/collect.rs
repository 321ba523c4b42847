//! `trailguard collect`: read live AWS and write the inventory.

use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use super::{EXIT_OK, RunError};
use crate::cli::{Cli, CollectArgs, TargetArgs};
use crate::collect::{CollectOptions, OrgOptions, Progress, ProgressSink, collect_blocking};
use crate::config::Config;
use crate::inventory::{Inventory, Timestamp};

/// Runs `trailguard collect`.
pub fn run(cli: &Cli, args: &CollectArgs) -> Result<u8, RunError> {
    // `collect` reads ./trailguard.yaml for target defaults, like every command.
    let config = match super::pipeline::load_config(cli, None) {
        Ok(config) => config,
        Err(code) => return Ok(code),
    };
    let inventory = collect_live(cli, &args.target, config.as_ref())?;
    write_inventory(&inventory, args.output.as_deref())?;
    Ok(EXIT_OK)
}

/// Collects from live AWS with the target options (shared by `collect` and `scan`); the
/// config file's `regions:` and `org:` fill what the flags leave unset.
pub fn collect_live(
    cli: &Cli,
    target: &TargetArgs,
    config: Option<&Config>,
) -> Result<Inventory, RunError> {
    let defaults = config
        .map(|c| (c.regions.clone(), c.org.clone()))
        .unwrap_or_default();
    let (config_regions, org) = defaults;
    let pick = |flag: &[String], config: &[String]| {
        if flag.is_empty() {
            config.to_vec()
        } else {
            flag.to_vec()
        }
    };
    let bar = progress_bar(cli);
    let opts = CollectOptions {
        profile: target.profile.clone(),
        regions: pick(&target.regions, &config_regions),
        concurrency: usize::from(target.concurrency),
        timeout: target.timeout,
        progress: ProgressSink(bar.clone().map(|b| Arc::new(b) as Arc<dyn Progress>)),
        org: target.org.then(|| OrgOptions {
            role_name: target
                .role_name
                .clone()
                .or(org.role_name.clone())
                .unwrap_or_else(|| "OrganizationAccountAccessRole".to_owned()),
            role_arn_template: target
                .role_arn_template
                .clone()
                .or(org.role_arn_template.clone()),
            external_id: target.external_id.clone().or(org.external_id.clone()),
            accounts: pick(&target.accounts, &org.accounts),
            exclude_accounts: pick(&target.exclude_accounts, &org.exclude_accounts),
        }),
    };

    let now = || Timestamp(time::OffsetDateTime::now_utc());
    let result = collect_blocking(&opts, &now).map_err(|e| RunError(e.to_string()));
    if let Some(b) = bar {
        b.0.finish_and_clear();
    }
    result
}

/// A progress bar on stderr: only for a person at a terminal, never with `-q`.
#[derive(Clone)]
struct Bar(indicatif::ProgressBar, Arc<AtomicU64>);

impl Progress for Bar {
    fn accounts(&self, total: usize) {
        self.0.set_length(total as u64);
    }
    fn account_done(&self) {
        self.0.inc(1);
    }
    fn call(&self) {
        let calls = self.1.fetch_add(1, Ordering::Relaxed) + 1;
        self.0.set_message(format!("{calls} AWS calls"));
    }
}

fn progress_bar(cli: &Cli) -> Option<Bar> {
    if cli.quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(1);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} collecting {pos}/{len} accounts · {msg} · {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Some(Bar(bar, Arc::new(AtomicU64::new(0))))
}

/// Writes the inventory JSON to a file (safely: the previous inventory survives a failed
/// write), or to stdout. `collect -o` and `scan --save-inventory` both come here.
pub fn write_inventory(
    inventory: &Inventory,
    path: Option<&std::path::Path>,
) -> Result<(), RunError> {
    let text = inventory.to_json();
    match path {
        Some(p) => super::output::to_one_file("the inventory", p, text.as_bytes()),
        None => super::output::to_stdout("the inventory", |out| out.write_all(text.as_bytes())),
    }
}
