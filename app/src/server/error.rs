//! How server-side failures become [`AppError`]s: the cause is logged with context,
//! the caller gets a generic 500 (or a specific 4xx where the cause is theirs).

use crate::error::AppError;

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        AppError::from_db(&e)
    }
}

impl AppError {
    /// A database failure as the caller sees it: 503 (try again) for passing faults —
    /// the database out of reach or restarting, no connection free in time, a deadlock —
    /// 500 for anything else. Logged with its cause either way.
    pub fn from_db(e: &sqlx::Error) -> Self {
        if is_transient(e) {
            tracing::warn!(error = %e, "database unavailable");
            AppError::unavailable()
        } else {
            tracing::error!(error = %e, "database error");
            AppError::internal()
        }
    }
}

/// Whether a database error is a passing fault worth retrying.
pub fn is_transient(e: &sqlx::Error) -> bool {
    match e {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed
        | sqlx::Error::Protocol(_) => true,
        sqlx::Error::Database(d) => {
            let code = d.code();
            let code = code.as_deref().unwrap_or("");
            // PostgreSQL: connection exceptions (08), serialization failure and
            // deadlock (40001, 40P01), too many connections (53300), shutting down or
            // starting up (57P01–57P03). SQLite: busy (5) and locked (6).
            code.starts_with("08")
                || matches!(
                    code,
                    "40001" | "40P01" | "53300" | "57P01" | "57P02" | "57P03" | "5" | "6"
                )
        }
        _ => false,
    }
}

/// Logs an unexpected error with context and turns it into a 500.
pub fn unexpected(context: &str, e: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %e, "{context}");
    AppError::internal()
}

/// True when a database error is a unique-constraint violation (same code on both engines' drivers).
pub fn is_unique_violation(e: &sqlx::Error) -> bool {
    matches!(e, sqlx::Error::Database(db) if db.is_unique_violation())
}

/// A value read from the database that this version does not know (a corrupt row, or
/// one written by a newer version): logged, and a 500 for the caller — never silently
/// read as some default.
pub fn stored<T>(parsed: Option<T>, what: &str, value: &str) -> Result<T, AppError> {
    parsed.ok_or_else(|| {
        tracing::error!(what, value, "unknown value in the database");
        AppError::internal()
    })
}

/// A session that could not be read or written: the session store is the database, so
/// this is nearly always the database being out of reach for a moment. Logged; the
/// caller is told to try again (503), never a bare 500.
pub fn session_unavailable(context: &str, e: impl std::fmt::Display) -> AppError {
    tracing::warn!(error = %e, "{context}");
    AppError::unavailable()
}
