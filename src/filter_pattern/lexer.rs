//! Splits a JSON filter pattern into tokens. Whitespace (newlines included) separates tokens
//! and is otherwise ignored.

use super::ast::Operator;
use super::error::{ParseError, ParseErrorKind};
use super::operand::RegexValue;
use super::selector::{Selector, lex_selector};

/// One token of a JSON filter pattern.
#[derive(Debug)]
pub(super) enum Token {
    LBrace,
    RBrace,
    LParen,
    RParen,
    And,
    Or,
    Op(Operator),
    Selector(Selector),
    /// An unquoted word: a value (`CreateTrail`, `123.123.*`, `400`) or a keyword (`IS`).
    Word(String),
    /// A double-quoted string, its escapes (`\"`, `\\`) resolved.
    Quoted(String),
    Regex(RegexValue),
    End,
}

impl Token {
    /// The token as a person would name it in "expected …, found …".
    pub(super) fn describe(&self) -> String {
        let fixed = match self {
            Token::LBrace => "`{`",
            Token::RBrace => "`}`",
            Token::LParen => "`(`",
            Token::RParen => "`)`",
            Token::And => "`&&`",
            Token::Or => "`||`",
            Token::Op(op) => return format!("`{op}`"),
            Token::Selector(s) => return format!("the property selector `{s}`"),
            Token::Word(w) if w.chars().count() > 40 => {
                return format!("`{}…`", w.chars().take(40).collect::<String>());
            }
            Token::Word(w) => return format!("`{w}`"),
            Token::Quoted(_) => "a quoted string",
            Token::Regex(_) => "a regular expression",
            Token::End => "the end of the pattern",
        };
        fixed.to_owned()
    }
}

/// Characters that end an unquoted word.
fn ends_word(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '(' | ')' | '{' | '}' | '"' | '&' | '|' | '=' | '!' | '<' | '>'
        )
}

/// Characters CloudWatch Logs allows in a regular expression besides ASCII letters and
/// digits: the symbols `: _ # = @ / ; , -`, the operators `^ $ ? [ ] { } | \ * + .`, and the
/// space its own examples use (`%^shutting down%`). Parentheses and multi-byte characters are
/// refused ("The ( and ) operators are not supported", "Multi-byte characters are not
/// supported").
fn allowed_in_regex(c: char) -> bool {
    c.is_ascii_alphanumeric() || ":_#=@/;,-^$?[]{}|\\*+. ".contains(c)
}

/// Tokens of `text`, one at a time, each with the byte offset where it starts.
pub(super) struct Lexer<'t> {
    text: &'t str,
    pos: usize,
}

impl<'t> Lexer<'t> {
    pub(super) fn new(text: &'t str, start: usize) -> Lexer<'t> {
        Lexer { text, pos: start }
    }

    fn error(&self, offset: usize, kind: ParseErrorKind) -> ParseError {
        ParseError::at(self.text, offset, kind)
    }

    /// The next token and its offset; [`Token::End`] at the end of the text.
    pub(super) fn next_token(&mut self) -> Result<(Token, usize), ParseError> {
        let rest = &self.text[self.pos..];
        let skipped = rest.len() - rest.trim_start().len();
        self.pos += skipped;
        let start = self.pos;
        let rest = &self.text[start..];
        let Some(c) = rest.chars().next() else {
            return Ok((Token::End, start));
        };
        let (token, len) = match c {
            '{' => (Token::LBrace, 1),
            '}' => (Token::RBrace, 1),
            '(' => (Token::LParen, 1),
            ')' => (Token::RParen, 1),
            '&' | '|' | '=' | '!' | '<' | '>' => self.symbol(rest, start)?,
            '"' => self.quoted(rest, start)?,
            '%' => self.regex(rest, start)?,
            '$' => {
                let (selector, end) = lex_selector(self.text, start)?;
                (Token::Selector(selector), end - start)
            }
            _ => {
                let len = rest.find(ends_word).unwrap_or(rest.len());
                (Token::Word(rest[..len].to_owned()), len)
            }
        };
        self.pos = start + len;
        Ok((token, start))
    }

    /// `&&`, `||` and the comparison operators.
    fn symbol(&self, rest: &str, start: usize) -> Result<(Token, usize), ParseError> {
        let two = rest.get(..2).unwrap_or(rest);
        let token = match two {
            "&&" => (Token::And, 2),
            "||" => (Token::Or, 2),
            "!=" => (Token::Op(Operator::Ne), 2),
            "<=" => (Token::Op(Operator::Le), 2),
            ">=" => (Token::Op(Operator::Ge), 2),
            _ if rest.starts_with('=') => (Token::Op(Operator::Eq), 1),
            _ if rest.starts_with('<') => (Token::Op(Operator::Lt), 1),
            _ if rest.starts_with('>') => (Token::Op(Operator::Gt), 1),
            _ => {
                let found = format!("`{}`", rest.chars().next().unwrap_or(' '));
                let expected = "`&&`, `||` or a comparison operator";
                return Err(self.error(start, ParseErrorKind::Expected { expected, found }));
            }
        };
        Ok(token)
    }

    /// A double-quoted string. `\"` stands for `"` and `\\` for `\`; any other backslash is
    /// kept as written.
    fn quoted(&self, rest: &str, start: usize) -> Result<(Token, usize), ParseError> {
        let mut value = String::new();
        let mut chars = rest.char_indices().skip(1);
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Ok((Token::Quoted(value), i + 1)),
                '\\' => match chars.next() {
                    Some((_, escaped @ ('"' | '\\'))) => value.push(escaped),
                    Some((_, other)) => {
                        value.push('\\');
                        value.push(other);
                    }
                    None => break,
                },
                _ => value.push(c),
            }
        }
        Err(self.error(start, ParseErrorKind::UnterminatedString))
    }

    /// A regular expression between `%` signs, checked against the characters CloudWatch
    /// Logs allows and compiled.
    fn regex(&self, rest: &str, start: usize) -> Result<(Token, usize), ParseError> {
        let body = &rest[1..];
        let Some(end) = body.find('%') else {
            return Err(self.error(start, ParseErrorKind::UnterminatedRegex));
        };
        let source = &body[..end];
        if let Some((i, character)) = source.char_indices().find(|&(_, c)| !allowed_in_regex(c)) {
            let kind = ParseErrorKind::RegexCharacter { character };
            return Err(self.error(start + 1 + i, kind));
        }
        match RegexValue::new(source) {
            Ok(regex) => Ok((Token::Regex(regex), end + 2)),
            Err(reason) => Err(self.error(start, ParseErrorKind::InvalidRegex { reason })),
        }
    }
}
