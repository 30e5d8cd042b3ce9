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

/// Rejects text that contains control characters other than line breaks and tabs.
///
/// NUL and the other C0/C1 controls break terminals, logs and some databases, and never
/// belong in what a person types.
pub(crate) fn reject_control_chars(field: &str, label: &str, text: &str) -> Result<(), FieldError> {
    match text
        .chars()
        .find(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
    {
        Some(c) => Err(FieldError::new(
            field,
            format!(
                "{label} contains an invisible control character (U+{:04X}); remove it and try again.",
                u32::from(c)
            ),
        )),
        None => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_field_and_message() {
        let err = FieldError::new("status", "Enter a status code.");
        assert_eq!(err.to_string(), "status: Enter a status code.");
    }

    #[test]
    fn control_characters_are_named() {
        assert!(reject_control_chars("message", "The message", "a\tb\r\nc").is_ok());
        let err = reject_control_chars("message", "The message", "a\0b").unwrap_err();
        assert_eq!(err.field, "message");
        assert!(err.message.contains("U+0000"), "{}", err.message);
    }
}
