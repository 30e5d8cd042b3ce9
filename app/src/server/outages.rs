//! Working an incident: one public update for every report (each report's clock stops,
//! met or breached on its own), resolving them all, moving a report out, merging.

use super::{
    db::from_millis,
    incidents,
    mail::{self, Mail},
    settings,
    state::AppState,
    work,
};
use crate::{
    api::{
        auth::CurrentUser,
        incidents::{IncidentView, MemberView},
    },
    domain::{sla::SlaStatus, ticket::TicketStatus, timefmt::format_local},
    error::AppError,
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
            MemberView {
                id: m.id,
                reporter: m.reporter_email,
                endpoint: m.endpoint,
                status: TicketStatus::parse(&m.status).unwrap_or(TicketStatus::New),
                filed_local: format_local(from_millis(m.created_at), tz),
                due_local: m.due_at.map(|d| format_local(from_millis(d), tz)),
                sla: sla.label().to_owned(),
            }
        })
        .collect();
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

/// One public update delivered to every report of the incident.
pub async fn reply(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    body: &str,
) -> Result<usize, AppError> {
    let inc = incidents::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("incident"))?;
    if inc.status != "open" {
        return Err(AppError::conflict("This incident is closed."));
    }
    let body = work::message_body(body, "body")?;
    let now = state.clock.now();
    let calendar = settings::load_calendar(&state.db).await?;
    let business: Vec<(i64, i64)> = incidents::members(&state.db, id)
        .await?
        .into_iter()
        .map(|m| {
            (
                m.id,
                calendar.business_seconds_between(
                    from_millis(m.routed_at.unwrap_or(m.created_at)),
                    now,
                ),
            )
        })
        .collect();
    let answered = incidents::reply(&state.db, id, actor.id, &body, &business, now).await?;
    tracing::info!(
        incident = id,
        reports = answered.len(),
        "incident update sent"
    );
    let followers = incidents::follower_emails(&state.db, id).await?;
    if state.options.mail_enabled && !followers.is_empty() {
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
        mail::enqueue(&state.db, &mails, now).await?;
        state.mail_wake.notify_one();
    }
    for report in &answered {
        state.events.publish(&state.db, *report, "updated").await;
    }
    Ok(answered.len())
}

/// Resolves the incident and its active reports.
pub async fn resolve(state: &AppState, actor: &CurrentUser, id: i64) -> Result<(), AppError> {
    incidents::get(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("incident"))?;
    let resolved = incidents::resolve(&state.db, id, actor.id, state.clock.now()).await?;
    if resolved.is_empty()
        && incidents::get(&state.db, id)
            .await?
            .is_some_and(|i| i.status != "resolved")
    {
        return Err(AppError::conflict("This incident is not open."));
    }
    for report in resolved {
        state.events.publish(&state.db, report, "updated").await;
    }
    Ok(())
}

/// Takes a report out of its incident.
pub async fn move_out(state: &AppState, actor: &CurrentUser, report: i64) -> Result<i64, AppError> {
    let incident = incidents::move_out(&state.db, report, actor.id, state.clock.now())
        .await?
        .ok_or_else(|| AppError::conflict("This report is not part of an incident."))?;
    state.events.publish(&state.db, report, "updated").await;
    Ok(incident)
}

/// Merges incident `from` into `into`.
pub async fn merge(
    state: &AppState,
    actor: &CurrentUser,
    from: i64,
    into: i64,
) -> Result<(), AppError> {
    if from == into {
        return Err(AppError::validation(
            "into",
            "Choose another incident to merge into.",
        ));
    }
    incidents::get(&state.db, into)
        .await?
        .ok_or_else(|| AppError::validation("into", "No such incident."))?;
    if !incidents::merge(&state.db, from, into, actor.id, state.clock.now()).await? {
        return Err(AppError::conflict(
            "Both incidents must be open to merge them.",
        ));
    }
    state.events.publish(&state.db, from, "updated").await;
    Ok(())
}
