//! `trailguard collect`.

use super::RunError;
use crate::cli::{Cli, CollectArgs};

/// Runs `trailguard collect`.
pub fn run(_cli: &Cli, _args: &CollectArgs) -> Result<u8, RunError> {
    Err(RunError("`collect` is not implemented yet".into()))
}
