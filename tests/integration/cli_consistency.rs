//! The small promises of the command line (issue 17, item 6): each diagnostic, flag and help
//! text says what the program does, and the program does what they say.

use crate::support::cli::{code, run, stderr, stdout};

const COMPLIANT: &str = "tests/fixtures/inventories/compliant.json";
const WAIVERS: &str = "tests/fixtures/waivers/valid.yaml";

/// Waiver warnings carry one `warning:` prefix, like every other warning.
#[test]
fn waiver_warnings_have_one_prefix() {
    let o = run(&[
        "check",
        "--inventory",
        COMPLIANT,
        "--waivers",
        WAIVERS,
        "--now",
        "2026-06-01T00:00:00Z",
    ]);
    assert_eq!(code(&o), 0, "{}{}", stdout(&o), stderr(&o));
    let err = stderr(&o);
    assert!(!err.contains("warning: warning:"), "{err}");
    let expired = format!("warning: {WAIVERS}:16:5: waiver `old-exception` expired on 2025-06-30");
    assert!(
        err.lines().any(|l| l.starts_with(&expired)),
        "{expired} in:\n{err}"
    );
}
