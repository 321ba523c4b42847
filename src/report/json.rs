//! The JSON format: the [`Report`] itself, and its JSON Schema.

use std::io::{self, Write};

use super::Report;

/// The report as pretty JSON with a trailing newline.
pub fn render(report: &Report, out: &mut dyn Write) -> io::Result<()> {
    // serde_json writes a few bytes at a time; through `dyn Write` each of those is a dynamic
    // call. A buffer of a concrete type here makes them plain copies.
    let mut out = io::BufWriter::with_capacity(1 << 16, out);
    serde_json::to_writer_pretty(&mut out, report)?;
    out.write_all(b"\n")?;
    out.flush()
}

/// The JSON Schema of [`Report`], as committed in `src/report/report-v1.schema.json`.
pub fn json_schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(Report)).unwrap_or_default()
}
