//! Helpers shared by the integration tests (`crate::support::…`).

pub mod cli;
pub mod emulator;
pub mod faults;
pub mod report_fixture;

pub use emulator::*;
