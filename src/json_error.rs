//! Where a JSON file (an inventory, a report) went wrong, as a `line:col` a person can use.
//!
//! serde_json reports a 1-based line and a column counted in bytes, with column 0 when the
//! error comes before anything on that line was read (the end of a file that ends in a newline)
//! and no position at all for errors raised after parsing. Every reader of JSON files goes
//! through here, so each rejection names `file:line:col` with a column in characters.

use std::fmt;

use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, Visitor};

/// A position in a text: 1-based line, 1-based column in characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextPos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl fmt::Display for TextPos {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}

impl TextPos {
    /// The start of a file.
    pub const START: TextPos = TextPos { line: 1, column: 1 };

    /// The position of a byte offset (clamped to the text, moved back to a character
    /// boundary).
    pub fn at_offset(text: &str, offset: usize) -> TextPos {
        let mut offset = offset.min(text.len());
        while !text.is_char_boundary(offset) {
            offset -= 1;
        }
        let before = &text[..offset];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        TextPos {
            line: before.matches('\n').count() + 1,
            column: before[line_start..].chars().count() + 1,
        }
    }
}

/// A serde_json error as a position in `text` and a message without serde_json's own
/// " at line L column C" suffix. A data error (wrong type, unknown field, a value a reader
/// refused) is placed at the start of the key or value at fault: serde_json places it at the
/// last byte it read, which is the end of a string or number, or just before a value it only
/// peeked at.
pub fn describe(text: &str, err: &serde_json::Error) -> (TextPos, String) {
    let mut message = err.to_string();
    let suffix = format!(" at line {} column {}", err.line(), err.column());
    if message.ends_with(&suffix) {
        message.truncate(message.len() - suffix.len());
    }
    if err.line() == 0 {
        // Raised with no position (after parsing): the start of the file is all we know.
        return (TextPos::START, message);
    }
    if text.trim().is_empty() {
        return (TextPos::START, "the file is empty".to_owned());
    }
    if err.column() == 0 {
        return (end_before_line(text, err.line()), message);
    }
    let mut at = offset(text, err.line(), err.column());
    if err.classify() == serde_json::error::Category::Data {
        at = token_start(text, at);
    }
    (TextPos::at_offset(text, at), message)
}

/// The position of serde_json's `(line, byte column)`, moved to the start of a string or
/// number that ends there (for errors raised right after reading a value).
pub fn value_start(text: &str, line: usize, byte_column: usize) -> TextPos {
    if byte_column == 0 {
        return end_before_line(text, line);
    }
    TextPos::at_offset(text, token_start(text, offset(text, line, byte_column)))
}

/// Where the value of the top-level object's `key` starts (the start of the file when there
/// is no such key), for problems found after parsing (a version not supported). A second
/// parse fails on purpose right after reading that value, and serde_json says where it was.
pub fn top_level_value_position(text: &str, key: &str) -> TextPos {
    let mut de = serde_json::Deserializer::from_str(text);
    match de::Deserializer::deserialize_map(&mut de, FindKey(key)) {
        Err(e) if e.line() > 0 && e.to_string().starts_with(STOP) => {
            value_start(text, e.line(), e.column())
        }
        _ => TextPos::START,
    }
}

const STOP: &str = "stopped after the value";

/// Skips the top-level entries up to `key`, then fails right after its value.
struct FindKey<'k>(&'k str);

impl<'de> Visitor<'de> for FindKey<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key::<String>()? {
            if key == self.0 {
                return map.next_value_seed(StopAfterValue);
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// Reads one value and fails inside serde_json's own call, so the error carries the position
/// of the value's last byte (an error raised later would be placed after the enclosing `}`).
struct StopAfterValue;

impl<'de> DeserializeSeed<'de> for StopAfterValue {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for StopAfterValue {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any value")
    }

    fn visit_bool<E: de::Error>(self, _: bool) -> Result<(), E> {
        Err(E::custom(STOP))
    }

    fn visit_i64<E: de::Error>(self, _: i64) -> Result<(), E> {
        Err(E::custom(STOP))
    }

    fn visit_u64<E: de::Error>(self, _: u64) -> Result<(), E> {
        Err(E::custom(STOP))
    }

    fn visit_f64<E: de::Error>(self, _: f64) -> Result<(), E> {
        Err(E::custom(STOP))
    }

    fn visit_str<E: de::Error>(self, _: &str) -> Result<(), E> {
        Err(E::custom(STOP))
    }

    fn visit_unit<E: de::Error>(self) -> Result<(), E> {
        Err(E::custom(STOP))
    }

    fn visit_seq<A: de::SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Err(de::Error::custom(STOP))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Err(de::Error::custom(STOP))
    }
}

/// serde_json's column 0 means nothing on that line was read yet (the file ended after a
/// newline): the useful position is just after the last character before it.
fn end_before_line(text: &str, line: usize) -> TextPos {
    let content = text[..line_start(text, line)].trim_end();
    if content.is_empty() {
        TextPos::START
    } else {
        TextPos::at_offset(text, content.len())
    }
}

/// The byte offset of serde_json's `(line, byte column)`: the last byte it read.
fn offset(text: &str, line: usize, byte_column: usize) -> usize {
    (line_start(text, line) + byte_column.saturating_sub(1)).min(text.len())
}

/// The start of the token serde_json was at when it raised a data error at `at`.
fn token_start(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    let is_scalar = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'+' | b'.');
    match bytes.get(at) {
        Some(b'"') => string_start(text, at),
        // The value was only peeked at: it starts after this separator.
        Some(b) if b.is_ascii_whitespace() || matches!(b, b':' | b',' | b'[') => {
            let next = at + 1;
            next + (text[next..].len() - text[next..].trim_start().len())
        }
        // The last digit or letter of a number, `true`, `false` or `null`.
        Some(&b) if is_scalar(b) => {
            let mut start = at;
            while start > 0 && is_scalar(bytes[start - 1]) {
                start -= 1;
            }
            start
        }
        _ => at,
    }
}

/// When `at` is the closing quote of a JSON string, the offset of its opening quote (the first
/// quote before it not escaped by an odd run of backslashes); otherwise `at`.
fn string_start(text: &str, at: usize) -> usize {
    let bytes = text.as_bytes();
    if bytes.get(at) != Some(&b'"') {
        return at;
    }
    let mut i = at;
    while i > 0 {
        i -= 1;
        if bytes[i] == b'"' {
            let backslashes = bytes[..i].iter().rev().take_while(|&&b| b == b'\\').count();
            if backslashes % 2 == 0 {
                return i;
            }
        }
    }
    at
}

/// The byte offset where 1-based `line` starts (the end of the text when it has fewer lines).
fn line_start(text: &str, line: usize) -> usize {
    if line <= 1 {
        return 0;
    }
    text.match_indices('\n')
        .nth(line - 2)
        .map_or(text.len(), |(i, _)| i + 1)
}

/// The kind of the top-level JSON value and where it starts, or `None` for an empty text.
/// Readers refuse anything but an object up front: serde would otherwise read an array as the
/// fields of a struct in order and complain about its first item.
pub fn top_level(text: &str) -> Option<(TextPos, &'static str)> {
    let start = text.len() - text.trim_start().len();
    let kind = match text[start..].chars().next()? {
        '{' => "an object",
        '[' => "an array",
        '"' => "a string",
        't' | 'f' => "a boolean",
        'n' => "null",
        c if c == '-' || c.is_ascii_digit() => "a number",
        _ => "not JSON",
    };
    Some((TextPos::at_offset(text, start), kind))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn err_of(text: &str) -> serde_json::Error {
        match serde_json::from_str::<serde_json::Value>(text) {
            Ok(_) => panic!("{text:?} parsed"),
            Err(e) => e,
        }
    }

    #[test]
    fn columns_count_characters_not_bytes() {
        let text = "{\"é\": tru}";
        let (pos, message) = describe(text, &err_of(text));
        assert_eq!(
            pos,
            TextPos {
                line: 1,
                column: 10
            },
            "{message}"
        );
        assert!(!message.contains("at line"), "{message}");
    }

    #[test]
    fn end_of_file_after_a_newline_points_after_the_last_character() {
        let text = "{\n  \"a\": [1,\n\n";
        let (pos, message) = describe(text, &err_of(text));
        assert_eq!(message, "EOF while parsing a value");
        assert_eq!(
            pos,
            TextPos {
                line: 2,
                column: 11
            }
        );
    }

    #[test]
    fn empty_files_are_named_as_such() {
        for text in ["", "  \n\n"] {
            let (pos, message) = describe(text, &err_of(text));
            assert_eq!(
                (pos, message.as_str()),
                (TextPos::START, "the file is empty")
            );
        }
    }

    #[test]
    fn top_level_kind() {
        assert_eq!(
            top_level("\n  [1]"),
            Some((TextPos { line: 2, column: 3 }, "an array"))
        );
        assert_eq!(top_level("{}").map(|t| t.1), Some("an object"));
        assert_eq!(top_level(" "), None);
    }
}
