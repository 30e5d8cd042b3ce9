//! The handlers of `/api/v1`: who is asking → read the request → the same service
//! function the browser's server function calls → JSON.

use super::extract::{ApiError, ApiJson, ApiQuery, Caller, Id};
use super::requests::{
    notice_draft, Assign, CreateReport, CsvTable, GuidanceAnswer, ListQuery, Merge, Message,
    Notice, NoticeChange, Outcome, QueueParams, Range, StaffMessage, Statement, StatusChange,
    Visibility,
};
use app::{
    domain::role::Role,
    error::AppError,
    server::{intake, limits::Action, maintenance, manager_report, outages, state::AppState, work},
    wire::{
        auth::CurrentUser,
        incidents::IncidentView,
        manager::{ManagerReport, ReportTable, BREACHES_SHOWN},
        notices::NoticeView,
        queue::{QueuePage, TicketView},
        reports::{ReportDetail, ReportPage},
    },
};
use axum::{
    extract::{Path, State},
    http::{header, HeaderValue, StatusCode},
    response::{IntoResponse, Response},
    Json,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

type Result<T> = std::result::Result<T, ApiError>;

/// Who the token belongs to.
#[utoipa::path(get, path = "/api/v1/me", tag = "account", security(("bearer" = [])),
    responses(
        (status = 200, description = "The token's owner", body = CurrentUser),
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
    let (filed, detail) = intake::file_and_show(&state, &user, &draft).await?;
    let location = format!("/api/v1/reports/{}", filed.id);
    let mut res = (StatusCode::CREATED, Json(detail)).into_response();
    if let Ok(v) = HeaderValue::from_str(&location) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

/// Your reports, newest first, 25 at a time.
#[utoipa::path(get, path = "/api/v1/reports", tag = "reports", security(("bearer" = [])),
    params(ListQuery),
    responses(
        (status = 200, description = "A page of reports", body = ReportPage),
        (status = 422, description = "A parameter is wrong", body = AppError),
    ))]
pub async fn list_reports(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(q): ApiQuery<ListQuery>,
) -> Result<Json<ReportPage>> {
    let user = caller.at_least(Role::Developer)?;
    if q.before.is_some_and(|b| b < 1) {
        return Err(AppError::validation("before", "`before` is a report id (1 or more).").into());
    }
    Ok(Json(intake::my_reports(&state, &user, q.before).await?))
}

/// One of your reports (staff: any report). Someone else's report is a 404.
#[utoipa::path(get, path = "/api/v1/reports/{id}", tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id", minimum = 1)),
    responses(
        (status = 200, description = "The report", body = ReportDetail),
        (status = 404, description = "No such report (or not yours)", body = AppError),
    ))]
pub async fn get_report(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
) -> Result<Json<ReportDetail>> {
    let user = caller.at_least(Role::Developer)?;
    Ok(Json(intake::detail(&state, &user, id).await?))
}

/// Answer the guidance: `solved` closes the report, `still_failing` escalates it to support.
#[utoipa::path(post, path = "/api/v1/reports/{id}/feedback", tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id", minimum = 1)),
    request_body = GuidanceAnswer,
    responses(
        (status = 200, description = "Answered; the report now", body = ReportDetail),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 404, description = "No such report of yours", body = AppError),
        (status = 409, description = "Already answered, or not a client error", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "A field is wrong", body = AppError),
    ))]
pub async fn report_feedback(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<GuidanceAnswer>,
) -> Result<Json<ReportDetail>> {
    let user = caller.at_least(Role::Developer)?;
    let outcome = match body.outcome {
        Outcome::Solved => "solved",
        Outcome::StillFailing => "still_failing",
    };
    intake::feedback(
        &state,
        &user,
        id,
        outcome,
        body.changed.as_deref().unwrap_or(""),
    )
    .await?;
    Ok(Json(intake::detail(&state, &user, id).await?))
}

/// Reply on your ticket (a waiting or resolved one reopens).
#[utoipa::path(post, path = "/api/v1/reports/{id}/replies", tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id", minimum = 1)),
    request_body = Message,
    responses(
        (status = 201, description = "Replied; the report now", body = ReportDetail),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 404, description = "No such report of yours", body = AppError),
        (status = 409, description = "The report changed meanwhile", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "The body is empty, too long or the report takes no replies", body = AppError),
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

/// Say a failure during announced maintenance is unrelated: it goes to support.
#[utoipa::path(post, path = "/api/v1/reports/{id}/unrelated", tag = "reports", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Report id", minimum = 1)),
    request_body = Statement,
    responses(
        (status = 200, description = "Routed; the report now", body = ReportDetail),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 404, description = "No such report of yours", body = AppError),
        (status = 409, description = "The report is not waiting for this", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "The statement is too short or long", body = AppError),
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
        (status = 404, description = "No such report of yours, or it is in no incident", body = AppError),
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
        (status = 403, description = "Staff only", body = AppError),
    ))]
pub async fn all_notices(
    State(state): State<AppState>,
    caller: Caller,
) -> Result<Json<Vec<NoticeView>>> {
    let user = caller.at_least(Role::Agent)?;
    Ok(Json(maintenance::recent(&state, &user.timezone).await?))
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
        (status = 403, description = "Staff only", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "A field is wrong (e.g. planned work starting within 24 hours)", body = AppError),
    ))]
pub async fn publish_notice(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(body): ApiJson<Notice>,
) -> Result<(StatusCode, Json<Created>)> {
    let user = caller.at_least(Role::Agent)?;
    let draft = notice_draft(
        &body.title,
        &body.details,
        body.starts_at,
        body.ends_at,
        &body.endpoints,
        body.emergency,
    )
    .map_err(AppError::from)?;
    let id = maintenance::publish_draft(&state, &user, draft, body.email).await?;
    Ok((StatusCode::CREATED, Json(Created { id })))
}

/// Change a notice (staff); moving the start within 24 hours needs `emergency`.
#[utoipa::path(put, path = "/api/v1/notices/{id}", tag = "notices", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Notice id", minimum = 1)),
    request_body = NoticeChange,
    responses(
        (status = 204, description = "Changed"),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such notice", body = AppError),
        (status = 409, description = "Over, cancelled, or changed meanwhile", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "A field is wrong", body = AppError),
    ))]
pub async fn edit_notice(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<NoticeChange>,
) -> Result<StatusCode> {
    let user = caller.at_least(Role::Agent)?;
    let draft = notice_draft(
        &body.title,
        &body.details,
        body.starts_at,
        body.ends_at,
        &body.endpoints,
        body.emergency,
    )
    .map_err(AppError::from)?;
    maintenance::edit_draft(&state, &user, id, draft).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// End an active notice now (staff).
#[utoipa::path(post, path = "/api/v1/notices/{id}/end", tag = "notices", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Notice id", minimum = 1)),
    responses(
        (status = 204, description = "Ended"),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such notice", body = AppError),
        (status = 409, description = "Not active", body = AppError),
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
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such notice", body = AppError),
        (status = 409, description = "Already over or cancelled", body = AppError),
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

/// The support queue, most urgent first (staff).
#[utoipa::path(get, path = "/api/v1/queue", tag = "queue", security(("bearer" = [])),
    params(QueueParams),
    responses(
        (status = 200, description = "A page of the queue", body = QueuePage),
        (status = 403, description = "Staff only", body = AppError),
        (status = 422, description = "A filter is wrong", body = AppError),
    ))]
pub async fn queue(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<QueueParams>,
) -> Result<Json<QueuePage>> {
    let user = caller.at_least(Role::Agent)?;
    let query = p.into_query()?;
    Ok(Json(work::queue(&state, &user, &query).await?))
}

/// A ticket with its whole timeline (staff).
#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "queue", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket (report) id", minimum = 1)),
    responses(
        (status = 200, description = "The ticket", body = TicketView),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such ticket", body = AppError),
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
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such ticket", body = AppError),
        (status = 409, description = "The ticket is closed", body = AppError),
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

/// Assign (or unassign) a ticket (staff).
#[utoipa::path(post, path = "/api/v1/tickets/{id}/assign", tag = "queue", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket id", minimum = 1)),
    request_body = Assign,
    responses(
        (status = 204, description = "Assigned"),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such ticket", body = AppError),
        (status = 409, description = "The ticket is closed", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "Not a staff member", body = AppError),
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

/// Move a ticket to another status (staff); illegal moves say which are possible.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/status", tag = "queue", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket id", minimum = 1)),
    request_body = StatusChange,
    responses(
        (status = 204, description = "Moved"),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such ticket", body = AppError),
        (status = 409, description = "Already there, or changed meanwhile", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "Unknown status or an illegal move", body = AppError),
    ))]
pub async fn change_status(
    State(state): State<AppState>,
    caller: Caller,
    Id(id): Id,
    ApiJson(body): ApiJson<StatusChange>,
) -> Result<StatusCode> {
    let user = caller.at_least(Role::Agent)?;
    work::change_status(&state, &user, id, body.status.into()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Reply publicly or add an internal note (staff), optionally moving the ticket on.
#[utoipa::path(post, path = "/api/v1/tickets/{id}/messages", tag = "queue", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Ticket id", minimum = 1)),
    request_body = StaffMessage,
    responses(
        (status = 201, description = "Posted; the ticket now", body = TicketView),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such ticket", body = AppError),
        (status = 409, description = "Closed, or changed meanwhile", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "A field is wrong", body = AppError),
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
        match body.visibility {
            Visibility::Public => "public",
            Visibility::Internal => "internal",
        },
        body.then_status
            .map(|m| app::domain::ticket::TicketStatus::from(m).as_str())
            .unwrap_or(""),
        // The API posts as asked; crossing replies are a browser's concern.
        None,
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
        (status = 403, description = "Staff only", body = AppError),
        (status = 409, description = "Not part of an incident", body = AppError),
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
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such incident", body = AppError),
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
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such incident", body = AppError),
        (status = 409, description = "The incident is closed", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "The body is empty or too long", body = AppError),
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
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such incident", body = AppError),
        (status = 409, description = "Not open", body = AppError),
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

/// Merge this incident into another (staff).
#[utoipa::path(post, path = "/api/v1/incidents/{id}/merge", tag = "incidents", security(("bearer" = [])),
    params(("id" = i64, Path, description = "Incident id", minimum = 1)),
    request_body = Merge,
    responses(
        (status = 204, description = "Merged"),
        (status = 400, description = "Not JSON", body = AppError),
        (status = 403, description = "Staff only", body = AppError),
        (status = 404, description = "No such incident", body = AppError),
        (status = 409, description = "Both must be open", body = AppError),
        (status = 415, description = "Not sent as application/json", body = AppError),
        (status = 422, description = "Not another incident", body = AppError),
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

/// The SLA report's figures for a range (managers).
#[utoipa::path(get, path = "/api/v1/manager/report", tag = "manager", security(("bearer" = [])),
    params(Range),
    responses(
        (status = 200, description = "The figures", body = ManagerReport),
        (status = 403, description = "Managers only", body = AppError),
        (status = 422, description = "A date is wrong, reversed or the range over 366 days", body = AppError),
    ))]
pub async fn manager_report(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(range): ApiQuery<Range>,
) -> Result<Json<ManagerReport>> {
    caller.at_least(Role::Manager)?;
    let (from, to) = range.days()?;
    Ok(Json(
        manager_report::build(&state, from, to, &ReportTable::ALL, Some(BREACHES_SHOWN)).await?,
    ))
}

/// One table of the SLA report as CSV (managers): `attainment.csv`, `breaches.csv`, …
#[utoipa::path(get, path = "/api/v1/manager/report/{table}", tag = "manager", security(("bearer" = [])),
    params(("table" = CsvTable, Path, description = "The table"), Range),
    responses(
        (status = 200, description = "RFC 4180 CSV", content_type = "text/csv", body = String),
        (status = 403, description = "Managers only", body = AppError),
        (status = 404, description = "No such table", body = AppError),
        (status = 422, description = "A date is wrong", body = AppError),
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
    let (from, to) = range.days()?;
    let report = manager_report::build(&state, from, to, &[table], None).await?;
    Ok((
        [(header::CONTENT_TYPE, "text/csv; charset=utf-8")],
        report.table(table).to_csv(),
    )
        .into_response())
}
