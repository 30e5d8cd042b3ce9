//! Change notifications for live views (the queue). Each instance keeps a broadcast
//! channel that its open event streams subscribe to. On SQLite (one instance) a change
//! is sent on it directly; on PostgreSQL it goes through `NOTIFY`, and every instance's
//! listener forwards it to its own channel, so all instances' viewers see it.

use super::db::Db;
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// The PostgreSQL channel name.
pub const CHANNEL: &str = "faultdesk_events";

/// Something changed that live views may want to show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The report (ticket) that changed.
    pub report_id: i64,
    /// What happened: "created", "updated".
    pub kind: String,
}

/// The per-instance fan-out of [`Change`]s.
#[derive(Clone, Debug)]
pub struct Events {
    tx: broadcast::Sender<Change>,
}

impl Default for Events {
    fn default() -> Self {
        Self::new()
    }
}

impl Events {
    /// A hub with room for a burst of changes per slow subscriber.
    pub fn new() -> Self {
        let (tx, _) = broadcast::channel(1024);
        Self { tx }
    }

    /// Subscribes to changes seen by this instance.
    pub fn subscribe(&self) -> broadcast::Receiver<Change> {
        self.tx.subscribe()
    }

    /// Delivers a change received from elsewhere (the PostgreSQL listener) locally.
    pub fn deliver(&self, change: Change) {
        // No subscribers is fine: nobody is watching.
        let _ = self.tx.send(change);
    }

    /// Announces a change to every instance. Failures are logged, never fatal: a live
    /// view missing one update corrects itself on the next.
    pub async fn publish(&self, db: &Db, report_id: i64, kind: &str) {
        let change = Change {
            report_id,
            kind: kind.to_owned(),
        };
        match db {
            Db::Sqlite(_) => self.deliver(change),
            Db::Postgres(pool) => {
                let payload = serde_json::to_string(&change).unwrap_or_default();
                if let Err(e) = sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(payload)
                    .execute(pool)
                    .await
                {
                    tracing::warn!(error = %e, "could not publish a change");
                }
            }
        }
    }

    /// On PostgreSQL, forwards `NOTIFY`s from every instance to local subscribers until
    /// the pool closes. Reconnects after errors.
    pub async fn listen(self, db: Db) {
        let Db::Postgres(pool) = db else { return };
        loop {
            let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
                Ok(l) => l,
                Err(e) => {
                    if pool.is_closed() {
                        return;
                    }
                    tracing::warn!(error = %e, "event listener cannot connect; retrying");
                    tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                    continue;
                }
            };
            if let Err(e) = listener.listen(CHANNEL).await {
                tracing::warn!(error = %e, "event listener cannot LISTEN; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(2)).await;
                continue;
            }
            loop {
                match listener.recv().await {
                    Ok(n) => match serde_json::from_str::<Change>(n.payload()) {
                        Ok(change) => self.deliver(change),
                        Err(e) => tracing::warn!(error = %e, "unreadable change notification"),
                    },
                    Err(e) => {
                        if pool.is_closed() {
                            return;
                        }
                        tracing::warn!(error = %e, "event listener lost its connection");
                        break;
                    }
                }
            }
        }
    }
}
