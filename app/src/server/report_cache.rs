//! Per-day aggregates for manager reports, cached so that long ranges stay fast.
//!
//! A report over a range needs, per local filing day, the grouped counts, the counts by
//! endpoint template and the first-response times ([`reports_sql`]). Those of a
//! *settled* day are stored in `report_day_cache` with the day's version from
//! `report_day_versions`. A day is settled once it ended in every time zone well before
//! the oldest report that may still be filed: a filing is stamped with the time it is
//! made, so no report filed from then on belongs to a settled day, and filings need not
//! touch the versions (migration 0022). What can still change a settled day bumps its
//! version, by trigger in the same transaction: any update of one of its reports, and a
//! report inserted backdated by more than [`BACKDATED_MS`]. A cached day is used while
//! - it was computed after it had settled, and its version is unchanged (the version is
//!   read *before* the aggregates are computed, so cached figures are never older than
//!   the version they carry), and
//! - no pending ticket of that day has passed its due time since (`valid_until`, the
//!   earliest such due time), and the clock has not gone back (`computed_at`).
//!
//! Other days (the last few, always; settled days not cached or stale) are computed from
//! the reports (one query per run of consecutive such days), and settled ones stored. A
//! range over a year of a busy desk then reads ~366 small rows instead of a million
//! index entries.
//!
//! Settled, with its margins: a report the insert trigger lets pass is at most
//! [`BACKDATED_MS`] (an hour) older than its statement; a local day ends at most 12 h
//! after the UTC midnight that ends the same date (UTC-12 is the westernmost zone). A day
//! before the UTC date of 15 h ago ([`settled_before`]) therefore ended everywhere at
//! least 3 h ago, and any report of it the trigger let pass was inserted at least 2 h
//! ago: far longer than a filing's transaction, or than the clocks of the server and the
//! database can disagree. So at most the last two days are computed every time.

use super::{
    db::{on_db, on_tx, Db},
    reports_sql::{self as q, EndpointRow, GroupRow, ResponseTimes},
};
use crate::{
    domain::stats::{day_key, DateRange},
    error::AppError,
};
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

/// A report inserted with a `created_at` older than this (ms) before its statement
/// bumps its day's version (migrations 0022: the insert trigger's `WHEN`).
pub const BACKDATED_MS: i64 = 3_600_000;

/// Days (`YYYY-MM-DD`) before this one are settled at `now` (ms): the UTC date of 15 h
/// ago (12 h for the westernmost zone, [`BACKDATED_MS`], and 2 h to spare; see the
/// module's notes).
pub fn settled_before(now: i64) -> String {
    let back = now.saturating_sub(12 * 3_600_000 + BACKDATED_MS + 2 * 3_600_000);
    day_key(
        chrono::DateTime::from_timestamp_millis(back)
            .unwrap_or_default()
            .date_naive(),
    )
}

/// The aggregates of the reports filed on the local days of `range` at `now` (ms), from
/// the cache where it is current.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn load(db: &Db, range: &DateRange, now: i64) -> Result<RangeAggregates, AppError> {
    let (from, to) = range.as_keys();
    let versions: Vec<(String, i64)> = on_db!(db, pool => sqlx::query_as(
        "SELECT day, version FROM report_day_versions WHERE day BETWEEN $1 AND $2 ORDER BY day")
        .bind(&from)
        .bind(&to)
        .fetch_all(pool)
        .await)?;
    let versions: BTreeMap<String, i64> = versions.into_iter().collect();
    let cached: Vec<CachedDay> = on_db!(db, pool => sqlx::query_as(
        "SELECT day, version, valid_until, computed_at, groups, endpoints, times \
         FROM report_day_cache WHERE day BETWEEN $1 AND $2")
        .bind(&from)
        .bind(&to)
        .fetch_all(pool)
        .await)?;
    let mut cached: BTreeMap<String, CachedDay> =
        cached.into_iter().map(|c| (c.day.clone(), c)).collect();

    let settled = settled_before(now);
    let mut days: BTreeMap<String, Day> = BTreeMap::new();
    // Runs of consecutive days to compute: (day, its version, whether it is settled).
    let mut runs: Vec<Vec<(String, i64, bool)>> = Vec::new();
    let mut in_run = false;
    for day in range.each_day().map(day_key) {
        // A day without a version row has had no report updated or backdated into it.
        let version = versions.get(&day).copied().unwrap_or(0);
        let is_settled = day < settled;
        let current = cached.remove(&day).filter(|c| {
            is_settled
                && c.version == version
                && day < settled_before(c.computed_at)
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
                    run.push((day, version, is_settled));
                }
            }
        }
    }

    let mut fresh: Vec<(String, i64, Day)> = Vec::new();
    for run in &runs {
        let (Some((first, ..)), Some((last, ..))) = (run.first(), run.last()) else {
            continue;
        };
        let (groups, endpoints, times) = tokio::try_join!(
            q::groups(db, first, last, now),
            q::by_endpoint(db, first, last, now),
            q::response_times(db, first, last),
        )?;
        let mut per_day: BTreeMap<String, Day> = run
            .iter()
            .map(|(d, ..)| (d.clone(), Day::default()))
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
        for (day, version, is_settled) in run {
            let d = per_day.remove(day).unwrap_or_default();
            if *is_settled {
                fresh.push((day.clone(), *version, d));
            } else {
                days.insert(day.clone(), d);
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

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{NaiveDate, TimeZone};

    fn at(s: &str) -> i64 {
        chrono::DateTime::parse_from_rfc3339(s)
            .unwrap()
            .timestamp_millis()
    }

    #[test]
    fn a_day_settles_at_15_utc_the_day_after() {
        assert_eq!(settled_before(at("2026-11-25T14:59:59Z")), "2026-11-24");
        assert_eq!(settled_before(at("2026-11-25T15:00:00Z")), "2026-11-25");
    }

    /// In every zone of the time-zone database, a local day has ended at least
    /// `BACKDATED_MS` + 2 h before it counts as settled, in winter and in summer.
    #[test]
    fn every_zone_has_ended_its_day_well_before_it_settles() {
        for day in ["2026-01-15", "2026-07-15", "2026-03-29", "2026-10-25"] {
            let d = NaiveDate::parse_from_str(day, "%Y-%m-%d").unwrap();
            let next = d.succ_opt().unwrap().and_hms_opt(0, 0, 0).unwrap();
            // The first instant at which `day` is settled.
            let settles = (next.and_utc() + chrono::Duration::hours(15)).timestamp_millis();
            assert!(day < settled_before(settles).as_str());
            assert!(day >= settled_before(settles - 1).as_str());
            for tz in chrono_tz::TZ_VARIANTS {
                // The local midnight that ends the day (the later one if it repeats;
                // an hour on if midnight is skipped).
                let end = tz
                    .from_local_datetime(&next)
                    .latest()
                    .or_else(|| {
                        tz.from_local_datetime(&(next + chrono::Duration::hours(1)))
                            .latest()
                    })
                    .unwrap()
                    .timestamp_millis();
                assert!(
                    end + BACKDATED_MS + 2 * 3_600_000 <= settles,
                    "{tz}: {day} ends too late"
                );
            }
        }
    }
}
