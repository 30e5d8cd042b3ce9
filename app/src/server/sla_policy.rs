//! The SLA policy (PRODUCT §5): managers set the first-response target per priority, the
//! next-reply and resolution targets, the at-risk threshold and the pause switch; every version is kept (who, when). Clocks read the newest
//! from this instance's cache, which a change drops on every instance (it travels with
//! the calendar's invalidation: both are "when is support due").

use super::{
    cache::CacheKind,
    db::{from_millis, millis, on_db, on_tx, Db},
    state::AppState,
};
use crate::{
    domain::{
        sla_policy::{SlaPolicy, Target},
        timefmt::format_local,
    },
    error::AppError,
    wire::{auth::CurrentUser, settings::PolicyVersion},
};
use std::sync::Arc;

#[derive(sqlx::FromRow)]
struct PolicyRow {
    first_response_normal: String,
    first_response_low: String,
    at_risk_percent: i32,
    next_reply: String,
    resolution: String,
    pause_when_waiting: bool,
    created_at: i64,
    email: Option<String>,
}

impl PolicyRow {
    fn policy(&self) -> Result<SlaPolicy, AppError> {
        let target = |s: &str| {
            Target::parse(s).map_err(|e| super::error::unexpected("stored SLA target invalid", e))
        };
        Ok(SlaPolicy {
            normal: target(&self.first_response_normal)?,
            low: target(&self.first_response_low)?,
            at_risk_percent: i64::from(self.at_risk_percent),
            next_reply: target(&self.next_reply)?,
            resolution: target(&self.resolution)?,
            pause_when_waiting: self.pause_when_waiting,
        })
    }
}

const COLUMNS: &str = "p.first_response_normal, p.first_response_low, p.at_risk_percent, \
                       p.next_reply, p.resolution, p.pause_when_waiting, p.created_at, u.email";

/// Reads the policy in force from the database (the default if none is stored).
#[tracing::instrument(level = "debug", skip_all)]
pub async fn read(db: &Db) -> Result<SlaPolicy, AppError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sla_policies p LEFT JOIN users u ON u.id = p.created_by \
         ORDER BY p.id DESC LIMIT 1"
    );
    let row: Option<PolicyRow> =
        on_db!(db, pool => sqlx::query_as(&sql).fetch_optional(pool).await)?;
    row.map_or_else(|| Ok(SlaPolicy::default()), |r| r.policy())
}

/// The policy in force (from this instance's cache).
pub async fn current(db: &Db) -> Result<Arc<SlaPolicy>, AppError> {
    db.hub().caches.policy(db).await
}

/// Every version, newest first, with who made it, times in `tz`.
pub async fn history(db: &Db, tz: &str) -> Result<Vec<PolicyVersion>, AppError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM sla_policies p LEFT JOIN users u ON u.id = p.created_by \
         ORDER BY p.id DESC LIMIT 100"
    );
    let rows: Vec<PolicyRow> = on_db!(db, pool => sqlx::query_as(&sql).fetch_all(pool).await)?;
    rows.iter()
        .map(|r| {
            let p = r.policy()?;
            Ok(PolicyVersion {
                normal: p.normal.to_string(),
                low: p.low.to_string(),
                at_risk_percent: p.at_risk_percent,
                next_reply: p.next_reply.to_string(),
                resolution: p.resolution.to_string(),
                pause_when_waiting: p.pause_when_waiting,
                since_local: if r.created_at == 0 {
                    "installation".to_owned()
                } else {
                    format_local(from_millis(r.created_at), tz)
                },
                by: r.email.clone().unwrap_or_else(|| "default".to_owned()),
            })
        })
        .collect()
}

/// Puts a new policy in force from now on (already checked). Clocks running keep
/// their due times.
pub async fn save(
    state: &AppState,
    actor: &CurrentUser,
    policy: SlaPolicy,
) -> Result<(), AppError> {
    let now = state.clock.now();
    let actor = actor.id;
    state
        .db
        .write(move |tx| {
            Box::pin(async move {
                on_tx!(tx, c => sqlx::query(
                    "INSERT INTO sla_policies (first_response_normal, first_response_low, \
                     at_risk_percent, created_at, created_by, next_reply, resolution, \
                     pause_when_waiting) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
                    .bind(policy.normal.to_string())
                    .bind(policy.low.to_string())
                    .bind(i32::try_from(policy.at_risk_percent).unwrap_or(25))
                    .bind(millis(now))
                    .bind(actor)
                    .bind(policy.next_reply.to_string())
                    .bind(policy.resolution.to_string())
                    .bind(policy.pause_when_waiting)
                    .execute(&mut *c)
                    .await
                    .map(|r| r.rows_affected()))?;
                tx.stale(CacheKind::Calendar);
                Ok(())
            })
        })
        .await
}
