//! The `incidents` aggregate: outage floods grouped into one incident, shown once in the
//! queue, answered once for all their reports.
//!
//! Lock order on PostgreSQL, kept by every write: incident rows first (in id order),
//! then report rows (whose writes also lock their day's version row, by trigger). A
//! guard on the incident's state is the first statement (`UPDATE incidents … WHERE
//! status = 'open'`), which takes that lock; a lost race rolls the action back.

use super::{
    db::{active_status, millis, on_db, on_tx, Db, Tx},
    reports::{self, NewReport},
};
use chrono::{DateTime, Utc};
use sqlx::QueryBuilder;
use std::collections::{BTreeMap, HashMap};

/// Where a report being filed goes: its incident, and whether it is a member (hidden
/// in the queue behind the incident's lead) or the lead itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Claimed {
    pub incident: i64,
    pub member: bool,
}

/// The incidents a batch of reports joins, per report, and the incidents whose lead
/// must be set once the reports have ids.
#[derive(Debug, Default)]
pub struct Claims {
    /// Per report of the batch, in order.
    pub rows: Vec<Option<Claimed>>,
    /// Per report of the batch, the incident as the claim left it.
    pub snapshots: Vec<Option<IncidentSnapshot>>,
    /// (incident, index of the report that leads it, whether the incident is new).
    leads: Vec<(i64, usize, bool)>,
}

/// Claims incidents for reports about to be filed: per group key (in key order), one
/// statement joins the accepting incident (if its last report is at most the window
/// old) or starts one, counting the reports in. A stale incident stops accepting and a
/// new one starts. Concurrent first reports race on the unique index
/// `incidents_accepting`; the upsert makes every racer join the one incident.
pub async fn claim(tx: &mut Tx, list: &[NewReport]) -> Result<Claims, sqlx::Error> {
    let mut claims = Claims {
        rows: vec![None; list.len()],
        snapshots: vec![None; list.len()],
        leads: Vec::new(),
    };
    for Group { join, rows } in groups(list) {
        let (snapshot, lead) = upsert(tx, &join).await?;
        let incident = snapshot.id;
        for (n, i) in rows.iter().enumerate() {
            claims.snapshots[*i] = Some(snapshot.clone());
            claims.rows[*i] = Some(Claimed {
                incident,
                member: lead == Lead::Active || n > 0,
            });
        }
        if let (Lead::New | Lead::Inactive, Some(&first_row)) = (lead, rows.first()) {
            claims.leads.push((incident, first_row, lead == Lead::New));
        }
    }
    Ok(claims)
}

/// The reports of a batch that join one incident: the join, and their places in the
/// batch (in order).
pub(super) struct Group<'a> {
    pub(super) join: Join<'a>,
    pub(super) rows: Vec<usize>,
}

/// A batch's routed reports grouped by incident key, in key order (the order their
/// incident rows are locked in).
pub(super) fn groups(list: &[NewReport]) -> Vec<Group<'_>> {
    let mut groups: BTreeMap<&str, (Vec<usize>, i64, i64, i64)> = BTreeMap::new();
    for (i, r) in list.iter().enumerate() {
        let Some((key, window)) = &r.incident else {
            continue;
        };
        let at = millis(r.created_at);
        let g = groups
            .entry(key.as_str())
            .or_insert_with(|| (Vec::new(), at, at, *window));
        g.0.push(i);
        g.1 = g.1.min(at);
        g.2 = g.2.max(at);
    }
    groups
        .into_iter()
        .map(|(key, (rows, first, last, window))| {
            let reporter = list[rows[0]].reporter_id;
            let one_reporter = rows.iter().all(|i| list[*i].reporter_id == reporter);
            Group {
                join: Join {
                    key,
                    count: i64::try_from(rows.len()).unwrap_or(i64::MAX),
                    first_at: first,
                    last_at: last,
                    window_ms: window,
                    reporter: one_reporter.then_some(reporter),
                },
                rows,
            }
        })
        .collect()
}

/// After the reports of [`claim`] are stored (`ids` in the same order): a new incident
/// gets its first report as lead; an incident whose lead was no longer active is
/// recomputed (its new report leads it now).
pub async fn settle_leads(tx: &mut Tx, claims: &Claims, ids: &[i64]) -> Result<(), sqlx::Error> {
    for &(incident, row, is_new) in &claims.leads {
        let Some(&lead) = ids.get(row) else {
            continue;
        };
        if is_new {
            on_tx!(tx, c => sqlx::query("UPDATE incidents SET lead_report_id = $1 WHERE id = $2")
                .bind(lead)
                .bind(incident)
                .execute(&mut *c)
                .await
                .map(|_| ()))?;
        } else {
            refresh(tx, incident).await?;
        }
    }
    Ok(())
}

/// What the incident a report joins has as its lead.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Lead {
    /// None yet: the incident was just started; the first new report leads it.
    New,
    /// An active report (new, open, waiting): new reports are members.
    Active,
    /// A report no longer active: the incident is recomputed after the join.
    Inactive,
}

/// What a report's page shows of its incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IncidentSnapshot {
    pub id: i64,
    pub report_count: i64,
    pub status: String,
    pub latest_update: Option<String>,
    pub latest_update_at: Option<i64>,
    /// Whether the reporter follows it, when the claim could tell (all of the batch's
    /// reports in this incident were filed by one developer).
    pub reporter_follows: Option<bool>,
}

impl IncidentSnapshot {
    /// The snapshot of a stored incident.
    pub fn of(row: &IncidentRow) -> Self {
        Self {
            id: row.id,
            report_count: row.report_count,
            status: row.status.clone(),
            latest_update: row.latest_update.clone(),
            latest_update_at: row.latest_update_at,
            reporter_follows: None,
        }
    }
}

/// A row of the claiming upsert: the incident, its lead, whether that lead is active,
/// the incident as the join left it, and whether the reporter follows it.
type UpsertRow = (
    i64,
    Option<i64>,
    bool,
    i64,
    String,
    Option<String>,
    Option<i64>,
    bool,
);

/// `count` reports of one group, filed between `first_at` and `last_at`, joining an
/// incident; `reporter` when one developer filed them all.
pub(super) struct Join<'a> {
    pub(super) key: &'a str,
    pub(super) count: i64,
    pub(super) first_at: i64,
    pub(super) last_at: i64,
    pub(super) window_ms: i64,
    pub(super) reporter: Option<i64>,
}

/// Joins a group's reports to the accepting incident of its key, or starts one.
/// Returns the incident (as the join left it) and what leads it.
async fn upsert(tx: &mut Tx, join: &Join<'_>) -> Result<(IncidentSnapshot, Lead), sqlx::Error> {
    let Join {
        key,
        count,
        first_at,
        last_at,
        window_ms,
        reporter,
    } = *join;
    for _ in 0..3 {
        let row: Vec<UpsertRow> = on_tx!(tx, c => sqlx::query_as(concat!(
            "INSERT INTO incidents (group_key, status, accepting, lead_report_id, report_count, \
             first_report_at, last_report_at, created_at) \
             VALUES ($1, 'open', TRUE, NULL, $2, $3, $4, $3) \
             ON CONFLICT (group_key) WHERE accepting DO UPDATE SET \
             report_count = incidents.report_count + excluded.report_count, \
             last_report_at = CASE WHEN incidents.last_report_at < excluded.last_report_at \
               THEN excluded.last_report_at ELSE incidents.last_report_at END \
             WHERE incidents.last_report_at >= $5 \
             RETURNING id, lead_report_id, COALESCE((SELECT ",
            active_status!("r."),
            " FROM reports r WHERE r.id = incidents.lead_report_id), FALSE), \
             report_count, status, latest_update, latest_update_at, \
             COALESCE((SELECT TRUE FROM incident_followers f WHERE f.incident_id = incidents.id \
               AND f.user_id = $6), FALSE)",
        ))
        .bind(key)
        .bind(count)
        .bind(first_at)
        .bind(last_at)
        .bind(first_at - window_ms)
        .bind(reporter.unwrap_or(-1))
        .fetch_all(&mut *c)
        .await)?;
        if let Some((
            id,
            lead,
            active,
            report_count,
            status,
            latest_update,
            latest_update_at,
            follows,
        )) = row.into_iter().next()
        {
            let snapshot = IncidentSnapshot {
                id,
                report_count,
                status,
                latest_update,
                latest_update_at,
                reporter_follows: reporter.map(|_| follows),
            };
            let lead = match (lead, active) {
                (None, _) => Lead::New,
                (Some(_), true) => Lead::Active,
                (Some(_), false) => Lead::Inactive,
            };
            return Ok((snapshot, lead));
        }
        // The accepting incident is older than the window: it stops accepting, and the
        // next try starts a new one.
        on_tx!(tx, c => sqlx::query(
            "UPDATE incidents SET accepting = FALSE WHERE group_key = $1 AND accepting")
            .bind(key)
            .execute(&mut *c)
            .await
            .map(|_| ()))?;
    }
    Err(sqlx::Error::RowNotFound)
}

/// Claims the incident one stored report (routed after the fact) joins. The caller
/// then stores the report's incident and member flag and, when it is not a member
/// (it leads a new incident, or one whose lead is no longer active), [`refresh`]es it.
pub async fn claim_one(
    tx: &mut Tx,
    key: &str,
    at: i64,
    window_ms: i64,
) -> Result<Claimed, sqlx::Error> {
    let join = Join {
        key,
        count: 1,
        first_at: at,
        last_at: at,
        window_ms,
        reporter: None,
    };
    let (snapshot, lead) = upsert(tx, &join).await?;
    Ok(Claimed {
        incident: snapshot.id,
        member: lead == Lead::Active,
    })
}

/// Takes the incident's row lock first, before any report row (PostgreSQL; a no-op
/// write on SQLite, whose writer is alone anyway): the lock order every write keeps.
pub async fn lock(tx: &mut Tx, id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query("UPDATE incidents SET report_count = report_count WHERE id = $1")
        .bind(id)
        .execute(&mut *c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// The statement that recomputes incident `$id`'s count, times and lead (the active
/// report due first). `$id` is SQL: a parameter, or a subquery that is `NULL` when no
/// incident is to be recomputed. Shared by [`refresh`] and SQLite's one-script filing.
macro_rules! recount_incident {
    ($id:expr) => {
        concat!(
            "UPDATE incidents SET \
             report_count = (SELECT COUNT(*) FROM reports WHERE incident_id = ",
            $id,
            "), \
             first_report_at = COALESCE((SELECT MIN(created_at) FROM reports \
               WHERE incident_id = ",
            $id,
            "), first_report_at), \
             last_report_at = COALESCE((SELECT MAX(created_at) FROM reports \
               WHERE incident_id = ",
            $id,
            "), last_report_at), \
             lead_report_id = (SELECT id FROM reports WHERE incident_id = ",
            $id,
            " ORDER BY CASE WHEN ",
            $crate::server::db::active_status!(""),
            " THEN 0 ELSE 1 END, due_at, id LIMIT 1) \
             WHERE id = ",
            $id
        )
    };
}
pub(crate) use recount_incident;

/// The statement that marks incident `$id`'s reports other than its lead as members
/// (hidden from the queue), after [`recount_incident!`].
macro_rules! mark_members {
    ($id:expr) => {
        concat!(
            "UPDATE reports SET incident_member = (id <> \
             (SELECT lead_report_id FROM incidents WHERE id = ",
            $id,
            ")) \
             WHERE incident_id = ",
            $id,
            " \
             AND incident_member <> (id <> (SELECT lead_report_id FROM incidents \
               WHERE id = ",
            $id,
            "))"
        )
    };
}
pub(crate) use mark_members;

/// After one of `incident`'s reports (if it has one) moved `from` → `to` inside the
/// transaction: [`refresh`]es the incident when the status changed. What the
/// recomputation reads — statuses, due times, membership — is left as it was by an
/// action that keeps the status (a note, a reply), and for such an action it would be
/// a scan of every report of the incident with the writer held (tens of thousands of
/// them in an outage): so only a status change recomputes it.
pub async fn refresh_after_status(
    tx: &mut Tx,
    incident: Option<i64>,
    from: crate::domain::ticket::TicketStatus,
    to: crate::domain::ticket::TicketStatus,
) -> Result<(), sqlx::Error> {
    match incident {
        Some(id) if from != to => refresh(tx, id).await,
        _ => Ok(()),
    }
}

/// Recomputes an incident's count, times and lead (the active report due first, so the
/// queue shows the incident at its most urgent due time) and marks the other reports as
/// members, hidden from the queue.
pub async fn refresh(tx: &mut Tx, id: i64) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => {
        sqlx::query(recount_incident!("$1"))
        .bind(id)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?;
        sqlx::query(mark_members!("$1"))
        .bind(id)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?;
    });
    Ok(())
}

/// An incident as stored.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct IncidentRow {
    pub id: i64,
    pub group_key: String,
    pub status: String,
    pub accepting: bool,
    pub lead_report_id: Option<i64>,
    pub report_count: i64,
    pub first_report_at: i64,
    pub last_report_at: i64,
    pub latest_update: Option<String>,
    pub latest_update_at: Option<i64>,
    pub merged_into: Option<i64>,
    pub created_at: i64,
    pub resolved_at: Option<i64>,
}

const COLUMNS: &str = "id, group_key, status, accepting, lead_report_id, report_count, \
    first_report_at, last_report_at, latest_update, latest_update_at, merged_into, created_at, \
    resolved_at";

/// One incident.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn get(db: &Db, id: i64) -> Result<Option<IncidentRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM incidents WHERE id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// One incident, read inside a unit of work.
pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<IncidentRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM incidents WHERE id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
}

/// Open incidents with more than one report, newest first (for the merge picker).
#[tracing::instrument(level = "debug", skip(db))]
pub async fn open_floods(db: &Db) -> Result<Vec<IncidentRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM incidents WHERE status = 'open' AND report_count > 1 \
         ORDER BY id DESC LIMIT 100"
    );
    on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

/// A report of an incident.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct MemberRow {
    pub id: i64,
    pub reporter_id: i64,
    pub reporter_email: String,
    pub endpoint: String,
    pub status: String,
    pub created_at: i64,
    pub routed_at: Option<i64>,
    pub due_at: Option<i64>,
    pub first_response_at: Option<i64>,
    pub sla_breached: bool,
}

/// The reports of an incident, in filing order.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn members(db: &Db, id: i64) -> Result<Vec<MemberRow>, sqlx::Error> {
    let sql = "SELECT r.id, r.reporter_id, u.email AS reporter_email, r.endpoint, r.status, \
               r.created_at, r.routed_at, r.due_at, r.first_response_at, r.sla_breached \
               FROM reports r JOIN users u ON u.id = r.reporter_id \
               WHERE r.incident_id = $1 ORDER BY r.id";
    on_db!(db, pool => sqlx::query_as(sql).bind(id).fetch_all(pool).await)
}

/// The open (not closed) reports of an incident with what an update needs to stop
/// their clocks, read inside the update's transaction.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct OpenMember {
    pub id: i64,
    pub created_at: i64,
    pub routed_at: Option<i64>,
}

/// The reports of incident `id` that are not closed.
pub async fn open_members(tx: &mut Tx, id: i64) -> Result<Vec<OpenMember>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT id, created_at, routed_at FROM reports WHERE incident_id = $1 \
         AND status <> 'closed' ORDER BY id")
        .bind(id)
        .fetch_all(&mut *c)
        .await)
}

/// How many report ids go into one statement's `IN (…)` or `CASE`.
const IDS_PER_STATEMENT: usize = 200;

/// One public update on an incident, delivered to every report that is not closed:
/// one message each, and each report's first-response clock stops (met or breached on
/// its own). `business_secs` gives, per report, the business time since it was routed.
/// Returns the reports answered, or `None` if the incident is no longer open (nothing
/// must then be kept: the caller fails the unit of work).
#[tracing::instrument(level = "debug", skip(tx, body, business_secs))]
pub async fn reply(
    tx: &mut Tx,
    id: i64,
    author: i64,
    body: &str,
    business_secs: &[(i64, i64)],
    now: DateTime<Utc>,
) -> Result<Option<Vec<i64>>, sqlx::Error> {
    let at = millis(now);
    let ids: Vec<i64> = business_secs.iter().map(|(r, _)| *r).collect();
    let mut breached: HashMap<i64, bool> = HashMap::new();
    for chunk in business_secs.chunks(IDS_PER_STATEMENT) {
        on_tx!(tx, c => {
            let mut q = QueryBuilder::new(
                "INSERT INTO messages (report_id, author_id, visibility, body, created_at) ",
            );
            q.push_values(chunk, |mut b, (report, _)| {
                b.push_bind(*report)
                    .push_bind(author)
                    .push_bind("public")
                    .push_bind(body)
                    .push_bind(at);
            });
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;

        // The first response of each report that had none: its business time by CASE.
        let stopped: Vec<(i64, bool)> = on_tx!(tx, c => {
            let mut q = QueryBuilder::new("UPDATE reports SET first_response_at = ");
        q.push_bind(at)
            .push(", sla_breached = (due_at < ")
            .push_bind(at)
            .push("), updated_at = ")
            .push_bind(at)
            .push(", first_response_business_secs = CASE id");
        for (report, secs) in chunk {
            q.push(" WHEN ").push_bind(*report).push(" THEN ").push_bind(*secs);
        }
        q.push(" END WHERE first_response_at IS NULL AND due_at IS NOT NULL AND id IN (");
        let mut list = q.separated(", ");
        for (report, _) in chunk {
            list.push_bind(*report);
        }
        q.push(") RETURNING id, sla_breached");
            q.build_query_as().fetch_all(&mut *c).await
        })?;
        breached.extend(stopped);

        on_tx!(tx, c => {
            let mut q = QueryBuilder::new("UPDATE reports SET assignee_id = COALESCE(assignee_id, ");
        q.push_bind(author)
            .push("), status = CASE WHEN status = 'new' THEN 'open' ELSE status END, updated_at = ")
            .push_bind(at)
            .push(" WHERE id IN (");
        let mut list = q.separated(", ");
        for (report, _) in chunk {
            list.push_bind(*report);
        }
        q.push(")");
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    for chunk in ids.chunks(IDS_PER_STATEMENT) {
        let details: Vec<(i64, String)> = chunk
            .iter()
            .map(|report| {
                let detail = match breached.get(report) {
                    Some(true) => format!(
                        "Incident #{id} update. First response (after the due time: breached)"
                    ),
                    Some(false) => format!("Incident #{id} update. First response (SLA met)"),
                    None => format!("Incident #{id} update"),
                };
                (*report, detail)
            })
            .collect();
        on_tx!(tx, c => {
            let mut q = QueryBuilder::new(
            "INSERT INTO report_events (report_id, actor_id, kind, detail, created_at) ",
        );
        q.push_values(&details, |mut b, (report, detail)| {
            b.push_bind(*report)
                .push_bind(author)
                .push_bind("public_reply")
                .push_bind(detail)
                .push_bind(at);
        });
            q.build().execute(&mut *c).await.map(|r| r.rows_affected())
        })?;
    }
    let still_open = on_tx!(tx, c => sqlx::query(
        "UPDATE incidents SET latest_update = $1, latest_update_at = $2 WHERE id = $3 AND status = 'open'")
        .bind(body)
        .bind(at)
        .bind(id)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?
        == 1;
    if !still_open {
        return Ok(None);
    }
    refresh(tx, id).await?;
    tx.changed("updated", ids.iter().copied());
    Ok(Some(ids))
}

/// Resolves an incident and every report of it that is still active; returns the ids,
/// or `None` if the incident is not open.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn resolve(
    tx: &mut Tx,
    id: i64,
    actor: i64,
    now: DateTime<Utc>,
) -> Result<Option<Vec<i64>>, sqlx::Error> {
    let at = millis(now);
    let active: Vec<(i64, String)> = on_tx!(tx, c => sqlx::query_as(
        concat!("SELECT id, status FROM reports WHERE incident_id = $1 AND ",
            active_status!(""), " ORDER BY id"))
        .bind(id)
        .fetch_all(&mut *c)
        .await)?;
    let mut resolved = Vec::with_capacity(active.len());
    for chunk in active.chunks(IDS_PER_STATEMENT) {
        let changed: Vec<(i64,)> = on_tx!(tx, c => {
            let mut q = QueryBuilder::new("UPDATE reports SET status = 'resolved', updated_at = ");
        q.push_bind(at).push(concat!(" WHERE ", active_status!(""), " AND id IN ("));
        let mut list = q.separated(", ");
        for (report, _) in chunk {
            list.push_bind(*report);
        }
        q.push(") RETURNING id");
            q.build_query_as().fetch_all(&mut *c).await
        })?;
        let changed: std::collections::HashSet<i64> = changed.into_iter().map(|r| r.0).collect();
        let events: Vec<(i64, String)> = chunk
            .iter()
            .filter(|(report, _)| changed.contains(report))
            .map(|(report, from)| {
                let from =
                    crate::domain::ticket::TicketStatus::parse(from).map_or("", |s| s.label());
                (
                    *report,
                    format!("{from} → Resolved (incident #{id} resolved)"),
                )
            })
            .collect();
        if !events.is_empty() {
            on_tx!(tx, c => {
                let mut q = QueryBuilder::new(
                "INSERT INTO report_events (report_id, actor_id, kind, detail, created_at) ",
            );
            q.push_values(&events, |mut b, (report, detail)| {
                b.push_bind(*report).push_bind(actor).push_bind("status").push_bind(detail).push_bind(at);
            });
                q.build().execute(&mut *c).await.map(|r| r.rows_affected())
            })?;
        }
        resolved.extend(events.into_iter().map(|(r, _)| r));
    }
    let changed = on_tx!(tx, c => sqlx::query(
        "UPDATE incidents SET status = 'resolved', accepting = FALSE, resolved_at = $1 \
         WHERE id = $2 AND status = 'open'")
        .bind(at)
        .bind(id)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    if changed == 0 {
        return Ok(None);
    }
    refresh(tx, id).await?;
    tx.changed("updated", resolved.iter().copied());
    Ok(Some(resolved))
}

/// Takes a report out of its incident (it becomes a ticket of its own); returns the
/// incident it left, or `None` if it was in none.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn move_out(
    tx: &mut Tx,
    report: i64,
    actor: i64,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    let at = millis(now);
    let from: Vec<(Option<i64>,)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT incident_id FROM reports WHERE id = $1")
        .bind(report)
        .fetch_all(&mut *c)
        .await)?;
    let Some(incident) = from.first().and_then(|r| r.0) else {
        return Ok(None);
    };
    lock(tx, incident).await?;
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE reports SET incident_id = NULL, incident_member = FALSE, updated_at = $1 \
         WHERE id = $2 AND incident_id = $3")
        .bind(at)
        .bind(report)
        .bind(incident)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    if n != 1 {
        return Ok(None);
    }
    let detail = format!("Moved out of incident #{incident}");
    reports::record_event(tx, report, Some(actor), "incident", &detail, at).await?;
    refresh(tx, incident).await?;
    tx.changed("updated", [report]);
    Ok(Some(incident))
}

/// Merges incident `from` into `into`: its reports and followers move over and it is
/// closed as merged. Returns the reports that moved, or `None` unless both are open.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn merge(
    tx: &mut Tx,
    from: i64,
    into: i64,
    actor: i64,
    now: DateTime<Utc>,
) -> Result<Option<Vec<i64>>, sqlx::Error> {
    let at = millis(now);
    for id in [from.min(into), from.max(into)] {
        lock(tx, id).await?;
    }
    let open: Vec<(i64,)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT id FROM incidents WHERE id IN ($1, $2) AND status = 'open'")
        .bind(from)
        .bind(into)
        .fetch_all(&mut *c)
        .await)?;
    if open.len() != 2 {
        return Ok(None);
    }
    let moved: Vec<(i64,)> = on_tx!(tx, c => sqlx::query_as(
        "UPDATE reports SET incident_id = $1, updated_at = $2 WHERE incident_id = $3 RETURNING id")
        .bind(into)
        .bind(at)
        .bind(from)
        .fetch_all(&mut *c)
        .await)?;
    let moved: Vec<i64> = moved.into_iter().map(|r| r.0).collect();
    let detail = format!("Incident #{from} merged into incident #{into}");
    reports::record_events(tx, &moved, Some(actor), "incident", &detail, at).await?;
    let closed = on_tx!(tx, c => {
        sqlx::query(
            "INSERT INTO incident_followers (incident_id, user_id, created_at) \
             SELECT $1, user_id, created_at FROM incident_followers f WHERE incident_id = $2 \
             AND NOT EXISTS (SELECT 1 FROM incident_followers g WHERE g.incident_id = $1 AND g.user_id = f.user_id)")
            .bind(into)
            .bind(from)
            .execute(&mut *c)
            .await.map(|r| r.rows_affected())?;
        sqlx::query(
            "UPDATE incidents SET status = 'merged', accepting = FALSE, merged_into = $1, \
             resolved_at = $2 WHERE id = $3 AND status = 'open' \
             AND EXISTS (SELECT 1 FROM incidents WHERE id = $1 AND status = 'open')",
        )
        .bind(into)
        .bind(at)
        .bind(from)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected())?
    });
    if closed == 0 {
        return Ok(None);
    }
    refresh(tx, from).await?;
    refresh(tx, into).await?;
    tx.changed("updated", moved.iter().copied());
    Ok(Some(moved))
}

/// Follows an incident (idempotent).
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn follow(
    tx: &mut Tx,
    id: i64,
    user: i64,
    now: DateTime<Utc>,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO incident_followers (incident_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (incident_id, user_id) DO NOTHING")
        .bind(id)
        .bind(user)
        .bind(millis(now))
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    Ok(())
}

/// Whether `user` follows the incident.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn is_following(db: &Db, id: i64, user: i64) -> Result<bool, sqlx::Error> {
    let rows: Vec<(i64,)> = on_db!(db, pool => sqlx::query_as(
        "SELECT user_id FROM incident_followers WHERE incident_id = $1 AND user_id = $2")
        .bind(id).bind(user).fetch_all(pool).await)?;
    Ok(!rows.is_empty())
}

/// Followers' email addresses, read inside the update that mails them.
pub async fn follower_emails(tx: &mut Tx, id: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = on_tx!(tx, c => sqlx::query_as(
        "SELECT u.email FROM incident_followers f JOIN users u ON u.id = f.user_id \
         WHERE f.incident_id = $1 ORDER BY u.id")
        .bind(id).fetch_all(&mut *c).await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
