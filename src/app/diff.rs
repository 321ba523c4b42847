//! `trailguard diff`: read two reports, print the drift. Reports; never gates.

use std::io::Write;

use super::output;
use crate::baseline::ReportFile;
use crate::cli::diff::DiffFormat;
use crate::diff;
use crate::exit::{Error, ExitStatus};
use crate::files::write::FileSet;
use crate::settings::Diff;

/// Runs `trailguard diff`: exit 0 when the drift was written, an error (exit 2) when a report
/// cannot be read or an output cannot be written.
pub fn run(settings: &Diff) -> Result<ExitStatus, Error> {
    let old = ReportFile::load(&settings.old)?;
    let new = ReportFile::load(&settings.new)?;
    let drift = diff::compare(&old, &new);
    // Files are replaced together, once every output is written.
    let mut files = FileSet::new();
    for output in &settings.outputs {
        let text = match output.format {
            DiffFormat::Text => diff::render_text(&drift, output.color),
            DiffFormat::Json => diff::render_json(&drift)?,
        };
        let what = format!("the {} drift", output.format);
        let produce = |out: &mut dyn Write| out.write_all(text.as_bytes());
        match &output.path {
            None => output::to_stdout(&what, produce)?,
            Some(path) => output::to_file(&mut files, &what, path, produce)?,
        }
    }
    output::commit(files)?;
    Ok(ExitStatus::Success)
}
