//! Change notifications for live views (the queue) and cache invalidations.
//!
//! Each instance keeps a broadcast channel that its open event streams subscribe to.
//! Writes record their changes on the transaction; after the commit the writer
//! delivers them: on SQLite (one instance) straight into the channel; on PostgreSQL
//! as a `NOTIFY` sent inside the transaction, which every instance's [`listen`]er
//! (this one's included) forwards to its own channel. Stale caches travel the same
//! way on a second channel.

use super::{cache::CHANNEL as CACHE_CHANNEL, db::Db};
use serde::{Deserialize, Serialize};
use tokio::sync::broadcast;

/// The PostgreSQL channel name for live-view changes.
pub const CHANNEL: &str = "faultdesk_events";

/// Tickets that changed, for live views.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// What happened: "created", "updated".
    pub kind: String,
    /// The reports (tickets) it happened to.
    pub report_ids: Vec<i64>,
}

impl Change {
    /// Splits a change into pieces whose JSON stays under `max_bytes`.
    pub fn chunks(&self, max_bytes: usize) -> Vec<Change> {
        // An id is at most 20 digits and a comma.
        let per = (max_bytes.saturating_sub(64) / 21).max(1);
        self.report_ids
            .chunks(per)
            .map(|ids| Change {
                kind: self.kind.clone(),
                report_ids: ids.to_vec(),
            })
            .collect()
    }
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

    /// Delivers a change to this instance's subscribers.
    pub fn deliver(&self, change: Change) {
        // No subscribers is fine: nobody is watching.
        let _ = self.tx.send(change);
    }

    /// Tells every viewer to reload everything (after a missed stretch of changes).
    pub fn resync(&self) {
        self.deliver(Change {
            kind: "resync".to_owned(),
            report_ids: Vec::new(),
        });
    }
}

/// On PostgreSQL, forwards `NOTIFY`s from every instance to this one's live views and
/// caches until the pool closes. Reconnects after errors; while it is not listening
/// this instance caches nothing, and after a reconnect viewers resync, since
/// notifications may have been missed.
pub async fn listen(db: Db) {
    let crate::server::db::Pool::Postgres(pool) = db.pool().clone() else {
        return;
    };
    let hub = db.hub().clone();
    let mut first = true;
    loop {
        let mut listener = match sqlx::postgres::PgListener::connect_with(&pool).await {
            Ok(l) => l,
            Err(e) => {
                if pool.is_closed() {
                    return;
                }
                tracing::warn!(error = %e, "event listener cannot connect; retrying");
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                continue;
            }
        };
        if let Err(e) = listener.listen_all([CHANNEL, CACHE_CHANNEL]).await {
            tracing::warn!(error = %e, "event listener cannot LISTEN; retrying");
            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            continue;
        }
        hub.caches.set_enabled(true);
        if !first {
            hub.events.resync();
        }
        first = false;
        loop {
            match listener.recv().await {
                Ok(n) if n.channel() == CACHE_CHANNEL => {
                    for kind in n.payload().split(',') {
                        match super::cache::CacheKind::parse(kind) {
                            Some(kind) => hub.caches.invalidate(kind),
                            None => hub.caches.invalidate_all(),
                        }
                    }
                }
                Ok(n) => match serde_json::from_str::<Change>(n.payload()) {
                    Ok(change) => hub.events.deliver(change),
                    Err(e) => tracing::warn!(error = %e, "unreadable change notification"),
                },
                Err(e) => {
                    if pool.is_closed() {
                        return;
                    }
                    tracing::warn!(error = %e, "event listener lost its connection");
                    hub.caches.set_enabled(false);
                    break;
                }
            }
        }
    }
}
