//! The API path a report is about, and its normalised template for grouping.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::FieldError;

/// The longest accepted input, in characters (as typed or sent, query string included:
/// an SDK reporting its own failure sends the URL path it called).
pub const MAX_ENDPOINT_CHARS: usize = 2048;

/// An API path such as `/v1/orders/{id}`: starts with `/`, holds only URL path
/// characters (plus `{` `}` for templates), without query string or fragment.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Endpoint(String);

impl Endpoint {
    /// Parses what the developer typed or pasted. A query string or fragment is dropped,
    /// since reports are grouped by path (and query strings often carry secrets).
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let length = input.chars().count();
        if length > MAX_ENDPOINT_CHARS {
            return Err(err(format!(
                "The endpoint is {length} characters long; at most {MAX_ENDPOINT_CHARS} are accepted."
            )));
        }
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(err("Enter the endpoint path, e.g. /v1/orders/{id}."));
        }
        if let Some(c) = trimmed.chars().find(|c| c.is_control()) {
            return Err(err(format!(
                "The endpoint contains an invisible control character (U+{:04X}); retype the path.",
                u32::from(c)
            )));
        }
        let path = trimmed.split(['?', '#']).next().unwrap_or_default();
        if !path.starts_with('/') {
            let hint = if trimmed.contains("://") {
                "Enter only the path, starting with “/” (e.g. /v1/orders/{id}), not the full URL."
            } else {
                "The endpoint must be a path starting with “/”, e.g. /v1/orders/{id}."
            };
            return Err(err(hint));
        }
        check_path_chars(path)?;
        Ok(Self(path.to_owned()))
    }

    /// A JSON Schema `pattern` accepting exactly what [`Endpoint::parse`] accepts (with
    /// `maxLength` [`MAX_ENDPOINT_CHARS`]).
    pub fn pattern() -> String {
        use super::text::WHITESPACE_CLASS;
        let pchar = r"[A-Za-z0-9\-._~!$&'()*+,;=:@]";
        let pct = "%[0-9A-Fa-f]{2}";
        let rest = r"[^\u0000-\u001f\u007f-\u009f]";
        let edge =
            r"[^\u0000-\u0020\u007f-\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]";
        format!(
            "^[{WHITESPACE_CLASS}]*/(?:{pchar}|/|{pct}|\\{{(?:{pchar}|{pct})*\\}})*(?:[?#](?:{rest}*{edge})?)?[{WHITESPACE_CLASS}]*$"
        )
    }

    /// The path as entered (without query string or fragment).
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The path with identifiers replaced by `{id}`, so that `/v1/orders/123` and
    /// `/v1/orders/456` group together as `/v1/orders/{id}`.
    ///
    /// A segment counts as an identifier when it is all digits, a UUID, a hex string of
    /// at least 16 characters, a prefixed id such as `cus_NffrFeUfNV2Hib`, a long token
    /// mixing letters and digits such as `ord_8f3a9b2c1d4e5f60`, or already a `{name}`
    /// template. Version segments such as `v1` are kept.
    pub fn template(&self) -> String {
        self.0
            .split('/')
            .map(|segment| {
                if is_identifier(segment) {
                    "{id}"
                } else {
                    segment
                }
            })
            .collect::<Vec<_>>()
            .join("/")
    }
}

fn err(message: impl Into<String>) -> FieldError {
    FieldError::new("endpoint", message)
}

/// Checks RFC 3986 `path-abempty` characters, valid percent-escapes and `{name}` templates.
fn check_path_chars(path: &str) -> Result<(), FieldError> {
    let bytes = path.as_bytes();
    let mut in_template = false;
    for (i, c) in path.char_indices() {
        match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' => {}
            '-' | '.' | '_' | '~' | '!' | '$' | '&' | '\'' | '(' | ')' | '*' | '+' | ',' | ';'
            | '=' | ':' | '@' => {}
            '/' if in_template => {
                return Err(err(
                    "A “{” in the endpoint is not closed by “}” before the next “/”; templates look like /v1/orders/{id}.",
                ));
            }
            '/' => {}
            '%' => {
                let hex = |j: usize| bytes.get(j).is_some_and(u8::is_ascii_hexdigit);
                if !(hex(i + 1) && hex(i + 2)) {
                    return Err(err(
                        "A “%” in the endpoint must start a percent-escape such as %20.",
                    ));
                }
            }
            '{' if in_template => {
                return Err(err(
                    "Templates in the endpoint cannot be nested; use /v1/orders/{id}.",
                ));
            }
            '{' => in_template = true,
            '}' if !in_template => {
                return Err(err("The endpoint has a “}” without a matching “{”."));
            }
            '}' => in_template = false,
            c if c.is_whitespace() => {
                return Err(err(
                    "The endpoint contains a space; URL paths cannot contain spaces (write %20 if the path really has one).",
                ));
            }
            c => {
                return Err(err(format!(
                    "The endpoint contains “{c}”, which cannot appear in a URL path; percent-encode it or remove it."
                )));
            }
        }
    }
    if in_template {
        return Err(err(
            "A “{” in the endpoint is not closed by “}”; templates look like /v1/orders/{id}.",
        ));
    }
    Ok(())
}

fn is_identifier(segment: &str) -> bool {
    if segment.is_empty() {
        return false;
    }
    if segment.len() >= 2 && segment.starts_with('{') && segment.ends_with('}') {
        return true;
    }
    let all = |f: fn(&u8) -> bool| segment.as_bytes().iter().all(f);
    all(u8::is_ascii_digit)
        || is_uuid(segment)
        || (segment.len() >= 16 && all(u8::is_ascii_hexdigit))
        || is_prefixed_id(segment)
        || is_mixed_token(segment)
}

fn is_uuid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// `cus_NffrFeUfNV2Hib`, `ord_8f3a9b2c`: a short lowercase-letter prefix, `_`, and at
/// least 8 alphanumerics. A digit or mixed case in the tail separates ids from
/// snake_case words such as `account_settings`.
fn is_prefixed_id(s: &str) -> bool {
    let Some((prefix, tail)) = s.split_once('_') else {
        return false;
    };
    let prefix_ok =
        (2..=12).contains(&prefix.len()) && prefix.bytes().all(|b| b.is_ascii_alphabetic());
    let tail_ok = tail.len() >= 8 && tail.bytes().all(|b| b.is_ascii_alphanumeric());
    let has_digit = tail.bytes().any(|b| b.is_ascii_digit());
    let mixed_case = tail.bytes().any(|b| b.is_ascii_uppercase())
        && tail.bytes().any(|b| b.is_ascii_lowercase());
    prefix_ok && tail_ok && (has_digit || mixed_case)
}

/// Long machine-made tokens (ULIDs, random keys): at least 16 characters mixing letters
/// and digits. When the token has separators it must also switch between letters and
/// digits at least three times, so `payment-methods-v2` stays a word.
fn is_mixed_token(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 16
        || !b
            .iter()
            .all(|c| c.is_ascii_alphanumeric() || *c == b'_' || *c == b'-')
    {
        return false;
    }
    let has_letter = b.iter().any(u8::is_ascii_alphabetic);
    let has_digit = b.iter().any(u8::is_ascii_digit);
    if !(has_letter && has_digit) {
        return false;
    }
    let has_separator = b.iter().any(|c| *c == b'_' || *c == b'-');
    let switches = b
        .windows(2)
        .filter(|w| {
            (w[0].is_ascii_alphabetic() && w[1].is_ascii_digit())
                || (w[0].is_ascii_digit() && w[1].is_ascii_alphabetic())
        })
        .count();
    !has_separator || switches >= 3
}

impl TryFrom<String> for Endpoint {
    type Error = FieldError;

    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<Endpoint> for String {
    fn from(endpoint: Endpoint) -> Self {
        endpoint.0
    }
}

impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn template(path: &str) -> String {
        Endpoint::parse(path).unwrap().template()
    }

    #[test]
    fn parses_paths_and_drops_query_and_fragment() {
        assert_eq!(
            Endpoint::parse("  /v1/orders/{id} ").unwrap().as_str(),
            "/v1/orders/{id}"
        );
        assert_eq!(
            Endpoint::parse("/v1/orders?api_key=sk_live_x&x=1#frag")
                .unwrap()
                .as_str(),
            "/v1/orders"
        );
        assert_eq!(Endpoint::parse("/").unwrap().as_str(), "/");
        assert_eq!(
            Endpoint::parse("/v1/files/a%20b;v=1").unwrap().as_str(),
            "/v1/files/a%20b;v=1"
        );
        assert_eq!(
            Endpoint::parse("/v1//orders/").unwrap().as_str(),
            "/v1//orders/"
        );
    }

    #[test]
    fn rejects_bad_paths_naming_the_field() {
        let long = format!("/{}", "a".repeat(MAX_ENDPOINT_CHARS));
        let long_query = format!("/v1?{}", "a".repeat(MAX_ENDPOINT_CHARS));
        for bad in [
            "",
            "   ",
            "v1/orders",
            "https://api.example.com/v1/orders",
            "/v1/or ders",
            "/v1/<script>",
            "/v1/\"x\"",
            "/v1\\orders",
            "/v1/orders\u{0}",
            "/v1/{id",
            "/v1/id}",
            "/v1/{a{b}}",
            "/v1/{a/b}",
            "/v1/%zz",
            "/v1/ördérs",
            long.as_str(),
            long_query.as_str(),
        ] {
            let err = Endpoint::parse(bad).unwrap_err();
            assert_eq!(err.field, "endpoint", "{bad:?}");
        }
        assert!(Endpoint::parse("https://x.y/v1")
            .unwrap_err()
            .message
            .contains("not the full URL"));
        let at_limit = format!("/{}", "a".repeat(MAX_ENDPOINT_CHARS - 1));
        assert!(Endpoint::parse(&at_limit).is_ok());
    }

    fn path_chars() -> impl Strategy<Value = char> {
        prop_oneof![
            Just('/'),
            Just('/'),
            Just('a'),
            Just('7'),
            Just('%'),
            Just('{'),
            Just('}'),
            Just('?'),
            Just('#'),
            Just(' '),
            Just('\t'),
            Just('\u{85}'),
            Just('\u{a0}'),
            Just('\u{0}'),
            Just('\u{7f}'),
            Just('é'),
            Just(':'),
            Just('~'),
            Just('\\'),
            any::<char>(),
        ]
    }

    proptest! {
        #[test]
        fn the_pattern_agrees_with_the_parser(chars in proptest::collection::vec(path_chars(), 0..30)) {
            let s: String = chars.into_iter().collect();
            let re = regex::Regex::new(&Endpoint::pattern()).unwrap();
            prop_assert_eq!(Endpoint::parse(&s).is_ok(), re.is_match(&s), "{:?}", s);
        }
    }

    #[test]
    fn the_pattern_accepts_ordinary_paths() {
        let re = regex::Regex::new(&Endpoint::pattern()).unwrap();
        for ok in ["/v1/orders/{id}", " /v1/a%20b?x=1 y ", "/", "/v1/{}/x#frag"] {
            assert!(re.is_match(ok), "{ok:?}");
            assert!(Endpoint::parse(ok).is_ok(), "{ok:?}");
        }
    }

    #[test]
    fn templates_replace_identifiers() {
        assert_eq!(template("/v1/orders/123"), "/v1/orders/{id}");
        assert_eq!(template("/v1/orders/456"), "/v1/orders/{id}");
        assert_eq!(
            template("/v1/orders/{order_id}/items"),
            "/v1/orders/{id}/items"
        );
        assert_eq!(
            template("/v1/users/3f2b8c1e-9d4a-4b7e-8f1a-2c3d4e5f6a7b"),
            "/v1/users/{id}"
        );
        assert_eq!(
            template("/v1/objects/5f8d0d55b54764421b7156c3"),
            "/v1/objects/{id}"
        );
        assert_eq!(
            template("/v1/orders/ord_8f3a9b2c1d4e5f60"),
            "/v1/orders/{id}"
        );
        assert_eq!(
            template("/v1/customers/cus_NffrFeUfNV2Hib"),
            "/v1/customers/{id}"
        );
        assert_eq!(
            template("/v1/events/01ARZ3NDEKTSV4RRFFQ69G5FAV"),
            "/v1/events/{id}"
        );
    }

    #[test]
    fn templates_keep_words_and_versions() {
        assert_eq!(template("/v1/orders"), "/v1/orders");
        assert_eq!(template("/v2/payment_methods"), "/v2/payment_methods");
        assert_eq!(template("/v1/account_settings"), "/v1/account_settings");
        assert_eq!(template("/v1/payment-methods-v2"), "/v1/payment-methods-v2");
        assert_eq!(template("/v1/oauth2/token"), "/v1/oauth2/token");
        assert_eq!(template("/v1/orders/"), "/v1/orders/");
        assert_eq!(template("/v1/deadbeef"), "/v1/deadbeef");
    }
}
