//! Wire types of the manager area: what pages, server functions and the store exchange.

pub mod tables;

use serde::{Deserialize, Serialize};
pub use tables::Table;

/// Every table of the report, in page order. Each downloads as
/// `/manager/reports/<slug>.csv?from=…&to=…`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub enum ReportTable {
    /// SLA attainment per scope (routed, escalated, all tickets).
    Attainment,
    /// Attainment per day or week.
    AttainmentOverTime,
    /// First-response time percentiles.
    ResponseTimes,
    /// Distribution of business first-response times (routed tickets).
    ResponseDistribution,
    /// Tickets that missed their target.
    Breaches,
    /// Open tickets by age.
    Backlog,
    /// Reports per day.
    VolumeByDay,
    /// Reports per status code.
    VolumeByStatusCode,
    /// Reports per endpoint template.
    VolumeByEndpoint,
    /// Deflected vs routed, guidance outcomes, re-contacts.
    Deflection,
    /// The same per guidance article: which article fails.
    DeflectionByArticle,
}

impl ReportTable {
    /// Every table, in page order.
    pub const ALL: [ReportTable; 11] = [
        ReportTable::Attainment,
        ReportTable::AttainmentOverTime,
        ReportTable::ResponseTimes,
        ReportTable::ResponseDistribution,
        ReportTable::Breaches,
        ReportTable::Backlog,
        ReportTable::VolumeByDay,
        ReportTable::VolumeByStatusCode,
        ReportTable::VolumeByEndpoint,
        ReportTable::Deflection,
        ReportTable::DeflectionByArticle,
    ];

    /// The name in the CSV path and file name.
    pub fn slug(self) -> &'static str {
        match self {
            ReportTable::Attainment => "attainment",
            ReportTable::AttainmentOverTime => "attainment_over_time",
            ReportTable::ResponseTimes => "response_times",
            ReportTable::ResponseDistribution => "response_distribution",
            ReportTable::Breaches => "breaches",
            ReportTable::Backlog => "backlog",
            ReportTable::VolumeByDay => "volume_by_day",
            ReportTable::VolumeByStatusCode => "volume_by_status_code",
            ReportTable::VolumeByEndpoint => "volume_by_endpoint",
            ReportTable::Deflection => "deflection",
            ReportTable::DeflectionByArticle => "deflection_by_article",
        }
    }

    /// The table for a slug.
    pub fn from_slug(slug: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.slug() == slug)
    }

    /// The CSV download path (without the query string).
    pub fn csv_path(self) -> String {
        format!("/manager/reports/{}.csv", self.slug())
    }
}

/// The SLA figures of one scope of tickets.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct SlaFigures {
    /// `routed`, `escalated` or `all`.
    pub scope: String,
    /// Tickets filed in the range (with a first-response clock).
    pub tickets: i64,
    /// Answered at or before the due time.
    pub met: i64,
    /// Answered after the due time.
    pub answered_late: i64,
    /// Not answered, due time passed.
    pub unanswered_overdue: i64,
    /// Not answered, not yet due: not counted as met or breached.
    pub pending: i64,
    /// Answered tickets (the population of the percentiles).
    pub answered: i64,
    /// Nearest-rank p50/p90 of business seconds from routing to the first response.
    pub p50_business_secs: Option<i64>,
    /// See `p50_business_secs`.
    pub p90_business_secs: Option<i64>,
    /// Nearest-rank p50/p90 of wall-clock seconds from routing to the first response.
    pub p50_wall_secs: Option<i64>,
    /// See `p50_wall_secs`.
    pub p90_wall_secs: Option<i64>,
}

impl SlaFigures {
    /// Late plus overdue.
    pub fn breached(&self) -> i64 {
        self.answered_late + self.unanswered_overdue
    }

    /// Met ÷ (met + breached), in percent.
    pub fn attainment_pct(&self) -> Option<f64> {
        crate::domain::stats::attainment_pct(self.met, self.breached())
    }
}

/// Attainment of one day or week (routed tickets).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct PeriodFigures {
    /// First day of the period, `YYYY-MM-DD`.
    pub start: String,
    /// Met.
    pub met: i64,
    /// Breached (late or overdue).
    pub breached: i64,
    /// Pending.
    pub pending: i64,
}

/// One breached ticket.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BreachView {
    /// Ticket number.
    pub id: i64,
    /// HTTP method.
    pub method: String,
    /// The endpoint as reported.
    pub endpoint: String,
    /// "503 Service Unavailable" or "No response: timeout".
    pub failure: String,
    /// `routed` or `escalated`.
    pub disposition: String,
    /// Due time in the support timezone, `YYYY-MM-DD HH:MM`.
    pub due_local: String,
    /// First response in the support timezone, or `None` when unanswered.
    pub answered_local: Option<String>,
    /// Wall-clock seconds from the due time to the answer (or to now, if unanswered).
    pub late_secs: i64,
    /// The same span in business seconds of the current support calendar.
    pub late_business_secs: i64,
}

/// Open tickets of one age band.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct BacklogBand {
    /// "1–3 days".
    pub band: String,
    /// New, open or waiting.
    pub open: i64,
    /// Not answered yet.
    pub unanswered: i64,
    /// Unanswered and past due.
    pub overdue: i64,
}

/// Reports of one filing day.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DayVolume {
    /// `YYYY-MM-DD`.
    pub day: String,
    /// All reports.
    pub reports: i64,
    /// Answered with guidance when filed.
    pub deflected: i64,
    /// Of those, escalated by the developer.
    pub escalated: i64,
    /// Sent to the queue.
    pub routed: i64,
}

/// Reports of one status code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CodeVolume {
    /// "503 Service Unavailable" or "No response: timeout".
    pub failure: String,
    /// Client error, server error, transport failure.
    pub class: String,
    /// Reports.
    pub reports: i64,
    /// Of which tickets.
    pub tickets: i64,
}

/// Reports of one endpoint template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct EndpointVolume {
    /// `/v1/orders/{id}`, or a summary line for the rest.
    pub endpoint: String,
    /// Reports.
    pub reports: i64,
    /// Answered with guidance.
    pub deflected: i64,
    /// Tickets.
    pub tickets: i64,
    /// Tickets that breached.
    pub breached: i64,
}

/// Deflection figures of the range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct DeflectionFigures {
    /// All reports.
    pub reports: i64,
    /// Client errors answered with guidance when filed.
    pub deflected: i64,
    /// Server errors and transport failures sent to the queue.
    pub routed: i64,
    /// "This solved it".
    pub self_solved: i64,
    /// "Still failing": escalated into the queue.
    pub escalated: i64,
    /// No answer yet.
    pub no_answer: i64,
    /// Reports re-filing a deflected one (same developer, endpoint template and code)
    /// within 24 hours.
    pub recontacts: i64,
}

/// A whole report, or the parts of it one table needs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ManagerReport {
    /// First day, `YYYY-MM-DD`.
    pub from: String,
    /// Last day (inclusive).
    pub to: String,
    /// Number of days.
    pub days: i64,
    /// The support timezone the dates are in.
    pub timezone: String,
    /// When the report was made, in the support timezone.
    pub as_of_local: String,
    /// Routed, escalated, all.
    pub sla: Vec<SlaFigures>,
    /// Whether [`ManagerReport::trend`] is per week (else per day).
    pub weekly: bool,
    /// Routed-ticket attainment per day or week.
    pub trend: Vec<PeriodFigures>,
    /// Answered routed tickets per `domain::stats::RESPONSE_BUCKETS` bucket.
    pub response_buckets: Vec<i64>,
    /// Breaches by due time (the first [`BREACHES_SHOWN`] on the page; all in the CSV).
    pub breaches: Vec<BreachView>,
    /// How many breaches there are in all.
    pub breach_total: i64,
    /// Per `domain::stats::AGE_BANDS` band, open now.
    pub backlog: Vec<BacklogBand>,
    /// Every day of the range.
    pub by_day: Vec<DayVolume>,
    /// Most reports first.
    pub by_status_code: Vec<CodeVolume>,
    /// Most reports first; the busiest [`ENDPOINTS_SHOWN`], then one line for the rest.
    pub by_endpoint: Vec<EndpointVolume>,
    /// Deflection.
    pub deflection: DeflectionFigures,
    /// Next-reply and resolution attainment, and time paused.
    #[serde(default)]
    pub clocks: ClockFigures,
    /// Guidance outcomes per article, most escalated first.
    #[serde(default)]
    pub by_article: Vec<ArticleDeflection>,
}

/// What one guidance article did for the reports it was shown on, in the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ArticleDeflection {
    /// The article's slug.
    pub slug: String,
    /// Its title now (the slug if it is gone).
    pub title: String,
    /// Reports it was shown on.
    pub shown: i64,
    /// "This solved it."
    pub self_solved: i64,
    /// "Still failing": escalated to support.
    pub escalated: i64,
    /// No answer yet.
    pub no_answer: i64,
    /// Reports it was shown on that re-filed a deflected report within 24 hours.
    pub recontacts: i64,
}

/// Next-reply and resolution clocks: those that stopped in the range (met or
/// breached), those running now, and the time resolution clocks spent paused.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ClockFigures {
    /// Next-reply clocks stopped in the range in time.
    pub next_reply_met: i64,
    /// Next-reply clocks stopped in the range after their due time.
    pub next_reply_breached: i64,
    /// Next-reply clocks running now.
    pub next_reply_running: i64,
    /// Tickets resolved in the range within their resolution target.
    pub resolution_met: i64,
    /// Tickets resolved in the range after it.
    pub resolution_breached: i64,
    /// Resolution clocks running or paused now.
    pub resolution_open: i64,
    /// Business seconds the tickets resolved in the range spent waiting on the developer.
    pub paused_business_secs: i64,
    /// How many of them waited at all.
    pub paused_tickets: i64,
}

impl ClockFigures {
    /// Next-reply met ÷ (met + breached), in percent.
    pub fn next_reply_pct(&self) -> Option<f64> {
        crate::domain::stats::attainment_pct(self.next_reply_met, self.next_reply_breached)
    }

    /// Resolution met ÷ (met + breached), in percent.
    pub fn resolution_pct(&self) -> Option<f64> {
        crate::domain::stats::attainment_pct(self.resolution_met, self.resolution_breached)
    }
}

/// How many breaches the page lists (the CSV has them all).
pub const BREACHES_SHOWN: i64 = 100;

/// How many endpoints get a line of their own.
pub const ENDPOINTS_SHOWN: usize = 100;
