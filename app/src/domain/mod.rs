//! Faultdesk's pure rules: status-code classification, guidance matching, the retry
//! rule, secret scrubbing, the business calendar and SLA maths, and form validation.
//!
//! No I/O, no clock, no framework: everything here compiles for the browser too, so the
//! form classifies live with the same code the server trusts. Functions that depend on
//! the time take `now` as a parameter.
#![warn(missing_docs)]

pub mod account;
pub mod calendar;
pub mod canned;
pub mod endpoint;
pub mod error;
pub mod guidance;
pub mod incidents;
pub mod method;
pub mod notices;
pub mod paths;
pub mod retry;
pub mod role;
pub mod scrub;
pub mod sla;
pub mod sla_policy;
pub mod stats;
pub mod status;
pub mod text;
pub mod ticket;
pub mod timefmt;
pub mod tokens;
pub mod validation;
pub mod windows;
pub mod workflow;

pub use account as auth_rules;

pub use account::{Email, Password};
pub use calendar::{parse_holidays, parse_tz, BusinessCalendar, DayHours};
pub use endpoint::Endpoint;
pub use error::FieldError;
pub use guidance::{select_article, ArticleRule, CodeMatch};
pub use method::HttpMethod;
pub use retry::{advice, assess, needs_reason, RetryAdvice, RetryReport, RetryVerdict};
pub use scrub::{fingerprint, scrub, Scrubbed};
pub use sla::{format_business_duration, sla_state, SlaClock, SlaState, SlaStatus};
pub use status::{
    classify_input, Classification, Failure, FailureClass, HttpStatus, TransportKind,
};
pub use validation::{Environment, ReportDraft, ValidReport};
