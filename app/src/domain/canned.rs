//! Canned replies: saved answers whose placeholders take the ticket's fields when one
//! is inserted into a reply (the agent edits it before sending).

/// The placeholders a canned reply may use, and what each stands for.
pub const PLACEHOLDERS: [(&str, &str); 4] = [
    ("{endpoint}", "the failing call, e.g. POST /v1/orders"),
    ("{status}", "the status code (or the transport failure)"),
    (
        "{request_id}",
        "the request id the developer gave (or “not given”)",
    ),
    ("{developer}", "who filed it"),
];

/// The longest title.
pub const MAX_TITLE_CHARS: usize = 100;

/// The ticket's values for the placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fields {
    /// `POST /v1/orders`.
    pub endpoint: String,
    /// `503`, or `timeout`.
    pub status: String,
    /// The request id, if given.
    pub request_id: Option<String>,
    /// The developer (their email).
    pub developer: String,
}

/// Checks a canned reply's placeholders: every `{…}` must be one of [`PLACEHOLDERS`].
pub fn check_placeholders(body: &str) -> Result<(), String> {
    let mut rest = body;
    while let Some(open) = rest.find('{') {
        let after = &rest[open..];
        let Some(close) = after.find('}') else {
            return Err("A “{” is never closed: write placeholders as {endpoint}.".to_owned());
        };
        let name = &after[..=close];
        if !PLACEHOLDERS.iter().any(|(p, _)| *p == name) {
            return Err(format!(
                "Unknown placeholder {name}: use {{endpoint}}, {{status}}, {{request_id}} or {{developer}}."
            ));
        }
        rest = &after[close + 1..];
    }
    Ok(())
}

/// The reply with the ticket's values in place of the placeholders.
pub fn render(body: &str, f: &Fields) -> String {
    body.replace("{endpoint}", &f.endpoint)
        .replace("{status}", &f.status)
        .replace(
            "{request_id}",
            f.request_id.as_deref().unwrap_or("(no request id given)"),
        )
        .replace("{developer}", &f.developer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_take_the_tickets_values() {
        let f = Fields {
            endpoint: "POST /v1/orders".to_owned(),
            status: "503".to_owned(),
            request_id: None,
            developer: "dev@example.com".to_owned(),
        };
        assert_eq!(
            render(
                "Hi {developer}, {endpoint} gave {status} ({request_id}).",
                &f
            ),
            "Hi dev@example.com, POST /v1/orders gave 503 ((no request id given))."
        );
        let with_id = Fields {
            request_id: Some("req_1".to_owned()),
            ..f
        };
        assert_eq!(render("{request_id}{request_id}", &with_id), "req_1req_1");
    }

    #[test]
    fn unknown_or_unclosed_placeholders_are_refused() {
        assert!(check_placeholders("Hello {developer}, see {endpoint}.").is_ok());
        assert!(check_placeholders("No placeholders at all.").is_ok());
        assert!(check_placeholders("Hi {name}")
            .unwrap_err()
            .contains("{name}"));
        assert!(check_placeholders("Hi {developer")
            .unwrap_err()
            .contains("never closed"));
    }
}
