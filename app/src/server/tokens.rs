//! Personal API tokens: created by their owner (shown once), listed, revoked; and who
//! a bearer token is. Only the SHA-256 of a token is stored. Checking one costs a hash
//! and an indexed lookup (cached for a few seconds, dropped at once when the token is
//! revoked or its owner changes); `last_used_at` is written at most once a minute.

use super::{
    cache::CacheKind,
    db::{from_millis, millis, on_db, on_tx, Db, Tx},
    error::stored,
    state::AppState,
};
use crate::{
    domain::{role::Role, timefmt::format_local, tokens},
    error::AppError,
    wire::{
        account::{NewToken, TokenView},
        auth::CurrentUser,
    },
};
use chrono::{DateTime, Duration, Utc};
use std::{
    collections::HashMap,
    sync::{Mutex, OnceLock},
};

/// A token as stored (never the token itself).
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct TokenRow {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub shown: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

const COLUMNS: &str = "id, user_id, name, shown, created_at, last_used_at, expires_at, revoked_at";

/// The longest token name accepted, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The lifetimes offered, in days (`None`: never expires).
pub const LIFETIMES: [Option<i64>; 4] = [Some(30), Some(90), Some(365), None];

impl TokenRow {
    /// The token as its owner sees it in the list, times in `tz`.
    pub fn view(&self, tz: &str, now: DateTime<Utc>) -> TokenView {
        let state = if self.revoked_at.is_some() {
            "revoked"
        } else if self.expires_at.is_some_and(|e| e <= millis(now)) {
            "expired"
        } else {
            "active"
        };
        TokenView {
            id: self.id,
            name: self.name.clone(),
            shown: format!("{}…", self.shown),
            created_local: format_local(from_millis(self.created_at), tz),
            last_used_local: self.last_used_at.map(|t| format_local(from_millis(t), tz)),
            expires_local: self.expires_at.map(|t| format_local(from_millis(t), tz)),
            state: state.to_owned(),
        }
    }
}

/// A user's tokens, newest first.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn list(db: &Db, user: i64) -> Result<Vec<TokenRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM api_tokens WHERE user_id = $1 ORDER BY id DESC");
    on_db!(db, pool => sqlx::query_as(&sql).bind(user).fetch_all(pool).await)
}

async fn insert(
    tx: &mut Tx,
    user: i64,
    name: &str,
    token: &str,
    now: DateTime<Utc>,
    expires: Option<DateTime<Utc>>,
) -> Result<TokenRow, sqlx::Error> {
    let sql = format!(
        "INSERT INTO api_tokens (user_id, name, shown, token_hash, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING {COLUMNS}"
    );
    let rows: Vec<TokenRow> = on_tx!(tx, c => sqlx::query_as(&sql)
        .bind(user)
        .bind(name)
        .bind(tokens::shown_part(token))
        .bind(tokens::hash(token))
        .bind(millis(now))
        .bind(expires.map(millis))
        .fetch_all(&mut *c)
        .await)?;
    rows.into_iter().next().ok_or(sqlx::Error::RowNotFound)
}

/// Creates a token named `name` for `user`, valid for `days` days ("30", "90", "365";
/// "never" or empty: no expiry). The token is returned this once; only its hash is kept.
pub async fn create(
    state: &AppState,
    user: &CurrentUser,
    name: &str,
    days: &str,
) -> Result<NewToken, AppError> {
    create_for(&state.db, user, name, days, state.clock.now()).await
}

/// [`create`] without the request's state (the `create-token` command).
pub async fn create_for(
    db: &Db,
    user: &CurrentUser,
    name: &str,
    days: &str,
    now: DateTime<Utc>,
) -> Result<NewToken, AppError> {
    let name = name.trim().to_owned();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(AppError::validation(
            "name",
            "Name the token (up to 100 characters), e.g. “CI bot”.",
        ));
    }
    if name.chars().any(char::is_control) {
        return Err(AppError::validation(
            "name",
            "The name contains control characters.",
        ));
    }
    let days = match days.trim() {
        "" | "never" => None,
        d => Some(
            d.parse::<i64>()
                .ok()
                .filter(|d| LIFETIMES.contains(&Some(*d)))
                .ok_or_else(|| {
                    AppError::validation("expires", "Choose 30, 90 or 365 days, or never.")
                })?,
        ),
    };
    let token = generate();
    let expires = days.map(|d| now + Duration::days(d));
    let (owner, secret) = (user.id, token.clone());
    let row = db
        .write(move |tx| {
            Box::pin(async move { Ok(insert(tx, owner, &name, &secret, now, expires).await?) })
        })
        .await?;
    tracing::info!(user = user.id, token = row.id, "API token created");
    Ok(NewToken {
        token,
        view: row.view(&user.timezone, now),
    })
}

/// Revokes one of `user`'s tokens; it stops working at once on every instance.
pub async fn revoke(state: &AppState, user: &CurrentUser, id: i64) -> Result<(), AppError> {
    let (owner, at) = (user.id, millis(state.clock.now()));
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let n = on_tx!(tx, c => sqlx::query(
                    "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 \
                     AND revoked_at IS NULL")
                    .bind(at)
                    .bind(id)
                    .bind(owner)
                    .execute(&mut *c)
                    .await
                    .map(|r| r.rows_affected()))?;
                if n == 0 {
                    let mine: Vec<(i64,)> = on_tx!(tx, c => sqlx::query_as(
                        "SELECT id FROM api_tokens WHERE id = $1 AND user_id = $2")
                        .bind(id)
                        .bind(owner)
                        .fetch_all(&mut *c)
                        .await)?;
                    return Err(if mine.is_empty() {
                        AppError::not_found("token")
                    } else {
                        AppError::conflict("This token is already revoked.")
                    });
                }
                tx.stale(CacheKind::Tokens);
                Ok(())
            })
        })
        .await
}

/// A new token: the prefix, 43 random base62 characters, the checksum.
fn generate() -> String {
    tokens::from_body(&random_body())
}

/// 43 random base62 characters (256 bits) from the OS: a token's body, and the secret of
/// one-time links (invitations, password resets).
pub fn random_body() -> String {
    use rand::Rng;
    let alphabet = tokens::alphabet();
    let mut rng = rand::rngs::OsRng;
    (0..tokens::BODY_CHARS)
        .map(|_| alphabet[rng.gen_range(0..alphabet.len())] as char)
        .collect()
}

/// Who a token is, as far as the API cares.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bearer {
    pub user: CurrentUser,
    pub token_id: i64,
}

/// Why a token was refused (all answer 401; the message says which).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refused {
    Malformed,
    Unknown,
    Expired,
    Revoked,
    Deactivated,
}

impl Refused {
    /// The 401's message.
    pub fn message(self) -> &'static str {
        match self {
            Refused::Malformed => "The bearer token is not a Faultdesk API token.",
            Refused::Unknown => "The bearer token is not valid.",
            Refused::Expired => {
                "The bearer token has expired; create a new one in Account → API tokens."
            }
            Refused::Revoked => "The bearer token has been revoked.",
            Refused::Deactivated => "The bearer token's account has been deactivated.",
        }
    }
}

/// A token's row with its owner, as a bearer check needs it (cached).
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct TokenOwner {
    id: i64,
    user_id: i64,
    expires_at: Option<i64>,
    revoked_at: Option<i64>,
    last_used_at: Option<i64>,
    email: String,
    role: String,
    timezone: String,
    deactivated_at: Option<i64>,
}

/// Who `token` is: checked for shape and checksum, then looked up by its hash (from a
/// copy of at most a few seconds, dropped when tokens or accounts change).
pub async fn bearer(state: &AppState, token: &str) -> Result<Result<Bearer, Refused>, AppError> {
    if !tokens::is_well_formed(token) {
        return Ok(Err(Refused::Malformed));
    }
    let hash = tokens::hash(token);
    let db = &state.db;
    let found = db
        .hub()
        .caches
        .token(hash.clone(), || async move {
            let sql = "SELECT t.id, t.user_id, t.expires_at, t.revoked_at, t.last_used_at, \
                       u.email, u.role, u.timezone, u.deactivated_at FROM api_tokens t \
                       JOIN users u ON u.id = t.user_id WHERE t.token_hash = $1";
            let row: Option<TokenOwner> =
                on_db!(db, pool => sqlx::query_as(sql).bind(hash).fetch_optional(pool).await)?;
            Ok(row)
        })
        .await?;
    let Some(TokenOwner {
        id,
        user_id,
        expires_at,
        revoked_at,
        last_used_at,
        email,
        role,
        timezone,
        deactivated_at,
    }) = found
    else {
        return Ok(Err(Refused::Unknown));
    };
    let now = state.clock.now();
    if revoked_at.is_some() {
        return Ok(Err(Refused::Revoked));
    }
    if deactivated_at.is_some() {
        return Ok(Err(Refused::Deactivated));
    }
    if expires_at.is_some_and(|e| e <= millis(now)) {
        return Ok(Err(Refused::Expired));
    }
    touch(state, id, last_used_at, now);
    Ok(Ok(Bearer {
        user: CurrentUser {
            id: user_id,
            role: stored(Role::parse(&role), "role", &role)?,
            email,
            timezone,
        },
        token_id: id,
    }))
}

/// Records that a token was used, at most once a minute per token (a write per API
/// call would be a write per filing).
fn touch(state: &AppState, id: i64, last: Option<i64>, now: DateTime<Utc>) {
    static LAST: OnceLock<Mutex<HashMap<i64, i64>>> = OnceLock::new();
    let now_ms = millis(now);
    let mut seen = LAST
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|e| e.into_inner());
    let previous = seen.get(&id).copied().or(last).unwrap_or(i64::MIN);
    if now_ms.saturating_sub(previous) < 60_000 {
        return;
    }
    if seen.len() > 100_000 {
        seen.clear();
    }
    seen.insert(id, now_ms);
    drop(seen);
    let db = state.db.clone();
    tokio::spawn(async move {
        let result = db
            .write(move |tx| {
                Box::pin(async move {
                    on_tx!(tx, c => sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
                        .bind(now_ms)
                        .bind(id)
                        .execute(&mut *c)
                        .await
                        .map(|_| ()))?;
                    Ok(())
                })
            })
            .await;
        if let Err(e) = result {
            tracing::debug!(error = %e.message, "could not record a token's use");
        }
    });
}
