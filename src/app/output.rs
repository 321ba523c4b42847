//! Where command output goes: stdout, or files through the safe writer
//! ([`crate::files::write`]). A write error is exit 2 with one line naming the destination; a
//! reader that closed its pipe (`| head`) ends the output quietly and the exit status stays
//! what the run decided.

use std::io::{self, BufWriter, ErrorKind, Write};
use std::path::Path;

use crate::exit::OutputError;
use crate::files::write::{self, FileSet, WriteError};

/// Writes `what` (e.g. "the json report") to stdout.
pub fn to_stdout<F>(what: &str, produce: F) -> Result<(), OutputError>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    let mut out = BufWriter::new(io::stdout().lock());
    // The explicit flush matters: bytes still buffered at exit are flushed with errors ignored.
    match produce(&mut out).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(source) => Err(OutputError::Stdout {
            what: what.to_owned(),
            source,
        }),
    }
}

/// Writes `what` to `path` as part of `files` (committed together by [`commit`]).
pub fn to_file<F>(
    files: &mut FileSet,
    what: &str,
    path: &Path,
    produce: F,
) -> Result<(), OutputError>
where
    F: FnOnce(&mut dyn Write) -> io::Result<()>,
{
    quiet_on_broken_pipe(files.write_with(path, produce), what)
}

/// Writes one file on its own.
// Only `collect` and `scan` write a lone file, and both need the `aws` feature.
#[cfg_attr(not(feature = "aws"), allow(dead_code))]
pub fn to_one_file(what: &str, path: &Path, contents: &[u8]) -> Result<(), OutputError> {
    quiet_on_broken_pipe(write::write(path, contents), what)
}

/// Replaces every file of `files`.
pub fn commit(files: FileSet) -> Result<(), OutputError> {
    files.commit().map_err(OutputError::Replace)
}

/// A FIFO (or `/dev/stdout`) whose reader went away is treated like a closed stdout.
fn quiet_on_broken_pipe(result: Result<(), WriteError>, what: &str) -> Result<(), OutputError> {
    match result {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == ErrorKind::BrokenPipe => Ok(()),
        Err(source) => Err(OutputError::File {
            what: what.to_owned(),
            source,
        }),
    }
}
