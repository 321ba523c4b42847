//! Whitespace normalisation of a filter pattern's text, for comparing a filter with a
//! reference text (CIS's) character for character, as Security Hub does, without failing on
//! line breaks or spacing.

/// Characters next to which whitespace never carries meaning in a filter pattern.
const TIGHT: &[char] = &[
    '{', '}', '(', ')', '[', ']', ',', '=', '!', '<', '>', '&', '|',
];

/// `text` with its insignificant whitespace normalised, for any kind of pattern (JSON, term,
/// space-delimited):
///
/// * leading and trailing whitespace is removed;
/// * any run of whitespace (spaces, tabs, newlines) next to a brace, bracket, parenthesis,
///   comma, comparison operator, `&&` or `||` is removed: `{ ($.a = "x") }` and `{($.a="x")}`
///   both become `{($.a="x")}`;
/// * any other run of whitespace becomes one space (`$.a NOT  EXISTS` → `$.a NOT EXISTS`,
///   `ERROR   WARN` → `ERROR WARN`);
/// * text inside double quotes, between `%` signs, or in a bracketed property name
///   (`$.['a b']`) is copied unchanged: spaces there are part of the value or the name.
///
/// Two patterns with the same normalisation differ only in whitespace that cannot change
/// what they match. Quoting is not normalised (`= "x"` and `= x` stay different): compare
/// parsed patterns for that.
pub fn normalize_whitespace(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pending_space = false;
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c.is_whitespace() {
            pending_space = true;
            continue;
        }
        let after_tight = out.ends_with(TIGHT);
        if pending_space && !out.is_empty() && !after_tight && !TIGHT.contains(&c) {
            out.push(' ');
        }
        pending_space = false;
        // A property name in `['…']` is quoted too (after `[`, so an apostrophe in a term
        // pattern is left alone).
        let quoted_name = c == '\'' && out.ends_with('[');
        out.push(c);
        if c == '"' || c == '%' || quoted_name {
            copy_verbatim(&mut chars, c, &mut out);
        }
    }
    out
}

/// Copies up to and including the `close` that ends a quoted string (after `\`, a `"` does
/// not end it), a regular expression or a quoted property name; to the end of the text if
/// none does.
fn copy_verbatim(chars: &mut std::str::Chars<'_>, close: char, out: &mut String) {
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '\\' && close == '"' {
            if let Some(escaped) = chars.next() {
                out.push(escaped);
            }
        } else if c == close {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::normalize_whitespace;

    #[test]
    fn spacing_and_line_breaks_around_punctuation_vanish() {
        let spaced = "{ ($.eventName = CreateTrail) ||\n    ($.eventName = UpdateTrail) }";
        let tight = "{($.eventName=CreateTrail)||($.eventName=UpdateTrail)}";
        assert_eq!(normalize_whitespace(spaced), tight);
        assert_eq!(normalize_whitespace(tight), tight);
    }

    #[test]
    fn words_stay_apart_and_values_stay_whole() {
        assert_eq!(
            normalize_whitespace("  { $.a  NOT\tEXISTS && $.b = \"two  words\" } "),
            "{$.a NOT EXISTS&&$.b=\"two  words\"}"
        );
        assert_eq!(normalize_whitespace("{ $.m = %a  b% }"), "{$.m=%a  b%}");
        assert_eq!(
            normalize_whitespace("{ $.[' a  b'] = 1 }"),
            "{$.[' a  b']=1}"
        );
        assert_eq!(
            normalize_whitespace("{ $.q = \"a\\\" b\" }"),
            "{$.q=\"a\\\" b\"}"
        );
        assert_eq!(normalize_whitespace("?ERROR   ?WARN"), "?ERROR ?WARN");
        assert_eq!(normalize_whitespace(" \n "), "");
    }
}
