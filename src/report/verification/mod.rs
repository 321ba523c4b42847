//! Renderers of a `verify-logs` report ([`Verification`]): the same formats as `scan`'s
//! report, from one model, deterministic (times come from the report, never from a clock).

mod json;
mod junit;
mod markdown;
mod sarif;
mod text;
mod view;

use std::io::{self, Write};

use super::format::{Format, RenderOptions};
use crate::verify::Verification;

pub use json::verification_json_schema;

/// Renders the verification report in one format.
pub fn render_verification(
    format: Format,
    report: &Verification,
    options: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Text => text::render(report, options, out),
        Format::Json => json::render(report, out),
        Format::Sarif => sarif::render(report, options, out),
        Format::Junit => junit::render(report, out),
        Format::Markdown => markdown::render(report, out),
    }
}
