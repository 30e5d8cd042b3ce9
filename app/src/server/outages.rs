//! Working an incident: one public update for every report (each report's clock stops,
//! met or breached on its own), resolving them all, moving a report out, merging.

use super::{
    db::from_millis,
    error::stored,
    incidents,
    mail::{self, Mail},
    settings,
    state::AppState,
    work,
};
use crate::{
    domain::{sla::SlaStatus, ticket::TicketStatus, timefmt::format_local},
    error::AppError,
    wire::{
        auth::CurrentUser,
        incidents::{IncidentView, MemberView},
    },
};

/// An incident for staff.
pub async fn view(
    state: &AppState,
    viewer: &CurrentUser,
    id: i64,
) -> Result<IncidentView, AppError> {
    let inc = incidents::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("incident"))?;
    let tz = viewer.timezone.as_str();
    let members = incidents::members(&state.db, id)
        .await?
        .into_iter()
        .map(|m| {
            let sla = match (m.first_response_at, m.due_at) {
                (Some(r), Some(d)) if r <= d => SlaStatus::Met,
                (Some(_), Some(_)) => SlaStatus::MetLate,
                (None, Some(d)) if d < state.clock.now().timestamp_millis() => SlaStatus::Breached,
                _ => SlaStatus::OnTrack,
            };
            Ok(MemberView {
                id: m.id,
                reporter: m.reporter_email,
                endpoint: m.endpoint,
                status: stored(TicketStatus::parse(&m.status), "ticket status", &m.status)?,
                filed_local: format_local(from_millis(m.created_at), tz),
                due_local: m.due_at.map(|d| format_local(from_millis(d), tz)),
                sla: sla.label().to_owned(),
            })
        })
        .collect::<Result<_, AppError>>()?;
    let merge_into = incidents::open_floods(&state.db)
        .await?
        .into_iter()
        .filter(|o| o.id != id)
        .map(|o| {
            (
                o.id,
                format!("#{} {} ({} reports)", o.id, o.group_key, o.report_count),
            )
        })
        .collect();
    Ok(IncidentView {
        id: inc.id,
        title: inc.group_key,
        status: inc.status,
        report_count: inc.report_count,
        first_local: format_local(from_millis(inc.first_report_at), tz),
        last_local: format_local(from_millis(inc.last_report_at), tz),
        latest_update: inc.latest_update,
        latest_update_local: inc
            .latest_update_at
            .map(|t| format_local(from_millis(t), tz)),
        merged_into: inc.merged_into,
        members,
        merge_into,
    })
}

/// One public update delivered to every report of the incident, and mailed to its
/// followers, as one unit of work. A resolved or merged incident cannot be answered
/// (409), even when that happened a moment ago on another instance.
pub async fn reply(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    body: &str,
) -> Result<usize, AppError> {
    let body = work::message_body(body)?;
    let now = state.clock.now();
    let calendar = settings::load_calendar(&state.db).await?;
    let (author, mail) = (actor.id, state.options.mail_enabled);
    let answered = state
        .db
        .write(move |tx| {
            Box::pin(async move {
                incidents::lock(tx, id).await?;
                let inc = incidents::get_in(tx, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("incident"))?;
                if inc.status != "open" {
                    return Err(AppError::conflict("This incident is closed."));
                }
                let business: Vec<(i64, i64)> = incidents::open_members(tx, id)
                    .await?
                    .into_iter()
                    .map(|m| {
                        let routed = from_millis(m.routed_at.unwrap_or(m.created_at));
                        (m.id, calendar.business_seconds_between(routed, now))
                    })
                    .collect();
                let answered = incidents::reply(tx, id, author, &body, &business, now)
                    .await?
                    .ok_or_else(|| AppError::conflict("This incident is closed."))?;
                super::clocks::stop_next_reply(tx, &answered, now).await?;
                let followers = if mail {
                    incidents::follower_emails(tx, id).await?
                } else {
                    Vec::new()
                };
                let mails: Vec<Mail> = followers
                    .into_iter()
                    .map(|to| Mail {
                        to,
                        subject: format!("[Incident #{id}] Update: {}", inc.group_key),
                        body: format!(
                            "Support posted an update on incident #{id} ({}):\n\n{body}\n",
                            inc.group_key
                        ),
                    })
                    .collect();
                mail::enqueue(tx, &mails, now).await?;
                Ok(answered.len())
            })
        })
        .await?;
    tracing::debug!(incident = id, reports = answered, "incident update sent");
    Ok(answered)
}

/// Resolves the incident and its active reports.
pub async fn resolve(state: &AppState, actor: &CurrentUser, id: i64) -> Result<(), AppError> {
    let (actor, now) = (actor.id, state.clock.now());
    let calendar = settings::load_calendar(&state.db).await?;
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                incidents::lock(tx, id).await?;
                incidents::get_in(tx, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("incident"))?;
                let resolved = incidents::resolve(tx, id, actor, now)
                    .await?
                    .ok_or_else(|| AppError::conflict("This incident is not open."))?;
                super::clocks::after_status(tx, &calendar, &resolved, TicketStatus::Resolved, now)
                    .await?;
                Ok(())
            })
        })
        .await
}

/// Takes a report out of its incident.
pub async fn move_out(state: &AppState, actor: &CurrentUser, report: i64) -> Result<i64, AppError> {
    let (actor, now) = (actor.id, state.clock.now());
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                incidents::move_out(tx, report, actor, now)
                    .await?
                    .ok_or_else(|| AppError::conflict("This report is not part of an incident."))
            })
        })
        .await
}

/// Merges incident `from` into `into`.
pub async fn merge(
    state: &AppState,
    actor: &CurrentUser,
    from: i64,
    into: i64,
) -> Result<(), AppError> {
    let (actor, now) = (actor.id, state.clock.now());
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                incidents::get_in(tx, from)
                    .await?
                    .ok_or_else(|| AppError::not_found("incident"))?;
                incidents::get_in(tx, into).await?.ok_or_else(|| AppError {
                    field: Some("into".to_owned()),
                    ..AppError::not_found("incident to merge into")
                })?;
                if from == into {
                    return Err(AppError {
                        field: Some("into".to_owned()),
                        ..AppError::conflict("An incident cannot be merged into itself.")
                    });
                }
                incidents::merge(tx, from, into, actor, now)
                    .await?
                    .ok_or_else(|| {
                        AppError::conflict("Both incidents must be open to merge them.")
                    })?;
                Ok(())
            })
        })
        .await
}
