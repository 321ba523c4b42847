//! Helpers shared by the integration tests (`crate::support::…`).

pub mod chains;
pub mod cli;
pub mod collected;
pub mod emulator;
pub mod faults;
pub mod fixtures;
pub mod paths;
pub mod report_fixture;
pub mod schema;
pub mod verification_fixture;

pub use chains::*;
pub use emulator::*;
pub use paths::repo_root;
