//! `trailguard diff`: read two reports, print the drift. Reports; never gates.

use std::io::{IsTerminal, Write};

use super::{EXIT_OK, RunError, output};
use crate::baseline::ReportFile;
use crate::cli::diff::{DiffArgs, DiffFormat, DiffOutput};
use crate::cli::{Cli, ColorChoice};
use crate::diff;
use crate::files::write::FileSet;

/// Runs `trailguard diff`: exit 0 when the drift was written, an error (exit 2) when a report
/// cannot be read or an output cannot be written.
pub fn run(cli: &Cli, args: &DiffArgs) -> Result<u8, RunError> {
    let outputs = if args.output.is_empty() {
        vec![DiffOutput {
            format: DiffFormat::Text,
            path: None,
        }]
    } else {
        args.output.clone()
    };
    if outputs.iter().filter(|o| o.path.is_none()).count() > 1 {
        return Err(RunError(
            "at most one --output may go to stdout; give the others a path (json=drift.json)"
                .into(),
        ));
    }
    let old = ReportFile::load(&args.old).map_err(|e| RunError(e.to_string()))?;
    let new = ReportFile::load(&args.new).map_err(|e| RunError(e.to_string()))?;
    let drift = diff::compare(&old, &new);
    // Files are replaced together, once every output is written.
    let mut files = FileSet::new();
    for output in &outputs {
        let color = output.path.is_none()
            && match cli.color {
                ColorChoice::Always => true,
                ColorChoice::Never => false,
                ColorChoice::Auto => {
                    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
                }
            };
        let text = match output.format {
            DiffFormat::Text => diff::render_text(&drift, color),
            DiffFormat::Json => diff::render_json(&drift).map_err(|e| RunError(e.to_string()))?,
        };
        let what = format!("the {} drift", output.format);
        let produce = |out: &mut dyn Write| out.write_all(text.as_bytes());
        match &output.path {
            None => output::to_stdout(&what, produce)?,
            Some(path) => output::to_file(&mut files, &what, path, produce)?,
        }
    }
    output::commit(files)?;
    Ok(EXIT_OK)
}
