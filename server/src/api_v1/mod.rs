//! The JSON API, version 1 (`/api/v1`): everything a developer does in the browser,
//! the staff's queue work and the manager's figures, for programs, authenticated by a
//! personal API token (`Authorization: Bearer fd_…`). A token acts with its owner's
//! role. The handlers call the same service functions as the server functions, so the
//! two doors cannot disagree.
//!
//! Errors follow the rules Faultdesk teaches: JSON `{status, message, field?}` with the
//! real status — 400 malformed JSON, 401 (with `WWW-Authenticate: Bearer`) for a
//! missing, unknown, expired or revoked token, 403 for the wrong role, 404 for what is
//! not there or not yours, 405 with `Allow`, 409 for a state conflict, 413, 415 for a
//! body that is not JSON, 422 naming the field, 429 with `Retry-After`.
//!
//! The OpenAPI 3.1 document is at `/api/v1/openapi.json`, an interactive reference at
//! `/api/v1/docs` (Swagger UI, served from assets compiled into the binary).

mod extract;
mod handlers;
mod openapi;
mod requests;

pub use extract::ApiError;

use app::{error::AppError, server::state::AppState};
use axum::{
    extract::Request,
    http::{header, HeaderValue, StatusCode},
    middleware::Next,
    response::{IntoResponse, Response},
    routing::{get, post, put},
    Router,
};

/// Every route of the API, plus its document and reference.
pub fn routes() -> Router<AppState> {
    use handlers::*;
    let api = Router::new()
        .route("/me", get(me))
        .route("/reports", post(create_report).get(list_reports))
        .route("/reports/{id}", get(get_report))
        .route("/reports/{id}/feedback", post(report_feedback))
        .route("/reports/{id}/replies", post(reply_to_report))
        .route("/reports/{id}/unrelated", post(state_unrelated))
        .route("/reports/{id}/follow", post(follow_incident))
        .route("/notices", get(current_notices).post(publish_notice))
        .route("/notices/all", get(all_notices))
        .route("/notices/{id}", put(edit_notice))
        .route("/notices/{id}/end", post(end_notice))
        .route("/notices/{id}/cancel", post(cancel_notice))
        .route("/queue", get(queue))
        .route("/tickets/{id}", get(get_ticket))
        .route("/tickets/{id}/claim", post(claim_ticket))
        .route("/tickets/{id}/assign", post(assign_ticket))
        .route("/tickets/{id}/status", post(change_status))
        .route("/tickets/{id}/messages", post(post_message))
        .route("/tickets/{id}/move-out", post(move_out_of_incident))
        .route("/incidents/{id}", get(get_incident))
        .route("/incidents/{id}/replies", post(reply_incident))
        .route("/incidents/{id}/resolve", post(resolve_incident))
        .route("/incidents/{id}/merge", post(merge_incident))
        .route("/manager/report", get(manager_report))
        .route("/manager/report/{table}", get(manager_report_csv))
        .route("/openapi.json", get(openapi::document))
        .fallback(not_found)
        .layer(axum::middleware::from_fn(json_errors));
    Router::new().nest("/api/v1", api).merge(openapi::docs())
}

async fn not_found() -> ApiError {
    ApiError(AppError::not_found("API route"))
}

/// Answers the framework's own refusals in the API's JSON too: a method the route
/// does not take is 405 with `Allow` (the route's methods, from the API's document)
/// and a body saying which they are.
async fn json_errors(req: Request, next: Next) -> Response {
    // Nested under /api/v1, the router sees the path without the prefix.
    let path = req
        .extensions()
        .get::<axum::extract::OriginalUri>()
        .map_or_else(|| req.uri().path().to_owned(), |u| u.path().to_owned());
    let res = next.run(req).await;
    if res.status() != StatusCode::METHOD_NOT_ALLOWED {
        return res;
    }
    let methods = allowed_methods(&path);
    let mut out = ApiError(AppError::with_status(
        405,
        format!("This route accepts {}.", methods.join(", ")),
    ))
    .into_response();
    if let Ok(v) = HeaderValue::from_str(&methods.join(", ")) {
        out.headers_mut().insert(header::ALLOW, v);
    }
    out
}

/// The methods the document lists for the route matching `path` (`{…}` segments match
/// any one segment).
fn allowed_methods(path: &str) -> Vec<String> {
    let doc = openapi::document_value();
    let Some(paths) = doc.get("paths").and_then(|p| p.as_object()) else {
        return Vec::new();
    };
    let wanted: Vec<&str> = path.trim_end_matches('/').split('/').collect();
    for (pattern, item) in paths {
        let parts: Vec<&str> = pattern.split('/').collect();
        let matches = parts.len() == wanted.len()
            && parts
                .iter()
                .zip(&wanted)
                .all(|(p, w)| p == w || (p.starts_with('{') && p.ends_with('}')));
        if matches {
            let mut methods: Vec<String> = item
                .as_object()
                .map(|o| o.keys().map(|m| m.to_ascii_uppercase()).collect())
                .unwrap_or_default();
            if methods.iter().any(|m| m == "GET") {
                methods.push("HEAD".to_owned());
            }
            methods.sort();
            return methods;
        }
    }
    Vec::new()
}

/// Paths of the API (for the authorisation table).
pub fn paths() -> Vec<String> {
    openapi::document_value()
        .get("paths")
        .and_then(|p| p.as_object())
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}
