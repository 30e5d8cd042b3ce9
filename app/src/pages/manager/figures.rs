//! The report's charts (what they draw, and the same data in words) and its key
//! figures.

use crate::{
    api::manager::ManagerReport,
    components::charts::{BarChartData, BarSeries},
    domain::stats::{attainment_pct, fmt_hours, fmt_pct, ratio_pct, RESPONSE_BUCKETS},
};
use leptos::prelude::*;

/// `YYYY-MM-DD` → `MM-DD` for axis labels.
fn short_day(day: &str) -> String {
    day.get(5..).unwrap_or(day).to_owned()
}

/// Routed-ticket attainment per day or week.
pub fn attainment_chart(r: &ManagerReport) -> BarChartData {
    let unit = if r.weekly { "week" } else { "day" };
    let values: Vec<Option<f64>> = r
        .trend
        .iter()
        .map(|p| attainment_pct(p.met, p.breached))
        .collect();
    let decided: Vec<(usize, f64)> = values
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    let label = |(i, v): (usize, f64)| format!("{} % ({})", fmt_pct(Some(v)), r.trend[i].start);
    let lowest = decided
        .iter()
        .copied()
        .reduce(|a, b| if b.1 < a.1 { b } else { a });
    let highest = decided
        .iter()
        .copied()
        .reduce(|a, b| if b.1 > a.1 { b } else { a });
    let desc = match (lowest.map(label), highest.map(label)) {
        (Some(low), Some(high)) => format!(
            "Share of routed tickets answered within their target, per {unit}, {} to {}. \
             {} of {} {unit}s have decided tickets; lowest {low}, highest {high}.",
            r.from,
            r.to,
            decided.len(),
            values.len()
        ),
        _ => format!(
            "No routed ticket filed from {} to {} has been answered or breached yet.",
            r.from, r.to
        ),
    };
    BarChartData {
        id: "chart-attainment",
        title: format!("SLA attainment per {unit} (routed tickets)"),
        desc,
        x_label: if r.weekly { "Week from" } else { "Day filed" }.to_owned(),
        y_label: "Attainment %".to_owned(),
        categories: r.trend.iter().map(|p| p.start.clone()).collect(),
        ticks: r.trend.iter().map(|p| short_day(&p.start)).collect(),
        series: vec![BarSeries {
            name: "Attainment".to_owned(),
            class: "met",
            values,
        }],
        y_max: Some(100.0),
        unit: " %",
    }
}

/// Reports per day, stacked by what happened to them.
pub fn volume_chart(r: &ManagerReport) -> BarChartData {
    let total: i64 = r.by_day.iter().map(|d| d.reports).sum();
    let busiest = r
        .by_day
        .iter()
        .max_by_key(|d| (d.reports, std::cmp::Reverse(d.day.clone())))
        .filter(|d| d.reports > 0);
    let desc = match busiest {
        Some(b) => format!(
            "Reports filed per day, {} to {}: {total} in all, {} routed to support, {} \
             deflected with guidance (of which {} escalated). Busiest day {} with {}.",
            r.from,
            r.to,
            r.deflection.routed,
            r.deflection.deflected,
            r.deflection.escalated,
            b.day,
            b.reports
        ),
        None => format!("No reports were filed from {} to {}.", r.from, r.to),
    };
    let series = |name: &str, class, f: fn(&crate::api::manager::DayVolume) -> i64| BarSeries {
        name: name.to_owned(),
        class,
        values: r.by_day.iter().map(|d| Some(f(d) as f64)).collect(),
    };
    BarChartData {
        id: "chart-volume",
        title: "Reports per day".to_owned(),
        desc,
        x_label: "Day filed".to_owned(),
        y_label: "Reports".to_owned(),
        categories: r.by_day.iter().map(|d| d.day.clone()).collect(),
        ticks: r.by_day.iter().map(|d| short_day(&d.day)).collect(),
        series: vec![
            series("Routed", "routed", |d| d.routed),
            series("Deflected, then escalated", "escalated", |d| d.escalated),
            series("Deflected", "deflected", |d| d.deflected - d.escalated),
        ],
        y_max: None,
        unit: "",
    }
}

/// How long routed tickets waited for their first response, in business hours.
pub fn distribution_chart(r: &ManagerReport) -> BarChartData {
    let total: i64 = r.response_buckets.iter().sum();
    let within: i64 = RESPONSE_BUCKETS
        .iter()
        .zip(&r.response_buckets)
        .filter(|((_, lower), _)| *lower < 8 * 3600)
        .map(|(_, n)| n)
        .sum();
    let desc = if total > 0 {
        format!(
            "{total} answered routed tickets filed {} to {}: {} % got their first response \
             within 8 business hours. {}",
            r.from,
            r.to,
            fmt_pct(ratio_pct(within, total)),
            RESPONSE_BUCKETS
                .iter()
                .zip(&r.response_buckets)
                .map(|((label, _), n)| format!("{label}: {n}."))
                .collect::<Vec<_>>()
                .join(" ")
        )
    } else {
        format!(
            "No routed ticket filed from {} to {} has been answered yet.",
            r.from, r.to
        )
    };
    BarChartData {
        id: "chart-distribution",
        title: "First-response time distribution (routed tickets)".to_owned(),
        desc,
        x_label: "Business hours to first response".to_owned(),
        y_label: "Tickets".to_owned(),
        categories: RESPONSE_BUCKETS
            .iter()
            .map(|(l, _)| (*l).to_owned())
            .collect(),
        ticks: RESPONSE_BUCKETS
            .iter()
            .map(|(l, _)| (*l).to_owned())
            .collect(),
        series: vec![BarSeries {
            name: "Tickets".to_owned(),
            class: "routed",
            values: r.response_buckets.iter().map(|n| Some(*n as f64)).collect(),
        }],
        y_max: None,
        unit: "",
    }
}

/// The headline numbers above the tables.
#[component]
pub fn KeyFigures(
    /// The report.
    r: ManagerReport,
) -> impl IntoView {
    let routed = r.sla.iter().find(|s| s.scope == "routed").cloned();
    let d = &r.deflection;
    let attainment = routed.as_ref().map_or_else(
        || "—".to_owned(),
        |s| match s.attainment_pct() {
            Some(p) => format!("{} %", fmt_pct(Some(p))),
            None => "—".to_owned(),
        },
    );
    let outcome = routed.as_ref().map_or_else(String::new, |s| {
        format!(
            "{} met · {} breached · {} pending (not yet due, not counted)",
            s.met,
            s.breached(),
            s.pending
        )
    });
    let times = |a: Option<i64>, b: Option<i64>| format!("{} h / {} h", fmt_hours(a), fmt_hours(b));
    let (business, wall) = routed.as_ref().map_or_else(
        || ("—".to_owned(), "—".to_owned()),
        |s| {
            (
                times(s.p50_business_secs, s.p90_business_secs),
                times(s.p50_wall_secs, s.p90_wall_secs),
            )
        },
    );
    let rate = |part: i64, whole: i64| format!("{} %", fmt_pct(ratio_pct(part, whole)));
    let c = r.clocks;
    let pct =
        |p: Option<f64>| p.map_or_else(|| "—".to_owned(), |p| format!("{} %", fmt_pct(Some(p))));
    let paused = crate::domain::sla::format_business_duration(c.paused_business_secs);
    view! {
        <dl class="kpis" aria-label="Key figures">
            <div class="kpi">
                <dt>"SLA attainment (routed tickets)"</dt>
                <dd data-kpi="attainment">{attainment}</dd>
                <dd class="hint">{outcome}</dd>
            </div>
            <div class="kpi">
                <dt>"First response p50 / p90, business hours"</dt>
                <dd data-kpi="business">{business}</dd>
            </div>
            <div class="kpi">
                <dt>"First response p50 / p90, wall-clock hours"</dt>
                <dd data-kpi="wall">{wall}</dd>
            </div>
            <div class="kpi">
                <dt>"Next-reply attainment"</dt>
                <dd data-kpi="next-reply">{pct(c.next_reply_pct())}</dd>
                <dd class="hint">{format!(
                    "{} met · {} breached · {} owed now",
                    c.next_reply_met, c.next_reply_breached, c.next_reply_running
                )}</dd>
            </div>
            <div class="kpi">
                <dt>"Resolution attainment"</dt>
                <dd data-kpi="resolution">{pct(c.resolution_pct())}</dd>
                <dd class="hint">{format!(
                    "{} met · {} breached · {} open now",
                    c.resolution_met, c.resolution_breached, c.resolution_open
                )}</dd>
            </div>
            <div class="kpi">
                <dt>"Time paused, waiting on developers"</dt>
                <dd data-kpi="paused">{paused}</dd>
                <dd class="hint">{format!(
                    "business time, {} of the resolved tickets waited",
                    c.paused_tickets
                )}</dd>
            </div>
            <div class="kpi">
                <dt>"Reports filed"</dt>
                <dd data-kpi="reports">{d.reports}</dd>
                <dd class="hint">{format!("{} breaches", r.breach_total)}</dd>
            </div>
            <div class="kpi">
                <dt>"Deflection rate"</dt>
                <dd data-kpi="deflection">{rate(d.deflected, d.reports)}</dd>
                <dd class="hint">{format!("{} deflected, {} routed", d.deflected, d.routed)}</dd>
            </div>
            <div class="kpi">
                <dt>"Re-contact rate"</dt>
                <dd data-kpi="recontact">{rate(d.recontacts, d.deflected)}</dd>
                <dd class="hint">{format!("{} of {} deflected reports", d.recontacts, d.deflected)}</dd>
            </div>
        </dl>
    }
}
