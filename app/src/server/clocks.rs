//! The resolution and next-reply clocks (PRODUCT §5), beside the first response (stored
//! with the report since the beginning, see `reports::answer_publicly`).
//!
//! * The **resolution** clock starts when a ticket is routed (its instants are written
//!   with the report), pauses while the ticket waits on the developer if the policy in
//!   force when it started said so, and stops when the ticket is resolved or closed; a
//!   reopened ticket resumes it. The business-time arithmetic is the domain's
//!   [`PausableClock`]; this module reads the stored clocks, applies a status change to
//!   them and writes back the ones that changed, in one statement for any number of
//!   tickets (an incident resolving hundreds of members).
//! * A **next-reply** clock starts when a developer replies to a ticket support has
//!   already answered (and none is running); the next public staff reply (or an
//!   incident update to its members) stops it, and so does resolving the ticket.
//!
//! Every function here runs inside the caller's unit of work, so a clock changes with
//! the status or message that moves it, or not at all.

use super::db::{active_status, from_millis, millis, on_tx, Tx};
use crate::domain::{
    calendar::BusinessCalendar,
    sla::{Held, PausableClock},
    sla_policy::SlaPolicy,
    ticket::TicketStatus,
    windows::{ClockInstants, PausedClock},
};
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

/// Rows per statement when many tickets change at once.
const PER_STATEMENT: usize = 100;

/// A ticket's resolution clock as stored.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct ResolutionRow {
    pub id: i64,
    pub resolution_target_minutes: Option<i64>,
    pub resolution_due_at: Option<i64>,
    pub resolution_at_risk_at: Option<i64>,
    pub resolution_pauses: bool,
    pub resolution_left_secs: Option<i64>,
    pub resolution_risk_left_secs: Option<i64>,
    pub resolution_paused_at: Option<i64>,
    pub resolution_paused_secs: i64,
    pub resolved_at: Option<i64>,
    pub resolution_breached: bool,
}

/// The columns of [`ResolutionRow`] but its id (prefixed with `r.`).
pub const RESOLUTION_FIELDS: &str = "r.resolution_target_minutes, r.resolution_due_at, \
    r.resolution_at_risk_at, r.resolution_pauses, r.resolution_left_secs, \
    r.resolution_risk_left_secs, r.resolution_paused_at, r.resolution_paused_secs, \
    r.resolved_at, r.resolution_breached";

impl ResolutionRow {
    /// The clock, if the ticket has one (tickets routed before resolution clocks
    /// existed have none).
    pub fn clock(&self) -> Option<PausableClock> {
        let (due, risk) = (self.resolution_due_at?, self.resolution_at_risk_at?);
        self.resolution_target_minutes?;
        let since = self.resolution_paused_at.or(self.resolved_at);
        Some(PausableClock {
            due_at: from_millis(due),
            at_risk_at: from_millis(risk),
            held: since.map(|since| Held {
                since: from_millis(since),
                left_secs: self.resolution_left_secs.unwrap_or(0),
                risk_left_secs: self.resolution_risk_left_secs.unwrap_or(0),
            }),
        })
    }

    /// Whether the clock is paused (waiting on the developer).
    pub fn paused(&self) -> bool {
        self.resolution_paused_at.is_some()
    }

    /// Whether the clock has stopped (resolved or closed).
    pub fn stopped(&self) -> bool {
        self.resolved_at.is_some()
    }

    /// The clock for live countdowns while it runs or is paused (`None` once stopped,
    /// or for a ticket without one).
    pub fn instants(&self) -> Option<ClockInstants> {
        if self.stopped() {
            return None;
        }
        let clock = self.clock()?;
        Some(ClockInstants {
            due_ms: millis(clock.due_at),
            at_risk_ms: Some(millis(clock.at_risk_at)),
            responded_ms: None,
            paused: clock.held.map(|h| PausedClock {
                left_ms: h.left_secs.saturating_mul(1000),
                at_risk: h.risk_left_secs < 0,
            }),
        })
    }
}

/// What a status change does to a resolution clock at `now`: `None` when nothing
/// changes.
pub fn resolution_after(
    cal: &BusinessCalendar,
    row: &ResolutionRow,
    to: TicketStatus,
    now: DateTime<Utc>,
) -> Option<ResolutionRow> {
    let clock = row.clock()?;
    let mut next = row.clone();
    let at = millis(now);
    let hold = |next: &mut ResolutionRow, clock: PausableClock| {
        let held = clock.hold(cal, now);
        let h = held.held.unwrap_or(Held {
            since: now,
            left_secs: 0,
            risk_left_secs: 0,
        });
        next.resolution_left_secs = Some(h.left_secs);
        next.resolution_risk_left_secs = Some(h.risk_left_secs);
        next.resolution_breached |= held.is_overdue(now);
    };
    match to {
        TicketStatus::Waiting if row.resolution_pauses && !row.paused() && !row.stopped() => {
            hold(&mut next, clock);
            next.resolution_paused_at = Some(at);
        }
        TicketStatus::New | TicketStatus::Open if row.paused() || row.stopped() => {
            let (resumed, held_secs) = clock.resume(cal, now);
            if row.paused() {
                next.resolution_paused_secs += held_secs;
            }
            next.resolution_due_at = Some(millis(resumed.due_at));
            next.resolution_at_risk_at = Some(millis(resumed.at_risk_at));
            next.resolution_left_secs = None;
            next.resolution_risk_left_secs = None;
            next.resolution_paused_at = None;
            next.resolved_at = None;
        }
        TicketStatus::Resolved | TicketStatus::Closed if !row.stopped() => {
            if row.paused() {
                // Stopped while paused: the pause ends here and is counted.
                let (_, held_secs) = clock.resume(cal, now);
                next.resolution_paused_secs += held_secs;
                next.resolution_paused_at = None;
            } else {
                hold(&mut next, clock);
            }
            next.resolved_at = Some(at);
        }
        _ => return None,
    }
    Some(next)
}

/// Applies status `to` (already written) to the resolution clocks of `ids`, and stops
/// their running next-reply clocks when `to` is resolved or closed.
pub async fn after_status(
    tx: &mut Tx,
    cal: &BusinessCalendar,
    ids: &[i64],
    to: TicketStatus,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    if ids.is_empty() {
        return Ok(());
    }
    for chunk in ids.chunks(PER_STATEMENT) {
        let rows: Vec<ResolutionRow> = on_tx!(tx, c => {
            let mut q = QueryBuilder::new(format!(
                "SELECT r.id, {RESOLUTION_FIELDS} FROM reports r WHERE r.resolution_target_minutes \
                 IS NOT NULL AND r.id IN ("
            ));
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            q.build_query_as().fetch_all(&mut *c).await
        })?;
        let changed: Vec<ResolutionRow> = rows
            .iter()
            .filter_map(|r| resolution_after(cal, r, to, now))
            .collect();
        write_resolution(tx, &changed).await?;
        if matches!(to, TicketStatus::Resolved | TicketStatus::Closed) {
            stop_next_reply(tx, chunk, now).await?;
        }
    }
    Ok(())
}

/// Writes changed resolution clocks back, in one statement.
async fn write_resolution(tx: &mut Tx, rows: &[ResolutionRow]) -> Result<(), sqlx::Error> {
    if rows.is_empty() {
        return Ok(());
    }
    on_tx!(tx, c => {
        let mut q = QueryBuilder::new(
            "WITH v (id, due, risk, left_secs, risk_left, paused_at, paused_secs, resolved_at, \
             breached) AS (",
        );
        q.push_values(rows, |mut b, r| {
            b.push_bind(r.id)
                .push_bind(r.resolution_due_at)
                .push_bind(r.resolution_at_risk_at)
                .push_bind(r.resolution_left_secs)
                .push_bind(r.resolution_risk_left_secs)
                .push_bind(r.resolution_paused_at)
                .push_bind(r.resolution_paused_secs)
                .push_bind(r.resolved_at)
                .push_bind(r.resolution_breached);
        });
        q.push(
            ") UPDATE reports SET resolution_due_at = v.due, resolution_at_risk_at = v.risk, \
             resolution_left_secs = v.left_secs, resolution_risk_left_secs = v.risk_left, \
             resolution_paused_at = v.paused_at, resolution_paused_secs = v.paused_secs, \
             resolved_at = v.resolved_at, resolution_breached = v.breached \
             FROM v WHERE reports.id = v.id",
        );
        q.build().execute(&mut *c).await.map(|r| r.rows_affected())
    })?;
    Ok(())
}

/// Stops the running next-reply clocks of `ids` at `now` (a public staff reply, or the
/// ticket resolved): breached if they were overdue.
pub async fn stop_next_reply(
    tx: &mut Tx,
    ids: &[i64],
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    for chunk in ids.chunks(PER_STATEMENT) {
        on_tx!(tx, c => {
            let mut q = QueryBuilder::new("UPDATE next_reply_clocks SET stopped_at = ");
            q.push_bind(millis(now))
                .push(", breached = (due_at < ")
                .push_bind(millis(now))
                .push(") WHERE stopped_at IS NULL AND report_id IN (");
            let mut list = q.separated(", ");
            for id in chunk {
                list.push_bind(*id);
            }
            q.push(")");
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// A developer replied on ticket `id` at `now`: if support had answered it already and
/// no next-reply clock is running, one starts with the policy's next-reply target.
/// Returns whether one started.
pub async fn developer_replied(
    tx: &mut Tx,
    cal: &BusinessCalendar,
    policy: &SlaPolicy,
    id: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let target = policy.next_reply.minutes_on(cal);
    let clock = PausableClock::start(cal, now, target, policy.at_risk_after(target));
    let started = on_tx!(tx, c => sqlx::query(
        concat!(
        "INSERT INTO next_reply_clocks (report_id, started_at, target_minutes, at_risk_at, due_at) \
         SELECT id, $2, $3, $4, $5 FROM reports WHERE id = $1 AND first_response_at IS NOT NULL \
         AND due_at IS NOT NULL AND ",
        active_status!(""),
        " AND NOT EXISTS (SELECT 1 FROM next_reply_clocks n WHERE n.report_id = $1 \
         AND n.stopped_at IS NULL)"))
        .bind(id)
        .bind(millis(now))
        .bind(target)
        .bind(millis(clock.at_risk_at))
        .bind(millis(clock.due_at))
        .execute(&mut *c)
        .await
        .map(|r| r.rows_affected()))?;
    Ok(started == 1)
}

/// A next-reply clock as stored.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct NextReplyRow {
    pub id: i64,
    pub report_id: i64,
    pub started_at: i64,
    pub target_minutes: i64,
    pub at_risk_at: i64,
    pub due_at: i64,
    pub stopped_at: Option<i64>,
    pub breached: bool,
}

/// The next-reply clocks of a ticket, oldest first.
pub async fn next_replies(db: &super::db::Db, id: i64) -> Result<Vec<NextReplyRow>, sqlx::Error> {
    super::db::on_db!(db, pool => sqlx::query_as(
        "SELECT id, report_id, started_at, target_minutes, at_risk_at, due_at, stopped_at, \
         breached FROM next_reply_clocks WHERE report_id = $1 ORDER BY id")
        .bind(id)
        .fetch_all(pool)
        .await)
}

/// A ticket's resolution clock.
pub async fn resolution(db: &super::db::Db, id: i64) -> Result<Option<ResolutionRow>, sqlx::Error> {
    let sql = format!("SELECT r.id, {RESOLUTION_FIELDS} FROM reports r WHERE r.id = $1");
    super::db::on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}
