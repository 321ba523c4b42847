//! Helpers shared by the integration tests (`crate::support::…`).

pub mod cli;
pub mod collected;
pub mod emulator;
pub mod faults;
pub mod fixtures;
pub mod report_fixture;
pub mod schema;

use std::path::PathBuf;

pub use emulator::*;

/// The repository root (where Cargo.toml is): tests name files relative to it.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}
