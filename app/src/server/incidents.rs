//! The `incidents` aggregate: outage floods grouped into one incident, shown once in the
//! queue, answered once for all their reports.

use super::{
    db::{begin_sql, millis, on_db, Db},
    reports::{answer_publicly, record_event},
};
use chrono::{DateTime, Utc};

/// Joins the report `$report` (just inserted in transaction `$tx`) to the accepting
/// incident for `$key`, or creates one, and returns the incident id. `$now` and
/// `$window_ms` decide whether the accepting incident is still current: a report joins
/// when the incident's last report is at most the window old; otherwise the old incident
/// stops accepting and a new one starts.
///
/// Concurrent first reports race on the unique index `incidents_accepting`: one insert
/// wins, the others do nothing and join the winner. On SQLite the write transaction
/// (`BEGIN IMMEDIATE`) serialises them anyway.
macro_rules! join_incident {
    ($tx:expr, $key:expr, $report:expr, $now:expr, $window_ms:expr) => {{
        let key: &str = $key;
        let report: i64 = $report;
        let now: i64 = $now;
        let current: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT id, last_report_at FROM incidents WHERE group_key = $1 AND accepting",
        )
        .bind(key)
        .fetch_all(&mut *$tx)
        .await?;
        let mut joined = None;
        if let Some(&(id, last)) = current.first() {
            if last >= now - $window_ms {
                joined = Some(id);
            } else {
                sqlx::query("UPDATE incidents SET accepting = FALSE WHERE id = $1 AND accepting")
                    .bind(id)
                    .execute(&mut *$tx)
                    .await?;
            }
        }
        let id = match joined {
            Some(id) => id,
            None => {
                let created: Vec<(i64,)> = sqlx::query_as(
                    "INSERT INTO incidents (group_key, status, accepting, lead_report_id, \
                     report_count, first_report_at, last_report_at, created_at) \
                     VALUES ($1, 'open', TRUE, $2, 0, $3, $3, $3) \
                     ON CONFLICT (group_key) WHERE accepting DO NOTHING RETURNING id",
                )
                .bind(key)
                .bind(report)
                .bind(now)
                .fetch_all(&mut *$tx)
                .await?;
                match created.first() {
                    Some(&(id,)) => id,
                    None => {
                        let winner: Vec<(i64,)> = sqlx::query_as(
                            "SELECT id FROM incidents WHERE group_key = $1 AND accepting",
                        )
                        .bind(key)
                        .fetch_all(&mut *$tx)
                        .await?;
                        winner
                            .first()
                            .map(|r| r.0)
                            .ok_or(sqlx::Error::RowNotFound)?
                    }
                }
            }
        };
        // Increments (not recounts) stay exact when PostgreSQL re-reads the locked row.
        sqlx::query(
            "UPDATE incidents SET report_count = report_count + 1, \
             last_report_at = CASE WHEN last_report_at < $2 THEN $2 ELSE last_report_at END \
             WHERE id = $1",
        )
        .bind(id)
        .bind(now)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "UPDATE reports SET incident_id = $1, incident_member = (id <> \
             (SELECT lead_report_id FROM incidents WHERE id = $1)) WHERE id = $2",
        )
        .bind(id)
        .bind(report)
        .execute(&mut *$tx)
        .await?;
        id
    }};
}
pub(crate) use join_incident;

/// Recomputes an incident's count, times and lead (the active report due first, so the
/// queue shows the incident at its most urgent due time) and marks the other reports as
/// members, hidden from the queue.
macro_rules! refresh_incident {
    ($tx:expr, $id:expr) => {{
        sqlx::query(
            "UPDATE incidents SET \
             report_count = (SELECT COUNT(*) FROM reports WHERE incident_id = $1), \
             first_report_at = COALESCE((SELECT MIN(created_at) FROM reports WHERE incident_id = $1), first_report_at), \
             last_report_at = COALESCE((SELECT MAX(created_at) FROM reports WHERE incident_id = $1), last_report_at), \
             lead_report_id = (SELECT id FROM reports WHERE incident_id = $1 ORDER BY \
               CASE WHEN status IN ('new', 'open', 'waiting') THEN 0 ELSE 1 END, due_at, id LIMIT 1) \
             WHERE id = $1",
        )
        .bind($id)
        .execute(&mut *$tx)
        .await?;
        sqlx::query(
            "UPDATE reports SET incident_member = (id <> \
             (SELECT lead_report_id FROM incidents WHERE id = $1)) WHERE incident_id = $1",
        )
        .bind($id)
        .execute(&mut *$tx)
        .await?;
    }};
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
#[tracing::instrument(skip(db))]
pub async fn get(db: &Db, id: i64) -> Result<Option<IncidentRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM incidents WHERE id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// Open incidents with more than one report, newest first (for the merge picker).
#[tracing::instrument(skip(db))]
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
#[tracing::instrument(skip(db))]
pub async fn members(db: &Db, id: i64) -> Result<Vec<MemberRow>, sqlx::Error> {
    let sql = "SELECT r.id, r.reporter_id, u.email AS reporter_email, r.endpoint, r.status, \
               r.created_at, r.routed_at, r.due_at, r.first_response_at, r.sla_breached \
               FROM reports r JOIN users u ON u.id = r.reporter_id \
               WHERE r.incident_id = $1 ORDER BY r.id";
    on_db!(db, pool => sqlx::query_as(sql).bind(id).fetch_all(pool).await)
}

/// One public update on an incident, delivered to every report that is not closed.
/// `business_secs` gives, per report id, the business time since it was routed (its
/// first-response time if this stops its clock). Returns the report ids answered.
#[tracing::instrument(skip(db, body, business_secs))]
pub async fn reply(
    db: &Db,
    id: i64,
    author: i64,
    body: &str,
    business_secs: &[(i64, i64)],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, sqlx::Error> {
    let at = millis(now);
    on_db!(db, pool => {
        let mut tx = pool.begin_with(begin_sql(pool)).await?;
        let mut answered = Vec::new();
        for &(report, secs) in business_secs {
            let open: Vec<(i64,)> = sqlx::query_as(
                "SELECT id FROM reports WHERE id = $1 AND incident_id = $2 AND status <> 'closed'",
            )
            .bind(report)
            .bind(id)
            .fetch_all(&mut *tx)
            .await?;
            if open.is_empty() {
                continue;
            }
            sqlx::query(
                "INSERT INTO messages (report_id, author_id, visibility, body, created_at) \
                 VALUES ($1, $2, 'public', $3, $4)",
            )
            .bind(report)
            .bind(author)
            .bind(body)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            let detail = match answer_publicly!(tx, report, author, secs, at) {
                Some(true) => format!("Incident #{id} update. First response (after the due time: breached)"),
                Some(false) => format!("Incident #{id} update. First response (SLA met)"),
                None => format!("Incident #{id} update"),
            };
            record_event!(tx, report, author, "public_reply", detail, at)?;
            answered.push(report);
        }
        sqlx::query("UPDATE incidents SET latest_update = $1, latest_update_at = $2 WHERE id = $3")
            .bind(body)
            .bind(at)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        refresh_incident!(tx, id);
        tx.commit().await?;
        Ok(answered)
    })
}

/// Resolves an incident and every report of it that is still active; returns the ids.
#[tracing::instrument(skip(db))]
pub async fn resolve(
    db: &Db,
    id: i64,
    actor: i64,
    now: DateTime<Utc>,
) -> Result<Vec<i64>, sqlx::Error> {
    let at = millis(now);
    on_db!(db, pool => {
        let mut tx = pool.begin_with(begin_sql(pool)).await?;
        let changed = sqlx::query(
            "UPDATE incidents SET status = 'resolved', accepting = FALSE, resolved_at = $1 \
             WHERE id = $2 AND status = 'open'",
        )
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            tx.rollback().await?;
            return Ok(Vec::new());
        }
        let active: Vec<(i64, String)> = sqlx::query_as(
            "SELECT id, status FROM reports WHERE incident_id = $1 AND status IN ('new', 'open', 'waiting')",
        )
        .bind(id)
        .fetch_all(&mut *tx)
        .await?;
        for (report, from) in &active {
            sqlx::query("UPDATE reports SET status = 'resolved', updated_at = $1 WHERE id = $2")
                .bind(at)
                .bind(report)
                .execute(&mut *tx)
                .await?;
            let from = crate::domain::ticket::TicketStatus::parse(from).map_or("", |s| s.label());
            record_event!(tx, report, actor, "status", format!("{from} → Resolved (incident #{id} resolved)"), at)?;
        }
        refresh_incident!(tx, id);
        tx.commit().await?;
        Ok(active.into_iter().map(|(r, _)| r).collect())
    })
}

/// Takes a report out of its incident (it becomes a ticket of its own); returns the
/// incident it left.
#[tracing::instrument(skip(db))]
pub async fn move_out(
    db: &Db,
    report: i64,
    actor: i64,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    let at = millis(now);
    on_db!(db, pool => {
        let mut tx = pool.begin_with(begin_sql(pool)).await?;
        let from: Vec<(Option<i64>,)> = sqlx::query_as("SELECT incident_id FROM reports WHERE id = $1")
            .bind(report)
            .fetch_all(&mut *tx)
            .await?;
        let Some(incident) = from.first().and_then(|r| r.0) else {
            tx.rollback().await?;
            return Ok(None);
        };
        sqlx::query("UPDATE reports SET incident_id = NULL, incident_member = FALSE, updated_at = $1 WHERE id = $2")
            .bind(at)
            .bind(report)
            .execute(&mut *tx)
            .await?;
        record_event!(tx, report, actor, "incident", format!("Moved out of incident #{incident}"), at)?;
        refresh_incident!(tx, incident);
        tx.commit().await?;
        Ok(Some(incident))
    })
}

/// Merges incident `from` into `into`: its reports move over and it is closed as merged.
#[tracing::instrument(skip(db))]
pub async fn merge(
    db: &Db,
    from: i64,
    into: i64,
    actor: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let at = millis(now);
    on_db!(db, pool => {
        let mut tx = pool.begin_with(begin_sql(pool)).await?;
        let changed = sqlx::query(
            "UPDATE incidents SET status = 'merged', accepting = FALSE, merged_into = $1, \
             resolved_at = $2 WHERE id = $3 AND status = 'open' \
             AND EXISTS (SELECT 1 FROM incidents WHERE id = $1 AND status = 'open')",
        )
        .bind(into)
        .bind(at)
        .bind(from)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        sqlx::query(
            "INSERT INTO report_events (report_id, actor_id, kind, detail, created_at) \
             SELECT id, $1, 'incident', $2, $3 FROM reports WHERE incident_id = $4",
        )
        .bind(actor)
        .bind(format!("Incident #{from} merged into incident #{into}"))
        .bind(at)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE reports SET incident_id = $1 WHERE incident_id = $2")
            .bind(into)
            .bind(from)
            .execute(&mut *tx)
            .await?;
        sqlx::query("INSERT INTO incident_followers (incident_id, user_id, created_at) \
                     SELECT $1, user_id, created_at FROM incident_followers f WHERE incident_id = $2 \
                     AND NOT EXISTS (SELECT 1 FROM incident_followers g WHERE g.incident_id = $1 AND g.user_id = f.user_id)")
            .bind(into)
            .bind(from)
            .execute(&mut *tx)
            .await?;
        refresh_incident!(tx, from);
        refresh_incident!(tx, into);
        tx.commit().await?;
        Ok(true)
    })
}

/// Recomputes an incident after one of its reports changed status.
#[tracing::instrument(skip(db))]
pub async fn refresh(db: &Db, id: i64) -> Result<(), sqlx::Error> {
    on_db!(db, pool => {
        let mut tx = pool.begin_with(begin_sql(pool)).await?;
        refresh_incident!(tx, id);
        tx.commit().await?;
        Ok(())
    })
}

/// Follows an incident (idempotent).
#[tracing::instrument(skip(db))]
pub async fn follow(db: &Db, id: i64, user: i64, now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    on_db!(db, pool => sqlx::query(
        "INSERT INTO incident_followers (incident_id, user_id, created_at) VALUES ($1, $2, $3) \
         ON CONFLICT (incident_id, user_id) DO NOTHING")
        .bind(id)
        .bind(user)
        .bind(millis(now))
        .execute(pool)
        .await
        .map(|_| ()))
}

/// Whether `user` follows the incident.
#[tracing::instrument(skip(db))]
pub async fn is_following(db: &Db, id: i64, user: i64) -> Result<bool, sqlx::Error> {
    let rows: Vec<(i64,)> = on_db!(db, pool => sqlx::query_as(
        "SELECT user_id FROM incident_followers WHERE incident_id = $1 AND user_id = $2")
        .bind(id).bind(user).fetch_all(pool).await)?;
    Ok(!rows.is_empty())
}

/// Followers' email addresses.
#[tracing::instrument(skip(db))]
pub async fn follower_emails(db: &Db, id: i64) -> Result<Vec<String>, sqlx::Error> {
    let rows: Vec<(String,)> = on_db!(db, pool => sqlx::query_as(
        "SELECT u.email FROM incident_followers f JOIN users u ON u.id = f.user_id \
         WHERE f.incident_id = $1 ORDER BY u.id")
        .bind(id).fetch_all(pool).await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}
