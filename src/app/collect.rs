//! `trailguard collect`: read live AWS and write the inventory.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::collect::{CollectOptions, OrgOptions, Progress, ProgressSink, collect_blocking};
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
    let bar = ui.progress.then(progress_bar);
    let opts = CollectOptions {
        profile: target.profile.clone(),
        regions: target.regions.clone(),
        concurrency: target.concurrency,
        timeout: target.timeout,
        progress: ProgressSink(bar.clone().map(|b| Arc::new(b) as Arc<dyn Progress>)),
        org: target.org.as_ref().map(|org| OrgOptions {
            role_name: org.role_name.clone(),
            role_arn_template: org.role_arn_template.clone(),
            external_id: org.external_id.clone(),
            accounts: org.accounts.clone(),
            exclude_accounts: org.exclude_accounts.clone(),
        }),
    };

    let now = || Timestamp(time::OffsetDateTime::now_utc());
    let result = collect_blocking(&opts, &now);
    if let Some(b) = bar {
        b.0.finish_and_clear();
    }
    Ok(result?)
}

/// A progress bar on stderr.
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

/// Only for a person at a terminal, never with `-q` ([`Ui::progress`]).
fn progress_bar() -> Bar {
    let bar = indicatif::ProgressBar::new(1);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{spinner} collecting {pos}/{len} accounts · {msg} · {elapsed}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Bar(bar, Arc::new(AtomicU64::new(0)))
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
