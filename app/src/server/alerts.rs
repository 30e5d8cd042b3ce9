//! SLA alerts (PRODUCT §5): when one of a ticket's clocks (first response, next reply,
//! resolution) goes at risk and when it breaches, the assignee (or, unassigned, the staff who opted in) is told on their
//! bell and by email, exactly once per ticket, clock and event, however many instances
//! run; and managers get a daily digest of breaches at the desk's opening.
//!
//! **The schedule is durable.** A clock's alert instants are stored with it (the
//! first-response clock's `at_risk_at` and `due_at`, fixed when it starts; the
//! resolution clock's, moved only by a pause; a next-reply clock's row), and a stage
//! column says which one is next. Two partial indexes per clock hold exactly the clocks
//! whose next alert is still to come (migrations 0012 and 0014), so a poll reads the
//! due rows and nothing else. A paused or stopped clock is outside them. Every instance
//! polls; a poll that finds something due claims it in one unit of work through the
//! writer: the stage moves on, the alert, the notifications and the outbox mail are
//! recorded, all in one transaction. On PostgreSQL the claim locks its rows with
//! `FOR UPDATE SKIP LOCKED`, so instances racing for the same tickets split them and
//! never take one twice; on SQLite the one writer serialises claims. A killed instance's
//! transaction rolls back and its tickets are claimed by the next poll anywhere. The
//! unique key on `sla_alerts` refuses a second alert whatever happens. A clock that
//! stopped (first public reply, resolved, folded into an incident) has left the index
//! in its own transaction, so no alert is ever sent for it.

use super::{
    db::{active_status, from_millis, millis, on_db, on_tx, Db, Tx},
    mail::{self, Mail},
    state::AppState,
};
use crate::{
    domain::{calendar::BusinessCalendar, role::Role, sla::alert_delivery, timefmt::format_local},
    error::AppError,
    wire::alerts::{AlertPreferences, NotificationView, Notifications},
};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;

/// The first-response clock's name in `sla_alerts`.
pub const FIRST_RESPONSE: &str = "first_response";

/// Tickets claimed per clock and event per unit of work.
const BATCH: i64 = 200;

/// The clocks alerts are about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// First public reply (stored with the report).
    FirstResponse,
    /// Resolution (stored with the report; not while paused or stopped).
    Resolution,
    /// A next-reply clock (its own table, one row per developer reply owed an answer).
    NextReply,
}

impl Clock {
    const ALL: [Clock; 3] = [Clock::FirstResponse, Clock::NextReply, Clock::Resolution];

    /// Where its schedule lives: table, stage column, at-risk and due columns, the
    /// report's id column, and what "running" means (the schedule indexes' predicate,
    /// repeated word for word so both engines use them; migrations 0012 and 0014).
    fn schedule(
        self,
    ) -> (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ) {
        match self {
            Clock::FirstResponse => (
                "reports",
                "sla_alert_stage",
                "at_risk_at",
                "due_at",
                "id",
                concat!(
                    "first_response_at IS NULL AND due_at IS NOT NULL AND ",
                    active_status!(""),
                    " AND NOT incident_member"
                ),
            ),
            Clock::Resolution => (
                "reports",
                "resolution_alert_stage",
                "resolution_at_risk_at",
                "resolution_due_at",
                "id",
                "resolution_due_at IS NOT NULL AND resolution_paused_at IS NULL \
                 AND resolved_at IS NULL AND NOT incident_member",
            ),
            Clock::NextReply => (
                "next_reply_clocks",
                "alert_stage",
                "at_risk_at",
                "due_at",
                "report_id",
                "stopped_at IS NULL",
            ),
        }
    }

    /// Its name in `sla_alerts` for clock row `id` (next-reply clocks are numbered, so
    /// each is alerted once).
    fn name(self, id: i64) -> String {
        match self {
            Clock::FirstResponse => FIRST_RESPONSE.to_owned(),
            Clock::Resolution => "resolution".to_owned(),
            Clock::NextReply => format!("next_reply:{id}"),
        }
    }
}

/// A clock's label for people, from its name in `sla_alerts`.
pub fn clock_label(name: &str) -> &'static str {
    match name.split(':').next() {
        Some("resolution") => "resolution",
        Some("next_reply") => "next reply",
        _ => "first response",
    }
}

/// The two alerts of a clock, in order.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Event {
    /// Less than the at-risk share of the target is left.
    AtRisk,
    /// The due time passed with the clock still running.
    Breach,
}

impl Event {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Event::AtRisk => "at_risk",
            Event::Breach => "breach",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Event::AtRisk => "At risk",
            Event::Breach => "Breached",
        }
    }

    /// The stage a clock is at before this alert.
    fn stage(self) -> i32 {
        match self {
            Event::AtRisk => 0,
            Event::Breach => 1,
        }
    }
}

/// The SQL condition for clocks whose `event` alert is due at `$1`, and the column
/// holding its instant.
fn pending(clock: Clock, event: Event) -> (String, &'static str) {
    let (_, stage_col, at_risk, due, _, running) = clock.schedule();
    let column = match event {
        Event::AtRisk => at_risk,
        Event::Breach => due,
    };
    let stage = event.stage();
    (
        format!("{stage_col} = {stage} AND {running} AND {column} < $1"),
        column,
    )
}

/// Whether anything is due at `now`: a read on the read pool, so an idle poll writes
/// nothing.
async fn anything_due(db: &Db, now: DateTime<Utc>) -> Result<bool, sqlx::Error> {
    let parts: Vec<String> = Clock::ALL
        .into_iter()
        .flat_map(|clock| [Event::AtRisk, Event::Breach].map(|e| (clock, e)))
        .map(|(clock, event)| {
            format!(
                "EXISTS (SELECT 1 FROM {} WHERE {})",
                clock.schedule().0,
                pending(clock, event).0
            )
        })
        .collect();
    let sql = format!("SELECT {}", parts.join(" OR "));
    let due: bool =
        on_db!(db, pool => sqlx::query_scalar(&sql).bind(millis(now)).fetch_one(pool).await)?;
    Ok(due)
}

/// A clock claimed for an alert.
#[derive(sqlx::FromRow)]
struct ClaimedClock {
    id: i64,
    report_id: i64,
    instant: i64,
    due_at: i64,
}

/// The ticket a claimed clock belongs to.
#[derive(sqlx::FromRow)]
struct Ticket {
    id: i64,
    assignee_id: Option<i64>,
    method: String,
    endpoint: String,
    status_code: Option<i64>,
    transport: Option<String>,
}

/// A claimed clock with its ticket.
struct Claimed {
    clock: ClaimedClock,
    ticket: Ticket,
}

/// Claims up to [`BATCH`] clocks due for `event`, moving them to the next stage, with
/// their tickets.
async fn claim(
    tx: &mut Tx,
    clock: Clock,
    event: Event,
    now: DateTime<Utc>,
) -> Result<Vec<Claimed>, sqlx::Error> {
    let (table, stage_col, _, due, report_col, _) = clock.schedule();
    let (pending, column) = pending(clock, event);
    let stage = event.stage();
    let select = format!("SELECT id FROM {table} WHERE {pending} ORDER BY {column}, id LIMIT $2");
    let update = |lock: &str| {
        format!(
            "UPDATE {table} SET {stage_col} = {next} WHERE id IN ({select}{lock}) \
             AND {stage_col} = {stage} \
             RETURNING id, {report_col} AS report_id, {column} AS instant, {due} AS due_at",
            next = stage + 1
        )
    };
    let clocks: Vec<ClaimedClock> = match tx.conn() {
        super::db::Conn::Sqlite(c) => {
            sqlx::query_as(&update(""))
                .bind(millis(now))
                .bind(BATCH)
                .fetch_all(&mut *c)
                .await?
        }
        // Rows another instance is claiming are skipped, not waited for; one it has
        // just claimed no longer matches when the lock is taken (PostgreSQL re-checks
        // the condition on the newest version of the row).
        super::db::Conn::Postgres(c) => {
            sqlx::query_as(&update(" FOR UPDATE SKIP LOCKED"))
                .bind(millis(now))
                .bind(BATCH)
                .fetch_all(&mut **c)
                .await?
        }
    };
    if clocks.is_empty() {
        return Ok(Vec::new());
    }
    let tickets: Vec<Ticket> = on_tx!(tx, c => {
        let mut q = sqlx::QueryBuilder::new(
            "SELECT id, assignee_id, method, endpoint, CAST(status_code AS BIGINT) AS status_code, \
             transport FROM reports WHERE id IN (",
        );
        let mut list = q.separated(", ");
        for cl in &clocks {
            list.push_bind(cl.report_id);
        }
        q.push(")");
        q.build_query_as().fetch_all(&mut *c).await
    })?;
    let mut tickets: HashMap<i64, Ticket> = tickets.into_iter().map(|t| (t.id, t)).collect();
    Ok(clocks
        .into_iter()
        .filter_map(|clock| {
            let ticket = tickets.remove(&clock.report_id)?;
            Some(Claimed { clock, ticket })
        })
        .collect())
}

#[derive(sqlx::FromRow, Clone)]
struct Staff {
    id: i64,
    email: String,
    timezone: String,
    alert_unassigned: bool,
    alert_after_hours: bool,
}

/// One alert recorded: who is told, and how.
struct Told {
    report_id: i64,
    alert_id: i64,
    user: Staff,
    title: String,
    body: String,
    deliver_at: DateTime<Utc>,
}

/// What a round of alerts works with.
struct Round {
    staff: Vec<Staff>,
    cal: std::sync::Arc<BusinessCalendar>,
    now: DateTime<Utc>,
    public_url: Option<String>,
    mail_enabled: bool,
}

/// Records the alerts for `claimed` clocks, their notifications and their mail;
/// returns the tickets alerted.
async fn record(
    tx: &mut Tx,
    clock: Clock,
    event: Event,
    claimed: &[Claimed],
    round: &Round,
) -> Result<Vec<i64>, sqlx::Error> {
    let (staff, cal, now) = (&round.staff, &*round.cal, round.now);
    let (public_url, mail_enabled) = (round.public_url.as_deref(), round.mail_enabled);
    if claimed.is_empty() {
        return Ok(Vec::new());
    }
    // The unique key keeps an alert single whatever happened before; only the rows
    // inserted now are told.
    let inserted: Vec<(i64, i64)> = on_tx!(tx, c => {
        let mut q = sqlx::QueryBuilder::new(
            "INSERT INTO sla_alerts (report_id, clock, event, instant, fired_at) ",
        );
        q.push_values(claimed, |mut b, t| {
            b.push_bind(t.ticket.id)
                .push_bind(clock.name(t.clock.id))
                .push_bind(event.as_str())
                .push_bind(t.clock.instant)
                .push_bind(millis(now));
        });
        q.push(" ON CONFLICT (report_id, clock, event) DO NOTHING RETURNING id, report_id");
        q.build_query_as::<(i64, i64)>().fetch_all(&mut *c).await
    })?;
    // One running clock of a kind per ticket, so the ticket names the clock.
    let by_report: HashMap<i64, &Claimed> = claimed.iter().map(|t| (t.ticket.id, t)).collect();
    let by_id: HashMap<i64, &Staff> = staff.iter().map(|s| (s.id, s)).collect();
    let opted_in: Vec<&Staff> = staff.iter().filter(|s| s.alert_unassigned).collect();
    let mut told = Vec::new();
    for (alert_id, report_id) in &inserted {
        let Some(claimed) = by_report.get(report_id) else {
            continue;
        };
        let t = &claimed.ticket;
        // The assignee, if still staff; otherwise whoever opted in.
        let people: Vec<&Staff> = match t.assignee_id.and_then(|a| by_id.get(&a)) {
            Some(s) => vec![*s],
            None => opted_in.clone(),
        };
        let failure = match (t.status_code, &t.transport) {
            (Some(code), _) => code.to_string(),
            (None, Some(transport)) => transport.replace('_', " "),
            (None, None) => String::new(),
        };
        let which = match clock {
            Clock::FirstResponse => String::new(),
            other => format!(" ({})", clock_label(&other.name(0))),
        };
        let title = format!(
            "{}{which}: ticket #{} ({} {} {})",
            event.label(),
            t.id,
            t.method,
            t.endpoint,
            failure
        );
        for s in people {
            let due = format_local(from_millis(claimed.clock.due_at), &s.timezone);
            let link = match public_url {
                Some(base) => format!("{}/tickets/{}", base.trim_end_matches('/'), t.id),
                None => format!("/tickets/{}", t.id),
            };
            let what = match (clock, event) {
                (Clock::FirstResponse, Event::AtRisk) => format!(
                    "Less of its first-response time is left than the SLA policy's \
                     at-risk share: a public reply is due by {due}."
                ),
                (Clock::FirstResponse, Event::Breach) => format!(
                    "Its first-response time ran out at {due} without a public reply. \
                     The breach stays on the record; answer it as soon as you can."
                ),
                (Clock::NextReply, Event::AtRisk) => format!(
                    "The developer replied and is waiting for an answer: less of the \
                     next-reply time is left than the at-risk share; reply by {due}."
                ),
                (Clock::NextReply, Event::Breach) => format!(
                    "The developer's reply has waited past its next-reply time ({due}) \
                     without an answer."
                ),
                (Clock::Resolution, Event::AtRisk) => format!(
                    "Less of its resolution time is left than the SLA policy's at-risk \
                     share (time waiting on the developer does not count): it is due to \
                     be resolved by {due}."
                ),
                (Clock::Resolution, Event::Breach) => {
                    format!("Its resolution time ran out at {due}. The breach stays on the record.")
                }
            };
            let instant = from_millis(claimed.clock.instant);
            told.push(Told {
                report_id: t.id,
                alert_id: *alert_id,
                user: s.clone(),
                body: format!("{title}\n\n{what}\n\nOpen the ticket: {link}\n"),
                title: title.clone(),
                deliver_at: alert_delivery(cal, instant, now, s.alert_after_hours),
            });
        }
    }
    for chunk in told.chunks(200) {
        on_tx!(tx, c => {
            let mut q = sqlx::QueryBuilder::new(
                "INSERT INTO notifications (user_id, alert_id, report_id, title, created_at, deliver_at) ",
            );
            q.push_values(chunk, |mut b, n| {
                b.push_bind(n.user.id)
                    .push_bind(n.alert_id)
                    .push_bind(n.report_id)
                    .push_bind(&n.title)
                    .push_bind(millis(now))
                    .push_bind(millis(n.deliver_at));
            });
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    if mail_enabled {
        let mails: Vec<(Mail, DateTime<Utc>)> = told
            .iter()
            .map(|n| {
                (
                    Mail {
                        to: n.user.email.clone(),
                        subject: format!("[Faultdesk] {}", n.title),
                        body: n.body.clone(),
                    },
                    n.deliver_at,
                )
            })
            .collect();
        mail::enqueue_not_before(tx, &mails, now).await?;
    }
    Ok(inserted.into_iter().map(|(_, r)| r).collect())
}

/// Fires every alert due at the clock's `now`, in batches; returns how many alerts
/// this call recorded (another instance may have recorded others).
pub async fn fire_due(state: &AppState) -> Result<usize, AppError> {
    let mut fired = 0;
    loop {
        let now = state.clock.now();
        if !anything_due(&state.db, now).await? {
            return Ok(fired);
        }
        let cal = state.db.hub().caches.calendar(&state.db).await?;
        let public_url = state.options.public_url.clone();
        let mail_enabled = state.options.mail_enabled;
        let (count, more) = state
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let staff: Vec<Staff> = on_tx!(tx, c => sqlx::query_as(
                        "SELECT id, email, timezone, alert_unassigned, alert_after_hours \
                         FROM users WHERE role IN ($1, $2) AND deactivated_at IS NULL ORDER BY id")
                        .bind(Role::Agent.as_str())
                        .bind(Role::Manager.as_str())
                        .fetch_all(&mut *c)
                        .await)?;
                    let round = Round {
                        staff,
                        cal,
                        now,
                        public_url,
                        mail_enabled,
                    };
                    let mut count = 0;
                    let mut more = false;
                    let mut changed = Vec::new();
                    // At risk first: a ticket whose two instants both passed (every
                    // instance was down) gets both alerts, in order.
                    for clock in Clock::ALL {
                        for event in [Event::AtRisk, Event::Breach] {
                            let claimed = claim(tx, clock, event, now).await?;
                            more |= claimed.len() as i64 == BATCH;
                            let ids = record(tx, clock, event, &claimed, &round).await?;
                            count += ids.len();
                            changed.extend(ids);
                        }
                    }
                    changed.sort_unstable();
                    changed.dedup();
                    tx.changed("alerted", changed);
                    Ok((count, more))
                })
            })
            .await?;
        fired += count;
        if !more {
            return Ok(fired);
        }
    }
}

/// What a try at the managers' daily digest came to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Digest {
    /// Support is closed now: try again later.
    Closed,
    /// Today's digest (this local day) was already taken, here or by another instance.
    Taken(String),
    /// This call took today's digest (and mailed it, if there was anything to say).
    Sent(String),
}

/// The support calendar's local date of `now`, as digests are keyed.
fn local_day(cal: &BusinessCalendar, now: DateTime<Utc>) -> String {
    now.with_timezone(&cal.timezone()).date_naive().to_string()
}

/// The managers' daily digest: at the first poll while the desk is open on a new day
/// (support timezone), one instance claims the day and mails every manager the breaches
/// recorded since the previous digest.
pub async fn digest_if_due(state: &AppState) -> Result<Digest, AppError> {
    let now = state.clock.now();
    let cal = state.db.hub().caches.calendar(&state.db).await?;
    if !cal.is_open(now) {
        return Ok(Digest::Closed);
    }
    let day = local_day(&cal, now);
    let mail_enabled = state.options.mail_enabled;
    let public_url = state.options.public_url.clone();
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let previous: Option<i64> = on_tx!(tx, c => sqlx::query_scalar(
                    "SELECT MAX(sent_at) FROM sla_digests WHERE day <> $1")
                    .bind(&day)
                    .fetch_one(&mut *c)
                    .await)?;
                let since = previous.unwrap_or_else(|| millis(now - Duration::days(1)));
                let breaches: Vec<(i64, String, String, i64, String)> = on_tx!(tx, c => sqlx::query_as(
                    "SELECT r.id, r.method, r.endpoint, a.instant, a.clock FROM sla_alerts a \
                     JOIN reports r ON r.id = a.report_id \
                     WHERE a.event = 'breach' AND a.fired_at > $1 AND a.fired_at <= $2 \
                     ORDER BY a.instant, r.id")
                    .bind(since)
                    .bind(millis(now))
                    .fetch_all(&mut *c)
                    .await)?;
                // The claim: the first to insert the day sends it.
                let claimed: Vec<(String,)> = on_tx!(tx, c => sqlx::query_as(
                    "INSERT INTO sla_digests (day, sent_at, breaches) VALUES ($1, $2, $3) \
                     ON CONFLICT (day) DO NOTHING RETURNING day")
                    .bind(&day)
                    .bind(millis(now))
                    .bind(i32::try_from(breaches.len()).unwrap_or(i32::MAX))
                    .fetch_all(&mut *c)
                    .await)?;
                if claimed.is_empty() {
                    return Ok(Digest::Taken(day));
                }
                if breaches.is_empty() || !mail_enabled {
                    return Ok(Digest::Sent(day));
                }
                let managers: Vec<(String, String)> = on_tx!(tx, c => sqlx::query_as(
                    "SELECT email, timezone FROM users WHERE role = $1 AND deactivated_at IS NULL \
                     ORDER BY id")
                    .bind(Role::Manager.as_str())
                    .fetch_all(&mut *c)
                    .await)?;
                let base = public_url
                    .as_deref()
                    .unwrap_or("")
                    .trim_end_matches('/')
                    .to_owned();
                let mails: Vec<Mail> = managers
                    .into_iter()
                    .map(|(email, tz)| {
                        let lines: Vec<String> = breaches
                            .iter()
                            .map(|(id, method, endpoint, due, clock)| {
                                format!(
                                    "- #{id} {method} {endpoint}: {} due {} ({base}/tickets/{id})",
                                    clock_label(clock),
                                    format_local(from_millis(*due), &tz)
                                )
                            })
                            .collect();
                        Mail {
                            to: email,
                            subject: format!(
                                "[Faultdesk] {} SLA breach{} since the last digest",
                                breaches.len(),
                                if breaches.len() == 1 { "" } else { "es" }
                            ),
                            body: format!(
                                "SLA targets (first response, next reply, resolution) \
                                 that ran out since the last digest:\n\n{}\n",
                                lines.join("\n")
                            ),
                        }
                    })
                    .collect();
                mail::enqueue(tx, &mails, now).await?;
                Ok(Digest::Sent(day))
            })
        })
        .await
}

/// The background worker every instance runs: fires due alerts every `period`, and the
/// daily digest once a day (whichever instance gets there first; the others then leave
/// that day alone).
pub async fn run(state: AppState, period: std::time::Duration) {
    let mut digest_day: Option<String> = None;
    loop {
        if let Err(e) = fire_due(&state).await {
            tracing::warn!(error = %e, "SLA alerts unavailable; will retry");
        }
        match state.db.hub().caches.calendar(&state.db).await {
            Ok(cal) if digest_day.as_deref() != Some(&local_day(&cal, state.clock.now())) => {
                match digest_if_due(&state).await {
                    Ok(Digest::Sent(day) | Digest::Taken(day)) => digest_day = Some(day),
                    Ok(Digest::Closed) => {}
                    Err(e) => tracing::warn!(error = %e, "SLA digest unavailable; will retry"),
                }
            }
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "support calendar unavailable"),
        }
        tokio::time::sleep(period).await;
    }
}

#[derive(sqlx::FromRow)]
struct NotificationRow {
    id: i64,
    report_id: i64,
    title: String,
    deliver_at: i64,
    read_at: Option<i64>,
}

/// How many delivered notifications `user_id` has not read.
pub async fn unread(db: &Db, user_id: i64, now: DateTime<Utc>) -> Result<i64, AppError> {
    Ok(on_db!(db, pool => sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND read_at IS NULL AND deliver_at <= $2")
        .bind(user_id)
        .bind(millis(now))
        .fetch_one(pool)
        .await)?)
}

/// The signed-in staff member's bell: unread count, the latest delivered notifications
/// and their alert preferences.
pub async fn notifications(
    db: &Db,
    user_id: i64,
    timezone: &str,
    now: DateTime<Utc>,
) -> Result<Notifications, AppError> {
    let unread = unread(db, user_id, now).await?;
    let rows: Vec<NotificationRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT id, report_id, title, deliver_at, read_at FROM notifications \
         WHERE user_id = $1 AND deliver_at <= $2 ORDER BY deliver_at DESC, id DESC LIMIT 50")
        .bind(user_id)
        .bind(millis(now))
        .fetch_all(pool)
        .await)?;
    let prefs: Option<(bool, bool)> = on_db!(db, pool => sqlx::query_as(
        "SELECT alert_unassigned, alert_after_hours FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(pool)
        .await)?;
    let (unassigned, after_hours) = prefs.unwrap_or_default();
    Ok(Notifications {
        unread,
        items: rows
            .into_iter()
            .map(|r| NotificationView {
                id: r.id,
                report_id: r.report_id,
                title: r.title,
                when_local: format_local(from_millis(r.deliver_at), timezone),
                unread: r.read_at.is_none(),
            })
            .collect(),
        preferences: AlertPreferences {
            unassigned,
            after_hours,
        },
    })
}

/// Marks one notification (or, with `None`, all delivered ones) read for `user_id`.
pub async fn mark_read(state: &AppState, user_id: i64, id: Option<i64>) -> Result<u64, AppError> {
    let now = state.clock.now();
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let n = on_tx!(tx, c => sqlx::query(
                    "UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL \
                     AND deliver_at <= $1 AND ($3 IS NULL OR id = $3)")
                    .bind(millis(now))
                    .bind(user_id)
                    .bind(id)
                    .execute(&mut *c)
                    .await
                    .map(|r| r.rows_affected()))?;
                Ok(n)
            })
        })
        .await
}

/// Saves a staff member's alert preferences.
pub async fn save_preferences(
    state: &AppState,
    user_id: i64,
    prefs: AlertPreferences,
) -> Result<(), AppError> {
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                on_tx!(tx, c => sqlx::query(
                    "UPDATE users SET alert_unassigned = $1, alert_after_hours = $2 WHERE id = $3")
                    .bind(prefs.unassigned)
                    .bind(prefs.after_hours)
                    .bind(user_id)
                    .execute(&mut *c)
                    .await
                    .map(|r| r.rows_affected()))?;
                Ok(())
            })
        })
        .await
}
