//! The JSON format of `verify-logs`: the [`Verification`] itself
//! (`trailguard.verification/v1`), and its JSON Schema, committed as
//! `src/report/verification-v1.schema.json`.

use std::io::{self, Write};

use crate::verify::Verification;

/// The report as pretty JSON with a trailing newline.
pub fn render(report: &Verification, out: &mut dyn Write) -> io::Result<()> {
    crate::report::json::write_pretty(report, out)
}

/// The JSON Schema of [`Verification`], as committed in
/// `src/report/verification-v1.schema.json`.
pub fn verification_json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Verification)).unwrap_or_default()
}
