//! The one error type that crosses the wire.
//!
//! Every server function returns `Result<T, AppError>`, and the JSON API answers with
//! the same shape: `{"status": 422, "message": "…", "field": "status"}`. The UI uses
//! `field` to put the message next to the input that was wrong.

use crate::domain::error::FieldError;
use leptos::server_fn::{
    codec::JsonEncoding,
    error::{FromServerFnError, ServerFnErrorErr},
};
use serde::{Deserialize, Serialize};

/// An error as the caller sees it: an HTTP status, a human message and, for
/// validation errors, the offending field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[error("{message}")]
pub struct AppError {
    /// The HTTP status code this error is sent with.
    pub status: u16,
    /// What went wrong, in words the caller can act on.
    pub message: String,
    /// The form or JSON field that was wrong, if there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    /// For 429 (and some 503s): seconds to wait before trying again (also sent as the
    /// `Retry-After` header).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

impl AppError {
    fn new(status: u16, message: impl Into<String>) -> Self {
        Self {
            status,
            message: message.into(),
            field: None,
            retry_after: None,
        }
    }

    /// 429: over a rate limit; `wait` until the next attempt is allowed.
    pub fn too_many(what: &str, wait: std::time::Duration) -> Self {
        let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
        let secs = secs.max(1);
        let when = if secs == 1 {
            "a second".to_owned()
        } else if secs < 120 {
            format!("{secs} seconds")
        } else {
            format!("{} minutes", secs.div_ceil(60))
        };
        Self {
            retry_after: Some(secs),
            ..Self::new(
                429,
                format!("Too many {what}. Please wait {when} and try again."),
            )
        }
    }

    /// Any status with a message (the JSON API's own refusals: 405, 413, 415).
    pub fn with_status(status: u16, message: impl Into<String>) -> Self {
        Self::new(status, message)
    }

    /// 422: a field's value is not acceptable.
    pub fn validation(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: Some(field.to_owned()),
            ..Self::new(422, message)
        }
    }

    /// 400: the request itself could not be read.
    pub fn bad_request(message: impl Into<String>) -> Self {
        Self::new(400, message)
    }

    /// 401: nobody is signed in.
    pub fn unauthorized() -> Self {
        Self::new(401, "Please sign in to continue.")
    }

    /// 401 with a specific message.
    pub fn unauthorized_with(message: impl Into<String>) -> Self {
        Self::new(401, message)
    }

    /// 403: signed in, but this role may not do that.
    pub fn forbidden() -> Self {
        Self::new(403, "Your account is not allowed to do that.")
    }

    /// 404: no such thing, or not one the caller may see (we do not say which).
    pub fn not_found(what: &str) -> Self {
        Self::new(404, format!("No such {what}."))
    }

    /// 409: the request conflicts with the current state.
    pub fn conflict(message: impl Into<String>) -> Self {
        Self::new(409, message)
    }

    /// 500: our fault. The cause is logged on the server, never sent.
    pub fn internal() -> Self {
        Self::new(
            500,
            "Something went wrong on our side. Please try again in a moment.",
        )
    }

    /// 503: a passing fault on our side (the database is restarting, busy or out of
    /// reach). Worth trying again in a moment.
    pub fn unavailable() -> Self {
        Self::new(
            503,
            "Faultdesk cannot save this right now. Please try again in a few seconds.",
        )
    }

    /// The message for `field`, if this error is about that field.
    pub fn for_field(&self, field: &str) -> Option<String> {
        (self.field.as_deref() == Some(field)).then(|| self.message.clone())
    }
}

impl From<FieldError> for AppError {
    fn from(e: FieldError) -> Self {
        Self::validation(&e.field, e.message)
    }
}

impl FromServerFnError for AppError {
    type Encoder = JsonEncoding;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(e) | ServerFnErrorErr::Deserialization(e) => Self {
                field: Some("body".to_owned()),
                ..Self::bad_request(format!("The request body could not be read: {e}"))
            },
            ServerFnErrorErr::MissingArg(name) => Self {
                field: Some(name.clone()),
                ..Self::bad_request(format!("The field `{name}` is missing."))
            },
            ServerFnErrorErr::Registration(_) | ServerFnErrorErr::UnsupportedRequestMethod(_) => {
                Self::new(404, "No such server function.")
            }
            ServerFnErrorErr::Request(_) => Self::new(
                503,
                "Could not reach Faultdesk. Check your connection and try again.",
            ),
            ServerFnErrorErr::ServerError(_)
            | ServerFnErrorErr::MiddlewareError(_)
            | ServerFnErrorErr::Serialization(_)
            | ServerFnErrorErr::Response(_) => Self::internal(),
        }
    }
}
