//! trailguard audits AWS CloudTrail set-up against declarative rules.
//!
//! The pipeline, every stage in the order data flows (one way, top to bottom):
//!
//! 1. [`cli`] — the command line as typed (clap).
//! 2. [`settings`] — the flags, `trailguard.yaml` (read by [`config`]) and the environment,
//!    resolved once into typed settings; nothing below sees the command line.
//! 3. `collect` (cargo feature `aws`) — the only code that talks to AWS: reads the accounts, or
//!    a whole organization, into an inventory. Every failed read is kept as data.
//! 4. [`inventory`] — plain, versioned data: what was read and what could not be; saved by
//!    `collect -o`, re-read by `check --inventory`.
//! 5. [`rules`] — the declarative rule pack, loaded and validated; [`waivers`] — accepted
//!    failures with owners and expiry dates.
//! 6. [`evaluate`] — pure and synchronous: rules × inventory → sorted [`finding`]s, unread data
//!    as ERROR.
//! 7. [`baseline`] marks what is new since a previous report; [`gate`] decides pass or fail.
//! 8. [`report`] — text, JSON, SARIF, JUnit and Markdown ([`frameworks`] folds findings into
//!    controls); [`diff`] compares two reports.
//! 9. [`exit`] — the exit status (0 compliant, 1 not, 2 could not run) and the typed errors.
//!
//! [`app`] runs one command through these stages. Beneath them, imported by any stage:
//! [`vocabulary`] (severity, status, scope, resource types, fingerprints), [`document`] (YAML
//! with positions and the diagnostics that point into it), [`files`] (bounded reads, safe
//! writes) and [`json_error`] (`line:col` of a bad JSON file).
//! [`filter_pattern`] parses CloudWatch Logs filter patterns and evaluates them on events.
//! [`verify`] proves delivered logs intact: digest chains and log hashes, pure functions over
//! fetched bytes (cargo feature `aws`), and the report model its renderers read (`verify-logs`).

// The stages, in order (one per line so that rustfmt keeps the order).
pub mod cli;

pub mod settings;

pub mod config;

#[cfg(feature = "aws")]
pub mod collect;

pub mod inventory;

pub mod rules;

pub mod waivers;

pub mod evaluate;

pub mod verify;

pub mod finding;

pub mod baseline;

pub mod gate;

pub mod report;

pub mod frameworks;

pub mod diff;

pub mod exit;

// Runs a command through the stages.
pub mod app;

// Beneath the stages.
pub mod document;
pub mod files;
pub mod filter_pattern;
pub mod json_error;
mod parallel;
pub mod vocabulary;
