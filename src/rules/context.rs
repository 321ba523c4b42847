//! What parsing a condition needs to know (the file, the declared parameters) and where its
//! problems go; shared by the condition and operand parsers.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Arc;

use super::events::EventSets;
use super::fields::PathError;
use super::filter_texts::FilterTexts;
use super::library::Library;
use super::params::ParamType;
use crate::document::{Diagnostic, Node, Pos, ProblemKind, SourceFile};

/// What condition parsing needs to know and where it reports.
pub struct Ctx<'a> {
    /// The file.
    pub file: &'a Arc<SourceFile>,
    /// The declared parameters and their types.
    pub params: &'a BTreeMap<String, ParamType>,
    /// The rule's event sets (`events:`), for `matches_events`.
    pub events: &'a EventSets,
    /// The rule's filter texts (`filter_texts:`), for `equals_filter_text`.
    pub filter_texts: &'a FilterTexts,
    /// Parameters referenced so far.
    pub used: BTreeSet<String>,
    /// Problems found so far.
    pub problems: &'a mut Vec<Diagnostic>,
    /// The shared conditions `{ use: NAME }` may name.
    pub library: &'a Library,
    /// The shared conditions being expanded, outermost first (a name here again is a cycle).
    pub expanding: Vec<String>,
}

impl Ctx<'_> {
    /// Records a problem at `pos`; returns it for a label or help.
    pub(super) fn report(
        &mut self,
        kind: ProblemKind,
        pos: Pos,
        message: impl Into<String>,
    ) -> &mut Diagnostic {
        Diagnostic::new(kind, self.file, pos, message).push_into(self.problems)
    }

    /// Reports an unknown path at the failing segment.
    pub(super) fn report_path_error(&mut self, node: &Node, path: &str, e: &PathError) {
        let mut pos = node.pos;
        let quoted = self
            .file
            .text
            .get(pos.offset..)
            .and_then(|t| t.chars().next())
            .is_some_and(|c| c == '"' || c == '\'');
        let skip: usize = path
            .split('.')
            .take(e.segment)
            .map(|s| s.len() + 1)
            .sum::<usize>()
            + usize::from(quoted);
        pos.offset += skip;
        pos.column += skip;
        pos.len = path.split('.').nth(e.segment).map_or(1, str::len).max(1);
        self.report(ProblemKind::UnknownPath, pos, e.message.clone())
            .help = e.help.clone();
    }
}
