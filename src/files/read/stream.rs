//! Streaming reads, for parsers that read as they go (the inventory): the file's text is never
//! held in memory next to what is parsed from it, and a device or FIFO that sends something
//! that is not the expected format is refused at its first bytes, not after the limit.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use super::bounded::{InputKind, ReadError, io_error, limit, open_within, too_large_error};

/// A file read within its size limit and checked as UTF-8 while it is read. When this reader
/// stops a parser (too large, not UTF-8, unreadable) the parser sees an I/O error, and
/// [`TextReader::take_failure`] says why.
#[derive(Debug)]
pub struct TextReader {
    file: std::fs::File,
    path: PathBuf,
    kind: InputKind,
    limit: u64,
    regular: bool,
    read: u64,
    utf8: Utf8Check,
    failure: Option<ReadError>,
}

impl TextReader {
    /// Opens a file of this kind; a directory, or a regular file over its limit, is refused
    /// here, before anything is read.
    pub fn open(path: &Path, kind: InputKind) -> Result<TextReader, ReadError> {
        let limit = limit(kind);
        let (file, known) = open_within(path, kind, limit)?;
        Ok(TextReader {
            file,
            path: path.to_path_buf(),
            kind,
            limit,
            regular: known.is_some(),
            read: 0,
            utf8: Utf8Check::default(),
            failure: None,
        })
    }

    /// Whether it is a regular file, which can be opened and read again.
    pub fn is_regular(&self) -> bool {
        self.regular
    }

    /// Why reading stopped, when this reader stopped it rather than the parser.
    pub fn take_failure(&mut self) -> Option<ReadError> {
        self.failure.take()
    }

    fn stop(&mut self, failure: ReadError) -> io::Error {
        let error = io::Error::other(failure.to_string());
        self.failure = Some(failure);
        error
    }

    fn read_file(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            match self.file.read(buf) {
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                other => return other,
            }
        }
    }
}

impl Read for TextReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if let Some(failure) = &self.failure {
            return Err(io::Error::other(failure.to_string()));
        }
        // Never more than one byte past the limit: enough to tell "over" from "at".
        let room = self.limit.saturating_add(1).saturating_sub(self.read);
        let want = buf.len().min(usize::try_from(room).unwrap_or(usize::MAX));
        let n = match self.read_file(&mut buf[..want]) {
            Ok(n) => n,
            Err(e) => {
                let copy = io::Error::new(e.kind(), e.to_string());
                return Err(self.stop(io_error(&self.path, self.kind, copy)));
            }
        };
        self.read += n as u64;
        if self.read > self.limit {
            let failure = too_large_error(&self.path, self.kind, None, self.limit);
            return Err(self.stop(failure));
        }
        if let Err((line, column, byte)) = self.utf8.feed(&buf[..n]) {
            let failure = ReadError::NotUtf8 {
                path: self.path.display().to_string(),
                line,
                column,
                byte,
            };
            return Err(self.stop(failure));
        }
        Ok(n)
    }
}

/// Incremental UTF-8 validation that knows the line and column it is at.
#[derive(Debug, Default)]
struct Utf8Check {
    /// The start of a character cut by the end of the previous chunk (at most 3 bytes).
    pending: Vec<u8>,
    /// Newlines seen.
    newlines: usize,
    /// Characters since the last newline.
    column: usize,
}

impl Utf8Check {
    /// Checks the next chunk (empty at the end of the input); on a bad byte, its 1-based line
    /// and column and the byte.
    fn feed(&mut self, chunk: &[u8]) -> Result<(), (usize, usize, u8)> {
        let joined;
        let data = if self.pending.is_empty() {
            chunk
        } else {
            self.pending.extend_from_slice(chunk);
            joined = std::mem::take(&mut self.pending);
            joined.as_slice()
        };
        let error = match std::str::from_utf8(data) {
            Ok(_) => {
                self.advance(data);
                return Ok(());
            }
            Err(e) => e,
        };
        let valid = error.valid_up_to();
        self.advance(&data[..valid]);
        match error.error_len() {
            // A character cut by the chunk's end: complete it with the next chunk.
            None if !chunk.is_empty() => {
                self.pending = data[valid..].to_vec();
                Ok(())
            }
            _ => Err((self.newlines + 1, self.column + 1, data[valid])),
        }
    }

    fn advance(&mut self, text: &[u8]) {
        // Counting non-continuation bytes counts characters: the text is valid UTF-8.
        let chars = |bytes: &[u8]| bytes.iter().filter(|&&b| b & 0xC0 != 0x80).count();
        match text.iter().rposition(|&b| b == b'\n') {
            Some(last) => {
                self.newlines += text.iter().filter(|&&b| b == b'\n').count();
                self.column = chars(&text[last + 1..]);
            }
            None => self.column += chars(text),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_in_pieces(text: &[u8], piece: usize) -> Result<(), (usize, usize, u8)> {
        let mut check = Utf8Check::default();
        for chunk in text.chunks(piece) {
            check.feed(chunk)?;
        }
        check.feed(&[])
    }

    #[test]
    fn characters_cut_by_chunk_ends_are_valid() {
        let text = "a\u{e9}\n\u{20ac}\u{1f600}z\n".as_bytes();
        for piece in 1..=text.len() {
            assert_eq!(check_in_pieces(text, piece), Ok(()), "piece {piece}");
        }
    }

    #[test]
    fn the_first_bad_byte_is_located_whatever_the_chunks() {
        let text = b"ok\n\xc3\xa9\xe2\x82\xac x \xff\n";
        for piece in 1..=text.len() {
            assert_eq!(
                check_in_pieces(text, piece),
                Err((2, 6, 0xFF)),
                "piece {piece}"
            );
        }
        // A character cut by the end of the input.
        assert_eq!(check_in_pieces(b"ab\xe2\x82", 1), Err((1, 3, 0xE2)));
    }
}
