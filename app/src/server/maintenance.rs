//! Publishing and changing maintenance notices: the 24-hour rule, the history, and the
//! optional announcement email to every developer.

use super::{
    mail::{self, Mail},
    notices::{self, NoticeRow},
    state::AppState,
};
use crate::{
    domain::{
        calendar::parse_tz,
        notices::NoticeDraft,
        timefmt::{datetime_local_value, format_local},
    },
    error::AppError,
    wire::{
        auth::CurrentUser,
        notices::{NoticeForm, NoticeView},
        reports::EventView,
    },
};
use chrono::{DateTime, NaiveDateTime, Utc};

/// Reads the form: local start and end times in the given timezone.
pub fn parse_form(f: &NoticeForm) -> Result<NoticeDraft, AppError> {
    let tz = parse_tz(&f.timezone)?;
    let local = |field: &str, s: &str| -> Result<DateTime<Utc>, AppError> {
        let naive = NaiveDateTime::parse_from_str(s.trim(), "%Y-%m-%dT%H:%M").map_err(|_| {
            AppError::validation(field, "Give a date and time, e.g. 2026-12-01T02:00.")
        })?;
        naive
            .and_local_timezone(tz)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
            .ok_or_else(|| {
                AppError::validation(
                    field,
                    "That local time does not exist (clocks change then).",
                )
            })
    };
    let starts = local("starts_at", &f.starts_at)?;
    let ends = local("ends_at", &f.ends_at)?;
    Ok(NoticeDraft::new(
        &f.title,
        &f.details,
        starts,
        ends,
        &f.endpoints,
        f.emergency == "on",
    )?)
}

/// Publishes a notice; with `f.email == "on"` every developer is emailed. The notice
/// and its mail are one unit of work: both are stored, or neither.
pub async fn publish(
    state: &AppState,
    actor: &CurrentUser,
    f: &NoticeForm,
) -> Result<i64, AppError> {
    publish_draft(state, actor, parse_form(f)?, f.email == "on").await
}

/// [`publish`] of a checked draft (the JSON API's door).
pub async fn publish_draft(
    state: &AppState,
    actor: &CurrentUser,
    draft: NoticeDraft,
    wants_mail: bool,
) -> Result<i64, AppError> {
    let now = state.clock.now();
    draft.check_lead_time(now)?;
    if wants_mail && !state.options.mail_enabled {
        return Err(AppError::validation(
            "email",
            "Email is not configured on this server (FAULTDESK_SMTP_URL).",
        ));
    }
    let actor = actor.id;
    let emergency = draft.emergency;
    let id = state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let id = notices::insert(tx, &draft, actor, now).await?;
                if wants_mail {
                    let mails: Vec<Mail> = notices::developer_recipients(tx)
                        .await?
                        .into_iter()
                        .map(|(to, tz)| announcement(&draft, &to, &tz))
                        .collect();
                    mail::enqueue(tx, &mails, now).await?;
                }
                Ok(id)
            })
        })
        .await?;
    tracing::info!(notice = id, emergency, "maintenance notice published");
    Ok(id)
}

fn announcement(d: &NoticeDraft, to: &str, tz: &str) -> Mail {
    let kind = if d.emergency {
        "Emergency maintenance"
    } else {
        "Planned maintenance"
    };
    let scope = if d.prefixes.is_empty() {
        "the whole API".to_owned()
    } else {
        d.prefixes.join(", ")
    };
    Mail {
        to: to.to_owned(),
        subject: format!("[{kind}] {}", d.title),
        body: format!(
            "{kind}: {}\n\nWhen: {} to {}\nAffected: {scope}\n\n{}\n\nRequests to the affected endpoints may fail during this window. \
             You do not need to report those failures.\n",
            d.title,
            format_local(d.starts_at, tz),
            format_local(d.ends_at, tz),
            d.details
        ),
    }
}

/// Edits a notice; moving the start closer than 24 hours turns the rule on again.
pub async fn edit(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    f: &NoticeForm,
) -> Result<(), AppError> {
    edit_draft(state, actor, id, parse_form(f)?).await
}

/// [`edit`] with a checked draft (the JSON API's door).
pub async fn edit_draft(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    after: NoticeDraft,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let (actor, tz) = (actor.id, actor.timezone.clone());
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let row = notices::get_in(tx, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("notice"))?;
                if row.cancelled_at.is_some() || row.ends_at <= now.timestamp_millis() {
                    return Err(AppError::conflict(
                        "This notice is over or cancelled; publish a new one.",
                    ));
                }
                let before = row.draft();
                after.check_edit(&before, now)?;
                let detail = describe_change(&before, &after, &tz);
                if !notices::update(tx, id, &after, &detail, row.updated_at, actor, now).await? {
                    return Err(AppError::conflict(
                        "This notice changed meanwhile. Reload and try again.",
                    ));
                }
                Ok(())
            })
        })
        .await
}

fn describe_change(a: &NoticeDraft, b: &NoticeDraft, tz: &str) -> String {
    let mut parts = Vec::new();
    if a.title != b.title {
        parts.push(format!("title “{}” → “{}”", a.title, b.title));
    }
    if a.starts_at != b.starts_at {
        parts.push(format!(
            "start {} → {}",
            format_local(a.starts_at, tz),
            format_local(b.starts_at, tz)
        ));
    }
    if a.ends_at != b.ends_at {
        parts.push(format!(
            "end {} → {}",
            format_local(a.ends_at, tz),
            format_local(b.ends_at, tz)
        ));
    }
    if a.prefixes != b.prefixes {
        parts.push("affected endpoints".to_owned());
    }
    if a.details != b.details {
        parts.push("details".to_owned());
    }
    if a.emergency != b.emergency {
        parts.push(if b.emergency {
            "marked emergency".to_owned()
        } else {
            "no longer emergency".to_owned()
        });
    }
    if parts.is_empty() {
        "no change".to_owned()
    } else {
        parts.join("; ")
    }
}

/// Ends an active notice now (`cancel == false`) or cancels one that has not ended.
pub async fn stop(
    state: &AppState,
    actor: &CurrentUser,
    id: i64,
    cancel: bool,
) -> Result<(), AppError> {
    let (actor, now) = (actor.id, state.clock.now());
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                notices::get_in(tx, id)
                    .await?
                    .ok_or_else(|| AppError::not_found("notice"))?;
                if !notices::stop(tx, id, cancel, actor, now).await? {
                    let what = if cancel {
                        "cancelled: it is already over or cancelled"
                    } else {
                        "ended early: it is not active"
                    };
                    return Err(AppError::conflict(format!("This notice cannot be {what}.")));
                }
                Ok(())
            })
        })
        .await
}

/// A notice for display in `tz`, with its history when `history` is given.
pub fn view(n: NoticeRow, tz: &str, now: DateTime<Utc>, history: Vec<EventView>) -> NoticeView {
    let (starts, ends) = (
        super::db::from_millis(n.starts_at),
        super::db::from_millis(n.ends_at),
    );
    let state = if n.cancelled_at.is_some() {
        "cancelled"
    } else if ends <= now {
        "ended"
    } else if starts <= now {
        "active"
    } else {
        "upcoming"
    };
    NoticeView {
        id: n.id,
        endpoints: n.prefixes(),
        title: n.title,
        details: n.details,
        starts_local: format_local(starts, tz),
        ends_local: format_local(ends, tz),
        starts_value: datetime_local_value(starts, tz),
        ends_value: datetime_local_value(ends, tz),
        emergency: n.emergency,
        state: state.to_owned(),
        history,
    }
}

/// Active and upcoming notices, in `tz`.
pub async fn current(state: &AppState, tz: &str) -> Result<Vec<NoticeView>, AppError> {
    let now = state.clock.now();
    Ok(state
        .db
        .hub()
        .caches
        .current_notices(&state.db, now)
        .await?
        .into_iter()
        .map(|n| view(n, tz, now, Vec::new()))
        .collect())
}

/// The latest notices of any state with their histories, for staff, in `tz`.
pub async fn recent(state: &AppState, tz: &str) -> Result<Vec<NoticeView>, AppError> {
    let now = state.clock.now();
    let recent = notices::recent(&state.db).await?;
    let ids: Vec<i64> = recent.iter().map(|n| n.id).collect();
    let mut histories = notices::events_of(&state.db, &ids).await?;
    Ok(recent
        .into_iter()
        .map(|n| {
            let history = histories
                .remove(&n.id)
                .unwrap_or_default()
                .into_iter()
                .map(|e| e.into_view(tz))
                .collect();
            view(n, tz, now, history)
        })
        .collect())
}
