//! Recursive descent over the tokens of a JSON filter pattern:
//!
//! ```text
//! pattern := '{' or '}'
//! or      := and ('||' and)*
//! and     := primary ('&&' primary)*
//! primary := '(' or ')' | test
//! test    := SELECTOR (OPERATOR value | 'IS' ('NULL' | 'TRUE' | 'FALSE') | 'NOT' 'EXISTS')
//! value   := WORD | "QUOTED" | %REGEX%
//! ```
//!
//! `&&` binds tighter than `||` ("() > && > ||"). Nesting is bounded by [`MAX_NESTING`], so
//! no input can exhaust the stack.

use super::ast::{Check, Expr, JsonPattern, Operator, Test};
use super::error::{ParseError, ParseErrorKind};
use super::lexer::{Lexer, Token};
use super::limits::{MAX_NESTING, MAX_REGEXES, MAX_WILDCARD_SELECTORS};
use super::operand::{Operand, as_number};
use super::selector::Selector;

struct Parser<'t> {
    text: &'t str,
    lexer: Lexer<'t>,
    /// The next token and its offset, once read.
    peeked: Option<(Token, usize)>,
    depth: usize,
    regexes: usize,
    wildcard_selectors: usize,
}

/// Parses the JSON pattern whose `{` is at byte `start` of `text`.
pub(super) fn parse_json(text: &str, start: usize) -> Result<JsonPattern, ParseError> {
    let mut parser = Parser {
        text,
        lexer: Lexer::new(text, start),
        peeked: None,
        depth: 0,
        regexes: 0,
        wildcard_selectors: 0,
    };
    parser.expect(|t| matches!(t, Token::LBrace), "`{`")?;
    let expr = parser.or()?;
    parser.expect(
        |t| matches!(t, Token::RBrace),
        "`&&`, `||` or the closing `}`",
    )?;
    parser.expect(
        |t| matches!(t, Token::End),
        "the end of the pattern after `}`",
    )?;
    Ok(JsonPattern { expr })
}

impl Parser<'_> {
    fn peek(&mut self) -> Result<&Token, ParseError> {
        let spanned = match self.peeked.take() {
            Some(spanned) => spanned,
            None => self.lexer.next_token()?,
        };
        Ok(&self.peeked.insert(spanned).0)
    }

    fn next(&mut self) -> Result<(Token, usize), ParseError> {
        match self.peeked.take() {
            Some(spanned) => Ok(spanned),
            None => self.lexer.next_token(),
        }
    }

    fn error(&self, offset: usize, kind: ParseErrorKind) -> ParseError {
        ParseError::at(self.text, offset, kind)
    }

    fn unexpected(&self, (token, offset): (Token, usize), expected: &'static str) -> ParseError {
        let found = token.describe();
        self.error(offset, ParseErrorKind::Expected { expected, found })
    }

    fn expect(
        &mut self,
        want: fn(&Token) -> bool,
        expected: &'static str,
    ) -> Result<(), ParseError> {
        let spanned = self.next()?;
        if want(&spanned.0) {
            Ok(())
        } else {
            Err(self.unexpected(spanned, expected))
        }
    }

    fn or(&mut self) -> Result<Expr, ParseError> {
        let mut terms = vec![self.and()?];
        while matches!(self.peek()?, Token::Or) {
            self.next()?;
            terms.push(self.and()?);
        }
        Ok(flatten(terms, true))
    }

    fn and(&mut self) -> Result<Expr, ParseError> {
        let mut terms = vec![self.primary()?];
        while matches!(self.peek()?, Token::And) {
            self.next()?;
            terms.push(self.primary()?);
        }
        Ok(flatten(terms, false))
    }

    fn primary(&mut self) -> Result<Expr, ParseError> {
        let (token, offset) = self.next()?;
        match token {
            Token::LParen => {
                self.depth += 1;
                if self.depth > MAX_NESTING {
                    return Err(self.error(offset, ParseErrorKind::TooDeep));
                }
                let inner = self.or()?;
                self.expect(|t| matches!(t, Token::RParen), "`&&`, `||` or `)`")?;
                self.depth -= 1;
                Ok(inner)
            }
            Token::Selector(selector) => self.test(selector, offset),
            other => Err(self.unexpected(
                (other, offset),
                "a property selector such as `$.eventName`, or `(`",
            )),
        }
    }

    fn test(&mut self, selector: Selector, offset: usize) -> Result<Expr, ParseError> {
        if selector.has_wildcard() {
            self.wildcard_selectors += 1;
            if self.wildcard_selectors > MAX_WILDCARD_SELECTORS {
                return Err(self.error(offset, ParseErrorKind::TooManyWildcardSelectors));
            }
        }
        let (token, at) = self.next()?;
        let check = match token {
            Token::Op(op) => Check::Compare(op, self.operand(op)?),
            Token::Word(w) if w.eq_ignore_ascii_case("IS") => self.after_is()?,
            Token::Word(w) if w.eq_ignore_ascii_case("NOT") => {
                let spanned = self.next()?;
                match &spanned.0 {
                    Token::Word(w) if w.eq_ignore_ascii_case("EXISTS") => Check::NotExists,
                    _ => return Err(self.unexpected(spanned, "`EXISTS` after `NOT`")),
                }
            }
            Token::Word(w) if w.eq_ignore_ascii_case("EXISTS") => {
                let kind = ParseErrorKind::UnsupportedKeyword { keyword: "EXISTS" };
                return Err(self.error(at, kind));
            }
            other => {
                let expected =
                    "a comparison (`=`, `!=`, `<`, `<=`, `>`, `>=`), `IS` or `NOT EXISTS`";
                return Err(self.unexpected((other, at), expected));
            }
        };
        Ok(Expr::Test(Test { selector, check }))
    }

    fn after_is(&mut self) -> Result<Check, ParseError> {
        let (token, at) = self.next()?;
        match token {
            Token::Word(w) if w.eq_ignore_ascii_case("NULL") => Ok(Check::IsNull),
            Token::Word(w) if w.eq_ignore_ascii_case("TRUE") => Ok(Check::IsTrue),
            Token::Word(w) if w.eq_ignore_ascii_case("FALSE") => Ok(Check::IsFalse),
            Token::Word(w) if w.eq_ignore_ascii_case("NOT") => {
                let kind = ParseErrorKind::UnsupportedKeyword { keyword: "IS NOT" };
                Err(self.error(at, kind))
            }
            other => Err(self.unexpected((other, at), "`NULL`, `TRUE` or `FALSE` after `IS`")),
        }
    }

    /// The value after `op`: a number for the numeric-only operators; for `=` and `!=` also
    /// a string (quoted or not) or a regular expression.
    fn operand(&mut self, op: Operator) -> Result<Operand, ParseError> {
        let (token, at) = self.next()?;
        let operand = match token {
            Token::Word(w) => match as_number(&w) {
                Some(number) => Operand::Number(number),
                None => Operand::Text(w),
            },
            Token::Quoted(s) => Operand::Text(s),
            Token::Regex(r) => {
                self.regexes += 1;
                if self.regexes > MAX_REGEXES {
                    return Err(self.error(at, ParseErrorKind::TooManyRegexes));
                }
                Operand::Regex(r)
            }
            other => return Err(self.unexpected((other, at), "a value after the operator")),
        };
        if op.is_numeric_only() && !matches!(operand, Operand::Number(_)) {
            let found = match &operand {
                Operand::Text(t) => format!("`{t}`"),
                _ => "a regular expression".to_owned(),
            };
            let operator = op.symbol();
            return Err(self.error(at, ParseErrorKind::NumberExpected { operator, found }));
        }
        Ok(operand)
    }
}

/// One term as itself; several as an `Or` (or `And`), with nested groups of the same
/// operator spliced in.
fn flatten(mut terms: Vec<Expr>, or: bool) -> Expr {
    if terms.len() == 1
        && let Some(only) = terms.pop()
    {
        return only;
    }
    let mut flat = Vec::with_capacity(terms.len());
    for term in terms {
        match term {
            Expr::Or(inner) if or => flat.extend(inner),
            Expr::And(inner) if !or => flat.extend(inner),
            other => flat.push(other),
        }
    }
    if or { Expr::Or(flat) } else { Expr::And(flat) }
}
