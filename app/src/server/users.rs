//! The `users` aggregate: accounts and their roles.

use super::db::{from_millis, millis, on_db, on_tx, Db, Tx};
use crate::domain::role::Role;
use chrono::{DateTime, Utc};

/// A user row as stored. Not a wire type: it carries the password hash.
#[derive(sqlx::FromRow, Debug, Clone)]
pub struct UserRow {
    /// Primary key.
    pub id: i64,
    /// Lower-cased email, unique.
    pub email: String,
    /// Argon2id PHC string.
    pub password_hash: String,
    /// Role name, see [`Role::as_str`].
    pub role: String,
    /// The user's IANA timezone, for showing times.
    pub timezone: String,
    /// When the account was created (ms since epoch).
    pub created_at: i64,
    /// The name developers see for staff (`None`: "Support").
    pub display_name: Option<String>,
    /// When the account was deactivated (`None`: active).
    pub deactivated_at: Option<i64>,
    /// Sessions signed in under an older epoch are signed out.
    pub session_epoch: i64,
}

impl UserRow {
    /// The role, defaulting to the least privileged on an unknown name.
    pub fn role(&self) -> Result<Role, crate::error::AppError> {
        super::error::stored(Role::parse(&self.role), "role", &self.role)
    }

    /// When the account was created.
    pub fn created(&self) -> DateTime<Utc> {
        from_millis(self.created_at)
    }
}

/// An active account as a session sees it: who, and the session epoch in force.
#[derive(Debug, Clone)]
pub struct Account {
    /// Who.
    pub user: crate::wire::auth::CurrentUser,
    /// Sessions stamped with another epoch are signed out.
    pub session_epoch: i64,
}

/// A new account to store.
#[derive(Debug)]
pub struct NewUser<'a> {
    /// Lower-cased email.
    pub email: &'a str,
    /// Argon2id PHC string.
    pub password_hash: &'a str,
    /// Role.
    pub role: Role,
    /// IANA timezone name.
    pub timezone: &'a str,
}

const COLUMNS: &str = "id, email, password_hash, role, timezone, created_at, display_name, \
                       deactivated_at, session_epoch";

/// Inserts an account; a duplicate email is a unique violation for the caller to map.
#[tracing::instrument(level = "debug", skip_all, fields(role = %user.role))]
pub async fn insert(
    tx: &mut Tx,
    user: &NewUser<'_>,
    now: DateTime<Utc>,
) -> Result<Option<i64>, sqlx::Error> {
    let sql = "INSERT INTO users (email, password_hash, role, timezone, created_at) \
               VALUES ($1, $2, $3, $4, $5) ON CONFLICT (email) DO NOTHING RETURNING id";
    let rows: Vec<(i64,)> = on_tx!(tx, c => sqlx::query_as(sql)
        .bind(user.email)
        .bind(user.password_hash)
        .bind(user.role.as_str())
        .bind(user.timezone)
        .bind(millis(now))
        .fetch_all(&mut *c)
        .await)?;
    Ok(rows.first().map(|r| r.0))
}

/// The account with this (lower-cased) email.
#[tracing::instrument(level = "debug", skip_all)]
pub async fn find_by_email(db: &Db, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(email).fetch_optional(pool).await)
}

/// [`find_by_email`] inside a unit of work.
pub async fn find_by_email_in(tx: &mut Tx, email: &str) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(email).fetch_optional(&mut *c).await)
}

/// The account with this id.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn find_by_id(db: &Db, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    on_db!(db, pool => sqlx::query_as(&sql).bind(id).fetch_optional(pool).await)
}

/// [`find_by_id`] inside a unit of work.
pub async fn find_by_id_in(tx: &mut Tx, id: i64) -> Result<Option<UserRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    on_tx!(tx, c => sqlx::query_as(&sql).bind(id).fetch_optional(&mut *c).await)
}

/// Changes an account's role and password (the CLI's `create-user` on an existing email).
#[tracing::instrument(level = "debug", skip(tx, password_hash))]
pub async fn update_role_and_password(
    tx: &mut Tx,
    id: i64,
    role: Role,
    password_hash: &str,
) -> Result<(), sqlx::Error> {
    let sql = "UPDATE users SET role = $1, password_hash = $2 WHERE id = $3";
    on_tx!(tx, c => sqlx::query(sql)
        .bind(role.as_str())
        .bind(password_hash)
        .bind(id)
        .execute(&mut *c)
        .await.map(|r| r.rows_affected()))?;
    tx.stale(super::cache::CacheKind::Users);
    Ok(())
}
