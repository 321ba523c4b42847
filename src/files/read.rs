//! Bounded input: every file trailguard reads (rule files, the config, waivers, inventories,
//! reports) comes through [`read_bytes`] or [`read_text`].
//!
//! A file is never read past its size limit. The limit is checked before reading, from the
//! length of a regular file, and enforced while reading, by reading at most one byte more than
//! the limit, so a device or FIFO (`/dev/stdin`, a pipe, `/dev/zero`) is read within the limit
//! and refused once it goes over it. Text must be UTF-8; the first bad byte is located as
//! `file:line:col`.
//!
//! The limits are process-wide: one global flag (`--max-input-size`) replaces the per-kind
//! defaults, and is set once by the command line before any file is read, so every loader
//! honours it without threading it through each call.

mod bounded;
mod stream;

pub use bounded::{
    InputKind, NotUtf8, ReadError, format_size, into_text, limit, parse_size, read_bytes,
    read_bytes_within, read_text, set_max_input_size,
};
pub use stream::TextReader;

#[cfg(test)]
mod tests;
