//! What a form without JavaScript had typed when the server refused it.
//!
//! Without JavaScript a form posts straight to its server function; on an error the
//! function redirects back to the form with the error in the URL, and the browser asks
//! for the form again, empty. So the server keeps the posted fields in the session (a
//! middleware does that, see `server::routes`) and the form's page takes them back on
//! that one re-render. Password fields are never kept, and every value is scrubbed of
//! credentials first, as stored reports are: the session table never holds a token.

use crate::{domain::scrub::scrub, error::AppError};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use tower_sessions::Session;

/// The session key of the kept form.
const KEY: &str = "rejected_form";

/// How long a kept form waits for its re-render (the redirect is followed at once;
/// anything older is from an abandoned attempt).
const KEEP_FOR_MS: i64 = 10 * 60 * 1000;

/// Fields never kept, whatever form they are on.
fn is_secret_field(name: &str) -> bool {
    name.to_ascii_lowercase().contains("password")
}

#[derive(Debug, Serialize, Deserialize)]
struct Kept {
    /// The server function's path the form posted to.
    path: String,
    /// When it was refused (ms since the epoch).
    at_ms: i64,
    /// Field name → value, scrubbed.
    fields: HashMap<String, String>,
}

/// The fields of a URL-encoded form body, without passwords, each value scrubbed.
pub fn kept_fields(body: &[u8]) -> HashMap<String, String> {
    form_urlencoded::parse(body)
        .filter(|(name, _)| !is_secret_field(name))
        .map(|(name, value)| (name.into_owned(), scrub(&value).text))
        .collect()
}

/// Keeps the refused form posted to `path` for its page's next render.
pub async fn keep(session: &Session, path: &str, body: &[u8], now_ms: i64) -> Result<(), AppError> {
    let kept = Kept {
        path: path.to_owned(),
        at_ms: now_ms,
        fields: kept_fields(body),
    };
    session
        .insert(KEY, kept)
        .await
        .map_err(|e| super::error::session_unavailable("session write failed", e))
}

/// While rendering a page after a refused post without JavaScript (the error is in the
/// page's URL), the fields that were posted to the server function at `path`; empty
/// otherwise. For the server functions that load a form's page.
pub async fn refused_form(path: &str) -> Result<HashMap<String, String>, AppError> {
    let refused = leptos_axum::extract::<axum::http::Uri>()
        .await
        .ok()
        .and_then(|uri| uri.query().map(|q| q.contains("__err=")))
        .unwrap_or(false);
    if !refused {
        return Ok(HashMap::new());
    }
    let now_ms = super::state::app_state()?.clock.now().timestamp_millis();
    Ok(take(&super::auth::session().await?, path, now_ms).await)
}

/// Takes the form refused at `path` back out of the session (once), if it is recent.
/// Any kept form is removed, whichever path it was for.
async fn take(session: &Session, path: &str, now_ms: i64) -> HashMap<String, String> {
    match session.remove::<Kept>(KEY).await {
        Ok(Some(kept)) if kept.path == path && now_ms - kept.at_ms <= KEEP_FOR_MS => kept.fields,
        Ok(_) => HashMap::new(),
        Err(e) => {
            tracing::warn!(error = %e, "kept form unreadable");
            HashMap::new()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_dropped_and_tokens_masked() {
        let body = b"email=a%40example.com&password=hunter2&new_password=x\
            &draft%5Bexcerpt%5D=Authorization%3A+Bearer+abc.def.ghi&draft%5Bendpoint%5D=%2Fv1%2Forders";
        let kept = kept_fields(body);
        assert_eq!(kept.get("email").map(String::as_str), Some("a@example.com"));
        assert_eq!(
            kept.get("draft[endpoint]").map(String::as_str),
            Some("/v1/orders")
        );
        assert!(!kept.contains_key("password"));
        assert!(!kept.contains_key("new_password"));
        let excerpt = &kept["draft[excerpt]"];
        assert!(
            excerpt.starts_with("Authorization: Bearer [redacted:"),
            "{excerpt}"
        );
        assert!(!excerpt.contains("abc.def.ghi"));
    }
}
