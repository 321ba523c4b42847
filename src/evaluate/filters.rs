//! `matches_events`: a CloudWatch Logs filter pattern judged by the CloudTrail records it
//! matches (never by its text), with the first reason it falls short.

use std::collections::BTreeMap;

use crate::filter_pattern::{FilterPattern, Verdict, normalize_whitespace};
use crate::rules::{EventRecord, EventsOperand, FilterTextOperand, ParamValue, TextKey};

/// Whether `pattern` matches every record of the `all_of` set and none of the `none_of` set;
/// otherwise the first reason it does not, in words.
pub(super) fn judge_pattern(pattern: &str, events: &EventsOperand) -> Result<(), String> {
    let parsed = FilterPattern::parse(pattern).map_err(|e| format!("does not parse: {e}"))?;
    let (set, required) = &events.all_of;
    for event in required.iter() {
        match parsed.evaluate(&event.record) {
            Verdict::Match => {}
            Verdict::NoMatch => return Err(format!("does not match {} (`{set}`)", event.why)),
            Verdict::Unsupported(reason) => return Err(reason.to_string()),
        }
    }
    if let Some((set, excluded)) = &events.none_of
        && let Some(event) = first_matched(&parsed, excluded)
    {
        return Err(format!("also matches {} (`{set}`)", event.why));
    }
    Ok(())
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
