//! Parsers for the report form's individual fields.

use chrono::{DateTime, LocalResult, NaiveDateTime, TimeDelta, TimeZone, Utc};
use chrono_tz::Tz;

use super::{MAX_AGE_DAYS, MAX_FUTURE_MINUTES, MAX_REQUEST_ID_CHARS, RETRY_REASON};
use crate::domain::error::{quoted, FieldError};
use crate::domain::retry::{needs_reason, RetryReport};
use crate::domain::status::FailureClass;
use crate::domain::text::TextRule;

/// Records the error, if any, and passes the value on.
pub(super) fn keep<T>(errors: &mut Vec<FieldError>, result: Result<T, FieldError>) -> Option<T> {
    result.map_err(|e| errors.push(e)).ok()
}

pub(super) fn parse_request_id(input: &str) -> Result<Option<String>, FieldError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Ok(None);
    }
    let valid_chars = trimmed
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b':' | b'-'));
    if !valid_chars {
        return Err(FieldError::new(
            "request_id",
            "A request id contains only letters, digits, “.”, “_”, “:” and “-”; copy it exactly from the response.",
        ));
    }
    if trimmed.len() > MAX_REQUEST_ID_CHARS {
        return Err(FieldError::new(
            "request_id",
            format!(
                "A request id has at most {MAX_REQUEST_ID_CHARS} characters; this one has {}.",
                trimmed.len()
            ),
        ));
    }
    Ok(Some(trimmed.to_owned()))
}

/// Parses when the failure happened: a local time in `tz` as the form sends it, or an
/// RFC 3339 instant with its offset as the JSON API sends it. `Ok(None)` when the
/// timezone itself is invalid (that error is reported on its own field).
pub(super) fn parse_occurred_at(
    input: &str,
    tz: Option<&Tz>,
    now: DateTime<Utc>,
) -> Result<Option<DateTime<Utc>>, FieldError> {
    let field = "occurred_at";
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, "Enter when the failure happened."));
    }
    let instant = DateTime::parse_from_rfc3339(trimmed).ok();
    let local = match instant {
        Some(_) => None,
        None => Some(
            [
                "%Y-%m-%dT%H:%M",
                "%Y-%m-%dT%H:%M:%S",
                "%Y-%m-%d %H:%M",
                "%Y-%m-%d %H:%M:%S",
            ]
            .iter()
            .find_map(|format| NaiveDateTime::parse_from_str(trimmed, format).ok())
            .ok_or_else(|| {
                FieldError::new(
                    field,
                    format!(
                        "{} is not a date and time; use YYYY-MM-DDTHH:MM, e.g. 2026-03-14T09:30.",
                        quoted(trimmed)
                    ),
                )
            })?,
        ),
    };
    let Some(tz) = tz else { return Ok(None) };
    let at = match (instant, local) {
        (Some(instant), _) => instant.with_timezone(&Utc),
        (None, Some(local)) => match tz.from_local_datetime(&local) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.with_timezone(&Utc),
            LocalResult::None => {
                return Err(FieldError::new(
                    field,
                    format!(
                        "{} does not exist in {}: the clocks jumped forward over it. Check the time or the timezone.",
                        local.format("%Y-%m-%d %H:%M"),
                        tz.name()
                    ),
                ));
            }
        },
        (None, None) => return Ok(None),
    };
    let shown = at.with_timezone(tz).format("%Y-%m-%d %H:%M");
    if at > now + TimeDelta::minutes(MAX_FUTURE_MINUTES) {
        return Err(FieldError::new(
            field,
            format!(
                "{shown} in {} is in the future; check the date and the timezone.",
                tz.name()
            ),
        ));
    }
    if at < now - TimeDelta::days(MAX_AGE_DAYS) {
        return Err(FieldError::new(
            field,
            format!(
                "Reports are accepted for failures within the last {MAX_AGE_DAYS} days; this one is older."
            ),
        ));
    }
    Ok(Some(at))
}

/// Retry fields are required for server and transport failures. Client errors must not
/// be retried unchanged, so their form hides the fields and blanks mean none.
pub(super) fn parse_retry(
    class: Option<FailureClass>,
    retries: &str,
    interval: &str,
) -> Result<RetryReport, FieldError> {
    let routed = class.is_some_and(FailureClass::is_routed_to_queue);
    if !routed && retries.trim().is_empty() && interval.trim().is_empty() {
        return Ok(RetryReport::none());
    }
    RetryReport::parse(retries, interval)
}

/// The reason for not retrying: required (10+ characters) for a server or transport
/// failure that was not retried; otherwise not kept, but checked when given.
pub(super) fn parse_retry_reason(
    class: Option<FailureClass>,
    retry: Option<&RetryReport>,
    input: &str,
) -> Result<Option<String>, FieldError> {
    let needed = matches!((class, retry), (Some(c), Some(r)) if needs_reason(c, r));
    if !needed {
        if !input.is_empty() {
            TextRule {
                min: 0,
                ..RETRY_REASON
            }
            .check(input)?;
        }
        return Ok(None);
    }
    RETRY_REASON.check(input).map(Some)
}

#[cfg(test)]
mod tests {
    use chrono_tz::Europe::Berlin;

    use super::*;

    fn utc(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    fn occurred(input: &str, now: &str) -> Result<DateTime<Utc>, FieldError> {
        parse_occurred_at(input, Some(&Berlin), utc(now)).map(Option::unwrap)
    }

    #[test]
    fn request_ids() {
        assert_eq!(parse_request_id("  ").unwrap(), None);
        assert_eq!(
            parse_request_id(" req_8f3a:01.b-c ").unwrap().as_deref(),
            Some("req_8f3a:01.b-c")
        );
        assert_eq!(
            parse_request_id(&"a".repeat(128))
                .unwrap()
                .map(|id| id.len()),
            Some(128)
        );
        for bad in ["req 1".to_owned(), "req/1".to_owned(), "a".repeat(129)] {
            assert_eq!(parse_request_id(&bad).unwrap_err().field, "request_id");
        }
    }

    #[test]
    fn occurred_at_is_local_and_recent() {
        let now = "2026-03-14T12:00:00Z"; // 13:00 in Berlin
        assert_eq!(
            occurred("2026-03-14T09:30", now).unwrap(),
            utc("2026-03-14T08:30:00Z")
        );
        assert_eq!(
            occurred("2026-03-14 09:30:15", now).unwrap(),
            utc("2026-03-14T08:30:15Z")
        );
        // Up to ten minutes ahead is clock skew; more is a mistake.
        assert!(occurred("2026-03-14T13:10", now).is_ok());
        assert!(occurred("2025-03-15T13:00", now).is_ok());
        for bad in [
            "",
            "yesterday",
            "2026-03-14",
            "2026-03-14T13:11",
            "2025-03-13T13:00",
        ] {
            assert_eq!(
                occurred(bad, now).unwrap_err().field,
                "occurred_at",
                "{bad:?}"
            );
        }
        // An instant with its offset (the JSON API's form) is taken as it is, even in
        // the hour a clock change repeats.
        assert_eq!(
            occurred("2026-03-14T09:30:00+01:00", now).unwrap(),
            utc("2026-03-14T08:30:00Z")
        );
        assert!(occurred("2026-03-14T12:11:00Z", now).is_err());
        // Without a valid timezone only the format is checked.
        assert_eq!(
            parse_occurred_at("2026-03-14T09:30", None, utc(now)),
            Ok(None)
        );
    }

    #[test]
    fn occurred_at_across_dst() {
        let now = "2026-11-01T12:00:00Z";
        let gap = occurred("2026-03-29T02:30", now).unwrap_err();
        assert!(gap.message.contains("does not exist"), "{}", gap.message);
        // 02:30 on 2026-10-25 happens twice in Berlin; the earlier (CEST) one is taken.
        assert_eq!(
            occurred("2026-10-25T02:30", now).unwrap(),
            utc("2026-10-25T00:30:00Z")
        );
        // The later one can be given as an instant.
        assert_eq!(
            occurred("2026-10-25T01:30:00Z", now).unwrap(),
            utc("2026-10-25T01:30:00Z")
        );
    }
}
