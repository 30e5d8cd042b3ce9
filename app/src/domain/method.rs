//! The HTTP method of the failed request.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::FieldError;

/// An HTTP method the API accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "UPPERCASE")]
pub enum HttpMethod {
    /// `GET`
    Get,
    /// `HEAD`
    Head,
    /// `POST`
    Post,
    /// `PUT`
    Put,
    /// `PATCH`
    Patch,
    /// `DELETE`
    Delete,
    /// `OPTIONS`
    Options,
}

impl HttpMethod {
    /// Every method, in the order the form offers them.
    pub const ALL: [HttpMethod; 7] = [
        HttpMethod::Get,
        HttpMethod::Head,
        HttpMethod::Post,
        HttpMethod::Put,
        HttpMethod::Patch,
        HttpMethod::Delete,
        HttpMethod::Options,
    ];

    /// Parses a method name, ignoring case and surrounding spaces.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(FieldError::new(
                "method",
                "Choose the HTTP method of the request (GET, POST, …).",
            ));
        }
        Self::ALL
            .into_iter()
            .find(|m| m.as_str().eq_ignore_ascii_case(trimmed))
            .ok_or_else(|| {
                FieldError::new(
                    "method",
                    format!(
                        "“{trimmed}” is not a method this API accepts; use GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS."
                    ),
                )
            })
    }

    /// The method name in upper case, as on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Get => "GET",
            Self::Head => "HEAD",
            Self::Post => "POST",
            Self::Put => "PUT",
            Self::Patch => "PATCH",
            Self::Delete => "DELETE",
            Self::Options => "OPTIONS",
        }
    }

    /// Whether repeating the request has the same effect as sending it once
    /// (RFC 9110 §9.2.2). POST and PATCH are not idempotent.
    pub fn is_idempotent(self) -> bool {
        !matches!(self, Self::Post | Self::Patch)
    }
}

impl fmt::Display for HttpMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_case_insensitively() {
        for method in HttpMethod::ALL {
            assert_eq!(HttpMethod::parse(method.as_str()).unwrap(), method);
        }
        assert_eq!(HttpMethod::parse(" patch ").unwrap(), HttpMethod::Patch);
        assert_eq!(HttpMethod::parse("Get").unwrap(), HttpMethod::Get);
    }

    #[test]
    fn rejects_unknown_methods() {
        for bad in ["", "FETCH", "GETS", "CONNECT"] {
            assert_eq!(HttpMethod::parse(bad).unwrap_err().field, "method");
        }
    }

    #[test]
    fn idempotency() {
        assert!(!HttpMethod::Post.is_idempotent());
        assert!(!HttpMethod::Patch.is_idempotent());
        assert!(HttpMethod::Put.is_idempotent());
        assert!(HttpMethod::Delete.is_idempotent());
        assert!(HttpMethod::Get.is_idempotent());
    }
}
