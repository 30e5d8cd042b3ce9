//! The `reports` aggregate: failure reports, the tickets they become, and their history.
//!
//! Reads take the read pool ([`Db`]); writes take the transaction of the user action
//! they belong to ([`Tx`]). Lock order on PostgreSQL, kept by every write: incident
//! rows before report rows (and, by trigger, their day's version row).

use super::{
    db::{active_status, millis, on_db, on_tx, Db, Tx},
    error::stored,
};
use crate::{
    domain::{
        status::FailureClass,
        ticket::{Disposition, Feedback, TicketStatus},
    },
    error::AppError,
};
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use std::collections::HashMap;

/// Records one entry of a report's history.
pub async fn record_event(
    tx: &mut Tx,
    report: i64,
    actor: Option<i64>,
    kind: &str,
    detail: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO report_events (report_id, actor_id, kind, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(report)
    .bind(actor)
    .bind(kind)
    .bind(detail)
    .bind(at)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Records the same history entry on many reports at once.
pub async fn record_events(
    tx: &mut Tx,
    reports: &[i64],
    actor: Option<i64>,
    kind: &str,
    detail: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    for chunk in reports.chunks(ROWS_PER_INSERT) {
        on_tx!(tx, c => {
            let mut q = QueryBuilder::new(
            "INSERT INTO report_events (report_id, actor_id, kind, detail, created_at) ",
        );
        q.push_values(chunk, |mut b, id| {
            b.push_bind(*id)
                .push_bind(actor)
                .push_bind(kind)
                .push_bind(detail)
                .push_bind(at);
        });
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    Ok(())
}

/// A public reply by staff member `author` on ticket `report` at `at` (ms). If it is
/// the first, it stops the first-response clock, records met or breached for good and
/// the business seconds it took; an unassigned ticket goes to the author, and a new
/// one opens. Returns `Some(breached)` when it stopped the clock.
pub async fn answer_publicly(
    tx: &mut Tx,
    report: i64,
    author: i64,
    business_secs: i64,
    at: i64,
) -> Result<Option<bool>, sqlx::Error> {
    on_tx!(tx, c => {
        let stopped: Vec<(bool,)> = sqlx::query_as(
            "UPDATE reports SET first_response_at = $1, sla_breached = (due_at < $1), \
             first_response_business_secs = $3, updated_at = $1 WHERE id = $2 \
             AND first_response_at IS NULL AND due_at IS NOT NULL RETURNING sla_breached",
        )
        .bind(at)
        .bind(report)
        .bind(business_secs)
        .fetch_all(&mut *c)
        .await?;
        sqlx::query(
            "UPDATE reports SET assignee_id = COALESCE(assignee_id, $1), \
             status = CASE WHEN status = 'new' THEN 'open' ELSE status END, updated_at = $2 \
             WHERE id = $3",
        )
        .bind(author)
        .bind(at)
        .bind(report)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?;
        Ok(stopped.first().map(|(breached,)| *breached))
    })
}

/// Every column of a report, as stored. Converted to wire types by the services.
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
    pub guidance_version: Option<i64>,
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

impl ReportRow {
    /// The ticket status, parsed strictly.
    pub fn status(&self) -> Result<TicketStatus, AppError> {
        stored(
            TicketStatus::parse(&self.status),
            "ticket status",
            &self.status,
        )
    }

    /// The disposition, parsed strictly.
    pub fn disposition(&self) -> Result<Disposition, AppError> {
        stored(
            Disposition::parse(&self.disposition),
            "disposition",
            &self.disposition,
        )
    }

    /// The failure class, parsed strictly.
    pub fn class(&self) -> Result<FailureClass, AppError> {
        stored(
            FailureClass::parse(&self.class).ok(),
            "failure class",
            &self.class,
        )
    }

    /// The developer's answer to guidance, parsed strictly.
    pub fn feedback(&self) -> Result<Option<Feedback>, AppError> {
        self.feedback
            .as_deref()
            .map(|f| stored(Feedback::parse(f), "feedback", f))
            .transpose()
    }
}

const COLUMNS: &str = "id, reporter_id, endpoint, endpoint_template, method, status_code, \
    transport, class, message, request_id, occurred_at, reporter_timezone, environment, \
    retries, retry_interval_secs, retry_followed, retry_reason, description, excerpt, \
    token_fingerprints, guidance_slug, guidance_version, disposition, feedback, escalation_note, \
    recontact, status, priority, created_at, routed_at, sla_target_minutes, due_at, first_response_at, \
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
    /// The version of the guidance article shown.
    pub guidance_version: Option<i64>,
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
    /// The history entry "filed" (what Faultdesk did with it).
    pub filed_detail: String,
    /// Whether it is a ticket in the queue (live views hear of it).
    pub is_ticket: bool,
}

impl NewReport {
    /// The row this report was stored as, `filed` telling what the store added.
    pub fn stored_row(&self, filed: &Filed) -> ReportRow {
        ReportRow {
            id: filed.id,
            reporter_id: self.reporter_id,
            endpoint: self.endpoint.clone(),
            endpoint_template: self.endpoint_template.clone(),
            method: self.method.clone(),
            status_code: self.status_code,
            transport: self.transport.clone(),
            class: self.class.clone(),
            message: self.message.clone(),
            request_id: self.request_id.clone(),
            occurred_at: millis(self.occurred_at),
            reporter_timezone: self.reporter_timezone.clone(),
            environment: self.environment.clone(),
            retries: self.retries,
            retry_interval_secs: self.retry_interval_secs,
            retry_followed: self.retry_followed,
            retry_reason: self.retry_reason.clone(),
            description: self.description.clone(),
            excerpt: self.excerpt.clone(),
            token_fingerprints: self.token_fingerprints.clone(),
            guidance_slug: self.guidance_slug.clone(),
            guidance_version: self.guidance_version,
            disposition: self.disposition.clone(),
            feedback: self.feedback.clone(),
            escalation_note: None,
            recontact: filed.recontact,
            status: self.status.clone(),
            priority: self.priority.clone(),
            created_at: millis(self.created_at),
            routed_at: self.sla.map(|s| millis(s.routed_at)),
            sla_target_minutes: self.sla.map(|s| s.target_minutes),
            due_at: self.sla.map(|s| millis(s.due_at)),
            first_response_at: None,
            sla_breached: false,
            assignee_id: None,
            updated_at: millis(self.created_at),
            at_risk_at: self.sla.map(|s| millis(s.at_risk_at)),
            incident_id: filed.incident.as_ref().map(|i| i.id),
            notice_id: self.notice_id,
            unrelated_statement: None,
        }
    }
}

/// The clocks a new ticket starts: first response and resolution.
#[derive(Debug, Clone, Copy)]
pub struct SlaStart {
    pub routed_at: DateTime<Utc>,
    pub target_minutes: i64,
    pub due_at: DateTime<Utc>,
    pub at_risk_at: DateTime<Utc>,
    pub resolution_target_minutes: i64,
    pub resolution_due_at: DateTime<Utc>,
    pub resolution_at_risk_at: DateTime<Utc>,
    /// Whether waiting on the developer pauses the resolution clock.
    pub resolution_pauses: bool,
}

/// A stored report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filed {
    pub id: i64,
    /// The incident it joined or started, as the filing left it.
    pub incident: Option<super::incidents::IncidentSnapshot>,
    /// Whether it re-files a deflected report of the last 24 hours.
    pub recontact: bool,
}

/// Rows per multi-row `INSERT`: few distinct statement texts (each engine prepares and
/// caches one per row count), few round trips.
const ROWS_PER_INSERT: usize = 16;

/// A re-filing within this long of a deflected report counts as a re-contact.
const RECONTACT_MS: i64 = 24 * 3600 * 1000;

/// Stores reports with their "filed" history entries, joining (or starting) their
/// incidents, with set-based statements: an outage flood of N reports costs a handful
/// of statements (incident, reports, history), not N transactions. Returns one
/// [`Filed`] per report, in order.
#[tracing::instrument(level = "debug", skip_all, fields(count = list.len()))]
pub async fn insert_batch(tx: &mut Tx, list: &[NewReport]) -> Result<Vec<Filed>, sqlx::Error> {
    if list.is_empty() {
        return Ok(Vec::new());
    }
    let recontact = if list.iter().any(|r| r.disposition == "deflected") {
        recontacts(tx, list).await?
    } else {
        vec![false; list.len()]
    };
    // Incident rows first (the lock order every write keeps), then the reports.
    let claims = super::incidents::claim(tx, list).await?;
    let mut ids = Vec::with_capacity(list.len());
    for (start, chunk) in (0..list.len())
        .step_by(ROWS_PER_INSERT)
        .map(|s| (s, &list[s..(s + ROWS_PER_INSERT).min(list.len())]))
    {
        let end = start + chunk.len();
        ids.extend(insert_rows(tx, chunk, &recontact[start..end], &claims.rows[start..end]).await?);
    }
    let rows: Vec<(i64, &NewReport)> = ids.iter().copied().zip(list).collect();
    for chunk in rows.chunks(ROWS_PER_INSERT) {
        on_tx!(tx, c => {
            let mut q = QueryBuilder::new(
                "INSERT INTO report_events (report_id, actor_id, kind, detail, created_at) ",
            );
            q.push_values(chunk, |mut b, (id, r)| {
                b.push_bind(*id)
                    .push_bind(r.reporter_id)
                    .push_bind("filed")
                    .push_bind(&r.filed_detail)
                    .push_bind(millis(r.created_at));
            });
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    super::incidents::settle_leads(tx, &claims, &ids).await?;
    tx.changed(
        "created",
        rows.iter().filter(|(_, r)| r.is_ticket).map(|(id, _)| *id),
    );
    Ok(ids
        .iter()
        .enumerate()
        .map(|(i, id)| Filed {
            id: *id,
            incident: claims.snapshots[i].clone(),
            recontact: recontact[i],
        })
        .collect())
}

/// The columns every report `INSERT` lists, in the order their values are bound
/// ([`bind_report_head!`] binds the first 22).
macro_rules! report_columns {
    () => {
        "reporter_id, endpoint, endpoint_template, method, status_code, transport, class, \
         message, request_id, occurred_at, reporter_timezone, environment, retries, \
         retry_interval_secs, retry_followed, retry_reason, description, excerpt, \
         token_fingerprints, guidance_slug, disposition, feedback, recontact, status, \
         priority, created_at, routed_at, sla_target_minutes, due_at, at_risk_at, updated_at, \
         created_day, notice_id, incident_id, incident_member, resolution_target_minutes, \
         resolution_due_at, resolution_at_risk_at, resolution_pauses, guidance_version"
    };
}

/// What PostgreSQL's filing statements answer of each incident they join or start:
/// whether its lead is still active, and the incident as the filing leaves it.
macro_rules! pg_claimed_incident {
    () => {
        concat!(
            "lead_report_id, COALESCE((SELECT ",
            $crate::server::db::active_status!("r."),
            " FROM reports r WHERE r.id = incidents.lead_report_id), FALSE) AS lead_active, \
             report_count, status, latest_update, latest_update_at"
        )
    };
}

/// The statement that files a batch of reports on PostgreSQL in one round trip: the
/// batch's ids drawn from the sequence in order, the incidents joined or started (a new
/// incident led by its first report), the reports with their re-contact flags, their
/// "filed" history entries (the writer publishes the live event after the commit).
/// Columns arrive as arrays, so the text never changes
/// (planned once per connection, whatever the batch size: the writer's connections use
/// generic plans). Row lookups are scalar subqueries, never `EXISTS`, which a plan made
/// while the tables were small turns into a hashed scan of every report.
const FILE_IN_ONE_STATEMENT: &str = concat!(
    "WITH v AS MATERIALIZED (SELECT * FROM UNNEST($1::bigint[], $2::text[], $3::text[], \
  $4::text[], $5::bigint[], $6::text[], $7::text[], $8::text[], $9::text[], $10::bigint[], \
  $11::text[], $12::text[], $13::bigint[], $14::bigint[], $15::boolean[], $16::text[], \
  $17::text[], $18::text[], $19::text[], $20::text[], $21::text[], $22::text[], $23::text[], \
  $24::text[], $25::bigint[], $26::bigint[], $27::bigint[], $28::bigint[], $29::bigint[], \
  $30::text[], $31::bigint[], $32::text[], $33::boolean[], $34::boolean[], $35::text[], \
  $44::bigint[], $45::bigint[], $46::bigint[], $47::boolean[], \
  $48::bigint[]) \
  WITH ORDINALITY AS v (reporter_id, endpoint, endpoint_template, method, \
  status_code, transport, class, message, request_id, occurred_at, reporter_timezone, \
  environment, retries, retry_interval_secs, retry_followed, retry_reason, description, \
  excerpt, token_fingerprints, guidance_slug, disposition, feedback, status, priority, \
  created_at, routed_at, sla_target_minutes, due_at, at_risk_at, created_day, notice_id, \
  group_key, recontact_in_batch, check_recontact, filed_detail, \
  resolution_target_minutes, resolution_due_at, resolution_at_risk_at, resolution_pauses, \
  guidance_version, ord)), \
num AS MATERIALIZED (SELECT id, row_number() OVER (ORDER BY id) AS ord FROM \
  (SELECT nextval('reports_id_seq') AS id \
   FROM generate_series(1, cardinality($1::bigint[]))) s), \
g AS (SELECT * FROM UNNEST($36::text[], $37::bigint[], $38::bigint[], $39::bigint[], \
  $40::bigint[], $41::bigint[]) AS g (group_key, report_count, first_at, last_at, first_ord, \
  reporter)), \
inc AS (INSERT INTO incidents (group_key, status, accepting, lead_report_id, report_count, \
  first_report_at, last_report_at, created_at) \
  SELECT g.group_key, 'open', TRUE, num.id, g.report_count, g.first_at, g.last_at, g.first_at \
  FROM g JOIN num ON num.ord = g.first_ord ORDER BY g.group_key \
  ON CONFLICT (group_key) WHERE accepting DO UPDATE SET \
  report_count = incidents.report_count + excluded.report_count, \
  last_report_at = GREATEST(incidents.last_report_at, excluded.last_report_at) \
  WHERE incidents.last_report_at >= excluded.first_report_at - $42 \
  RETURNING id, group_key, ",
    pg_claimed_incident!(),
    "), \
rep AS (INSERT INTO reports (id, ",
    report_columns!(),
    ") SELECT num.id, v.reporter_id, v.endpoint, v.endpoint_template, v.method, v.status_code, \
  v.transport, v.class, v.message, v.request_id, v.occurred_at, v.reporter_timezone, \
  v.environment, v.retries, v.retry_interval_secs, v.retry_followed, v.retry_reason, \
  v.description, v.excerpt, v.token_fingerprints, v.guidance_slug, v.disposition, \
  v.feedback, v.recontact_in_batch OR (v.check_recontact AND COALESCE((SELECT r.created_at \
    FROM reports r WHERE r.reporter_id = v.reporter_id \
    AND r.endpoint_template = v.endpoint_template AND r.status_code = v.status_code \
    AND r.disposition = 'deflected' ORDER BY r.created_at DESC LIMIT 1) \
    >= v.created_at - $43, FALSE)), \
  v.status, v.priority, v.created_at, v.routed_at, v.sla_target_minutes, v.due_at, \
  v.at_risk_at, v.created_at, v.created_day, v.notice_id, inc.id, \
  CASE WHEN v.group_key IS NULL THEN FALSE \
    WHEN inc.lead_report_id = num.id THEN FALSE \
    WHEN inc.lead_report_id IN (SELECT id FROM num) OR inc.lead_active THEN TRUE \
    ELSE faultdesk_file_in_transaction() END, \
  v.resolution_target_minutes, v.resolution_due_at, v.resolution_at_risk_at, \
  COALESCE(v.resolution_pauses, FALSE), v.guidance_version \
  FROM v JOIN num USING (ord) LEFT JOIN inc ON inc.group_key = v.group_key ORDER BY num.id \
  RETURNING id, recontact, incident_id), \
ev AS (INSERT INTO report_events (report_id, actor_id, kind, detail, created_at) \
  SELECT num.id, v.reporter_id, 'filed', v.filed_detail, v.created_at \
  FROM v JOIN num USING (ord) ORDER BY num.id) \
SELECT rep.id, rep.recontact, inc.id, inc.report_count, inc.status, inc.latest_update, \
  inc.latest_update_at, COALESCE((SELECT TRUE FROM incident_followers f \
    WHERE f.incident_id = inc.id AND f.user_id = g.reporter), FALSE) \
FROM rep LEFT JOIN inc ON inc.id = rep.incident_id LEFT JOIN g ON g.group_key = inc.group_key ORDER BY rep.id"
);

/// What [`FILE_IN_ONE_STATEMENT`] answers per report: id, re-contact, and the incident
/// as the filing left it (id, count, status, latest update and its time, whether the
/// group's one reporter follows it).
type FiledRow = (
    i64,
    bool,
    Option<i64>,
    Option<i64>,
    Option<String>,
    Option<String>,
    Option<i64>,
    bool,
);

/// Files a batch like [`insert_batch`], on PostgreSQL, with one statement outside an
/// explicit transaction, so the statement's own commit makes it whole (one round trip
/// instead of six: the commit's flush was most of a lone filing's time, the round trips
/// most of the rest). `Ok(None)` when the batch needs the step-by-step path and nothing
/// was written: the server refused the statement (an incident to recompute or to close,
/// see `migrations/postgres/0010_filing_statement.sql`; a deadlock; a bad report), or the
/// batch's incident windows differ; the caller then runs [`insert_batch`] in a
/// transaction. Any other error may come after the commit (the connection lost while
/// the answer was on its way), so it is never retried here.
#[tracing::instrument(level = "debug", skip_all, fields(count = list.len()))]
pub async fn file_in_one_statement(
    c: &mut sqlx::PgConnection,
    list: &[NewReport],
) -> Result<Option<Vec<Filed>>, sqlx::Error> {
    let groups = super::incidents::groups(list);
    let window = match groups.first() {
        Some(g) if groups.iter().any(|o| o.join.window_ms != g.join.window_ms) => return Ok(None),
        Some(g) => g.join.window_ms,
        None => 0,
    };
    let mut group_of: Vec<Option<usize>> = vec![None; list.len()];
    for (n, g) in groups.iter().enumerate() {
        for &i in &g.rows {
            group_of[i] = Some(n);
        }
    }
    let in_batch = recontacts_after(list, HashMap::new());
    let check = list.iter().any(|r| r.disposition == "deflected");
    fn col<'a, T>(list: &'a [NewReport], f: impl Fn(&'a NewReport) -> T) -> Vec<T> {
        list.iter().map(f).collect()
    }
    let rows: Vec<FiledRow> = match sqlx::query_as(FILE_IN_ONE_STATEMENT)
        .bind(col(list, |r| r.reporter_id))
        .bind(col(list, |r| r.endpoint.as_str()))
        .bind(col(list, |r| r.endpoint_template.as_str()))
        .bind(col(list, |r| r.method.as_str()))
        .bind(col(list, |r| r.status_code))
        .bind(col(list, |r| r.transport.as_deref()))
        .bind(col(list, |r| r.class.as_str()))
        .bind(col(list, |r| r.message.as_str()))
        .bind(col(list, |r| r.request_id.as_deref()))
        .bind(col(list, |r| millis(r.occurred_at)))
        .bind(col(list, |r| r.reporter_timezone.as_str()))
        .bind(col(list, |r| r.environment.as_str()))
        .bind(col(list, |r| r.retries))
        .bind(col(list, |r| r.retry_interval_secs))
        .bind(col(list, |r| r.retry_followed))
        .bind(col(list, |r| r.retry_reason.as_deref()))
        .bind(col(list, |r| r.description.as_str()))
        .bind(col(list, |r| r.excerpt.as_deref()))
        .bind(col(list, |r| r.token_fingerprints.as_str()))
        .bind(col(list, |r| r.guidance_slug.as_deref()))
        .bind(col(list, |r| r.disposition.as_str()))
        .bind(col(list, |r| r.feedback.as_deref()))
        .bind(col(list, |r| r.status.as_str()))
        .bind(col(list, |r| r.priority.as_str()))
        .bind(col(list, |r| millis(r.created_at)))
        .bind(col(list, |r| r.sla.map(|s| millis(s.routed_at))))
        .bind(col(list, |r| r.sla.map(|s| s.target_minutes)))
        .bind(col(list, |r| r.sla.map(|s| millis(s.due_at))))
        .bind(col(list, |r| r.sla.map(|s| millis(s.at_risk_at))))
        .bind(col(list, |r| r.created_day.as_str()))
        .bind(col(list, |r| r.notice_id))
        .bind(col(list, |r| r.incident.as_ref().map(|(k, _)| k.as_str())))
        .bind(in_batch)
        .bind(col(list, |r| check && r.status_code.is_some()))
        .bind(col(list, |r| r.filed_detail.as_str()))
        .bind(groups.iter().map(|g| g.join.key).collect::<Vec<_>>())
        .bind(groups.iter().map(|g| g.join.count).collect::<Vec<_>>())
        .bind(groups.iter().map(|g| g.join.first_at).collect::<Vec<_>>())
        .bind(groups.iter().map(|g| g.join.last_at).collect::<Vec<_>>())
        .bind(
            groups
                .iter()
                .map(|g| i64::try_from(g.rows[0] + 1).unwrap_or(i64::MAX))
                .collect::<Vec<_>>(),
        )
        .bind(
            groups
                .iter()
                .map(|g| g.join.reporter.unwrap_or(-1))
                .collect::<Vec<_>>(),
        )
        .bind(window)
        .bind(RECONTACT_MS)
        .bind(col(list, |r| r.sla.map(|s| s.resolution_target_minutes)))
        .bind(col(list, |r| r.sla.map(|s| millis(s.resolution_due_at))))
        .bind(col(list, |r| {
            r.sla.map(|s| millis(s.resolution_at_risk_at))
        }))
        .bind(col(list, |r| r.sla.is_some_and(|s| s.resolution_pauses)))
        .bind(col(list, |r| r.guidance_version))
        .fetch_all(c)
        .await
    {
        Ok(rows) => rows,
        Err(sqlx::Error::Database(e)) => {
            tracing::debug!(error = %e, "a batch of filings goes the step-by-step way");
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    if rows.len() != list.len() {
        return Err(sqlx::Error::RowNotFound);
    }
    rows.into_iter()
        .zip(group_of)
        .map(|(row, group)| {
            let one_reporter = group.is_some_and(|g| groups[g].join.reporter.is_some());
            filed_from_row(row, group.is_some(), one_reporter)
        })
        .collect::<Result<_, _>>()
        .map(Some)
}

/// Binds a report's columns from `reporter_id` to `feedback`, in the order every
/// report `INSERT` lists them, with `bind` (a query) or `push_bind` (a `QueryBuilder`
/// row); the caller chains the rest.
macro_rules! bind_report_head {
    ($q:expr, $bind:ident, $r:expr) => {
        $q.$bind($r.reporter_id)
            .$bind(&$r.endpoint)
            .$bind(&$r.endpoint_template)
            .$bind(&$r.method)
            .$bind($r.status_code)
            .$bind(&$r.transport)
            .$bind(&$r.class)
            .$bind(&$r.message)
            .$bind(&$r.request_id)
            .$bind(millis($r.occurred_at))
            .$bind(&$r.reporter_timezone)
            .$bind(&$r.environment)
            .$bind($r.retries)
            .$bind($r.retry_interval_secs)
            .$bind($r.retry_followed)
            .$bind(&$r.retry_reason)
            .$bind(&$r.description)
            .$bind(&$r.excerpt)
            .$bind(&$r.token_fingerprints)
            .$bind(&$r.guidance_slug)
            .$bind(&$r.disposition)
            .$bind(&$r.feedback)
    };
}

/// Binds a lone report's parameters `$23` to `$36` (status to guidance version) after
/// [`bind_report_head!`], as [`file_one_sqlite`]'s view and [`FILE_ONE_STATEMENT`]
/// number them.
macro_rules! bind_report_tail {
    ($q:expr, $r:expr) => {
        $q.bind(&$r.status)
            .bind(&$r.priority)
            .bind(millis($r.created_at))
            .bind($r.sla.map(|s| millis(s.routed_at)))
            .bind($r.sla.map(|s| s.target_minutes))
            .bind($r.sla.map(|s| millis(s.due_at)))
            .bind($r.sla.map(|s| millis(s.at_risk_at)))
            .bind(&$r.created_day)
            .bind($r.notice_id)
            .bind($r.sla.map(|s| s.resolution_target_minutes))
            .bind($r.sla.map(|s| millis(s.resolution_due_at)))
            .bind($r.sla.map(|s| millis(s.resolution_at_risk_at)))
            .bind($r.sla.is_some_and(|s| s.resolution_pauses))
            .bind($r.guidance_version)
    };
}

/// A lone report's values in [`report_columns!`] order, as [`file_one_sqlite`]'s view
/// and [`FILE_ONE_STATEMENT`] bind them: its 36 parameters, the re-contact flag computed
/// in place (`$37` says whether to look, `$38` from when), and the incident and member
/// flag given as SQL.
macro_rules! lone_report_values {
    ($incident:expr, $member:expr) => {
        concat!(
            "$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
             $19, $20, $21, $22, $37 AND COALESCE((SELECT r.created_at FROM reports r \
               WHERE r.reporter_id = $1 AND r.endpoint_template = $3 AND r.status_code = $5 \
               AND r.disposition = 'deflected' ORDER BY r.created_at DESC LIMIT 1) >= $38, \
               FALSE), \
             $23, $24, $25, $26, $27, $28, $29, $25, $30, $31, ",
            $incident,
            ", ",
            $member,
            ", $32, $33, $34, $35, $36"
        )
    };
}

/// The report row of the SQLite lone filing ([`lone_report_values!`]), with the
/// incident (`$40`) it joins as the statements before it left it.
macro_rules! sqlite_insert_one {
    ($incident:expr, $member:expr) => {
        concat!(
            "INSERT INTO reports (",
            report_columns!(),
            ") VALUES (",
            lone_report_values!($incident, $member),
            "); "
        )
    };
}

/// The "filed" history entry of the report just inserted (the writer is alone, so the
/// newest id is that report's).
macro_rules! sqlite_filed_event {
    () => {
        "INSERT INTO report_events (report_id, actor_id, kind, detail, created_at) \
         VALUES ((SELECT MAX(id) FROM reports), $1, 'filed', $39, $25); "
    };
}

/// The SQLite lone filing of a report outside any incident: the report and its history
/// entry.
const FILE_ONE_SQLITE_PLAIN: &str =
    concat!(sqlite_insert_one!("NULL", "FALSE"), sqlite_filed_event!());

/// The SQLite lone filing of a routed report that joins (or starts) an incident: the
/// same steps as [`insert_batch`] with `incidents::claim` and `settle_leads`, each a
/// statement. An accepting incident whose window passed stops accepting; the report
/// joins the accepting incident (or a new one); it is a member when the incident's
/// lead is active; a new incident is led by the report; an incident whose lead is no
/// longer active is recomputed, and its members marked only then (`changes()`: the
/// recomputation changed a row).
const FILE_ONE_SQLITE_INCIDENT: &str = concat!(
    "UPDATE incidents SET accepting = FALSE WHERE group_key = $40 AND accepting \
     AND last_report_at < $41; ",
    "INSERT INTO incidents (group_key, status, accepting, lead_report_id, report_count, \
     first_report_at, last_report_at, created_at) VALUES ($40, 'open', TRUE, NULL, 1, $25, \
     $25, $25) ON CONFLICT (group_key) WHERE accepting DO UPDATE SET \
     report_count = incidents.report_count + 1, \
     last_report_at = CASE WHEN incidents.last_report_at < excluded.last_report_at \
       THEN excluded.last_report_at ELSE incidents.last_report_at END; ",
    sqlite_insert_one!(
        "(SELECT id FROM incidents WHERE group_key = $40 AND accepting)",
        concat!(
            "COALESCE((SELECT ",
            active_status!("r."),
            " FROM incidents i JOIN reports r ON r.id = i.lead_report_id \
             WHERE i.group_key = $40 AND i.accepting), FALSE)"
        )
    ),
    "UPDATE incidents SET lead_report_id = (SELECT MAX(id) FROM reports) \
     WHERE group_key = $40 AND accepting AND lead_report_id IS NULL; ",
    super::incidents::recount_incident!(concat!(
        "(SELECT i.id FROM incidents i WHERE i.group_key = $40 AND i.accepting \
             AND NOT COALESCE((SELECT ",
        active_status!("r."),
        " FROM reports r WHERE r.id = i.lead_report_id), FALSE))"
    )),
    "; ",
    super::incidents::mark_members!(
        "(SELECT id FROM incidents WHERE group_key = $40 AND accepting AND changes() > 0)"
    ),
    "; ",
    sqlite_filed_event!(),
);

/// The view a lone filing is inserted into on SQLite's writer connection. Its column
/// `pN` is the filing's parameter `$N` (36 of the report's values, then whether to look
/// for a re-contact and from when, the history entry's detail, the incident's group key
/// and the start of its window); the triggers below do the filing. (A macro, so the
/// statements built with `concat!` and the `CREATE`s name it from one place.)
macro_rules! sqlite_lone_filing_view {
    () => {
        "faultdesk_file_one"
    };
}

/// `CREATE` statements for the writer connection's own (`TEMP`) lone-filing view and its
/// two `INSTEAD OF INSERT` triggers ([`FILE_ONE_SQLITE_PLAIN`] when the report has no
/// incident group key, [`FILE_ONE_SQLITE_INCIDENT`] when it has one), with each `$N`
/// read as `NEW.pN`. `TEMP` objects live and die with the connection and may change
/// the main database's tables; the tables they name are looked up when they run, so
/// this works before the migrations have made them.
fn sqlite_lone_filing_ddl() -> String {
    let columns = (1..=LONE_FILING_PARAMETERS)
        .map(|n| format!("p{n}"))
        .collect::<Vec<_>>()
        .join(", ");
    let nulls = vec!["NULL"; LONE_FILING_PARAMETERS].join(", ");
    let view = sqlite_lone_filing_view!();
    let trigger = |name: &str, when: &str, body: &str| {
        format!(
            "CREATE TEMP TRIGGER {view}_{name} INSTEAD OF INSERT ON {view} WHEN {when} \
             BEGIN {} END; ",
            parameters_as_new_columns(body)
        )
    };
    format!(
        "CREATE TEMP VIEW {view} ({columns}) AS SELECT {nulls}; {}{}",
        trigger("plain", "NEW.p40 IS NULL", FILE_ONE_SQLITE_PLAIN),
        trigger("incident", "NEW.p40 IS NOT NULL", FILE_ONE_SQLITE_INCIDENT),
    )
}

/// How many parameters a lone filing binds (`$1` to `$41`).
const LONE_FILING_PARAMETERS: usize = 41;

/// `sql` with each parameter `$N` written as the trigger's `NEW.pN`.
fn parameters_as_new_columns(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + sql.len() / 4);
    let mut rest = sql;
    while let Some(at) = rest.find('$') {
        out.push_str(&rest[..at]);
        let digits = rest[at + 1..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len() - at - 1);
        if digits == 0 {
            out.push('$');
        } else {
            out.push_str("NEW.p");
            out.push_str(&rest[at + 1..at + 1 + digits]);
        }
        rest = &rest[at + 1 + digits..];
    }
    out.push_str(rest);
    out
}

/// Makes the SQLite writer's lone-filing view and triggers on a connection it just
/// opened (see [`file_one_sqlite`]).
pub async fn prepare_sqlite_writer(c: &mut sqlx::SqliteConnection) -> Result<(), sqlx::Error> {
    let ddl = sqlite_lone_filing_ddl();
    sqlx::Executor::execute(c, sqlx::raw_sql(&ddl))
        .await
        .map(|_| ())
}

/// [`file_one_sqlite`]'s script: the filing as one `INSERT` into the writer's view (one
/// statement, so SQLite commits it whole or not at all), then the report and its
/// incident as that left them, read back. The writer is the only one writing, so the
/// newest report is this one; its reporter and time are checked all the same.
const FILE_ONE_SQLITE: &str = concat!(
    "INSERT INTO ",
    sqlite_lone_filing_view!(),
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, \
     $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, \
     $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39, $40, $41); ",
    "SELECT r.id, r.recontact, i.id, i.report_count, i.status, i.latest_update, \
       i.latest_update_at, COALESCE((SELECT TRUE FROM incident_followers f \
       WHERE f.incident_id = i.id AND f.user_id = $1), FALSE) \
     FROM reports r LEFT JOIN incidents i ON i.id = r.incident_id \
     WHERE r.id = (SELECT MAX(id) FROM reports) AND r.reporter_id = $1 AND r.created_at = $25"
);

/// Files one report on SQLite with one round trip to the connection's thread and one
/// statement: an `INSERT` into the writer connection's lone-filing view, whose trigger
/// does what [`insert_batch`] does for one report (a lone filing — the common case
/// while the desk is not flooded — made six round trips, and the thread hand-overs were
/// most of its time; as a script of statements from `BEGIN` to `COMMIT`, each
/// statement's answer woke the request runtime on its own). `Err`: nothing was
/// committed (SQLite undid the statement); the caller files the report step by step,
/// which answers its own error. `Ok(Err(_))`: committed, but its answer could not be
/// read (never filed again).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn file_one_sqlite(
    c: &mut sqlx::SqliteConnection,
    r: &NewReport,
) -> Result<Result<Filed, sqlx::Error>, sqlx::Error> {
    use futures::TryStreamExt;
    let at = millis(r.created_at);
    let window = r.incident.as_ref().map_or(0, |(_, window)| *window);
    let query = bind_report_tail!(bind_report_head!(sqlx::query(FILE_ONE_SQLITE), bind, r), r)
        .bind(r.disposition == "deflected" && r.status_code.is_some())
        .bind(at - RECONTACT_MS)
        .bind(&r.filed_detail)
        .bind(r.incident.as_ref().map(|(key, _)| key.as_str()))
        .bind(at - window);
    let mut steps = sqlx::Executor::fetch_many(c, query);
    // The insert's own result comes first: until it has, nothing was committed.
    match steps.try_next().await? {
        Some(sqlx::Either::Left(_)) => {}
        _ => return Err(sqlx::Error::RowNotFound),
    }
    let mut rows = Vec::with_capacity(1);
    loop {
        match steps.try_next().await {
            Ok(Some(sqlx::Either::Right(row))) => rows.push(row),
            Ok(Some(sqlx::Either::Left(_))) => {}
            Ok(None) => break,
            Err(e) => return Ok(Err(e)),
        }
    }
    Ok(match rows.as_slice() {
        [row] => <FiledRow as sqlx::FromRow<'_, sqlx::sqlite::SqliteRow>>::from_row(row)
            .and_then(|row| filed_from_row(row, r.incident.is_some(), true)),
        _ => Err(sqlx::Error::RowNotFound),
    })
}

/// [`FILE_IN_ONE_STATEMENT`] for one report, with its columns as plain parameters
/// (numbered as in [`file_one_sqlite`]'s view): no arrays to unpack, no sort, no joins between row
/// sets, so the server starts and runs a much smaller plan (a lone filing — the common
/// case while the desk is not flooded — spent most of its time there).
const FILE_ONE_STATEMENT: &str = concat!(
    "WITH num AS MATERIALIZED (SELECT nextval('reports_id_seq') AS id), \
inc AS (INSERT INTO incidents (group_key, status, accepting, lead_report_id, report_count, \
  first_report_at, last_report_at, created_at) \
  SELECT $40, 'open', TRUE, num.id, 1, $25, $25, $25 FROM num WHERE $40 IS NOT NULL \
  ON CONFLICT (group_key) WHERE accepting DO UPDATE SET \
  report_count = incidents.report_count + 1, \
  last_report_at = GREATEST(incidents.last_report_at, excluded.last_report_at) \
  WHERE incidents.last_report_at >= $41 \
  RETURNING id, ",
    pg_claimed_incident!(),
    "), \
rep AS (INSERT INTO reports (id, ",
    report_columns!(),
    ") SELECT num.id, ",
    lone_report_values!(
        "inc.id",
        "CASE WHEN $40 IS NULL THEN FALSE \
         WHEN inc.lead_report_id = num.id THEN FALSE \
         WHEN inc.lead_active THEN TRUE \
         ELSE faultdesk_file_in_transaction() END"
    ),
    " FROM num LEFT JOIN inc ON TRUE \
  RETURNING id, recontact), \
ev AS (INSERT INTO report_events (report_id, actor_id, kind, detail, created_at) \
  SELECT num.id, $1, 'filed', $39, $25 FROM num) \
SELECT rep.id, rep.recontact, inc.id, inc.report_count, inc.status, inc.latest_update, \
  inc.latest_update_at, COALESCE((SELECT TRUE FROM incident_followers f \
    WHERE f.incident_id = inc.id AND f.user_id = $1), FALSE) \
FROM rep LEFT JOIN inc ON TRUE"
);

/// Files one report on PostgreSQL like [`file_in_one_statement`] (same answers, same
/// refusals), with [`FILE_ONE_STATEMENT`].
#[tracing::instrument(level = "debug", skip_all)]
pub async fn file_one_statement(
    c: &mut sqlx::PgConnection,
    r: &NewReport,
) -> Result<Option<Filed>, sqlx::Error> {
    let at = millis(r.created_at);
    let window = r.incident.as_ref().map_or(0, |(_, window)| *window);
    let row: FiledRow = match bind_report_tail!(
        bind_report_head!(sqlx::query_as(FILE_ONE_STATEMENT), bind, r),
        r
    )
    .bind(r.disposition == "deflected" && r.status_code.is_some())
    .bind(at - RECONTACT_MS)
    .bind(&r.filed_detail)
    .bind(r.incident.as_ref().map(|(key, _)| key.as_str()))
    .bind(at - window)
    .fetch_all(c)
    .await
    {
        Ok(mut rows) if rows.len() == 1 => rows.remove(0),
        Ok(_) => return Err(sqlx::Error::RowNotFound),
        Err(sqlx::Error::Database(e)) => {
            tracing::debug!(error = %e, "a filing goes the step-by-step way");
            return Ok(None);
        }
        Err(e) => return Err(e),
    };
    filed_from_row(row, r.incident.is_some(), true).map(Some)
}

/// A report as PostgreSQL's filing statements answer it: its incident must be there
/// exactly when it joins one; whether its reporter follows the incident is known when
/// the incident's reports in the batch come from one reporter.
fn filed_from_row(
    row: FiledRow,
    in_incident: bool,
    one_reporter: bool,
) -> Result<Filed, sqlx::Error> {
    let (id, recontact, incident, count, status, update, update_at, follows) = row;
    let incident = match (incident, in_incident) {
        (None, false) => None,
        (Some(id), true) => Some(super::incidents::IncidentSnapshot {
            id,
            report_count: count.ok_or(sqlx::Error::RowNotFound)?,
            status: status.ok_or(sqlx::Error::RowNotFound)?,
            latest_update: update,
            latest_update_at: update_at,
            reporter_follows: one_reporter.then_some(follows),
        }),
        _ => return Err(sqlx::Error::RowNotFound),
    };
    Ok(Filed {
        id,
        incident,
        recontact,
    })
}

/// One multi-row `INSERT` of reports with their re-contact flags and incidents;
/// returns their ids in the order given. (Each engine numbers the rows of one `INSERT`
/// in the order of its `VALUES`, so the returned ids sorted are that order.)
async fn insert_rows(
    tx: &mut Tx,
    chunk: &[NewReport],
    recontact: &[bool],
    incidents: &[Option<super::incidents::Claimed>],
) -> Result<Vec<i64>, sqlx::Error> {
    let rows: Vec<(i64,)> = on_tx!(tx, c => {
        let mut q = QueryBuilder::new(concat!(
            "INSERT INTO reports (",
            report_columns!(),
            ") "
        ));
        let rows = chunk.iter().zip(recontact).zip(incidents);
        q.push_values(rows, |mut b, ((r, recontact), incident)| {
            bind_report_head!(b, push_bind, r)
                .push_bind(*recontact)
                .push_bind(&r.status)
                .push_bind(&r.priority)
                .push_bind(millis(r.created_at))
                .push_bind(r.sla.map(|s| millis(s.routed_at)))
                .push_bind(r.sla.map(|s| s.target_minutes))
                .push_bind(r.sla.map(|s| millis(s.due_at)))
                .push_bind(r.sla.map(|s| millis(s.at_risk_at)))
                .push_bind(millis(r.created_at))
                .push_bind(&r.created_day)
                .push_bind(r.notice_id)
                .push_bind(incident.map(|i| i.incident))
                .push_bind(incident.is_some_and(|i| i.member))
                .push_bind(r.sla.map(|s| s.resolution_target_minutes))
                .push_bind(r.sla.map(|s| millis(s.resolution_due_at)))
                .push_bind(r.sla.map(|s| millis(s.resolution_at_risk_at)))
                .push_bind(r.sla.is_some_and(|s| s.resolution_pauses))
                .push_bind(r.guidance_version);
        });
        q.push(" RETURNING id");
        q.build_query_as().fetch_all(&mut *c).await
    })?;
    let mut ids: Vec<i64> = rows.into_iter().map(|r| r.0).collect();
    ids.sort_unstable();
    Ok(ids)
}

/// Which reports re-file a deflected report of the same developer, endpoint template
/// and status code from the 24 hours before them (earlier reports of the same batch
/// included). One statement: per distinct (developer, template, code) the latest such
/// report, each an index seek (`reports_recontact`), however many there are. Written
/// as `ORDER BY … DESC LIMIT 1`, not `MAX(…)`: PostgreSQL does not turn a correlated
/// `MAX` into a backward index seek and read every entry of the key (26 ms with 64,000
/// earlier 4xx reports of one developer, against 0.09 ms).
async fn recontacts(tx: &mut Tx, list: &[NewReport]) -> Result<Vec<bool>, sqlx::Error> {
    let mut keys: Vec<(i64, &str, i64)> = list
        .iter()
        .filter_map(|r| Some((r.reporter_id, r.endpoint_template.as_str(), r.status_code?)))
        .collect();
    if keys.is_empty() {
        return Ok(vec![false; list.len()]);
    }
    keys.sort_unstable();
    keys.dedup();
    let found: Vec<(i64, String, i64, Option<i64>)> = on_tx!(tx, c => {
        let mut q = QueryBuilder::new("WITH k (reporter, template, code) AS (");
        q.push_values(&keys, |mut b, (reporter, template, code)| {
            b.push_bind(*reporter).push_bind(*template).push_bind(*code);
        });
        q.push(
            ") SELECT reporter, template, code, (SELECT r.created_at FROM reports r \
             WHERE r.reporter_id = k.reporter AND r.endpoint_template = k.template \
             AND r.status_code = k.code AND r.disposition = 'deflected' \
             ORDER BY r.created_at DESC LIMIT 1) FROM k",
        );
        q.build_query_as().fetch_all(&mut *c).await
    })?;
    let latest: HashMap<(i64, String, i64), i64> = found
        .into_iter()
        .filter_map(|(who, template, code, at)| Some(((who, template, code), at?)))
        .collect();
    Ok(recontacts_after(list, latest))
}

/// Which reports re-file a deflected report, given the latest deflected report per
/// (developer, template, code) before the batch: earlier reports of the batch count.
fn recontacts_after(list: &[NewReport], mut latest: HashMap<(i64, String, i64), i64>) -> Vec<bool> {
    list.iter()
        .map(|r| {
            let Some(code) = r.status_code else {
                return false;
            };
            let key = (r.reporter_id, r.endpoint_template.clone(), code);
            let at = millis(r.created_at);
            let hit = latest
                .get(&key)
                .is_some_and(|prev| *prev >= at - RECONTACT_MS);
            if r.disposition == "deflected" {
                latest.insert(key, at);
            }
            hit
        })
        .collect()
}

/// One report by id (the caller checks who may see it).
#[tracing::instrument(level = "debug", skip(db))]
pub async fn get(db: &Db, id: i64) -> Result<Option<ReportRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM reports WHERE id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// A reporter's reports, newest first, `limit` at a time, before id `before` (keyset).
#[tracing::instrument(level = "debug", skip(db))]
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
#[tracing::instrument(level = "debug", skip(db))]
pub async fn events(db: &Db, id: i64) -> Result<Vec<EventRow>, sqlx::Error> {
    let sql = "SELECT e.kind, e.detail, u.email AS actor, u.role AS actor_role, e.created_at \
               FROM report_events e LEFT JOIN users u ON u.id = e.actor_id \
               WHERE e.report_id = $1 ORDER BY e.id";
    on_db!(db, pool => sqlx::query_as(sql).bind(id).fetch_all(pool).await)
}

/// One entry of a report's (or a notice's) history.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct EventRow {
    pub kind: String,
    pub detail: String,
    pub actor: Option<String>,
    /// The actor's role ("developer", "agent", "manager"), if a person acted.
    pub actor_role: Option<String>,
    pub created_at: i64,
}

impl EventRow {
    /// The entry as a developer sees it: staff appear as "Support".
    pub fn into_developer_view(mut self, tz: &str) -> crate::wire::reports::EventView {
        if self.actor_role.as_deref().is_some_and(|r| r != "developer") {
            self.actor = Some(super::intake::SUPPORT_NAME.to_owned());
        }
        self.into_view(tz)
    }

    /// The entry as staff see it, with the time in `tz`.
    pub fn into_view(self, tz: &str) -> crate::wire::reports::EventView {
        crate::wire::reports::EventView {
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

/// One report, read inside a unit of work (for checks before a guarded write).
pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<ReportRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM reports WHERE id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
}

/// The developer's answer to guidance: solved. Only a pending, deflected report of
/// `reporter` changes; returns whether one did.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn mark_self_solved(
    tx: &mut Tx,
    id: i64,
    reporter: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE reports SET feedback = 'self_solved', status = 'closed', updated_at = $1 \
               WHERE id = $2 AND reporter_id = $3 AND disposition = 'deflected' \
               AND feedback = 'pending'";
    let changed = on_tx!(tx, c => sqlx::query(sql)
        .bind(millis(now))
        .bind(id)
        .bind(reporter)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    if changed == 1 {
        record_event(
            tx,
            id,
            Some(reporter),
            "self_solved",
            "The guidance solved it.",
            millis(now),
        )
        .await?;
    }
    Ok(changed == 1)
}

/// The developer's answer to guidance: still failing. The report becomes a low-priority
/// ticket with its own first-response clock. Same conditions as [`mark_self_solved`].
#[tracing::instrument(level = "debug", skip(tx, note))]
pub async fn escalate(
    tx: &mut Tx,
    id: i64,
    reporter: i64,
    note: &str,
    sla: SlaStart,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let sql = "UPDATE reports SET feedback = 'escalated', disposition = 'escalated', \
               status = 'new', priority = 'low', escalation_note = $1, routed_at = $2, \
               sla_target_minutes = $3, due_at = $4, updated_at = $5, at_risk_at = $8, \
               resolution_target_minutes = $9, resolution_due_at = $10, \
               resolution_at_risk_at = $11, resolution_pauses = $12 \
               WHERE id = $6 AND reporter_id = $7 AND disposition = 'deflected' \
               AND feedback = 'pending'";
    let changed = on_tx!(tx, c => sqlx::query(sql)
        .bind(note)
        .bind(millis(sla.routed_at))
        .bind(sla.target_minutes)
        .bind(millis(sla.due_at))
        .bind(millis(now))
        .bind(id)
        .bind(reporter)
        .bind(millis(sla.at_risk_at))
        .bind(sla.resolution_target_minutes)
        .bind(millis(sla.resolution_due_at))
        .bind(millis(sla.resolution_at_risk_at))
        .bind(sla.resolution_pauses)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    if changed == 1 {
        let detail = format!("Still failing: {note}");
        record_event(tx, id, Some(reporter), "escalated", &detail, millis(now)).await?;
        tx.changed("created", [id]);
    }
    Ok(changed == 1)
}

/// A report filed during maintenance that the developer says is unrelated: it is routed
/// like any server error (its clock starts now, it joins its incident) and the
/// statement is kept. Only a pending maintenance report of `reporter` changes; returns
/// the incident it joined, or `None` if it did not change.
#[tracing::instrument(level = "debug", skip(tx, statement))]
pub async fn route_unrelated(
    tx: &mut Tx,
    id: i64,
    reporter: i64,
    statement: &str,
    sla: SlaStart,
    incident: (&str, i64),
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    let at = millis(now);
    // The incident first (lock order); if the report turns out not to qualify, the
    // caller fails the unit of work and the join is rolled back with it.
    let joined = super::incidents::claim_one(tx, incident.0, at, incident.1).await?;
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE reports SET disposition = 'routed', feedback = NULL, status = 'new', \
         unrelated_statement = $1, routed_at = $2, sla_target_minutes = $3, due_at = $4, \
         at_risk_at = $5, updated_at = $2, incident_id = $8, incident_member = $9, \
         resolution_target_minutes = $10, resolution_due_at = $11, \
         resolution_at_risk_at = $12, resolution_pauses = $13 \
         WHERE id = $6 AND reporter_id = $7 \
         AND disposition = 'maintenance' AND feedback = 'pending'",
    )
    .bind(statement)
    .bind(millis(sla.routed_at))
    .bind(sla.target_minutes)
    .bind(millis(sla.due_at))
    .bind(millis(sla.at_risk_at))
    .bind(id)
    .bind(reporter)
    .bind(joined.incident)
    .bind(joined.member)
    .bind(sla.resolution_target_minutes)
    .bind(millis(sla.resolution_due_at))
    .bind(millis(sla.resolution_at_risk_at))
    .bind(sla.resolution_pauses)
    .execute(&mut *c)
    .await
    .map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(None);
    }
    if !joined.member {
        super::incidents::refresh(tx, joined.incident).await?;
    }
    let detail = format!("Not caused by the maintenance: {statement}");
    record_event(tx, id, Some(reporter), "unrelated", &detail, at).await?;
    tx.changed("created", [id]);
    Ok(Some(joined.incident))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameters_become_the_lone_filing_triggers_new_columns() {
        assert_eq!(
            parameters_as_new_columns("VALUES ($1, $10, $41) WHERE a = '$' AND b = $2"),
            "VALUES (NEW.p1, NEW.p10, NEW.p41) WHERE a = '$' AND b = NEW.p2"
        );
    }

    #[test]
    fn the_lone_filing_view_takes_every_parameter_the_triggers_read() {
        let ddl = sqlite_lone_filing_ddl();
        assert!(!ddl.contains('$'), "a parameter left in a trigger: {ddl}");
        let view = format!("p{LONE_FILING_PARAMETERS}) AS SELECT");
        assert!(ddl.contains(&view), "{ddl}");
        let highest = ddl
            .match_indices("NEW.p")
            .filter_map(|(at, _)| {
                let digits: String = ddl[at + 5..]
                    .chars()
                    .take_while(char::is_ascii_digit)
                    .collect();
                digits.parse::<usize>().ok()
            })
            .max();
        assert_eq!(highest, Some(LONE_FILING_PARAMETERS));
        assert_eq!(FILE_ONE_SQLITE.matches("$41").count(), 1);
    }
}
