//! `trailguard check` options (owned by the rules work).

use std::path::PathBuf;

use clap::Args;

/// `trailguard check`.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// Inventory file written by `trailguard collect`.
    #[arg(long, required = true, value_name = "FILE")]
    pub inventory: Vec<PathBuf>,
}
