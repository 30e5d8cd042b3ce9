//! Report intake: the decisions made when a developer files a report or answers the
//! guidance. Shared by the server functions and the JSON API.

use super::{
    guidance,
    incidents::IncidentSnapshot,
    reports::{self, Filed, NewReport, ReportRow, SlaStart},
    settings,
    state::AppState,
};
use crate::domain::text::TextRule;
use crate::{
    domain::{
        calendar::BusinessCalendar,
        incidents::group_key,
        retry,
        scrub::scrub,
        sla::{sla_state, SlaClock, SlaStatus},
        sla_policy::SlaPolicy,
        status::FailureClass,
        ticket::{Disposition, Feedback, Priority, TicketStatus},
        timefmt::format_local,
        validation::ReportDraft,
    },
    error::AppError,
    wire::{
        auth::CurrentUser,
        reports::{IncidentBrief, MessageView, NoticeBrief, ReportDetail, ReportSummary, SlaView},
    },
};
use chrono::{DateTime, Utc};

/// Validates, scrubs, classifies and stores a report. Everything but the insert is
/// worked out here, from in-memory copies of the calendar, the guidance rules and the
/// notices; the insert itself is batched with concurrent filings by the writer.
pub async fn file(
    state: &AppState,
    user: &CurrentUser,
    draft: &ReportDraft,
) -> Result<Filed, AppError> {
    let (new, _) = prepare(state, user, draft).await?;
    store(state, new).await
}

/// Files a report like [`file`] and answers it as its reporter sees it, from what was
/// stored (nothing is read back: the store tells what it added — id, incident,
/// re-contact — and the rest was decided here).
pub async fn file_and_show(
    state: &AppState,
    user: &CurrentUser,
    draft: &ReportDraft,
) -> Result<(Filed, ReportDetail), AppError> {
    let (new, notice) = prepare(state, user, draft).await?;
    let filed = store(state, new.clone()).await?;
    let row = new.stored_row(&filed);
    // Whether the reporter follows the incident was read with the claim, unless other
    // developers' reports joined it in the same batch.
    let incident = match &filed.incident {
        Some(i) => Some((
            i.clone(),
            match i.reporter_follows {
                Some(follows) => follows,
                None => super::incidents::is_following(&state.db, i.id, user.id).await?,
            },
        )),
        None => None,
    };
    let related = Related {
        history: vec![reports::EventRow {
            kind: "filed".to_owned(),
            detail: new.filed_detail,
            actor: Some(user.email.clone()),
            actor_role: Some(user.role.as_str().to_owned()),
            created_at: row.created_at,
        }],
        messages: Vec::new(),
        notice,
        incident,
    };
    let detail = assemble(state, user, row, related).await?;
    Ok((filed, detail))
}

async fn store(state: &AppState, new: NewReport) -> Result<Filed, AppError> {
    let (class, disposition) = (new.class.clone(), new.disposition.clone());
    let filed = state.db.writer().file(new).await?;
    tracing::debug!(
        report = filed.id,
        class = class.as_str(),
        disposition = disposition.as_str(),
        "report filed"
    );
    Ok(filed)
}

/// Everything a filing decides before the insert: the report to store, and the
/// maintenance notice it falls under.
async fn prepare(
    state: &AppState,
    user: &CurrentUser,
    draft: &ReportDraft,
) -> Result<(NewReport, Option<super::notices::NoticeRow>), AppError> {
    let now = state.clock.now();
    let valid = draft.validate(now)?;
    let class = valid.failure.class();

    let template = valid.endpoint.template();
    let code = valid.failure.status_code().map(i64::from);
    let verdict = retry::assess(class, &valid.retry);

    let calendar = settings::load_calendar(&state.db).await?;
    let created_day = now
        .with_timezone(&calendar.timezone())
        .date_naive()
        .format("%Y-%m-%d")
        .to_string();
    // A failure inside an announced maintenance window is linked to the notice.
    let notice = notice_covering(state, valid.endpoint.as_str(), valid.occurred_at).await?;
    let notice_id = notice.as_ref().map(|n| n.id);
    let (disposition, feedback, status, guidance_slug, sla) = match class {
        FailureClass::ClientError => {
            let catalogue = guidance::catalogue(&state.db).await?;
            let slug = catalogue
                .choose(code.unwrap_or_default() as u16, &valid.message)
                .map(|a| (a.slug.clone(), a.version));
            (
                Disposition::Deflected,
                Some(Feedback::Pending),
                TicketStatus::AwaitingFeedback,
                slug,
                None,
            )
        }
        FailureClass::ServerError | FailureClass::TransportFailure if notice_id.is_some() => (
            Disposition::Maintenance,
            Some(Feedback::Pending),
            TicketStatus::AwaitingFeedback,
            None,
            None,
        ),
        FailureClass::ServerError | FailureClass::TransportFailure => {
            let policy = super::sla_policy::current(&state.db).await?;
            let sla = start_clock(&calendar, &policy, Priority::Normal, now);
            (
                Disposition::Routed,
                None,
                TicketStatus::New,
                None,
                Some(sla),
            )
        }
    };
    let incident = (disposition == Disposition::Routed).then(|| {
        (
            group_key(valid.method, &valid.endpoint, valid.failure),
            state.options.incident_window.num_milliseconds(),
        )
    });

    let new = NewReport {
        reporter_id: user.id,
        endpoint: valid.endpoint.as_str().to_owned(),
        endpoint_template: template,
        method: valid.method.as_str().to_owned(),
        status_code: code,
        transport: valid.failure.transport().map(|t| t.as_str().to_owned()),
        class: class.as_str().to_owned(),
        message: valid.message.clone(),
        request_id: valid.request_id.clone(),
        occurred_at: valid.occurred_at,
        reporter_timezone: valid.timezone.name().to_owned(),
        environment: valid.environment.as_str().to_owned(),
        retries: i64::from(valid.retry.retries()),
        retry_interval_secs: valid.retry.interval_secs().map(i64::from),
        retry_followed: verdict.followed(),
        retry_reason: valid.retry_reason.clone(),
        description: valid.description.clone(),
        excerpt: valid.excerpt.clone(),
        token_fingerprints: valid.fingerprints.join(","),
        guidance_slug: guidance_slug.as_ref().map(|(slug, _)| slug.clone()),
        guidance_version: guidance_slug.map(|(_, version)| version),
        disposition: disposition.as_str().to_owned(),
        feedback: feedback.map(|f| f.as_str().to_owned()),
        status: status.as_str().to_owned(),
        priority: Priority::Normal.as_str().to_owned(),
        created_at: now,
        created_day,
        sla,
        notice_id,
        incident,
        filed_detail: format!("{}: {}", class.label(), disposition.label()),
        is_ticket: disposition.is_ticket(),
    };
    Ok((new, notice))
}

/// The maintenance notice (not cancelled) whose window and endpoints cover a failure.
pub async fn notice_covering(
    state: &AppState,
    endpoint: &str,
    at: DateTime<Utc>,
) -> Result<Option<super::notices::NoticeRow>, AppError> {
    Ok(state
        .db
        .hub()
        .caches
        .notices_at(&state.db, at, state.clock.now())
        .await?
        .into_iter()
        .find(|n| crate::domain::notices::covers_endpoint(&n.prefixes(), endpoint)))
}

/// Starts a ticket's clocks now: first response (the policy's target for the priority)
/// and resolution, a day being the current calendar's standard business day. The
/// first-response due time and at-risk instant are fixed from here on; the resolution
/// clock's move only by the time it is paused.
pub fn start_clock(
    calendar: &BusinessCalendar,
    policy: &SlaPolicy,
    priority: Priority,
    now: DateTime<Utc>,
) -> SlaStart {
    let target_minutes = policy.target(priority).minutes_on(calendar);
    let resolution_target_minutes = policy.resolution.minutes_on(calendar);
    let resolution = crate::domain::sla::PausableClock::start(
        calendar,
        now,
        resolution_target_minutes,
        policy.at_risk_after(resolution_target_minutes),
    );
    SlaStart {
        routed_at: now,
        target_minutes,
        due_at: calendar.add_business_minutes(now, target_minutes),
        at_risk_at: calendar.add_business_minutes(now, policy.at_risk_after(target_minutes)),
        resolution_target_minutes,
        resolution_due_at: resolution.due_at,
        resolution_at_risk_at: resolution.at_risk_at,
        resolution_pauses: policy.pause_when_waiting,
    }
}

/// The developer's answer to guidance: "solved" closes the report, "still_failing"
/// (with what they changed) escalates it into the queue. One unit of work: the report
/// is read and changed in the same transaction, and a concurrent second answer gets 409.
pub async fn feedback(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    outcome: &str,
    changed: &str,
) -> Result<(), AppError> {
    enum Answer {
        Solved,
        StillFailing(String),
    }
    let answer = match outcome {
        "solved" => {
            // Not kept, but checked when given (one rule for what is sent).
            if !changed.is_empty() {
                TextRule { min: 0, ..CHANGED }.check(changed)?;
            }
            Answer::Solved
        }
        "still_failing" => {
            let changed = CHANGED.check(changed)?;
            Answer::StillFailing(scrub(&changed).text)
        }
        _ => {
            return Err(AppError::validation(
                "outcome",
                "Choose “this solved it” or “still failing”.",
            ))
        }
    };
    let now = state.clock.now();
    let calendar = settings::load_calendar(&state.db).await?;
    let policy = super::sla_policy::current(&state.db).await?;
    let sla = start_clock(&calendar, &policy, Priority::Low, now);
    let reporter = user.id;
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let row = reports::get_in(tx, id)
                    .await?
                    .filter(|r| r.reporter_id == reporter)
                    .ok_or_else(|| AppError::not_found("report"))?;
                if row.disposition()? != Disposition::Deflected
                    || row.feedback()? != Some(Feedback::Pending)
                {
                    return Err(AppError::conflict("This report has already been answered."));
                }
                let changed = match &answer {
                    Answer::Solved => reports::mark_self_solved(tx, id, reporter, now).await?,
                    Answer::StillFailing(note) => {
                        reports::escalate(tx, id, reporter, note, sla, now).await?
                    }
                };
                if !changed {
                    return Err(AppError::conflict("This report has already been answered."));
                }
                Ok(())
            })
        })
        .await
}

/// "503 Service Unavailable" or "No response: timeout".
pub fn failure_label(code: Option<i64>, transport: Option<&str>) -> String {
    match (code, transport) {
        (Some(code), _) => {
            let phrase = crate::domain::status::HttpStatus::parse(&code.to_string())
                .map(|s| s.reason_phrase().to_owned())
                .unwrap_or_default();
            format!("{code} {phrase}").trim().to_owned()
        }
        (None, Some(t)) => {
            let label = crate::domain::status::TransportKind::parse(t)
                .map(|k| k.label().to_owned())
                .unwrap_or_else(|_| t.to_owned());
            format!("No response: {label}")
        }
        (None, None) => "Unknown".to_owned(),
    }
}

/// A report's list entry, with times in `tz`.
pub fn summary(r: &ReportRow, tz: &str) -> Result<ReportSummary, AppError> {
    let failure = failure_label(r.status_code, r.transport.as_deref());
    Ok(ReportSummary {
        id: r.id,
        endpoint: r.endpoint.clone(),
        method: r.method.clone(),
        failure,
        class: r.class()?,
        disposition: r.disposition()?,
        status: r.status()?,
        filed_at: super::db::from_millis(r.created_at),
        filed_local: format_local(super::db::from_millis(r.created_at), tz),
        due_local: r
            .due_at
            .map(|d| format_local(super::db::from_millis(d), tz)),
    })
}

/// History entries only staff see: internal notes and (un)assignments.
const STAFF_ONLY_EVENTS: [&str; 2] = ["internal_note", "assigned"];

/// How staff appear to developers.
pub const SUPPORT_NAME: &str = "Support";

/// What a developer changed after the guidance, when it still fails.
pub const CHANGED: TextRule = TextRule::new("changed", "What you changed", 10, 2_000).too_short(
    "Tell support what you changed after reading the guidance (at least 10 characters).",
);

/// Why a failure during maintenance is unrelated to it.
pub const STATEMENT: TextRule = TextRule::new("statement", "The statement", 10, 2_000)
    .too_short("Say why this failure is unrelated to the maintenance (10 to 2,000 characters).");

/// One report for `viewer`: its reporter or staff; anyone else gets 404.
pub async fn detail(
    state: &AppState,
    viewer: &CurrentUser,
    id: i64,
) -> Result<ReportDetail, AppError> {
    let row = reports::get(&state.db, id)
        .await?
        .filter(|r| r.reporter_id == viewer.id || viewer.role.is_staff())
        .ok_or_else(|| AppError::not_found("report"))?;
    let notice = match row.notice_id {
        Some(n) => super::notices::get(&state.db, n).await?,
        None => None,
    };
    let incident = match row.incident_id {
        Some(i) => match super::incidents::get(&state.db, i).await? {
            Some(inc) => {
                let following =
                    super::incidents::is_following(&state.db, inc.id, viewer.id).await?;
                Some((IncidentSnapshot::of(&inc), following))
            }
            None => None,
        },
        None => None,
    };
    let related = Related {
        history: reports::events(&state.db, id).await?,
        messages: super::tickets::messages(&state.db, id, false).await?,
        notice,
        incident,
    };
    assemble(state, viewer, row, related).await
}

/// What a report's page shows besides the report's own row.
struct Related {
    history: Vec<reports::EventRow>,
    messages: Vec<super::tickets::MessageRow>,
    notice: Option<super::notices::NoticeRow>,
    /// The incident it belongs to, and whether the viewer follows it.
    incident: Option<(IncidentSnapshot, bool)>,
}

/// A report as `viewer` sees it, from its row and what relates to it (the guidance
/// article and the calendar come from their in-memory copies).
async fn assemble(
    state: &AppState,
    viewer: &CurrentUser,
    row: ReportRow,
    related: Related,
) -> Result<ReportDetail, AppError> {
    use super::db::from_millis;
    let tz = viewer.timezone.as_str();
    let guidance = match &row.guidance_slug {
        Some(slug) => guidance::shown(&state.db, slug, row.guidance_version.unwrap_or(1)).await?,
        None => None,
    };
    let sla = match (row.due_at, row.sla_target_minutes, row.routed_at) {
        (Some(due), Some(target), Some(routed)) => {
            let calendar = settings::load_calendar(&state.db).await?;
            let clock = SlaClock {
                created_at: from_millis(routed),
                due_at: from_millis(due),
                target_minutes: target,
                first_response_at: row.first_response_at.map(from_millis),
                at_risk_at: row.at_risk_at.map(from_millis),
            };
            let st = sla_state(&calendar, &clock, state.clock.now());
            Some(SlaView {
                due_at: clock.due_at,
                due_local: format_local(clock.due_at, tz),
                target: target_label(target, calendar.standard_day_minutes()),
                state: sla_label(st.status).to_owned(),
                responded_local: clock.first_response_at.map(|t| format_local(t, tz)),
            })
        }
        _ => None,
    };
    // Developers see what happened to their report, not how support works it: no
    // internal notes, no assignments, and staff only as "Support".
    let staff = viewer.role.is_staff();
    let history = related
        .history
        .into_iter()
        .filter(|e| staff || !STAFF_ONLY_EVENTS.contains(&e.kind.as_str()))
        .map(|e| {
            if staff {
                e.into_view(tz)
            } else {
                e.into_developer_view(tz)
            }
        })
        .collect();
    let is_client = row.class()? == FailureClass::ClientError;
    let status = row.status()?;
    let feedback = row.feedback()?;
    let notice = related.notice.map(|n| NoticeBrief {
        id: n.id,
        window_local: format!(
            "{} – {}",
            format_local(from_millis(n.starts_at), tz),
            format_local(from_millis(n.ends_at), tz)
        ),
        title: n.title,
        details: n.details,
        emergency: n.emergency,
    });
    let incident = related.incident.map(|(inc, following)| IncidentBrief {
        id: inc.id,
        report_count: inc.report_count,
        open: inc.status == "open",
        latest_update_local: inc
            .latest_update_at
            .map(|t| format_local(from_millis(t), tz)),
        latest_update: inc.latest_update,
        following,
    });
    let messages = related
        .messages
        .into_iter()
        .map(|m| {
            let from_support = m.author_role != "developer";
            MessageView {
                from_support,
                // Developers see staff by their display name, or as "Support".
                author: if from_support && !staff {
                    m.author_display_name
                        .map_or_else(|| SUPPORT_NAME.to_owned(), |n| format!("{n} (Support)"))
                } else {
                    m.author_email
                },
                at_local: format_local(from_millis(m.created_at), tz),
                body: m.body,
            }
        })
        .collect();
    let can_state_unrelated = row.reporter_id == viewer.id
        && row.disposition()? == Disposition::Maintenance
        && feedback == Some(Feedback::Pending);
    Ok(ReportDetail {
        notice,
        incident,
        unrelated_statement: row.unrelated_statement.clone(),
        can_state_unrelated,
        can_reply: row.reporter_id == viewer.id
            && crate::domain::workflow::status_after_developer_reply(status).is_ok(),
        messages,
        summary: summary(&row, tz)?,
        occurred_at: from_millis(row.occurred_at),
        occurred_local: format!(
            "{} ({})",
            format_local(from_millis(row.occurred_at), &row.reporter_timezone),
            row.reporter_timezone
        ),
        environment: crate::domain::validation::Environment::parse(&row.environment)
            .map(|e| e.label().to_owned())
            .unwrap_or_else(|_| row.environment.clone()),
        retry_followed: (!is_client).then_some(row.retry_followed),
        token_fingerprints: row
            .token_fingerprints
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
            .collect(),
        feedback,
        viewer_is_reporter: row.reporter_id == viewer.id,
        message: row.message,
        request_id: row.request_id,
        retries: row.retries,
        retry_interval_secs: row.retry_interval_secs,
        retry_reason: row.retry_reason,
        description: row.description,
        excerpt: row.excerpt,
        guidance,
        escalation_note: row.escalation_note,
        recontact: row.recontact,
        sla,
        history,
    })
}

fn target_label(target_minutes: i64, day_minutes: i64) -> String {
    let hours = target_minutes as f64 / 60.0;
    let days = if day_minutes > 0 {
        target_minutes / day_minutes
    } else {
        0
    };
    let hours = if hours.fract() == 0.0 {
        format!("{hours:.0}")
    } else {
        format!("{hours:.1}")
    };
    match days {
        1 => format!("1 business day ({hours} business hours)"),
        n if n > 1 => format!("{n} business days ({hours} business hours)"),
        _ => format!("{hours} business hours"),
    }
}

fn sla_label(s: SlaStatus) -> &'static str {
    match s {
        SlaStatus::OnTrack => "On track",
        SlaStatus::AtRisk => "At risk",
        SlaStatus::Breached => "Breached",
        SlaStatus::Met => "Met",
        SlaStatus::MetLate => "Answered late (breached)",
    }
}

/// A developer's reply on their own ticket; it reopens a waiting or resolved one.
pub async fn reply(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    body: &str,
) -> Result<(), AppError> {
    let body = super::work::message_body(body)?;
    let (reporter, now) = (user.id, state.clock.now());
    let calendar = settings::load_calendar(&state.db).await?;
    let policy = super::sla_policy::current(&state.db).await?;
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let row = reports::get_in(tx, id)
                    .await?
                    .filter(|r| r.reporter_id == reporter)
                    .ok_or_else(|| AppError::not_found("report"))?;
                if let Some(incident) = row.incident_id {
                    super::incidents::lock(tx, incident).await?;
                }
                let from = row.status()?;
                let to = crate::domain::workflow::status_after_developer_reply(from)
                    .map_err(super::work::illegal_move)?;
                if !super::tickets::post_developer_reply(tx, id, reporter, &body, from, to, now)
                    .await?
                {
                    return Err(AppError::conflict(
                        "This report changed meanwhile. Reload and try again.",
                    ));
                }
                if from != to {
                    super::clocks::after_status(tx, &calendar, &[id], to, now).await?;
                }
                super::clocks::developer_replied(tx, &calendar, &policy, id, now).await?;
                super::incidents::refresh_after_status(tx, row.incident_id, from, to).await?;
                Ok(())
            })
        })
        .await
}

/// A maintenance-window report the developer says is unrelated: routed now.
pub async fn unrelated(
    state: &AppState,
    user: &CurrentUser,
    id: i64,
    statement: &str,
) -> Result<(), AppError> {
    let statement = STATEMENT.check(statement)?;
    let statement = scrub(&statement).text;
    let now = state.clock.now();
    let calendar = settings::load_calendar(&state.db).await?;
    let policy = super::sla_policy::current(&state.db).await?;
    let sla = start_clock(&calendar, &policy, Priority::Normal, now);
    let window = state.options.incident_window.num_milliseconds();
    let reporter = user.id;
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let row = reports::get_in(tx, id)
                    .await?
                    .filter(|r| r.reporter_id == reporter)
                    .ok_or_else(|| AppError::not_found("report"))?;
                if row.disposition()? != Disposition::Maintenance
                    || row.feedback()? != Some(Feedback::Pending)
                {
                    return Err(AppError::conflict(
                        "This report is not waiting for that answer.",
                    ));
                }
                let (method, endpoint, failure) = (
                    crate::domain::method::HttpMethod::parse(&row.method)?,
                    crate::domain::endpoint::Endpoint::parse(&row.endpoint)?,
                    crate::domain::status::Failure::parse(
                        &row.status_code.map(|c| c.to_string()).unwrap_or_default(),
                        row.transport.as_deref().unwrap_or(""),
                    )?,
                );
                let key = group_key(method, &endpoint, failure);
                reports::route_unrelated(tx, id, reporter, &statement, sla, (&key, window), now)
                    .await?
                    .ok_or_else(|| {
                        AppError::conflict("This report changed meanwhile. Reload and try again.")
                    })?;
                Ok(())
            })
        })
        .await
}

/// Follows the incident of one's own report (updates by email, when configured).
pub async fn follow_incident(
    state: &AppState,
    user: &CurrentUser,
    report: i64,
) -> Result<(), AppError> {
    let (reporter, now) = (user.id, state.clock.now());
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let incident = reports::get_in(tx, report)
                    .await?
                    .filter(|r| r.reporter_id == reporter)
                    .and_then(|r| r.incident_id)
                    .ok_or_else(|| AppError::not_found("incident"))?;
                super::incidents::follow(tx, incident, reporter, now).await?;
                Ok(())
            })
        })
        .await
}

/// A page of `user`'s reports, newest first, before report `before` (keyset).
pub async fn my_reports(
    state: &AppState,
    user: &CurrentUser,
    before: Option<i64>,
) -> Result<crate::wire::reports::ReportPage, AppError> {
    use crate::wire::reports::PAGE_SIZE;
    let rows = reports::list_for_reporter(&state.db, user.id, before, PAGE_SIZE + 1).await?;
    let more = rows.len() as i64 > PAGE_SIZE;
    let reports: Vec<ReportSummary> = rows
        .iter()
        .take(PAGE_SIZE as usize)
        .map(|r| summary(r, &user.timezone))
        .collect::<Result<_, _>>()?;
    let next_before = more.then(|| reports.last().map(|r| r.id)).flatten();
    Ok(crate::wire::reports::ReportPage {
        reports,
        next_before,
    })
}
