//! The raw layer: a YAML document as a tree of nodes that each know where they are.
//!
//! serde-saphyr parses (and rejects duplicate keys and syntax errors with a location); we keep
//! every node's line, column and byte range so that the validation layer above can report all
//! problems of a file, each at its own `file:line:col`, instead of stopping at the first one as
//! a plain `#[derive(Deserialize)]` would.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;

/// Where a node starts in its file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column (characters).
    pub column: usize,
    /// Byte offset of the start.
    pub offset: usize,
    /// Length in bytes (at least 1 for display).
    pub len: usize,
}

/// A YAML value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// `~`, `null` or nothing.
    Null,
    /// `true` / `false`.
    Bool(bool),
    /// An integer.
    Int(i64),
    /// A floating-point number.
    Float(f64),
    /// A string (quoted or plain).
    Str(String),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in file order; keys are strings.
    Map(Vec<(Key, Node)>),
}

/// A mapping key and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Key {
    /// The key text.
    pub name: String,
    /// Its position.
    pub pos: Pos,
}

/// A value and where it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The value.
    pub value: Value,
    /// Its position.
    pub pos: Pos,
}

impl Node {
    /// A short name of the node's YAML type, for messages.
    pub fn type_name(&self) -> &'static str {
        match &self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a list",
            Value::Map(_) => "a mapping",
        }
    }

    /// The string, when the node is one.
    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The entries, when the node is a mapping.
    pub fn as_map(&self) -> Option<&[(Key, Node)]> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    /// The items, when the node is a sequence.
    pub fn as_seq(&self) -> Option<&[Node]> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// The node as plain JSON (for test subjects and parameter values).
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => items.iter().map(Node::to_json).collect(),
            Value::Map(entries) => serde_json::Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| (k.name.clone(), v.to_json()))
                    .collect(),
            ),
        }
    }
}

/// Why a document could not be parsed at all.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct SyntaxError {
    /// What the parser said, without its own location prefix or snippet.
    pub message: String,
    /// Where, when known.
    pub pos: Option<Pos>,
}

/// How many events alias expansion may replay in one document. Rule, config and waiver files
/// need no aliases (the rule-language docs advise against them); this leaves room for a few
/// shared values while a "billion laughs" document stops after a few MiB of tree.
const MAX_REPLAYED_EVENTS: usize = 100_000;

/// Below this many aliases serde-saphyr's alias/anchor ratio heuristic stays quiet (its default
/// is 100). The built-in monitoring rules (CT-F) build each test subject from a few shared
/// anchors merged with `<<`, some 150 aliases of 6 anchors per file; the replay budget above,
/// not the ratio, is what bounds an alias bomb.
const MIN_ALIASES_FOR_RATIO: usize = 1_000;

/// Parses one YAML document into a located tree.
pub fn parse(text: &str) -> Result<Node, SyntaxError> {
    // The byte limit of the file (`files::read`) bounds plain content, so these budgets grow
    // with the text: a file within its limit is never refused by a hidden smaller one. Alias
    // expansion, the one way a small file becomes a large tree, has its own fixed budget.
    let size = text.len();
    let options = serde_saphyr::options! {
        with_snippet: false,
        strict_booleans: true,
        budget: serde_saphyr::budget! {
            max_events: size.max(1_000_000),
            max_nodes: size.max(250_000),
            max_total_scalar_bytes: size.max(64 * 1024 * 1024),
            alias_anchor_min_aliases: MIN_ALIASES_FOR_RATIO,
        },
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: MAX_REPLAYED_EVENTS,
        },
    };
    let raw: Spanned<RawValue> =
        serde_saphyr::from_str_with_options(text, options).map_err(|e| {
            let pos = e.location().map(|l| pos_of(text, &l));
            SyntaxError {
                message: clean_message(&e.to_string()),
                pos,
            }
        })?;
    Ok(convert(text, raw))
}

/// Strips serde-saphyr's `error: line N column M: ` prefix; we print the location ourselves.
fn clean_message(message: &str) -> String {
    let first = message.lines().next().unwrap_or(message);
    let rest = first.strip_prefix("error: ").unwrap_or(first);
    let rest = match rest.strip_prefix("line ") {
        Some(tail) => tail.split_once(": ").map_or(rest, |(_, m)| m),
        None => rest,
    };
    if rest.starts_with("alias replay") || rest.starts_with("alias expansion") {
        return format!(
            "aliases expand too far (more than {MAX_REPLAYED_EVENTS} YAML events); write the \
             values out instead of aliasing them"
        );
    }
    let rest = rest.replace(", set DuplicateKeyPolicy in Options if acceptable", "");
    let rest = match rest.rfind(" at line ") {
        Some(i) if rest[i + 9..].starts_with(|c: char| c.is_ascii_digit()) => &rest[..i],
        _ => rest.as_str(),
    };
    rest.trim().to_owned()
}

fn pos_of(text: &str, loc: &serde_saphyr::Location) -> Pos {
    let line = usize::try_from(loc.line()).unwrap_or(0);
    let column = usize::try_from(loc.column()).unwrap_or(0);
    let span = loc.span();
    let offset = span
        .byte_offset()
        .and_then(|o| usize::try_from(o).ok())
        .unwrap_or_else(|| offset_of(text, line, column));
    let len = span
        .byte_len()
        .and_then(|l| usize::try_from(l).ok())
        .unwrap_or(1)
        .max(1);
    Pos {
        line,
        column,
        offset,
        len,
    }
}

/// Byte offset of a 1-based (line, column) position.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text
        .split_inclusive('\n')
        .take(line.saturating_sub(1))
        .map(str::len)
        .sum();
    let in_line: usize = text[start.min(text.len())..]
        .chars()
        .take(column.saturating_sub(1))
        .map(char::len_utf8)
        .sum();
    start + in_line
}

fn convert(text: &str, raw: Spanned<RawValue>) -> Node {
    let pos = pos_of(text, &raw.referenced);
    let value = match raw.value {
        RawValue::Null => Value::Null,
        RawValue::Bool(b) => Value::Bool(b),
        RawValue::Int(i) => Value::Int(i),
        RawValue::Float(f) => Value::Float(f),
        RawValue::Str(s) => Value::Str(s),
        RawValue::Seq(items) => Value::Seq(items.into_iter().map(|i| convert(text, i)).collect()),
        RawValue::Map(entries) => Value::Map(
            entries
                .into_iter()
                .map(|(k, v)| {
                    let key = Key {
                        pos: pos_of(text, &k.referenced),
                        name: k.value,
                    };
                    (key, convert(text, v))
                })
                .collect(),
        ),
    };
    Node { value, pos }
}

/// What serde hands us, before positions are turned into [`Pos`].
enum RawValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Spanned<RawValue>>),
    Map(Vec<(Spanned<String>, Spanned<RawValue>)>),
}

impl<'de> Deserialize<'de> for RawValue {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct RawVisitor;
        impl<'de> Visitor<'de> for RawVisitor {
            type Value = RawValue;
            fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                f.write_str("a YAML value")
            }
            fn visit_unit<E>(self) -> Result<RawValue, E> {
                Ok(RawValue::Null)
            }
            fn visit_none<E>(self) -> Result<RawValue, E> {
                Ok(RawValue::Null)
            }
            fn visit_bool<E>(self, v: bool) -> Result<RawValue, E> {
                Ok(RawValue::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<RawValue, E> {
                Ok(RawValue::Int(v))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RawValue, E> {
                i64::try_from(v)
                    .map(RawValue::Int)
                    .map_err(|_| E::custom("integer too large"))
            }
            fn visit_f64<E>(self, v: f64) -> Result<RawValue, E> {
                Ok(RawValue::Float(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<RawValue, E> {
                Ok(RawValue::Str(v.to_owned()))
            }
            fn visit_string<E>(self, v: String) -> Result<RawValue, E> {
                Ok(RawValue::Str(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValue, A::Error> {
                let mut items = Vec::new();
                while let Some(item) = seq.next_element()? {
                    items.push(item);
                }
                Ok(RawValue::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValue, A::Error> {
                let mut entries = Vec::new();
                while let Some(entry) = map.next_entry()? {
                    entries.push(entry);
                }
                Ok(RawValue::Map(entries))
            }
        }
        deserializer.deserialize_any(RawVisitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_are_kept() {
        let doc = parse("id: CT-A01\ncheck:\n  path: status.is_logging\n").expect("parses");
        let map = doc.as_map().expect("map");
        assert_eq!(map[0].0.name, "id");
        assert_eq!((map[0].1.pos.line, map[0].1.pos.column), (1, 5));
        let inner = map[1].1.as_map().expect("map");
        assert_eq!((inner[0].0.pos.line, inner[0].0.pos.column), (3, 3));
        assert_eq!(inner[0].1.pos.offset, "id: CT-A01\ncheck:\n  path: ".len());
    }

    #[test]
    fn duplicate_keys_and_syntax_errors_are_located() {
        let err = parse("id: a\ntitle: b\nid: c\n").expect_err("duplicate");
        assert_eq!(err.message, "duplicate mapping key: id");
        assert_eq!(err.pos.map(|p| p.line), Some(3));
        let err = parse("a: [1,\n").expect_err("syntax");
        assert!(err.pos.is_some());
    }

    /// Nine levels of ten aliases each: 10^9 strings once expanded.
    fn billion_laughs() -> String {
        let mut text = String::from("a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (prev, name) in "abcdefgh".chars().zip("bcdefghi".chars()) {
            let aliases = vec![format!("*{prev}"); 10].join(", ");
            text.push_str(&format!("{name}: &{name} [{aliases}]\n"));
        }
        text
    }

    #[test]
    fn alias_expansion_is_bounded() {
        let started = std::time::Instant::now();
        let err = parse(&billion_laughs()).expect_err("an alias bomb is refused");
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "{:?}",
            started.elapsed()
        );
        assert!(
            err.message.starts_with("aliases expand too far"),
            "{}",
            err.message
        );
        assert!(err.pos.is_some());
        // A few shared values are fine.
        let doc = parse("x: &x [a, b]\ny: *x\nz: *x\n").expect("small aliases parse");
        assert_eq!(doc.as_map().map(<[_]>::len), Some(3));
    }

    /// Test subjects share a few anchors many times (`{ <<: *trail, … }`): hundreds of aliases
    /// of two anchors parse, and a merge key's explicit keys override the merged ones.
    #[test]
    fn many_aliases_of_few_anchors_parse() {
        let mut text = String::from("base: &b { x: 1, y: 2 }\nlist: &l [a]\ncases:\n");
        for _ in 0..300 {
            text.push_str("  - { <<: *b, y: 3, l: *l }\n");
        }
        let doc = parse(&text).expect("parses");
        let map = doc.as_map().expect("map");
        let cases = map[2].1.as_seq().expect("list");
        assert_eq!(cases.len(), 300);
        let first = cases[0].as_map().expect("map");
        let y = first
            .iter()
            .find(|(k, _)| k.name == "y")
            .map(|(_, v)| &v.value);
        assert_eq!(y, Some(&Value::Int(3)));
    }

    #[test]
    fn quoted_numbers_stay_strings() {
        let doc = parse("a: \"3.1\"\nb: 3.1\n").expect("parses");
        let map = doc.as_map().expect("map");
        assert_eq!(map[0].1.value, Value::Str("3.1".into()));
        assert_eq!(map[1].1.value, Value::Float(3.1));
    }
}
