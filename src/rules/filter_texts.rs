//! `filter_texts:` — the reference texts of a CloudWatch Logs filter pattern, by key (a CIS
//! version), that `equals_filter_text` compares a filter with, whitespace aside. This is the
//! strict reading Security Hub's CloudWatch.1-14 controls apply (the CIS text, verbatim); the
//! semantic reading is `matches_events`.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::mapping::Mapping;
use crate::document::{Node, ProblemKind};
use crate::filter_pattern::{FilterPattern, normalize_whitespace};

/// A rule's filter texts by key, each whitespace-normalised
/// ([`crate::filter_pattern::normalize_whitespace`]).
pub type FilterTexts = BTreeMap<String, Arc<[String]>>;

/// The rule's `filter_texts:` mapping (absent: none), every problem reported.
pub(super) fn filter_texts(p: &mut Mapping<'_, '_>) -> FilterTexts {
    let mut out = FilterTexts::new();
    let Some((_, node)) = p.get("filter_texts") else {
        return out;
    };
    let Some(entries) = node.as_map() else {
        let message = format!(
            "`filter_texts` maps keys (e.g. \"5.0.0\") to lists of filter patterns, found {}",
            node.type_name()
        );
        p.report(ProblemKind::InvalidValue, node.pos, message);
        return out;
    };
    for (key, list) in entries {
        if let Some(texts) = texts(p, &key.name, list) {
            out.insert(key.name.clone(), texts.into());
        }
    }
    out
}

/// One key's texts: a non-empty list of strings, each a filter pattern that parses.
fn texts(p: &mut Mapping<'_, '_>, key: &str, list: &Node) -> Option<Vec<String>> {
    let Some(items) = list.as_seq().filter(|items| !items.is_empty()) else {
        let message = format!("filter texts `{key}` must be a non-empty list of filter patterns");
        p.report(ProblemKind::InvalidValue, list.pos, message);
        return None;
    };
    let mut out = Vec::new();
    for item in items {
        let Some(text) = item.as_str() else {
            let message = format!("a filter text is a string, found {}", item.type_name());
            p.report(ProblemKind::InvalidValue, item.pos, message);
            continue;
        };
        match FilterPattern::parse(text) {
            Ok(_) => out.push(normalize_whitespace(text)),
            Err(e) => {
                let message = format!("filter text `{key}` does not parse: {e}");
                p.report(ProblemKind::InvalidValue, item.pos, message);
            }
        }
    }
    (out.len() == items.len()).then_some(out)
}
