//! Manager reports: reads the range, runs the aggregation queries of [`reports_sql`]
//! concurrently (only those the requested tables need), and shapes the wire report.
//! Shared by the `manager_report` server function and the CSV exports.

use super::{
    db::{from_millis, millis},
    intake::failure_label,
    report_cache, reports_sql as q, settings,
    state::AppState,
};
use crate::{
    domain::{
        calendar::BusinessCalendar,
        stats::{
            band_of, day_key, percentile_of_unsorted, DateRange, Period, AGE_BANDS,
            RESPONSE_BUCKETS,
        },
        status::FailureClass,
    },
    error::AppError,
    wire::manager::{
        ArticleDeflection, BacklogBand, BreachView, CodeVolume, DayVolume, DeflectionFigures,
        EndpointVolume, ManagerReport, PeriodFigures, ReportTable, SlaFigures, ENDPOINTS_SHOWN,
    },
};
use chrono::{DateTime, Utc};
use std::{collections::BTreeMap, future::Future};

/// Builds the parts of the report that `tables` need, for the range `from`–`to`
/// (`YYYY-MM-DD`, inclusive, in the support timezone; empty for the defaults). At most
/// `breach_limit` breaches are listed (all with `None`). The queries run concurrently,
/// each on its own connection.
pub async fn build(
    state: &AppState,
    from: &str,
    to: &str,
    tables: &[ReportTable],
    breach_limit: Option<i64>,
) -> Result<ManagerReport, AppError> {
    use ReportTable as T;
    let calendar = settings::load_calendar(&state.db).await?;
    let tz = calendar.timezone();
    let now = state.clock.now();
    let range = DateRange::parse(from, to, now.with_timezone(&tz).date_naive())?;
    let (f, t) = range.as_keys();
    let (db, now_ms) = (&state.db, millis(now));
    let need = |list: &[ReportTable]| list.iter().any(|t| tables.contains(t));
    // Every due time of the range is after its ticket was filed, so after the start of
    // the day before `from` in UTC, whatever the support timezone.
    let due_from = range
        .from()
        .pred_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map_or(0, |t| t.and_utc().timestamp_millis());
    let aggregate_tables = [
        T::Attainment,
        T::AttainmentOverTime,
        T::ResponseTimes,
        T::ResponseDistribution,
        T::Breaches,
        T::VolumeByDay,
        T::VolumeByStatusCode,
        T::VolumeByEndpoint,
        T::Deflection,
    ];
    let day_start = |d: chrono::NaiveDate| {
        use chrono::TimeZone;
        let midnight = d.and_hms_opt(0, 0, 0).unwrap_or_default();
        tz.from_local_datetime(&midnight).earliest().map_or_else(
            || midnight.and_utc().timestamp_millis(),
            |t| t.timestamp_millis(),
        )
    };
    let (clocks_from, clocks_to) = (
        day_start(range.from()),
        day_start(range.to().succ_opt().unwrap_or(range.to())),
    );
    let (aggregates, breaches, backlog, clocks, articles) = tokio::try_join!(
        when(
            need(&aggregate_tables),
            report_cache::load(db, &range, now_ms)
        ),
        when(
            need(&[T::Breaches]),
            q::breaches(
                db,
                &f,
                &t,
                now_ms,
                breach_limit.unwrap_or(i64::MAX),
                due_from
            )
        ),
        when(need(&[T::Backlog]), q::backlog(db, now_ms)),
        when(
            need(&[T::Attainment]),
            q::clock_figures(db, clocks_from, clocks_to)
        ),
        when(need(&[T::DeflectionByArticle]), q::by_article(db, &f, &t)),
    )?;
    let by_article = match articles {
        Some(rows) => {
            let catalogue = super::guidance::catalogue(db).await?;
            let mut list: Vec<ArticleDeflection> = rows
                .into_iter()
                .map(
                    |(slug, shown, self_solved, escalated, no_answer, recontacts)| {
                        ArticleDeflection {
                            title: catalogue
                                .article(&slug)
                                .map_or_else(|| slug.clone(), |a| a.title.clone()),
                            slug,
                            shown,
                            self_solved,
                            escalated,
                            no_answer,
                            recontacts,
                        }
                    },
                )
                .collect();
            // The article that fails most first.
            list.sort_by(|a, b| {
                (b.escalated, b.recontacts, b.shown, &a.slug).cmp(&(
                    a.escalated,
                    a.recontacts,
                    a.shown,
                    &b.slug,
                ))
            });
            list
        }
        None => Vec::new(),
    };
    let aggregates = aggregates.unwrap_or_default();
    let groups = aggregates.groups;
    let endpoints = need(&[T::VolumeByEndpoint]).then_some(aggregates.endpoints);
    let mut times = aggregates.times;
    Ok(ManagerReport {
        from: f.clone(),
        to: t.clone(),
        days: range.days(),
        timezone: tz.name().to_owned(),
        as_of_local: local(now, &calendar),
        sla: sla_figures(&groups, &mut times),
        weekly: range.period() == Period::Week,
        trend: trend(&groups, &range),
        response_buckets: response_buckets(&times),
        breaches: breaches
            .unwrap_or_default()
            .iter()
            .map(|b| breach(b, &calendar, now))
            .collect(),
        breach_total: groups.iter().map(|g| g.late + g.overdue).sum(),
        backlog: backlog.map(|rows| backlog_bands(&rows)).unwrap_or_default(),
        by_day: by_day(&groups, &range),
        by_status_code: by_status_code(&groups),
        by_endpoint: by_endpoint(endpoints.unwrap_or_default()),
        deflection: deflection(&groups),
        clocks: clocks.unwrap_or_default(),
        by_article,
    })
}

/// Runs `query` only when `needed`.
async fn when<T, E: Into<AppError>>(
    needed: bool,
    query: impl Future<Output = Result<T, E>>,
) -> Result<Option<T>, AppError> {
    if needed {
        query.await.map(Some).map_err(Into::into)
    } else {
        Ok(None)
    }
}

/// `YYYY-MM-DD HH:MM` in the support timezone.
fn local(t: DateTime<Utc>, calendar: &BusinessCalendar) -> String {
    t.with_timezone(&calendar.timezone())
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

/// Whether a group is answered with guidance when filed (some escalated later).
fn deflected(g: &q::GroupRow) -> bool {
    g.disposition == "deflected" || g.disposition == "escalated"
}

fn sla_figures(groups: &[q::GroupRow], times: &mut [q::ResponseTimes]) -> Vec<SlaFigures> {
    let mut all = (Vec::new(), Vec::new());
    for r in times.iter() {
        all.0.extend_from_slice(&r.business_secs);
        all.1.extend_from_slice(&r.wall_ms);
    }
    ["routed", "escalated", "all"]
        .into_iter()
        .map(|scope| {
            let of_scope = groups
                .iter()
                .filter(|g| scope == "all" || g.disposition == scope);
            let mut s = SlaFigures {
                scope: scope.to_owned(),
                tickets: 0,
                met: 0,
                answered_late: 0,
                unanswered_overdue: 0,
                pending: 0,
                answered: 0,
                p50_business_secs: None,
                p90_business_secs: None,
                p50_wall_secs: None,
                p90_wall_secs: None,
            };
            for g in of_scope {
                s.met += g.met;
                s.answered_late += g.late;
                s.unanswered_overdue += g.overdue;
                s.pending += g.pending;
            }
            s.tickets = s.met + s.answered_late + s.unanswered_overdue + s.pending;
            s.answered = s.met + s.answered_late;
            let (business, wall) = match times.iter_mut().find(|r| r.disposition == scope) {
                Some(r) => (&mut r.business_secs, &mut r.wall_ms),
                None if scope == "all" => (&mut all.0, &mut all.1),
                None => return s,
            };
            s.p50_business_secs = percentile_of_unsorted(business, 50);
            s.p90_business_secs = percentile_of_unsorted(business, 90);
            s.p50_wall_secs = percentile_of_unsorted(wall, 50).map(|ms| ms.div_euclid(1000));
            s.p90_wall_secs = percentile_of_unsorted(wall, 90).map(|ms| ms.div_euclid(1000));
            s
        })
        .collect()
}

fn response_buckets(times: &[q::ResponseTimes]) -> Vec<i64> {
    let mut counts = vec![0; RESPONSE_BUCKETS.len()];
    for r in times.iter().filter(|r| r.disposition == "routed") {
        for v in &r.business_secs {
            counts[band_of(&RESPONSE_BUCKETS, *v)] += 1;
        }
    }
    counts
}

fn trend(groups: &[q::GroupRow], range: &DateRange) -> Vec<PeriodFigures> {
    let period = range.period();
    let mut periods: BTreeMap<String, PeriodFigures> = BTreeMap::new();
    for day in range.each_day() {
        let start = day_key(period.start_of(day, range));
        periods.entry(start.clone()).or_insert(PeriodFigures {
            start,
            met: 0,
            breached: 0,
            pending: 0,
        });
    }
    for g in groups.iter().filter(|g| g.disposition == "routed") {
        let Ok(day) = g.day.parse() else { continue };
        if let Some(p) = periods.get_mut(&day_key(period.start_of(day, range))) {
            p.met += g.met;
            p.breached += g.late + g.overdue;
            p.pending += g.pending;
        }
    }
    periods.into_values().collect()
}

fn by_day(groups: &[q::GroupRow], range: &DateRange) -> Vec<DayVolume> {
    let mut days: BTreeMap<String, DayVolume> = range
        .each_day()
        .map(|d| {
            let day = day_key(d);
            let volume = DayVolume {
                day: day.clone(),
                reports: 0,
                deflected: 0,
                escalated: 0,
                routed: 0,
            };
            (day, volume)
        })
        .collect();
    for g in groups {
        if let Some(d) = days.get_mut(&g.day) {
            d.reports += g.reports;
            d.deflected += if deflected(g) { g.reports } else { 0 };
            d.escalated += if g.disposition == "escalated" {
                g.reports
            } else {
                0
            };
            d.routed += if g.disposition == "routed" {
                g.reports
            } else {
                0
            };
        }
    }
    days.into_values().collect()
}

fn deflection(groups: &[q::GroupRow]) -> DeflectionFigures {
    let count = |f: &dyn Fn(&q::GroupRow) -> bool| -> i64 {
        groups.iter().filter(|g| f(g)).map(|g| g.reports).sum()
    };
    let feedback =
        |value: &'static str| move |g: &q::GroupRow| g.feedback.as_deref() == Some(value);
    DeflectionFigures {
        reports: count(&|_| true),
        deflected: count(&deflected),
        routed: count(&|g| g.disposition == "routed"),
        self_solved: count(&feedback("self_solved")),
        escalated: count(&feedback("escalated")),
        no_answer: count(&feedback("pending")),
        recontacts: count(&|g| g.recontact),
    }
}

fn breach(b: &q::BreachRow, calendar: &BusinessCalendar, now: DateTime<Utc>) -> BreachView {
    let due = from_millis(b.due_at);
    let until = b.first_response_at.map_or(now, from_millis);
    BreachView {
        id: b.id,
        method: b.method.clone(),
        endpoint: b.endpoint.clone(),
        failure: failure_label(b.status_code, b.transport.as_deref()),
        disposition: b.disposition.clone(),
        due_local: local(due, calendar),
        answered_local: b.first_response_at.map(|t| local(from_millis(t), calendar)),
        late_secs: (until - due).num_seconds(),
        late_business_secs: calendar.business_seconds_between(due, until),
    }
}

fn backlog_bands(rows: &[q::BacklogRow]) -> Vec<BacklogBand> {
    AGE_BANDS
        .iter()
        .enumerate()
        .map(|(i, (label, _))| {
            let of_band = rows.iter().filter(|r| r.band == i as i64);
            let mut band = BacklogBand {
                band: (*label).to_owned(),
                open: 0,
                unanswered: 0,
                overdue: 0,
            };
            for r in of_band {
                band.open += r.open;
                band.unanswered += r.unanswered;
                band.overdue += r.overdue;
            }
            band
        })
        .collect()
}

/// Orders status codes first, then transport failures (no code) by kind.
type CodeKey = (bool, Option<i64>, Option<String>);

fn by_status_code(groups: &[q::GroupRow]) -> Vec<CodeVolume> {
    // (code, transport) → (reports, tickets).
    let mut codes: BTreeMap<CodeKey, (i64, i64)> = BTreeMap::new();
    for g in groups {
        let key = (g.status_code.is_none(), g.status_code, g.transport.clone());
        let entry = codes.entry(key).or_default();
        entry.0 += g.reports;
        entry.1 += g.met + g.late + g.overdue + g.pending;
    }
    let mut rows: Vec<_> = codes.into_iter().collect();
    // Most reports first; the map's order breaks ties.
    rows.sort_by_key(|(_, (reports, _))| std::cmp::Reverse(*reports));
    rows.into_iter()
        .map(|((_, code, transport), (reports, tickets))| {
            let class = match code {
                Some(400..=499) => FailureClass::ClientError,
                Some(_) => FailureClass::ServerError,
                None => FailureClass::TransportFailure,
            };
            CodeVolume {
                failure: failure_label(code, transport.as_deref()),
                class: class.label().to_owned(),
                reports,
                tickets,
            }
        })
        .collect()
}

fn by_endpoint(rows: Vec<q::EndpointRow>) -> Vec<EndpointVolume> {
    // The rows are per day and template: add the days up.
    let mut templates: BTreeMap<String, EndpointVolume> = BTreeMap::new();
    for r in rows {
        let e = templates
            .entry(r.endpoint_template.clone())
            .or_insert_with(|| EndpointVolume {
                endpoint: r.endpoint_template,
                reports: 0,
                deflected: 0,
                tickets: 0,
                breached: 0,
            });
        e.reports += r.reports;
        e.deflected += r.deflected;
        e.tickets += r.tickets;
        e.breached += r.breached;
    }
    let mut out: Vec<EndpointVolume> = templates.into_values().collect();
    // Most reports first; ties stay in template order.
    out.sort_by_key(|e| std::cmp::Reverse(e.reports));
    let rest = out.split_off(out.len().min(ENDPOINTS_SHOWN));
    if !rest.is_empty() {
        out.push(EndpointVolume {
            endpoint: format!("All {} other endpoints", rest.len()),
            reports: rest.iter().map(|r| r.reports).sum(),
            deflected: rest.iter().map(|r| r.deflected).sum(),
            tickets: rest.iter().map(|r| r.tickets).sum(),
            breached: rest.iter().map(|r| r.breached).sum(),
        });
    }
    out
}
