//! Renderers of a `verify-logs` report ([`Verification`]): the same formats as `scan`'s
//! report, from one model, deterministic (times come from the report).

use std::io::{self, Write};

use super::format::{Format, RenderOptions};
use crate::verify::Verification;

/// Renders the verification report in one format.
pub fn render_verification(
    format: Format,
    report: &Verification,
    _options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    // Interim: every format writes the JSON model until the renderers land (issue 18 item 4).
    let _ = format;
    serde_json::to_writer_pretty(&mut *out, report)?;
    writeln!(out)
}
