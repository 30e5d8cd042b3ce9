//! One store over two engines, with one way to write.
//!
//! Faultdesk runs on an embedded SQLite file by default and on PostgreSQL by one
//! setting. [`Db`] holds a native pool for *reads* ([`Pool`], one enum variant per
//! engine) and a [`Writer`] for *writes*. Each store function is written once: the
//! [`on_db!`] macro expands the same body for both read pools, [`on_tx!`] for both
//! kinds of transaction, so every query is type-checked against both drivers (sqlx's
//! `Any` driver would lose chrono and native pool options; generic functions over
//! `sqlx::Database` need a wall of trait bounds per query).
//!
//! **Writes.** Every user action that writes is one unit of work, a closure given to
//! [`Db::write`] that receives a [`Tx`] (an open transaction) and runs on the writer's
//! own task, never on the request's: a client that vanishes at any `.await` cannot cut
//! it in half, and a pooled connection never returns to the pool inside a transaction.
//! Live events and cache invalidations are recorded on the [`Tx`] and published only
//! after the commit (see [`writer`]).
//!
//! On SQLite the writer is one connection fed by a queue: concurrent actions are
//! committed together in one transaction (group commit, each action isolated by a
//! savepoint), so writes never wait in SQLite's busy handler; the read pool opens its
//! connections read-only, so no write can slip past the writer. On PostgreSQL a few
//! writer lanes share the pool and do the same.
//!
//! To keep the SQL identical on both engines, instants are stored as `BIGINT`
//! milliseconds since the Unix epoch (see [`millis`] / [`from_millis`]), booleans as
//! `BOOLEAN` (an integer in SQLite), and placeholders are written `$1`, which both
//! engines accept.

mod tx;
pub mod writer;

pub use tx::{Conn, Effects, Tx};
pub use writer::{JobFuture, Writer};

use super::{cache::Caches, events::Events};
use crate::error::AppError;
use chrono::{DateTime, TimeZone, Utc};
use sqlx::{
    postgres::{PgConnectOptions, PgPoolOptions},
    sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous},
    Connection, Database, PgPool, Postgres, Sqlite, SqlitePool, TransactionManager,
};
use std::{str::FromStr, sync::Arc, time::Duration};

/// A read pool to whichever engine is configured.
#[derive(Clone, Debug)]
pub enum Pool {
    /// The embedded default (connections opened read-only).
    Sqlite(SqlitePool),
    /// For deployments of several instances sharing one database.
    Postgres(PgPool),
}

/// The database: a pool for reads, a writer for every write, and the signals that
/// writes raise after they commit (live events, cache invalidations, mail).
#[derive(Clone, Debug)]
pub struct Db {
    pool: Pool,
    writer: Writer,
    hub: Arc<Hub>,
}

/// What committed writes tell the rest of the process.
#[derive(Debug, Default)]
pub struct Hub {
    /// Change notifications for live views.
    pub events: Events,
    /// In-memory copies of rarely changing data.
    pub caches: Caches,
    /// Wakes the mail worker after something was put in the outbox.
    pub mail_wake: tokio::sync::Notify,
}

/// Runs the same body against whichever read pool `$db` holds, binding it to `$pool`.
///
/// ```text
/// on_db!(db, pool => sqlx::query("SELECT 1").execute(pool).await)
/// ```
#[macro_export]
macro_rules! on_db {
    ($db:expr, $pool:ident => $body:expr) => {
        match $crate::server::db::Db::pool($db) {
            $crate::server::db::Pool::Sqlite($pool) => $body,
            $crate::server::db::Pool::Postgres($pool) => $body,
        }
    };
}
pub use on_db;

/// Runs the same body against whichever connection the transaction `$tx` holds,
/// binding it to `$conn` (a `&mut SqliteConnection` or `&mut PgConnection`).
///
/// ```text
/// on_tx!(tx, c => sqlx::query("UPDATE …").execute(&mut *c).await.map(|r| r.rows_affected()))
/// ```
#[macro_export]
macro_rules! on_tx {
    ($tx:expr, $conn:ident => $body:expr) => {
        match $crate::server::db::Tx::conn($tx) {
            $crate::server::db::Conn::Sqlite($conn) => {
                let $conn: &mut ::sqlx::SqliteConnection = &mut *$conn;
                $body
            }
            $crate::server::db::Conn::Postgres($conn) => {
                let $conn: &mut ::sqlx::PgConnection = &mut *$conn;
                $body
            }
        }
    };
}
pub use on_tx;

/// "The report's ticket is active" (new, open or waiting) in SQL, on the `status` column
/// of the table prefixed `$table` (`""` or `"r."`). Spelled as ORs, never `IN (…)`:
/// SQLite runs an `IN` list of three or more constants by building a temporary b-tree
/// each time the statement runs, and the conditions of the partial indexes on reports
/// run on every insert and update of a report (a filing built eleven such trees, a
/// quarter of its database work). Queries spell it so too, exactly, for SQLite to see
/// that they imply those indexes' conditions (migration 0019).
macro_rules! active_status {
    ($table:literal) => {
        concat!(
            "(",
            $table,
            "status = 'new' OR ",
            $table,
            "status = 'open' OR ",
            $table,
            "status = 'waiting')"
        )
    };
}
pub(crate) use active_status;

/// [`active_status!`] on an unprefixed `status`, as the partial indexes spell it.
pub const ACTIVE_STATUS: &str = active_status!("");

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

/// How many writer lanes PostgreSQL gets: `FAULTDESK_WRITER_LANES`, default 1. One
/// lane makes the largest batches (filings of an outage all lock the same incident
/// and day rows, so parallel lanes would wait for each other anyway); more help when
/// slow units of work (a reply to an incident of thousands) must not delay filings.
fn writer_lanes() -> Result<usize, sqlx::Error> {
    setting(
        "FAULTDESK_WRITER_LANES",
        1,
        1..=16,
        "a whole number from 1 to 16",
    )
}

/// How long after a commit SQLite's WAL checkpointer copies the WAL back into the
/// database file: `FAULTDESK_SQLITE_CHECKPOINT_MS`, default 10 ms; `0` leaves
/// checkpoints to the writer alone (SQLite's automatic checkpoint). The pause lets a
/// flood's commits gather, so one checkpoint and its `fsync`s cover many of them.
fn sqlite_checkpoint_pause() -> Result<Duration, sqlx::Error> {
    let ms = setting(
        "FAULTDESK_SQLITE_CHECKPOINT_MS",
        10,
        0..=60_000,
        "a whole number of milliseconds from 0 to 60000",
    )?;
    Ok(Duration::from_millis(ms))
}

/// After how many WAL pages the writer's commit copies the WAL back itself (SQLite's
/// automatic checkpoint): `FAULTDESK_SQLITE_AUTOCHECKPOINT_PAGES`, default 10,000
/// (about 40 MB). With the checkpointer on, this is a backstop, and the point where
/// the WAL starts over; each time it costs the commit that reaches it two `fsync`s.
fn sqlite_autocheckpoint_pages() -> Result<u32, sqlx::Error> {
    setting(
        "FAULTDESK_SQLITE_AUTOCHECKPOINT_PAGES",
        10_000,
        100..=1_000_000,
        "a whole number of pages from 100 to 1000000",
    )
}

/// An engine setting (see [`crate::server::env`]), as a configuration error.
fn setting<T: std::str::FromStr + PartialOrd>(
    name: &str,
    default: T,
    range: std::ops::RangeInclusive<T>,
    what: &str,
) -> Result<T, sqlx::Error> {
    crate::server::env::setting(name, default, range, what)
        .map_err(|e| sqlx::Error::Configuration(e.into()))
}

/// A PostgreSQL pool of at most `max` connections that never lends or takes back a
/// connection inside a transaction.
fn pg_pool(max: u32) -> PgPoolOptions {
    PgPoolOptions::new()
        .max_connections(max)
        .acquire_timeout(ACQUIRE_TIMEOUT)
        .before_acquire(|conn, _| {
            Box::pin(async move { Ok(outside_transaction::<Postgres>(conn)) })
        })
        .after_release(|conn, _| Box::pin(async move { Ok(outside_transaction::<Postgres>(conn)) }))
}

/// How long a request waits for a pooled connection before it is told to try again.
pub const ACQUIRE_TIMEOUT: Duration = Duration::from_secs(5);

/// SQLite options shared by the writer and the readers.
fn sqlite_options(url: &str) -> Result<SqliteConnectOptions, sqlx::Error> {
    Ok(SqliteConnectOptions::from_str(url)?
        .busy_timeout(Duration::from_secs(5))
        .pragma("temp_store", "memory"))
}

/// The writer's (and migrations') options: creates the file, WAL, foreign keys.
fn sqlite_write_options(url: &str) -> Result<SqliteConnectOptions, sqlx::Error> {
    Ok(sqlite_options(url)?
        // Batches of filings prepare one statement per row count; keep them all.
        .statement_cache_capacity(512)
        .create_if_missing(true)
        .journal_mode(SqliteJournalMode::Wal)
        .synchronous(SqliteSynchronous::Normal)
        // A WAL that grew during a flood (a long read can keep it from starting over)
        // is cut back to 64 MB when it next starts over, instead of keeping its size.
        .pragma("journal_size_limit", "67108864")
        .pragma(
            "wal_autocheckpoint",
            sqlite_autocheckpoint_pages()?.to_string(),
        )
        .foreign_keys(true))
}

/// Whether a connection handed back to a pool is safe to reuse: one still inside a
/// transaction (a cancelled `begin`, sqlx #3932/#4385) is closed instead.
fn outside_transaction<DB: Database>(conn: &DB::Connection) -> bool {
    let depth = <DB::TransactionManager as TransactionManager>::get_transaction_depth(conn);
    if depth != 0 {
        tracing::warn!(depth, "discarding a connection left inside a transaction");
    }
    depth == 0
}

impl Db {
    /// Opens the read pool and starts the writer for `url`, creating the SQLite file if
    /// it does not exist. `max_connections` bounds the read pool (PostgreSQL: the writer
    /// lanes hold one more connection each, and the idle writer's direct way one).
    pub async fn connect(url: &str, max_connections: u32) -> Result<Self, sqlx::Error> {
        let hub = Arc::new(Hub::default());
        match Engine::of_url(url)? {
            Engine::Sqlite => {
                let pause = sqlite_checkpoint_pause()?;
                // The writer first: it creates the file and switches it to WAL, which
                // read-only connections cannot do.
                let write_options = sqlite_write_options(url)?;
                let mut first = sqlx::SqliteConnection::connect_with(&write_options).await?;
                crate::server::reports::prepare_sqlite_writer(&mut first).await?;
                let writer = Writer::sqlite(first, write_options, pause, hub.clone());
                let pool = SqlitePoolOptions::new()
                    .max_connections(max_connections.max(1))
                    .acquire_timeout(ACQUIRE_TIMEOUT)
                    .after_release(|conn, _| {
                        Box::pin(async move { Ok(outside_transaction::<Sqlite>(conn)) })
                    })
                    .connect_with(sqlite_options(url)?.read_only(true))
                    .await?;
                Ok(Self {
                    pool: Pool::Sqlite(pool),
                    writer,
                    hub,
                })
            }
            Engine::Postgres => {
                let lanes = writer_lanes()?;
                let options = PgConnectOptions::from_str(url)?.statement_cache_capacity(512);
                let pool = pg_pool(max_connections.max(2))
                    .connect_with(options.clone())
                    .await?;
                // Nothing is cached until the listener hears other instances' changes.
                hub.caches.set_enabled(false);
                // The lanes' own connections, one each, planning their statements once:
                // writes look rows up by key, and the one-statement filing (arrays in,
                // so every batch size shares one plan) would otherwise be planned again
                // for every batch, which took longer than running it.
                let writer_options = options.options([("plan_cache_mode", "force_generic_plan")]);
                let writer_pool = pg_pool(u32::try_from(lanes).unwrap_or(1))
                    .connect_lazy_with(writer_options.clone());
                // And one for a lone filing that finds the writer idle, opened on the
                // request runtime by the first such filing (see `writer::Direct`).
                let direct_pool = pg_pool(1).connect_lazy_with(writer_options);
                let writer = Writer::postgres(writer_pool, direct_pool, lanes, hub.clone());
                Ok(Self {
                    pool: Pool::Postgres(pool),
                    writer,
                    hub,
                })
            }
        }
    }

    /// The read pool.
    pub fn pool(&self) -> &Pool {
        &self.pool
    }

    /// The writer (for the intake's batched filings).
    pub fn writer(&self) -> &Writer {
        &self.writer
    }

    /// Live events, caches and the mail wake-up shared with the writer.
    pub fn hub(&self) -> &Arc<Hub> {
        &self.hub
    }

    /// Runs one unit of work in a transaction on the writer and answers after it
    /// committed (or rolled back). The closure runs on the writer's task, so it
    /// completes or rolls back as a whole even if the caller is dropped meanwhile.
    ///
    /// ```text
    /// db.write(move |tx| Box::pin(async move { store::thing(tx, …).await?; Ok(()) })).await
    /// ```
    pub async fn write<T, F>(&self, job: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Tx) -> JobFuture<'c, T> + Send + 'static,
    {
        self.writer.run(job).await
    }

    /// Applies the engine's migrations (`migrations/sqlite` or `migrations/postgres`).
    /// Safe to run from several instances at once: sqlx takes a lock.
    pub async fn migrate(&self) -> Result<(), sqlx::migrate::MigrateError> {
        match &self.pool {
            Pool::Sqlite(_) => {
                let mut conn =
                    sqlx::SqliteConnection::connect_with(self.writer.sqlite_options()?).await?;
                let result = sqlx::migrate!("../migrations/sqlite").run(&mut conn).await;
                let _ = conn.close().await;
                result
            }
            Pool::Postgres(pool) => sqlx::migrate!("../migrations/postgres").run(pool).await,
        }
    }

    /// The engine behind this database.
    pub fn engine(&self) -> Engine {
        match self.pool {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    /// Checks that a write can be made now (for the readiness probe): a real write
    /// through the writer, within `within`.
    pub async fn probe_write(&self, within: Duration) -> Result<(), AppError> {
        let probe = self.write(|tx| {
            Box::pin(async move {
                let at = Utc::now().timestamp_millis();
                on_tx!(tx, c => sqlx::query(
                    "INSERT INTO health_probe (id, written_at) VALUES (1, $1) \
                     ON CONFLICT (id) DO UPDATE SET written_at = excluded.written_at")
                    .bind(at)
                    .execute(&mut *c)
                    .await.map(|r| r.rows_affected()))?;
                Ok(())
            })
        });
        match tokio::time::timeout(within, probe).await {
            Ok(result) => result,
            Err(_) => Err(AppError::unavailable()),
        }
    }

    /// Closes every connection and stops the writer (graceful shutdown).
    pub async fn close(&self) {
        self.writer.close().await;
        on_db!(self, pool => pool.close().await)
    }
}

/// An instant as stored: milliseconds since the Unix epoch.
pub fn millis(t: DateTime<Utc>) -> i64 {
    t.timestamp_millis()
}

/// The inverse of [`millis`]. Out-of-range values (which we never write) clamp to the epoch.
pub fn from_millis(ms: i64) -> DateTime<Utc> {
    Utc.timestamp_millis_opt(ms).single().unwrap_or_default()
}
