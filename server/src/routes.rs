//! Routes outside the Leptos app: health probes, the live-update event stream, the
//! response fix-up that gives server-function errors their real HTTP status, and the
//! middleware that keeps a form refused without JavaScript for its re-render.

use app::{
    domain::role::Role,
    error::AppError,
    server::{auth::user_of_session, state::AppState},
};
use axum::{
    body::Body,
    extract::{Request, State},
    http::{header, HeaderValue, Method, StatusCode},
    middleware::Next,
    response::{
        sse::{Event, KeepAlive, Sse},
        IntoResponse, Response,
    },
    routing::get,
    Json, Router,
};
use tokio_stream::{wrappers::BroadcastStream, StreamExt};
use tower_sessions::Session;

/// Routes outside Leptos, with the least role each needs (the authorisation tests
/// check every one of them against every role).
pub const PLAIN_ROUTES: &[(&str, Option<Role>)] = &[
    ("/health/live", None),
    ("/health/ready", None),
    ("/events/queue", Some(Role::Agent)),
    ("/manager/reports/attainment.csv", Some(Role::Manager)),
    (
        "/manager/reports/attainment_over_time.csv",
        Some(Role::Manager),
    ),
    ("/manager/reports/response_times.csv", Some(Role::Manager)),
    (
        "/manager/reports/response_distribution.csv",
        Some(Role::Manager),
    ),
    ("/manager/reports/breaches.csv", Some(Role::Manager)),
    ("/manager/reports/backlog.csv", Some(Role::Manager)),
    ("/manager/reports/volume_by_day.csv", Some(Role::Manager)),
    (
        "/manager/reports/volume_by_status_code.csv",
        Some(Role::Manager),
    ),
    (
        "/manager/reports/volume_by_endpoint.csv",
        Some(Role::Manager),
    ),
    ("/manager/reports/deflection.csv", Some(Role::Manager)),
    (
        "/manager/reports/deflection_by_article.csv",
        Some(Role::Manager),
    ),
];

/// `GET /events/queue`: server-sent events telling open queue pages that tickets
/// changed (staff only). Each event's data is the changed ticket's id.
pub fn live() -> Router<AppState> {
    Router::new().route("/events/queue", get(queue_events))
}

async fn queue_events(State(state): State<AppState>, session: Session) -> Response {
    match user_of_session(&state.db, &session).await {
        Ok(Some(user)) if user.role.is_staff() => {}
        Ok(Some(_)) => return (StatusCode::FORBIDDEN, Json(AppError::forbidden())).into_response(),
        Ok(None) => {
            return (StatusCode::UNAUTHORIZED, Json(AppError::unauthorized())).into_response()
        }
        Err(e) => return (StatusCode::INTERNAL_SERVER_ERROR, Json(e)).into_response(),
    }
    let stream = BroadcastStream::new(state.db.hub().events.subscribe()).map(|change| {
        Ok::<_, std::convert::Infallible>(match change {
            Ok(c) => {
                let ids: Vec<String> = c.report_ids.iter().map(i64::to_string).collect();
                Event::default().event(c.kind).data(ids.join(","))
            }
            // This viewer fell behind: tell it to reload everything.
            Err(_) => Event::default().event("resync").data(""),
        })
    });
    Sse::new(stream)
        .keep_alive(KeepAlive::default())
        .into_response()
}

/// `GET /health/live` (the process is up) and `GET /health/ready` (and its database answers).
pub fn health() -> Router<AppState> {
    Router::new()
        .route("/health/live", get(|| async { "ok" }))
        .route("/health/ready", get(ready))
}

/// Ready when a write can be made now: a real write through the writer (the lane
/// and its connection are alive, the database accepts writes), within two seconds.
async fn ready(State(state): State<AppState>) -> Response {
    match state
        .db
        .probe_write(std::time::Duration::from_secs(2))
        .await
    {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e.message, "readiness check failed: writes cannot be made");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                Json(AppError {
                    message: "Writes cannot be made to the database.".to_owned(),
                    ..AppError::unavailable()
                }),
            )
                .into_response()
        }
    }
}

/// Server functions answer every error with 500; ours carry the real status in the
/// JSON body (`{"status": 422, "message": …, "field": …}`). This puts it on the
/// response, so callers (and logs) see 4xx for their mistakes and 5xx only for ours.
pub async fn server_fn_status(res: Response) -> Response {
    if res.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !res.headers().contains_key("serverfnerror")
    {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::security::BODY_LIMIT).await else {
        return (
            StatusCode::INTERNAL_SERVER_ERROR,
            Json(AppError::internal()),
        )
            .into_response();
    };
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes) {
        if let Ok(status) = StatusCode::from_u16(err.status) {
            parts.status = status;
        }
    }
    parts
        .headers
        .insert("content-type", HeaderValue::from_static("application/json"));
    Response::from_parts(parts, Body::from(bytes))
}

/// Without JavaScript a form posts to its server function, which answers an error with
/// a redirect back to the form carrying the error in the URL (`__err`); the browser then
/// asks for the form again and everything typed would be gone. For such a post this
/// keeps the fields (scrubbed, never passwords; see `app::server::form_flash`) in the
/// session, so the form's page can fill them back in on that re-render.
pub async fn keep_refused_form(
    State(state): State<AppState>,
    session: Session,
    req: Request,
    next: Next,
) -> Response {
    let headers = req.headers();
    let is_plain_form_post = req.method() == Method::POST
        && req.uri().path().starts_with("/api/")
        && headers
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
        && headers
            .get(header::ACCEPT)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("text/html"));
    let fits = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
        .is_some_and(|n| n <= crate::security::BODY_LIMIT);
    // Only for a session that already exists: the forms that use this need a signed-in
    // user, and anonymous junk posts must not create session rows.
    if !(is_plain_form_post && fits && session.id().is_some()) {
        return next.run(req).await;
    }
    let path = req.uri().path().to_owned();
    let (parts, body) = req.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, crate::security::BODY_LIMIT).await else {
        return (
            StatusCode::BAD_REQUEST,
            Json(AppError::bad_request("the form could not be read")),
        )
            .into_response();
    };
    let res = next
        .run(Request::from_parts(parts, Body::from(bytes.clone())))
        .await;
    let refused = res.status().is_redirection()
        && res
            .headers()
            .get(header::LOCATION)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|l| l.contains("__err="));
    if refused {
        let now_ms = state.clock.now().timestamp_millis();
        if let Err(e) = app::server::form_flash::keep(&session, &path, &bytes, now_ms).await {
            tracing::warn!(error = %e.message, "could not keep the refused form");
        }
    }
    res
}
