//! The aggregation queries behind manager reports (PRODUCT §8), one SQL text for both
//! engines. Every query of a date range filters `created_day BETWEEN $1 AND $2`
//! (local filing days in the support timezone, stored as `YYYY-MM-DD` text) and is
//! answered from one of the covering indexes of migrations 0005 and 0020.
//!
//! The first-response outcome of a ticket (a report with a due time) at `now`:
//! - **met**: answered at or before its due time;
//! - **breached**: answered after it, or unanswered with the due time passed;
//! - **pending**: unanswered and not yet due (neither met nor breached).

use super::db::{active_status, on_db, Db};
use crate::domain::stats::AGE_BANDS;

/// Met, as a SQL condition.
const MET: &str = "(first_response_at <= due_at)";
/// Answered after the due time, as a SQL condition.
const LATE: &str = "(first_response_at > due_at)";
/// Unanswered with the due time passed at `$3`, as a SQL condition.
const OVERDUE: &str = "(first_response_at IS NULL AND due_at < $3)";
/// Breached at `$3` (late or overdue), as a SQL condition.
const BREACHED: &str =
    "(first_response_at > due_at OR (first_response_at IS NULL AND due_at < $3))";
/// Pending at `$3`, as a SQL condition.
const PENDING: &str = "(first_response_at IS NULL AND due_at >= $3)";
/// Reports answered with guidance when filed (some escalated later).
const DEFLECTED: &str = "disposition IN ('deflected', 'escalated')";

/// Counts of reports alike in filing day, disposition, status code, transport failure
/// kind, guidance feedback and re-contact flag, with their SLA outcomes at `now`.
#[derive(sqlx::FromRow, Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct GroupRow {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// `deflected`, `routed` or `escalated`.
    pub disposition: String,
    /// HTTP status code; `None` for a transport failure.
    pub status_code: Option<i64>,
    /// Transport failure kind when there was no response.
    pub transport: Option<String>,
    /// Guidance feedback of deflected reports.
    pub feedback: Option<String>,
    /// Re-filings of a deflected report (see `reports.recontact`).
    pub recontact: bool,
    /// Reports.
    pub reports: i64,
    /// Tickets among them that were answered by their due time.
    pub met: i64,
    /// … answered after it.
    pub late: i64,
    /// … unanswered and past due.
    pub overdue: i64,
    /// … unanswered and not yet due.
    pub pending: i64,
    /// The earliest due time among those pending ones (ms): until then, these counts
    /// stay true without new writes.
    pub pending_due: Option<i64>,
}

/// The reports filed in `[from, to]`, grouped (see [`GroupRow`]). One pass over the
/// range of `reports_report_day` in index order, so no sorting: the groups arrive by
/// day, and Rust rolls them up into days, status codes, dispositions and SLA scopes.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn groups(db: &Db, from: &str, to: &str, now: i64) -> Result<Vec<GroupRow>, sqlx::Error> {
    let sql = groups_sql();
    on_db!(db, pool => sqlx::query_as(&sql).bind(from).bind(to).bind(now).fetch_all(pool).await)
}

/// The SQL of [`groups`] (`$1`, `$2`: the range; `$3`: now).
pub fn groups_sql() -> String {
    format!(
        "SELECT created_day AS day, disposition, status_code, transport, feedback, \
         recontact, COUNT(*) AS reports, \
         COUNT(*) FILTER (WHERE {MET}) AS met, COUNT(*) FILTER (WHERE {LATE}) AS late, \
         COUNT(*) FILTER (WHERE {OVERDUE}) AS overdue, \
         COUNT(*) FILTER (WHERE {PENDING}) AS pending, \
         MIN(CASE WHEN {PENDING} THEN due_at END) AS pending_due \
         FROM reports WHERE created_day BETWEEN $1 AND $2 \
         GROUP BY created_day, disposition, status_code, transport, feedback, recontact"
    )
}

/// Reports of one endpoint template on one day.
#[derive(sqlx::FromRow, Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct EndpointRow {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// `/v1/orders/{id}`.
    pub endpoint_template: String,
    /// Reports filed.
    pub reports: i64,
    /// Of which answered with guidance.
    pub deflected: i64,
    /// Of which became tickets.
    pub tickets: i64,
    /// Of which tickets breached their first-response target.
    pub breached: i64,
}

/// Report counts by filing day and endpoint template (the caller adds the days up),
/// from `reports_report_day`, which carries the template after the columns of
/// [`groups`]: the database sorts the range's entries by template (covered, no table
/// reads). Per-day results are cached (`report_cache`), so this runs for changed days.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn by_endpoint(
    db: &Db,
    from: &str,
    to: &str,
    now: i64,
) -> Result<Vec<EndpointRow>, sqlx::Error> {
    let sql = by_endpoint_sql();
    on_db!(db, pool => sqlx::query_as(&sql).bind(from).bind(to).bind(now).fetch_all(pool).await)
}

/// The SQL of [`by_endpoint`] (`$1`, `$2`: the range; `$3`: now).
pub fn by_endpoint_sql() -> String {
    format!(
        "SELECT created_day AS day, endpoint_template, COUNT(*) AS reports, \
         COUNT(*) FILTER (WHERE {DEFLECTED}) AS deflected, \
         COUNT(*) FILTER (WHERE due_at IS NOT NULL) AS tickets, \
         COUNT(*) FILTER (WHERE {BREACHED}) AS breached \
         FROM reports WHERE created_day BETWEEN $1 AND $2 \
         GROUP BY created_day, endpoint_template"
    )
}

/// The first-response times of the answered tickets of one disposition (filed on one
/// day, as queried; or over a range, once added up).
#[derive(Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ResponseTimes {
    /// `YYYY-MM-DD` (empty once added up over several days).
    pub day: String,
    /// `routed` or `escalated`.
    pub disposition: String,
    /// Business seconds from routing to the first response, in no particular order.
    pub business_secs: Vec<i64>,
    /// Wall-clock milliseconds for the same tickets, in no particular order.
    pub wall_ms: Vec<i64>,
}

/// The first-response times of the tickets filed in the range that were answered, per
/// filing day and disposition. The database collects each column into one
/// comma-separated text per day and disposition (`string_agg`): a few rows instead of
/// one per ticket, which at tens of thousands of tickets is three times faster than
/// fetching rows, and far faster than ranking them in SQL (window functions or
/// `ORDER BY … OFFSET` sort the range once per percentile). The caller picks the
/// percentiles in linear time.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn response_times(
    db: &Db,
    from: &str,
    to: &str,
) -> Result<Vec<ResponseTimes>, sqlx::Error> {
    let rows: Vec<(String, String, String, String)> = on_db!(db, pool => sqlx::query_as(RESPONSE_TIMES_SQL)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)?;
    rows.into_iter()
        .map(|(day, disposition, business, wall)| {
            Ok(ResponseTimes {
                day,
                disposition,
                business_secs: parse_list(&business)?,
                wall_ms: parse_list(&wall)?,
            })
        })
        .collect()
}

/// The SQL of [`response_times`] (`$1`, `$2`: the range).
pub const RESPONSE_TIMES_SQL: &str = "SELECT created_day AS day, disposition, \
    string_agg(CAST(first_response_business_secs AS TEXT), ',') AS business, \
    string_agg(CAST(first_response_at - routed_at AS TEXT), ',') AS wall \
    FROM reports WHERE created_day BETWEEN $1 AND $2 AND due_at IS NOT NULL \
    AND first_response_at IS NOT NULL AND routed_at IS NOT NULL \
    AND first_response_business_secs IS NOT NULL GROUP BY created_day, disposition";

fn parse_list(list: &str) -> Result<Vec<i64>, sqlx::Error> {
    list.split(',')
        .map(|v| v.trim().parse::<i64>())
        .collect::<Result<_, _>>()
        .map_err(|e| sqlx::Error::Decode(Box::new(e)))
}

/// A SQL `CASE` giving the index of the band `expr` falls into (bounds ascending from 0;
/// our own constants, so formatting them into the SQL is safe).
fn band_case(expr: &str, bounds: &[(&str, i64)], scale: i64) -> String {
    let mut sql = String::from("CAST(CASE");
    for (i, (_, lower)) in bounds.iter().enumerate().skip(1).rev() {
        sql.push_str(&format!(" WHEN {expr} >= {} THEN {i}", lower * scale));
    }
    sql.push_str(" ELSE 0 END AS BIGINT)");
    sql
}

/// A ticket that missed its first-response target.
#[derive(sqlx::FromRow, Debug, Clone, PartialEq, Eq)]
pub struct BreachRow {
    /// Ticket (report) id.
    pub id: i64,
    /// HTTP method.
    pub method: String,
    /// The endpoint as reported.
    pub endpoint: String,
    /// HTTP status code; `None` for a transport failure.
    pub status_code: Option<i64>,
    /// Transport failure kind when there was no response.
    pub transport: Option<String>,
    /// `routed` or `escalated`.
    pub disposition: String,
    /// Due time (ms).
    pub due_at: i64,
    /// First public staff reply (ms), if any.
    pub first_response_at: Option<i64>,
}

/// Breached tickets filed in the range, by due time then id, at most `limit`.
/// `due_from` (ms) is a lower bound of every due time in the range (a ticket is due
/// after it is filed): with it the database walks `reports_report_breaches` in due
/// order from the range's start and stops at `limit`, instead of sorting every breach
/// of a long range.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn breaches(
    db: &Db,
    from: &str,
    to: &str,
    now: i64,
    limit: i64,
    due_from: i64,
) -> Result<Vec<BreachRow>, sqlx::Error> {
    let sql = breaches_sql();
    on_db!(db, pool => sqlx::query_as(&sql)
        .bind(from)
        .bind(to)
        .bind(now)
        .bind(limit)
        .bind(due_from)
        .fetch_all(pool)
        .await)
}

/// The SQL of [`breaches`] (`$1`, `$2`: the range; `$3`: now; `$4`: limit; `$5`: due from).
pub fn breaches_sql() -> String {
    format!(
        "SELECT id, method, endpoint, status_code, transport, disposition, due_at, \
         first_response_at FROM reports WHERE due_at >= $5 AND created_day BETWEEN $1 AND $2 \
         AND due_at IS NOT NULL AND {BREACHED} ORDER BY due_at, id LIMIT $4"
    )
}

/// Open tickets of one age band.
#[derive(sqlx::FromRow, Debug, Clone, PartialEq, Eq)]
pub struct BacklogRow {
    /// Index into `domain::stats::AGE_BANDS`.
    pub band: i64,
    /// New, open or waiting on the developer.
    pub open: i64,
    /// Of which not answered yet.
    pub unanswered: i64,
    /// Of which unanswered and past due.
    pub overdue: i64,
}

/// Every ticket open at `now` (new, open, waiting; whenever filed), by wall-clock age
/// since it was routed.
#[tracing::instrument(level = "debug", skip(db))]
pub async fn backlog(db: &Db, now: i64) -> Result<Vec<BacklogRow>, sqlx::Error> {
    let band = band_case("$1 - routed_at", &AGE_BANDS, 1000);
    let sql = format!(
        "SELECT {band} AS band, COUNT(*) AS open, \
         COUNT(*) FILTER (WHERE first_response_at IS NULL) AS unanswered, \
         COUNT(*) FILTER (WHERE first_response_at IS NULL AND due_at < $1) AS overdue \
         FROM reports WHERE due_at IS NOT NULL AND {active} \
         AND routed_at IS NOT NULL GROUP BY 1",
        active = active_status!("")
    );
    on_db!(db, pool => sqlx::query_as(&sql).bind(now).fetch_all(pool).await)
}

/// Next-reply and resolution figures: clocks stopped in `[from, to)` (ms), running now.
pub async fn clock_figures(
    db: &Db,
    from: i64,
    to: i64,
) -> Result<crate::wire::manager::ClockFigures, sqlx::Error> {
    let next: (i64, i64) = on_db!(db, pool => sqlx::query_as(NEXT_REPLIES_STOPPED_SQL)
        .bind(from)
        .bind(to)
        .fetch_one(pool)
        .await)?;
    let next_running: i64 = on_db!(db, pool => sqlx::query_scalar(
        "SELECT CAST(COUNT(*) AS BIGINT) FROM next_reply_clocks WHERE stopped_at IS NULL")
        .fetch_one(pool)
        .await)?;
    let resolved: (i64, i64, i64, i64) = on_db!(db, pool => sqlx::query_as(RESOLVED_SQL)
        .bind(from)
        .bind(to)
        .fetch_one(pool)
        .await)?;
    let open: i64 = on_db!(db, pool => sqlx::query_scalar(RESOLUTION_OPEN_SQL)
        .fetch_one(pool)
        .await)?;
    Ok(crate::wire::manager::ClockFigures {
        next_reply_met: next.0 - next.1,
        next_reply_breached: next.1,
        next_reply_running: next_running,
        resolution_met: resolved.0 - resolved.1,
        resolution_breached: resolved.1,
        resolution_open: open,
        paused_business_secs: resolved.2,
        paused_tickets: resolved.3,
    })
}

/// Next-reply clocks stopped in `[$1, $2)` (ms) and how many of them breached, read
/// from the covering `next_reply_stopped` (migration 0021).
pub const NEXT_REPLIES_STOPPED_SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT), \
     CAST(COALESCE(SUM(CASE WHEN breached THEN 1 ELSE 0 END), 0) AS BIGINT) \
     FROM next_reply_clocks WHERE stopped_at >= $1 AND stopped_at < $2";

/// Tickets resolved in `[$1, $2)` (ms): how many, breached, business seconds paused and
/// how many were paused, read from the covering `reports_resolved` (migration 0021).
pub const RESOLVED_SQL: &str = "SELECT CAST(COUNT(*) AS BIGINT), \
     CAST(COALESCE(SUM(CASE WHEN resolution_breached THEN 1 ELSE 0 END), 0) AS BIGINT), \
     CAST(COALESCE(SUM(resolution_paused_secs), 0) AS BIGINT), \
     CAST(COALESCE(SUM(CASE WHEN resolution_paused_secs > 0 THEN 1 ELSE 0 END), 0) AS BIGINT) \
     FROM reports WHERE resolved_at >= $1 AND resolved_at < $2 \
     AND resolution_target_minutes IS NOT NULL";

/// The open tickets whose resolution clock runs. A ticket's resolution target is set
/// with its routing (`routed_at`, `due_at`: the same statement, never cleared), so the
/// count reads the open tickets of `reports_report_backlog` (`routed_at` and `due_at`
/// not null, open status) and looks up only those rows; without the two terms it read
/// the whole table (~0.2 s of the manager page on the benchmark's 1.3 M reports).
pub const RESOLUTION_OPEN_SQL: &str = concat!(
    "SELECT CAST(COUNT(*) AS BIGINT) FROM reports WHERE routed_at IS NOT NULL \
     AND due_at IS NOT NULL AND ",
    active_status!(""),
    " AND resolution_target_minutes IS NOT NULL AND resolved_at IS NULL"
);

/// Guidance outcomes per article slug for reports filed on local days `[from, to]`:
/// (slug, shown, self-solved, escalated, no answer, re-contacts). Counted from
/// `reports_report_day`, which carries the slug.
pub async fn by_article(
    db: &Db,
    from: &str,
    to: &str,
) -> Result<Vec<(String, i64, i64, i64, i64, i64)>, sqlx::Error> {
    on_db!(db, pool => sqlx::query_as(BY_ARTICLE_SQL)
        .bind(from)
        .bind(to)
        .fetch_all(pool)
        .await)
}

/// The SQL of [`by_article`] (`$1`, `$2`: the range).
pub const BY_ARTICLE_SQL: &str = "SELECT guidance_slug, CAST(COUNT(*) AS BIGINT), \
         CAST(SUM(CASE WHEN feedback = 'self_solved' THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN feedback = 'escalated' THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN feedback = 'pending' THEN 1 ELSE 0 END) AS BIGINT), \
         CAST(SUM(CASE WHEN recontact THEN 1 ELSE 0 END) AS BIGINT) \
         FROM reports WHERE guidance_slug IS NOT NULL AND created_day >= $1 AND created_day <= $2 \
         GROUP BY guidance_slug";
