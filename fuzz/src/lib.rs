//! The properties the fuzz targets check: the very file the property tests use, so the two
//! cannot drift apart.

#[path = "../../tests/integration/parsers_fuzz/checks.rs"]
mod checks;

pub use checks::*;

/// Fuzz input as the text a parser is given: the file readers hand parsers UTF-8 only, so
/// invalid bytes become U+FFFD rather than a wasted run.
pub fn text(data: &[u8]) -> std::borrow::Cow<'_, str> {
    String::from_utf8_lossy(data)
}

/// The file name a rule file would have: its `id:` plus `.yaml`, so an input taken from the
/// pack is accepted whole and evaluated, not refused for its name.
pub fn rule_name(text: &str) -> String {
    let id = text
        .lines()
        .find_map(|l| l.strip_prefix("id:"))
        .map(|id| id.trim().trim_matches(['"', '\'']))
        .filter(|id| !id.is_empty() && !id.contains(['/', '\\']));
    format!("{}.yaml", id.unwrap_or("FUZZ-1"))
}
