//! Working the queue: the decisions behind the staff server functions (and the JSON
//! API), kept out of them so they stay thin.

use super::{
    db::from_millis,
    error::stored,
    intake, reports, settings,
    state::AppState,
    tickets::{self, AssigneeFilter, QueueFilter, QueueRow, Visibility},
    users,
};
use crate::domain::text::TextRule;
use crate::{
    domain::{
        status::FailureClass,
        ticket::{Priority, TicketStatus},
        timefmt::format_local,
        windows::{ClockInstants, OpenWindows},
        workflow,
    },
    error::AppError,
    wire::{
        auth::CurrentUser,
        queue::{
            IncidentBadge, QueueItem, QueuePage, QueueQuery, TicketView, TimelineEntry,
            QUEUE_PAGE_SIZE,
        },
    },
};
use chrono::{DateTime, Duration, Utc};

/// The longest message accepted, in characters.
pub const MAX_MESSAGE_CHARS: usize = 10_000;

/// Opening hours for countdowns: from a month back (overdue tickets count their overrun)
/// to a month ahead (the longest low-priority target fits comfortably).
pub fn windows_around(
    calendar: &crate::domain::calendar::BusinessCalendar,
    now: DateTime<Utc>,
) -> OpenWindows {
    OpenWindows::of(calendar, now - Duration::days(31), now + Duration::days(31))
}

/// The longest endpoint filter, in characters.
pub const MAX_ENDPOINT_FILTER_CHARS: usize = 512;

/// The shape of a queue page cursor (`<due ms>.<id>`), as a JSON Schema pattern.
pub const CURSOR_PATTERN: &str = "^-?[0-9]{1,18}\\.-?[0-9]{1,18}$";

/// Reads a cursor made by [`QueuePage`](crate::wire::queue::QueuePage)'s `next`:
/// exactly [`CURSOR_PATTERN`].
fn parse_cursor(s: &str) -> Option<(i64, i64)> {
    let number = |p: &str| {
        let digits = p.strip_prefix('-').unwrap_or(p);
        (!digits.is_empty() && digits.len() <= 18 && digits.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<i64>().ok())
            .flatten()
    };
    let (due, id) = s.split_once('.')?;
    Some((number(due)?, number(id)?))
}

/// Parses the queue's query string into a store filter.
pub fn parse_query(q: &QueueQuery, viewer: &CurrentUser) -> Result<QueueFilter, AppError> {
    let statuses = match q.status.trim() {
        "" | "active" => vec![],
        s => vec![TicketStatus::parse(s)
            .filter(|s| *s != TicketStatus::AwaitingFeedback)
            .ok_or_else(|| AppError::validation("status", "Unknown status."))?],
    };
    let assignee = match q.assignee.trim() {
        "" | "anyone" => AssigneeFilter::Anyone,
        "me" => AssigneeFilter::User(viewer.id),
        "unassigned" => AssigneeFilter::Unassigned,
        _ => {
            return Err(AppError::validation(
                "assignee",
                "Choose me, unassigned or anyone.",
            ))
        }
    };
    let class = match q.class.trim() {
        "" => None,
        s => Some(
            FailureClass::parse(s).map_err(|_| AppError::validation("class", "Unknown class."))?,
        ),
    };
    if q.endpoint.chars().count() > MAX_ENDPOINT_FILTER_CHARS {
        return Err(AppError::validation(
            "endpoint",
            "Keep the endpoint filter under 512 characters.",
        ));
    }
    let endpoint = q.endpoint.trim();
    let after = match q.after.as_str() {
        "" => None,
        s => Some(parse_cursor(s).ok_or_else(|| {
            AppError::validation(
                "after",
                "Bad page cursor: pass the `next` of the previous page.",
            )
        })?),
    };
    Ok(QueueFilter {
        statuses,
        assignee,
        class,
        endpoint_prefix: (!endpoint.is_empty()).then(|| endpoint.to_owned()),
        at_risk: q.at_risk == "1",
        breached: q.breached == "1",
        after,
        limit: QUEUE_PAGE_SIZE,
    })
}

fn failure_text(code: Option<i64>, transport: Option<&str>) -> String {
    intake::failure_label(code, transport)
}

/// A queue row as the UI sees it.
pub fn item(r: &QueueRow, tz: &str) -> Result<QueueItem, AppError> {
    Ok(QueueItem {
        id: r.id,
        request: format!("{} {}", r.method, r.endpoint),
        failure: failure_text(r.status_code, r.transport.as_deref()),
        class: stored(
            FailureClass::parse(&r.class).ok(),
            "failure class",
            &r.class,
        )?,
        status: r.status()?,
        priority: stored(Priority::parse(&r.priority), "priority", &r.priority)?,
        assignee: r.assignee_email.clone(),
        reporter: r.reporter_email.clone(),
        due_local: format_local(from_millis(r.due_at), tz),
        clock: ClockInstants {
            due_ms: r.due_at,
            at_risk_ms: r.at_risk_at,
            responded_ms: r.first_response_at,
            paused: None,
        },
        next_reply: r.next_reply_due_at.map(|due| ClockInstants {
            due_ms: due,
            at_risk_ms: r.next_reply_at_risk_at,
            responded_ms: None,
            paused: None,
        }),
        resolution: r.resolution.instants(),
        incident: match (r.incident_id, r.incident_reports) {
            (Some(id), Some(count)) if count > 1 => Some(IncidentBadge {
                id,
                report_count: count,
                first_local: format_local(
                    from_millis(r.incident_first_at.unwrap_or(r.created_at)),
                    tz,
                ),
                last_local: format_local(
                    from_millis(r.incident_last_at.unwrap_or(r.created_at)),
                    tz,
                ),
            }),
            _ => None,
        },
    })
}

/// A page of the queue.
pub async fn queue(
    state: &AppState,
    viewer: &CurrentUser,
    q: &QueueQuery,
) -> Result<QueuePage, AppError> {
    let filter = parse_query(q, viewer)?;
    let now = state.clock.now();
    let rows = tickets::queue_page(&state.db, &filter, now).await?;
    let calendar = settings::load_calendar(&state.db).await?;
    let next = (rows.len() as i64 == filter.limit)
        .then(|| rows.last().map(|r| format!("{}.{}", r.due_at, r.id)))
        .flatten();
    Ok(QueuePage {
        items: rows
            .iter()
            .map(|r| item(r, &viewer.timezone))
            .collect::<Result<_, _>>()?,
        next,
        now_ms: now.timestamp_millis(),
        windows: windows_around(&calendar, now),
    })
}

/// A ticket (a routed or escalated report) for staff, or 404.
pub async fn ticket(
    state: &AppState,
    viewer: &CurrentUser,
    id: i64,
) -> Result<TicketView, AppError> {
    let row = tickets::queue_row(&state.db, id)
        .await?
        .ok_or_else(|| AppError::not_found("ticket"))?;
    let report = intake::detail(state, viewer, id).await?;
    let now = state.clock.now();
    let calendar = settings::load_calendar(&state.db).await?;
    let status = row.status()?;
    let next_statuses = TicketStatus::ALL
        .into_iter()
        .filter(|to| workflow::check_transition(status, *to).is_ok())
        .collect();
    let tz = viewer.timezone.as_str();
    let mut timeline: Vec<(i64, TimelineEntry)> = reports::events(&state.db, id)
        .await?
        .into_iter()
        .filter(|e| {
            !matches!(
                e.kind.as_str(),
                "public_reply" | "internal_note" | "developer_reply"
            )
        })
        .map(|e| {
            (
                e.created_at,
                TimelineEntry {
                    kind: e.kind,
                    actor: e.actor.unwrap_or_else(|| "Faultdesk".to_owned()),
                    at_local: format_local(from_millis(e.created_at), tz),
                    detail: e.detail,
                    body: None,
                },
            )
        })
        .collect();
    let messages = tickets::messages(&state.db, id, true).await?;
    let last_message_id = messages.iter().map(|m| m.id).max().unwrap_or(0);
    for m in messages {
        let kind = match (m.visibility.as_str(), m.author_role.as_str()) {
            ("internal", _) => "internal_note",
            (_, "developer") => "developer_reply",
            _ => "public_reply",
        };
        timeline.push((
            m.created_at,
            TimelineEntry {
                kind: kind.to_owned(),
                actor: m.author_email,
                at_local: format_local(from_millis(m.created_at), tz),
                detail: String::new(),
                body: Some(m.body),
            },
        ));
    }
    timeline.sort_by_key(|(at, _)| *at);
    let clock_notes = clock_notes(state, &row, &calendar, now, tz).await?;
    Ok(TicketView {
        clock_notes,
        last_message_id,
        item: item(&row, tz)?,
        report,
        assignee_id: row.assignee_id,
        next_statuses,
        timeline: timeline.into_iter().map(|(_, e)| e).collect(),
        now_ms: now.timestamp_millis(),
        windows: windows_around(&calendar, now),
    })
}

/// What a ticket's next-reply and resolution clocks came to, for its page.
async fn clock_notes(
    state: &AppState,
    row: &QueueRow,
    calendar: &crate::domain::calendar::BusinessCalendar,
    now: DateTime<Utc>,
    tz: &str,
) -> Result<Vec<String>, AppError> {
    use crate::domain::sla::format_business_duration;
    let mut notes = Vec::new();
    for n in super::clocks::next_replies(&state.db, row.id).await? {
        let started = format_local(from_millis(n.started_at), tz);
        let due = format_local(from_millis(n.due_at), tz);
        notes.push(match (n.stopped_at, n.breached) {
            (None, _) => format!("Next reply owed since {started}, due {due}."),
            (Some(at), false) => format!(
                "Next reply owed since {started}: answered in time ({}).",
                format_local(from_millis(at), tz)
            ),
            (Some(at), true) => format!(
                "Next reply owed since {started}: answered late ({}, due {due}).",
                format_local(from_millis(at), tz)
            ),
        });
    }
    let r = &row.resolution;
    if let (Some(target), Some(clock)) = (r.resolution_target_minutes, r.clock()) {
        let target = format_business_duration(target * 60);
        let paused = if r.resolution_paused_secs > 0 {
            format!(
                "; {} paused while waiting on the developer",
                format_business_duration(r.resolution_paused_secs)
            )
        } else {
            String::new()
        };
        let left = clock.left_secs(calendar, now);
        notes.push(
            match (
                r.resolved_at,
                r.resolution_breached || clock.is_overdue(now),
            ) {
                (Some(_), false) => format!(
                    "Resolved within its {target} target ({} to spare{paused}).",
                    format_business_duration(left)
                ),
                (Some(_), true) => format!("Resolved after its {target} target{paused}."),
                (None, _) if r.paused() => format!(
                    "Resolution ({target} target) paused while waiting on the developer{paused}."
                ),
                (None, _) => format!("Resolution target {target}{paused}."),
            },
        );
    }
    Ok(notes)
}

/// Assigns (or unassigns, with `None`) a ticket.
pub async fn assign(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    to: Option<i64>,
) -> Result<(), AppError> {
    let assignee = match to {
        Some(uid) => {
            let u = users::find_by_id(&state.db, uid)
                .await?
                .filter(|u| u.role().is_ok_and(|r| r.is_staff()))
                .ok_or_else(|| AppError {
                    field: Some("assignee".to_owned()),
                    ..AppError::with_status(
                        404,
                        "No such support staff member: tickets are assigned to staff.",
                    )
                })?;
            Some((u.id, u.email))
        }
        None => None,
    };
    let (actor, now) = (actor.id, state.clock.now());
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                if tickets::assign(tx, id, actor, assignee, now).await? {
                    return Ok(());
                }
                Err(match tickets::queue_row_in(tx, id).await? {
                    Some(_) => AppError::conflict("This ticket is closed."),
                    None => AppError::not_found("ticket"),
                })
            })
        })
        .await
}

/// Moves a ticket to `to` if the workflow allows it from its current status; a move
/// that lost a race with another one gets 409.
pub async fn change_status(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    to: TicketStatus,
) -> Result<(), AppError> {
    let (actor, now) = (actor.id, state.clock.now());
    let calendar = settings::load_calendar(&state.db).await?;
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let row = tickets::queue_row_in(tx, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("ticket"))?;
                if let Some(incident) = row.incident_id {
                    super::incidents::lock(tx, incident).await?;
                }
                let from = row.status()?;
                if from == to {
                    // Most often the same move made twice at once (two agents, a
                    // double click): the second lost the race.
                    return Err(AppError::conflict(format!(
                        "This ticket is already “{}”.",
                        to.label()
                    )));
                }
                workflow::check_transition(from, to).map_err(illegal_move)?;
                if !tickets::set_status(tx, id, actor, from, to, now).await? {
                    return Err(AppError::conflict(
                        "Someone changed this ticket meanwhile. Reload and try again.",
                    ));
                }
                super::clocks::after_status(tx, &calendar, &[id], to, now).await?;
                super::incidents::refresh_after_status(tx, row.incident_id, from, to).await?;
                Ok(())
            })
        })
        .await
}

/// A move the workflow does not allow from the ticket's status: a conflict with the
/// ticket's state (409), naming the field and the moves that are possible.
pub(crate) fn illegal_move(e: crate::domain::error::FieldError) -> AppError {
    AppError {
        field: Some(e.field),
        ..AppError::conflict(e.message)
    }
}

/// The rule for a message body (replies, notes, incident updates).
pub const MESSAGE_BODY: TextRule =
    TextRule::new("body", "The message", 1, MAX_MESSAGE_CHARS).too_short("Write a message first.");

/// Checks a message body ([`MESSAGE_BODY`]) and masks the secrets in it.
pub fn message_body(body: &str) -> Result<String, AppError> {
    Ok(crate::domain::scrub::scrub(&MESSAGE_BODY.check(body)?).text)
}

/// A staff message, then optionally a status change, as one unit of work: the
/// ticket's status is read inside the transaction and the change is guarded, so a
/// concurrent move makes the whole action fail with 409 (nothing is stored).
pub async fn post_message(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    body: &str,
    visibility: &str,
    then_status: &str,
    seen: Option<i64>,
) -> Result<(), AppError> {
    let visibility = match visibility {
        "public" => Visibility::Public,
        "internal" => Visibility::Internal,
        _ => {
            return Err(AppError::validation(
                "visibility",
                "Choose a public reply or an internal note.",
            ))
        }
    };
    let body = message_body(body)?;
    let then = match then_status.trim() {
        "" => None,
        s => Some(
            TicketStatus::parse(s)
                .ok_or_else(|| AppError::validation("then_status", "Unknown status."))?,
        ),
    };
    let now = state.clock.now();
    let calendar = settings::load_calendar(&state.db).await?;
    let author = actor.id;
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let row = tickets::queue_row_in(tx, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("ticket"))?;
                if let Some(incident) = row.incident_id {
                    super::incidents::lock(tx, incident).await?;
                }
                let current = row.status()?;
                if !workflow::accepts_staff_messages(current) {
                    return Err(AppError::conflict("This ticket is closed."));
                }
                // Two agents answering at once: the second is told before posting.
                if let (Visibility::Public, Some(seen)) = (visibility, seen) {
                    if let Some(who) = tickets::public_reply_since(tx, id, seen, author).await? {
                        return Err(AppError {
                            field: Some("confirm".to_owned()),
                            ..AppError::conflict(format!(
                                "{who} replied to the developer meanwhile: read it in the \
                                 timeline below. Press Send again to post your reply as well."
                            ))
                        });
                    }
                }
                // A public reply opens a new ticket; check the requested follow-up
                // status against that before storing anything.
                let after_post = if visibility == Visibility::Public {
                    workflow::status_after_claim(current)
                } else {
                    current
                };
                let then = match then {
                    Some(to) if to != after_post => {
                        workflow::check_transition(after_post, to).map_err(illegal_move)?;
                        Some(to)
                    }
                    _ => None,
                };
                let routed = from_millis(row.routed_at.unwrap_or(row.created_at));
                let message = tickets::StaffMessage {
                    report_id: id,
                    author,
                    visibility,
                    body: &body,
                    business_secs_so_far: calendar.business_seconds_between(routed, now),
                };
                let posted = tickets::post_staff_message(tx, &message, now).await?;
                if posted.stopped_clock {
                    tracing::debug!(ticket = id, breached = posted.breached, "first response");
                }
                if let Some(to) = then {
                    if !tickets::set_status(tx, id, author, after_post, to, now).await? {
                        return Err(AppError::conflict(
                            "Someone changed this ticket meanwhile. Reload and try again.",
                        ));
                    }
                    super::clocks::after_status(tx, &calendar, &[id], to, now).await?;
                }
                let now_status = then.unwrap_or(after_post);
                super::incidents::refresh_after_status(tx, row.incident_id, current, now_status)
                    .await?;
                Ok(())
            })
        })
        .await
}
