//! The handlers of `/api/v1`: who is asking → read the request → the same service
//! function the browser's server function calls → JSON.

use super::extract::{ApiError, ApiJson, ApiQuery, Caller, Id};
use app::{
    domain::{role::Role, validation::ReportDraft},
    error::AppError,
    server::{intake, limits::Action, maintenance, manager_report, outages, state::AppState, work},
    wire::{
        auth::CurrentUser,
        incidents::IncidentView,
        manager::{ManagerReport, ReportTable, BREACHES_SHOWN},
        notices::{NoticeForm, NoticeView},
        queue::{QueuePage, QueueQuery, TicketView},
        reports::{ReportDetail, ReportPage},
    },
};
use axum::{
    extract::{Path, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

type Result<T> = std::result::Result<T, ApiError>;

/// A report to file. Validated exactly like the browser's form.
#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateReport {
    /// The path that failed, e.g. `/v1/orders/42` (query strings are ignored).
    #[schema(example = "/v1/orders/42", min_length = 1, max_length = 2048)]
    pub endpoint: String,
    /// The HTTP method of the failed request.
    #[schema(example = "POST")]
    pub method: String,
    /// The response's HTTP status code (400–599); omit it (or send null) for no response.
    #[schema(example = 503, minimum = 100, maximum = 999)]
    pub status: Option<u16>,
    /// Without a status: why no response came (`timeout`, `connection_refused`, `dns`, `tls`).
    #[schema(example = "timeout")]
    pub transport: Option<String>,
    /// The response's `message` field.
    #[schema(example = "Service temporarily unavailable", max_length = 2000)]
    pub message: String,
    /// The API's request id, if the response had one.
    #[schema(example = "req_8f2a")]
    pub request_id: Option<String>,
    /// When the request failed (RFC 3339).
    #[schema(example = "2026-11-24T09:55:00Z")]
    pub occurred_at: DateTime<FixedOffset>,
    /// The IANA timezone you report in (times are shown to you in it); default: your account's.
    #[schema(example = "Europe/Berlin")]
    pub timezone: Option<String>,
    /// `production` (default) or `sandbox`.
    #[schema(example = "production")]
    pub environment: Option<String>,
    /// How often you retried (server errors: the rule is 1–2 times, 1–3 s apart).
    #[schema(example = 2, minimum = 0)]
    pub retries: Option<u32>,
    /// Seconds between retries.
    #[schema(example = 2, minimum = 0)]
    pub retry_interval_secs: Option<u32>,
    /// With a server error and no retries: why not (e.g. the request is not idempotent).
    pub retry_reason: Option<String>,
    /// What you were doing and what you saw.
    #[schema(example = "Creating an order fails since 09:50.")]
    pub description: Option<String>,
    /// A request/response excerpt (credentials in it are masked before storage).
    pub excerpt: Option<String>,
}

impl CreateReport {
    /// The report as the browser's form would have sent it.
    fn into_draft(self, default_tz: &str) -> ReportDraft {
        let timezone = self.timezone.unwrap_or_else(|| default_tz.to_owned());
        let occurred = match app::domain::calendar::parse_tz(&timezone) {
            Ok(tz) => self
                .occurred_at
                .with_timezone(&tz)
                .format("%Y-%m-%dT%H:%M:%S")
                .to_string(),
            // An unknown zone is reported as such by the form's own validation.
            Err(_) => self.occurred_at.format("%Y-%m-%dT%H:%M:%S").to_string(),
        };
        ReportDraft {
            endpoint: self.endpoint,
            method: self.method,
            status: self.status.map(|s| s.to_string()).unwrap_or_default(),
            transport: self.transport.unwrap_or_default(),
            message: self.message,
            request_id: self.request_id.unwrap_or_default(),
            occurred_at: occurred,
            timezone,
            environment: self.environment.unwrap_or_else(|| "production".to_owned()),
            retries: self.retries.unwrap_or(0).to_string(),
            retry_interval: self
                .retry_interval_secs
                .map(|s| s.to_string())
                .unwrap_or_default(),
            description: self.description.unwrap_or_default(),
            excerpt: self.excerpt.unwrap_or_default(),
            retry_reason: self.retry_reason.unwrap_or_default(),
        }
    }
}

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    responses(
        (status = 200, description = "The token's owner", body = CurrentUser),
        (status = 401, description = "No valid token", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn me(caller: Caller) -> Json<CurrentUser> {
    Json(caller.0)
}

/// File a report. A client error is answered with guidance; a server error or no
/// response goes to support with a first-response due time (or joins a known incident
/// or maintenance window).
#[utoipa::path(post, path = "/api/v1/reports", tag = "reports", security(("bearer" = [])),
    request_body = CreateReport,
    responses(
        (status = 201, description = "Filed", body = ReportDetail,
            headers(("Location" = String, description = "The report's URL"))),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 401, description = "No valid token", body = AppError),
        (status = 413, description = "Body over 1 MiB", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "A field is wrong; `field` names it", body = AppError),
        (status = 429, description = "Over a rate limit", body = AppError),
    ))]
pub async fn create_report(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<CreateReport>,
) -> Result<Response> {
    let user = caller.at_least(Role::Developer)?;
    state.limits.check_user(Action::File, user.id)?;
    let draft = body.into_draft(&user.timezone);
    let filed = intake::file(&state, &user, &draft).await?;
    let detail = intake::detail(&state, &user, filed.id).await?;
    let location = format!("/api/v1/reports/{}", filed.id);
    let mut res = (StatusCode::CREATED, Json(detail)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// A page of reports: `before` is the `next_before` of the previous page.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Reports filed before this one (a report id).
    #[param(minimum = 1)]
    pub before: Option<i64>,
}

/// Your reports, newest first, 25 at a time.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page of reports", body = ReportPage),
        (status = 401, description = "No valid token", body = AppError),
        (status = 422, description = "A parameter is wrong", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn list_reports(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ReportPage>> {
    let user = caller.at_least(Role::Developer)?;
    Ok(Json(intake::my_reports(&state, &user, q.before).await?))
}

/// One of your reports (staff: any report). Someone else's report is a 404.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id", minimum = 1)),
    responses(
        (status = 200, description = "The report", body = ReportDetail),
        (status = 401, description = "No valid token", body = AppError),
        (status = 404, description = "No such report (or not yours)", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn get_report(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<Json<ReportDetail>> {
    let user = caller.at_least(Role::Developer)?;
    Ok(Json(intake::detail(&state, &user, id).await?))
}

/// The answer to the guidance of a client error.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Feedback {
    /// `solved` or `still_failing`.
    #[schema(example = "still_failing")]
    pub outcome: String,
    /// With `still_failing`: what you changed after reading the guidance (10+ characters).
    #[schema(example = "Refreshed the token; the call still gets 401.")]
    pub changed: Option<String>,
}

/// Answer the guidance: `solved` closes the report, `still_failing` escalates it to support.
#[utoipa::path(post, path = "/api/v1/reports/{id}/feedback", tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id", minimum = 1)),
    request_body = Feedback,
    responses(
        (status = 200, description = "Answered; the report now", body = ReportDetail),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 401, description = "No valid token", body = AppError),
        (status = 404, description = "No such report of yours", body = AppError),
        (status = 409, description = "Already answered, or not a client error", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "A field is wrong", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn report_feedback(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<Feedback>,
) -> Result<Json<ReportDetail>> {
    let user = caller.at_least(Role::Developer)?;
    intake::feedback(
        &state,
        &user,
        id,
        &body.outcome,
        body.changed.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(Json(intake::detail(&state, &user, id).await?))
}

/// A message.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Message {
    /// The text (up to 10,000 characters).
    #[schema(
        example = "Still failing after the fix.",
        min_length = 1,
        max_length = 10000
    )]
    pub body: String,
}

/// Reply on your ticket (a waiting or resolved one reopens).
#[utoipa::path(post, path = "/api/v1/reports/{id}/replies", tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id", minimum = 1)),
    request_body = Message,
    responses(
        (status = 201, description = "Replied; the report now", body = ReportDetail),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 401, description = "No valid token", body = AppError),
        (status = 404, description = "No such report of yours", body = AppError),
        (status = 409, description = "The report changed meanwhile", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "The body is empty, too long or the report takes no replies", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn reply_to_report(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<Message>,
) -> Result<(StatusCode, Json<ReportDetail>)> {
    let user = caller.at_least(Role::Developer)?;
    intake::reply(&state, &user, id, &body.body).await?;
    Ok((
        StatusCode::CREATED,
        Json(intake::detail(&state, &user, id).await?),
    ))
}

/// A statement that a failure is unrelated to the maintenance it fell in.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Statement {
    /// Why (10 to 2,000 characters).
    #[schema(example = "Other endpoints fail the same way, outside the window too.")]
    pub statement: String,
}

/// Say a failure during announced maintenance is unrelated: it goes to support.
#[utoipa::path(post, path = "/api/v1/reports/{id}/unrelated", tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id", minimum = 1)),
    request_body = Statement,
    responses(
        (status = 200, description = "Routed; the report now", body = ReportDetail),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 401, description = "No valid token", body = AppError),
        (status = 404, description = "No such report of yours", body = AppError),
        (status = 409, description = "The report is not waiting for this", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "The statement is too short or long", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn state_unrelated(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<Statement>,
) -> Result<Json<ReportDetail>> {
    let user = caller.at_least(Role::Developer)?;
    intake::unrelated(&state, &user, id, &body.statement).await?;
    Ok(Json(intake::detail(&state, &user, id).await?))
}

/// Follow the incident your report belongs to (updates by email when configured).
#[utoipa::path(post, path = "/api/v1/reports/{id}/follow", tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id", minimum = 1)),
    responses(
        (status = 204, description = "Following"),
        (status = 401, description = "No valid token", body = AppError),
        (status = 404, description = "No such report of yours, or it is in no incident", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn follow_incident(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<StatusCode> {
    let user = caller.at_least(Role::Developer)?;
    intake::follow_incident(&state, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Active and upcoming maintenance, in your timezone.
#[utoipa::path(get, path = "/api/v1/notices", tag = "notices", security(("bearer" = [])),
    responses(
        (status = 200, description = "Active and upcoming notices", body = Vec<NoticeView>),
        (status = 401, description = "No valid token", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn current_notices(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<NoticeView>>> {
    Ok(Json(
        maintenance::current(&state, &caller.0.timezone).await?,
    ))
}

/// Every recent notice with its history (staff).
#[utoipa::path(get, path = "/api/v1/notices/all", tag = "notices", security(("bearer" = [])),
    responses(
        (status = 200, description = "Recent notices", body = Vec<NoticeView>),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn all_notices(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<NoticeView>>> {
    let user = caller.at_least(Role::Agent)?;
    Ok(Json(maintenance::recent(&state, &user.timezone).await?))
}

/// A maintenance notice to publish or change.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    /// Headline.
    #[schema(example = "Database upgrade")]
    pub title: String,
    /// What happens and what to expect.
    #[schema(example = "Writes may fail for up to 10 minutes.")]
    pub details: String,
    /// Start (RFC 3339). Planned work starts at least 24 hours after publication.
    pub starts_at: DateTime<FixedOffset>,
    /// End (RFC 3339), after the start.
    pub ends_at: DateTime<FixedOffset>,
    /// Affected endpoint path prefixes (empty: the whole API).
    #[serde(default)]
    pub endpoints: Vec<String>,
    /// Emergency work, announced less than 24 hours ahead.
    #[serde(default)]
    pub emergency: bool,
    /// Email every developer (publishing only; needs SMTP configured).
    #[serde(default)]
    pub email: bool,
}

impl Notice {
    fn into_form(self) -> NoticeForm {
        let local = |t: DateTime<FixedOffset>| {
            t.with_timezone(&chrono::Utc)
                .format("%Y-%m-%dT%H:%M")
                .to_string()
        };
        NoticeForm {
            title: self.title,
            details: self.details,
            starts_at: local(self.starts_at),
            ends_at: local(self.ends_at),
            timezone: "UTC".to_owned(),
            endpoints: self.endpoints.join("\n"),
            emergency: if self.emergency { "on" } else { "" }.to_owned(),
            email: if self.email { "on" } else { "" }.to_owned(),
        }
    }
}

/// The id of what was created.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Created {
    /// Its id.
    pub id: i64,
}

/// Publish a maintenance notice (staff).
#[utoipa::path(post, path = "/api/v1/notices", tag = "notices", security(("bearer" = [])),
    request_body = Notice,
    responses(
        (status = 201, description = "Published", body = Created),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "A field is wrong (e.g. planned work starting within 24 hours)", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn publish_notice(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<Notice>,
) -> Result<(StatusCode, Json<Created>)> {
    let user = caller.at_least(Role::Agent)?;
    let id = maintenance::publish(&state, &user, &body.into_form()).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Change a notice (staff); moving the start within 24 hours needs `emergency`.
#[utoipa::path(put, path = "/api/v1/notices/{id}", tag = "notices", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Notice id", minimum = 1)),
    request_body = Notice,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such notice", body = AppError),
        (status = 409, description = "Over, cancelled, or changed meanwhile", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "A field is wrong", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn edit_notice(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<Notice>,
) -> Result<StatusCode> {
    let user = caller.at_least(Role::Agent)?;
    maintenance::edit(&state, &user, id, &body.into_form()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// End an active notice now (staff).
#[utoipa::path(post, path = "/api/v1/notices/{id}/end", tag = "notices", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Notice id", minimum = 1)),
    responses(
        (status = 204, description = "Ended"),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such notice", body = AppError),
        (status = 409, description = "Not active", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn end_notice(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<StatusCode> {
    let user = caller.at_least(Role::Agent)?;
    maintenance::stop(&state, &user, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Cancel a notice that has not ended (staff).
#[utoipa::path(post, path = "/api/v1/notices/{id}/cancel", tag = "notices", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Notice id", minimum = 1)),
    responses(
        (status = 204, description = "Cancelled"),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such notice", body = AppError),
        (status = 409, description = "Already over or cancelled", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn cancel_notice(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<StatusCode> {
    let user = caller.at_least(Role::Agent)?;
    maintenance::stop(&state, &user, id, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The queue's filters and cursor.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct QueueParams {
    /// `new`, `open`, `waiting`, `resolved` or `closed` (default: the active ones).
    pub status: Option<String>,
    /// `me`, `unassigned` or `anyone` (default).
    pub assignee: Option<String>,
    /// `client_error`, `server_error` or `transport_failure`.
    pub class: Option<String>,
    /// An endpoint path prefix.
    pub endpoint: Option<String>,
    /// Only tickets at risk (less than a quarter of the target left).
    pub at_risk: Option<bool>,
    /// Only breached tickets.
    pub breached: Option<bool>,
    /// The `next` cursor of the previous page.
    pub after: Option<String>,
}

/// The support queue, most urgent first (staff).
#[utoipa::path(get, path = "/api/v1/queue", tag = "queue", security(("bearer" = [])),
    params(QueueParams),
    responses(
        (status = 200, description = "A page of the queue", body = QueuePage),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 422, description = "A filter is wrong", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<QueueParams>,
) -> Result<Json<QueuePage>> {
    let user = caller.at_least(Role::Agent)?;
    let flag = |b: Option<bool>| if b == Some(true) { "1" } else { "" }.to_owned();
    let query = QueueQuery {
        status: p.status.unwrap_or_default(),
        assignee: p.assignee.unwrap_or_default(),
        class: p.class.unwrap_or_default(),
        endpoint: p.endpoint.unwrap_or_default(),
        at_risk: flag(p.at_risk),
        breached: flag(p.breached),
        after: p.after.unwrap_or_default(),
    };
    Ok(Json(work::queue(&state, &user, &query).await?))
}

/// A ticket with its whole timeline (staff).
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "queue", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket (report) id", minimum = 1)),
    responses(
        (status = 200, description = "The ticket", body = TicketView),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such ticket", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn get_ticket(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<Json<TicketView>> {
    let user = caller.at_least(Role::Agent)?;
    Ok(Json(work::ticket(&state, &user, id).await?))
}

/// Claim a ticket (staff): it is assigned to you, and a new one opens.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/claim", tag = "queue", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket id", minimum = 1)),
    responses(
        (status = 204, description = "Claimed"),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such ticket", body = AppError),
        (status = 409, description = "The ticket is closed", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn claim_ticket(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<StatusCode> {
    let user = caller.at_least(Role::Agent)?;
    work::assign(&state, &user, id, Some(user.id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Whom to assign a ticket to.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Assign {
    /// A staff member's account id; null unassigns.
    pub assignee_id: Option<i64>,
}

/// Assign (or unassign) a ticket (staff).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/assign", tag = "queue", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket id", minimum = 1)),
    request_body = Assign,
    responses(
        (status = 204, description = "Assigned"),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such ticket", body = AppError),
        (status = 409, description = "The ticket is closed", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "Not a staff member", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn assign_ticket(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<Assign>,
) -> Result<StatusCode> {
    let user = caller.at_least(Role::Agent)?;
    work::assign(&state, &user, id, body.assignee_id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A status to move to.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StatusChange {
    /// `open`, `waiting`, `resolved` or `closed`.
    #[schema(example = "waiting")]
    pub status: String,
}

/// Move a ticket to another status (staff); illegal moves say which are possible.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/status", tag = "queue", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket id", minimum = 1)),
    request_body = StatusChange,
    responses(
        (status = 204, description = "Moved"),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such ticket", body = AppError),
        (status = 409, description = "Already there, or changed meanwhile", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "Unknown status or an illegal move", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn change_status(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<StatusChange>,
) -> Result<StatusCode> {
    let user = caller.at_least(Role::Agent)?;
    let to = app::domain::ticket::TicketStatus::parse(body.status.trim())
        .ok_or_else(|| AppError::validation("status", "Unknown status."))?;
    work::change_status(&state, &user, id, to).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A staff message on a ticket.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StaffMessage {
    /// The text (up to 10,000 characters).
    #[schema(min_length = 1, max_length = 10000)]
    pub body: String,
    /// `public` (the developer sees it; the first one stops the clock) or `internal`.
    #[schema(example = "public")]
    pub visibility: String,
    /// A status to move the ticket to afterwards.
    pub then_status: Option<String>,
}

/// Reply publicly or add an internal note (staff), optionally moving the ticket on.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/messages", tag = "queue", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket id", minimum = 1)),
    request_body = StaffMessage,
    responses(
        (status = 201, description = "Posted; the ticket now", body = TicketView),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such ticket", body = AppError),
        (status = 409, description = "Closed, or changed meanwhile", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "A field is wrong", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn post_message(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<StaffMessage>,
) -> Result<(StatusCode, Json<TicketView>)> {
    let user = caller.at_least(Role::Agent)?;
    work::post_message(
        &state,
        &user,
        id,
        &body.body,
        &body.visibility,
        body.then_status.as_deref().unwrap_or(""),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(work::ticket(&state, &user, id).await?),
    ))
}

/// Take a report out of its incident (staff): it becomes a ticket of its own.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/move-out", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket id", minimum = 1)),
    responses(
        (status = 204, description = "Moved out"),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 409, description = "Not part of an incident", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn move_out_of_incident(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<StatusCode> {
    let user = caller.at_least(Role::Agent)?;
    outages::move_out(&state, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// An incident with its reports (staff).
#[utoipa::path(get, path = "/api/v1/incidents/{id}", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Incident id", minimum = 1)),
    responses(
        (status = 200, description = "The incident", body = IncidentView),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such incident", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn get_incident(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<Json<IncidentView>> {
    let user = caller.at_least(Role::Agent)?;
    Ok(Json(outages::view(&state, &user, id).await?))
}

/// How many reports an update reached.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Answered {
    /// Reports answered.
    pub reports: usize,
}

/// One public update for every report of the incident (staff).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/replies", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Incident id", minimum = 1)),
    request_body = Message,
    responses(
        (status = 201, description = "Sent", body = Answered),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such incident", body = AppError),
        (status = 409, description = "The incident is closed", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "The body is empty or too long", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn reply_incident(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<Message>,
) -> Result<(StatusCode, Json<Answered>)> {
    let user = caller.at_least(Role::Agent)?;
    let reports = outages::reply(&state, &user, id, &body.body).await?;
    Ok((StatusCode::CREATED, Json(Answered { reports })))
}

/// Resolve the incident and all its active reports (staff).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/resolve", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Incident id", minimum = 1)),
    responses(
        (status = 204, description = "Resolved"),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such incident", body = AppError),
        (status = 409, description = "Not open", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn resolve_incident(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<StatusCode> {
    let user = caller.at_least(Role::Agent)?;
    outages::resolve(&state, &user, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Which incident to merge into.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Merge {
    /// The incident that takes over the reports.
    pub into: i64,
}

/// Merge this incident into another (staff).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/merge", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Incident id", minimum = 1)),
    request_body = Merge,
    responses(
        (status = 204, description = "Merged"),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such incident", body = AppError),
        (status = 409, description = "Both must be open", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "Not another incident", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn merge_incident(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<Merge>,
) -> Result<StatusCode> {
    let user = caller.at_least(Role::Agent)?;
    outages::merge(&state, &user, id, body.into).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A date range (local days of the support timezone, both inclusive).
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct Range {
    /// First day, `YYYY-MM-DD` (default: 29 days before `to`).
    #[param(example = "2026-11-01")]
    pub from: Option<String>,
    /// Last day, `YYYY-MM-DD` (default: today).
    #[param(example = "2026-11-30")]
    pub to: Option<String>,
}

/// The SLA report's figures for a range (managers).
#[utoipa::path(get, path = "/api/v1/manager/report", tag = "manager", security(("bearer" = [])),
    params(Range),
    responses(
        (status = 200, description = "The figures", body = ManagerReport),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Managers only", body = AppError),
        (status = 422, description = "A date is wrong, reversed or the range over 366 days", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn manager_report(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(range): ApiQuery<Range>,
) -> Result<Json<ManagerReport>> {
    caller.at_least(Role::Manager)?;
    Ok(Json(
        manager_report::build(
            &state,
            range.from.as_deref().unwrap_or(""),
            range.to.as_deref().unwrap_or(""),
            &ReportTable::ALL,
            Some(BREACHES_SHOWN),
        )
        .await?,
    ))
}

/// One table of the SLA report as CSV (managers): `attainment.csv`, `breaches.csv`, …
#[utoipa::path(get, path = "/api/v1/manager/report/{table}", tag = "manager", security(("bearer" = [])),
    params(("table" = String, Path, description = "The table, e.g. `breaches.csv`"), Range),
    responses(
        (status = 200, description = "RFC 4180 CSV", content_type = "text/csv", body = String),
        (status = 401, description = "No valid token", body = AppError),
        (status = 403, description = "Managers only", body = AppError),
        (status = 404, description = "No such table", body = AppError),
        (status = 422, description = "A date is wrong", body = AppError),
        (status = 429, description = "Over the API rate limit", body = AppError),
    ))]
pub async fn manager_report_csv(
    State(state): State<AppState>,
    caller: Caller,
    Path(table): Path<String>,
    ApiQuery(range): ApiQuery<Range>,
) -> Result<Response> {
    caller.at_least(Role::Manager)?;
    let table = table
        .strip_suffix(".csv")
        .and_then(ReportTable::from_slug)
        .ok_or_else(|| AppError::not_found("report table"))?;
    let report = manager_report::build(
        &state,
        range.from.as_deref().unwrap_or(""),
        range.to.as_deref().unwrap_or(""),
        &[table],
        None,
    )
    .await?;
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        report.table(table).to_csv(),
    )
        .into_response())
}
