//! Shared helpers for integration tests. Use from a test file with `mod support;`.
#![allow(dead_code)] // each test binary uses a different subset

pub mod emulator;

pub use emulator::*;
