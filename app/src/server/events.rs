//! Change notifications for live views (the queue) and cache invalidations.
//!
//! Each instance keeps a broadcast channel that its open event streams subscribe to.
//! Writes record their changes on the transaction; after the commit the writer
//! delivers them straight into this instance's channel. On PostgreSQL it also hands
//! them to the [`relay`], which tells the other instances: it gathers the changes of
//! [`RELAY_GATHER`] and sends them as a few `NOTIFY`s of its own, which every
//! instance's [`listen`]er forwards to its channel (skipping the ones this instance
//! sent). Stale caches travel on a second channel, as a `NOTIFY` inside the
//! transaction that made them stale, so no instance keeps a stale copy past a commit.
//!
//! Why the live events are not sent inside the transaction too: a `NOTIFY` per
//! transaction made PostgreSQL signal and wake every listening connection, and each
//! instance's listener, once per filing; a lone filing spent about a fifth of its
//! time there (measured: 1,100 → 1,310 filings/s at c=1 on the 2-core machine). Live
//! views gather changes for 300 ms before they refetch anyway. What the relay gives up:
//! changes committed in the last [`RELAY_GATHER`] before an instance is killed reach
//! only that instance's viewers (the others see them at their next change or reload).

use super::{cache::CHANNEL as CACHE_CHANNEL, db::Db};
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};
use tokio::sync::{broadcast, Notify};

/// The PostgreSQL channel name for live-view changes.
pub const CHANNEL: &str = "faultdesk_events";

/// How long the [`relay`] gathers changes before it sends them to other instances.
pub const RELAY_GATHER: std::time::Duration = std::time::Duration::from_millis(50);

/// The largest `NOTIFY` payload the relay sends (PostgreSQL's limit is 8,000 bytes).
const NOTIFY_PAYLOAD: usize = 7_000;

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
        if self.report_ids.is_empty() {
            return vec![self.clone()];
        }
        self.report_ids
            .chunks(per)
            .map(|ids| Change {
                kind: self.kind.clone(),
                report_ids: ids.to_vec(),
            })
            .collect()
    }
}

/// A change as the relay sends it: with the instance it comes from, so that instance's
/// listener skips it (its own viewers heard it at commit).
#[derive(Serialize, Deserialize)]
struct Relayed {
    /// The sending instance (absent from an older instance's notifications).
    #[serde(default)]
    origin: Option<u64>,
    #[serde(flatten)]
    change: Change,
}

/// Changes waiting for the relay.
#[derive(Debug)]
struct Outbox {
    /// This instance's id in what it relays.
    origin: u64,
    /// Gathered changes, one per kind.
    pending: Mutex<Vec<Change>>,
    wake: Notify,
}

/// The per-instance fan-out of [`Change`]s.
#[derive(Clone, Debug)]
pub struct Events {
    tx: broadcast::Sender<Change>,
    outbox: Arc<Outbox>,
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
        Self {
            tx,
            outbox: Arc::new(Outbox {
                origin: rand::random(),
                pending: Mutex::new(Vec::new()),
                wake: Notify::new(),
            }),
        }
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

    /// Hands a change to the [`relay`] for the other instances (PostgreSQL).
    pub fn relay(&self, change: Change) {
        let mut pending = self
            .outbox
            .pending
            .lock()
            .unwrap_or_else(|e| e.into_inner());
        match pending.iter_mut().find(|c| c.kind == change.kind) {
            Some(c) => c.report_ids.extend(change.report_ids),
            None => pending.push(change),
        }
        drop(pending);
        self.outbox.wake.notify_one();
    }

    /// Takes what waits for the relay, as `NOTIFY` payloads.
    fn take_relayed(&self) -> Vec<String> {
        let pending = std::mem::take(
            &mut *self
                .outbox
                .pending
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        );
        pending
            .iter()
            .flat_map(|c| c.chunks(NOTIFY_PAYLOAD))
            .map(|change| {
                serde_json::to_string(&Relayed {
                    origin: Some(self.outbox.origin),
                    change,
                })
                .unwrap_or_default()
            })
            .collect()
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
                Ok(n) => match serde_json::from_str::<Relayed>(n.payload()) {
                    Ok(r) if r.origin == Some(hub.events.outbox.origin) => {}
                    Ok(r) => hub.events.deliver(r.change),
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

/// On PostgreSQL, sends the changes this instance's writes committed to the other
/// instances until the pool closes: it waits for a change, gathers for
/// [`RELAY_GATHER`], and sends what gathered with one statement. When that fails, the
/// other instances are told to resync once the database answers again (their viewers
/// reload everything), as the changes may not have reached them.
pub async fn relay(db: Db) {
    let crate::server::db::Pool::Postgres(pool) = db.pool().clone() else {
        return;
    };
    let mut failing = false;
    loop {
        db.hub().events.outbox.wake.notified().await;
        tokio::time::sleep(RELAY_GATHER).await;
        match send_relayed(&db).await {
            Ok(()) => {
                if failing {
                    tracing::info!("live changes are relayed again");
                }
                failing = false;
            }
            Err(e) => {
                if pool.is_closed() {
                    return;
                }
                if !failing {
                    tracing::warn!(error = %e, "could not relay live changes; other instances will resync");
                }
                failing = true;
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
        }
    }
}

/// Sends what waits for the relay now (at shutdown, after the last write).
pub async fn flush_relay(db: &Db) {
    if let Err(e) = send_relayed(db).await {
        tracing::warn!(error = %e, "could not relay the last live changes");
    }
}

/// Sends the gathered changes. When that fails, a resync is owed to the other
/// instances (and sent with the next changes).
async fn send_relayed(db: &Db) -> Result<(), sqlx::Error> {
    let crate::server::db::Pool::Postgres(pool) = db.pool() else {
        return Ok(());
    };
    let events = &db.hub().events;
    let payloads = events.take_relayed();
    if payloads.is_empty() {
        return Ok(());
    }
    let sent = sqlx::query("SELECT pg_notify($1, p) FROM UNNEST($2::text[]) AS p")
        .bind(CHANNEL)
        .bind(&payloads)
        .execute(pool)
        .await;
    if sent.is_err() {
        events.relay(Change {
            kind: "resync".to_owned(),
            report_ids: Vec::new(),
        });
    }
    sent.map(|_| ())
}
