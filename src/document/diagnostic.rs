//! Load-time problems in rule, waivers and config files, and how they are shown.
//!
//! Every problem carries its file, position and a "did you mean" where one helps. Loading never
//! stops at the first problem: all of them are collected and rendered together, rustc-style,
//! with the offending line underlined (annotate-snippets, which serde-saphyr already builds).

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use annotate_snippets::{AnnotationKind, Group, Level, Renderer, Snippet};

use super::yaml::Pos;
use crate::files::read::{self, InputKind, ReadError};

/// A loaded file: its name as shown to users and its text, shared by its diagnostics.
#[derive(Debug, PartialEq, Eq)]
pub struct SourceFile {
    /// The path as given (or `builtin:rules/<file>` for the embedded pack).
    pub name: String,
    /// The file's text.
    pub text: String,
}

impl SourceFile {
    /// Reads a YAML file within its size limit as UTF-8 text. A problem is a diagnostic on the
    /// file, or at the first byte that is not UTF-8 (shown as U+FFFD in the snippet).
    pub fn read(path: &Path, kind: InputKind) -> Result<Arc<SourceFile>, Problems> {
        let one = |problem| Problems {
            problems: vec![problem],
        };
        let name = path.display().to_string();
        let bytes = read::read_bytes(path, kind).map_err(|e| {
            let file = Arc::new(SourceFile {
                name: name.clone(),
                text: String::new(),
            });
            let problem = match e {
                ReadError::TooLarge { .. } => ProblemKind::TooLarge,
                _ => ProblemKind::Io,
            };
            one(Diagnostic::whole_file(problem, &file, e.detail()).help_opt(e.help()))
        })?;
        let bad = match read::into_text(bytes) {
            Ok(text) => return Ok(Arc::new(SourceFile { name, text })),
            Err(bad) => bad,
        };
        let file = Arc::new(SourceFile {
            name,
            // The bad byte becomes U+FFFD at the same offset: what precedes it is valid.
            text: String::from_utf8_lossy(&bad.bytes).into_owned(),
        });
        let pos = Pos {
            line: bad.line,
            column: bad.column,
            offset: bad.offset,
            len: char::REPLACEMENT_CHARACTER.len_utf8(),
        };
        Err(one(Diagnostic::new(
            ProblemKind::NotUtf8,
            &file,
            pos,
            bad.message(),
        )
        .help("save the file as UTF-8")))
    }
}

/// The kind of a problem; its name is shown as the diagnostic code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ProblemKind {
    /// The file could not be read.
    Io,
    /// The file is larger than its size limit (`--max-input-size`).
    TooLarge,
    /// The file is not UTF-8 text.
    NotUtf8,
    /// The YAML is not well formed (includes duplicate keys, which the parser rejects).
    Syntax,
    /// A key that the format does not define.
    UnknownKey,
    /// A mapping key given twice.
    DuplicateKey,
    /// A required key is missing.
    MissingKey,
    /// A value of the wrong YAML type or outside its allowed values.
    InvalidValue,
    /// A path that is not a field of the scope's subject.
    UnknownPath,
    /// An operator that does not fit the type of the field it is applied to.
    OperatorType,
    /// An `all` / `none` quantifier without `if_empty`.
    MissingIfEmpty,
    /// Two rules with the same id.
    DuplicateId,
    /// A framework id outside the registry.
    UnknownFramework,
    /// A regex that does not compile.
    InvalidRegex,
    /// A parameter declaration, reference or override that does not fit.
    BadParameter,
    /// The file name does not match the rule id.
    FileName,
    /// A test case that is malformed.
    InvalidTest,
    /// A rule id (in the config's `rules.only` / `rules.skip`) that no loaded rule has.
    UnknownRuleId,
    /// A `use` of a shared condition that no `conditions/` file defines.
    UnknownCondition,
    /// A shared condition that uses itself, directly or through others.
    ConditionCycle,
    /// A shared condition used on a type it was not written against.
    ElementType,
}

impl ProblemKind {
    /// The stable code shown as `error[code]`.
    pub fn code(self) -> &'static str {
        match self {
            ProblemKind::Io => "io",
            ProblemKind::TooLarge => "too-large",
            ProblemKind::NotUtf8 => "not-utf8",
            ProblemKind::Syntax => "yaml-syntax",
            ProblemKind::UnknownKey => "unknown-key",
            ProblemKind::DuplicateKey => "duplicate-key",
            ProblemKind::MissingKey => "missing-key",
            ProblemKind::InvalidValue => "invalid-value",
            ProblemKind::UnknownPath => "unknown-path",
            ProblemKind::OperatorType => "operator-type",
            ProblemKind::MissingIfEmpty => "missing-if-empty",
            ProblemKind::DuplicateId => "duplicate-id",
            ProblemKind::UnknownFramework => "unknown-framework",
            ProblemKind::InvalidRegex => "invalid-regex",
            ProblemKind::BadParameter => "bad-parameter",
            ProblemKind::FileName => "file-name",
            ProblemKind::InvalidTest => "invalid-test",
            ProblemKind::UnknownRuleId => "unknown-rule-id",
            ProblemKind::UnknownCondition => "unknown-condition",
            ProblemKind::ConditionCycle => "condition-cycle",
            ProblemKind::ElementType => "element-type",
        }
    }
}

/// One problem in one file.
#[derive(Debug, Clone)]
pub struct Diagnostic {
    /// What kind of problem.
    pub kind: ProblemKind,
    /// The file.
    pub file: Arc<SourceFile>,
    /// Where in the file, when known.
    pub pos: Option<Pos>,
    /// The one-line message.
    pub message: String,
    /// A label under the underlined text.
    pub label: Option<String>,
    /// A hint: "did you mean …", the allowed values.
    pub help: Option<String>,
    /// Another location that matters (e.g. the first definition of a duplicate id).
    pub related: Option<(Arc<SourceFile>, Pos, String)>,
}

impl Diagnostic {
    /// A problem at a position.
    pub fn new(
        kind: ProblemKind,
        file: &Arc<SourceFile>,
        pos: Pos,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            kind,
            file: Arc::clone(file),
            pos: Some(pos),
            message: message.into(),
            label: None,
            help: None,
            related: None,
        }
    }

    /// A problem with a whole file.
    pub fn whole_file(
        kind: ProblemKind,
        file: &Arc<SourceFile>,
        message: impl Into<String>,
    ) -> Self {
        Diagnostic {
            kind,
            file: Arc::clone(file),
            pos: None,
            message: message.into(),
            label: None,
            help: None,
            related: None,
        }
    }

    /// Adds a label under the underlined text.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Adds a help line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Adds a help line when there is one.
    pub fn help_opt(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Adds the problem to `problems` and returns it there, for a label or help to be set on
    /// it: how every reader of a file records what it finds.
    pub fn push_into(self, problems: &mut Vec<Diagnostic>) -> &mut Diagnostic {
        problems.push(self);
        let last = problems.len() - 1;
        &mut problems[last]
    }

    /// `file:line:col` (or just the file).
    pub fn location(&self) -> String {
        match self.pos {
            Some(p) => format!("{}:{}:{}", self.file.name, p.line, p.column),
            None => self.file.name.clone(),
        }
    }

    /// Renders the problem with a snippet of the source.
    pub fn render(&self, color: bool) -> String {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let title = format!("{}: {}", self.location(), self.message);
        let head = Level::ERROR.primary_title(title).id(self.kind.code());
        let group = match self.pos {
            Some(pos) => head.element(snippet(&self.file, pos, self.label.as_deref())),
            None => Group::with_title(head),
        };
        let mut report = vec![group];
        if let Some((file, pos, label)) = &self.related {
            report.push(
                Level::NOTE
                    .secondary_title(format!(
                        "{}:{}:{}: {label}",
                        file.name, pos.line, pos.column
                    ))
                    .element(snippet(file, *pos, None)),
            );
        }
        let mut out = renderer.render(&report);
        if let Some(help) = &self.help {
            out.push_str(&format!("\n  = help: {help}"));
        }
        out
    }
}

/// How much of a long line a snippet shows either side of the problem, in bytes.
const SNIPPET_WINDOW: usize = 240;

/// The problem's line (of a long line, a window around the problem) as the snippet's source:
/// the renderer walks all the source it is given, once per problem, so handing it the whole
/// file made K problems in an N-byte file cost K × N (20,000 unknown keys in a 189 KB file:
/// 75 s in a debug build).
fn snippet<'a>(
    file: &'a SourceFile,
    pos: Pos,
    label: Option<&'a str>,
) -> Snippet<'a, annotate_snippets::Annotation<'a>> {
    let text = file.text.as_str();
    let boundary = |mut i: usize| {
        i = i.min(text.len());
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let start = boundary(pos.offset);
    // Line ends are looked for only within the window, so a long line is not scanned again
    // for each of its problems either.
    let from = boundary(start.saturating_sub(SNIPPET_WINDOW));
    let from = text[from..start].rfind('\n').map_or(from, |i| from + i + 1);
    let limit = boundary(start.saturating_add(pos.len).saturating_add(SNIPPET_WINDOW));
    let line_end = text[start..limit].find('\n').map_or(limit, |i| start + i);
    let mut end = boundary((start + pos.len).min(line_end)).max(start);
    if end == start && start < text.len() {
        end = start + text[start..].chars().next().map_or(1, char::len_utf8);
    }
    let to = line_end.max(end);
    Snippet::source(&text[from..to])
        .line_start(pos.line.max(1))
        .path(file.name.as_str())
        .fold(true)
        .annotation(
            AnnotationKind::Primary
                .span(start - from..end - from)
                .label(label),
        )
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: {} [{}]",
            self.location(),
            self.message,
            self.kind.code()
        )
    }
}

/// Every problem found while loading, in file order.
#[derive(Debug, Clone, Default, thiserror::Error)]
#[error("{} problem(s) in rule or config files", .problems.len())]
pub struct Problems {
    /// The problems.
    pub problems: Vec<Diagnostic>,
}

impl Problems {
    /// Renders every problem, then a count.
    pub fn render(&self, color: bool) -> String {
        let mut out = String::new();
        for p in &self.problems {
            out.push_str(&p.render(color));
            out.push_str("\n\n");
        }
        let n = self.problems.len();
        out.push_str(&format!(
            "error: {n} problem{} found\n",
            if n == 1 { "" } else { "s" }
        ));
        out
    }
}

/// "did you mean `x`?" for the closest candidate, when one is close enough.
pub fn did_you_mean<'a>(
    word: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate closest to `word` by edit distance, if it is plausibly a typo.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(b.1)))
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur.push((prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(
            closest("serverity", ["severity", "scope"]),
            Some("severity")
        );
        assert_eq!(
            closest("is_loging", ["is_logging", "latest_delivery_error"]),
            Some("is_logging")
        );
        assert_eq!(closest("zzz", ["severity"]), None);
    }
}

#[cfg(test)]
mod render_tests {
    use super::*;

    #[test]
    fn positions_inside_multibyte_text_do_not_panic() {
        let file = Arc::new(SourceFile {
            name: "x.yaml".into(),
            text: "title: \"é€😀\"\n".into(),
        });
        for offset in 0..20 {
            let pos = Pos {
                line: 1,
                column: 1,
                offset,
                len: 3,
            };
            let d = Diagnostic::new(ProblemKind::InvalidValue, &file, pos, "m");
            assert!(d.render(false).contains("x.yaml"));
        }
    }
}
