//! Peak memory of loading one inventory: `cargo run --release --example inventory_memory -- FILE`.
//!
//! Prints the file size, the process's peak resident set (`VmHWM`, Linux) after
//! `Inventory::load`, and their ratio. `scripts/inventory-memory` runs it next to a whole
//! `check` on a generated inventory; the numbers it prints are the ones quoted in commit messages.

use std::path::PathBuf;
use std::process::ExitCode;

use trailguard::inventory::Inventory;

fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

fn main() -> ExitCode {
    let Some(path) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: inventory_memory FILE");
        return ExitCode::from(2);
    };
    let size = match std::fs::metadata(&path) {
        Ok(m) => m.len(),
        Err(e) => {
            eprintln!("{}: {e}", path.display());
            return ExitCode::from(2);
        }
    };
    let before = peak_rss_bytes().unwrap_or(0);
    let started = std::time::Instant::now();
    let inventory = match Inventory::load(&path) {
        Ok(inv) => inv,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let elapsed = started.elapsed();
    let peak = peak_rss_bytes().unwrap_or(0);
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    println!(
        "load: {} accounts, file {:.1} MiB, {:.2} s, peak RSS {:.1} MiB ({:.1} MiB before \
         loading), {:.2}x the file",
        inventory.accounts.len(),
        mib(size),
        elapsed.as_secs_f64(),
        mib(peak),
        mib(before),
        peak as f64 / size as f64
    );
    ExitCode::SUCCESS
}
