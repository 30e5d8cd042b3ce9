//! Who is asking (a bearer token), and request bodies, queries and path ids read with
//! errors in the API's JSON format.

use app::{
    error::AppError,
    server::{limits::Action, state::AppState, tokens},
    wire::auth::CurrentUser,
};
use axum::{
    body::Bytes,
    extract::{FromRequest, FromRequestParts, Request},
    http::{header, request::Parts, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::de::DeserializeOwned;

/// An error as the API answers it: its status, the JSON body, and the headers that go
/// with it (`WWW-Authenticate` on 401, `Retry-After` on 429 and on some 503s).
#[derive(Debug)]
pub struct ApiError(pub AppError);

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        Self(e)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let e = self.0;
        let status = StatusCode::from_u16(e.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let retry_after = e.retry_after;
        let invalid_token = status == StatusCode::UNAUTHORIZED;
        let mut res = (status, Json(e)).into_response();
        if invalid_token {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"faultdesk\""),
            );
        }
        if let Some(secs) = retry_after {
            if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
        }
        res
    }
}

/// The caller of an API route: the owner of the bearer token, with their role. Every
/// call counts against the owner's API rate limit.
#[derive(Debug, Clone)]
pub struct Caller(pub CurrentUser);

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        let header = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .map(str::trim);
        let token = match header {
            Some(h) if h.len() > 7 && h[..7].eq_ignore_ascii_case("bearer ") => h[7..].trim(),
            Some(_) => {
                return Err(unauthorized(
                    "Send the token as `Authorization: Bearer fd_…`.",
                ))
            }
            None => {
                return Err(unauthorized(
                    "This route needs an API token: `Authorization: Bearer fd_…` \
                     (create one in Account → API tokens).",
                ))
            }
        };
        let bearer = tokens::bearer(state, token)
            .await?
            .map_err(|refused| unauthorized(refused.message()))?;
        state.limits.check_user(Action::Api, bearer.user.id)?;
        Ok(Caller(bearer.user))
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError(AppError::unauthorized_with(message))
}

impl Caller {
    /// The caller, if at least `role`; 403 otherwise.
    pub fn at_least(self, role: app::domain::role::Role) -> Result<CurrentUser, ApiError> {
        if self.0.role >= role {
            Ok(self.0)
        } else {
            Err(ApiError(AppError::forbidden()))
        }
    }
}

/// A JSON body: 415 unless it is sent as `application/json`, 400 if it is not JSON,
/// 422 naming the field when a value has the wrong type or a required one is missing.
#[derive(Debug)]
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|v| {
                let v = v.trim().to_ascii_lowercase();
                v == "application/json" || (v.starts_with("application/") && v.ends_with("+json"))
            });
        if !is_json {
            return Err(ApiError(AppError::with_status(
                415,
                "Send the body as JSON, with `Content-Type: application/json`.",
            )));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            ApiError(AppError::with_status(
                e.status().as_u16(),
                "The request body could not be read.",
            ))
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Reads `bytes` as a `T`, with the field at fault named.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let not_json = |inner: &serde_json::Error| {
        ApiError(AppError {
            field: Some("body".to_owned()),
            ..AppError::bad_request(short(&format!("The body is not valid JSON: {inner}.")))
        })
    };
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value = serde_path_to_error::deserialize::<_, T>(&mut de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() || inner.is_io() {
            not_json(&inner)
        } else {
            let message = inner.to_string();
            let field = if field == "." || field.is_empty() {
                named_field(&message).unwrap_or("body").to_owned()
            } else {
                field
            };
            ApiError(AppError::validation(&field, short(&message)))
        }
    })?;
    de.end().map_err(|e| not_json(&e))?;
    Ok(value)
}

/// The field serde names in "missing field `x`" or "unknown field `x`, expected …".
fn named_field(message: &str) -> Option<&str> {
    let rest = message
        .strip_prefix("missing field `")
        .or_else(|| message.strip_prefix("unknown field `"))?;
    rest.split('`').next().filter(|f| !f.is_empty())
}

/// An error message cut to a sensible length (serde quotes the offending value).
fn short(message: &str) -> String {
    let mut out: String = message.chars().take(200).collect();
    if message.chars().count() > 200 {
        out.push('…');
    }
    out
}

/// A query string: 422 naming the parameter whose value does not fit.
#[derive(Debug)]
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned, S: Send + Sync> FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize::<_, T>(de)
            .map(ApiQuery)
            .map_err(|e| {
                let field = e.path().to_string();
                let message = e.into_inner().to_string();
                let field = if field == "." {
                    named_field(&message).unwrap_or("query").to_owned()
                } else {
                    field
                };
                ApiError(AppError::validation(&field, short(&message)))
            })
    }
}

/// The `{id}` of a route: a whole number, else 404 (there is no such thing).
#[derive(Debug, Clone, Copy)]
pub struct Id(pub i64);

impl<S: Send + Sync> FromRequestParts<S> for Id {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, ApiError> {
        let axum::extract::Path(raw) =
            axum::extract::Path::<String>::from_request_parts(parts, state)
                .await
                .map_err(|_| ApiError(AppError::not_found("resource")))?;
        raw.parse::<i64>()
            .ok()
            .filter(|id| *id > 0)
            .map(Id)
            .ok_or_else(|| ApiError(AppError::not_found("resource")))
    }
}
