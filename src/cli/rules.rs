//! `trailguard rules` options (owned by the rules work).

use clap::Args;

/// `trailguard rules`.
#[derive(Debug, Clone, Args)]
pub struct RulesArgs {}
