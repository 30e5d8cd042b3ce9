//! Secret scrubbing (PRODUCT §3): credentials in pasted requests and responses are
//! masked before storage, keeping only a short fingerprint so that support can still
//! tell whether two reports used the same token.

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

/// Text with its secrets replaced by `[redacted:<fingerprint>]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scrubbed {
    /// The scrubbed text.
    pub text: String,
    /// The distinct fingerprints of every placeholder in `text`, in order of appearance.
    pub fingerprints: Vec<String>,
}

/// The first 8 hex characters of the SHA-256 of `secret`: enough to recognise the same
/// token again, far too little to recover it.
pub fn fingerprint(secret: &str) -> String {
    hex::encode(&Sha256::digest(secret.as_bytes())[..4])
}

/// Masks credentials in `text`: `Authorization`, `Proxy-Authorization`, API-key, token
/// and cookie header values; `Bearer …` and `Basic …` credentials anywhere; query, form,
/// JSON and YAML parameters named like `api_key`, `access_token`, `client_secret` or
/// `password`; JWTs; and well-known key formats (`sk_live_…`, `ghp_…`, `xoxb-…`,
/// `AKIA…`, and Faultdesk's own API tokens, `fd_…`).
///
/// Header and parameter names, authentication schemes and key prefixes stay visible
/// (`Authorization: Bearer [redacted:1a2b3c4d]`, `sk_live_[redacted:…]`). Scrubbing is
/// idempotent: existing placeholders are left alone.
pub fn scrub(text: &str) -> Scrubbed {
    // Rules overlap in odd inputs (a header inside a JSON string inside a log line), so a
    // single pass can leave something a second pass would mask. Passes repeat until
    // nothing changes; each changing pass strictly reduces the visible characters outside
    // placeholders, so this ends, and in practice after one or two passes. A pass that
    // changes nothing would change nothing again, so text without secrets is scanned once.
    let mut scrubbed = scrub_pass(text);
    let mut changed = scrubbed != text;
    for _ in 0..MAX_PASSES {
        if !changed {
            break;
        }
        let next = scrub_pass(&scrubbed);
        changed = next != scrubbed;
        scrubbed = next;
    }
    let text = scrubbed;
    let mut fingerprints: Vec<String> = Vec::new();
    for m in PLACEHOLDER.find_iter(&text) {
        let fp = &m.as_str()[PLACEHOLDER_PREFIX.len()..m.as_str().len() - 1];
        if !fingerprints.iter().any(|f| f == fp) {
            fingerprints.push(fp.to_owned());
        }
    }
    Scrubbed { text, fingerprints }
}

/// A bound on extra passes for adversarial input; real text settles in one or two.
const MAX_PASSES: usize = 32;

fn scrub_pass(text: &str) -> String {
    let mut spans = Vec::new();
    header_spans(text, &mut spans);
    parameter_spans(text, &mut spans);
    scheme_spans(text, &mut spans);
    pattern_spans(text, &mut spans);
    let placeholders: Vec<(usize, usize)> = PLACEHOLDER
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    spans.retain(|s| {
        s.start < s.end
            && !placeholders
                .iter()
                .any(|&(a, b)| a <= s.start && s.end <= b)
    });
    // A span that cuts into a placeholder swallows all of it, never leaving a fragment.
    for span in &mut spans {
        for &(a, b) in &placeholders {
            if a < span.start && span.start < b {
                span.start = a;
            }
            if a < span.end && span.end < b {
                span.end = b;
            }
        }
    }
    replace_spans(text, merge(text, spans))
}

const PLACEHOLDER_PREFIX: &str = "[redacted:";

fn placeholder(secret: &str) -> String {
    format!("{PLACEHOLDER_PREFIX}{}]", fingerprint(secret))
}

static PLACEHOLDER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\[redacted:[0-9a-f]{8}\]").expect("valid regex"));

/// Header lines whose whole value is a credential. The character before the name is
/// captured to tell `-H "Authorization: …"` (value ends at the quote) from a raw line.
static HEADER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(^|[^A-Za-z0-9_-])((?:proxy-)?authorization|x-api-key|api-key|x-auth-token|x-access-token|cookie|set-cookie)[ \t]*:[ \t]*",
    )
    .expect("valid regex")
});

/// `name=`, `name:`, `"name":` and `\"name\":` for parameter names that hold secrets.
static PARAMETER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(^|[^A-Za-z0-9_.-])(\\?["']?)([A-Za-z0-9_.-]*?(?:api[_-]?key|token|secret|secret[_-]?key|private[_-]?key|password|passwd|authorization))(\\?["']?)[ \t]*([:=])[ \t]*"#,
    )
    .expect("valid regex")
});

static SCHEME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:bearer|basic)[ \t]+([A-Za-z0-9._~+/-]+=*)").expect("valid regex")
});

static JWT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*").expect("valid regex")
});

/// Key formats with a recognisable prefix, which stays visible (it says whether a key
/// is live or test).
static PREFIXED_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\b((?:sk|pk|rk)_(?:live|test)_|gh[pousr]_|github_pat_|xox[abprs]-|whsec_|fd_)([A-Za-z0-9][A-Za-z0-9_-]{7,})",
    )
    .expect("valid regex")
});

static AWS_KEY_ID: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\bAKIA[0-9A-Z]{16}\b").expect("valid regex"));

/// A secret found in the text: the bytes to replace and what to fingerprint.
struct Span {
    start: usize,
    end: usize,
    secret: String,
}

impl Span {
    fn of(text: &str, start: usize, end: usize) -> Self {
        Self {
            start,
            end,
            secret: text[start..end].to_owned(),
        }
    }
}

fn header_spans(text: &str, spans: &mut Vec<Span>) {
    for caps in HEADER.captures_iter(text) {
        let (Some(before), Some(name), Some(whole)) = (caps.get(1), caps.get(2), caps.get(0))
        else {
            continue;
        };
        let quote = before
            .as_str()
            .chars()
            .next()
            .filter(|c| matches!(c, '"' | '\''));
        let start = whole.end();
        let line_end = line_end(text, start);
        let end = match quote {
            // An escaped quote (`\"Authorization: …\"` in a JSON string) ends at `\"`.
            Some(q) => {
                let escaped = before.start() > 0 && text.as_bytes()[before.start() - 1] == b'\\';
                let closing = if escaped {
                    format!("\\{q}")
                } else {
                    q.to_string()
                };
                text[start..line_end]
                    .find(&closing)
                    .map_or(line_end, |i| start + i)
            }
            None => line_end,
        };
        let is_authorization = name
            .as_str()
            .to_ascii_lowercase()
            .ends_with("authorization");
        push_value(text, start, end, is_authorization, spans);
    }
}

fn parameter_spans(text: &str, spans: &mut Vec<Span>) {
    for caps in PARAMETER.captures_iter(text) {
        let (Some(name), Some(sep), Some(whole)) = (caps.get(3), caps.get(5), caps.get(0)) else {
            continue;
        };
        let start = whole.end();
        let rest = &text[start..];
        let line_end = line_end(text, start);
        let is_authorization = name
            .as_str()
            .to_ascii_lowercase()
            .ends_with("authorization");
        let at_placeholder = PLACEHOLDER.find(rest).is_some_and(|m| m.start() == 0);
        if rest.starts_with("\\\"") {
            let from = start + 2;
            let end = text[from..line_end]
                .find("\\\"")
                .map_or(line_end, |i| from + i);
            push_value(text, from, end, is_authorization, spans);
        } else if let Some(q) = rest.chars().next().filter(|c| matches!(c, '"' | '\'')) {
            let from = start + 1;
            push_value(
                text,
                from,
                quoted_end(text, from, line_end, q),
                is_authorization,
                spans,
            );
        } else if !at_placeholder {
            let len = rest
                .find(|c: char| c.is_whitespace() || "&\"'#;,<>(){}[]\\|".contains(c))
                .unwrap_or(rest.len());
            let value = &rest[..len];
            // After a colon an unquoted word is as likely prose ("token: expired") as a
            // secret, so only credential-shaped values count.
            if sep.as_str() == "=" || looks_like_credential(value) {
                spans.push(Span::of(text, start, start + len));
            }
        }
    }
}

fn scheme_spans(text: &str, spans: &mut Vec<Span>) {
    let mut pos = 0;
    while let Some(caps) = SCHEME.captures_at(text, pos) {
        let Some(token) = caps.get(1) else { break };
        if looks_like_credential(token.as_str()) {
            spans.push(Span::of(text, token.start(), token.end()));
            pos = token.end();
        } else {
            // Resume at the rejected word: in "Bearer Bearer abc…" it is the scheme.
            pos = token.start();
        }
    }
}

fn pattern_spans(text: &str, spans: &mut Vec<Span>) {
    for m in JWT.find_iter(text).chain(AWS_KEY_ID.find_iter(text)) {
        spans.push(Span::of(text, m.start(), m.end()));
    }
    for caps in PREFIXED_KEY.captures_iter(text) {
        if let (Some(whole), Some(body)) = (caps.get(0), caps.get(2)) {
            spans.push(Span {
                start: body.start(),
                end: body.end(),
                secret: whole.as_str().to_owned(),
            });
        }
    }
}

/// Records the value `text[start..end]` (trailing blanks excluded). For authorization
/// values the scheme (`Bearer`, `Basic`, `AWS4-HMAC-SHA256`, …) stays visible.
fn push_value(text: &str, start: usize, end: usize, keep_scheme: bool, spans: &mut Vec<Span>) {
    let value = text[start..end].trim_end();
    if value.is_empty() {
        return;
    }
    let mut from = start;
    if keep_scheme {
        let scheme_len = value
            .find(|c: char| !(c.is_ascii_alphanumeric() || "._~+/-".contains(c)))
            .unwrap_or(value.len());
        let after = &value[scheme_len..];
        let credentials = after.trim_start_matches([' ', '\t']);
        let is_scheme = (1..=32).contains(&scheme_len)
            && value.as_bytes()[0].is_ascii_alphabetic()
            && after.len() > credentials.len();
        if is_scheme && !credentials.is_empty() {
            from = start + value.len() - credentials.len();
        } else if credentials.is_empty()
            && KNOWN_SCHEMES.contains(&value.to_ascii_lowercase().as_str())
        {
            return;
        }
    }
    let secret = &text[from..start + value.len()];
    // A value that is nothing but earlier placeholders was scrubbed already.
    if !PLACEHOLDER.replace_all(secret, "").trim().is_empty() {
        spans.push(Span::of(text, from, start + value.len()));
    }
}

const KNOWN_SCHEMES: &[&str] = &["basic", "bearer", "digest", "negotiate", "ntlm", "token"];

fn line_end(text: &str, from: usize) -> usize {
    text[from..]
        .find(['\n', '\r'])
        .map_or(text.len(), |i| from + i)
}

/// The end of a value quoted with `q` that starts at `from`, honouring backslash
/// escapes; an unterminated value runs to the end of the line.
fn quoted_end(text: &str, from: usize, line_end: usize, q: char) -> usize {
    let mut escaped = false;
    for (i, c) in text[from..line_end].char_indices() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            c if c == q => return from + i,
            _ => {}
        }
    }
    line_end
}

/// Whether a bare word looks machine-made: at least 8 characters with a digit or with
/// both upper and lower case letters. Keeps "Bearer authentication" readable.
fn looks_like_credential(word: &str) -> bool {
    let has = |f: fn(&char) -> bool| word.chars().any(|c| f(&c));
    word.chars().count() >= 8
        && (has(char::is_ascii_digit)
            || (has(char::is_ascii_uppercase) && has(char::is_ascii_lowercase)))
}

/// Merges overlapping spans; a merged span fingerprints the secret of the span that
/// covers it, or its own text when none does.
fn merge(text: &str, mut spans: Vec<Span>) -> Vec<Span> {
    spans.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut merged: Vec<Span> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start < last.end => {
                if span.end > last.end {
                    *last = Span::of(text, last.start, span.end);
                }
            }
            _ => merged.push(span),
        }
    }
    merged
}

fn replace_spans(text: &str, spans: Vec<Span>) -> String {
    let mut out = String::with_capacity(text.len());
    let mut pos = 0;
    for span in spans {
        out.push_str(&text[pos..span.start]);
        out.push_str(&placeholder(&span.secret));
        pos = span.end;
    }
    out.push_str(&text[pos..]);
    out
}

#[cfg(test)]
mod tests;
