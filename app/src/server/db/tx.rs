//! The transaction a unit of work runs in, and what it asks to be told after commit.

use crate::server::{cache::CacheKind, events::Change};
use sqlx::{pool::PoolConnection, Postgres, SqliteConnection};

/// The connection a writer lane holds. Always inside a transaction while a unit of
/// work sees it.
#[derive(Debug)]
pub enum Conn {
    /// The SQLite writer's own connection.
    Sqlite(SqliteConnection),
    /// A PostgreSQL connection borrowed from the pool for one batch.
    Postgres(PoolConnection<Postgres>),
}

/// What committed work must announce: live events, stale caches, new mail.
#[derive(Debug, Default)]
pub struct Effects {
    pub(crate) changes: Vec<Change>,
    pub(crate) stale: Vec<CacheKind>,
    pub(crate) mail: bool,
}

/// Where a unit of work's effects start, so that a failed one can drop its own.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Mark {
    changes: usize,
    stale: usize,
    mail: bool,
}

impl Effects {
    pub(crate) fn mark(&self) -> Mark {
        Mark {
            changes: self.changes.len(),
            stale: self.stale.len(),
            mail: self.mail,
        }
    }

    pub(crate) fn truncate(&mut self, mark: Mark) {
        self.changes.truncate(mark.changes);
        self.stale.truncate(mark.stale);
        self.mail = mark.mail;
    }
}

/// An open write transaction. Store functions that write take `&mut Tx`; they never
/// see the pool. Created and committed only by the [`Writer`](super::Writer).
#[derive(Debug)]
pub struct Tx {
    conn: Conn,
    pub(crate) effects: Effects,
    /// Open transaction levels (SQLite's writer keeps its own count).
    pub(crate) depth: usize,
}

impl Tx {
    pub(crate) fn new(conn: Conn) -> Self {
        Self {
            conn,
            effects: Effects::default(),
            depth: 0,
        }
    }

    pub(crate) fn into_conn(self) -> Conn {
        self.conn
    }

    /// The connection (use [`on_tx!`](crate::on_tx) rather than this).
    pub fn conn(&mut self) -> &mut Conn {
        &mut self.conn
    }

    /// Tells live views, after commit, that these tickets changed (`kind`: "created"
    /// or "updated").
    pub fn changed(&mut self, kind: &str, report_ids: impl IntoIterator<Item = i64>) {
        let ids: Vec<i64> = report_ids.into_iter().collect();
        if ids.is_empty() {
            return;
        }
        match self.effects.changes.iter_mut().find(|c| c.kind == kind) {
            Some(c) => c.report_ids.extend(ids),
            None => self.effects.changes.push(Change {
                kind: kind.to_owned(),
                report_ids: ids,
            }),
        }
    }

    /// Marks a cache stale, after commit, on every instance.
    pub fn stale(&mut self, kind: CacheKind) {
        if !self.effects.stale.contains(&kind) {
            self.effects.stale.push(kind);
        }
    }

    /// Wakes the mail worker after commit (something was put in the outbox).
    pub fn mail_queued(&mut self) {
        self.effects.mail = true;
    }
}
