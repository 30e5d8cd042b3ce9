//! The `notices` aggregate: maintenance notices and their history.

use super::db::{begin_sql, millis, on_db, Db};
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

macro_rules! notice_event {
    ($tx:expr, $notice:expr, $actor:expr, $kind:expr, $detail:expr, $at:expr) => {
        sqlx::query(
            "INSERT INTO notice_events (notice_id, actor_id, kind, detail, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind($notice)
        .bind($actor)
        .bind($kind)
        .bind($detail)
        .bind($at)
        .execute(&mut *$tx)
        .await
    };
}

/// Publishes a notice (checked by the caller); returns its id.
#[tracing::instrument(skip(db, d), fields(title = %d.title))]
pub async fn insert(
    db: &Db,
    d: &NoticeDraft,
    actor: i64,
    now: DateTime<Utc>,
) -> Result<i64, sqlx::Error> {
    let at = millis(now);
    on_db!(db, pool => {
        let mut tx = pool.begin_with(begin_sql(pool)).await?;
        let ids: Vec<(i64,)> = sqlx::query_as(
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
        .fetch_all(&mut *tx)
        .await?;
        let id = ids.first().map(|r| r.0).ok_or(sqlx::Error::RowNotFound)?;
        let kind = if d.emergency { "published_emergency" } else { "published" };
        notice_event!(tx, id, actor, kind, "", at)?;
        tx.commit().await?;
        Ok(id)
    })
}

/// Replaces a notice's content; `detail` describes the change for the history.
#[tracing::instrument(skip(db, d, detail))]
pub async fn update(
    db: &Db,
    id: i64,
    d: &NoticeDraft,
    detail: &str,
    actor: i64,
    now: DateTime<Utc>,
) -> Result<bool, sqlx::Error> {
    let at = millis(now);
    on_db!(db, pool => {
        let mut tx = pool.begin_with(begin_sql(pool)).await?;
        let n = sqlx::query(
            "UPDATE notices SET title = $1, details = $2, starts_at = $3, ends_at = $4, \
             endpoints = $5, emergency = $6, updated_at = $7 WHERE id = $8 AND cancelled_at IS NULL",
        )
        .bind(&d.title)
        .bind(&d.details)
        .bind(millis(d.starts_at))
        .bind(millis(d.ends_at))
        .bind(d.prefixes.join("\n"))
        .bind(d.emergency)
        .bind(at)
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n == 1 {
            notice_event!(tx, id, actor, "edited", detail, at)?;
        }
        tx.commit().await?;
        Ok(n == 1)
    })
}

/// Ends an active notice now, or cancels one (`cancel`); returns whether it changed.
#[tracing::instrument(skip(db))]
pub async fn stop(
    db: &Db,
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
    on_db!(db, pool => {
        let mut tx = pool.begin_with(begin_sql(pool)).await?;
        let n = sqlx::query(sql).bind(at).bind(id).execute(&mut *tx).await?.rows_affected();
        if n == 1 {
            notice_event!(tx, id, actor, kind, "", at)?;
        }
        tx.commit().await?;
        Ok(n == 1)
    })
}

/// One notice.
#[tracing::instrument(skip(db))]
pub async fn get(db: &Db, id: i64) -> Result<Option<NoticeRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM notices WHERE id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// Active and upcoming notices (not cancelled, not yet over), soonest first.
#[tracing::instrument(skip(db))]
pub async fn current(db: &Db, now: DateTime<Utc>) -> Result<Vec<NoticeRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM notices WHERE cancelled_at IS NULL AND ends_at > $1 \
         ORDER BY starts_at, id LIMIT 50"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(millis(now)).fetch_all(pool).await)
}

/// The latest notices of any state, for staff.
#[tracing::instrument(skip(db))]
pub async fn recent(db: &Db) -> Result<Vec<NoticeRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM notices ORDER BY id DESC LIMIT 100");
    on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)
}

/// Notices whose window contains `at` (not cancelled); the caller matches endpoints.
#[tracing::instrument(skip(db))]
pub async fn covering_instant(db: &Db, at: DateTime<Utc>) -> Result<Vec<NoticeRow>, sqlx::Error> {
    let sql = format!(
        "SELECT {COLUMNS} FROM notices WHERE cancelled_at IS NULL AND starts_at <= $1 \
         AND ends_at > $1 ORDER BY starts_at, id"
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(millis(at)).fetch_all(pool).await)
}

/// A notice's history, oldest first: (kind, detail, actor email, at).
#[tracing::instrument(skip(db))]
pub async fn events(db: &Db, id: i64) -> Result<Vec<super::reports::EventRow>, sqlx::Error> {
    let sql = "SELECT e.kind, e.detail, u.email AS actor, e.created_at FROM notice_events e \
               LEFT JOIN users u ON u.id = e.actor_id WHERE e.notice_id = $1 ORDER BY e.id";
    on_db!(db, pool => sqlx::query_as(sql).bind(id).fetch_all(pool).await)
}

/// Email address and timezone of every developer account (for announcements).
#[tracing::instrument(skip(db))]
pub async fn developer_recipients(db: &Db) -> Result<Vec<(String, String)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(
        "SELECT email, timezone FROM users WHERE role = 'developer' ORDER BY id").fetch_all(pool).await)
}
