//! Per-day aggregates for manager reports, cached so that long ranges stay fast.
//!
//! A report over a range needs, per local filing day, the grouped counts, the counts by
//! endpoint template and the first-response times ([`reports_sql`]). Those of a day are
//! stored in `report_day_cache` with the day's version from `report_day_versions`
//! (bumped by a trigger in every transaction that inserts or updates a report of that
//! day). A cached day is used while
//! - its version is unchanged (the version is read *before* the aggregates are
//!   computed, so cached figures are never older than the version they carry), and
//! - no pending ticket of that day has passed its due time since (`valid_until`, the
//!   earliest such due time), and the clock has not gone back (`computed_at`).
//!
//! Other days are computed from the reports (one query per run of consecutive stale
//! days) and stored. A range over a year of a busy desk then reads ~366 small rows
//! instead of a million index entries.

use super::{
    db::{on_db, on_tx, Db},
    reports_sql::{self as q, EndpointRow, GroupRow, ResponseTimes},
};
use crate::error::AppError;
use std::collections::BTreeMap;

/// The aggregates of a range, in the shapes [`super::manager_report`] rolls up.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RangeAggregates {
    /// Grouped counts, per day.
    pub groups: Vec<GroupRow>,
    /// Counts per day and endpoint template.
    pub endpoints: Vec<EndpointRow>,
    /// Response times per disposition, over the whole range (`day` empty).
    pub times: Vec<ResponseTimes>,
}

#[derive(sqlx::FromRow)]
struct CachedDay {
    day: String,
    version: i64,
    valid_until: Option<i64>,
    computed_at: i64,
    groups: String,
    endpoints: String,
    times: String,
}

/// One day's aggregates, as cached.
#[derive(Debug, Default)]
struct Day {
    groups: Vec<GroupRow>,
    endpoints: Vec<EndpointRow>,
    times: Vec<ResponseTimes>,
}

/// The aggregates of the reports filed on local days `from`..=`to` (`YYYY-MM-DD`) at
/// `now` (ms), from the cache where it is current.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn load(db: &Db, from: &str, to: &str, now: i64) -> Result<RangeAggregates, AppError> {
    let versions: Vec<(String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT day, version FROM report_day_versions WHERE day BETWEEN $1 AND $2 ORDER BY day")
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?;
    let cached: Vec<CachedDay> = on_db!(db, pool => sqlx::query_as(
        "SELECT day, version, valid_until, computed_at, groups, endpoints, times \
         FROM report_day_cache WHERE day BETWEEN $1 AND $2")
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?;
    let mut cached: BTreeMap<String, CachedDay> =
        cached.into_iter().map(|c| (c.day.clone(), c)).collect();

    let mut days: BTreeMap<String, Day> = BTreeMap::new();
    // Runs of consecutive stale days (consecutive among days that have reports).
    let mut runs: Vec<Vec<(String, i64)>> = Vec::new();
    let mut in_run = false;
    for (day, version) in versions {
        let current = cached.remove(&day).filter(|c| {
            c.version == version
                && c.computed_at <= now
                && c.valid_until.is_none_or(|until| now <= until)
        });
        match current.and_then(|c| decode(&c).ok()) {
            Some(d) => {
                days.insert(day, d);
                in_run = false;
            }
            None => {
                if !in_run {
                    runs.push(Vec::new());
                    in_run = true;
                }
                if let Some(run) = runs.last_mut() {
                    run.push((day, version));
                }
            }
        }
    }

    let mut fresh: Vec<(String, i64, Day)> = Vec::new();
    for run in &runs {
        let (Some((first, _)), Some((last, _))) = (run.first(), run.last()) else {
            continue;
        };
        let (groups, endpoints, times) = tokio::try_join!(
            q::groups(db, first, last, now),
            q::by_endpoint(db, first, last, now),
            q::response_times(db, first, last),
        )?;
        let mut per_day: BTreeMap<String, Day> = run
            .iter()
            .map(|(d, _)| (d.clone(), Day::default()))
            .collect();
        for g in groups {
            per_day.entry(g.day.clone()).or_default().groups.push(g);
        }
        for e in endpoints {
            per_day.entry(e.day.clone()).or_default().endpoints.push(e);
        }
        for t in times {
            per_day.entry(t.day.clone()).or_default().times.push(t);
        }
        for (day, version) in run {
            if let Some(d) = per_day.remove(day) {
                fresh.push((day.clone(), *version, d));
            }
        }
    }
    store(db, &fresh, now).await?;
    for (day, _, d) in fresh {
        days.insert(day, d);
    }

    let mut out = RangeAggregates::default();
    let mut times: BTreeMap<String, ResponseTimes> = BTreeMap::new();
    for (_, d) in days {
        out.groups.extend(d.groups);
        out.endpoints.extend(d.endpoints);
        for t in d.times {
            let all = times
                .entry(t.disposition.clone())
                .or_insert_with(|| ResponseTimes {
                    day: String::new(),
                    disposition: t.disposition.clone(),
                    ..Default::default()
                });
            all.business_secs.extend(t.business_secs);
            all.wall_ms.extend(t.wall_ms);
        }
    }
    out.times = times.into_values().collect();
    Ok(out)
}

fn decode(c: &CachedDay) -> Result<Day, serde_json::Error> {
    Ok(Day {
        groups: serde_json::from_str(&c.groups)?,
        endpoints: serde_json::from_str(&c.endpoints)?,
        times: serde_json::from_str(&c.times)?,
    })
}

/// Stores freshly computed days. Concurrent reports may store the same day; the last
/// write wins and both are right for the version they carry.
async fn store(db: &Db, days: &[(String, i64, Day)], now: i64) -> Result<(), AppError> {
    if days.is_empty() {
        return Ok(());
    }
    let rows: Vec<(String, i64, Option<i64>, String, String, String)> = days
        .iter()
        .map(|(day, version, d)| {
            let valid_until = d.groups.iter().filter_map(|g| g.pending_due).min();
            (
                day.clone(),
                *version,
                valid_until,
                serde_json::to_string(&d.groups).unwrap_or_else(|_| "[]".into()),
                serde_json::to_string(&d.endpoints).unwrap_or_else(|_| "[]".into()),
                serde_json::to_string(&d.times).unwrap_or_else(|_| "[]".into()),
            )
        })
        .collect();
    db.write(move |tx| {
        Box::pin(async move {
            for chunk in rows.chunks(100) {
                on_tx!(tx, c => {
                    let mut q = sqlx::QueryBuilder::new(
                    "INSERT INTO report_day_cache (day, version, valid_until, groups, endpoints, times, computed_at) ",
                );
                q.push_values(chunk, |mut b, r| {
                    b.push_bind(&r.0)
                        .push_bind(r.1)
                        .push_bind(r.2)
                        .push_bind(&r.3)
                        .push_bind(&r.4)
                        .push_bind(&r.5)
                        .push_bind(now);
                });
                q.push(
                    " ON CONFLICT (day) DO UPDATE SET version = excluded.version, \
                     valid_until = excluded.valid_until, groups = excluded.groups, \
                     endpoints = excluded.endpoints, times = excluded.times, \
                     computed_at = excluded.computed_at",
                );
                    q.build().execute(&mut *c).await.map(|r| r.rows_affected())
                })?;
            }
            Ok(())
        })
    })
    .await
}
