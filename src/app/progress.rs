//! Progress of a live command on stderr (never with `-q`): a bar on a terminal; without one
//! (CI logs), a line every interval, so a long organization run shows it is alive.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use crate::collect::{Progress, ProgressSink};
use crate::settings::Ui;

/// Runs `work` with a progress observer as `ui` asks (a bar, lines, or none), labelled with
/// what the command does (`collecting`, `verifying`); the bar is cleared and the lines stopped
/// when it returns.
pub fn with_progress<T>(ui: &Ui, label: &'static str, work: impl FnOnce(ProgressSink) -> T) -> T {
    let bar = ui.progress.then(|| progress_bar(label));
    let lines = ui
        .progress_lines
        .map(|every| ProgressLines::start(label, every));
    let sink: Option<Arc<dyn Progress>> = match (&bar, &lines) {
        (Some(b), _) => Some(Arc::new(b.clone())),
        (None, Some(l)) => Some(l.counts.clone()),
        (None, None) => None,
    };
    let result = work(ProgressSink(sink));
    if let Some(b) = bar {
        b.0.finish_and_clear();
    }
    if let Some(l) = lines {
        l.stop();
    }
    result
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
    fn line(&self, label: &str, elapsed: std::time::Duration) -> String {
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
            "{label}: {accounts}, {calls} AWS calls, {}s elapsed",
            elapsed.as_secs()
        )
    }
}

impl ProgressLines {
    fn start(label: &'static str, every: std::time::Duration) -> ProgressLines {
        let counts = Arc::new(Counts::default());
        let (stop, stopped) = std::sync::mpsc::channel::<()>();
        let seen = Arc::clone(&counts);
        let started = std::time::Instant::now();
        let ticker = std::thread::spawn(move || {
            // A message or a dropped sender both end it.
            while let Err(std::sync::mpsc::RecvTimeoutError::Timeout) = stopped.recv_timeout(every)
            {
                eprintln!("{}", seen.line(label, started.elapsed()));
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
fn progress_bar(label: &str) -> Bar {
    let bar = indicatif::ProgressBar::new(1);
    let template = format!("{{spinner}} {label} {{pos}}/{{len}} accounts · {{msg}} · {{elapsed}}");
    bar.set_style(
        indicatif::ProgressStyle::with_template(&template)
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.enable_steady_tick(std::time::Duration::from_millis(120));
    Bar(bar, Arc::new(AtomicU64::new(0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_progress_line_counts_accounts_once_they_are_known() {
        let counts = Counts::default();
        let t = std::time::Duration::from_secs(20);
        assert_eq!(
            counts.line("collecting", t),
            "collecting: finding the accounts to read, 0 AWS calls, 20s elapsed"
        );
        counts.accounts(25);
        counts.call();
        counts.account_done();
        assert_eq!(
            counts.line("collecting", t),
            "collecting: 1/25 accounts done, 1 AWS calls, 20s elapsed"
        );
        // Each live command says what it is doing.
        assert_eq!(
            counts.line("verifying", t),
            "verifying: 1/25 accounts done, 1 AWS calls, 20s elapsed"
        );
    }
}
