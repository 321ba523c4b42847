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
    let lines = ui.progress_lines.map(ProgressLines::start);
    let sink: Option<Arc<dyn Progress>> = match (&bar, &lines) {
        (Some(b), _) => Some(Arc::new(b.clone())),
        (None, Some(l)) => Some(l.counts.clone()),
        (None, None) => None,
    };
    let opts = CollectOptions {
        profile: target.profile.clone(),
        regions: target.regions.clone(),
        concurrency: target.concurrency,
        timeout: target.timeout,
        progress: ProgressSink(sink),
        trails_only: false,
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
    if let Some(l) = lines {
        l.stop();
    }
    Ok(result?)
}

/// Without a terminal (CI logs): a line on stderr every interval until stopped — nothing for
/// a run shorter than one interval, and no carriage returns or redraws a log cannot show.
struct ProgressLines {
    counts: Arc<Counts>,
    stop: std::sync::mpsc::Sender<()>,
    ticker: std::thread::JoinHandle<()>,
}

/// What the collection reported so far.
#[derive(Default)]
struct Counts {
    total: AtomicU64,
    done: AtomicU64,
    calls: AtomicU64,
}

impl Progress for Counts {
    fn accounts(&self, total: usize) {
        self.total.store(total as u64, Ordering::Relaxed);
    }
    fn account_done(&self) {
        self.done.fetch_add(1, Ordering::Relaxed);
    }
    fn call(&self) {
        self.calls.fetch_add(1, Ordering::Relaxed);
    }
}

impl Counts {
    /// `collecting: 3/25 accounts done, 1204 AWS calls, 20s elapsed`.
    fn line(&self, elapsed: std::time::Duration) -> String {
        let (total, done) = (
            self.total.load(Ordering::Relaxed),
            self.done.load(Ordering::Relaxed),
        );
        let accounts = if total == 0 {
            "finding the accounts to read".to_owned()
        } else {
            format!("{done}/{total} accounts done")
        };
        let calls = self.calls.load(Ordering::Relaxed);
        format!(
            "collecting: {accounts}, {calls} AWS calls, {}s elapsed",
            elapsed.as_secs()
        )
    }
}

impl ProgressLines {
    fn start(every: std::time::Duration) -> ProgressLines {
        let counts = Arc::new(Counts::default());
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let seen = Arc::clone(&counts);
        let started = std::time::Instant::now();
        let ticker = std::thread::spawn(move || {
            // A message or a dropped sender both end it.
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(every)
            {
                eprintln!("{}", seen.line(started.elapsed()));
            }
        });
        ProgressLines {
            counts,
            stop,
            ticker,
        }
    }

    fn stop(self) {
        drop(self.stop);
        // A ticker that panicked printing to a closed stderr has nothing left to say.
        let _ = self.ticker.join();
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_progress_line_counts_accounts_once_they_are_known() {
        let counts = Counts::default();
        let t = std::time::Duration::from_secs(20);
        assert_eq!(
            counts.line(t),
            "collecting: finding the accounts to read, 0 AWS calls, 20s elapsed"
        );
        counts.accounts(25);
        counts.call();
        counts.account_done();
        assert_eq!(
            counts.line(t),
            "collecting: 1/25 accounts done, 1 AWS calls, 20s elapsed"
        );
    }
}
