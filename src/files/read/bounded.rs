//! Whole-file reads within a size limit: the kinds of input, their limits, and the errors.

use std::fmt;
use std::io::Read;
use std::path::Path;
use std::sync::OnceLock;

pub(super) const KIB: u64 = 1024;
pub(super) const MIB: u64 = 1024 * KIB;
pub(super) const GIB: u64 = 1024 * MIB;

/// What a file is to trailguard: picks its default size limit and names it in errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InputKind {
    /// A rule file under a `--rules` folder.
    RuleFile,
    /// `trailguard.yaml` / `--config`.
    Config,
    /// A waivers file.
    Waivers,
    /// An inventory (`check --inventory`).
    Inventory,
    /// A JSON report read back (`--baseline`, `diff`).
    Report,
}

impl InputKind {
    /// The default limit. Hand-written YAML gets 1 MiB (the largest built-in rule is 15 KB) and
    /// waivers 4 MiB (about 16,000 waivers); parsing YAML takes about 20 times the file in
    /// memory. An inventory gets 1 GiB (an organization of 10,000 accounts in every region is
    /// a few hundred MiB) and a report 2 GiB (reports are about 5 times their inventory).
    pub const fn default_limit(self) -> u64 {
        match self {
            InputKind::RuleFile | InputKind::Config => MIB,
            InputKind::Waivers => 4 * MIB,
            InputKind::Inventory => GIB,
            InputKind::Report => 2 * GIB,
        }
    }

    /// The name used in messages.
    pub fn name(self) -> &'static str {
        match self {
            InputKind::RuleFile => "rule file",
            InputKind::Config => "config file",
            InputKind::Waivers => "waivers file",
            InputKind::Inventory => "inventory",
            InputKind::Report => "report",
        }
    }

    /// The name with its article: "a rule file", "an inventory".
    pub fn a(self) -> String {
        let article = if self == InputKind::Inventory {
            "an"
        } else {
            "a"
        };
        format!("{article} {}", self.name())
    }

    /// The plural name: "rule files", "inventories".
    pub fn plural(self) -> &'static str {
        match self {
            InputKind::RuleFile => "rule files",
            InputKind::Config => "config files",
            InputKind::Waivers => "waivers files",
            InputKind::Inventory => "inventories",
            InputKind::Report => "reports",
        }
    }
}

impl fmt::Display for InputKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

static MAX_INPUT_SIZE: OnceLock<u64> = OnceLock::new();

/// Sets one size limit for every input file (`--max-input-size`), replacing the per-kind
/// defaults. Call it once, before any file is read; returns false (and changes nothing) when a
/// limit was already set.
pub fn set_max_input_size(bytes: u64) -> bool {
    MAX_INPUT_SIZE.set(bytes).is_ok()
}

/// The size limit in force for a kind of file.
pub fn limit(kind: InputKind) -> u64 {
    MAX_INPUT_SIZE
        .get()
        .copied()
        .unwrap_or(kind.default_limit())
}

/// Why a file could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    /// The file could not be opened or read.
    #[error("cannot read {kind} `{path}`: {source}")]
    Io {
        /// What the file is.
        kind: InputKind,
        /// The file, as given.
        path: String,
        /// Why.
        source: std::io::Error,
    },
    /// A directory was given where a file is read.
    #[error("{kind} `{path}` is a directory, not a file")]
    Directory {
        /// What the file is.
        kind: InputKind,
        /// The path, as given.
        path: String,
    },
    /// The file is larger than its limit.
    #[error("{kind} `{path}` {}; {}", too_large(*.kind, *.size, *.limit), raise_hint(*.size, *.limit))]
    TooLarge {
        /// What the file is.
        kind: InputKind,
        /// The file, as given.
        path: String,
        /// Its length when it is a regular file; `None` when only "more than the limit" is
        /// known (a device or FIFO, or a file that grew while being read).
        size: Option<u64>,
        /// The limit in force.
        limit: u64,
    },
    /// The text is not UTF-8.
    #[error("{path}:{line}:{column}: not valid UTF-8 (byte 0x{byte:02X})")]
    NotUtf8 {
        /// The file, as given.
        path: String,
        /// Line of the first bad byte (1-based).
        line: usize,
        /// Column of the first bad byte (1-based, in characters).
        column: usize,
        /// The first bad byte.
        byte: u8,
    },
}

impl ReadError {
    /// The message without the path, for diagnostics that print the path themselves.
    pub fn detail(&self) -> String {
        match self {
            ReadError::Io { kind, source, .. } => format!("cannot read {kind}: {source}"),
            ReadError::Directory { kind, .. } => format!("this is a directory, not {}", kind.a()),
            ReadError::TooLarge {
                kind, size, limit, ..
            } => format!("the file {}", too_large(*kind, *size, *limit)),
            ReadError::NotUtf8 { byte, .. } => not_utf8(*byte),
        }
    }

    /// What to do about it, when there is something to do.
    pub fn help(&self) -> Option<String> {
        match self {
            ReadError::TooLarge { size, limit, .. } => Some(raise_hint(*size, *limit)),
            _ => None,
        }
    }
}

fn too_large(kind: InputKind, size: Option<u64>, limit: u64) -> String {
    let size = match size {
        Some(n) => format!("is {n} bytes ({})", format_size(n)),
        None => format!("is more than {limit} bytes"),
    };
    format!(
        "{size}, over the {} limit for {}",
        format_size(limit),
        kind.plural()
    )
}

pub(super) fn raise_hint(size: Option<u64>, limit: u64) -> String {
    // Suggest the next power of two that holds the file (twice the limit when its size is
    // unknown), in whole MiB.
    let needed = size.unwrap_or(limit.saturating_mul(2)).max(limit + 1);
    let suggested = needed
        .checked_next_power_of_two()
        .unwrap_or(needed)
        .max(MIB);
    format!(
        "raise the limit with --max-input-size, e.g. --max-input-size {}",
        format_size(suggested).replace(' ', "")
    )
}

fn not_utf8(byte: u8) -> String {
    format!("not valid UTF-8 (byte 0x{byte:02X})")
}

/// A size for people: `512 bytes`, `4 MiB`, `1.5 GiB`.
pub fn format_size(bytes: u64) -> String {
    for (unit, size) in [("GiB", GIB), ("MiB", MIB), ("KiB", KIB)] {
        if bytes >= size {
            return if bytes.is_multiple_of(size) {
                format!("{} {unit}", bytes / size)
            } else {
                format!("{:.1} {unit}", bytes as f64 / size as f64)
            };
        }
    }
    format!("{bytes} bytes")
}

/// Parses a size: a number of bytes with an optional unit, `KiB`/`MiB`/`GiB`/`TiB` (or `K`,
/// `M`, `G`, `T`: powers of 1024) or `KB`/`MB`/`GB`/`TB` (powers of 1000), any case, e.g.
/// `64MiB`, `2GiB`, `1048576`.
pub fn parse_size(text: &str) -> Result<u64, String> {
    let trimmed = text.trim();
    let split = trimmed
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(trimmed.len());
    let (digits, unit) = trimmed.split_at(split);
    let bad = || format!("`{text}` is not a size; write e.g. 64MiB, 2GiB or 1048576");
    let number: u64 = digits.parse().map_err(|_| bad())?;
    let multiplier: u64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "k" | "kib" => KIB,
        "m" | "mib" => MIB,
        "g" | "gib" => GIB,
        "t" | "tib" => 1024 * GIB,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "tb" => 1000 * 1000 * 1000 * 1000,
        _ => return Err(bad()),
    };
    match number.checked_mul(multiplier) {
        Some(0) => Err(format!("`{text}`: the size limit must be at least 1 byte")),
        Some(n) => Ok(n),
        None => Err(format!("`{text}` is too large")),
    }
}

/// Reads a whole file of this kind within its limit ([`limit`]).
pub fn read_bytes(path: &Path, kind: InputKind) -> Result<Vec<u8>, ReadError> {
    read_bytes_within(path, kind, limit(kind))
}

/// Reads a whole file, refusing it when it is longer than `limit` bytes: before reading when
/// it is a regular file, and after at most `limit + 1` bytes otherwise.
pub fn read_bytes_within(path: &Path, kind: InputKind, limit: u64) -> Result<Vec<u8>, ReadError> {
    let (file, known) = open_within(path, kind, limit)?;
    // Sized exactly for a regular file, so reading never doubles the buffer; a device or FIFO
    // grows it as it goes, up to limit + 1 bytes.
    let capacity = known.map_or(8 * 1024, |len| len.saturating_add(1));
    let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    file.take(limit.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(|source| io_error(path, kind, source))?;
    if bytes.len() as u64 > limit {
        // A regular file that grew while it was read has no single size to report.
        return Err(too_large_error(path, kind, None, limit));
    }
    Ok(bytes)
}

/// Opens a file to read and refuses a directory, or a regular file longer than `limit`.
/// Returns the length of a regular file (`None` for a device or FIFO).
pub(super) fn open_within(
    path: &Path,
    kind: InputKind,
    limit: u64,
) -> Result<(std::fs::File, Option<u64>), ReadError> {
    let file = std::fs::File::open(path).map_err(|e| io_error(path, kind, e))?;
    // The open file's own metadata: what is read is what was checked.
    let meta = file.metadata().map_err(|e| io_error(path, kind, e))?;
    if meta.is_dir() {
        return Err(ReadError::Directory {
            kind,
            path: path.display().to_string(),
        });
    }
    let known = meta.is_file().then_some(meta.len());
    if let Some(len) = known.filter(|&len| len > limit) {
        return Err(too_large_error(path, kind, Some(len), limit));
    }
    Ok((file, known))
}

pub(super) fn io_error(path: &Path, kind: InputKind, source: std::io::Error) -> ReadError {
    ReadError::Io {
        kind,
        path: path.display().to_string(),
        source,
    }
}

pub(super) fn too_large_error(
    path: &Path,
    kind: InputKind,
    size: Option<u64>,
    limit: u64,
) -> ReadError {
    ReadError::TooLarge {
        kind,
        path: path.display().to_string(),
        size,
        limit,
    }
}

/// Text that is not UTF-8: where its first bad byte is, and the bytes, given back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotUtf8 {
    /// Line of the first bad byte (1-based).
    pub line: usize,
    /// Column of the first bad byte (1-based, in characters).
    pub column: usize,
    /// Byte offset of the first bad byte.
    pub offset: usize,
    /// The first bad byte.
    pub byte: u8,
    /// The bytes, unchanged.
    pub bytes: Vec<u8>,
}

impl NotUtf8 {
    /// The one-line message, without a location.
    pub fn message(&self) -> String {
        not_utf8(self.byte)
    }
}

/// Decodes bytes as UTF-8 without copying them, or locates the first bad byte.
pub fn into_text(bytes: Vec<u8>) -> Result<String, NotUtf8> {
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        let bytes = e.into_bytes();
        // Everything before the bad byte is valid, so it can be counted as text.
        let before = std::str::from_utf8(&bytes[..offset]).unwrap_or_default();
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        NotUtf8 {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
            offset,
            byte: bytes[offset],
            bytes,
        }
    })
}

/// Reads a whole UTF-8 text file of this kind within its limit.
pub fn read_text(path: &Path, kind: InputKind) -> Result<String, ReadError> {
    into_text(read_bytes(path, kind)?).map_err(|e| ReadError::NotUtf8 {
        path: path.display().to_string(),
        line: e.line,
        column: e.column,
        byte: e.byte,
    })
}
