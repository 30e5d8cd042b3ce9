//! In-memory copies of what every request reads and what rarely changes: the support
//! calendar (with its holidays), the guidance catalogue (with its parsed matching
//! rules), the current maintenance notices, and — per id, for a few seconds at most —
//! accounts and browser sessions (so a signed-in request reads nothing to learn who is
//! asking).
//!
//! A write that changes one of them marks it stale on its transaction; after the
//! commit this instance drops its copy at once and, on PostgreSQL, every other
//! instance hears it through `NOTIFY` on [`CHANNEL`]. While an instance is not
//! listening (its listener reconnecting) it does not cache at all, so it can never
//! serve a copy that another instance changed unheard.

use super::{db::Db, guidance::ArticleRow, notices::NoticeRow};
use crate::{
    domain::{
        calendar::BusinessCalendar,
        guidance::{select_article, ArticleRule},
        sla_policy::SlaPolicy,
    },
    error::AppError,
};
use chrono::{DateTime, Utc};
use std::{
    future::Future,
    sync::{
        atomic::{AtomicBool, AtomicU64, Ordering},
        Arc, RwLock,
    },
};

/// The PostgreSQL channel on which instances announce stale caches.
pub const CHANNEL: &str = "faultdesk_cache";

/// One cached thing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheKind {
    /// The support calendar and holidays, and the SLA policy.
    Calendar,
    /// Guidance articles and their rules.
    Guidance,
    /// Maintenance notices.
    Notices,
    /// Accounts (who is asking: role, timezone).
    Users,
    /// Browser sessions.
    Sessions,
    /// API tokens (and their owners).
    Tokens,
}

impl CacheKind {
    /// Every kind.
    pub const ALL: [CacheKind; 6] = [
        Self::Calendar,
        Self::Guidance,
        Self::Notices,
        Self::Users,
        Self::Sessions,
        Self::Tokens,
    ];

    /// The name sent between instances.
    pub fn as_str(self) -> &'static str {
        match self {
            CacheKind::Calendar => "calendar",
            CacheKind::Guidance => "guidance",
            CacheKind::Notices => "notices",
            CacheKind::Users => "users",
            CacheKind::Sessions => "sessions",
            CacheKind::Tokens => "tokens",
        }
    }

    /// Reads a name sent between instances.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The guidance catalogue: articles in catalogue order and their matching rules.
#[derive(Debug)]
pub struct Guidance {
    /// Every article.
    pub articles: Vec<ArticleRow>,
    /// The rules of the live articles whose patterns could be read, in catalogue order.
    pub rules: Vec<ArticleRule>,
}

impl Guidance {
    /// The article the intake shows for client error `code` with (scrubbed) `message`.
    pub fn choose(&self, code: u16, message: &str) -> Option<&ArticleRow> {
        select_article(&self.rules, code, message).and_then(|r| self.article(&r.slug))
    }

    /// The article with `slug`.
    pub fn article(&self, slug: &str) -> Option<&ArticleRow> {
        self.articles.iter().find(|a| a.slug == slug)
    }
}

/// Notices that were neither cancelled nor over [`NOTICE_HISTORY_DAYS`] before they
/// were loaded, soonest first.
#[derive(Debug)]
pub struct CurrentNotices {
    /// When they were read: the list is good for any later instant.
    pub loaded_at: DateTime<Utc>,
    /// The notices.
    pub notices: Vec<NoticeRow>,
}

/// Every cache of this instance.
#[derive(Debug)]
pub struct Caches {
    enabled: AtomicBool,
    calendar: Slot<BusinessCalendar>,
    policy: Slot<SlaPolicy>,
    guidance: Slot<Guidance>,
    notices: Slot<CurrentNotices>,
    users: Keyed<i64, super::users::Account>,
    sessions: Keyed<String, tower_sessions::session::Record>,
    tokens: Keyed<String, super::tokens::TokenOwner>,
}

impl Default for Caches {
    fn default() -> Self {
        Self {
            enabled: AtomicBool::new(true),
            calendar: Slot::default(),
            policy: Slot::default(),
            guidance: Slot::default(),
            notices: Slot::default(),
            users: Keyed::default(),
            sessions: Keyed::default(),
            tokens: Keyed::default(),
        }
    }
}

impl Caches {
    /// Turns caching on or off (off while an instance cannot hear the others).
    pub fn set_enabled(&self, on: bool) {
        self.enabled.store(on, Ordering::SeqCst);
        if !on {
            self.invalidate_all();
        }
    }

    fn enabled(&self) -> bool {
        self.enabled.load(Ordering::SeqCst)
    }

    /// Drops one cached copy.
    pub fn invalidate(&self, kind: CacheKind) {
        match kind {
            // The SLA policy goes with the calendar: both say when support is due.
            CacheKind::Calendar => {
                self.calendar.invalidate();
                self.policy.invalidate();
            }
            CacheKind::Guidance => self.guidance.invalidate(),
            CacheKind::Notices => self.notices.invalidate(),
            CacheKind::Users => {
                // A token carries its owner's role: both go.
                self.users.invalidate();
                self.tokens.invalidate();
            }
            CacheKind::Sessions => self.sessions.invalidate(),
            CacheKind::Tokens => self.tokens.invalidate(),
        }
    }

    /// Drops every cached copy.
    pub fn invalidate_all(&self) {
        for kind in CacheKind::ALL {
            self.invalidate(kind);
        }
    }

    /// An account as "who is asking" sees it; `None` if there is no such account (or it
    /// is deactivated).
    pub async fn user<F, Fut>(
        &self,
        id: i64,
        load: F,
    ) -> Result<Option<super::users::Account>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<super::users::Account>, AppError>>,
    {
        self.users.get(self.enabled(), id, load).await
    }

    /// An API token's row and owner by the token's hash; `None` if unknown.
    pub async fn token<F, Fut>(
        &self,
        hash: String,
        load: F,
    ) -> Result<Option<super::tokens::TokenOwner>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<super::tokens::TokenOwner>, AppError>>,
    {
        self.tokens.get(self.enabled(), hash, load).await
    }

    /// A browser session's record; `None` if there is none (or it expired).
    pub async fn session<F, Fut>(
        &self,
        id: String,
        load: F,
    ) -> Result<Option<tower_sessions::session::Record>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<tower_sessions::session::Record>, AppError>>,
    {
        self.sessions.get(self.enabled(), id, load).await
    }

    /// The session record as this instance last read it, if it has a fresh copy
    /// (never reads the database).
    pub fn cached_session(&self, id: &str) -> Option<tower_sessions::session::Record> {
        self.sessions.peek(self.enabled(), &id.to_owned()).flatten()
    }

    /// The support calendar.
    pub async fn calendar(&self, db: &Db) -> Result<Arc<BusinessCalendar>, AppError> {
        self.calendar
            .get(
                self.enabled(),
                |_| true,
                || super::settings::read_calendar(db),
            )
            .await
    }

    /// The SLA policy in force.
    pub async fn policy(&self, db: &Db) -> Result<Arc<SlaPolicy>, AppError> {
        self.policy
            .get(self.enabled(), |_| true, || super::sla_policy::read(db))
            .await
    }

    /// The guidance catalogue.
    pub async fn guidance(&self, db: &Db) -> Result<Arc<Guidance>, AppError> {
        self.guidance
            .get(
                self.enabled(),
                |_| true,
                || async {
                    let articles = super::guidance::all(db).await?;
                    let rules = articles
                        .iter()
                        .filter(|a| a.retired_at.is_none())
                        .filter_map(ArticleRow::rule)
                        .collect();
                    Ok(Guidance { articles, rules })
                },
            )
            .await
    }

    /// Every notice not cancelled and not over at `now` - [`NOTICE_HISTORY_DAYS`]
    /// (a report may describe a failure up to a year old), soonest first.
    async fn recent_notices(
        &self,
        db: &Db,
        now: DateTime<Utc>,
    ) -> Result<Arc<CurrentNotices>, AppError> {
        self.notices
            .get(
                self.enabled(),
                // A copy read later than `now` (a clock set back in tests) may lack
                // notices that ended in between.
                |c| c.loaded_at <= now,
                || async {
                    let since = now - chrono::Duration::days(NOTICE_HISTORY_DAYS);
                    Ok(CurrentNotices {
                        loaded_at: now,
                        notices: super::notices::ending_after(db, since).await?,
                    })
                },
            )
            .await
    }

    /// Active and upcoming notices at `now` (not cancelled, not over), soonest first,
    /// at most 50.
    pub async fn current_notices(
        &self,
        db: &Db,
        now: DateTime<Utc>,
    ) -> Result<Vec<NoticeRow>, AppError> {
        let now_ms = now.timestamp_millis();
        Ok(self
            .recent_notices(db, now)
            .await?
            .notices
            .iter()
            .filter(|n| n.ends_at > now_ms)
            .take(50)
            .cloned()
            .collect())
    }

    /// The notices (not cancelled) whose window contains `at`, soonest first.
    pub async fn notices_at(
        &self,
        db: &Db,
        at: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<Vec<NoticeRow>, AppError> {
        let at_ms = at.timestamp_millis();
        let recent = self.recent_notices(db, now).await?;
        let covering: Vec<NoticeRow> = recent
            .notices
            .iter()
            .filter(|n| n.starts_at <= at_ms && at_ms < n.ends_at)
            .cloned()
            .collect();
        if at < now - chrono::Duration::days(NOTICE_HISTORY_DAYS) {
            // Older than the copy reaches: ask the database.
            return Ok(super::notices::covering_instant(db, at).await?);
        }
        Ok(covering)
    }
}

/// How far back the cached notices reach, in days (reports may describe failures up to
/// a year old).
pub const NOTICE_HISTORY_DAYS: i64 = crate::domain::validation::MAX_AGE_DAYS + 1;

/// A cached value and a generation counter: a value read before an invalidation is
/// never stored after it.
#[derive(Debug)]
struct Slot<T> {
    value: RwLock<Option<Arc<T>>>,
    generation: AtomicU64,
}

impl<T> Default for Slot<T> {
    fn default() -> Self {
        Self {
            value: RwLock::new(None),
            generation: AtomicU64::new(0),
        }
    }
}

impl<T> Slot<T> {
    async fn get<F, Fut>(
        &self,
        enabled: bool,
        usable: impl Fn(&T) -> bool,
        load: F,
    ) -> Result<Arc<T>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<T, AppError>>,
    {
        if enabled {
            let cached = self.value.read().unwrap_or_else(|e| e.into_inner()).clone();
            if let Some(v) = cached.filter(|v| usable(v)) {
                return Ok(v);
            }
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let fresh = Arc::new(load().await?);
        if enabled {
            let mut slot = self.value.write().unwrap_or_else(|e| e.into_inner());
            if self.generation.load(Ordering::SeqCst) == generation {
                *slot = Some(fresh.clone());
            }
        }
        Ok(fresh)
    }

    fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        *self.value.write().unwrap_or_else(|e| e.into_inner()) = None;
    }
}

/// How long a copy of one account or session is used at most: the safety net behind
/// invalidation (a change made by another process, such as the `create-user` command
/// on SQLite, is seen within this long).
const KEYED_TTL: std::time::Duration = std::time::Duration::from_secs(10);

/// The most entries a keyed cache holds before it starts over.
const KEYED_MAX: usize = 50_000;

/// Copies by key (accounts, sessions), each used for at most [`KEYED_TTL`]; any
/// invalidation drops them all (they are cheap to read again).
#[derive(Debug)]
struct Keyed<K, V> {
    entries: RwLock<std::collections::HashMap<K, (Option<V>, std::time::Instant)>>,
    generation: AtomicU64,
}

impl<K, V> Default for Keyed<K, V> {
    fn default() -> Self {
        Self {
            entries: RwLock::new(std::collections::HashMap::new()),
            generation: AtomicU64::new(0),
        }
    }
}

impl<K: std::hash::Hash + Eq + Clone, V: Clone> Keyed<K, V> {
    async fn get<F, Fut>(&self, enabled: bool, key: K, load: F) -> Result<Option<V>, AppError>
    where
        F: FnOnce() -> Fut,
        Fut: Future<Output = Result<Option<V>, AppError>>,
    {
        if enabled {
            let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
            if let Some((value, at)) = entries.get(&key) {
                if at.elapsed() < KEYED_TTL {
                    return Ok(value.clone());
                }
            }
        }
        let generation = self.generation.load(Ordering::SeqCst);
        let fresh = load().await?;
        if enabled {
            let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
            if self.generation.load(Ordering::SeqCst) == generation {
                if entries.len() >= KEYED_MAX {
                    entries.clear();
                }
                entries.insert(key, (fresh.clone(), std::time::Instant::now()));
            }
        }
        Ok(fresh)
    }

    /// The copy of `key` if there is a fresh one; never loads.
    fn peek(&self, enabled: bool, key: &K) -> Option<Option<V>> {
        if !enabled {
            return None;
        }
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .get(key)
            .filter(|(_, at)| at.elapsed() < KEYED_TTL)
            .map(|(value, _)| value.clone())
    }

    fn invalidate(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        self.entries
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .clear();
    }
}
