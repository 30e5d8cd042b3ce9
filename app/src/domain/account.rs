//! Sign-up and sign-in input rules (also reachable as `domain::auth_rules`).

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::FieldError;

/// The longest accepted email address (RFC 5321 path limit).
pub const MAX_EMAIL_CHARS: usize = 254;
/// The shortest accepted password, in characters.
pub const MIN_PASSWORD_CHARS: usize = 12;
/// The longest accepted password, in characters.
pub const MAX_PASSWORD_CHARS: usize = 256;

/// An email address, trimmed and lower-cased so that it identifies one account.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Email(String);

impl Email {
    /// Parses an address: one `@`, a non-empty local part, and a domain with a dot.
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let email = input.trim().to_lowercase();
        let invalid = |why: &str| {
            FieldError::new(
                "email",
                format!("{why} Enter an address such as dev@example.com."),
            )
        };
        if email.is_empty() {
            return Err(FieldError::new("email", "Enter your email address."));
        }
        if email.chars().count() > MAX_EMAIL_CHARS {
            return Err(FieldError::new(
                "email",
                format!("An email address has at most {MAX_EMAIL_CHARS} characters."),
            ));
        }
        if email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid("An email address cannot contain spaces."));
        }
        let Some((local, domain)) = email.split_once('@') else {
            return Err(invalid("An email address needs an “@”."));
        };
        if domain.contains('@') {
            return Err(invalid("An email address has only one “@”."));
        }
        if local.is_empty() {
            return Err(invalid("The part before the “@” is missing."));
        }
        if !domain.contains('.') || domain.split('.').any(str::is_empty) {
            return Err(invalid(
                "The part after the “@” must be a domain such as example.com.",
            ));
        }
        Ok(Self(email))
    }

    /// The normalised address.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Email {
    type Error = FieldError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Email> for String {
    fn from(email: Email) -> Self {
        email.0
    }
}

impl fmt::Display for Email {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// A password that meets the length rules. It is never displayed, logged or sent to
/// the browser: it has no `Display`, no `Serialize`, and its `Debug` is masked.
#[derive(Clone)]
pub struct Password(String);

impl Password {
    /// Accepts 12 to 256 characters, exactly as typed (no trimming, no case changes).
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let length = input.chars().count();
        if length < MIN_PASSWORD_CHARS {
            return Err(FieldError::new(
                "password",
                format!(
                    "Use at least {MIN_PASSWORD_CHARS} characters; a passphrase of a few words is easy to remember."
                ),
            ));
        }
        if length > MAX_PASSWORD_CHARS {
            return Err(FieldError::new(
                "password",
                format!("A password has at most {MAX_PASSWORD_CHARS} characters."),
            ));
        }
        if input.chars().any(char::is_control) {
            return Err(FieldError::new(
                "password",
                "A password cannot contain control characters such as line breaks or tabs.",
            ));
        }
        Ok(Self(input.to_owned()))
    }

    /// The password itself, for hashing or verifying only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_normalised() {
        assert_eq!(
            Email::parse("  Dev.Team+faults@Example.COM ")
                .unwrap()
                .as_str(),
            "dev.team+faults@example.com"
        );
        assert_eq!(Email::parse("a@b.co").unwrap().to_string(), "a@b.co");
    }

    #[test]
    fn bad_emails_name_the_field() {
        let too_long = format!("{}@example.com", "a".repeat(250));
        for bad in [
            "",
            "dev",
            "@example.com",
            "dev@",
            "dev@example",
            "dev@@example.com",
            "a@b@c.com",
            "de v@example.com",
            "dev@.com",
            "dev@example..com",
            too_long.as_str(),
        ] {
            assert_eq!(Email::parse(bad).unwrap_err().field, "email", "{bad:?}");
        }
    }

    #[test]
    fn passwords_are_checked_and_kept_as_typed() {
        let pw = Password::parse(" Correct Horse Battery ").unwrap();
        assert_eq!(pw.expose(), " Correct Horse Battery ");
        assert_eq!(format!("{pw:?}"), "Password(***)");
        assert_eq!(Password::parse("short").unwrap_err().field, "password");
        assert_eq!(
            Password::parse(&"x".repeat(257)).unwrap_err().field,
            "password"
        );
        assert!(Password::parse(&"x".repeat(256)).is_ok());
        assert!(Password::parse(&"é".repeat(12)).is_ok());
        assert_eq!(
            Password::parse("twelve chars\n!").unwrap_err().field,
            "password"
        );
    }
}
