//! Classification of a failure by its HTTP status code or by the kind of missing
//! response (PRODUCT §4). The browser runs [`classify_input`] while the developer types;
//! the server trusts only [`Failure::parse`].

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::FieldError;

/// Why no HTTP response arrived at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TransportKind {
    /// The request was sent but no response arrived in time.
    Timeout,
    /// The server refused the TCP connection.
    ConnectionRefused,
    /// The API host name could not be resolved.
    Dns,
    /// The TLS handshake failed (certificate, protocol or cipher problem).
    Tls,
}

impl TransportKind {
    /// Every kind, in the order the form offers them.
    pub const ALL: [TransportKind; 4] = [
        TransportKind::Timeout,
        TransportKind::ConnectionRefused,
        TransportKind::Dns,
        TransportKind::Tls,
    ];

    /// Parses a form or database value: `timeout`, `refused` / `connection_refused`,
    /// `dns` or `tls`, ignoring case and surrounding spaces.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let normalised = input.trim().to_ascii_lowercase().replace(['-', ' '], "_");
        match normalised.as_str() {
            "timeout" => Ok(Self::Timeout),
            "refused" | "connection_refused" => Ok(Self::ConnectionRefused),
            "dns" => Ok(Self::Dns),
            "tls" => Ok(Self::Tls),
            "" => Err(FieldError::new(
                "transport",
                "Choose what happened instead of a response: timeout, connection refused, DNS or TLS.",
            )),
            _ => Err(FieldError::new(
                "transport",
                format!(
                    "“{}” is not a kind of missing response; choose timeout, connection refused, DNS or TLS.",
                    input.trim()
                ),
            )),
        }
    }

    /// The canonical snake_case name stored in the database and sent over the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Timeout => "timeout",
            Self::ConnectionRefused => "connection_refused",
            Self::Dns => "dns",
            Self::Tls => "tls",
        }
    }

    /// A short label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::Timeout => "Timeout",
            Self::ConnectionRefused => "Connection refused",
            Self::Dns => "DNS lookup failed",
            Self::Tls => "TLS handshake failed",
        }
    }
}

/// The three classes a valid failure falls into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FailureClass {
    /// 400–499: answered at once with self-service guidance.
    ClientError,
    /// 500–599: routed to the support queue with a first-response SLA.
    ServerError,
    /// No response: retry advice first, then routed like a server error.
    TransportFailure,
}

impl FailureClass {
    /// Every class, in display order.
    pub const ALL: [FailureClass; 3] = [
        FailureClass::ClientError,
        FailureClass::ServerError,
        FailureClass::TransportFailure,
    ];

    /// Parses the canonical snake_case name (as stored or used in filters).
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        match input.trim().to_ascii_lowercase().as_str() {
            "client_error" => Ok(Self::ClientError),
            "server_error" => Ok(Self::ServerError),
            "transport_failure" => Ok(Self::TransportFailure),
            other => Err(FieldError::new(
                "class",
                format!(
                    "“{other}” is not a failure class; use client_error, server_error or transport_failure."
                ),
            )),
        }
    }

    /// The canonical snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::ClientError => "client_error",
            Self::ServerError => "server_error",
            Self::TransportFailure => "transport_failure",
        }
    }

    /// A short label for people.
    pub fn label(self) -> &'static str {
        match self {
            Self::ClientError => "Client error (4xx)",
            Self::ServerError => "Server error (5xx)",
            Self::TransportFailure => "Transport failure (no response)",
        }
    }

    /// Whether reports of this class go to the support queue (and start an SLA clock).
    pub fn is_routed_to_queue(self) -> bool {
        !matches!(self, Self::ClientError)
    }
}

/// An HTTP error status, guaranteed to be within 400–599.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "u16", into = "u16")]
pub struct HttpStatus(u16);

const STATUS_RULE: &str = "Status code must be between 400 and 599, or choose “no response”.";

impl HttpStatus {
    /// Parses what the developer typed (surrounding spaces ignored).
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new(
                "status",
                "Enter the HTTP status code of the response, or choose “no response” if none arrived.",
            ));
        }
        if !trimmed.bytes().all(|b| b.is_ascii_digit()) {
            return Err(FieldError::new(
                "status",
                format!(
                    "{STATUS_RULE} {} is not a number.",
                    super::error::quoted(trimmed)
                ),
            ));
        }
        match trimmed.parse::<u16>() {
            Ok(code) => Self::from_code(code),
            Err(_) => Err(FieldError::new(
                "status",
                format!(
                    "{STATUS_RULE} {} is outside the HTTP status range.",
                    super::error::quoted(trimmed)
                ),
            )),
        }
    }

    /// Accepts a numeric code (e.g. from the database) if it is an HTTP error status.
    pub fn from_code(code: u16) -> Result<Self, FieldError> {
        let why = match code {
            400..=599 => return Ok(Self(code)),
            100..=199 => format!("{code} is an informational status, not an error."),
            200..=299 => format!("{code} is a success status, not an error."),
            300..=399 => format!("{code} is a redirect, not an error."),
            600.. => format!("{code} is outside the HTTP status range."),
            _ => format!("{code} is not an HTTP error status."),
        };
        Err(FieldError::new("status", format!("{STATUS_RULE} {why}")))
    }

    /// The numeric code.
    pub fn code(self) -> u16 {
        self.0
    }

    /// The class of this status: client error for 4xx, server error for 5xx.
    pub fn class(self) -> FailureClass {
        if self.0 < 500 {
            FailureClass::ClientError
        } else {
            FailureClass::ServerError
        }
    }

    /// The standard reason phrase (RFC 9110 and common extensions), or a generic one.
    pub fn reason_phrase(self) -> &'static str {
        match self.0 {
            400 => "Bad Request",
            401 => "Unauthorized",
            402 => "Payment Required",
            403 => "Forbidden",
            404 => "Not Found",
            405 => "Method Not Allowed",
            406 => "Not Acceptable",
            407 => "Proxy Authentication Required",
            408 => "Request Timeout",
            409 => "Conflict",
            410 => "Gone",
            411 => "Length Required",
            412 => "Precondition Failed",
            413 => "Content Too Large",
            414 => "URI Too Long",
            415 => "Unsupported Media Type",
            416 => "Range Not Satisfiable",
            417 => "Expectation Failed",
            418 => "I'm a teapot",
            421 => "Misdirected Request",
            422 => "Unprocessable Content",
            423 => "Locked",
            424 => "Failed Dependency",
            425 => "Too Early",
            426 => "Upgrade Required",
            428 => "Precondition Required",
            429 => "Too Many Requests",
            431 => "Request Header Fields Too Large",
            451 => "Unavailable For Legal Reasons",
            500 => "Internal Server Error",
            501 => "Not Implemented",
            502 => "Bad Gateway",
            503 => "Service Unavailable",
            504 => "Gateway Timeout",
            505 => "HTTP Version Not Supported",
            506 => "Variant Also Negotiates",
            507 => "Insufficient Storage",
            508 => "Loop Detected",
            510 => "Not Extended",
            511 => "Network Authentication Required",
            code if code < 500 => "Client error",
            _ => "Server error",
        }
    }
}

impl TryFrom<u16> for HttpStatus {
    type Error = FieldError;

    fn try_from(code: u16) -> Result<Self, Self::Error> {
        Self::from_code(code)
    }
}

impl From<HttpStatus> for u16 {
    fn from(status: HttpStatus) -> Self {
        status.0
    }
}

impl fmt::Display for HttpStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.0, self.reason_phrase())
    }
}

/// What went wrong with a request: an HTTP error status, or no response at all.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Failure {
    /// The API answered with an error status.
    Http(HttpStatus),
    /// No response arrived.
    NoResponse(TransportKind),
}

impl Failure {
    /// Parses the form's two alternatives authoritatively: exactly one of `status` and
    /// `transport` must be filled in.
    pub fn parse(status: &str, transport: &str) -> Result<Self, FieldError> {
        match (status.trim().is_empty(), transport.trim().is_empty()) {
            (true, true) => Err(FieldError::new(
                "status",
                "Enter the HTTP status code of the response, or choose “no response” if none arrived.",
            )),
            (false, false) => Err(FieldError::new(
                "status",
                "Enter a status code or choose a “no response” reason, not both: a request either got a response or it did not.",
            )),
            (false, true) => HttpStatus::parse(status).map(Self::Http),
            (true, false) => TransportKind::parse(transport).map(Self::NoResponse),
        }
    }

    /// The class that decides how the report is handled.
    pub fn class(self) -> FailureClass {
        match self {
            Self::Http(status) => status.class(),
            Self::NoResponse(_) => FailureClass::TransportFailure,
        }
    }

    /// The HTTP status code, if a response arrived.
    pub fn status_code(self) -> Option<u16> {
        match self {
            Self::Http(status) => Some(status.code()),
            Self::NoResponse(_) => None,
        }
    }

    /// The kind of missing response, if none arrived.
    pub fn transport(self) -> Option<TransportKind> {
        match self {
            Self::Http(_) => None,
            Self::NoResponse(kind) => Some(kind),
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Http(status) => status.fmt(f),
            Self::NoResponse(kind) => write!(f, "No response ({})", kind.label()),
        }
    }
}

/// The live classification of a half-filled form, shown while the developer types.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Classification {
    /// Nothing entered yet.
    Empty,
    /// A 4xx status.
    Client(HttpStatus),
    /// A 5xx status.
    Server(HttpStatus),
    /// No response arrived.
    Transport(TransportKind),
    /// The input cannot be classified; the message says why.
    Invalid(String),
}

/// Classifies the status and transport fields as they are typed, never failing.
pub fn classify_input(status: &str, transport: &str) -> Classification {
    if status.trim().is_empty() && transport.trim().is_empty() {
        return Classification::Empty;
    }
    match Failure::parse(status, transport) {
        Ok(Failure::Http(s)) if s.class() == FailureClass::ClientError => Classification::Client(s),
        Ok(Failure::Http(s)) => Classification::Server(s),
        Ok(Failure::NoResponse(kind)) => Classification::Transport(kind),
        Err(err) => Classification::Invalid(err.message),
    }
}

impl Classification {
    /// The class, when the input is valid.
    pub fn class(&self) -> Option<FailureClass> {
        match self {
            Self::Client(_) => Some(FailureClass::ClientError),
            Self::Server(_) => Some(FailureClass::ServerError),
            Self::Transport(_) => Some(FailureClass::TransportFailure),
            Self::Empty | Self::Invalid(_) => None,
        }
    }

    /// One line telling the developer what will happen to the report.
    pub fn summary(&self) -> String {
        match self {
            Self::Empty => "Enter a status code, or choose “no response”, to see how this report will be handled.".to_owned(),
            Self::Client(s) => format!(
                "Client error ({s}) — self-service guidance is shown at once; no ticket unless you escalate."
            ),
            Self::Server(s) => format!(
                "Server error ({s}) — routed to support with a one-business-day first response."
            ),
            Self::Transport(kind) => format!(
                "Transport failure ({}) — retry first; if it persists, routed to support with a one-business-day first response.",
                kind.label().to_lowercase()
            ),
            Self::Invalid(message) => message.clone(),
        }
    }
}

#[cfg(test)]
mod tests;
