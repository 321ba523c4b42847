//! What `verify-logs` verifies: the period (`--start-time`, `--end-time`) against one clock,
//! and the trails (`--trail`). Pure: the clock is an argument.
//!
//! The AWS CLI's `validate-logs` reads its times with dateutil and treats a time without an
//! offset as UTC, and only refuses a start after the end (awscli
//! `customizations/cloudtrail/validation.py`, `handle_args`). trailguard accepts the same
//! timestamps, converts an explicit offset instead of dropping it, adds ages (`24h`), and also
//! refuses a time in the future and an empty period: a window that cannot contain a digest
//! would "verify" nothing and pass.

use time::format_description::well_known::Rfc3339;
use time::macros::format_description;
use time::{Date, Duration, OffsetDateTime, PrimitiveDateTime, UtcOffset};

use crate::exit::Usage;
use crate::inventory::Timestamp;
use crate::verify::Period;

/// The default period: the last 24 hours.
pub const DEFAULT_PERIOD: Duration = Duration::hours(24);

/// The accepted forms, for error messages.
const FORMS: &str = "use RFC 3339 (2026-03-01T04:00:00Z), a date (2026-03-01, midnight UTC) or an age before now (90m, 24h, 7d, 2w)";

/// Parses one `--start-time` / `--end-time` value against the clock `now`.
pub fn parse_time(text: &str, now: OffsetDateTime) -> Result<OffsetDateTime, String> {
    let text = text.trim();
    if let Some(age) = parse_age(text) {
        return age.and_then(|age| {
            now.checked_sub(age)
                .ok_or_else(|| format!("the age `{text}` reaches before year -9999"))
        });
    }
    if let Ok(t) = OffsetDateTime::parse(text, &Rfc3339) {
        return Ok(t.to_offset(UtcOffset::UTC));
    }
    // No offset: UTC, as the AWS CLI reads it.
    let naive = format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]");
    if let Ok(t) = PrimitiveDateTime::parse(text, naive) {
        return Ok(t.assume_utc());
    }
    if let Ok(d) = Date::parse(text, format_description!("[year]-[month]-[day]")) {
        return Ok(d.midnight().assume_utc());
    }
    Err(FORMS.to_owned())
}

/// `90m`, `24h`, `7d`, `2w` as a duration; `None` when `text` is not of that shape.
fn parse_age(text: &str) -> Option<Result<Duration, String>> {
    let unit = text.chars().last()?;
    let digits = &text[..text.len() - unit.len_utf8()];
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let seconds_per = match unit {
        'm' => 60,
        'h' => 3_600,
        'd' => 86_400,
        'w' => 604_800,
        _ => return None,
    };
    let too_long = || format!("the age `{text}` is too long");
    Some(
        (digits.parse::<i64>().ok())
            .and_then(|n| n.checked_mul(seconds_per))
            .map(Duration::seconds)
            .ok_or_else(too_long),
    )
}

/// The period from the two flags: end default now, start default 24 hours before the end.
/// Errors name the flag and its value: unparseable, in the future, or a start not before the
/// end.
pub fn resolve_window(
    start: Option<&str>,
    end: Option<&str>,
    now: OffsetDateTime,
) -> Result<Period, Usage> {
    let end_time = match end {
        Some(text) => checked("--end-time", text, now)?,
        None => now,
    };
    let start_time = match start {
        Some(text) => checked("--start-time", text, now)?,
        None => end_time.checked_sub(DEFAULT_PERIOD).unwrap_or(end_time),
    };
    if start_time >= end_time {
        return Err(Usage::TimeRange {
            start: Timestamp(start_time).to_string(),
            end: Timestamp(end_time).to_string(),
        });
    }
    Ok(Period {
        start: start_time,
        end: end_time,
    })
}

/// One flag's time, parsed and not after `now`.
fn checked(flag: &'static str, text: &str, now: OffsetDateTime) -> Result<OffsetDateTime, Usage> {
    let time = parse_time(text, now).map_err(|why| Usage::Time {
        flag,
        value: text.to_owned(),
        why,
    })?;
    if time > now {
        return Err(Usage::FutureTime {
            flag,
            value: text.to_owned(),
            now: Timestamp(now).to_string(),
        });
    }
    Ok(time)
}

/// A `--trail` value: a trail ARN (`arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME`, the
/// shape the AWS CLI requires of `--trail-arn`) or a trail name (ASCII letters, digits, `.`,
/// `_`, `-`: CloudTrail's naming rules).
pub fn check_trail(text: &str) -> Result<String, Usage> {
    let text = text.trim();
    let name_ok = |name: &str| {
        !name.is_empty() && (name.bytes()).all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    };
    let ok = match text.strip_prefix("arn:") {
        Some(rest) => {
            let parts: Vec<&str> = rest.splitn(5, ':').collect();
            matches!(parts.as_slice(),
                [partition, "cloudtrail", region, account, resource]
                    if !partition.is_empty()
                        && !region.is_empty()
                        && account.len() == 12
                        && account.bytes().all(|b| b.is_ascii_digit())
                        && resource.strip_prefix("trail/").is_some_and(name_ok))
        }
        None => name_ok(text),
    };
    if ok {
        Ok(text.to_owned())
    } else {
        Err(Usage::Trail(text.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    const NOW: OffsetDateTime = datetime!(2026-03-10 12:30:00 UTC);

    fn window(start: Option<&str>, end: Option<&str>) -> Result<(String, String), String> {
        resolve_window(start, end, NOW)
            .map(|p| (Timestamp(p.start).to_string(), Timestamp(p.end).to_string()))
            .map_err(|e| e.to_string())
    }

    #[test]
    fn rfc3339_dates_naive_times_and_ages() {
        let t = |text| parse_time(text, NOW).map(|t| Timestamp(t).to_string());
        assert_eq!(t("2026-03-01T04:00:00Z"), Ok("2026-03-01T04:00:00Z".into()));
        // An explicit offset is converted, not dropped (the AWS CLI drops it).
        assert_eq!(
            t("2026-03-01T06:00:00+02:00"),
            Ok("2026-03-01T04:00:00Z".into())
        );
        assert_eq!(t("2026-03-01T04:00:00"), Ok("2026-03-01T04:00:00Z".into()));
        assert_eq!(t("2026-03-01"), Ok("2026-03-01T00:00:00Z".into()));
        assert_eq!(t("90m"), Ok("2026-03-10T11:00:00Z".into()));
        assert_eq!(t("24h"), Ok("2026-03-09T12:30:00Z".into()));
        assert_eq!(t("7d"), Ok("2026-03-03T12:30:00Z".into()));
        assert_eq!(t("2w"), Ok("2026-02-24T12:30:00Z".into()));
        assert_eq!(t(" 1h "), Ok("2026-03-10T11:30:00Z".into()));
    }

    #[test]
    fn what_is_not_a_time() {
        for bad in [
            "",
            "soon",
            "h",
            "24",
            "-1h",
            "1.5h",
            "5y",
            "2026-13-01",
            "2026-03-01T25:00:00Z",
            "yesterday",
            "1h30m",
        ] {
            assert_eq!(parse_time(bad, NOW), Err(FORMS.to_owned()), "{bad:?}");
        }
        assert!(
            parse_time("99999999999999999999d", NOW).is_err_and(|e| e.contains("too long")),
            "overflow is an error"
        );
        assert!(parse_time("9999999999w", NOW).is_err());
    }

    #[test]
    fn defaults_are_the_last_24_hours() {
        assert_eq!(
            window(None, None),
            Ok(("2026-03-09T12:30:00Z".into(), "2026-03-10T12:30:00Z".into()))
        );
        // Without a start, 24 hours before the end given.
        assert_eq!(
            window(None, Some("2026-03-01")),
            Ok(("2026-02-28T00:00:00Z".into(), "2026-03-01T00:00:00Z".into()))
        );
        // Without an end, now.
        assert_eq!(
            window(Some("7d"), None),
            Ok(("2026-03-03T12:30:00Z".into(), "2026-03-10T12:30:00Z".into()))
        );
    }

    #[test]
    fn errors_name_the_flag_and_the_value() {
        assert_eq!(
            window(Some("soon"), None),
            Err(format!("--start-time `soon` is not a time: {FORMS}"))
        );
        assert_eq!(
            window(None, Some("2026-03-10T13:00:00Z")),
            Err(
                "--end-time `2026-03-10T13:00:00Z` is in the future (now is 2026-03-10T12:30:00Z)"
                    .into()
            )
        );
        assert_eq!(
            window(Some("2026-04-01"), Some("1h")),
            Err("--start-time `2026-04-01` is in the future (now is 2026-03-10T12:30:00Z)".into())
        );
        assert_eq!(
            window(Some("2026-03-02"), Some("2026-03-01")),
            Err(
                "--start-time 2026-03-02T00:00:00Z is not before --end-time 2026-03-01T00:00:00Z"
                    .into()
            )
        );
        // An empty period verifies nothing: refused too.
        assert_eq!(
            window(Some("1h"), Some("60m")),
            Err(
                "--start-time 2026-03-10T11:30:00Z is not before --end-time 2026-03-10T11:30:00Z"
                    .into()
            )
        );
        // Now itself is not the future.
        assert!(window(Some("1d"), Some("2026-03-10T12:30:00Z")).is_ok());
    }

    #[test]
    fn trails_are_arns_or_names() {
        for good in [
            "main",
            "org-trail_2.x",
            "arn:aws:cloudtrail:us-east-1:111111111111:trail/main",
            "arn:aws-us-gov:cloudtrail:us-gov-west-1:111111111111:trail/a.b",
        ] {
            assert_eq!(check_trail(good).ok().as_deref(), Some(good));
        }
        for bad in [
            "",
            "my trail",
            "arn:aws:cloudtrail:us-east-1:1111:trail/main",
            "arn:aws:s3:::bucket",
            "arn:aws:cloudtrail:us-east-1:111111111111:eventdatastore/x",
            "arn:aws:cloudtrail:us-east-1:111111111111:trail/",
        ] {
            assert!(check_trail(bad).is_err(), "{bad:?}");
        }
        assert_eq!(
            check_trail("my trail").map_err(|e| e.to_string()),
            Err("--trail `my trail` is neither a trail ARN (arn:PARTITION:cloudtrail:REGION:ACCOUNT:trail/NAME) nor a trail name".into())
        );
    }
}
