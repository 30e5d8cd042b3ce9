//! The one error type of the domain: a human message tied to the form field it is about.

use serde::{Deserialize, Serialize};

/// A rejected input: which form field was wrong, and a sentence telling the person how
/// to fix it.
///
/// `field` is the name of the form field (`endpoint`, `status`, `occurred_at`, …) so the
/// UI can show the message inline and the JSON API can return it as `field`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{field}: {message}")]
pub struct FieldError {
    /// The form field (and JSON API property) that holds the offending value.
    pub field: String,
    /// A complete sentence a developer understands without reading the code.
    pub message: String,
}

impl FieldError {
    /// Creates an error for `field` with a human-readable `message`.
    pub fn new(field: &str, message: impl Into<String>) -> Self {
        Self {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Quotes what someone typed for an error message: in “curly quotes”, cut to the first
/// 40 characters (a message must not grow with the input: a megabyte of it would be
/// echoed back whole), control characters shown as `?`.
pub fn quoted(input: &str) -> String {
    const SHOWN: usize = 40;
    let mut shown: String = input
        .chars()
        .take(SHOWN)
        .map(|c| if c.is_control() { '?' } else { c })
        .collect();
    if input.chars().nth(SHOWN).is_some() {
        shown.push('…');
    }
    format!("“{shown}”")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_field_and_message() {
        let err = FieldError::new("status", "Enter a status code.");
        assert_eq!(err.to_string(), "status: Enter a status code.");
    }
}
