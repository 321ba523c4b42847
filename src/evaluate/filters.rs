//! `matches_events`: a CloudWatch Logs filter pattern judged by the CloudTrail records it
//! matches (never by its text), with the first reason it falls short.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Mutex, PoisonError};

use crate::filter_pattern::{FilterPattern, Verdict, normalize_whitespace};
use crate::rules::{EventRecord, EventsOperand, FilterTextOperand, ParamValue, TextKey};

/// Why a filter pattern falls short of `matches_events`.
#[derive(Debug, Clone)]
pub(super) struct Shortfall {
    /// The first reason, in words.
    pub why: String,
    /// The share of `all_of` it matched, in thousandths (below 1000): a filter for this
    /// control that misses one event is nearer to compliance than a filter for another one
    /// that happens to match a few of its records.
    pub matched_share: u32,
}

/// Whether `pattern` matches every record of the `all_of` set and none of the `none_of` set;
/// otherwise the first reason it does not.
pub(super) fn judge_pattern(pattern: &str, events: &EventsOperand) -> Result<(), Shortfall> {
    let fail = |why: String, matched_share: u32| Err(Shortfall { why, matched_share });
    let parsed = match FilterPattern::parse(pattern) {
        Ok(parsed) => parsed,
        Err(e) => return fail(format!("does not parse: {e}"), 0),
    };
    let (set, required) = &events.all_of;
    let verdicts: Vec<Verdict> = required
        .iter()
        .map(|e| parsed.evaluate(&e.record))
        .collect();
    let matched = verdicts.iter().filter(|v| **v == Verdict::Match).count();
    // Below 1000 whenever a record was missed.
    let share = u32::try_from(matched * 999 / required.len().max(1)).unwrap_or(0);
    for (event, verdict) in required.iter().zip(verdicts) {
        match verdict {
            Verdict::Match => {}
            Verdict::NoMatch => {
                return fail(format!("does not match {} (`{set}`)", event.why), share);
            }
            Verdict::Unsupported(reason) => return fail(reason.to_string(), 0),
        }
    }
    if let Some((set, excluded)) = &events.none_of
        && let Some(event) = first_matched(&parsed, excluded)
    {
        return fail(format!("also matches {} (`{set}`)", event.why), 999);
    }
    Ok(())
}

/// [`judge_pattern`]'s answers within one evaluation, shared by its threads. The accounts of an
/// organization carry the same CIS filter texts, and every member sees the organization trail's
/// log group: each (pattern, event set) pair is judged once, not once per account and trail.
///
/// An event set is keyed by its address, so a memo must not outlive the rules it judged: it
/// lives inside one evaluation, which borrows its rule set throughout.
///
/// Keyed by event set, then by pattern, so a lookup borrows the pattern instead of copying it.
#[derive(Debug, Default)]
pub struct PatternMemo(Mutex<HashMap<usize, Judged>>);

/// The patterns judged against one event set, by pattern text.
type Judged = HashMap<String, Result<(), Shortfall>>;

impl PatternMemo {
    /// [`judge_pattern`], remembered.
    pub(super) fn judge(&self, pattern: &str, events: &EventsOperand) -> Result<(), Shortfall> {
        let set = std::ptr::from_ref(events) as usize;
        let lock = || self.0.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(known) = lock().get(&set).and_then(|judged| judged.get(pattern)) {
            return known.clone();
        }
        // Judged outside the lock: two threads may both judge a new pair, to the same answer.
        let answer = judge_pattern(pattern, events);
        lock()
            .entry(set)
            .or_default()
            .insert(pattern.to_owned(), answer.clone());
        answer
    }
}

fn first_matched<'e>(
    pattern: &FilterPattern,
    events: &'e [EventRecord],
) -> Option<&'e EventRecord> {
    events
        .iter()
        .find(|e| pattern.evaluate(&e.record) == Verdict::Match)
}

/// The key an `equals_filter_text` leaf compares with: written, or the value of its `string`
/// parameter (`None` when that has no string value).
pub(super) fn text_key(
    operand: &FilterTextOperand,
    params: &BTreeMap<String, ParamValue>,
) -> Option<String> {
    match &operand.key {
        TextKey::Literal(key) => Some(key.clone()),
        TextKey::Param(name) => match params.get(name) {
            Some(ParamValue::String(key)) => Some(key.clone()),
            _ => None,
        },
    }
}

/// Whether `pattern` is, whitespace aside, one of the rule's texts under `key`; otherwise why
/// not. A key without texts is never a match: the exact reading has nothing to accept.
pub(super) fn judge_text(
    pattern: &str,
    key: &str,
    operand: &FilterTextOperand,
) -> Result<(), String> {
    let Some(texts) = operand.texts.get(key) else {
        return Err(format!("the rule has no filter text for `{key}`"));
    };
    let pattern = normalize_whitespace(pattern);
    if texts.contains(&pattern) {
        Ok(())
    } else {
        Err(format!(
            "it differs from the `{key}` text beyond whitespace"
        ))
    }
}
