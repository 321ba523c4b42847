//! The integration tests: one binary (one link, one process, one shared emulator), one module
//! per area, and one `support` module with every helper they share.
//!
//! Run one area with a filter on its module path, e.g.
//! `cargo test --test integration rules_cli::` or `cargo test --test integration parsers_fuzz`.
//! Data lives beside it: `tests/fixtures/` (inventories, rules, reports, waivers, schemas),
//! `tests/diagnostics/` (one invalid rule folder per problem kind), `tests/emulator/` (the
//! moto side of the harness) and `tests/integration/snapshots/` (insta).

mod support;

mod baseline_compare;
mod cli_consistency;
mod cli_help;
mod collect_emulator;
mod collect_monitoring;
mod collect_org;
mod credentials_cli;
mod demo_script;
mod diff_cli;
mod emulator_harness;
mod fail_closed;
mod fixtures_load;
mod gate_pipeline;
#[cfg(unix)]
mod input_limits;
mod json_errors;
mod output_files;
mod parsers_fuzz;
mod report_collection;
mod report_demo;
mod report_evidence;
mod report_json;
mod report_junit;
mod report_markdown;
mod report_pipeline;
mod report_sarif;
mod report_text;
mod report_verification;
mod rules_cli;
mod rules_diagnostics;
mod rules_events;
mod rules_filter_texts;
mod rules_language;
mod rules_monitoring;
mod rules_pack;
mod rules_shared;
mod rules_views;
mod scan_emulator;
mod scan_monitoring;
mod scan_org;
mod verify_logs_cli;
mod verify_logs_emulator;
mod verify_logs_run;
mod waivers_file;
