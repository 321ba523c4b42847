//! The JSON format: the [`Report`] itself, and its JSON Schema.

use std::io::{self, Write};

use serde::Serialize;

use super::Report;

/// The report as pretty JSON with a trailing newline.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    write_pretty(report, out)
}

/// `value` as pretty JSON with a trailing newline (the JSON report and the SARIF log).
pub(super) fn write_pretty(value: &impl Serialize, out: &mut dyn Write) -> io::Result<()> {
    // serde_json writes a few bytes at a time; through `dyn Write` each of those is a dynamic
    // call. A buffer of a concrete type here makes them plain copies.
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, value)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The JSON Schema of [`Report`], as committed in `src/report/report-v1.schema.json`.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default()
}
