//! `/manager/reports?from=YYYY-MM-DD&to=YYYY-MM-DD`: the SLA report for a range of local
//! days (default: the last 30). The range form is a plain GET form, so the page works
//! the same without JavaScript; charts are SVG rendered on the server.

use super::figures::{attainment_chart, distribution_chart, volume_chart, KeyFigures};
use crate::{
    api::manager::{get_manager_report, ManagerReport, ReportTable},
    components::{
        charts::{BarChart, BarChartData},
        report_table::DataTable,
    },
    error::AppError,
    pages::failure_view,
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The manager's SLA report page.
#[component]
pub fn ManagerReportsPage() -> impl IntoView {
    let query = use_query_map();
    let range = move || {
        let q = query.read();
        (
            q.get("from").unwrap_or_default(),
            q.get("to").unwrap_or_default(),
        )
    };
    let report = Resource::new(range, |(from, to)| get_manager_report(from, to));
    view! {
        <Title text="SLA reports" />
        <Transition fallback=|| view! { <p>"Loading…"</p> }>
            {move || Suspend::new(async move {
                match report.await {
                    Ok(r) => view! { <Report r /> }.into_any(),
                    Err(e) if e.status == 422 => {
                        let (from, to) = range();
                        view! { <BadRange from to error=e /> }.into_any()
                    }
                    Err(e) => failure_view(e, "/manager/reports", "see SLA reports"),
                }
            })}
        </Transition>
    }
}

/// The range form; `error` is shown under the field it names.
#[component]
fn RangeForm(from: String, to: String, #[prop(optional)] error: Option<AppError>) -> impl IntoView {
    let message = move |field: &'static str| {
        error.as_ref().and_then(|e| e.for_field(field)).map(|m| {
            view! { <p class="field-error" id=format!("{field}-error") role="alert">{m}</p> }
        })
    };
    view! {
        <form method="get" action="/manager/reports" class="filters range" aria-label="Report range">
            <div>
                <label for="range-from">"From"</label>
                <input id="range-from" name="from" type="date" value=from aria-describedby="from-error" />
                {message("from")}
            </div>
            <div>
                <label for="range-to">"To"</label>
                <input id="range-to" name="to" type="date" value=to aria-describedby="to-error" />
                {message("to")}
            </div>
            <button type="submit">"Show report"</button>
        </form>
    }
}

#[component]
fn BadRange(from: String, to: String, error: AppError) -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(res) = use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(axum::http::StatusCode::UNPROCESSABLE_ENTITY);
    }
    view! {
        <section class="panel">
            <h1>"SLA reports"</h1>
            <RangeForm from to error />
        </section>
    }
}

#[component]
fn Report(r: ManagerReport) -> impl IntoView {
    let query = format!("from={}&to={}", r.from, r.to);
    let section = |id: &'static str, t: ReportTable| table_section(&r, &query, id, t);
    let chart = |id: &'static str, t: ReportTable, data: BarChartData| {
        chart_section(&r, &query, id, t, data)
    };
    let head = view! {
        <section class="panel">
            <h1>"SLA reports"</h1>
            <RangeForm from=r.from.clone() to=r.to.clone() />
            <p class="hint" id="range-note">
                {format!(
                    "{} to {} ({} {}), local days in the support timezone ({}), both included. \
                     Reports and tickets count on the day they were filed. As of {}.",
                    r.from,
                    r.to,
                    r.days,
                    if r.days == 1 { "day" } else { "days" },
                    r.timezone,
                    r.as_of_local
                )}
            </p>
            <KeyFigures r=r.clone() />
        </section>
    }
    .into_any();
    view! {
        {head}
        {section("sla-title", ReportTable::Attainment)}
        {chart("trend-title", ReportTable::AttainmentOverTime, attainment_chart(&r))}
        {section("times-title", ReportTable::ResponseTimes)}
        {chart("distribution-title", ReportTable::ResponseDistribution, distribution_chart(&r))}
        {section("breaches-title", ReportTable::Breaches)}
        {section("backlog-title", ReportTable::Backlog)}
        {chart("volume-title", ReportTable::VolumeByDay, volume_chart(&r))}
        {section("codes-title", ReportTable::VolumeByStatusCode)}
        {section("endpoints-title", ReportTable::VolumeByEndpoint)}
        {section("deflection-title", ReportTable::Deflection)}
        {section("articles-title", ReportTable::DeflectionByArticle)}
    }
}

/// A table of the report in a section of its own, with its note and CSV link.
fn table_section(r: &ManagerReport, query: &str, id: &'static str, t: ReportTable) -> AnyView {
    let table = r.table(t);
    view! {
        <section class="panel report-section" aria-labelledby=id>
            <h2 id=id>{table.title.clone()}</h2>
            <p class="hint">{table.note.clone()}</p>
            <DataTable table query=query.to_owned() />
        </section>
    }
    .into_any()
}

/// A chart in a section of its own; its table (and CSV link) in the chart's details.
fn chart_section(
    r: &ManagerReport,
    query: &str,
    id: &'static str,
    t: ReportTable,
    chart: BarChartData,
) -> AnyView {
    let table = r.table(t);
    view! {
        <section class="panel report-section" aria-labelledby=id>
            <h2 id=id>{table.title.clone()}</h2>
            <p class="hint">{table.note.clone()}</p>
            <BarChart chart table query=query.to_owned() />
        </section>
    }
    .into_any()
}
