//! `matches_events`: a CloudWatch Logs filter pattern judged by the CloudTrail records it
//! matches (never by its text), with the first reason it falls short.

use crate::filter_pattern::{FilterPattern, Verdict};
use crate::rules::{EventRecord, EventsOperand};

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
