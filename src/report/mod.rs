//! Reports: one [`Report`] per run, rendered as text, JSON, SARIF, JUnit or Markdown.
//!
//! Collection is the slow part, so a run builds its report once ([`Report::build`]) and renders
//! it as often as `--output` asks ([`render`]). Renderers are pure: the same report gives the
//! same bytes (times come from the report, never from a clock).

mod build;
mod collection;
mod convert;
mod describe;
mod format;
mod json;
mod junit;
mod markdown;
mod model;
mod sarif;
mod text;
mod verification;

use std::io::{self, Write};

pub use collection::collection_errors;
pub use describe::evidence_lines;
pub use format::{Format, RenderOptions, UnknownFormat};
pub use json::json_schema;
pub use model::{
    Annotations, AppliedWaiver, BaselineState, CollectionError, GateSummary, Mode, RemediationInfo,
    Report, ReportFinding, ReportInput, ResolvedFinding, RuleInfo, RulePack, RuleSource, RunInfo,
    SCHEMA, SeverityCounts, Summary, Tool, WaiverEntry, WaiverReport,
};
pub use verification::{render_verification, verification_json_schema};

/// Renders the report in one format.
pub fn render(
    format: Format,
    report: &Report,
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
