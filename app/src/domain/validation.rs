//! The failure report form (PRODUCT §3): the raw draft as typed, and the parsed report
//! the server stores. The browser runs the same parser for inline errors.

mod fields;

use chrono::{DateTime, Utc};
use chrono_tz::Tz;
use serde::{Deserialize, Serialize};

use super::calendar::parse_tz;
use super::endpoint::Endpoint;
use super::error::FieldError;
use super::method::HttpMethod;
use super::retry::RetryReport;
use super::scrub::scrub;
use super::status::Failure;
use super::text::TextRule;
use fields::{keep, parse_occurred_at, parse_request_id, parse_retry, parse_retry_reason};

/// The longest response message accepted, in characters.
pub const MAX_MESSAGE_CHARS: usize = 2_000;
/// The longest request id accepted, in characters.
pub const MAX_REQUEST_ID_CHARS: usize = 128;
/// The longest description accepted, in characters.
pub const MAX_DESCRIPTION_CHARS: usize = 10_000;
/// The longest request/response excerpt accepted, in characters.
pub const MAX_EXCERPT_CHARS: usize = 20_000;
/// The shortest reason accepted for not retrying a server error, in characters.
pub const MIN_RETRY_REASON_CHARS: usize = 10;
/// The longest reason accepted for not retrying, in characters.
pub const MAX_RETRY_REASON_CHARS: usize = 2_000;
/// The rule for the response's `message`.
pub const MESSAGE: TextRule = TextRule::new("message", "The message", 0, MAX_MESSAGE_CHARS);
/// The rule for the description.
pub const DESCRIPTION: TextRule =
    TextRule::new("description", "The description", 1, MAX_DESCRIPTION_CHARS);
/// The rule for the request/response excerpt.
pub const EXCERPT: TextRule = TextRule::new("excerpt", "The excerpt", 0, MAX_EXCERPT_CHARS);
/// The rule for the reason a server error was not retried (when one is needed).
pub const RETRY_REASON: TextRule = TextRule::new(
    "retry_reason",
    "The reason",
    MIN_RETRY_REASON_CHARS,
    MAX_RETRY_REASON_CHARS,
)
.too_short(
    "You did not retry: please say why in at least 10 characters (for example, “the request is not idempotent”), or retry 1–2 times, 1–3 seconds apart, first.",
);
/// How far in the future `occurred_at` may be, allowing for clock skew.
pub const MAX_FUTURE_MINUTES: i64 = 10;
/// How long ago `occurred_at` may be.
pub const MAX_AGE_DAYS: i64 = 365;

/// Which API environment the failing request went to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Environment {
    /// The live API.
    Production,
    /// The test API.
    Sandbox,
}

impl Environment {
    /// Both environments, in the order the form offers them.
    pub const ALL: [Environment; 2] = [Environment::Production, Environment::Sandbox];

    /// Parses `production` or `sandbox`, ignoring case.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        match input.trim().to_ascii_lowercase().as_str() {
            "production" => Ok(Self::Production),
            "sandbox" => Ok(Self::Sandbox),
            "" => Err(FieldError::new(
                "environment",
                "Choose the environment the request went to: production or sandbox.",
            )),
            other => Err(FieldError::new(
                "environment",
                format!("“{other}” is not an environment; choose production or sandbox."),
            )),
        }
    }

    /// The canonical lowercase name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Production => "production",
            Self::Sandbox => "sandbox",
        }
    }

    /// A label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Production => "Production",
            Self::Sandbox => "Sandbox",
        }
    }
}

/// The report form exactly as typed: every field a string, as the browser sends it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ReportDraft {
    /// The API path, e.g. `/v1/orders/{id}`.
    pub endpoint: String,
    /// The HTTP method.
    pub method: String,
    /// The HTTP status code; empty when no response arrived.
    pub status: String,
    /// Why no response arrived (`timeout`, `connection_refused`, `dns`, `tls`); empty
    /// when there was a status code.
    pub transport: String,
    /// The response's `message` field (or the client's error text).
    pub message: String,
    /// The request id from the response, if any.
    pub request_id: String,
    /// When it happened, local time `YYYY-MM-DDTHH:MM` as from `<input type=datetime-local>`.
    pub occurred_at: String,
    /// The IANA timezone `occurred_at` is in.
    pub timezone: String,
    /// `production` or `sandbox`.
    pub environment: String,
    /// How many times the request was retried.
    pub retries: String,
    /// Seconds between retries.
    pub retry_interval: String,
    /// What the developer was doing and what they expected.
    pub description: String,
    /// An optional request/response excerpt.
    pub excerpt: String,
    /// Why a server error was not retried, when it was not.
    pub retry_reason: String,
}

/// A report that passed every rule. Free text is trimmed and scrubbed of secrets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValidReport {
    /// The API path.
    pub endpoint: Endpoint,
    /// The HTTP method.
    pub method: HttpMethod,
    /// The status code or the kind of missing response.
    pub failure: Failure,
    /// The response message; may be empty.
    pub message: String,
    /// The request id, if given.
    pub request_id: Option<String>,
    /// When it happened.
    pub occurred_at: DateTime<Utc>,
    /// The reporter's timezone.
    pub timezone: Tz,
    /// Production or sandbox.
    pub environment: Environment,
    /// What the developer did about retrying.
    pub retry: RetryReport,
    /// The description.
    pub description: String,
    /// The excerpt, if given.
    pub excerpt: Option<String>,
    /// Why a server error was not retried; only kept when the rule requires one.
    pub retry_reason: Option<String>,
    /// The fingerprints of the secrets masked in the text above, sorted, each once.
    pub fingerprints: Vec<String>,
}

impl ReportDraft {
    /// Parses the draft, returning the first error in form order.
    pub fn validate(&self, now: DateTime<Utc>) -> Result<ValidReport, FieldError> {
        self.parse(now).map_err(|mut errors| errors.remove(0))
    }

    /// Every error in form order, for showing them all inline at once; empty when the
    /// draft is valid.
    pub fn validate_all(&self, now: DateTime<Utc>) -> Vec<FieldError> {
        self.parse(now).err().unwrap_or_default()
    }

    fn parse(&self, now: DateTime<Utc>) -> Result<ValidReport, Vec<FieldError>> {
        let mut errors = Vec::new();
        let endpoint = keep(&mut errors, Endpoint::parse(&self.endpoint));
        let method = keep(&mut errors, HttpMethod::parse(&self.method));
        let failure = keep(&mut errors, Failure::parse(&self.status, &self.transport));
        let message = keep(&mut errors, MESSAGE.check(&self.message));
        let request_id = keep(&mut errors, parse_request_id(&self.request_id));
        let tz = parse_tz(&self.timezone);
        let occurred_at = keep(
            &mut errors,
            parse_occurred_at(&self.occurred_at, tz.as_ref().ok(), now),
        )
        .flatten();
        let timezone = keep(&mut errors, tz);
        let environment = keep(&mut errors, Environment::parse(&self.environment));
        let class = failure.map(Failure::class);
        let retry = keep(
            &mut errors,
            parse_retry(class, &self.retries, &self.retry_interval),
        );
        let description = keep(&mut errors, DESCRIPTION.check(&self.description));
        let excerpt = keep(&mut errors, EXCERPT.check(&self.excerpt));
        let retry_reason = keep(
            &mut errors,
            parse_retry_reason(class, retry.as_ref(), &self.retry_reason),
        );
        let (
            Some(endpoint),
            Some(method),
            Some(failure),
            Some(message),
            Some(request_id),
            Some(occurred_at),
            Some(timezone),
            Some(environment),
            Some(retry),
            Some(description),
            Some(excerpt),
            Some(retry_reason),
        ) = (
            endpoint,
            method,
            failure,
            message,
            request_id,
            occurred_at,
            timezone,
            environment,
            retry,
            description,
            excerpt,
            retry_reason,
        )
        else {
            return Err(errors);
        };
        // Secrets never go further than this: every free-text field is scrubbed, and
        // only short fingerprints of what was masked are kept.
        let mut fingerprints = Vec::new();
        let mut clean = |text: &str| {
            let s = scrub(text);
            fingerprints.extend(s.fingerprints);
            s.text
        };
        let message = clean(&message);
        let description = clean(&description);
        let excerpt = (!excerpt.is_empty()).then(|| clean(&excerpt));
        let retry_reason = retry_reason.map(|r| clean(&r));
        fingerprints.sort();
        fingerprints.dedup();
        Ok(ValidReport {
            endpoint,
            method,
            failure,
            message,
            request_id,
            occurred_at,
            timezone,
            environment,
            retry,
            description,
            excerpt,
            retry_reason,
            fingerprints,
        })
    }
}

#[cfg(test)]
mod tests;
