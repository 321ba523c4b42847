//! YAML documents with positions, and the diagnostics that point into them: the machinery that
//! rule files, the waivers file and `trailguard.yaml` share, so that each is strict in the same
//! way (unknown keys, duplicate keys, wrong types) and reports every problem at its own
//! `file:line:col`.
//!
//! [`yaml`] parses into located nodes; [`diagnostic`] holds a problem and renders it with the
//! offending line; [`strict`] has the checks every file gets.

pub mod diagnostic;
pub mod strict;
pub mod yaml;

pub use diagnostic::{Diagnostic, ProblemKind, Problems, SourceFile, closest, did_you_mean};
pub use strict::{check_keys, syntax_diagnostic};
pub use yaml::{Key, Node, Pos, Value};
