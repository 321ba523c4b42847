//! Structure-aware mutations of real files, as proptest strategies: byte and character flips,
//! truncation at each kind of boundary, duplicated / removed / swapped lines, deep nesting, huge
//! numbers, unicode, tabs, BOM, NUL, CRLF, YAML anchors and (bounded) alias bombs — and edits of
//! the parsed tree (a value replaced, removed, copied elsewhere) so inputs get past the syntax
//! check into the validation behind it.

use proptest::prelude::*;
use proptest::sample::{Index, select};
use serde_json::Value as Json;

/// Tokens that mean something to YAML or JSON, or that parsers get wrong: inserted anywhere.
pub const TOKENS: &[&str] = &[
    "\t",
    "\0",
    "\u{FEFF}",
    "\r",
    "\r\n",
    "\n",
    ": ",
    "- ",
    "? ",
    "{",
    "}",
    "[",
    "]",
    ",",
    "\"",
    "'",
    "|\n",
    ">-\n",
    "&a ",
    "*a",
    "<<: *a\n",
    "!!binary ",
    "!!str ",
    "!custom ",
    "%YAML 1.2\n",
    "%TAG ! tag:x,2024:\n",
    "---\n",
    "...\n",
    "#",
    "~",
    "null",
    "yes",
    "no",
    "true",
    "0x1F",
    "0o17",
    ".inf",
    "-.nan",
    "1e400",
    "-0",
    "99999999999999999999999",
    "-9223372036854775809",
    "18446744073709551616",
    "é",
    "€",
    "😀",
    "\u{200B}",
    "\u{202E}",
    "e\u{0301}",
    "\u{10FFFF}",
    "\\u0000",
    "\\ud800",
    "\\uDFFF",
    "\\",
    "\\x",
    "${x}",
    "*",
    "?",
    "[a-",
    "(?i)",
    "((((a))))",
    "a{1000}",
    "2027-02-30",
    "9999-12-31",
    "\"schema_version\": \"2.0\", ",
    "schema: x\n",
];

/// Numbers that overflow, underflow or are not numbers at all.
const HUGE: &[&str] = &[
    "99999999999999999999999999999999999999",
    "18446744073709551616",
    "-9223372036854775809",
    "1e999999",
    "-1e999999",
    "4.9e-325",
    "0.000000000000000000000000000000000000000000000000001",
    ".nan",
    "-.inf",
    "0x7fffffffffffffff",
    "-0",
    "00012",
];

/// Where a truncation cuts: after a character of one of these kinds.
#[derive(Debug, Clone, Copy)]
pub enum Boundary {
    Anywhere,
    LineEnd,
    Colon,
    Quote,
    Dash,
    Opener,
    Comma,
    InsideChar,
}

impl Boundary {
    fn accepts(self, bytes: &[u8], i: usize) -> bool {
        let before = bytes[i - 1];
        match self {
            Boundary::Anywhere => true,
            Boundary::LineEnd => before == b'\n',
            Boundary::Colon => before == b':',
            Boundary::Quote => before == b'"' || before == b'\'',
            Boundary::Dash => before == b'-',
            Boundary::Opener => before == b'[' || before == b'{',
            Boundary::Comma => before == b',',
            // Between the bytes of one multi-byte character: the reader would reject it.
            Boundary::InsideChar => before >= 0xC0 || (i < bytes.len() && bytes[i] & 0xC0 == 0x80),
        }
    }
}

/// How deep nesting is written.
#[derive(Debug, Clone, Copy)]
pub enum Nest {
    /// `[[[…]]]` (YAML flow or JSON).
    Seqs,
    /// `{"a":{"a":…}}`.
    Maps,
    /// YAML block mappings, one more indent per level.
    Block,
}

/// One edit of the text.
#[derive(Debug, Clone)]
pub enum Mutation {
    FlipByte(Index, u8),
    FlipChar(Index, u32),
    Truncate(Boundary, Index),
    DuplicateLine(Index),
    RemoveLine(Index),
    SwapLines(Index, Index),
    Insert(Index, &'static str),
    HugeNumber(Index, &'static str),
    Tabify(Index),
    Nest(Index, Nest, usize),
    /// `levels` anchors, each a list of `width` aliases of the previous: width^levels nodes
    /// once expanded. Kept small here; the binary is tried with real bombs under a memory limit.
    AliasBomb(Index, usize, usize),
    /// An anchor on one line's value, aliased on another.
    Alias(Index, Index),
    Bom,
    CrLf,
}

fn boundary() -> impl Strategy<Value = Boundary> {
    select(vec![
        Boundary::Anywhere,
        Boundary::LineEnd,
        Boundary::Colon,
        Boundary::Quote,
        Boundary::Dash,
        Boundary::Opener,
        Boundary::Comma,
        Boundary::InsideChar,
    ])
}

/// Any one text mutation.
pub fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        3 => (any::<Index>(), 1..=255u8).prop_map(|(i, m)| Mutation::FlipByte(i, m)),
        2 => (any::<Index>(), 1..0x11_0000u32).prop_map(|(i, m)| Mutation::FlipChar(i, m)),
        3 => (boundary(), any::<Index>()).prop_map(|(b, i)| Mutation::Truncate(b, i)),
        2 => any::<Index>().prop_map(Mutation::DuplicateLine),
        2 => any::<Index>().prop_map(Mutation::RemoveLine),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::SwapLines(a, b)),
        4 => (any::<Index>(), select(TOKENS)).prop_map(|(i, t)| Mutation::Insert(i, t)),
        2 => (any::<Index>(), select(HUGE)).prop_map(|(i, t)| Mutation::HugeNumber(i, t)),
        1 => any::<Index>().prop_map(Mutation::Tabify),
        1 => (any::<Index>(), select(vec![Nest::Seqs, Nest::Maps, Nest::Block]), 1..300usize)
            .prop_map(|(i, n, d)| Mutation::Nest(i, n, d)),
        1 => (any::<Index>(), 1..5usize, 1..10usize)
            .prop_map(|(i, l, w)| Mutation::AliasBomb(i, l, w)),
        1 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| Mutation::Alias(a, b)),
        1 => Just(Mutation::Bom),
        1 => Just(Mutation::CrLf),
    ]
}

/// Byte offsets where each line starts (always at least `[0]`).
fn line_starts(bytes: &[u8]) -> Vec<usize> {
    let mut starts = vec![0];
    starts.extend(
        bytes
            .iter()
            .enumerate()
            .filter(|(_, b)| **b == b'\n')
            .map(|(i, _)| i + 1)
            .filter(|i| *i < bytes.len()),
    );
    starts
}

fn line_range(bytes: &[u8], at: &Index) -> std::ops::Range<usize> {
    let starts = line_starts(bytes);
    let n = at.index(starts.len());
    let end = starts.get(n + 1).copied().unwrap_or(bytes.len());
    starts[n]..end
}

fn nested(kind: Nest, depth: usize) -> String {
    match kind {
        Nest::Seqs => format!("{}{}", "[".repeat(depth), "]".repeat(depth)),
        Nest::Maps => format!("{}1{}", "{\"a\":".repeat(depth), "}".repeat(depth)),
        Nest::Block => {
            let mut s = String::from("\n");
            for level in 0..depth {
                s.push_str(&" ".repeat(level * 2));
                s.push_str("a:\n");
            }
            s
        }
    }
}

fn alias_bomb(levels: usize, width: usize) -> String {
    let mut s = String::from("\nb0: &b0 [lol]\n");
    for level in 1..=levels {
        let items = vec![format!("*b{}", level - 1); width].join(", ");
        s.push_str(&format!("b{level}: &b{level} [{items}]\n"));
    }
    s
}

/// Inserts `anchor` after the first `: ` of one line and an alias of it after another's.
fn alias(bytes: &mut Vec<u8>, anchor: &Index, alias: &Index) {
    for (at, text) in [(alias, &b"*x "[..]), (anchor, &b"&x "[..])] {
        let line = line_range(bytes, at);
        if let Some(colon) = bytes[line.clone()].windows(2).position(|w| w == b": ") {
            let pos = line.start + colon + 2;
            bytes.splice(pos..pos, text.iter().copied());
        }
    }
}

fn flip_char(bytes: &mut Vec<u8>, at: &Index, mask: u32) {
    let text = String::from_utf8_lossy(bytes).into_owned();
    let chars: Vec<char> = text.chars().collect();
    if chars.is_empty() {
        return;
    }
    let i = at.index(chars.len());
    let flipped = char::from_u32(u32::from(chars[i]) ^ mask).unwrap_or('\u{FFFD}');
    let mut out: String = chars[..i].iter().collect();
    out.push(flipped);
    out.extend(&chars[i + 1..]);
    *bytes = out.into_bytes();
}

fn huge_number(bytes: &mut Vec<u8>, at: &Index, with: &str) {
    let mut runs = Vec::new();
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i].is_ascii_digit() {
            let start = i;
            while i < bytes.len() && bytes[i].is_ascii_digit() {
                i += 1;
            }
            runs.push(start..i);
        }
        i += 1;
    }
    if !runs.is_empty() {
        let run = runs[at.index(runs.len())].clone();
        bytes.splice(run, with.bytes());
    }
}

fn truncate(bytes: &mut Vec<u8>, boundary: Boundary, at: &Index) {
    let cuts: Vec<usize> = (1..=bytes.len())
        .filter(|&i| boundary.accepts(bytes, i))
        .collect();
    if !cuts.is_empty() {
        bytes.truncate(cuts[at.index(cuts.len())]);
    }
}

fn edit_lines(bytes: &mut Vec<u8>, m: &Mutation) {
    match m {
        Mutation::DuplicateLine(at) => {
            let line = line_range(bytes, at);
            let copy = bytes[line.clone()].to_vec();
            bytes.splice(line.start..line.start, copy);
        }
        Mutation::RemoveLine(at) => {
            let line = line_range(bytes, at);
            bytes.drain(line);
        }
        Mutation::SwapLines(a, b) => {
            let text = String::from_utf8_lossy(bytes).into_owned();
            let mut lines: Vec<&str> = text.split('\n').collect();
            let (i, j) = (a.index(lines.len()), b.index(lines.len()));
            lines.swap(i, j);
            *bytes = lines.join("\n").into_bytes();
        }
        Mutation::Tabify(at) => {
            let line = line_range(bytes, at);
            let indent = bytes[line.clone()]
                .iter()
                .take_while(|b| **b == b' ')
                .count();
            bytes.splice(line.start..line.start + indent, [b'\t']);
        }
        _ => unreachable!("not a line edit: {m:?}"),
    }
}

/// Applies one mutation to the bytes.
pub fn apply(bytes: &mut Vec<u8>, m: &Mutation) {
    let at_byte = |bytes: &Vec<u8>, i: &Index| i.index(bytes.len() + 1);
    match m {
        Mutation::FlipByte(at, mask) => {
            if !bytes.is_empty() {
                let i = at.index(bytes.len());
                bytes[i] ^= mask;
            }
        }
        Mutation::FlipChar(at, mask) => flip_char(bytes, at, *mask),
        Mutation::Truncate(boundary, at) => truncate(bytes, *boundary, at),
        Mutation::Insert(at, token) => {
            let i = at_byte(bytes, at);
            bytes.splice(i..i, token.bytes());
        }
        Mutation::HugeNumber(at, with) => huge_number(bytes, at, with),
        Mutation::Nest(at, kind, depth) => {
            let i = at_byte(bytes, at);
            bytes.splice(i..i, nested(*kind, *depth).into_bytes());
        }
        Mutation::AliasBomb(at, levels, width) => {
            let i = line_range(bytes, at).start;
            bytes.splice(i..i, alias_bomb(*levels, *width).into_bytes());
        }
        Mutation::Alias(anchor, alias_at) => alias(bytes, anchor, alias_at),
        Mutation::Bom => bytes.splice(0..0, "\u{FEFF}".bytes()).for_each(drop),
        Mutation::CrLf => {
            *bytes = String::from_utf8_lossy(bytes)
                .replace('\n', "\r\n")
                .into_bytes()
        }
        _ => edit_lines(bytes, m),
    }
}

/// An edit of the parsed tree (JSON, or YAML read as JSON and written back as flow YAML).
#[derive(Debug, Clone)]
pub enum TreeEdit {
    Replace(Index, Piece),
    Remove(Index),
    /// Copies one node over another: same shapes in the wrong places.
    Copy(Index, Index),
}

/// A value put in the tree.
#[derive(Debug, Clone)]
pub enum Piece {
    Fixed(&'static str),
    Deep(usize),
    Long(usize),
    Text(String),
}

const VALUES: &[&str] = &[
    "null",
    "true",
    "false",
    "0",
    "-1",
    "9223372036854775807",
    "18446744073709551615",
    "1.7976931348623157e308",
    "-0.0",
    "\"\"",
    "\"*\"",
    "\"2026-01-01T00:00:00Z\"",
    "\"arn:aws:cloudtrail:us-east-1:111111111111:trail/x\"",
    "\"111111111111\"",
    "[]",
    "{}",
    "[null]",
    "{\"\": null}",
];

/// Any one tree edit.
pub fn tree_edit() -> impl Strategy<Value = TreeEdit> {
    let piece = prop_oneof![
        4 => select(VALUES).prop_map(Piece::Fixed),
        1 => (1..200usize).prop_map(Piece::Deep),
        1 => (1..100_000usize).prop_map(Piece::Long),
        2 => any::<String>().prop_map(Piece::Text),
    ];
    prop_oneof![
        3 => (any::<Index>(), piece).prop_map(|(i, p)| TreeEdit::Replace(i, p)),
        2 => any::<Index>().prop_map(TreeEdit::Remove),
        2 => (any::<Index>(), any::<Index>()).prop_map(|(a, b)| TreeEdit::Copy(a, b)),
    ]
}

fn piece_value(piece: &Piece) -> Json {
    match piece {
        Piece::Fixed(text) => serde_json::from_str(text).unwrap_or(Json::Null),
        Piece::Deep(depth) => (0..*depth).fold(Json::Null, |v, _| Json::Array(vec![v])),
        Piece::Long(len) => Json::String("x".repeat(*len)),
        Piece::Text(s) => Json::String(s.clone()),
    }
}

/// JSON pointers of every node but the root, in document order.
fn pointers(value: &Json, at: &str, out: &mut Vec<String>) {
    let children: Vec<(String, &Json)> = match value {
        Json::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, v)| (i.to_string(), v))
            .collect(),
        Json::Object(map) => map
            .iter()
            .map(|(k, v)| (k.replace('~', "~0").replace('/', "~1"), v))
            .collect(),
        _ => Vec::new(),
    };
    for (key, child) in children {
        let path = format!("{at}/{key}");
        out.push(path.clone());
        pointers(child, &path, out);
    }
}

fn remove(root: &mut Json, pointer: &str) {
    let (parent, key) = pointer.rsplit_once('/').unwrap_or(("", pointer));
    let key = key.replace("~1", "/").replace("~0", "~");
    match root.pointer_mut(parent) {
        Some(Json::Object(map)) => {
            map.remove(&key);
        }
        Some(Json::Array(items)) => {
            if let Ok(i) = key.parse::<usize>()
                && i < items.len()
            {
                items.remove(i);
            }
        }
        _ => {}
    }
}

/// Applies one edit to the tree.
pub fn edit_tree(root: &mut Json, edit: &TreeEdit) {
    let mut all = Vec::new();
    pointers(root, "", &mut all);
    if all.is_empty() {
        return;
    }
    match edit {
        TreeEdit::Replace(at, piece) => {
            if let Some(slot) = root.pointer_mut(&all[at.index(all.len())]) {
                *slot = piece_value(piece);
            }
        }
        TreeEdit::Remove(at) => remove(root, &all[at.index(all.len())]),
        TreeEdit::Copy(from, to) => {
            let value = root.pointer(&all[from.index(all.len())]).cloned();
            if let (Some(value), Some(slot)) = (value, root.pointer_mut(&all[to.index(all.len())]))
            {
                *slot = value;
            }
        }
    }
}
