//! The `reports` aggregate: failure reports, the tickets they become, and their history.

use super::db::{begin_sql, millis, on_db, Db};
use chrono::{DateTime, Utc};

/// Records one entry of a report's history inside transaction `$tx`.
macro_rules! record_event {
    ($tx:expr, $report:expr, $actor:expr, $kind:expr, $detail:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO report_events (report_id, actor_id, kind, detail, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind($report)
        .bind($actor)
        .bind($kind)
        .bind($detail)
        .bind($at)
        .execute(&mut *$tx)
        .await
    };
}
pub(crate) use record_event;

/// A public reply by staff member `$author` on ticket `$report` at `$at` (ms), inside
/// transaction `$tx`. If it is the first, it stops the first-response clock, records met
/// or breached for good and the business seconds it took (`$business_secs`); an
/// unassigned ticket goes to the author, and a new one opens. Evaluates to
/// `Some(breached)` when it stopped the clock.
macro_rules! answer_publicly {
    ($tx:expr, $report:expr, $author:expr, $business_secs:expr, $at:expr) => {{
        let stopped: Vec<(bool,)> = sqlx::query_as(
            "UPDATE reports SET first_response_at = $1, sla_breached = (due_at < $1), \
             first_response_business_secs = $3, updated_at = $1 WHERE id = $2 \
             AND first_response_at IS NULL AND due_at IS NOT NULL RETURNING sla_breached",
        )
        .bind($at)
        .bind($report)
        .bind($business_secs)
        .fetch_all(&mut *$tx)
        .await?;
        sqlx::query(
            "UPDATE reports SET assignee_id = COALESCE(assignee_id, $1), \
             status = CASE WHEN status = 'new' THEN 'open' ELSE status END, updated_at = $2 \
             WHERE id = $3",
        )
        .bind($author)
        .bind($at)
        .bind($report)
        .execute(&mut *$tx)
        .await?;
        stopped.first().map(|(breached,)| *breached)
    }};
}
pub(crate) use answer_publicly;

/// Every column of a report, as stored. Converted to wire types in `api::reports`.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct ReportRow {
    pub id: i64,
    pub reporter_id: i64,
    pub endpoint: String,
    pub endpoint_template: String,
    pub method: String,
    pub status_code: Option<i64>,
    pub transport: Option<String>,
    pub class: String,
    pub message: String,
    pub request_id: Option<String>,
    pub occurred_at: i64,
    pub reporter_timezone: String,
    pub environment: String,
    pub retries: i64,
    pub retry_interval_secs: Option<i64>,
    pub retry_followed: bool,
    pub retry_reason: Option<String>,
    pub description: String,
    pub excerpt: Option<String>,
    pub token_fingerprints: String,
    pub guidance_slug: Option<String>,
    pub disposition: String,
    pub feedback: Option<String>,
    pub escalation_note: Option<String>,
    pub recontact: bool,
    pub status: String,
    pub priority: String,
    pub created_at: i64,
    pub routed_at: Option<i64>,
    pub sla_target_minutes: Option<i64>,
    pub due_at: Option<i64>,
    pub first_response_at: Option<i64>,
    pub sla_breached: bool,
    pub assignee_id: Option<i64>,
    pub updated_at: i64,
    pub at_risk_at: Option<i64>,
    pub incident_id: Option<i64>,
    pub notice_id: Option<i64>,
    pub unrelated_statement: Option<String>,
}

const COLUMNS: &str = "id, reporter_id, endpoint, endpoint_template, method, status_code, \
    transport, class, message, request_id, occurred_at, reporter_timezone, environment, \
    retries, retry_interval_secs, retry_followed, retry_reason, description, excerpt, \
    token_fingerprints, guidance_slug, disposition, feedback, escalation_note, recontact, \
    status, priority, created_at, routed_at, sla_target_minutes, due_at, first_response_at, \
    sla_breached, assignee_id, updated_at, at_risk_at, incident_id, notice_id, unrelated_statement";

/// A report ready to store: validated, scrubbed and classified.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub reporter_id: i64,
    pub endpoint: String,
    pub endpoint_template: String,
    pub method: String,
    pub status_code: Option<i64>,
    pub transport: Option<String>,
    pub class: String,
    pub message: String,
    pub request_id: Option<String>,
    pub occurred_at: DateTime<Utc>,
    pub reporter_timezone: String,
    pub environment: String,
    pub retries: i64,
    pub retry_interval_secs: Option<i64>,
    pub retry_followed: bool,
    pub retry_reason: Option<String>,
    pub description: String,
    pub excerpt: Option<String>,
    pub token_fingerprints: String,
    pub guidance_slug: Option<String>,
    pub disposition: String,
    pub feedback: Option<String>,
    pub status: String,
    pub priority: String,
    pub created_at: DateTime<Utc>,
    /// The local date (support timezone) of `created_at`, YYYY-MM-DD.
    pub created_day: String,
    /// For tickets: when it entered the queue, its target and its due time.
    pub sla: Option<SlaStart>,
    /// The maintenance notice whose window it falls in.
    pub notice_id: Option<i64>,
    /// For routed server errors: the incident key to group it under, and the window.
    pub incident: Option<(String, i64)>,
}

/// The first-response clock of a new ticket.
#[derive(Debug, Clone, Copy)]
pub struct SlaStart {
    pub routed_at: DateTime<Utc>,
    pub target_minutes: i64,
    pub due_at: DateTime<Utc>,
    pub at_risk_at: DateTime<Utc>,
}

/// Whether `reporter` had a deflected report for the same endpoint template and status
/// code since `since` (a re-filing within 24 hours counts as a re-contact).
#[tracing::instrument(skip(db))]
pub async fn has_recent_deflected(
    db: &Db,
    reporter: i64,
    template: &str,
    code: i64,
    since: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sql = "SELECT COUNT(*) FROM reports WHERE reporter_id = $1 AND endpoint_template = $2 \
               AND status_code = $3 AND created_at >= $4 AND disposition = 'deflected'";
    let (n,): (i64,) = on_db!(db, pool => sqlx::query_as(sql)
        .bind(reporter)
        .bind(template)
        .bind(code)
        .bind(millis(since))
        .fetch_one(pool)
        .await)?;
    Ok(n > 0)
}

/// Stores a report and its "filed" event in one transaction, joining (or starting) its
/// incident; returns its id and the incident's.
#[tracing::instrument(skip_all, fields(reporter = r.reporter_id, class = %r.class))]
pub async fn insert(
    db: &Db,
    r: &NewReport,
    recontact: bool,
) -> Result<(i64, Option<i64>), sqlx::Error> {
    let sql =
        "INSERT INTO reports (reporter_id, endpoint, endpoint_template, method, status_code, \
        transport, class, message, request_id, occurred_at, reporter_timezone, environment, \
        retries, retry_interval_secs, retry_followed, retry_reason, description, excerpt, \
        token_fingerprints, guidance_slug, disposition, feedback, recontact, status, priority, \
        created_at, routed_at, sla_target_minutes, due_at, at_risk_at, updated_at, created_day, \
        notice_id) \
        VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
        $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $26, $31, $32) RETURNING id";
    let detail = match (
        crate::domain::status::FailureClass::parse(&r.class),
        crate::domain::ticket::Disposition::parse(&r.disposition),
    ) {
        (Ok(class), Some(disposition)) => format!("{}: {}", class.label(), disposition.label()),
        _ => format!("{} ({})", r.class, r.disposition),
    };
    on_db!(db, pool => {
        let mut tx = pool.begin_with(begin_sql(pool)).await?;
        // Read RETURNING to its end (fetch_all): an unfinished statement on SQLite
        // blocks WAL checkpoints.
        let ids: Vec<(i64,)> = sqlx::query_as(sql)
            .bind(r.reporter_id)
            .bind(&r.endpoint)
            .bind(&r.endpoint_template)
            .bind(&r.method)
            .bind(r.status_code)
            .bind(&r.transport)
            .bind(&r.class)
            .bind(&r.message)
            .bind(&r.request_id)
            .bind(millis(r.occurred_at))
            .bind(&r.reporter_timezone)
            .bind(&r.environment)
            .bind(r.retries)
            .bind(r.retry_interval_secs)
            .bind(r.retry_followed)
            .bind(&r.retry_reason)
            .bind(&r.description)
            .bind(&r.excerpt)
            .bind(&r.token_fingerprints)
            .bind(&r.guidance_slug)
            .bind(&r.disposition)
            .bind(&r.feedback)
            .bind(recontact)
            .bind(&r.status)
            .bind(&r.priority)
            .bind(millis(r.created_at))
            .bind(r.sla.map(|s| millis(s.routed_at)))
            .bind(r.sla.map(|s| s.target_minutes))
            .bind(r.sla.map(|s| millis(s.due_at)))
            .bind(r.sla.map(|s| millis(s.at_risk_at)))
            .bind(&r.created_day)
            .bind(r.notice_id)
            .fetch_all(&mut *tx)
            .await?;
        let id = ids.first().map(|r| r.0).ok_or(sqlx::Error::RowNotFound)?;
        record_event!(tx, id, r.reporter_id, "filed", &detail, millis(r.created_at))?;
        let incident = match &r.incident {
            Some((key, window_ms)) => {
                Some(super::incidents::join_incident!(tx, key, id, millis(r.created_at), *window_ms))
            }
            None => None,
        };
        tx.commit().await?;
        Ok((id, incident))
    })
}

/// One report by id (the caller checks who may see it).
#[tracing::instrument(skip(db))]
pub async fn get(db: &Db, id: i64) -> Result<Option<ReportRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM reports WHERE id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// A reporter's reports, newest first, `limit` at a time, before id `before` (keyset).
#[tracing::instrument(skip(db))]
pub async fn list_for_reporter(
    db: &Db,
    reporter: i64,
    before: Option<i64>,
    limit: i64,
) -> Result<Vec<ReportRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM reports WHERE reporter_id = $1 AND id < $2 \
         ORDER BY id DESC LIMIT $3"
    );
    on_db!(db, pool => sqlx::query_as(&sql)
        .bind(reporter)
        .bind(before.unwrap_or(i64::MAX))
        .bind(limit)
        .fetch_all(pool)
        .await)
}

/// A report's history, oldest first: (kind, detail, actor email, at).
#[tracing::instrument(skip(db))]
pub async fn events(db: &Db, id: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    let sql = "SELECT e.kind, e.detail, u.email AS actor, e.created_at FROM report_events e \
               LEFT JOIN users u ON u.id = e.actor_id WHERE e.report_id = $1 ORDER BY e.id";
    on_db!(db, pool => sqlx::query_as(sql).bind(id).fetch_all(pool).await)
}

/// One entry of a report's (or a notice's) history.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct EventRow {
    pub kind: String,
    pub detail: String,
    pub actor: Option<String>,
    pub created_at: i64,
}

impl EventRow {
    /// The entry as people see it, with the time in `tz`.
    pub fn into_view(self, tz: &str) -> crate::api::reports::EventView {
        crate::api::reports::EventView {
            kind: self.kind,
            detail: self.detail,
            actor: self.actor.unwrap_or_else(|| "Faultdesk".to_owned()),
            at_local: crate::domain::timefmt::format_local(
                super::db::from_millis(self.created_at),
                tz,
            ),
        }
    }
}

/// The developer's answer to guidance: solved. Only a pending, deflected report of
/// `reporter` changes; returns whether one did.
#[tracing::instrument(skip(db))]
pub async fn mark_self_solved(
    db: &Db,
    id: i64,
    reporter: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE reports SET feedback = 'self_solved', status = 'closed', updated_at = $1 \
               WHERE id = $2 AND reporter_id = $3 AND disposition = 'deflected' \
               AND feedback = 'pending'";
    on_db!(db, pool => {
        let mut tx = pool.begin_with(begin_sql(pool)).await?;
        let changed = sqlx::query(sql)
            .bind(millis(now))
            .bind(id)
            .bind(reporter)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 1 {
            record_event!(tx, id, reporter, "self_solved", "The guidance solved it.", millis(now))?;
        }
        tx.commit().await?;
        Ok(changed == 1)
    })
}

/// The developer's answer to guidance: still failing. The report becomes a low-priority
/// ticket with its own first-response clock. Same conditions as [`mark_self_solved`].
#[tracing::instrument(skip(db, note))]
pub async fn escalate(
    db: &Db,
    id: i64,
    reporter: i64,
    note: &str,
    sla: SlaStart,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE reports SET feedback = 'escalated', disposition = 'escalated', \
               status = 'new', priority = 'low', escalation_note = $1, routed_at = $2, \
               sla_target_minutes = $3, due_at = $4, updated_at = $5, at_risk_at = $8 \
               WHERE id = $6 AND reporter_id = $7 AND disposition = 'deflected' \
               AND feedback = 'pending'";
    on_db!(db, pool => {
        let mut tx = pool.begin_with(begin_sql(pool)).await?;
        let changed = sqlx::query(sql)
            .bind(note)
            .bind(millis(sla.routed_at))
            .bind(sla.target_minutes)
            .bind(millis(sla.due_at))
            .bind(millis(now))
            .bind(id)
            .bind(reporter)
            .bind(millis(sla.at_risk_at))
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if changed == 1 {
            record_event!(tx, id, reporter, "escalated", format!("Still failing: {note}"), millis(now))?;
        }
        tx.commit().await?;
        Ok(changed == 1)
    })
}

/// A report filed during maintenance that the developer says is unrelated: it is routed
/// like any server error (its clock starts now, it joins its incident) and the
/// statement is kept. Only a pending maintenance report of `reporter` changes.
#[tracing::instrument(skip(db, statement))]
pub async fn route_unrelated(
    db: &Db,
    id: i64,
    reporter: i64,
    statement: &str,
    sla: SlaStart,
    incident: (&str, i64),
    now: DateTime<Utc>,
) -> Result<Option<Option<i64>>, sqlx::Error> {
    let at = millis(now);
    on_db!(db, pool => {
        let mut tx = pool.begin_with(begin_sql(pool)).await?;
        let n = sqlx::query(
            "UPDATE reports SET disposition = 'routed', feedback = NULL, status = 'new', \
             unrelated_statement = $1, routed_at = $2, sla_target_minutes = $3, due_at = $4, \
             at_risk_at = $5, updated_at = $2 WHERE id = $6 AND reporter_id = $7 \
             AND disposition = 'maintenance' AND feedback = 'pending'",
        )
        .bind(statement)
        .bind(millis(sla.routed_at))
        .bind(sla.target_minutes)
        .bind(millis(sla.due_at))
        .bind(millis(sla.at_risk_at))
        .bind(id)
        .bind(reporter)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            tx.rollback().await?;
            return Ok(None);
        }
        record_event!(tx, id, reporter, "unrelated", format!("Not caused by the maintenance: {statement}"), at)?;
        let incident = super::incidents::join_incident!(tx, incident.0, id, at, incident.1);
        tx.commit().await?;
        Ok(Some(Some(incident)))
    })
}
