//! Routes outside the Leptos app: health probes, the live-update event stream, and the
//! response fix-up that gives server-function errors their real HTTP status.

use app::{
    domain::role::Role,
    error::AppError,
    server::{auth::user_of_session, state::AppState},
};
use axum::{
    body::Body,
    extract::State,
    http::{HeaderValue, StatusCode},
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
    let stream = BroadcastStream::new(state.events.subscribe()).map(|change| {
        Ok::<_, std::convert::Infallible>(match change {
            Ok(c) => Event::default().event(c.kind).data(c.report_id.to_string()),
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

async fn ready(State(state): State<AppState>) -> Response {
    match state.db.ping().await {
        Ok(()) => (StatusCode::OK, "ready").into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unavailable").into_response()
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
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
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
