//! The provider's retry rule for server errors (PRODUCT §1, §4): retry 1–2 times,
//! 1–3 seconds apart, then contact support.

use serde::{Deserialize, Serialize};

use super::error::FieldError;
use super::method::HttpMethod;
use super::status::FailureClass;

/// The fewest retries the rule asks for.
pub const MIN_RETRIES: u32 = 1;
/// The most retries the rule allows.
pub const MAX_RETRIES: u32 = 2;
/// The shortest pause between retries the rule asks for, in seconds.
pub const MIN_INTERVAL_SECS: u32 = 1;
/// The longest pause between retries the rule names, in seconds.
pub const MAX_INTERVAL_SECS: u32 = 3;
/// The largest retry count the form accepts.
pub const RETRIES_LIMIT: u32 = 20;
/// The longest retry interval the form accepts, in seconds.
pub const INTERVAL_LIMIT_SECS: u32 = 3600;

/// What the developer says they did before filing: how often they retried and how long
/// they waited between attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryReport {
    retries: u32,
    interval_secs: Option<u32>,
}

impl RetryReport {
    /// Parses the two form fields. The interval is required when there were retries and
    /// ignored (stored as `None`) when there were none.
    pub fn parse(retries: &str, interval: &str) -> Result<Self, FieldError> {
        let retries = parse_count(
            retries,
            RETRIES_LIMIT,
            "retries",
            "Enter how many times you retried the request (0 if you did not).",
            "The number of retries",
        )?;
        let interval = interval.trim();
        if retries == 0 {
            // A pause between zero retries means nothing, but a malformed value is
            // still a mistake worth pointing out.
            if !interval.is_empty() {
                parse_interval(interval)?;
            }
            return Ok(Self::none());
        }
        Ok(Self {
            retries,
            interval_secs: Some(parse_interval(interval)?),
        })
    }

    /// A report of no retries at all.
    pub fn none() -> Self {
        Self {
            retries: 0,
            interval_secs: None,
        }
    }

    /// How many times the request was retried after the first failure.
    pub fn retries(&self) -> u32 {
        self.retries
    }

    /// The pause between attempts in seconds; `None` when there were no retries.
    pub fn interval_secs(&self) -> Option<u32> {
        self.interval_secs
    }
}

fn parse_interval(input: &str) -> Result<u32, FieldError> {
    parse_count(
        input,
        INTERVAL_LIMIT_SECS,
        "retry_interval",
        "Enter how many seconds you waited between retries.",
        "The retry interval",
    )
}

fn parse_count(
    input: &str,
    limit: u32,
    field: &str,
    empty: &str,
    what: &str,
) -> Result<u32, FieldError> {
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(FieldError::new(field, empty));
    }
    trimmed
        .parse::<u32>()
        .ok()
        .filter(|n| *n <= limit)
        .ok_or_else(|| {
            FieldError::new(
                field,
                format!(
                    "{what} must be a whole number from 0 to {limit}; {} is not.",
                    super::error::quoted(trimmed)
                ),
            )
        })
}

/// Whether the developer followed the retry rule, recorded on the ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum RetryVerdict {
    /// Client errors must not be retried unchanged; the rule does not apply.
    NotApplicable,
    /// The request was not retried.
    NotRetried,
    /// Retried 1–2 times with at least a second between attempts.
    Followed,
    /// Retried, but too few times or without waiting; the text explains.
    TooFewOrTooFast(String),
    /// Retried more often than the rule allows; the text explains.
    TooMany(String),
}

impl RetryVerdict {
    /// Whether the rule was followed.
    pub fn followed(&self) -> bool {
        matches!(self, Self::Followed)
    }
}

/// Judges the report against the rule.
///
/// Waiting longer than [`MAX_INTERVAL_SECS`] between retries still counts as followed:
/// the rule exists to spare the API bursts and to tell a blip from a persistent fault,
/// and slower retries do both.
pub fn assess(class: FailureClass, report: &RetryReport) -> RetryVerdict {
    if class == FailureClass::ClientError {
        return RetryVerdict::NotApplicable;
    }
    let retries = report.retries;
    let interval = report.interval_secs.unwrap_or(0);
    if retries == 0 {
        return RetryVerdict::NotRetried;
    }
    let too_fast = interval < MIN_INTERVAL_SECS;
    if retries > MAX_RETRIES {
        let pace = if too_fast {
            format!(
                " and without waiting {MIN_INTERVAL_SECS}–{MAX_INTERVAL_SECS} seconds between attempts"
            )
        } else {
            String::new()
        };
        return RetryVerdict::TooMany(format!(
            "Retried {retries} times{pace}; the rule is at most {MAX_RETRIES} retries, since more only adds load to a struggling service."
        ));
    }
    if retries < MIN_RETRIES || too_fast {
        return RetryVerdict::TooFewOrTooFast(format!(
            "Retried {retries} {} {interval} s apart; the rule is {MIN_RETRIES}–{MAX_RETRIES} retries, {MIN_INTERVAL_SECS}–{MAX_INTERVAL_SECS} seconds apart, so a brief blip has time to clear.",
            if retries == 1 { "time" } else { "times" }
        ));
    }
    RetryVerdict::Followed
}

/// Whether filing needs a reason: a server or transport failure that was not retried.
pub fn needs_reason(class: FailureClass, report: &RetryReport) -> bool {
    class != FailureClass::ClientError && report.retries == 0
}

/// The rule as shown in the form before filing, with a warning for methods whose
/// retries can repeat side effects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RetryAdvice {
    /// The retry rule in one or two sentences.
    pub rule: String,
    /// For POST and PATCH: why a blind retry can be harmful.
    pub idempotency_warning: Option<String>,
}

/// The advice shown for a server error or missing response to a `method` request.
pub fn advice(method: HttpMethod) -> RetryAdvice {
    let rule = format!(
        "Retry the same request {MIN_RETRIES}–{MAX_RETRIES} times, {MIN_INTERVAL_SECS}–{MAX_INTERVAL_SECS} seconds apart. Most server errors are brief; if it still fails, file this report and support will answer within one business day."
    );
    let idempotency_warning = (!method.is_idempotent()).then(|| {
        format!(
            "{method} is not idempotent: retrying it without an Idempotency-Key header can repeat its side effects, such as charging a card twice or creating two orders. Retry only with an Idempotency-Key, or first check whether the failed attempt took effect. If you did not retry for this reason, say so when filing."
        )
    });
    RetryAdvice {
        rule,
        idempotency_warning,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report(retries: &str, interval: &str) -> RetryReport {
        RetryReport::parse(retries, interval).unwrap()
    }

    #[test]
    fn parses_retry_fields() {
        let r = report(" 2 ", "3");
        assert_eq!((r.retries(), r.interval_secs()), (2, Some(3)));
        assert_eq!(report("0", ""), RetryReport::none());
        assert_eq!(report("0", "5"), RetryReport::none());
        assert_eq!(report("20", "3600").retries(), 20);
    }

    #[test]
    fn rejects_bad_retry_fields() {
        for (retries, interval, field) in [
            ("", "", "retries"),
            ("-1", "", "retries"),
            ("21", "1", "retries"),
            ("two", "1", "retries"),
            ("1.5", "1", "retries"),
            ("1", "", "retry_interval"),
            ("1", "3601", "retry_interval"),
            ("1", "-2", "retry_interval"),
            ("0", "soon", "retry_interval"),
        ] {
            let err = RetryReport::parse(retries, interval).unwrap_err();
            assert_eq!(err.field, field, "{retries:?} {interval:?}");
        }
    }

    #[test]
    fn assesses_the_rule() {
        let server = FailureClass::ServerError;
        assert_eq!(
            assess(FailureClass::ClientError, &report("5", "0")),
            RetryVerdict::NotApplicable
        );
        assert_eq!(assess(server, &report("0", "")), RetryVerdict::NotRetried);
        assert!(assess(server, &report("1", "1")).followed());
        assert!(assess(server, &report("2", "3")).followed());
        assert!(assess(FailureClass::TransportFailure, &report("2", "10")).followed());
        assert!(
            matches!(assess(server, &report("2", "0")), RetryVerdict::TooFewOrTooFast(m) if m.contains("0 s apart"))
        );
        assert!(
            matches!(assess(server, &report("3", "1")), RetryVerdict::TooMany(m) if m.contains("at most 2"))
        );
        assert!(
            matches!(assess(server, &report("9", "0")), RetryVerdict::TooMany(m) if m.contains("without waiting"))
        );
        assert!(!RetryVerdict::NotRetried.followed());
    }

    #[test]
    fn reason_needed_only_for_unretried_routed_failures() {
        assert!(needs_reason(
            FailureClass::ServerError,
            &RetryReport::none()
        ));
        assert!(needs_reason(
            FailureClass::TransportFailure,
            &RetryReport::none()
        ));
        assert!(!needs_reason(
            FailureClass::ClientError,
            &RetryReport::none()
        ));
        assert!(!needs_reason(FailureClass::ServerError, &report("1", "2")));
    }

    #[test]
    fn advice_warns_for_non_idempotent_methods() {
        let post = advice(HttpMethod::Post);
        assert!(post.rule.contains("1–2 times, 1–3 seconds apart"));
        let warning = post.idempotency_warning.unwrap();
        assert!(warning.contains("Idempotency-Key") && warning.contains("POST"));
        assert!(advice(HttpMethod::Patch).idempotency_warning.is_some());
        assert!(advice(HttpMethod::Get).idempotency_warning.is_none());
        assert!(advice(HttpMethod::Put).idempotency_warning.is_none());
    }
}
