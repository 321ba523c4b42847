//! `trailguard check` (owned by the rules work).

use super::RunError;
use crate::cli::{CheckArgs, Cli};

/// Runs `trailguard check`.
pub fn run(_cli: &Cli, _args: &CheckArgs) -> Result<u8, RunError> {
    Err(RunError("`check` is not implemented yet".into()))
}
