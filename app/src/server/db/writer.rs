//! The writer: every write transaction runs here, on tasks of its own.
//!
//! Callers put a unit of work (a closure over [`Tx`], or a report to file) on a queue
//! and wait for the answer. A *lane* takes whatever is queued (up to [`MAX_BATCH`]
//! items) and runs it in **one transaction**: each unit in a savepoint of its own when
//! there are several (so one that fails rolls back alone), reports to file together
//! with set-based statements, then one commit. Each caller is answered only after that
//! commit, and after this instance's caches were told (read-your-writes); live events
//! are published after the commit too (on PostgreSQL a stale cache's `NOTIFY` is sent
//! inside the transaction, which delivers it exactly at commit; live changes reach the
//! other instances through [`events::relay`](crate::server::events::relay)).
//!
//! Why: a unit of work never runs on the request's task, so a client that disconnects
//! at any `.await` cannot leave a write half done or a connection mid-transaction
//! (sqlx #3932, #4385); and on SQLite one lane with one connection means writes never
//! wait in SQLite's busy handler (whose sleeps grow to 100 ms). Under contention a
//! caller waits for the queue ahead of it, and the queue drains in batches.
//!
//! SQLite has one lane (one writer connection, reopened after a failure). PostgreSQL
//! has `FAULTDESK_WRITER_LANES` (default one), each keeping a connection of the
//! writer's pool while batches follow each other closely and giving it back after
//! [`KEEP_IDLE`] idle. On PostgreSQL a batch of filings alone is first tried as one
//! statement committed on its own ([`reports::file_in_one_statement`], or
//! [`reports::file_one_statement`] for a lone filing: a much smaller plan to start and
//! run, measured 1,350 → 1,550 filings/s at c=1); a batch it cannot take is filed in a
//! transaction as above.
//! PostgreSQL's lanes run on a thread of their own (a one-worker runtime): between two
//! statements of a batch the lane would otherwise wait for a request thread, and under
//! load every caller waits for the lane. A lone filing that finds the writer idle
//! (nothing queued, no lane inside a batch) skips that thread: it is filed the same way
//! on a task of the caller's runtime, over a connection of its own ([`Direct`]), so the
//! request, the filing and the answer stay on one request thread instead of waking the
//! lane's thread and then the caller's again (what the desk does outside a flood, where
//! PostgreSQL's latency is measured at c=1). SQLite's lane runs on the request runtime: its
//! connection already works on a thread of its own, a lone filing is one statement
//! ([`reports::file_one_sqlite`]), and the extra thread cost two hand-overs per filing
//! (measured: 2,900 → 3,440 filings/s at c=1, 10,700 → 11,400 at c=16, 14,500 → 16,500
//! at c=64 on the 2-core machine, `bench/intake.sh` setup).
//!
//! SQLite's WAL is copied back into the database file mostly by a *checkpointer* of
//! its own ([`Checkpointer`]): a second connection that, a moment after commits, runs
//! a passive checkpoint, whose `fsync`s then happen beside the writer instead of in
//! it. The writer keeps SQLite's automatic checkpoint (every 1,000 WAL pages), which
//! then finds little left to copy: it is what lets the WAL start over from its
//! beginning under constant writes, as a checkpoint that runs while the writer appends
//! never catches up with it. Measured on the 2-core machine (one filing writes ~12 WAL
//! pages, so the automatic checkpoint ran every ~80 filings, fsyncing ~4 MB on the
//! writer's path): see the README's Benchmarks.

use super::{
    tx::{Conn, Tx},
    Hub,
};
use crate::{
    error::AppError,
    server::reports::{self, Filed, NewReport},
};
use futures::FutureExt;
use sqlx::{
    postgres::PgPool, sqlite::SqliteConnectOptions, Connection, Database, Postgres,
    TransactionManager,
};
use std::{
    future::Future,
    panic::AssertUnwindSafe,
    pin::Pin,
    sync::{
        atomic::{AtomicU64, AtomicUsize, Ordering},
        Arc,
    },
    time::Instant,
};
use tokio::sync::{mpsc, oneshot, Mutex as AsyncMutex, Notify};

/// The most items one transaction takes from the queue.
pub const MAX_BATCH: usize = 256;

/// How many items may wait; callers beyond that wait to enqueue (backpressure).
const QUEUE: usize = 8192;

/// How often a batch of filings is tried again after a deadlock or serialization
/// failure (PostgreSQL).
const RETRIES: usize = 3;

/// What a unit of work's closure returns: a future borrowing the transaction.
pub type JobFuture<'c, T> = Pin<Box<dyn Future<Output = Result<T, AppError>> + Send + 'c>>;

/// Answers a caller once the batch's fate is known: `None` committed, `Some` failed.
type Deliver = Box<dyn FnOnce(Option<&AppError>) + Send>;

/// A type-erased unit of work: runs, then says whether it succeeded and how to answer.
type Run = Box<
    dyn for<'c> FnOnce(&'c mut Tx) -> Pin<Box<dyn Future<Output = (bool, Deliver)> + Send + 'c>>
        + Send,
>;

/// Where a filing's answer goes.
type FiledAnswer = oneshot::Sender<Result<Filed, AppError>>;

enum Item {
    Job(Run),
    File(Box<NewReport>, FiledAnswer),
}

/// Where a lane gets its connection.
enum Source {
    Sqlite {
        conn: Option<sqlx::SqliteConnection>,
        options: Box<SqliteConnectOptions>,
        /// Copies the WAL back after commits (none when turned off).
        checkpointer: Option<Checkpointer>,
    },
    Postgres {
        pool: PgPool,
        /// The connection of the last batch, kept while batches follow each other
        /// closely (no pool round trip and liveness ping per batch); the lane gives it
        /// back after [`KEEP_IDLE`] without work.
        kept: Option<sqlx::pool::PoolConnection<Postgres>>,
    },
}

/// How long an idle PostgreSQL lane keeps its connection; after that the next batch
/// borrows one from the pool again (which checks it is alive).
const KEEP_IDLE: std::time::Duration = std::time::Duration::from_secs(5);

/// The queue into the writer lanes. Cheap to clone.
#[derive(Clone)]
pub struct Writer {
    inner: Arc<Inner>,
}

struct Inner {
    queue: std::sync::Mutex<Option<mpsc::Sender<Item>>>,
    lanes: std::sync::Mutex<Vec<tokio::task::JoinHandle<()>>>,
    /// How many lanes are inside a batch now.
    busy: Arc<AtomicUsize>,
    /// PostgreSQL: the way for a lone filing that finds the writer idle.
    direct: Option<Arc<Direct>>,
    sqlite_options: Option<SqliteConnectOptions>,
    /// PostgreSQL lanes' own thread, so a unit of work's next statement never waits
    /// behind request handling for the request runtime's threads.
    runtime: Option<tokio::runtime::Runtime>,
}

/// A lone filing's way past an idle PostgreSQL writer: a [`Source`] of its own (a
/// one-connection pool whose connection is opened, and so polled, on the request
/// runtime), run on a task spawned there. One such filing at a time; the task owns the
/// source until the filing is answered, so a caller that vanishes cannot cut it short.
struct Direct {
    source: Arc<AsyncMutex<DirectSource>>,
    hub: Arc<Hub>,
    /// How many filings went this way (diagnostics and tests).
    filed: AtomicU64,
}

struct DirectSource {
    source: Source,
    last_used: Instant,
    /// False once the writer closed: nothing more goes this way.
    open: bool,
}

impl Drop for Inner {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

impl std::fmt::Debug for Writer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Writer").finish_non_exhaustive()
    }
}

impl Writer {
    /// One lane over SQLite's one writer connection, with a [`Checkpointer`] that
    /// copies the WAL back `checkpoint_pause` after commits (none when zero).
    pub(super) fn sqlite(
        conn: sqlx::SqliteConnection,
        options: SqliteConnectOptions,
        checkpoint_pause: std::time::Duration,
        hub: Arc<Hub>,
    ) -> Self {
        let source = Source::Sqlite {
            conn: Some(conn),
            options: Box::new(options.clone()),
            checkpointer: Checkpointer::start(options.clone(), checkpoint_pause),
        };
        Self::start(vec![source], Some(options), hub, None)
    }

    /// `lanes` lanes over the PostgreSQL pool, and the idle writer's direct way for
    /// lone filings over `direct_pool` (one connection).
    pub(super) fn postgres(pool: PgPool, direct_pool: PgPool, lanes: usize, hub: Arc<Hub>) -> Self {
        let sources = (0..lanes)
            .map(|_| Source::Postgres {
                pool: pool.clone(),
                kept: None,
            })
            .collect();
        let direct = Direct {
            source: Arc::new(AsyncMutex::new(DirectSource {
                source: Source::Postgres {
                    pool: direct_pool,
                    kept: None,
                },
                last_used: Instant::now(),
                open: true,
            })),
            hub: hub.clone(),
            filed: AtomicU64::new(0),
        };
        Self::start(sources, None, hub, Some(Arc::new(direct)))
    }

    /// PostgreSQL's writer (with a [`Direct`] way) runs its lanes on a thread of its own.
    fn start(
        sources: Vec<Source>,
        sqlite_options: Option<SqliteConnectOptions>,
        hub: Arc<Hub>,
        direct: Option<Arc<Direct>>,
    ) -> Self {
        let own_thread = direct.is_some();
        let (send, receive) = mpsc::channel(QUEUE);
        let receive = Arc::new(AsyncMutex::new(receive));
        let busy = Arc::new(AtomicUsize::new(0));
        let runtime = if own_thread {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(1)
                .thread_name("faultdesk-writer")
                .enable_all()
                .build()
                .ok()
        } else {
            None
        };
        let lanes = sources
            .into_iter()
            .map(|source| {
                let work = lane(receive.clone(), source, hub.clone(), busy.clone());
                match &runtime {
                    Some(rt) => rt.spawn(work),
                    None => tokio::spawn(work),
                }
            })
            .collect();
        Self {
            inner: Arc::new(Inner {
                queue: std::sync::Mutex::new(Some(send)),
                lanes: std::sync::Mutex::new(lanes),
                busy,
                direct,
                sqlite_options,
                runtime,
            }),
        }
    }

    /// The SQLite writer's connection options (migrations open a connection with them).
    pub(super) fn sqlite_options(&self) -> Result<&SqliteConnectOptions, sqlx::Error> {
        self.inner
            .sqlite_options
            .as_ref()
            .ok_or_else(|| sqlx::Error::Configuration("not an SQLite database".into()))
    }

    async fn submit(&self, item: Item) -> Result<(), AppError> {
        let queue = self
            .inner
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone();
        match queue {
            Some(queue) => queue.send(item).await.map_err(|_| AppError::unavailable()),
            None => Err(AppError::unavailable()),
        }
    }

    /// Runs `job` in a transaction on a lane; see [`Db::write`](super::Db::write).
    pub async fn run<T, F>(&self, job: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: for<'c> FnOnce(&'c mut Tx) -> JobFuture<'c, T> + Send + 'static,
    {
        let (answer, answered) = oneshot::channel();
        self.submit(Item::Job(erase(job, answer))).await?;
        // A dropped answer means the lane dropped the job without running it (the
        // batch failed before its turn, or the writer is closing).
        answered
            .await
            .unwrap_or_else(|_| Err(AppError::unavailable()))
    }

    /// Files a report: batched with other filings into set-based statements (or, on an
    /// idle PostgreSQL writer, filed at once the [`Direct`] way).
    pub async fn file(&self, report: NewReport) -> Result<Filed, AppError> {
        let (answer, answered) = oneshot::channel();
        if let Err((report, answer)) = self.file_directly(Box::new(report), answer) {
            self.submit(Item::File(report, answer)).await?;
        }
        answered
            .await
            .unwrap_or_else(|_| Err(AppError::unavailable()))
    }

    /// Files `report` the [`Direct`] way when the writer is idle: nothing queued, no
    /// lane inside a batch, no other direct filing under way, not closing. Otherwise
    /// gives it back for the queue. (Under load the queue is never empty for long, so
    /// filings keep being committed together.)
    fn file_directly(
        &self,
        report: Box<NewReport>,
        answer: FiledAnswer,
    ) -> Result<(), (Box<NewReport>, FiledAnswer)> {
        let Some(direct) = &self.inner.direct else {
            return Err((report, answer));
        };
        let idle = self
            .inner
            .queue
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .is_some_and(|q| q.capacity() == q.max_capacity())
            && self.inner.busy.load(Ordering::Acquire) == 0;
        if !idle {
            return Err((report, answer));
        }
        let Ok(mut own) = direct.source.clone().try_lock_owned() else {
            return Err((report, answer));
        };
        if !own.open {
            return Err((report, answer));
        }
        direct.filed.fetch_add(1, Ordering::Relaxed);
        let hub = direct.hub.clone();
        // Spawned: the filing runs to its answer whatever becomes of the caller.
        tokio::spawn(async move {
            if own.last_used.elapsed() >= KEEP_IDLE {
                // Idle a while: borrow the connection again (the pool checks it is alive).
                own.source.release_idle();
            }
            let answers = own
                .source
                .run_batch(vec![Item::File(report, answer)], &hub)
                .await;
            own.last_used = Instant::now();
            drop(own);
            answers.send();
        });
        Ok(())
    }

    /// How many filings went the [`Direct`] way (PostgreSQL; zero on SQLite).
    pub fn direct_filings(&self) -> u64 {
        self.inner
            .direct
            .as_ref()
            .map_or(0, |d| d.filed.load(Ordering::Relaxed))
    }

    /// Stops taking work, finishes what is queued, and waits for the lanes.
    pub async fn close(&self) {
        drop(
            self.inner
                .queue
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .take(),
        );
        let lanes =
            std::mem::take(&mut *self.inner.lanes.lock().unwrap_or_else(|e| e.into_inner()));
        for lane in lanes {
            let _ = lane.await;
        }
        if let Some(direct) = &self.inner.direct {
            // Waits for a direct filing under way, then gives its connection back.
            let mut own = direct.source.lock().await;
            own.open = false;
            own.source.release_idle();
        }
    }
}

/// SQLite's WAL checkpointer: the task running [`checkpoint_after_commits`] and the
/// signal that wakes it. It belongs to the writer's lane and stops with it.
struct Checkpointer {
    wake: Arc<Notify>,
    task: tokio::task::JoinHandle<()>,
}

impl Checkpointer {
    fn start(options: SqliteConnectOptions, pause: std::time::Duration) -> Option<Self> {
        if pause.is_zero() {
            return None;
        }
        let wake = Arc::new(Notify::new());
        let task = tokio::spawn(checkpoint_after_commits(options, wake.clone(), pause));
        Some(Self { wake, task })
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Copies SQLite's WAL back into the database file a moment after commits, on a
/// connection of its own, so the writer's commits rarely wait for a checkpoint's
/// `fsync`s. A *passive* checkpoint never waits for the writer or for readers (it
/// copies what no reader still needs and stops), and the writer's automatic
/// checkpoint, which takes the same lock without waiting, skips its turn while this
/// one runs. A failure is logged and the connection opened again on the next commit.
async fn checkpoint_after_commits(
    options: SqliteConnectOptions,
    committed: Arc<Notify>,
    pause: std::time::Duration,
) {
    let mut conn: Option<sqlx::SqliteConnection> = None;
    loop {
        committed.notified().await;
        tokio::time::sleep(pause).await;
        let c = match conn.as_mut() {
            Some(c) => c,
            None => match sqlx::SqliteConnection::connect_with(&options).await {
                Ok(c) => conn.insert(c),
                Err(e) => {
                    tracing::warn!(error = %e, "the WAL checkpointer cannot connect");
                    continue;
                }
            },
        };
        // Read to the end: an unfinished statement would hold a read lock on the WAL.
        let done = sqlx::query("PRAGMA wal_checkpoint(PASSIVE)")
            .fetch_all(&mut *c)
            .await;
        if let Err(e) = done {
            tracing::warn!(error = %e, "a WAL checkpoint failed");
            if let Some(c) = conn.take() {
                let _ = c.close().await;
            }
        }
    }
}

/// Wraps a typed unit of work so the lane can run it and answer its caller after commit.
fn erase<T, F>(job: F, answer: oneshot::Sender<Result<T, AppError>>) -> Run
where
    T: Send + 'static,
    F: for<'c> FnOnce(&'c mut Tx) -> JobFuture<'c, T> + Send + 'static,
{
    fn coerce<G>(g: G) -> G
    where
        G: for<'c> FnOnce(&'c mut Tx) -> Pin<Box<dyn Future<Output = (bool, Deliver)> + Send + 'c>>,
    {
        g
    }
    Box::new(coerce(move |tx| {
        Box::pin(async move {
            let result = match AssertUnwindSafe(job(tx)).catch_unwind().await {
                Ok(result) => result,
                Err(_) => {
                    tracing::error!("a unit of work panicked; it was rolled back");
                    Err(AppError::internal())
                }
            };
            let ok = result.is_ok();
            let deliver: Deliver = Box::new(move |failed: Option<&AppError>| {
                let _ = answer.send(match (result, failed) {
                    (Ok(_), Some(e)) => Err(e.clone()),
                    (result, _) => result,
                });
            });
            (ok, deliver)
        })
    }))
}

async fn lane(
    queue: Arc<AsyncMutex<mpsc::Receiver<Item>>>,
    mut source: Source,
    hub: Arc<Hub>,
    busy: Arc<AtomicUsize>,
) {
    loop {
        let mut batch = Vec::new();
        {
            let mut queue = queue.lock().await;
            let first = match tokio::time::timeout(KEEP_IDLE, queue.recv()).await {
                Ok(item) => item,
                Err(_) => {
                    // Idle: a kept PostgreSQL connection goes back to the pool.
                    source.release_idle();
                    queue.recv().await
                }
            };
            match first {
                Some(item) => {
                    busy.fetch_add(1, Ordering::AcqRel);
                    batch.push(item);
                }
                None => break,
            }
            while batch.len() < MAX_BATCH {
                match queue.try_recv() {
                    Ok(item) => batch.push(item),
                    Err(_) => break,
                }
            }
        }
        // Answered while the lane still counts as busy: under a flood the callers of a
        // batch file again at once, and must queue for the next batch rather than find
        // the writer idle and go the direct way beside it (answering after the count
        // fell took 5xx c=64 on PostgreSQL from 11,500–12,800 to 5,600–9,400 req/s).
        let answers = source.run_batch(batch, &hub).await;
        answers.send();
        busy.fetch_sub(1, Ordering::AcqRel);
    }
    if let Source::Sqlite {
        conn: Some(conn), ..
    } = source
    {
        let _ = conn.close().await;
    }
}

impl Source {
    /// Gives a kept PostgreSQL connection back to the pool.
    fn release_idle(&mut self) {
        if let Source::Postgres { kept, .. } = self {
            *kept = None;
        }
    }

    async fn take(&mut self) -> Result<Conn, sqlx::Error> {
        match self {
            Source::Sqlite { conn, options, .. } => match conn.take() {
                Some(c) => Ok(Conn::Sqlite(c)),
                None => {
                    let mut c = sqlx::SqliteConnection::connect_with(options).await?;
                    reports::prepare_sqlite_writer(&mut c).await?;
                    Ok(Conn::Sqlite(c))
                }
            },
            Source::Postgres { pool, kept } => match kept.take() {
                Some(c) => Ok(Conn::Postgres(c)),
                None => Ok(Conn::Postgres(pool.acquire().await?)),
            },
        }
    }

    /// Takes the connection back; an unhealthy one is closed (the next batch opens or
    /// borrows a fresh one).
    ///
    /// A PostgreSQL connection is kept for the next batch only after a batch that
    /// worked: after a failure it goes back to the pool, which checks that it is alive
    /// before lending it again (a connection the server dropped fails before its
    /// transaction begins, so a rollback cannot tell that it is gone).
    fn give_back(&mut self, conn: Conn, healthy: bool, worked: bool) {
        match (self, conn) {
            (Source::Sqlite { conn, .. }, Conn::Sqlite(c)) if healthy => *conn = Some(c),
            (_, Conn::Sqlite(c)) => drop(tokio::spawn(c.close())),
            (Source::Postgres { kept, .. }, Conn::Postgres(c)) if healthy && worked => {
                *kept = Some(c);
            }
            (_, Conn::Postgres(c)) if healthy => drop(c),
            (_, Conn::Postgres(mut c)) => c.close_on_drop(),
        }
    }

    /// Runs a batch and returns its callers' answers, for the caller of this to send
    /// when it chooses: the [`Direct`] way sends them once it is free again (a caller
    /// answered earlier may file again at once, from another thread, and would find it
    /// still taken), a lane while it still counts as busy (see [`lane`]).
    async fn run_batch(&mut self, batch: Vec<Item>, hub: &Hub) -> Answers {
        let conn = match self.take().await {
            Ok(conn) => conn,
            Err(e) => {
                // Dropping the items answers every caller "unavailable".
                tracing::warn!(error = %e, "the writer has no database connection");
                return Answers::of(unanswered(batch), None);
            }
        };
        let mut tx = Tx::new(conn);
        let (size, started) = (batch.len(), std::time::Instant::now());
        let mut worked = true;
        let (healthy, answers) = match execute(&mut tx, batch).await {
            Ok(Finished::Committed(deliveries)) => {
                // Caches first: a caller answered before its stale copy is dropped
                // could read its own write back old (a session's kept form, say).
                publish(&mut tx, hub);
                if let Source::Sqlite {
                    checkpointer: Some(c),
                    ..
                } = &*self
                {
                    c.wake.notify_one();
                }
                (true, Answers::of(deliveries, None))
            }
            Ok(Finished::RolledBack(deliveries)) => (true, Answers::of(deliveries, None)),
            Err((deliveries, e)) => {
                worked = false;
                tracing::warn!(error = %e, "a write transaction failed; its callers were told to retry");
                let err = AppError::from_db(&e);
                (reset(&mut tx).await, Answers::of(deliveries, Some(err)))
            }
        };
        tx.effects = Default::default();
        tracing::debug!(
            size,
            took_us = started.elapsed().as_micros() as u64,
            "write batch"
        );
        self.give_back(tx.into_conn(), healthy, worked);
        answers
    }
}

/// A batch's answers, once its fate is known ([`Source::run_batch`]).
#[must_use = "callers wait until their answers are sent"]
struct Answers {
    deliveries: Vec<Deliver>,
    /// Why the batch's transaction failed (every caller hears it), if it did.
    failed: Option<AppError>,
}

impl Answers {
    fn of(deliveries: Vec<Deliver>, failed: Option<AppError>) -> Self {
        Self { deliveries, failed }
    }

    fn send(self) {
        for deliver in self.deliveries {
            deliver(self.failed.as_ref());
        }
    }
}

enum Finished {
    Committed(Vec<Deliver>),
    /// The batch's only unit of work failed (it answers its own error).
    RolledBack(Vec<Deliver>),
}

/// Runs a batch in one transaction. `Err` means the transaction itself failed: every
/// unit that ran must be told; units that did not run yet were dropped (their callers
/// hear "unavailable").
async fn execute(tx: &mut Tx, batch: Vec<Item>) -> Result<Finished, (Vec<Deliver>, sqlx::Error)> {
    let mut filings = Vec::new();
    let mut jobs = Vec::new();
    for item in batch {
        match item {
            Item::File(report, answer) => filings.push((report, answer)),
            Item::Job(run) => jobs.push(run),
        }
    }
    let (list, answers): (Vec<NewReport>, Vec<FiledAnswer>) =
        filings.into_iter().map(|(r, a)| (*r, a)).unzip();
    if jobs.is_empty() {
        if let Conn::Postgres(c) = tx.conn() {
            // Filings alone: one statement, committed on its own. A batch it cannot
            // take (nothing of it written) is filed step by step below. Any other
            // failure may have come after the commit: its callers hear "unavailable"
            // (their answers are dropped), never a second copy of their reports.
            let one = match list.as_slice() {
                [report] => reports::file_one_statement(c, report)
                    .await
                    .map(|filed| filed.map(|f| vec![f])),
                _ => reports::file_in_one_statement(c, &list).await,
            };
            match one {
                Ok(Some(filed)) => {
                    tx.changed(
                        "created",
                        filed
                            .iter()
                            .zip(&list)
                            .filter(|(_, r)| r.is_ticket)
                            .map(|(f, _)| f.id),
                    );
                    return Ok(Finished::Committed(deliveries(answers, filed)));
                }
                Ok(None) => {}
                Err(e) => return Err((unanswered(answers), e)),
            }
        }
    }
    if let ([report], true, Conn::Sqlite(c)) = (list.as_slice(), jobs.is_empty(), tx.conn()) {
        // A lone filing: one statement, committed on its own. When it fails nothing
        // of it was committed (SQLite undid it); the report is filed step by step below.
        match reports::file_one_sqlite(c, report).await {
            Ok(Ok(filed)) => {
                if report.is_ticket {
                    tx.changed("created", [filed.id]);
                }
                return Ok(Finished::Committed(deliveries(answers, vec![filed])));
            }
            // Committed, but the answer was unreadable: its caller hears "unavailable"
            // (the answer is dropped), never a second copy of the report.
            Ok(Err(e)) => return Err((unanswered(answers), e)),
            Err(e) => {
                tracing::debug!(error = %e, "a lone filing goes the step-by-step way");
            }
        }
    }
    let units = jobs.len() + usize::from(!list.is_empty());
    let isolate = units > 1;
    let mut done: Vec<Deliver> = Vec::with_capacity(units + list.len());
    if let Err(e) = begin(tx).await {
        // The filings' callers hear "unavailable" with the batch's other answers.
        done.extend(unanswered(answers));
        return Err((done, e));
    }
    let mut only_unit_failed = false;
    // Filings first: `file_all` may roll back and begin the transaction again.
    if !list.is_empty() {
        match file_all(tx, list, answers, isolate).await {
            Ok((deliveries, ok)) => {
                done.extend(deliveries);
                only_unit_failed = !ok;
            }
            Err(e) => return Err((done, e)),
        }
    }
    for run in jobs {
        if isolate {
            if let Err(e) = savepoint(tx).await {
                return Err((done, e));
            }
        }
        let mark = tx.effects.mark();
        let (ok, deliver) = run(tx).await;
        done.push(deliver);
        let settled = match (ok, isolate) {
            (true, true) => release(tx).await,
            (false, true) => {
                tx.effects.truncate(mark);
                rollback(tx).await
            }
            (true, false) => Ok(()),
            (false, false) => {
                only_unit_failed = true;
                Ok(())
            }
        };
        if let Err(e) = settled {
            return Err((done, e));
        }
    }
    if only_unit_failed {
        return match rollback(tx).await {
            Ok(()) => Ok(Finished::RolledBack(done)),
            Err(e) => Err((done, e)),
        };
    }
    if let Err(e) = notify_inside(tx).await {
        return Err((done, e));
    }
    match commit(tx).await {
        Ok(()) => Ok(Finished::Committed(done)),
        Err(e) => Err((done, e)),
    }
}

/// Files reports together, first in the batch's transaction (nothing else has run in
/// it yet), so the set-based insert needs no savepoint of its own: after a deadlock or
/// serialization failure the transaction is rolled back, begun again and the insert
/// tried again; after any other failure of several reports (or of one that shares the
/// transaction with other units) the transaction is begun again and each report is
/// filed in a savepoint of its own, so one bad report only fails itself. A lone
/// report's failure is answered to its caller, and `false` tells the lane to roll the
/// transaction back.
async fn file_all(
    tx: &mut Tx,
    list: Vec<NewReport>,
    answers: Vec<FiledAnswer>,
    isolate: bool,
) -> Result<(Vec<Deliver>, bool), sqlx::Error> {
    let guarded = isolate || list.len() > 1;
    let mut attempt = 0;
    let mut ok = true;
    let outcome = loop {
        let mark = tx.effects.mark();
        match reports::insert_batch(tx, &list).await {
            Ok(filed) => break filed.into_iter().map(Ok).collect::<Vec<_>>(),
            Err(e) if !guarded => {
                ok = false;
                break vec![Err(AppError::from_db(&e))];
            }
            Err(e) => {
                tx.effects.truncate(mark);
                rollback(tx).await?;
                begin(tx).await?;
                attempt += 1;
                if is_transient(&e) && attempt <= RETRIES {
                    continue;
                }
                tracing::warn!(error = %e, reports = list.len(), "filing a batch failed; filing one by one");
                let mut each = Vec::with_capacity(list.len());
                for report in &list {
                    savepoint(tx).await?;
                    let mark = tx.effects.mark();
                    match reports::insert_batch(tx, std::slice::from_ref(report)).await {
                        Ok(mut filed) => {
                            release(tx).await?;
                            each.push(
                                filed
                                    .pop()
                                    .ok_or(sqlx::Error::RowNotFound)
                                    .map_err(|e| AppError::from_db(&e)),
                            );
                        }
                        Err(e) => {
                            tx.effects.truncate(mark);
                            rollback(tx).await?;
                            each.push(Err(AppError::from_db(&e)));
                        }
                    }
                }
                break each;
            }
        }
    };
    Ok((
        answers
            .into_iter()
            .zip(outcome)
            .map(deliver_filed)
            .collect(),
        ok,
    ))
}

/// How a filing's caller is answered once its batch's fate is known.
fn deliver_filed((answer, result): (FiledAnswer, Result<Filed, AppError>)) -> Deliver {
    Box::new(move |failed: Option<&AppError>| {
        let _ = answer.send(match (result, failed) {
            (Ok(_), Some(e)) => Err(e.clone()),
            (result, _) => result,
        });
    })
}

/// Callers that will hear "unavailable" when their answers are sent: the answers (or
/// whole items) are dropped then, unsent.
fn unanswered<T: Send + 'static>(items: Vec<T>) -> Vec<Deliver> {
    items
        .into_iter()
        .map(|item| -> Deliver { Box::new(move |_| drop(item)) })
        .collect()
}

/// The answers of filings stored together.
fn deliveries(answers: Vec<FiledAnswer>, filed: Vec<Filed>) -> Vec<Deliver> {
    answers
        .into_iter()
        .zip(filed.into_iter().map(Ok))
        .map(deliver_filed)
        .collect()
}

/// Deadlocks and serialization failures: the same work may succeed when tried again.
fn is_transient(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(d) if matches!(d.code().as_deref(), Some("40001" | "40P01")))
}

type PgTm = <Postgres as Database>::TransactionManager;

// SQLite: the writer's connection never returns to a pool, so its transaction and
// savepoints are plain statements with the depth kept on the `Tx` (sqlx's own
// `BEGIN IMMEDIATE` path costs an extra round trip to the connection's thread, about a
// millisecond under load). PostgreSQL: sqlx's transaction manager, whose depth the
// pool checks before it reuses a connection.

/// Runs one transaction-control statement on the SQLite writer.
async fn sqlite_control(
    c: &mut sqlx::SqliteConnection,
    sql: &'static str,
) -> Result<(), sqlx::Error> {
    sqlx::query(sql).execute(c).await.map(|_| ())
}

/// The savepoint statements for nesting level `level` (1: directly inside the
/// transaction); a batch nests at most two deep.
fn savepoint_sql(level: usize) -> Result<[&'static str; 3], sqlx::Error> {
    match level {
        1 => Ok([
            "SAVEPOINT fd_1",
            "RELEASE SAVEPOINT fd_1",
            "ROLLBACK TO SAVEPOINT fd_1",
        ]),
        2 => Ok([
            "SAVEPOINT fd_2",
            "RELEASE SAVEPOINT fd_2",
            "ROLLBACK TO SAVEPOINT fd_2",
        ]),
        3 => Ok([
            "SAVEPOINT fd_3",
            "RELEASE SAVEPOINT fd_3",
            "ROLLBACK TO SAVEPOINT fd_3",
        ]),
        _ => Err(sqlx::Error::InvalidSavePointStatement),
    }
}

/// Opens the batch's transaction (`BEGIN IMMEDIATE` on SQLite: the write lock up front).
async fn begin(tx: &mut Tx) -> Result<(), sqlx::Error> {
    let depth = tx.depth;
    match tx.conn() {
        Conn::Sqlite(c) if depth == 0 => sqlite_control(c, "BEGIN IMMEDIATE").await?,
        Conn::Sqlite(_) => return Err(sqlx::Error::InvalidSavePointStatement),
        Conn::Postgres(c) => PgTm::begin(c, None).await?,
    }
    tx.depth += 1;
    Ok(())
}

/// Opens a savepoint inside the transaction.
async fn savepoint(tx: &mut Tx) -> Result<(), sqlx::Error> {
    let depth = tx.depth;
    match tx.conn() {
        Conn::Sqlite(c) => sqlite_control(c, savepoint_sql(depth)?[0]).await?,
        Conn::Postgres(c) => PgTm::begin(c, None).await?,
    }
    tx.depth += 1;
    Ok(())
}

/// Releases the innermost savepoint (keeps its work).
async fn release(tx: &mut Tx) -> Result<(), sqlx::Error> {
    commit(tx).await
}

/// Commits the innermost level: the transaction, or a savepoint.
async fn commit(tx: &mut Tx) -> Result<(), sqlx::Error> {
    let depth = tx.depth;
    match tx.conn() {
        Conn::Sqlite(c) if depth == 1 => sqlite_control(c, "COMMIT").await?,
        Conn::Sqlite(c) if depth > 1 => sqlite_control(c, savepoint_sql(depth - 1)?[1]).await?,
        Conn::Sqlite(_) => return Ok(()),
        Conn::Postgres(c) => PgTm::commit(c).await?,
    }
    tx.depth = depth.saturating_sub(1);
    Ok(())
}

/// Rolls back the innermost level: the transaction, or to a savepoint.
async fn rollback(tx: &mut Tx) -> Result<(), sqlx::Error> {
    let depth = tx.depth;
    match tx.conn() {
        Conn::Sqlite(c) if depth == 1 => sqlite_control(c, "ROLLBACK").await?,
        Conn::Sqlite(c) if depth > 1 => {
            let [_, release, rollback_to] = savepoint_sql(depth - 1)?;
            sqlite_control(c, rollback_to).await?;
            sqlite_control(c, release).await?
        }
        Conn::Sqlite(_) => return Ok(()),
        Conn::Postgres(c) => PgTm::rollback(c).await?,
    }
    tx.depth = depth.saturating_sub(1);
    Ok(())
}

/// Rolls back whatever is open after a failure; false if the connection cannot be
/// brought back outside a transaction (it is then closed, never reused).
async fn reset(tx: &mut Tx) -> bool {
    let depth = tx.depth;
    if let Conn::Sqlite(c) = tx.conn() {
        // One ROLLBACK ends the transaction and every savepoint in it.
        let ok = depth == 0 || sqlite_control(c, "ROLLBACK").await.is_ok();
        tx.depth = 0;
        return ok;
    }
    for _ in 0..8 {
        let depth = match tx.conn() {
            Conn::Postgres(c) => PgTm::get_transaction_depth(c),
            Conn::Sqlite(_) => 0,
        };
        if depth == 0 {
            tx.depth = 0;
            return true;
        }
        if rollback(tx).await.is_err() {
            return false;
        }
    }
    false
}

/// On PostgreSQL, queues the batch's stale caches as a `NOTIFY`, which the server
/// delivers to every instance exactly when the transaction commits (live changes go
/// out after the commit, through [`events::relay`](crate::server::events::relay)).
async fn notify_inside(tx: &mut Tx) -> Result<(), sqlx::Error> {
    if tx.effects.stale.is_empty() {
        return Ok(());
    }
    let kinds: Vec<&str> = tx.effects.stale.iter().map(|k| k.as_str()).collect();
    let payload = kinds.join(",");
    let Conn::Postgres(c) = tx.conn() else {
        return Ok(());
    };
    sqlx::query("SELECT pg_notify($1, $2)")
        .bind(crate::server::cache::CHANNEL)
        .bind(payload)
        .execute(&mut **c)
        .await?;
    Ok(())
}

/// After commit: this instance's caches, the mail worker and live views hear of it at
/// once; on PostgreSQL the live changes also go to the relay for the other instances.
fn publish(tx: &mut Tx, hub: &Hub) {
    let effects = std::mem::take(&mut tx.effects);
    for kind in effects.stale {
        hub.caches.invalidate(kind);
    }
    if effects.mail {
        hub.mail_wake.notify_one();
    }
    let postgres = matches!(tx.conn(), Conn::Postgres(_));
    for change in effects.changes {
        if postgres {
            hub.events.relay(change.clone());
        }
        hub.events.deliver(change);
    }
}
