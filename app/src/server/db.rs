//! One store over two engines.
//!
//! Faultdesk runs on an embedded SQLite file by default and on PostgreSQL by one
//! setting. We keep one native pool per engine in an enum, [`Db`], and write each store
//! function once: the [`on_db!`] macro expands the same body for both pools, so every
//! query is type-checked against both drivers (sqlx's `Any` driver would lose chrono
//! and native pool options; generic functions over `sqlx::Database` need a wall of
//! trait bounds per query).
//!
//! To keep that SQL identical on both engines, instants are stored as `BIGINT`
//! milliseconds since the Unix epoch (see [`millis`] / [`from_millis`]), booleans as
//! `BOOLEAN` (an integer in SQLite), and placeholders are written `$1`, which both
//! engines accept.

use chrono::{DateTime, TimeZone, Utc};
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    PgPool, SqlitePool,
};
use std::{str::FromStr, time::Duration};

/// A connection pool to whichever engine is configured.
#[derive(Clone, Debug)]
pub enum Db {
    /// The embedded default.
    Sqlite(SqlitePool),
    /// For deployments of several instances sharing one database.
    Postgres(PgPool),
}

/// Runs the same body against whichever pool `$db` holds, binding it to `$pool`.
///
/// ```text
/// on_db!(db, pool => sqlx::query("SELECT 1").execute(pool).await)
/// ```
/// (Every store function and the integration tests use it; see `server::reports`.)
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $db {
            $crate::server::db::Db::Sqlite($pool) => $body,
            $crate::server::db::Db::Postgres($pool) => $body,
        }
    };
}
pub use on_db;

/// Which engine a database URL points at.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// `sqlite:` URLs.
    Sqlite,
    /// `postgres:` / `postgresql:` URLs.
    Postgres,
}

impl Engine {
    /// Reads the engine from a database URL.
    pub fn of_url(url: &str) -> Result<Self, sqlx::Error> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Ok(Self::Postgres)
        } else {
            Err(sqlx::Error::Configuration(
                "the database URL must start with sqlite: or postgres:".into(),
            ))
        }
    }
}

impl Db {
    /// Opens a pool for `url`, creating the SQLite file if it does not exist.
    ///
    /// SQLite runs in WAL mode with a busy timeout, so readers never block the writer
    /// and concurrent writers wait their turn instead of failing.
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        match Engine::of_url(url)? {
            Engine::Sqlite => {
                let options = SqliteConnectOptions::from_str(url)?
                    .create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .busy_timeout(Duration::from_secs(10))
                    .foreign_keys(true)
                    .pragma("temp_store", "memory");
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(15))
                    .connect_with(options)
                    .await?;
                Ok(Self::Sqlite(pool))
            }
            Engine::Postgres => {
                let options = PgConnectOptions::from_str(url)?;
                let pool = PgPoolOptions::new()
                    .max_connections(max_connections)
                    .acquire_timeout(Duration::from_secs(15))
                    .connect_with(options)
                    .await?;
                Ok(Self::Postgres(pool))
            }
        }
    }

    /// Applies the engine's migrations (`migrations/sqlite` or `migrations/postgres`).
    /// Safe to run from several instances at once: sqlx takes a lock.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match self {
            Db::Sqlite(pool) => sqlx::migrate!("../migrations/sqlite").run(pool).await,
            Db::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await,
        }
    }

    /// The engine behind this pool.
    pub fn engine(&self) -> Engine {
        match self {
            Db::Sqlite(_) => Engine::Sqlite,
            Db::Postgres(_) => Engine::Postgres,
        }
    }

    /// Checks that the database answers (for the readiness probe).
    pub async fn ping(&self) -> Result<(), sqlx::Error> {
        on_db!(self, pool => sqlx::query("SELECT 1").execute(pool).await.map(|_| ()))
    }

    /// Closes every connection (graceful shutdown).
    pub async fn close(&self) {
        on_db!(self, pool => pool.close().await)
    }
}

/// The statement that opens a write transaction on this pool's engine. SQLite takes the
/// write lock up front (`BEGIN IMMEDIATE`), so a transaction that reads before it writes
/// waits its turn instead of failing with "database is locked" under concurrency.
pub fn begin_sql<P: WritePool>(_pool: &P) -> &'static str {
    P::BEGIN
}

/// A pool whose engine has a preferred way to open write transactions.
pub trait WritePool {
    /// The `BEGIN` statement.
    const BEGIN: &'static str;
}

impl WritePool for SqlitePool {
    const BEGIN: &'static str = "BEGIN IMMEDIATE";
}

impl WritePool for PgPool {
    const BEGIN: &'static str = "BEGIN";
}

/// An instant as stored: milliseconds since the Unix epoch.
pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The inverse of [`millis`]. Out-of-range values (which we never write) clamp to the epoch.
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}
