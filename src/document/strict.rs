//! The checks every file trailguard reads gets, whatever its format: a syntax error (or a key
//! given twice) is a diagnostic at its position, and so is every key the format does not define.

use std::sync::Arc;

use super::diagnostic::{Diagnostic, ProblemKind, SourceFile, did_you_mean};
use super::yaml::{Key, Node, SyntaxError};

/// A YAML parse failure as a diagnostic (duplicate keys get their own kind).
pub fn syntax_diagnostic(file: &Arc<SourceFile>, e: &SyntaxError) -> Diagnostic {
    let kind = if e.message.starts_with("duplicate mapping key") {
        ProblemKind::DuplicateKey
    } else {
        ProblemKind::Syntax
    };
    let d = match e.pos {
        Some(pos) => Diagnostic::new(kind, file, pos, e.message.clone()),
        None => Diagnostic::whole_file(kind, file, e.message.clone()),
    };
    if kind == ProblemKind::DuplicateKey {
        d.label("given a second time here")
            .help("each key may appear once in a mapping")
    } else {
        d
    }
}

/// Reports keys outside `allowed`, with a "did you mean".
pub fn check_keys(
    file: &Arc<SourceFile>,
    entries: &[(Key, Node)],
    allowed: &[&str],
    what: &str,
    problems: &mut Vec<Diagnostic>,
) {
    for (key, _) in entries {
        if !allowed.contains(&key.name.as_str()) {
            let help = did_you_mean(&key.name, allowed.iter().copied())
                .or_else(|| Some(format!("the keys of a {what} are: {}", allowed.join(", "))));
            problems.push(
                Diagnostic::new(
                    ProblemKind::UnknownKey,
                    file,
                    key.pos,
                    format!("unknown key `{}` in {what}", key.name),
                )
                .help_opt(help),
            );
        }
    }
}
