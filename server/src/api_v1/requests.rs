//! What the API's callers send: request bodies and query strings, read strictly (typed
//! values, no unknown fields), each with a JSON Schema that says exactly what is
//! accepted. The schemas are written out here rather than derived, because the rules
//! they publish (text patterns, "a status or a transport failure, not both", "no
//! retries needs a reason") are the domain's own: [`TextRule::pattern`],
//! [`Endpoint::pattern`] and the constants they come from.
//!
//! Only rules that depend on the clock or on stored data are left out of the schemas
//! (a failure within the last 365 days, planned maintenance 24 hours ahead, an end
//! after its start, a date range of at most 366 days): JSON Schema cannot say them, and
//! the API answers them with 422 naming the field.

use app::domain::{
    endpoint::{Endpoint, MAX_ENDPOINT_CHARS},
    notices::{NoticeDraft, DETAILS, MAX_PREFIXES, TITLE},
    retry::{INTERVAL_LIMIT_SECS, RETRIES_LIMIT},
    status::{FailureClass, TransportKind},
    text::{TextRule, WHITESPACE_CLASS},
    validation::{
        Environment, ReportDraft, DESCRIPTION, EXCERPT, MAX_REQUEST_ID_CHARS, MESSAGE, RETRY_REASON,
    },
    HttpMethod,
};
use app::error::AppError;
use app::server::{intake, work};
use chrono::{DateTime, FixedOffset, Utc};
use serde::{de::Error as _, Deserialize, Deserializer, Serialize};
use serde_json::{json, Value};
use std::borrow::Cow;
use utoipa::{
    openapi::{RefOr, Schema},
    IntoParams, PartialSchema, ToSchema,
};

/// A schema written as JSON.
fn schema(value: Value) -> RefOr<Schema> {
    RefOr::T(serde_json::from_value(value).expect("a valid schema literal"))
}

/// The schema of a text field that follows `rule`.
fn text(rule: &TextRule, nullable: bool, description: &str) -> Value {
    json!({
        "type": if nullable { json!(["string", "null"]) } else { json!("string") },
        "maxLength": rule.max,
        "pattern": rule.pattern(),
        "description": description,
    })
}

/// The same rule without a minimum (for a value that is checked when given).
fn optional(rule: TextRule) -> TextRule {
    TextRule { min: 0, ..rule }
}

/// The schema of an RFC 3339 instant.
fn instant(description: &str, example: &str) -> Value {
    json!({ "type": "string", "format": "date-time", "description": description, "examples": [example] })
}

/// An example instant `days` from the day the document is built, at `time` UTC
/// (`"02:00"`). Examples are sent as they are by clients and by the API fuzzer, so a
/// fixed date would turn invalid as the calendar moves on (a notice must start at least
/// 24 hours ahead, a failure be within the last 365 days).
fn example_instant(days: i64, time: &str) -> String {
    let day = chrono::Utc::now().date_naive() + chrono::Duration::days(days);
    format!("{}T{time}:00Z", day.format("%Y-%m-%d"))
}

/// A type whose schema is a JSON literal. utoipa's schema model has no room for some
/// keywords (`if`/`then` and combinators next to `properties`), so the document is
/// given the literal itself afterwards ([`literal_schemas`]).
pub trait JsonSchema {
    /// The component name.
    const NAME: &'static str;
    /// The schema, as JSON.
    fn json() -> Value;
}

/// Implements the schema traits with a JSON literal.
macro_rules! json_schema {
    ($ty:ty, $name:literal, $body:expr) => {
        impl JsonSchema for $ty {
            const NAME: &'static str = $name;
            fn json() -> Value {
                $body
            }
        }
        impl PartialSchema for $ty {
            fn schema() -> RefOr<Schema> {
                schema(<$ty as JsonSchema>::json())
            }
        }
        impl ToSchema for $ty {
            fn name() -> Cow<'static, str> {
                Cow::Borrowed($name)
            }
        }
    };
}

/// Every schema written as JSON, by component name, exactly as written.
pub fn literal_schemas() -> Vec<(&'static str, Value)> {
    fn entry<T: JsonSchema>() -> (&'static str, Value) {
        (T::NAME, T::json())
    }
    vec![
        entry::<CreateReport>(),
        entry::<GuidanceAnswer>(),
        entry::<Message>(),
        entry::<Statement>(),
        entry::<Notice>(),
        entry::<NoticeChange>(),
        entry::<Assign>(),
        entry::<StaffMessage>(),
        entry::<Merge>(),
        entry::<CsvTable>(),
    ]
}

// ----- Strict readers -----------------------------------------------------------------

/// A JSON number that is a whole number (`3` or `3.0`) in `T`'s range.
fn whole<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<T, D::Error> {
    let n = serde_json::Number::deserialize(d)?;
    let value = n.as_i64().or_else(|| {
        n.as_f64()
            .filter(|f| f.fract() == 0.0 && f.abs() < 9.0e15)
            .map(|f| f as i64)
    });
    value
        .and_then(|v| T::try_from(v).ok())
        .ok_or_else(|| D::Error::custom(format!("{n} is not a whole number in range")))
}

/// A whole number that may be left out but is never `null`.
fn present_whole<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<Option<T>, D::Error> {
    whole(d).map(Some)
}

/// A whole number or `null`.
fn nullable_whole<'de, D: Deserializer<'de>, T: TryFrom<i64>>(d: D) -> Result<Option<T>, D::Error> {
    match Option::<serde_json::Number>::deserialize(d)? {
        None => Ok(None),
        Some(n) => whole(n).map(Some).map_err(D::Error::custom),
    }
}

/// A value that may be left out but is never `null`.
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// An RFC 3339 date and time (`2026-11-24T09:55:00Z`, `…+01:00`), nothing looser.
fn rfc3339<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<FixedOffset>, D::Error> {
    let s = String::deserialize(d)?;
    let separator = s.as_bytes().get(10).copied();
    matches!(separator, Some(b'T' | b't'))
        .then(|| DateTime::parse_from_rfc3339(&s).ok())
        .flatten()
        .ok_or_else(|| {
            D::Error::custom(format!(
                "{} is not an RFC 3339 date and time such as 2026-11-24T09:55:00Z",
                app::domain::error::quoted(&s)
            ))
        })
}

/// An IANA timezone name, exactly as the tz database spells it.
#[derive(Debug, Clone, Serialize)]
pub struct TzName(pub String);

impl<'de> Deserialize<'de> for TzName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        s.parse::<chrono_tz::Tz>()
            .map(|_| TzName(s.clone()))
            .map_err(|_| {
                D::Error::custom(format!(
                    "{} is not an IANA timezone name such as Europe/Berlin",
                    app::domain::error::quoted(&s)
                ))
            })
    }
}

fn timezones() -> Vec<Value> {
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|tz| Value::from(tz.name()))
        .collect()
}

// ----- Reports --------------------------------------------------------------------------

/// The request id rule: letters, digits, `.`, `_`, `:` and `-`, at most 128, spaces
/// around ignored; empty means none.
fn request_id_pattern() -> String {
    format!("^[{WHITESPACE_CLASS}]*(?:[A-Za-z0-9._:-]{{1,{MAX_REQUEST_ID_CHARS}}})?[{WHITESPACE_CLASS}]*$")
}

/// A report to file. Validated exactly like the browser's form.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct CreateReport {
    /// The path that failed.
    pub endpoint: String,
    /// The HTTP method of the failed request.
    pub method: HttpMethod,
    /// The response's HTTP status code.
    #[serde(default, deserialize_with = "present_whole")]
    pub status: Option<u16>,
    /// Without a status: why no response came.
    #[serde(default, deserialize_with = "present")]
    pub transport: Option<TransportKind>,
    /// The response's `message` field.
    pub message: String,
    /// The API's request id.
    #[serde(default)]
    pub request_id: Option<String>,
    /// When the request failed.
    #[serde(deserialize_with = "rfc3339")]
    pub occurred_at: DateTime<FixedOffset>,
    /// The timezone you report in.
    #[serde(default)]
    pub timezone: Option<TzName>,
    /// `production` (default) or `sandbox`.
    #[serde(default)]
    pub environment: Option<Environment>,
    /// How often you retried.
    #[serde(default, deserialize_with = "nullable_whole")]
    pub retries: Option<u32>,
    /// Seconds between retries.
    #[serde(default, deserialize_with = "nullable_whole")]
    pub retry_interval_secs: Option<u32>,
    /// Why a server error was not retried.
    #[serde(default)]
    pub retry_reason: Option<String>,
    /// What you were doing and what you saw.
    pub description: String,
    /// A request/response excerpt.
    #[serde(default)]
    pub excerpt: Option<String>,
}

json_schema!(CreateReport, "CreateReport", {
    let reason_needed = text(&RETRY_REASON, false, "Required: you did not retry.");
    json!({
        "type": "object",
        "description": "A failure to report. Give `status` for a response with an HTTP error \
            status, or `transport` when no response came — exactly one of them. A server error \
            or missing response that was not retried needs a `retry_reason`.",
        "additionalProperties": false,
        "required": ["endpoint", "method", "message", "occurred_at", "description"],
        "properties": {
            "endpoint": {
                "type": "string",
                "maxLength": MAX_ENDPOINT_CHARS,
                "pattern": Endpoint::pattern(),
                "description": "The path that failed, e.g. `/v1/orders/42` (a query string or fragment is dropped).",
                "examples": ["/v1/orders/42"],
            },
            "method": {
                "type": "string",
                "enum": HttpMethod::ALL.iter().map(|m| m.as_str()).collect::<Vec<_>>(),
                "description": "The HTTP method of the failed request.",
            },
            "status": {
                "type": "integer", "minimum": 400, "maximum": 599,
                "description": "The response's HTTP status code. Leave it out when no response came.",
                "examples": [503],
            },
            "transport": {
                "type": "string",
                "enum": TransportKind::ALL.iter().map(|t| t.as_str()).collect::<Vec<_>>(),
                "description": "Why no response came. Leave it out when there was a status code.",
            },
            "message": text(&MESSAGE, false, "The response's `message` field (may be empty)."),
            "request_id": {
                "type": ["string", "null"],
                "pattern": request_id_pattern(),
                "description": "The API's request id, if the response had one.",
                "examples": ["req_8f2a"],
            },
            "occurred_at": instant("When the request failed (RFC 3339), within the last 365 days.", &example_instant(-1, "09:55")),
            "timezone": {
                "type": ["string", "null"],
                "enum": timezones().into_iter().chain([Value::Null]).collect::<Vec<_>>(),
                "description": "The IANA timezone times are shown to you in for this report; default: your account's.",
            },
            "environment": {
                "type": ["string", "null"],
                "enum": ["production", "sandbox", null],
                "description": "Where the request went; default `production`.",
            },
            "retries": {
                "type": ["integer", "null"], "minimum": 0, "maximum": RETRIES_LIMIT,
                "description": "How often you retried (the rule for server errors: 1–2 times, 1–3 s apart). Default 0.",
            },
            "retry_interval_secs": {
                "type": ["integer", "null"], "minimum": 0, "maximum": INTERVAL_LIMIT_SECS,
                "description": "Seconds between retries; required when you retried.",
            },
            "retry_reason": text(&optional(RETRY_REASON), true,
                "Why you did not retry a server error or missing response (10+ characters, e.g. the request is not idempotent)."),
            "description": text(&DESCRIPTION, false, "What you were doing and what you saw."),
            "excerpt": text(&EXCERPT, true, "A request/response excerpt; credentials in it are masked before storage."),
        },
        "allOf": [
            { "oneOf": [ { "required": ["status"] }, { "required": ["transport"] } ] },
            {
                "if": { "required": ["retries"], "properties": { "retries": { "type": "integer", "minimum": 1 } } },
                "then": { "required": ["retry_interval_secs"], "properties": { "retry_interval_secs": { "type": "integer" } } },
            },
            {
                "if": {
                    "anyOf": [
                        { "required": ["transport"] },
                        { "required": ["status"], "properties": { "status": { "minimum": 500 } } },
                    ],
                    "properties": { "retries": { "enum": [0, null] } },
                },
                "then": { "required": ["retry_reason"], "properties": { "retry_reason": reason_needed } },
            },
        ],
        "examples": [{
            "endpoint": "/v1/orders/42",
            "method": "GET",
            "status": 503,
            "message": "Service temporarily unavailable",
            "request_id": "req_8f2a",
            "occurred_at": example_instant(-1, "09:55"),
            "timezone": "Europe/Berlin",
            "environment": "production",
            "retries": 2,
            "retry_interval_secs": 2,
            "description": "Listing an order fails since this morning."
        }],
    })
});

impl CreateReport {
    /// The report as the browser's form would have sent it.
    pub fn into_draft(self, default_tz: &str) -> ReportDraft {
        let opt = |s: Option<String>| s.unwrap_or_default();
        ReportDraft {
            endpoint: self.endpoint,
            method: self.method.as_str().to_owned(),
            status: self.status.map(|s| s.to_string()).unwrap_or_default(),
            transport: self
                .transport
                .map(|t| t.as_str().to_owned())
                .unwrap_or_default(),
            message: self.message,
            request_id: opt(self.request_id),
            occurred_at: self
                .occurred_at
                .to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true),
            timezone: self
                .timezone
                .map(|t| t.0)
                .unwrap_or_else(|| default_tz.to_owned()),
            environment: self
                .environment
                .unwrap_or(Environment::Production)
                .as_str()
                .to_owned(),
            retries: self.retries.unwrap_or(0).to_string(),
            retry_interval: self
                .retry_interval_secs
                .map(|s| s.to_string())
                .unwrap_or_default(),
            description: self.description,
            excerpt: opt(self.excerpt),
            retry_reason: opt(self.retry_reason),
        }
    }
}

/// The answer to a client error's guidance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// The guidance solved it: the report is closed.
    Solved,
    /// It still fails: the report goes to support.
    StillFailing,
}

/// The answer to the guidance of a client error.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct GuidanceAnswer {
    /// `solved` or `still_failing`.
    pub outcome: Outcome,
    /// With `still_failing`: what you changed after reading the guidance.
    #[serde(default)]
    pub changed: Option<String>,
}

json_schema!(
    GuidanceAnswer,
    "GuidanceAnswer",
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["outcome"],
        "properties": {
            "outcome": { "type": "string", "enum": ["solved", "still_failing"] },
            "changed": text(&optional(intake::CHANGED), true, "What you changed after reading the guidance; required (10+ characters) with `still_failing`."),
        },
        "if": { "properties": { "outcome": { "const": "still_failing" } } },
        "then": { "required": ["changed"], "properties": { "changed": text(&intake::CHANGED, false, "What you changed.") } },
        "examples": [{ "outcome": "still_failing", "changed": "Refreshed the token; the call still gets 401." }],
    })
);

/// A message: a reply, a note or an incident update.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// The text.
    pub body: String,
}

json_schema!(
    Message,
    "Message",
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["body"],
        "properties": { "body": text(&work::MESSAGE_BODY, false, "The text (secrets in it are masked).") },
        "examples": [{ "body": "Still failing after the fix." }],
    })
);

/// A statement that a failure is unrelated to the maintenance it fell in.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Why.
    pub statement: String,
}

json_schema!(
    Statement,
    "Statement",
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["statement"],
        "properties": { "statement": text(&intake::STATEMENT, false, "Why the failure is unrelated to the maintenance.") },
        "examples": [{ "statement": "Other endpoints fail the same way, outside the window too." }],
    })
);

// ----- Notices --------------------------------------------------------------------------

/// A maintenance notice to publish.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// Headline.
    pub title: String,
    /// What happens and what to expect.
    #[serde(default)]
    pub details: String,
    /// Start.
    #[serde(deserialize_with = "rfc3339")]
    pub starts_at: DateTime<FixedOffset>,
    /// End, after the start.
    #[serde(deserialize_with = "rfc3339")]
    pub ends_at: DateTime<FixedOffset>,
    /// Affected endpoint path prefixes (empty: the whole API).
    #[serde(default)]
    pub endpoints: Vec<String>,
    /// Emergency work, announced less than 24 hours ahead.
    #[serde(default)]
    pub emergency: bool,
    /// Email every developer (publishing only).
    #[serde(default)]
    pub email: bool,
}

/// A notice's new content (editing never emails).
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct NoticeChange {
    /// Headline.
    pub title: String,
    /// What happens and what to expect.
    #[serde(default)]
    pub details: String,
    /// Start.
    #[serde(deserialize_with = "rfc3339")]
    pub starts_at: DateTime<FixedOffset>,
    /// End, after the start.
    #[serde(deserialize_with = "rfc3339")]
    pub ends_at: DateTime<FixedOffset>,
    /// Affected endpoint path prefixes (empty: the whole API).
    #[serde(default)]
    pub endpoints: Vec<String>,
    /// Emergency work.
    #[serde(default)]
    pub emergency: bool,
}

fn notice_schema(with_email: bool) -> Value {
    let mut properties = json!({
        "title": text(&TITLE, false, "Headline."),
        "details": text(&DETAILS, false, "What happens and what to expect."),
        "starts_at": instant("Start (RFC 3339). Planned work starts at least 24 hours after it is announced.", &example_instant(30, "02:00")),
        "ends_at": instant("End (RFC 3339), after the start.", &example_instant(30, "03:00")),
        "endpoints": {
            "type": "array",
            "maxItems": MAX_PREFIXES,
            "items": { "type": "string", "maxLength": MAX_ENDPOINT_CHARS, "pattern": Endpoint::pattern() },
            "description": "Affected endpoint path prefixes; empty: the whole API.",
        },
        "emergency": { "type": "boolean", "description": "Emergency work, announced less than 24 hours ahead." },
    });
    if with_email {
        properties["email"] = json!({
            "type": "boolean",
            "description": "Email every developer (needs FAULTDESK_SMTP_URL on the server)."
        });
    }
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["title", "starts_at", "ends_at"],
        "properties": properties,
        "examples": [{
            "title": "Database upgrade",
            "details": "Writes may fail for up to 10 minutes.",
            "starts_at": example_instant(30, "02:00"),
            "ends_at": example_instant(30, "03:00"),
            "endpoints": ["/v1/orders"]
        }],
    })
}

json_schema!(Notice, "Notice", notice_schema(true));
json_schema!(NoticeChange, "NoticeChange", notice_schema(false));

/// The checked draft of a notice.
pub fn notice_draft(
    title: &str,
    details: &str,
    starts_at: DateTime<FixedOffset>,
    ends_at: DateTime<FixedOffset>,
    endpoints: &[String],
    emergency: bool,
) -> Result<NoticeDraft, app::domain::error::FieldError> {
    NoticeDraft::with_prefixes(
        title,
        details,
        starts_at.with_timezone(&Utc),
        ends_at.with_timezone(&Utc),
        endpoints,
        emergency,
    )
}

// ----- The queue ------------------------------------------------------------------------

/// Whom to assign a ticket to.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    /// A staff member's account id; null unassigns.
    #[serde(deserialize_with = "nullable_whole")]
    pub assignee_id: Option<i64>,
}

json_schema!(
    Assign,
    "Assign",
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["assignee_id"],
        "properties": {
            "assignee_id": {
                "type": ["integer", "null"], "minimum": 1, "maximum": i64::MAX,
                "description": "A staff member's account id; null unassigns.",
            },
        },
        "examples": [{ "assignee_id": 2 }],
    })
);

/// A status a ticket can be moved to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MoveTo {
    /// Being worked on.
    Open,
    /// Waiting on the developer.
    Waiting,
    /// Solved.
    Resolved,
    /// Done.
    Closed,
}

impl From<MoveTo> for app::domain::ticket::TicketStatus {
    fn from(m: MoveTo) -> Self {
        use app::domain::ticket::TicketStatus as S;
        match m {
            MoveTo::Open => S::Open,
            MoveTo::Waiting => S::Waiting,
            MoveTo::Resolved => S::Resolved,
            MoveTo::Closed => S::Closed,
        }
    }
}

/// A status to move to.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// Where to move the ticket; the workflow decides which moves are possible (409
    /// names them otherwise).
    pub status: MoveTo,
}

/// Public or internal.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Visibility {
    /// The developer sees it; the first public reply stops the first-response clock.
    Public,
    /// Only staff see it.
    Internal,
}

/// A staff message on a ticket.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct StaffMessage {
    /// The text.
    pub body: String,
    /// Who sees it.
    pub visibility: Visibility,
    /// A status to move the ticket to afterwards.
    #[serde(default)]
    pub then_status: Option<MoveTo>,
}

json_schema!(
    StaffMessage,
    "StaffMessage",
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["body", "visibility"],
        "properties": {
            "body": text(&work::MESSAGE_BODY, false, "The text (secrets in it are masked)."),
            "visibility": { "type": "string", "enum": ["public", "internal"],
                "description": "`public`: the developer sees it (the first one stops the clock); `internal`: staff only." },
            "then_status": { "type": ["string", "null"], "enum": ["open", "waiting", "resolved", "closed", null],
                "description": "A status to move the ticket to afterwards." },
        },
        "examples": [{ "body": "We are on it.", "visibility": "public", "then_status": "waiting" }],
    })
);

/// Which incident to merge into.
#[derive(Debug, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Merge {
    /// The incident that takes over the reports.
    #[serde(deserialize_with = "whole")]
    pub into: i64,
}

json_schema!(
    Merge,
    "Merge",
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["into"],
        "properties": {
            "into": { "type": "integer", "minimum": 1, "maximum": i64::MAX,
                "description": "The (open) incident that takes over the reports." },
        },
        "examples": [{ "into": 1 }],
    })
);

/// Which tickets the queue shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    /// New, open and waiting (the default).
    Active,
    /// Not yet claimed.
    New,
    /// Claimed.
    Open,
    /// Waiting on the developer.
    Waiting,
    /// Solved.
    Resolved,
    /// Done.
    Closed,
}

/// Whose tickets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AssigneeFilter {
    /// Assigned to the caller.
    Me,
    /// Assigned to nobody.
    Unassigned,
    /// Any (the default).
    Anyone,
}

/// The queue's filters and cursor.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct QueueParams {
    /// Which statuses (default: the active ones).
    pub status: Option<StatusFilter>,
    /// Whose tickets (default: anyone's).
    pub assignee: Option<AssigneeFilter>,
    /// One class of failure.
    pub class: Option<FailureClass>,
    /// An endpoint path prefix.
    #[param(max_length = 512, pattern = "^[^\\u0000]*$")]
    pub endpoint: Option<String>,
    /// Only tickets at risk (less than a quarter of the target left).
    pub at_risk: Option<bool>,
    /// Only breached tickets.
    pub breached: Option<bool>,
    /// The `next` cursor of the previous page.
    #[param(
        pattern = "^-?[0-9]{1,18}\\.-?[0-9]{1,18}$",
        example = "1764579600000.42"
    )]
    pub after: Option<String>,
}

impl QueueParams {
    /// The query as the queue page sends it (where an empty cursor means none; here it
    /// is refused, like any value not shaped like a cursor).
    pub fn into_query(self) -> Result<app::wire::queue::QueueQuery, AppError> {
        if self.after.as_deref() == Some("") {
            return Err(AppError::validation(
                "after",
                "Bad page cursor: pass the `next` of the previous page.",
            ));
        }
        let flag = |b: Option<bool>| if b == Some(true) { "1" } else { "" }.to_owned();
        let status = match self.status {
            None | Some(StatusFilter::Active) => "",
            Some(StatusFilter::New) => "new",
            Some(StatusFilter::Open) => "open",
            Some(StatusFilter::Waiting) => "waiting",
            Some(StatusFilter::Resolved) => "resolved",
            Some(StatusFilter::Closed) => "closed",
        };
        let assignee = match self.assignee {
            None | Some(AssigneeFilter::Anyone) => "",
            Some(AssigneeFilter::Me) => "me",
            Some(AssigneeFilter::Unassigned) => "unassigned",
        };
        Ok(app::wire::queue::QueueQuery {
            status: status.to_owned(),
            assignee: assignee.to_owned(),
            class: self
                .class
                .map(|c| c.as_str().to_owned())
                .unwrap_or_default(),
            endpoint: self.endpoint.unwrap_or_default(),
            at_risk: flag(self.at_risk),
            breached: flag(self.breached),
            after: self.after.unwrap_or_default(),
        })
    }
}

/// A page of reports: `before` is the `next_before` of the previous page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    /// Reports filed before this one (a report id).
    #[param(minimum = 1, maximum = 9223372036854775807_i64)]
    pub before: Option<i64>,
}

/// A date range (local days of the support timezone, both inclusive).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct Range {
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`); at most 366 days before `to`.
    #[param(format = Date, pattern = "^(?:19[7-9][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$", example = "2026-11-01")]
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today); not before `from`.
    #[param(format = Date, pattern = "^(?:19[7-9][0-9]|[2-9][0-9]{3})-[0-9]{2}-[0-9]{2}$", example = "2026-11-30")]
    pub to: Option<String>,
}

impl Range {
    /// `from` and `to` as the report page passes them (empty: the default); an empty
    /// value sent here is refused like any malformed date.
    pub fn days(&self) -> Result<(&str, &str), AppError> {
        for (field, value) in [("from", &self.from), ("to", &self.to)] {
            if value.as_deref() == Some("") {
                return Err(AppError::validation(field, "Give the date as YYYY-MM-DD."));
            }
        }
        Ok((
            self.from.as_deref().unwrap_or(""),
            self.to.as_deref().unwrap_or(""),
        ))
    }
}

/// The name of one table of the SLA report as CSV.
pub struct CsvTable;

json_schema!(
    CsvTable,
    "CsvTable",
    json!({
        "type": "string",
        "enum": app::wire::manager::ReportTable::ALL
            .iter()
            .map(|t| format!("{}.csv", t.slug()))
            .collect::<Vec<_>>(),
        "description": "One table of the SLA report, as CSV.",
    })
);

#[cfg(test)]
mod tests {
    use super::*;
    use app::domain::stats::DATE_PATTERN;

    #[test]
    fn the_date_pattern_is_the_domains() {
        let params = Range::into_params(|| None);
        let doc = serde_json::to_string(&params).unwrap();
        assert!(doc.contains(&DATE_PATTERN.replace('\\', "\\\\")), "{doc}");
    }

    #[test]
    fn the_cursor_pattern_is_the_queues() {
        let params = QueueParams::into_params(|| None);
        let doc = serde_json::to_string(&params).unwrap();
        assert!(
            doc.contains(&work::CURSOR_PATTERN.replace('\\', "\\\\")),
            "{doc}"
        );
    }

    #[test]
    fn whole_numbers_may_be_written_as_floats() {
        let m: Merge = serde_json::from_str(r#"{"into": 3.0}"#).unwrap();
        assert_eq!(m.into, 3);
        assert!(serde_json::from_str::<Merge>(r#"{"into": 3.5}"#).is_err());
        let a: Assign = serde_json::from_str(r#"{"assignee_id": null}"#).unwrap();
        assert_eq!(a.assignee_id, None);
        assert!(serde_json::from_str::<Assign>(r#"{}"#).is_err());
    }

    #[test]
    fn status_is_never_null() {
        let base = json!({
            "endpoint": "/v1/x", "method": "GET", "message": "", "transport": "timeout",
            "occurred_at": "2026-11-24T09:55:00Z", "description": "d"
        });
        assert!(serde_json::from_value::<CreateReport>(base.clone()).is_ok());
        let mut with_null = base.clone();
        with_null["status"] = Value::Null;
        assert!(serde_json::from_value::<CreateReport>(with_null).is_err());
        let mut loose = base;
        loose["occurred_at"] = json!("2026-11-24 09:55:00Z");
        assert!(serde_json::from_value::<CreateReport>(loose).is_err());
    }

    /// The document's examples stay valid as the calendar moves on: the API fuzzer and
    /// clients send them as they are (a fixed notice start turned into a 422 once its
    /// day had passed).
    #[test]
    fn examples_are_valid_today() {
        use chrono::{DateTime, Duration, Utc};
        let at = |v: &Value| DateTime::parse_from_rfc3339(v.as_str().unwrap()).unwrap();
        let now = Utc::now();
        for notice in [
            <Notice as JsonSchema>::json(),
            <NoticeChange as JsonSchema>::json(),
        ] {
            let example = &notice["examples"][0];
            let (starts, ends) = (at(&example["starts_at"]), at(&example["ends_at"]));
            assert!(starts > now + Duration::days(2), "{example}");
            assert!(ends > starts, "{example}");
            assert_eq!(
                notice["properties"]["starts_at"]["examples"][0],
                example["starts_at"]
            );
        }
        let report = <CreateReport as JsonSchema>::json();
        let occurred = at(&report["examples"][0]["occurred_at"]);
        assert!(
            occurred < now && occurred > now - Duration::days(3),
            "{occurred}"
        );
        assert_eq!(
            report["properties"]["occurred_at"]["examples"][0],
            report["examples"][0]["occurred_at"]
        );
    }
}
