//! trailguard audits AWS CloudTrail set-up against declarative rules.
//!
//! The pipeline, in the order data flows:
//!
//! 1. [`cli`] parses the command line; [`app`] wires the stages together.
//! 2. `collect` (feature `aws`) — the only code that talks to AWS; builds an [`inventory::Inventory`].
//! 3. [`inventory`] — plain, versioned data; saved and re-read for offline checks.

pub mod app;
pub mod baseline;
pub mod cli;
#[cfg(feature = "aws")]
pub mod collect;
pub mod config;
pub mod diff;
pub mod document;
pub mod evaluate;
pub mod exit;
pub mod files;
pub mod finding;
pub mod frameworks;
pub mod gate;
pub mod inventory;
pub mod json_error;
mod parallel;
pub mod report;
pub mod rules;
pub mod settings;
pub mod vocabulary;
pub mod waivers;
