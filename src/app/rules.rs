//! `trailguard rules` (owned by the rules work).

use super::RunError;
use crate::cli::{Cli, RulesArgs};

/// Runs `trailguard rules`.
pub fn run(_cli: &Cli, _args: &RulesArgs) -> Result<u8, RunError> {
    Err(RunError("`rules` is not implemented yet".into()))
}
