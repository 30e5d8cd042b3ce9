//! The `tickets` side of reports: the queue (keyset-paged, most urgent first), claiming
//! and assigning, status changes, and the conversation (public replies, internal notes).

use super::{
    db::{active_status, millis, on_db, on_tx, Db, Tx},
    reports::{answer_publicly, record_event},
};
use crate::domain::{status::FailureClass, ticket::TicketStatus};
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;

/// Finished tickets, matching the partial index `reports_queue_done`.
const DONE: &str = "('resolved', 'closed')";

/// Who a queue view is filtered to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeFilter {
    /// Everyone's tickets.
    Anyone,
    /// Tickets nobody has claimed.
    Unassigned,
    /// One person's tickets.
    User(i64),
}

/// A queue query. Empty `statuses` means the active ones (new, open, waiting).
#[derive(Debug, Clone)]
pub struct QueueFilter {
    pub statuses: Vec<TicketStatus>,
    pub assignee: AssigneeFilter,
    pub class: Option<FailureClass>,
    /// A path prefix the endpoint must start with.
    pub endpoint_prefix: Option<String>,
    pub at_risk: bool,
    pub breached: bool,
    /// Keyset cursor: rows strictly after this (due_at ms, id).
    pub after: Option<(i64, i64)>,
    pub limit: i64,
}

/// One queue row.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct QueueRow {
    pub id: i64,
    pub endpoint: String,
    pub method: String,
    pub status_code: Option<i64>,
    pub transport: Option<String>,
    pub class: String,
    pub status: String,
    pub priority: String,
    pub assignee_id: Option<i64>,
    pub assignee_email: Option<String>,
    pub reporter_email: String,
    pub created_at: i64,
    pub routed_at: Option<i64>,
    pub due_at: i64,
    pub at_risk_at: Option<i64>,
    pub first_response_at: Option<i64>,
    pub sla_breached: bool,
    pub sla_target_minutes: i64,
    pub incident_id: Option<i64>,
    pub incident_reports: Option<i64>,
    pub incident_first_at: Option<i64>,
    pub incident_last_at: Option<i64>,
    #[sqlx(flatten)]
    pub resolution: super::clocks::ResolutionRow,
    pub next_reply_due_at: Option<i64>,
    pub next_reply_at_risk_at: Option<i64>,
}

impl QueueRow {
    /// The ticket status, parsed strictly.
    pub fn status(&self) -> Result<TicketStatus, crate::error::AppError> {
        super::error::stored(
            TicketStatus::parse(&self.status),
            "ticket status",
            &self.status,
        )
    }
}

const QUEUE_COLUMNS: &str = "r.id, r.endpoint, r.method, r.status_code, r.transport, r.class, \
    r.status, r.priority, r.assignee_id, a.email AS assignee_email, d.email AS reporter_email, \
    r.created_at, r.routed_at, r.due_at, r.at_risk_at, r.first_response_at, r.sla_breached, \
    r.sla_target_minutes, r.incident_id, i.report_count AS incident_reports, \
    i.first_report_at AS incident_first_at, i.last_report_at AS incident_last_at, \
    r.resolution_target_minutes, r.resolution_due_at, r.resolution_at_risk_at, \
    r.resolution_pauses, r.resolution_left_secs, r.resolution_risk_left_secs, \
    r.resolution_paused_at, r.resolution_paused_secs, r.resolved_at, r.resolution_breached, \
    n.due_at AS next_reply_due_at, n.at_risk_at AS next_reply_at_risk_at";

/// The running next-reply clock, joined to a ticket (`r`) as `n`.
const NEXT_REPLY_JOIN: &str =
    "LEFT JOIN next_reply_clocks n ON n.report_id = r.id AND n.stopped_at IS NULL";

/// A page of the queue, ordered by due time then id (most urgent first).
#[tracing::instrument(level = "debug", skip(db))]
pub async fn queue_page(
    db: &Db,
    f: &QueueFilter,
    now: DateTime<Utc>,
) -> Result<Vec<QueueRow>, sqlx::Error> {
    let now = millis(now);
    on_db!(db, pool => queue_query("", f, now).build_query_as::<QueueRow>().fetch_all(pool).await)
}

/// The queue's query for filter `f` at `now` (ms), after `prefix` (tests put `EXPLAIN`
/// there to see how it reads).
pub fn queue_query<'a, DB>(prefix: &str, f: &QueueFilter, now: i64) -> QueryBuilder<'a, DB>
where
    DB: sqlx::Database,
    i64: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    i32: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
    &'a str: sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    // Statuses are inlined as literals (they come from an enum): the partial indexes
    // below are only used when the planner can see the query implies their condition,
    // which it cannot with bound parameters. The same goes for `NOT r.incident_member`
    // (the queue's indexes hold no incident members: a flood's members are never read).
    let status_clause = match f.statuses.as_slice() {
        [] => active_status!("r.").to_owned(),
        [one] if one.is_active() => {
            format!("{} AND r.status = '{}'", active_status!("r."), one.as_str())
        }
        [one] if matches!(one, TicketStatus::Resolved | TicketStatus::Closed) => {
            format!("r.status IN {DONE} AND r.status = '{}'", one.as_str())
        }
        many => {
            let list: Vec<String> = many.iter().map(|s| format!("'{}'", s.as_str())).collect();
            format!("r.status IN ({})", list.join(", "))
        }
    };
    let mut q = QueryBuilder::new(format!(
        "{prefix}SELECT {QUEUE_COLUMNS} FROM reports r \
         JOIN users d ON d.id = r.reporter_id \
         LEFT JOIN users a ON a.id = r.assignee_id \
         LEFT JOIN incidents i ON i.id = r.incident_id {NEXT_REPLY_JOIN} \
         WHERE r.due_at IS NOT NULL AND {status_clause} AND NOT r.incident_member"
    ));
    match f.assignee {
        AssigneeFilter::Anyone => {}
        AssigneeFilter::Unassigned => {
            q.push(" AND r.assignee_id IS NULL");
        }
        AssigneeFilter::User(id) => {
            q.push(" AND r.assignee_id = ").push_bind(id);
        }
    }
    if let Some(class) = f.class {
        q.push(" AND r.class = ").push_bind(class.as_str());
    }
    if let Some(prefix) = f.endpoint_prefix.as_deref().filter(|p| !p.is_empty()) {
        // An exact prefix test, identical on both engines (LIKE differs in case
        // sensitivity and needs escaping).
        q.push(" AND substr(r.endpoint, 1, ")
            .push_bind(i32::try_from(prefix.chars().count()).unwrap_or(i32::MAX))
            .push(") = ")
            .push_bind(prefix.to_owned());
    }
    if f.at_risk {
        q.push(" AND r.first_response_at IS NULL AND r.at_risk_at < ")
            .push_bind(now)
            .push(" AND r.due_at >= ")
            .push_bind(now);
    }
    if f.breached {
        q.push(" AND ((r.first_response_at IS NULL AND r.due_at < ")
            .push_bind(now)
            .push(") OR r.sla_breached)");
    }
    if let Some((due, id)) = f.after {
        // A row-value comparison: both engines seek the (due_at, id) index with it.
        q.push(" AND (r.due_at, r.id) > (")
            .push_bind(due)
            .push(", ")
            .push_bind(id)
            .push(")");
    }
    // The page size is written into the statement, not bound: the default queue (no
    // filter) is then a statement without parameters, which PostgreSQL plans once per
    // connection. With `LIMIT $n` it planned it again on every load (its generic plan
    // assumes a tenth of the rows, so it never looked cheaper than a custom one):
    // ~1 ms of planning for a 0.05 ms read, with sixteen partial indexes on `reports`
    // to weigh. (An integer, so nothing to escape.)
    q.push(" ORDER BY r.due_at, r.id LIMIT ").push(f.limit);
    q
}

/// A staff member who can be assigned tickets.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct StaffRow {
    pub id: i64,
    pub email: String,
}

/// Every agent and manager, by email.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn staff(db: &Db) -> Result<Vec<StaffRow>, sqlx::Error> {
    let sql = "SELECT id, email FROM users WHERE role IN ('agent', 'manager') \
               AND deactivated_at IS NULL ORDER BY email";
    on_db!(db, pool => sqlx::query_as(sql).fetch_all(pool).await)
}

/// Sets the assignee (`None` to unassign) and, for a new ticket being assigned, opens it.
/// Only tickets that are not closed change; returns whether one did.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn assign(
    tx: &mut Tx,
    id: i64,
    actor: i64,
    assignee: Option<(i64, String)>,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let at = millis(now);
    let (sql, detail) = match &assignee {
        Some((_, email)) => (
            "UPDATE reports SET assignee_id = $1, \
             status = CASE WHEN status = 'new' THEN 'open' ELSE status END, updated_at = $2 \
             WHERE id = $3 AND due_at IS NOT NULL AND status <> 'closed'",
            format!("Assigned to {email}"),
        ),
        None => (
            "UPDATE reports SET assignee_id = $1, \
             status = CASE WHEN status = 'open' THEN 'new' ELSE status END, updated_at = $2 \
             WHERE id = $3 AND due_at IS NOT NULL AND status <> 'closed'",
            "Unassigned".to_owned(),
        ),
    };
    let n = on_tx!(tx, c => sqlx::query(sql)
        .bind(assignee.as_ref().map(|a| a.0))
        .bind(at)
        .bind(id)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    if n == 1 {
        record_event(tx, id, Some(actor), "assigned", &detail, at).await?;
        tx.changed("updated", [id]);
    }
    Ok(n == 1)
}

/// Moves a ticket from `from` to `to` (checked by the caller), only if it is still in
/// `from`; returns whether it was.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn set_status(
    tx: &mut Tx,
    id: i64,
    actor: i64,
    from: TicketStatus,
    to: TicketStatus,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let at = millis(now);
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE reports SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4")
        .bind(to.as_str())
        .bind(at)
        .bind(id)
        .bind(from.as_str())
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    if n == 1 {
        let detail = format!("{} → {}", from.label(), to.label());
        record_event(tx, id, Some(actor), "status", &detail, at).await?;
        tx.changed("updated", [id]);
    }
    Ok(n == 1)
}

/// Who wrote a message and whether the developer sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    /// Seen by the developer. A staff member's first one stops the SLA clock.
    Public,
    /// Staff only.
    Internal,
}

impl Visibility {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Internal => "internal",
        }
    }
}

/// What posting a message did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posted {
    pub message_id: i64,
    /// True when this was the first public staff reply (the clock stopped now).
    pub stopped_clock: bool,
    /// Whether that first reply came after the due time.
    pub breached: bool,
}

/// A staff message to store.
#[derive(Debug, Clone)]
pub struct StaffMessage<'a> {
    pub report_id: i64,
    pub author: i64,
    pub visibility: Visibility,
    pub body: &'a str,
    /// Business seconds since the ticket was routed: its first-response time if this
    /// is the first response.
    pub business_secs_so_far: i64,
}

/// A staff member's message. A public one is the first response if there was none yet:
/// it stops the first-response clock and records met or breached (for good). An
/// unassigned ticket is assigned to whoever answers publicly, and a new one opens.
#[tracing::instrument(level = "debug", skip_all, fields(report = m.report_id))]
pub async fn post_staff_message(
    tx: &mut Tx,
    m: &StaffMessage<'_>,
    now: DateTime<Utc>,
) -> Result<Posted, sqlx::Error> {
    let at = millis(now);
    let ids: Vec<(i64,)> = on_tx!(tx, c => sqlx::query_as(
        "INSERT INTO messages (report_id, author_id, visibility, body, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(m.report_id)
    .bind(m.author)
    .bind(m.visibility.as_str())
    .bind(m.body)
    .bind(at)
    .fetch_all(&mut *c)
    .await)?;
    let message_id = ids.first().map(|r| r.0).ok_or(sqlx::Error::RowNotFound)?;
    let mut posted = Posted {
        message_id,
        stopped_clock: false,
        breached: false,
    };
    if m.visibility == Visibility::Public {
        if let Some(breached) =
            answer_publicly(tx, m.report_id, m.author, m.business_secs_so_far, at).await?
        {
            posted.stopped_clock = true;
            posted.breached = breached;
        }
        super::clocks::stop_next_reply(tx, &[m.report_id], now).await?;
    }
    let kind = match m.visibility {
        Visibility::Public => "public_reply",
        Visibility::Internal => "internal_note",
    };
    let detail = match (posted.stopped_clock, posted.breached) {
        (true, true) => "First response (after the due time: breached)",
        (true, false) => "First response (SLA met)",
        _ => "",
    };
    record_event(tx, m.report_id, Some(m.author), kind, detail, at).await?;
    tx.changed("updated", [m.report_id]);
    Ok(posted)
}

/// A developer's reply on their own report; `reopen_to` is the status it moves to
/// (decided by the workflow), applied only if the status is still `from`.
#[tracing::instrument(level = "debug", skip(tx, body))]
pub async fn post_developer_reply(
    tx: &mut Tx,
    id: i64,
    author: i64,
    body: &str,
    from: TicketStatus,
    reopen_to: TicketStatus,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let at = millis(now);
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE reports SET status = $1, updated_at = $2 WHERE id = $3 AND status = $4 AND reporter_id = $5")
        .bind(reopen_to.as_str())
        .bind(at)
        .bind(id)
        .bind(from.as_str())
        .bind(author)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(false);
    }
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO messages (report_id, author_id, visibility, body, created_at) \
         VALUES ($1, $2, 'public', $3, $4)",
    )
    .bind(id)
    .bind(author)
    .bind(body)
    .bind(at)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    let detail = if from == reopen_to {
        String::new()
    } else {
        format!("{} → {}", from.label(), reopen_to.label())
    };
    record_event(tx, id, Some(author), "developer_reply", &detail, at).await?;
    tx.changed("updated", [id]);
    Ok(true)
}

/// Who (display name, else email) last replied publicly on ticket `id` after message
/// `seen`, other than `author`; `None` if nobody did.
pub async fn public_reply_since(
    tx: &mut Tx,
    id: i64,
    seen: i64,
    author: i64,
) -> Result<Option<String>, sqlx::Error> {
    let row: Option<(String, Option<String>)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT u.email, u.display_name FROM messages m JOIN users u ON u.id = m.author_id \
         WHERE m.report_id = $1 AND m.id > $2 AND m.visibility = 'public' \
         AND u.role <> 'developer' AND m.author_id <> $3 ORDER BY m.id DESC LIMIT 1")
        .bind(id)
        .bind(seen)
        .bind(author)
        .fetch_optional(&mut *c)
        .await)?;
    Ok(row.map(|(email, name)| name.unwrap_or(email)))
}

/// A message as stored, with its author.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct MessageRow {
    pub id: i64,
    pub author_email: String,
    pub author_display_name: Option<String>,
    pub author_role: String,
    pub visibility: String,
    pub body: String,
    pub created_at: i64,
}

/// A ticket's messages, oldest first; internal notes only when `include_internal`.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn messages(
    db: &Db,
    id: i64,
    include_internal: bool,
) -> Result<Vec<MessageRow>, sqlx::Error> {
    let sql = "SELECT m.id, u.email AS author_email, u.display_name AS author_display_name, \
               u.role AS author_role, m.visibility, m.body, \
               m.created_at FROM messages m JOIN users u ON u.id = m.author_id \
               WHERE m.report_id = $1 AND (m.visibility = 'public' OR $2) ORDER BY m.id";
    on_db!(db, pool => sqlx::query_as(sql).bind(id).bind(include_internal).fetch_all(pool).await)
}

const QUEUE_ROW: &str = "FROM reports r JOIN users d ON d.id = r.reporter_id \
    LEFT JOIN users a ON a.id = r.assignee_id LEFT JOIN incidents i ON i.id = r.incident_id \
    LEFT JOIN next_reply_clocks n ON n.report_id = r.id AND n.stopped_at IS NULL \
    WHERE r.id = $1 AND r.due_at IS NOT NULL";

/// The queue fields of one ticket (a report that is in the queue or was).
#[tracing::instrument(level = "debug", skip(db))]
pub async fn queue_row(db: &Db, id: i64) -> Result<Option<QueueRow>, sqlx::Error> {
    let sql = format!("SELECT {QUEUE_COLUMNS} {QUEUE_ROW}");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// [`queue_row`], read inside a unit of work (for checks before a guarded write).
pub async fn queue_row_in(tx: &mut Tx, id: i64) -> Result<Option<QueueRow>, sqlx::Error> {
    let sql = format!("SELECT {QUEUE_COLUMNS} {QUEUE_ROW}");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
}
