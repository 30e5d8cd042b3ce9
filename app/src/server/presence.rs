//! Who is looking at a ticket, across instances (PRODUCT §4): every open ticket page of
//! a staff member beats every few seconds (and at once when they start or stop typing a
//! reply). The beat is a row in the database; a change of who is there (someone
//! arrives, starts or stops replying, leaves) is a live event to every instance, so the
//! others' pages update at once. A row not refreshed for [`TTL_SECS`] means gone.

use super::{
    db::{millis, on_db, on_tx},
    state::AppState,
};
use crate::{error::AppError, wire::auth::CurrentUser, wire::queue::PresenceView};

/// After this long without a beat a viewer is gone (pages beat every 10 s).
pub const TTL_SECS: i64 = 30;

/// Records that `user` is on ticket `ticket` (typing a reply or not) and returns the
/// other staff there now. `leaving` removes them instead.
pub async fn beat(
    state: &AppState,
    user: &CurrentUser,
    ticket: i64,
    replying: bool,
    leaving: bool,
) -> Result<Vec<PresenceView>, AppError> {
    let (me, now) = (user.id, millis(state.clock.now()));
    let fresh = now - TTL_SECS * 1000;
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                let before: Option<(bool, i64)> = on_tx!(tx, c => sqlx::query_as(
                    "SELECT replying, seen_at FROM ticket_presence WHERE report_id = $1 AND user_id = $2")
                    .bind(ticket)
                    .bind(me)
                    .fetch_optional(&mut *c)
                    .await)?;
                if leaving {
                    on_tx!(tx, c => sqlx::query(
                        "DELETE FROM ticket_presence WHERE report_id = $1 AND user_id = $2")
                        .bind(ticket)
                        .bind(me)
                        .execute(&mut *c)
                        .await
                        .map(|_| ()))?;
                } else {
                    on_tx!(tx, c => sqlx::query(
                        "INSERT INTO ticket_presence (report_id, user_id, replying, seen_at) \
                         SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM reports WHERE id = $1) \
                         ON CONFLICT (report_id, user_id) DO UPDATE SET replying = $3, seen_at = $4")
                        .bind(ticket)
                        .bind(me)
                        .bind(replying)
                        .bind(now)
                        .execute(&mut *c)
                        .await
                        .map(|_| ()))?;
                }
                // Only a change of who is there (or of who is replying) is news.
                let was_here = before.filter(|(_, seen)| *seen >= fresh);
                let changed = match (was_here, leaving) {
                    (Some(_), true) => true,
                    (None, true) => false,
                    (None, false) => true,
                    (Some((was_replying, _)), false) => was_replying != replying,
                };
                if changed {
                    tx.changed("presence", [ticket]);
                }
                Ok(())
            })
        })
        .await?;
    others(state, me, ticket).await
}

/// The other staff on ticket `ticket` now, replying first.
pub async fn others(state: &AppState, me: i64, ticket: i64) -> Result<Vec<PresenceView>, AppError> {
    let db = &state.db;
    let fresh = millis(state.clock.now()) - TTL_SECS * 1000;
    let rows: Vec<(String, Option<String>, bool)> = on_db!(db, pool => sqlx::query_as(
        "SELECT u.email, u.display_name, p.replying FROM ticket_presence p \
         JOIN users u ON u.id = p.user_id WHERE p.report_id = $1 AND p.user_id <> $2 \
         AND p.seen_at >= $3 ORDER BY p.replying DESC, u.email")
        .bind(ticket)
        .bind(me)
        .bind(fresh)
        .fetch_all(pool)
        .await)?;
    Ok(rows
        .into_iter()
        .map(|(email, name, replying)| PresenceView {
            who: name.unwrap_or(email),
            replying,
        })
        .collect())
}
