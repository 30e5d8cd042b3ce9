//! Canned replies (agents): a shared library of saved answers; inserting one into a
//! ticket's reply box fills its placeholders with the ticket's fields.

use super::{
    db::{from_millis, millis, on_db, on_tx, Db},
    intake::failure_label,
    state::AppState,
};
use crate::{
    domain::{
        canned::{check_placeholders, render, Fields, MAX_TITLE_CHARS},
        timefmt::format_local,
    },
    error::AppError,
    wire::{auth::CurrentUser, canned::CannedView},
};

#[derive(sqlx::FromRow)]
struct CannedRow {
    id: i64,
    title: String,
    body: String,
    updated_at: i64,
    by: String,
}

/// Every canned reply, by title.
pub async fn list(state: &AppState, viewer: &CurrentUser) -> Result<Vec<CannedView>, AppError> {
    let db = &state.db;
    let rows: Vec<CannedRow> = on_db!(db, pool => sqlx::query_as(
        "SELECT c.id, c.title, c.body, c.updated_at, u.email AS by FROM canned_replies c \
         JOIN users u ON u.id = c.created_by ORDER BY c.title, c.id LIMIT 500")
        .fetch_all(pool)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|r| CannedView {
            id: r.id,
            title: r.title,
            body: r.body,
            by: r.by,
            updated_local: format_local(from_millis(r.updated_at), &viewer.timezone),
        })
        .collect())
}

/// Creates (`id` = `None`) or changes a canned reply; returns its id.
pub async fn save(
    state: &AppState,
    actor: &CurrentUser,
    id: Option<i64>,
    title: &str,
    body: &str,
) -> Result<i64, AppError> {
    let title = title.trim().to_owned();
    if title.is_empty()
        || title.chars().count() > MAX_TITLE_CHARS
        || title.chars().any(char::is_control)
    {
        return Err(AppError::validation(
            "title",
            format!("Give it a title of up to {MAX_TITLE_CHARS} characters, on one line."),
        ));
    }
    let body = super::work::MESSAGE_BODY.check(body)?;
    check_placeholders(&body).map_err(|e| AppError::validation("body", e))?;
    let (by, now) = (actor.id, millis(state.clock.now()));
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let ids: Vec<(i64,)> = match id {
                    None => on_tx!(tx, c => sqlx::query_as(
                        "INSERT INTO canned_replies (title, body, created_by, updated_at) \
                         VALUES ($1, $2, $3, $4) RETURNING id")
                        .bind(&title)
                        .bind(&body)
                        .bind(by)
                        .bind(now)
                        .fetch_all(&mut *c)
                        .await)?,
                    Some(id) => on_tx!(tx, c => sqlx::query_as(
                        "UPDATE canned_replies SET title = $1, body = $2, created_by = $3, \
                         updated_at = $4 WHERE id = $5 RETURNING id")
                        .bind(&title)
                        .bind(&body)
                        .bind(by)
                        .bind(now)
                        .bind(id)
                        .fetch_all(&mut *c)
                        .await)?,
                };
                ids.first()
                    .map(|r| r.0)
                    .ok_or_else(|| AppError::not_found("canned reply"))
            })
        })
        .await
}

/// Deletes a canned reply (404 if there is none).
pub async fn delete(state: &AppState, id: i64) -> Result<(), AppError> {
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let n = on_tx!(tx, c => sqlx::query("DELETE FROM canned_replies WHERE id = $1")
                    .bind(id)
                    .execute(&mut *c)
                    .await
                    .map(|r| r.rows_affected()))?;
                if n == 0 {
                    return Err(AppError::not_found("canned reply"));
                }
                Ok(())
            })
        })
        .await
}

/// The text of canned reply `canned` (404 if there is none).
async fn body_of(db: &Db, canned: i64) -> Result<String, AppError> {
    let body: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT body FROM canned_replies WHERE id = $1")
        .bind(canned)
        .fetch_optional(pool)
        .await)?;
    body.ok_or_else(|| AppError::not_found("canned reply"))
}

/// Canned reply `canned` with ticket `ticket`'s fields in its placeholders.
pub async fn render_for(state: &AppState, ticket: i64, canned: i64) -> Result<String, AppError> {
    let db = &state.db;
    let body = body_of(db, canned).await?;
    let row = super::tickets::queue_row(db, ticket)
        .await?
        .ok_or_else(|| AppError::not_found("ticket"))?;
    let request_id: Option<String> = on_db!(db, pool => sqlx::query_scalar(
        "SELECT request_id FROM reports WHERE id = $1")
        .bind(ticket)
        .fetch_one(pool)
        .await)?;
    Ok(render(
        &body,
        &Fields {
            endpoint: format!("{} {}", row.method, row.endpoint),
            status: failure_label(row.status_code, row.transport.as_deref()),
            request_id,
            developer: row.reporter_email,
        },
    ))
}

/// Canned reply `canned` with incident `incident`'s fields in its placeholders: the
/// failing call as its reports share it (`GET /v1/orders/{id}`), its status, no single
/// request id, and "everyone" for the developer (an update reaches every reporter).
pub async fn render_for_incident(
    state: &AppState,
    incident: i64,
    canned: i64,
) -> Result<String, AppError> {
    let db = &state.db;
    let body = body_of(db, canned).await?;
    let lead: Option<(String, String, Option<i64>, Option<String>)> = on_db!(db, pool => sqlx::query_as(
        "SELECT r.method, r.endpoint_template, r.status_code, r.transport FROM incidents i \
         JOIN reports r ON r.id = i.lead_report_id WHERE i.id = $1")
        .bind(incident)
        .fetch_optional(pool)
        .await)?;
    let (method, endpoint, code, transport) =
        lead.ok_or_else(|| AppError::not_found("incident"))?;
    Ok(render(
        &body,
        &Fields {
            endpoint: format!("{method} {endpoint}"),
            status: failure_label(code, transport.as_deref()),
            request_id: None,
            developer: "everyone".to_owned(),
        },
    ))
}
