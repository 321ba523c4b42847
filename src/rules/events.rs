//! `events:` — named sets of CloudTrail event records that a rule judges filter patterns
//! against (`matches_events`). The records are data in the rule file, not code: a control's
//! required events are read by people and checked by `rules test` like everything else.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::mapping::{EVENT_KEYS, Mapping};
use crate::document::{Node, ProblemKind, check_keys};

/// One CloudTrail event record, with why a filter must (or must not) match it.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRecord {
    /// What the record stands for, e.g. `StopLogging by an IAM user in eu-west-1`; evidence
    /// names a record by it.
    pub why: String,
    /// The record as CloudTrail writes it (a JSON object).
    pub record: serde_json::Value,
}

/// A rule's event sets, by name.
pub type EventSets = BTreeMap<String, Arc<[EventRecord]>>;

/// The rule's `events:` mapping (absent: no sets), every problem reported.
pub(super) fn event_sets(p: &mut Mapping<'_, '_>) -> EventSets {
    let mut sets = EventSets::new();
    let Some((_, node)) = p.get("events") else {
        return sets;
    };
    let Some(entries) = node.as_map() else {
        p.report(
            ProblemKind::InvalidValue,
            node.pos,
            format!(
                "`events` is a mapping of set names to lists of records, found {}",
                node.type_name()
            ),
        );
        return sets;
    };
    for (key, list) in entries {
        if let Some(records) = records(p, &key.name, list) {
            sets.insert(key.name.clone(), records.into());
        }
    }
    sets
}

/// One set: a non-empty list of `{why, record}`.
fn records(p: &mut Mapping<'_, '_>, name: &str, list: &Node) -> Option<Vec<EventRecord>> {
    let items = match list.as_seq() {
        Some(items) if !items.is_empty() => items,
        _ => {
            p.report(
                ProblemKind::InvalidValue,
                list.pos,
                format!("event set `{name}` must be a non-empty list of `{{why, record}}`"),
            );
            return None;
        }
    };
    let start = p.problems.len();
    let records: Vec<EventRecord> = items.iter().filter_map(|item| record(p, item)).collect();
    (p.problems.len() == start).then_some(records)
}

/// One `{why: TEXT, record: {…}}`.
fn record(p: &mut Mapping<'_, '_>, item: &Node) -> Option<EventRecord> {
    let Some(entries) = item.as_map() else {
        p.report(
            ProblemKind::InvalidValue,
            item.pos,
            "an event is a mapping `{why: …, record: {…}}`",
        );
        return None;
    };
    check_keys(p.file, entries, EVENT_KEYS, "event", p.problems);
    let field = |name: &str| entries.iter().find(|(k, _)| k.name == name).map(|(_, v)| v);
    let why = field("why")
        .and_then(Node::as_str)
        .filter(|w| !w.trim().is_empty());
    let record = field("record").filter(|r| r.as_map().is_some());
    match (why, record) {
        (Some(why), Some(record)) => Some(EventRecord {
            why: why.to_owned(),
            record: record.to_json(),
        }),
        _ => {
            p.report(
                ProblemKind::InvalidValue,
                item.pos,
                "an event needs `why` (a non-empty string) and `record` (a mapping: the CloudTrail record)",
            );
            None
        }
    }
}
