//! The `notices` aggregate: maintenance notices and their history.

use super::{
    cache::CacheKind,
    db::{millis, on_db, on_tx, Db, Tx},
};
use crate::domain::notices::NoticeDraft;
use chrono::{DateTime, Utc};

/// A notice as stored.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct NoticeRow {
    pub id: i64,
    pub title: String,
    pub details: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub endpoints: String,
    pub emergency: bool,
    pub cancelled_at: Option<i64>,
    pub published_at: i64,
    pub published_by: i64,
    pub updated_at: i64,
}

impl NoticeRow {
    /// The affected path prefixes (empty: the whole API).
    pub fn prefixes(&self) -> Vec<String> {
        self.endpoints
            .lines()
            .filter(|l| !l.is_empty())
            .map(str::to_owned)
            .collect()
    }

    /// The notice's content as a draft, for edits.
    pub fn draft(&self) -> NoticeDraft {
        NoticeDraft {
            title: self.title.clone(),
            details: self.details.clone(),
            starts_at: super::db::from_millis(self.starts_at),
            ends_at: super::db::from_millis(self.ends_at),
            prefixes: self.prefixes(),
            emergency: self.emergency,
        }
    }
}

const COLUMNS: &str =
    "id, title, details, starts_at, ends_at, endpoints, emergency, cancelled_at, \
    published_at, published_by, updated_at";

/// Records one entry of a notice's history.
async fn notice_event(
    tx: &mut Tx,
    notice: i64,
    actor: i64,
    kind: &str,
    detail: &str,
    at: i64,
) -> Result<(), sqlx::Error> {
    on_tx!(tx, c => sqlx::query(
        "INSERT INTO notice_events (notice_id, actor_id, kind, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(notice)
    .bind(actor)
    .bind(kind)
    .bind(detail)
    .bind(at)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    tx.stale(CacheKind::Notices);
    Ok(())
}

/// Publishes a notice (checked by the caller); returns its id.
#[tracing::instrument(level = "debug", skip(tx, d), fields(title = %d.title))]
pub async fn insert(
    tx: &mut Tx,
    d: &NoticeDraft,
    actor: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let at = millis(now);
    let ids: Vec<(i64,)> = on_tx!(tx, c => sqlx::query_as(
        "INSERT INTO notices (title, details, starts_at, ends_at, endpoints, emergency, \
         published_at, published_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $7) \
         RETURNING id",
    )
    .bind(&d.title)
    .bind(&d.details)
    .bind(millis(d.starts_at))
    .bind(millis(d.ends_at))
    .bind(d.prefixes.join("\n"))
    .bind(d.emergency)
    .bind(at)
    .bind(actor)
    .fetch_all(&mut *c)
    .await)?;
    let id = ids.first().map(|r| r.0).ok_or(sqlx::Error::RowNotFound)?;
    let kind = if d.emergency {
        "published_emergency"
    } else {
        "published"
    };
    notice_event(tx, id, actor, kind, "", at).await?;
    Ok(id)
}

/// Replaces a notice's content if it is still what the editor saw (`before`: its last
/// update time) and not cancelled; `detail` describes the change for the history.
#[tracing::instrument(level = "debug", skip(tx, d, detail))]
pub async fn update(
    tx: &mut Tx,
    id: i64,
    d: &NoticeDraft,
    detail: &str,
    seen_updated_at: i64,
    actor: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let at = millis(now);
    let n = on_tx!(tx, c => sqlx::query(
        "UPDATE notices SET title = $1, details = $2, starts_at = $3, ends_at = $4, \
         endpoints = $5, emergency = $6, updated_at = $7 WHERE id = $8 AND cancelled_at IS NULL \
         AND updated_at = $9",
    )
    .bind(&d.title)
    .bind(&d.details)
    .bind(millis(d.starts_at))
    .bind(millis(d.ends_at))
    .bind(d.prefixes.join("\n"))
    .bind(d.emergency)
    .bind(at)
    .bind(id)
    .bind(seen_updated_at)
    .execute(&mut *c)
    .await.map(|r| r.rows_affected()))?;
    if n == 1 {
        notice_event(tx, id, actor, "edited", detail, at).await?;
    }
    Ok(n == 1)
}

/// Ends an active notice now, or cancels one (`cancel`); returns whether it changed.
#[tracing::instrument(level = "debug", skip(tx))]
pub async fn stop(
    tx: &mut Tx,
    id: i64,
    cancel: bool,
    actor: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let at = millis(now);
    let (sql, kind) = if cancel {
        (
            "UPDATE notices SET cancelled_at = $1, updated_at = $1 WHERE id = $2 \
             AND cancelled_at IS NULL AND ends_at > $1",
            "cancelled",
        )
    } else {
        (
            "UPDATE notices SET ends_at = $1, updated_at = $1 WHERE id = $2 \
             AND cancelled_at IS NULL AND starts_at <= $1 AND ends_at > $1",
            "ended_early",
        )
    };
    let n = on_tx!(tx, c => sqlx::query(sql).bind(at).bind(id).execute(&mut *c).await.map(|r| r.rows_affected()))?;
    if n == 1 {
        notice_event(tx, id, actor, kind, "", at).await?;
    }
    Ok(n == 1)
}

/// One notice, read inside a unit of work.
pub async fn get_in(tx: &mut Tx, id: i64) -> Result<Option<NoticeRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM notices WHERE id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
}

/// One notice.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn get(db: &Db, id: i64) -> Result<Option<NoticeRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM notices WHERE id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// Notices not cancelled and ending after `since`, soonest first (what the cache holds).
#[tracing::instrument(level = "debug", skip(db))]
pub async fn ending_after(db: &Db, since: DateTime<Utc>) -> Result<Vec<NoticeRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM notices WHERE cancelled_at IS NULL AND ends_at > $1 \
         ORDER BY starts_at, id"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(millis(since)).fetch_all(pool).await)
}

/// Notices whose window contains `at` (not cancelled); the caller matches endpoints.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn covering_instant(db: &Db, at: DateTime<Utc>) -> Result<Vec<NoticeRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM notices WHERE cancelled_at IS NULL AND starts_at <= $1 \
         AND ends_at > $1 ORDER BY starts_at, id"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(millis(at)).fetch_all(pool).await)
}

/// The latest notices of any state, for staff.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn recent(db: &Db) -> Result<Vec<NoticeRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM notices ORDER BY id DESC LIMIT 100");
    on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

/// The histories of several notices, oldest first, keyed by notice.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn events_of(
    db: &Db,
    ids: &[i64],
) -> Result<std::collections::HashMap<i64, Vec<super::reports::EventRow>>, sqlx::Error> {
    let mut by_notice: std::collections::HashMap<i64, Vec<super::reports::EventRow>> =
        std::collections::HashMap::new();
    if ids.is_empty() {
        return Ok(by_notice);
    }
    let rows: Vec<(i64, String, String, Option<String>, i64)> = on_db!(db, pool => {
        let mut q = sqlx::QueryBuilder::new(
        "SELECT e.notice_id, e.kind, e.detail, u.email AS actor, e.created_at FROM notice_events e \
         LEFT JOIN users u ON u.id = e.actor_id WHERE e.notice_id IN (",
    );
    let mut list = q.separated(", ");
    for id in ids {
        list.push_bind(*id);
    }
    q.push(") ORDER BY e.id");
        q.build_query_as().fetch_all(pool).await
    })?;
    for (notice, kind, detail, actor, created_at) in rows {
        by_notice
            .entry(notice)
            .or_default()
            .push(super::reports::EventRow {
                kind,
                detail,
                actor,
                actor_role: None,
                created_at,
            });
    }
    Ok(by_notice)
}

/// Email address and timezone of every developer account (for announcements), read
/// inside the publication that mails them.
pub async fn developer_recipients(tx: &mut Tx) -> Result<Vec<(String, String)>, sqlx::Error> {
    on_tx!(tx, c => sqlx::query_as(
        "SELECT email, timezone FROM users WHERE role = 'developer' ORDER BY id")
        .fetch_all(&mut *c)
        .await)
}
