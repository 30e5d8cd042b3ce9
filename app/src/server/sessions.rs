//! Browser sessions, kept in the database so that several stateless instances can
//! share them (tower-sessions does the cookies and the session API; this is its store).
//!
//! Ours rather than `tower-sessions-sqlx-store` because its writes must go through the
//! writer like every other write (on SQLite a write from a pool would wait in the busy
//! handler behind it), and its reads come from the read pool. A record is kept as JSON
//! with its expiry in milliseconds, like every other instant in the database.

use super::{
    cache::CacheKind,
    db::{millis, on_db, on_tx, Db},
};
use crate::error::AppError;
use tower_sessions::{
    session::{Id, Record},
    session_store::{self, ExpiredDeletion},
};

/// The session store over Faultdesk's database.
#[derive(Clone, Debug)]
pub struct SessionStore {
    db: Db,
}

impl SessionStore {
    /// A store over the same database as the rest of Faultdesk.
    pub fn new(db: &Db) -> Self {
        Self { db: db.clone() }
    }
}

fn expiry_ms(record: &Record) -> i64 {
    i64::try_from(record.expiry_date.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX)
}

fn backend(e: AppError) -> session_store::Error {
    session_store::Error::Backend(e.message)
}

/// A session's expiry slides with each request (14 days of inactivity), but its row is
/// only rewritten when the data changed or the stored expiry lags by more than this:
/// a signed-in request costs no write (and drops no cached session), and a session
/// expires at most this much before its cookie.
const EXPIRY_SLACK_SECS: i64 = 3_600;

/// Whether saving `record` would change nothing that matters in the stored `current`.
fn unchanged(current: &Record, record: &Record) -> bool {
    current.data == record.data
        && (record.expiry_date - current.expiry_date).whole_seconds() < EXPIRY_SLACK_SECS
        && record.expiry_date >= current.expiry_date
}

fn encode(record: &Record) -> session_store::Result<String> {
    serde_json::to_string(record).map_err(|e| session_store::Error::Encode(e.to_string()))
}

#[async_trait::async_trait]
impl session_store::SessionStore for SessionStore {
    async fn create(&self, record: &mut Record) -> session_store::Result<()> {
        // A new id until one is free (a collision of 128 random bits is theoretical).
        loop {
            let (id, data, expires) = (record.id.to_string(), encode(record)?, expiry_ms(record));
            let stored = self
                .db
                .write(move |tx| {
                    Box::pin(async move {
                        let n = on_tx!(tx, c => sqlx::query(
                            "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
                             ON CONFLICT (id) DO NOTHING")
                            .bind(id)
                            .bind(data)
                            .bind(expires)
                            .execute(&mut *c)
                            .await.map(|r| r.rows_affected()))?;
                        tx.stale(CacheKind::Sessions);
                        Ok(n == 1)
                    })
                })
                .await
                .map_err(backend)?;
            if stored {
                return Ok(());
            }
            record.id = Id::default();
        }
    }

    async fn save(&self, record: &Record) -> session_store::Result<()> {
        let key = record.id.to_string();
        if let Some(current) = self.db.hub().caches.cached_session(&key) {
            if unchanged(&current, record) {
                return Ok(());
            }
        }
        let (id, data, expires) = (key, encode(record)?, expiry_ms(record));
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    on_tx!(tx, c => sqlx::query(
                        "INSERT INTO sessions (id, data, expires_at) VALUES ($1, $2, $3) \
                         ON CONFLICT (id) DO UPDATE SET data = excluded.data, \
                         expires_at = excluded.expires_at")
                        .bind(id)
                        .bind(data)
                        .bind(expires)
                        .execute(&mut *c)
                        .await.map(|r| r.rows_affected()))?;
                    tx.stale(CacheKind::Sessions);
                    Ok(())
                })
            })
            .await
            .map_err(backend)
    }

    async fn load(&self, id: &Id) -> session_store::Result<Option<Record>> {
        let key = id.to_string();
        let db = &self.db;
        let record = db
            .hub()
            .caches
            .session(key.clone(), || async move {
                let now = millis(chrono::Utc::now());
                let row: Option<(String,)> = on_db!(db, pool => sqlx::query_as(
                    "SELECT data FROM sessions WHERE id = $1 AND expires_at > $2")
                    .bind(key)
                    .bind(now)
                    .fetch_optional(pool)
                    .await)?;
                match row {
                    Some((data,)) => serde_json::from_str(&data)
                        .map(Some)
                        .map_err(|e| super::error::unexpected("stored session unreadable", e)),
                    None => Ok(None),
                }
            })
            .await
            .map_err(backend)?;
        // A copy of a session that expired since it was read is no session.
        Ok(record
            .filter(|r| r.expiry_date > tower_sessions::cookie::time::OffsetDateTime::now_utc()))
    }

    async fn delete(&self, id: &Id) -> session_store::Result<()> {
        let id = id.to_string();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE id = $1")
                        .bind(id)
                        .execute(&mut *c)
                        .await.map(|r| r.rows_affected()))?;
                    tx.stale(CacheKind::Sessions);
                    Ok(())
                })
            })
            .await
            .map_err(backend)
    }
}

#[async_trait::async_trait]
impl ExpiredDeletion for SessionStore {
    async fn delete_expired(&self) -> session_store::Result<()> {
        let now = millis(chrono::Utc::now());
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    on_tx!(tx, c => sqlx::query("DELETE FROM sessions WHERE expires_at <= $1")
                        .bind(now)
                        .execute(&mut *c)
                        .await.map(|r| r.rows_affected()))?;
                    tx.stale(CacheKind::Sessions);
                    Ok(())
                })
            })
            .await
            .map_err(backend)
    }
}
