//! Authentication: argon2id password hashes and session-based sign-in, plus the
//! "who is asking" guards that open every server function.

use super::{state::app_state, users};
use crate::{domain::role::Role, error::AppError, wire::auth::CurrentUser};
use argon2::{
    password_hash::{rand_core::OsRng, PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
    Argon2,
};
use tower_sessions::Session;

/// The session key under which the signed-in user's id is kept.
const USER_ID_KEY: &str = "user_id";
/// The account's session epoch when this session signed in (absent: 0).
const EPOCH_KEY: &str = "epoch";

/// At most this many argon2 hashes run at once (each takes ~19 MiB and a core for a
/// moment): a burst of sign-ins waits its turn instead of exhausting memory.
fn hashing_slots() -> &'static tokio::sync::Semaphore {
    static SLOTS: std::sync::OnceLock<tokio::sync::Semaphore> = std::sync::OnceLock::new();
    SLOTS.get_or_init(|| {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        tokio::sync::Semaphore::new(cores.clamp(1, 8))
    })
}

/// Waits (at most ten seconds; then 503) for a hashing slot.
async fn hashing_slot() -> Result<tokio::sync::SemaphorePermit<'static>, AppError> {
    match tokio::time::timeout(
        std::time::Duration::from_secs(10),
        hashing_slots().acquire(),
    )
    .await
    {
        Ok(Ok(permit)) => Ok(permit),
        _ => Err(AppError {
            message: "Too many sign-ins at once. Please try again in a few seconds.".to_owned(),
            retry_after: Some(5),
            ..AppError::unavailable()
        }),
    }
}

/// Hashes a password with argon2id (default, OWASP-recommended parameters) off the
/// async runtime, since hashing is deliberately slow.
pub async fn hash_password(password: String) -> Result<String, AppError> {
    let _slot = hashing_slot().await?;
    tokio::task::spawn_blocking(move || {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(password.as_bytes(), &salt)
            .map(|h| h.to_string())
    })
    .await
    .map_err(|e| super::error::unexpected("password hashing task failed", e))?
    .map_err(|e| super::error::unexpected("password hashing failed", e))
}

/// Checks a password against a stored hash. With no hash (unknown email) it still
/// does the work against a dummy hash, so response time does not reveal which
/// emails have accounts.
pub async fn verify_password(password: String, hash: Option<String>) -> Result<bool, AppError> {
    let _slot = hashing_slot().await?;
    tokio::task::spawn_blocking(move || {
        let (hash, real) = match hash {
            Some(h) => (h, true),
            None => (dummy_hash().to_owned(), false),
        };
        let parsed = PasswordHash::new(&hash).map_err(|e| e.to_string())?;
        let ok = Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok();
        Ok::<bool, String>(ok && real)
    })
    .await
    .map_err(|e| super::error::unexpected("password check task failed", e))?
    .map_err(|e| super::error::unexpected("stored password hash unreadable", e))
}

fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| {
        let salt = SaltString::generate(&mut OsRng);
        Argon2::default()
            .hash_password(b"not a real password, only for timing", &salt)
            .map(|h| h.to_string())
            .unwrap_or_default()
    })
}

/// The request's session (sessions are a layer on every route).
pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| super::error::unexpected("session layer missing", e))
}

/// Signs `user_id` in on this session, with a fresh session id (no fixation). (The
/// request's [`RequestScope`] may still hold the visitor; sign-in redirects anyway.)
pub async fn sign_in(session: &Session, user_id: i64, epoch: i64) -> Result<(), AppError> {
    session
        .cycle_id()
        .await
        .map_err(|e| super::error::session_unavailable("session cycle failed", e))?;
    session
        .insert(USER_ID_KEY, user_id)
        .await
        .map_err(|e| super::error::session_unavailable("session write failed", e))?;
    stamp(session, epoch).await
}

/// Stamps this session with the account's (new) session epoch, so that it stays signed
/// in when the others are signed out.
pub async fn stamp(session: &Session, epoch: i64) -> Result<(), AppError> {
    session
        .insert(EPOCH_KEY, epoch)
        .await
        .map_err(|e| super::error::session_unavailable("session write failed", e))
}

/// Ends this session everywhere (its row is deleted).
pub async fn sign_out(session: &Session) -> Result<(), AppError> {
    session
        .flush()
        .await
        .map_err(|e| super::error::session_unavailable("session flush failed", e))
}

/// Who is asking, resolved at most once per request: every server function and page
/// resource of one request shares it (see [`RequestScope`]).
#[derive(Clone, Debug, Default)]
pub struct RequestScope {
    user: std::sync::Arc<tokio::sync::OnceCell<Option<CurrentUser>>>,
}

impl RequestScope {
    /// The user of `session`, read from the database the first time it is asked for.
    pub async fn user(
        &self,
        db: &super::db::Db,
        session: &Session,
    ) -> Result<Option<CurrentUser>, AppError> {
        self.user
            .get_or_try_init(|| user_of_session(db, session))
            .await
            .cloned()
    }
}

/// The signed-in user of the current request, if any.
pub async fn current_user() -> Result<Option<CurrentUser>, AppError> {
    let session = session().await?;
    let db = app_state()?.db;
    match leptos_axum::extract::<axum::Extension<RequestScope>>().await {
        Ok(axum::Extension(scope)) => scope.user(&db, &session).await,
        Err(_) => user_of_session(&db, &session).await,
    }
}

/// The user signed in on `session`, if any (for plain axum handlers too).
pub async fn user_of_session(
    db: &super::db::Db,
    session: &Session,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(id) = session
        .get::<i64>(USER_ID_KEY)
        .await
        .map_err(|e| super::error::session_unavailable("session read failed", e))?
    else {
        return Ok(None);
    };
    let epoch = session
        .get::<i64>(EPOCH_KEY)
        .await
        .map_err(|e| super::error::session_unavailable("session read failed", e))?
        .unwrap_or(0);
    let account = db
        .hub()
        .caches
        .user(id, || async move {
            let Some(u) = users::find_by_id(db, id).await? else {
                return Ok(None);
            };
            if u.deactivated_at.is_some() {
                return Ok(None);
            }
            Ok(Some(users::Account {
                user: CurrentUser {
                    id: u.id,
                    role: u.role()?,
                    email: u.email,
                    timezone: u.timezone,
                },
                session_epoch: u.session_epoch,
            }))
        })
        .await?;
    // A deactivated account, or a session from before a password change: signed out.
    Ok(account.filter(|a| a.session_epoch == epoch).map(|a| a.user))
}

/// The signed-in user, or 401.
pub async fn require_user() -> Result<CurrentUser, AppError> {
    current_user().await?.ok_or_else(AppError::unauthorized)
}

/// A signed-in user with at least `role`, or 401/403.
pub async fn require_role(role: Role) -> Result<CurrentUser, AppError> {
    let user = require_user().await?;
    if user.role >= role {
        Ok(user)
    } else {
        Err(AppError::forbidden())
    }
}

/// The address of the client making the current request (the peer of the TCP
/// connection, or — with `FAULTDESK_TRUST_FORWARDED_FOR=true` behind a proxy — the
/// last address in `X-Forwarded-For`).
pub async fn client_addr() -> Result<std::net::IpAddr, AppError> {
    use axum::extract::ConnectInfo;
    let state = app_state()?;
    if state.options.trust_forwarded_for {
        if let Ok(headers) = leptos_axum::extract::<axum::http::HeaderMap>().await {
            if let Some(addr) = headers
                .get("x-forwarded-for")
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.rsplit(',').next())
                .and_then(|v| v.trim().parse().ok())
            {
                return Ok(addr);
            }
        }
    }
    leptos_axum::extract::<ConnectInfo<std::net::SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip())
        .map_err(|e| super::error::unexpected("client address unknown", e))
}

/// Counts one `action` against its rate limit: by client address for sign-in and
/// sign-up, by account for filing and the API; 429 (with `Retry-After`) when over.
pub async fn limit(action: super::limits::Action, user: Option<i64>) -> Result<(), AppError> {
    use super::limits::Action;
    let state = app_state()?;
    let result = match (action, user) {
        (Action::SignIn | Action::SignUp, _) => {
            state.limits.check_addr(action, client_addr().await?)
        }
        (Action::File | Action::Api, Some(user)) => state.limits.check_user(action, user),
        (Action::File | Action::Api, None) => Ok(()),
    };
    if let Err(e) = &result {
        if let Some(secs) = e.retry_after {
            if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
                if let Ok(v) = axum::http::HeaderValue::from_str(&secs.to_string()) {
                    res.insert_header(axum::http::header::RETRY_AFTER, v);
                }
            }
        }
    }
    result
}
