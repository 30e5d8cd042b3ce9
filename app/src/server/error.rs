//! How server-side failures become [`AppError`]s: the cause is logged with context,
//! the caller gets a generic 500 (or a specific 4xx where the cause is theirs).

use crate::error::AppError;

impl From<sqlx::Error> for AppError {
    fn from(e: sqlx::Error) -> Self {
        tracing::error!(error = %e, "database error");
        AppError::internal()
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
