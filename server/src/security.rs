//! Safe on the public internet: the layers every request passes through.
//!
//! - **Cross-site requests** ([`same_site_only`]): a state-changing request (any method
//!   but GET, HEAD, OPTIONS) is refused with 403 unless its `Origin` — or, without
//!   one, `Sec-Fetch-Site`, or else the `Referer` — says it comes from this site. A
//!   request with none of them is refused too (browsers send `Origin` on every POST).
//!   The JSON API (`/api/v1`) is exempt: it takes bearer tokens only, never cookies,
//!   so a forged request there has no authority to borrow.
//! - **Redirects** ([`local_redirects_only`]): every `Location` the app answers with
//!   must be a local path (or this site's own URL); anything else becomes `/`.
//! - **Bodies** ([`limit_bodies`]): larger than [`BODY_LIMIT`] is refused with 413,
//!   whether announced by `Content-Length` or streamed in chunks; nothing beyond the
//!   limit is read into memory. A NUL character anywhere is refused with 400.
//! - **Headers** ([`security_headers`]): a Content-Security-Policy with a fresh nonce
//!   for the page's own scripts (and `'wasm-unsafe-eval'` for the bundle), no
//!   framing, `nosniff`, `Referrer-Policy: same-origin`.

use app::error::AppError;
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    Json,
};
use std::sync::Arc;

/// The largest request body accepted (larger bodies get 413).
pub const BODY_LIMIT: usize = 1024 * 1024;

/// Which origin is "this site".
#[derive(Clone, Debug, Default)]
pub struct SiteOrigin {
    /// `FAULTDESK_PUBLIC_URL`'s origin (`https://desk.example.com`), when set: then
    /// only it is this site. Unset: the request's own `Host`.
    pub public: Option<String>,
}

impl SiteOrigin {
    /// From `FAULTDESK_PUBLIC_URL` (scheme, host and port; any path is ignored).
    pub fn from_public_url(url: Option<&str>) -> Result<Self, String> {
        let Some(url) = url.map(str::trim).filter(|u| !u.is_empty()) else {
            return Ok(Self::default());
        };
        let parsed = url::Url::parse(url).map_err(|e| format!("FAULTDESK_PUBLIC_URL: {e}"))?;
        if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
            return Err("FAULTDESK_PUBLIC_URL must be an http(s) URL".to_owned());
        }
        Ok(Self {
            public: Some(parsed.origin().ascii_serialization()),
        })
    }

    /// Whether `origin` (`scheme://host[:port]`) is this site, for a request to `host`.
    fn matches(&self, origin: &str, host: Option<&str>) -> bool {
        let Ok(parsed) = url::Url::parse(origin) else {
            return false;
        };
        let origin = parsed.origin();
        if !origin.is_tuple() {
            return false;
        }
        match (&self.public, host) {
            (Some(public), _) => origin.ascii_serialization() == *public,
            (None, Some(host)) => {
                let authority = match parsed.port() {
                    Some(port) => format!("{}:{port}", parsed.host_str().unwrap_or_default()),
                    None => parsed.host_str().unwrap_or_default().to_owned(),
                };
                authority.eq_ignore_ascii_case(host)
            }
            (None, None) => false,
        }
    }
}

fn refuse(status: StatusCode, message: &str) -> Response {
    let body = AppError {
        status: status.as_u16(),
        message: message.to_owned(),
        field: None,
        retry_after: None,
    };
    (status, Json(body)).into_response()
}

/// Refuses cross-site state-changing requests (see the module docs).
pub async fn same_site_only(
    State(site): State<Arc<SiteOrigin>>,
    req: Request,
    next: Next,
) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    // The JSON API authenticates by bearer token only, never by cookie: a cross-site
    // request carries no authority there (and a missing token is its 401 to give).
    if req.uri().path().starts_with("/api/v1/") {
        return next.run(req).await;
    }
    let headers = req.headers();
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    let text = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let same_site = if let Some(origin) = text("origin") {
        site.matches(origin, host)
    } else if let Some(fetch_site) = text("sec-fetch-site") {
        fetch_site == "same-origin"
    } else if let Some(referer) = text("referer") {
        site.matches(referer, host)
    } else {
        false
    };
    if !same_site {
        tracing::debug!(path = %req.uri().path(), "cross-site request refused");
        return refuse(
            StatusCode::FORBIDDEN,
            "This request did not come from a Faultdesk page, so it was refused \
             (cross-site requests are not accepted).",
        );
    }
    next.run(req).await
}

/// Whether `location` is a path on this site (see `app::domain::paths`).
pub fn is_local_path(location: &str) -> bool {
    app::domain::paths::is_local_path(location)
}

/// Replaces any redirect that would leave this site with one to `/`.
pub async fn local_redirects_only(
    State(site): State<Arc<SiteOrigin>>,
    req: Request,
    next: Next,
) -> Response {
    let host = req
        .headers()
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let mut res = next.run(req).await;
    let Some(location) = res.headers().get(header::LOCATION) else {
        return res;
    };
    let safe = match location.to_str() {
        Ok(l) if is_local_path(l) => true,
        // The app's own absolute URL (server functions send a form back to the page it
        // came from): only this site's, and then only its path counts.
        Ok(l) if l.starts_with("http://") || l.starts_with("https://") => {
            site.matches(l, host.as_deref())
                && url::Url::parse(l).is_ok_and(|u| {
                    let path = match u.query() {
                        Some(q) => format!("{}?{q}", u.path()),
                        None => u.path().to_owned(),
                    };
                    is_local_path(&path)
                })
        }
        _ => false,
    };
    if !safe {
        tracing::warn!("a redirect off this site was replaced by /");
        res.headers_mut()
            .insert(header::LOCATION, HeaderValue::from_static("/"));
    }
    res
}

/// Refuses bodies over [`BODY_LIMIT`] with 413, announced or streamed (buffering at
/// most the limit), and any request with a NUL character in its query or body with 400.
pub async fn limit_bodies(req: Request, next: Next) -> Response {
    let too_large = || {
        refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            "The request body is larger than 1 MiB.",
        )
    };
    let has_nul = || {
        refuse(
            StatusCode::BAD_REQUEST,
            "The request contains a NUL character, which no field accepts.",
        )
    };
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > BODY_LIMIT as u64) {
        return too_large();
    }
    if req
        .uri()
        .query()
        .is_some_and(|q| contains_nul(q.as_bytes(), Encoding::Form))
    {
        return has_nul();
    }
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) && announced.is_none()
    {
        return next.run(req).await;
    }
    let encoding = Encoding::of(req.headers());
    let (parts, body) = req.into_parts();
    let bytes = match axum::body::to_bytes(body, BODY_LIMIT).await {
        Ok(bytes) => bytes,
        Err(_) => return too_large(),
    };
    if contains_nul(&bytes, encoding) {
        return has_nul();
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// How a NUL can be written in a query or body of this kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    /// A query string or an HTML form: raw, or percent-encoded (`%00`).
    Form,
    /// JSON: raw, or as the escape `\u0000` (but not `\\u0000`, a backslash and text).
    Json,
    /// Anything else: raw only.
    Raw,
}

impl Encoding {
    fn of(headers: &axum::http::HeaderMap) -> Self {
        let kind = headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|v| v.trim().to_ascii_lowercase())
            .unwrap_or_default();
        if kind == "application/x-www-form-urlencoded" {
            Self::Form
        } else if kind == "application/json" || kind.ends_with("+json") {
            Self::Json
        } else {
            Self::Raw
        }
    }
}

/// Whether text holds a NUL character as `encoding` writes one: no field accepts one
/// (PostgreSQL cannot even store it), so it is refused here, once for every route,
/// rather than failing deep in a query. (`%00` in a JSON string is three characters of
/// text, e.g. a percent-escape in a reported path, and is let through.)
fn contains_nul(text: &[u8], encoding: Encoding) -> bool {
    if text.contains(&0) {
        return true;
    }
    match encoding {
        Encoding::Raw => false,
        Encoding::Form => text.windows(3).any(|w| w == b"%00"),
        Encoding::Json => {
            let mut i = 0;
            while i < text.len() {
                if text[i] == b'\\' {
                    if text.get(i + 1) == Some(&b'u')
                        && text
                            .get(i + 2..i + 6)
                            .is_some_and(|h| h.eq_ignore_ascii_case(b"0000"))
                    {
                        return true;
                    }
                    i += 2;
                } else {
                    i += 1;
                }
            }
            false
        }
    }
}

/// A fresh nonce for this request's scripts (the page renders it into its `<script>`
/// tags; the Content-Security-Policy allows only scripts that carry it).
#[derive(Clone, Debug)]
pub struct CspNonce(pub String);

/// Adds the security headers to every response, the Content-Security-Policy to pages.
pub async fn security_headers(mut req: Request, next: Next) -> Response {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::thread_rng().fill_bytes(&mut bytes);
    let nonce = hex::encode(bytes);
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    headers.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("same-origin"),
    );
    let is_html = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"));
    let csp = if is_html {
        format!(
            "default-src 'self'; script-src 'self' 'wasm-unsafe-eval' 'nonce-{nonce}'; \
             style-src 'self'; img-src 'self' data:; connect-src 'self'; font-src 'self'; \
             object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        )
    } else {
        "default-src 'none'; frame-ancestors 'none'".to_owned()
    };
    if let Ok(v) = HeaderValue::from_str(&csp) {
        headers.insert(header::CONTENT_SECURITY_POLICY, v);
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_site_is_the_public_url_or_the_host() {
        let by_host = SiteOrigin::default();
        assert!(by_host.matches("http://127.0.0.1:3000", Some("127.0.0.1:3000")));
        assert!(!by_host.matches("http://evil.example", Some("127.0.0.1:3000")));
        assert!(!by_host.matches("null", Some("127.0.0.1:3000")));
        assert!(!by_host.matches("http://127.0.0.1:3001", Some("127.0.0.1:3000")));
        let public = SiteOrigin::from_public_url(Some("https://desk.example.com/app")).unwrap();
        assert!(public.matches("https://desk.example.com", Some("internal:8080")));
        assert!(!public.matches("http://desk.example.com", Some("desk.example.com")));
        assert!(!public.matches("https://sub.desk.example.com", None));
    }

    #[test]
    fn nul_is_found_as_each_encoding_writes_it() {
        use Encoding::*;
        assert!(contains_nul(b"a\0b", Raw));
        assert!(contains_nul(b"a=%00", Form));
        assert!(!contains_nul(b"a=%2500", Form));
        assert!(contains_nul(br#"{"a":"x\u0000"}"#, Json));
        assert!(contains_nul(br#"{"a":"x\\\u0000"}"#, Json));
        // A backslash followed by the text u0000, and a percent-escape, are text.
        assert!(!contains_nul(br#"{"a":"x\\u0000"}"#, Json));
        assert!(!contains_nul(br#"{"endpoint":"/v1/%00"}"#, Json));
    }
}
