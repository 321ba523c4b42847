//! Shared helpers for integration tests. Use from a test file with `mod support;`.
#![allow(dead_code)] // each test binary uses a different subset

pub mod cli;
pub mod emulator;
pub mod faults;

#[allow(unused_imports)] // the offline CLI tests use only `cli`
pub use emulator::*;
